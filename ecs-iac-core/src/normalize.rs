//! Normalization: one canonical form for a request body, so that comparing what was
//! applied, what AWS reports and what the stack wants shows only real differences.
//!
//! [`normalize`] is applied to every side before a plan compares them. It:
//!
//! - drops `null` members (absent and `null` mean the same in a request);
//! - sorts lists AWS reorders and whose order means nothing: the string lists of
//!   [`SET_FIELDS`] (subnet and security group ids, `requiresCompatibilities`), tag lists
//!   (`[{"Key", "Value"}]`, `[{"key", "value"}]`) by key, and the lists of
//!   [`KEYED_FIELDS`] (containers, environment, port mappings, …) by their identity;
//! - rewrites security group `IpPermissions` as one permission per peer (AWS groups the
//!   peers of equal protocol and ports into one), sorted, with the empty peer lists and the
//!   account id AWS adds to group pairs removed, protocol numbers as names (`6` → `tcp`)
//!   and no ports on all-protocol (`-1`) rules;
//! - parses IAM policy documents ([`POLICY_FIELDS`]) given as JSON text, also URL-encoded
//!   as IAM returns them, into one canonical JSON value: key order is irrelevant, a
//!   one-element list equals its element, string lists (`Action`, `Resource`, principals,
//!   condition values) are sorted sets, numeric condition values are numbers;
//! - writes numbers one way: an integral float is an integer (`80.0` → `80`), and in the
//!   fields of [`NUMERIC_FIELDS`], where APIs mix numbers and numeric strings (ECS task
//!   `cpu`/`memory` are strings, ports are numbers), a numeric string is a number;
//! - writes a union whose chosen member is an empty object ([`UNION_FIELDS`]: a WAF
//!   `DefaultAction` `{"Allow": {}}`, a rule's `Action` or `OverrideAction`) as the
//!   member's name (`"Allow"`), so that a switch from one member to another is a change
//!   of one value rather than two members each present on one side only;
//! - drops fields equal to the value AWS fills in when a request leaves them out
//!   ([`AWS_DEFAULTS`], and an RDS `Port` equal to its engine's default port), so a
//!   request that omits them and AWS's report that shows them compare equal.
//!
//! Plans match list elements by identity, sort the lists of [`KEYED_FIELDS`] by it and
//! name elements by it in change paths:
//!
//! | list | identity | path |
//! |------|----------|------|
//! | `containerDefinitions`, `environment`, `secrets`, `volumes`, `ulimits` | `name` | `containerDefinitions[app].environment[LOG_LEVEL].value` |
//! | `portMappings` | `containerPort`/`protocol` (`tcp` when absent) | `portMappings[8080/tcp]` |
//! | `mountPoints` | `containerPath` | `mountPoints[/data]` |
//! | `volumesFrom` / `dependsOn` | `sourceContainer` / `containerName` | `dependsOn[init]` |
//! | `systemControls` | `namespace` | |
//! | `IpPermissions` | protocol, ports and peer | `IpPermissions[tcp/443 from 10.0.0.0/16]` |
//! | `loadBalancers` | container, port and target group | `loadBalancers[web:8000 to arn:…]` |
//! | `TagSpecifications` | `ResourceType` | `TagSpecifications[vpc].Tags["Name"]` |
//! | `capacityProviderStrategy` | `capacityProvider` | |
//! | `Dimensions` (alarms) | `Name` | |
//! | policy `Statement` | `Sid`, when every statement has one | |
//! | service connect `services` | `portName` | |
//! | any `[{"Key", "Value"}]` / `[{"key", "value"}]` list | the key (quoted); the element stands for its value | `Tags["team"]` |
//!
//! A list whose elements lack the identity, or repeat it, goes by position (`[0]`).
//!
//! Fields AWS picks itself when a request leaves them out, whose value is not fixed (an
//! RDS `EngineVersion`, the default security group of a service), cannot be dropped from
//! one body alone; the plan ignores them when neither the request last applied nor the
//! desired one has them: every top-level field, and below the top level the fields of
//! [`PICKED_WHEN_OMITTED`].
//!
//! Why this room is long (about 1,000 lines): it is mostly tables (AWS defaults per field,
//! set-like and keyed lists, union members) with the few rewrites that use them; splitting
//! the tables from the rewrites would separate each rule from the code that applies it.

use crate::kind::Kind;
use crate::requests::application_autoscaling::{
    RegisterScalableTarget, TargetTrackingScalingPolicyConfiguration,
};
use crate::requests::cloudwatch::PutMetricAlarm;
use crate::requests::ecs::{
    ContainerDefinition, CreateService, DeploymentConfiguration, EphemeralStorage, HealthCheck,
    PortMapping, RegisterTaskDefinition,
};
use crate::requests::elasticache::CreateReplicationGroup;
use crate::requests::elbv2::{CreateLoadBalancer, CreateRule, CreateTargetGroup};
use crate::requests::iam::{CreateRole, PutRolePolicy};
use crate::requests::logs::PutRetentionPolicy;
use crate::requests::opensearch::CreateDomain;
use crate::requests::rds::CreateDbInstance;
use crate::requests::secretsmanager::PutResourcePolicy;
use crate::requests::wafv2::CreateWebAcl;
use serde_json::{Map, Number, Value};

/// A value AWS fills in for a field a request leaves out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(&'static str),
    /// An empty list.
    EmptyList,
}

impl DefaultValue {
    fn matches(self, value: &Value) -> bool {
        match self {
            DefaultValue::Bool(b) => value.as_bool() == Some(b),
            DefaultValue::Int(i) => value.as_i64() == Some(i),
            DefaultValue::Str(s) => value.as_str() == Some(s),
            DefaultValue::EmptyList => value.as_array().is_some_and(Vec::is_empty),
        }
    }
}

/// One row of [`AWS_DEFAULTS`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AwsDefault {
    /// The node kind, e.g. `ecs.task_definition`.
    pub kind: Kind,
    /// The field's path: object members joined by `.`, list elements as `[]`, e.g.
    /// `containerDefinitions[].essential`.
    pub path: &'static str,
    /// The value AWS fills in.
    pub value: DefaultValue,
}

const fn default(kind: Kind, path: &'static str, value: DefaultValue) -> AwsDefault {
    AwsDefault { kind, path, value }
}

/// Fields AWS fills with a fixed value when a request leaves them out; [`normalize`] drops
/// them when they hold that value. Sources: the `RegisterTaskDefinition`, `CreateService`
/// and `CreateRole` API references (docs.aws.amazon.com/AmazonECS/latest/APIReference,
/// docs.aws.amazon.com/IAM/latest/APIReference).
pub const AWS_DEFAULTS: &[AwsDefault] = {
    use DefaultValue::{Bool, EmptyList, Int, Str};
    const TD: Kind = Kind::TASK_DEFINITION;
    const SVC: Kind = Kind::SERVICE;
    &[
        default(TD, "containerDefinitions[].essential", Bool(true)),
        default(TD, "containerDefinitions[].cpu", Int(0)),
        default(TD, "containerDefinitions[].environment", EmptyList),
        default(TD, "containerDefinitions[].environmentFiles", EmptyList),
        default(TD, "containerDefinitions[].mountPoints", EmptyList),
        default(TD, "containerDefinitions[].volumesFrom", EmptyList),
        default(TD, "containerDefinitions[].portMappings", EmptyList),
        default(TD, "containerDefinitions[].secrets", EmptyList),
        default(TD, "containerDefinitions[].systemControls", EmptyList),
        default(TD, "containerDefinitions[].dependsOn", EmptyList),
        default(TD, "containerDefinitions[].ulimits", EmptyList),
        default(
            TD,
            "containerDefinitions[].portMappings[].protocol",
            Str("tcp"),
        ),
        default(TD, RegisterTaskDefinition::FIELD.volumes, EmptyList),
        default(TD, "placementConstraints", EmptyList),
        default(SVC, "deploymentConfiguration.maximumPercent", Int(200)),
        default(
            SVC,
            "deploymentConfiguration.minimumHealthyPercent",
            Int(100),
        ),
        default(SVC, "platformVersion", Str("LATEST")),
        default(SVC, "loadBalancers", EmptyList),
        default(SVC, "serviceRegistries", EmptyList),
        default(SVC, "placementConstraints", EmptyList),
        default(SVC, "placementStrategy", EmptyList),
        default(Kind::ROLE, CreateRole::FIELD.path, Str("/")),
        default(
            Kind::ROLE,
            CreateRole::FIELD.max_session_duration,
            Int(3600),
        ),
    ]
};

/// Fields below the top level that AWS picks itself when a request leaves them out, with
/// no fixed value: `(kind, path)`. When neither the request last applied nor the desired
/// one has such a field, the value AWS reports is not drift. (Every top-level field is
/// treated this way, e.g. an RDS `EngineVersion` or `Port`, a log group's `kmsKeyId`.)
pub const PICKED_WHEN_OMITTED: &[(Kind, &str)] = &[
    // The VPC's default security group.
    (
        Kind::SERVICE,
        "networkConfiguration.awsvpcConfiguration.securityGroups",
    ),
    // Equal to the container port in `awsvpc` mode.
    (
        Kind::TASK_DEFINITION,
        "containerDefinitions[].portMappings[].hostPort",
    ),
];

/// String lists whose order means nothing (AWS may return them in any order): sorted.
pub const SET_FIELDS: &[&str] = &[
    "SubnetIds",
    "subnets",
    CreateLoadBalancer::FIELD.subnets,
    "SecurityGroupIds",
    "VpcSecurityGroupIds",
    "securityGroups",
    CreateLoadBalancer::FIELD.security_groups,
    RegisterTaskDefinition::FIELD.requires_compatibilities,
    "compatibilities",
];

/// Lists whose elements have an identity (see the [module documentation](self)) and whose
/// order means nothing: sorted by identity.
pub const KEYED_FIELDS: &[&str] = &[
    RegisterTaskDefinition::FIELD.container_definitions,
    ContainerDefinition::FIELD.environment,
    ContainerDefinition::FIELD.secrets,
    ContainerDefinition::FIELD.port_mappings,
    ContainerDefinition::FIELD.mount_points,
    "volumesFrom",
    RegisterTaskDefinition::FIELD.volumes,
    ContainerDefinition::FIELD.depends_on,
    "ulimits",
    "systemControls",
    "TagSpecifications",
    "loadBalancers",
    "capacityProviderStrategy",
    PutMetricAlarm::FIELD.dimensions,
];

/// Fields where APIs (or a refresh rendering SDK values back) mix numbers and numeric
/// strings: a numeric string there is compared as a number.
pub const NUMERIC_FIELDS: &[&str] = &[
    RegisterTaskDefinition::FIELD.cpu,
    RegisterTaskDefinition::FIELD.memory,
    ContainerDefinition::FIELD.memory_reservation,
    PortMapping::FIELD.container_port,
    PortMapping::FIELD.host_port,
    RULE.from_port,
    RULE.to_port,
    "Port",
    CreateTargetGroup::FIELD.health_check_port,
    PutRetentionPolicy::FIELD.retention_in_days,
    CreateService::FIELD.desired_count,
    CreateService::FIELD.health_check_grace_period_seconds,
    DeploymentConfiguration::FIELD.maximum_percent,
    DeploymentConfiguration::FIELD.minimum_healthy_percent,
    EphemeralStorage::FIELD.size_in_gib,
    CreateDbInstance::FIELD.allocated_storage,
    CreateDbInstance::FIELD.backup_retention_period,
    CreateReplicationGroup::FIELD.num_cache_clusters,
    CreateRole::FIELD.max_session_duration,
    PutMetricAlarm::FIELD.threshold,
    PutMetricAlarm::FIELD.period,
    PutMetricAlarm::FIELD.evaluation_periods,
    "DatapointsToAlarm",
    TargetTrackingScalingPolicyConfiguration::FIELD.target_value,
    RegisterScalableTarget::FIELD.min_capacity,
    RegisterScalableTarget::FIELD.max_capacity,
    // Listener rules' and web ACL rules' priority.
    CreateRule::FIELD.priority,
    HealthCheck::FIELD.interval,
    HealthCheck::FIELD.timeout,
    HealthCheck::FIELD.retries,
    HealthCheck::FIELD.start_period,
];

/// Fields holding an IAM policy document (JSON text, or URL-encoded JSON text as IAM
/// returns it).
pub const POLICY_FIELDS: &[&str] = &[
    PutRolePolicy::FIELD.policy_document,
    CreateRole::FIELD.assume_role_policy_document,
    "Policy",
    PutResourcePolicy::FIELD.resource_policy,
    CreateDomain::FIELD.access_policies,
];

/// Unions (exactly one member set) whose members are empty objects, by kind and path
/// (list elements as `[]`): normalized to the set member's name.
pub const UNION_FIELDS: &[(Kind, &str)] = &[
    (Kind::WEB_ACL, CreateWebAcl::FIELD.default_action),
    (Kind::WEB_ACL, "Rules[].Action"),
    (Kind::WEB_ACL, "Rules[].OverrideAction"),
];

/// The set member's name when `value`, at `schema` under `kind`, is a union of
/// [`UNION_FIELDS`] holding one empty member.
fn union_member(kind: Kind, schema: &str, value: &Map<String, Value>) -> Option<Value> {
    if !UNION_FIELDS.contains(&(kind, schema)) || value.len() != 1 {
        return None;
    }
    let (member, inner) = value.iter().next()?;
    let empty = inner.as_object().is_some_and(Map::is_empty);
    empty.then(|| Value::String(member.clone()))
}

/// The canonical form of `body`, a request of a node of kind `kind` (or AWS's report of
/// the resource rendered in that shape). See the [module documentation](self) for what
/// changes. Pure and idempotent: `normalize(k, &normalize(k, b)) == normalize(k, b)`.
pub fn normalize(kind: Kind, body: &Value) -> Value {
    let mut schema = String::new();
    normalize_at(kind, &mut schema, "", body)
}

/// `schema` is the path of `value` (members joined by `.`, list elements as `[]`) and
/// `field` the name of the member holding it (for list elements, the list's).
fn normalize_at(kind: Kind, schema: &mut String, field: &str, value: &Value) -> Value {
    if POLICY_FIELDS.contains(&field) {
        if let Some(document) = policy_document(value) {
            return document;
        }
    }
    if let Some(member) = value
        .as_object()
        .and_then(|m| union_member(kind, schema, m))
    {
        return member;
    }
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, child) in map {
                if child.is_null() {
                    continue;
                }
                let len = schema.len();
                if !schema.is_empty() {
                    schema.push('.');
                }
                schema.push_str(key);
                let child = normalize_at(kind, schema, key, child);
                let drop = child.is_null() || is_default(kind, schema, &child, map);
                schema.truncate(len);
                if !drop {
                    out.insert(key.clone(), child);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let len = schema.len();
            schema.push_str("[]");
            let mut items: Vec<Value> = items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| normalize_at(kind, schema, field, v))
                .collect();
            schema.truncate(len);
            if field == PERMISSIONS {
                items = canonical_permissions(items);
            }
            if SET_FIELDS.contains(&field) {
                sort_by_text(&mut items);
                items.dedup();
            } else if is_pair_list(&items) {
                items.sort_by(|a, b| pair_key(a).map(|p| p.0).cmp(&pair_key(b).map(|p| p.0)));
            } else if KEYED_FIELDS.contains(&field) {
                let keyed: Option<Vec<String>> =
                    items.iter().map(|item| element_key(field, item)).collect();
                if let Some(keys) = keyed {
                    let mut pairs: Vec<(String, Value)> = keys.into_iter().zip(items).collect();
                    pairs.sort_by(|a, b| a.0.cmp(&b.0));
                    items = pairs.into_iter().map(|(_, v)| v).collect();
                }
            }
            Value::Array(items)
        }
        Value::Number(n) => Value::Number(canonical_number(n)),
        Value::String(s) if NUMERIC_FIELDS.contains(&field) => {
            numeric(s).unwrap_or_else(|| value.clone())
        }
        other => other.clone(),
    }
}

/// Whether `value` at `schema` is what AWS fills in when the request leaves it out.
/// `siblings` is the object holding it (an RDS `Port` default depends on `Engine`).
fn is_default(kind: Kind, schema: &str, value: &Value, siblings: &Map<String, Value>) -> bool {
    if kind == Kind::DB_INSTANCE && schema == "Port" {
        let engine = siblings.get("Engine").and_then(Value::as_str);
        return engine.and_then(rds_default_port).is_some_and(|port| {
            value.as_u64() == Some(port) || value.as_str() == Some(&port.to_string())
        });
    }
    AWS_DEFAULTS
        .iter()
        .any(|d| d.kind == kind && d.path == schema && d.value.matches(value))
}

/// The port an RDS engine listens on when `CreateDBInstance` names none (RDS API
/// reference, `Port`).
fn rds_default_port(engine: &str) -> Option<u64> {
    match engine {
        "postgres" | "aurora-postgresql" => Some(5432),
        "mysql" | "mariadb" | "aurora-mysql" | "aurora" => Some(3306),
        e if e.starts_with("oracle") => Some(1521),
        e if e.starts_with("sqlserver") => Some(1433),
        e if e.starts_with("db2") => Some(50000),
        _ => None,
    }
}

/// Whether `[path]` under `kind` is a field AWS picks when a request leaves it out.
pub(crate) fn picked_when_omitted(kind: Kind, schema: &str) -> bool {
    PICKED_WHEN_OMITTED
        .iter()
        .any(|(k, p)| *k == kind && *p == schema)
}

/// An integral float as an integer; other numbers unchanged.
fn canonical_number(n: &Number) -> Number {
    if n.is_f64() {
        if let Some(f) = n.as_f64() {
            // Below 2^53 every integral f64 is exact.
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                return Number::from(i);
            }
        }
    }
    n.clone()
}

/// `s` as a number when it is one written plainly (`42`, `-1`, `80.5`; not `042`, `1e3`,
/// `+1` or ``).
fn numeric(s: &str) -> Option<Value> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let plain = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !plain(int) || (int.len() > 1 && int.starts_with('0')) || frac.is_some_and(|f| !plain(f)) {
        return None;
    }
    if frac.is_none() {
        if let Ok(i) = s.parse::<i64>() {
            return Some(Value::from(i));
        }
        return s.parse::<u64>().ok().map(Value::from);
    }
    let f: f64 = s.parse().ok()?;
    Number::from_f64(f).map(|n| Value::Number(canonical_number(&n)))
}

fn sort_by_text(items: &mut [Value]) {
    items.sort_by_cached_key(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
}

/// The text of a scalar (strings as they are, numbers and booleans as JSON).
pub(crate) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The key and value of a tag-like pair, `{"Key": k, "Value": v}` or `{"key": k, "value":
/// v}` (AWS tag lists, ELB attributes).
pub(crate) fn pair_key(item: &Value) -> Option<(&str, &Value)> {
    let m = item.as_object()?;
    if m.len() != 2 {
        return None;
    }
    let (k, v) = if m.contains_key("Key") {
        (m.get("Key")?, m.get("Value")?)
    } else {
        (m.get("key")?, m.get("value")?)
    };
    Some((k.as_str()?, v))
}

/// A non-empty list of tag-like pairs.
pub(crate) fn is_pair_list(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|i| pair_key(i).is_some())
}

/// The identity of an element of the list `field`, by which plans match elements across
/// versions and name them in paths (`environment[LOG_LEVEL]`): `None` when the list has no
/// identity rule or the element lacks the identifying member.
pub(crate) fn element_key(field: &str, item: &Value) -> Option<String> {
    let text = |key: &str| item.get(key).and_then(scalar_text);
    match field {
        "containerDefinitions" | "environment" | "secrets" | "volumes" | "ulimits" => text("name"),
        "systemControls" => text("namespace"),
        "portMappings" => {
            let port = text("containerPort")?;
            let protocol = text("protocol").unwrap_or_else(|| "tcp".into());
            Some(format!("{port}/{protocol}"))
        }
        "mountPoints" => text("containerPath"),
        "volumesFrom" => text("sourceContainer"),
        "dependsOn" => text("containerName"),
        "TagSpecifications" => text("ResourceType"),
        PERMISSIONS => permission_key(item),
        "loadBalancers" => {
            let target = text("targetGroupArn").or_else(|| text("loadBalancerName"))?;
            let container = text("containerName")?;
            let port = text("containerPort")?;
            Some(format!("{container}:{port} to {target}"))
        }
        "capacityProviderStrategy" => text("capacityProvider"),
        "Statement" => text("Sid"),
        "Dimensions" => text("Name"),
        "services" => text("portName"),
        _ => None,
    }
}

/// The security group rules of an `ec2.security_group_ingress`/`_egress` request.
const PERMISSIONS: &str = crate::requests::ec2::SecurityGroupRules::FIELD.ip_permissions;
/// The AWS names of a security group rule's fields.
const RULE: crate::requests::ec2::IpPermissionFields = crate::requests::ec2::IpPermission::FIELD;

/// The peer lists of a security group permission, with the member naming the peer
/// (prefix lists only in what AWS reports).
const PEER_LISTS: &[(&str, &str)] = {
    use crate::requests::ec2::{IpRange, Ipv6Range, UserIdGroupPair};
    &[
        (RULE.ip_ranges, IpRange::FIELD.cidr_ip),
        (RULE.ipv6_ranges, Ipv6Range::FIELD.cidr_ipv6),
        (RULE.user_id_group_pairs, UserIdGroupPair::FIELD.group_id),
        ("PrefixListIds", "PrefixListId"),
    ]
};

/// `tcp/443 from 10.0.0.0/16`: protocol, ports and peers of a permission.
fn permission_key(item: &Value) -> Option<String> {
    let protocol = item.get(RULE.ip_protocol).and_then(scalar_text)?;
    let from = item.get(RULE.from_port).and_then(scalar_text);
    let to = item.get(RULE.to_port).and_then(scalar_text);
    let mut key = match protocol.as_str() {
        "-1" => "all".to_string(),
        p => match (from, to) {
            (Some(f), Some(t)) if f == t => format!("{p}/{f}"),
            (Some(f), Some(t)) => format!("{p}/{f}-{t}"),
            (Some(f), None) => format!("{p}/{f}"),
            (None, _) => p.to_string(),
        },
    };
    let mut peers = Vec::new();
    for (list, member) in PEER_LISTS {
        for peer in item
            .get(*list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            peers.extend(peer.get(*member).and_then(scalar_text));
        }
    }
    if !peers.is_empty() {
        key.push_str(" from ");
        key.push_str(&peers.join(","));
    }
    Some(key)
}

/// IP protocol numbers AWS may report for the names requests use.
fn protocol_name(protocol: &str) -> &str {
    match protocol {
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        "58" => "icmpv6",
        p => p,
    }
}

/// One permission per peer, sorted; see the module documentation.
fn canonical_permissions(items: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(mut base) = item else {
            out.push(item);
            continue;
        };
        if let Some(p) = base.get(RULE.ip_protocol).and_then(scalar_text) {
            let name = protocol_name(&p).to_string();
            if name == "-1" {
                base.remove(RULE.from_port);
                base.remove(RULE.to_port);
            }
            base.insert(RULE.ip_protocol.into(), Value::String(name));
        }
        let mut peers = Vec::new();
        for (list, _) in PEER_LISTS {
            if let Some(Value::Array(entries)) = base.remove(*list) {
                for mut entry in entries {
                    if *list == RULE.user_id_group_pairs {
                        if let Value::Object(pair) = &mut entry {
                            // Read-only members AWS adds to a pair it reports.
                            for extra in [
                                "UserId",
                                "VpcId",
                                "VpcPeeringConnectionId",
                                "PeeringStatus",
                                "GroupName",
                            ] {
                                pair.remove(extra);
                            }
                        }
                    }
                    peers.push((*list, entry));
                }
            }
        }
        if peers.is_empty() {
            out.push(Value::Object(base));
            continue;
        }
        for (list, peer) in peers {
            let mut one = base.clone();
            one.insert(list.to_string(), Value::Array(vec![peer]));
            out.push(Value::Object(one));
        }
    }
    out.sort_by_cached_key(|p| (permission_key(p).unwrap_or_default(), p.to_string()));
    out.dedup();
    out
}

/// An IAM policy document in canonical form, from JSON text (URL-encoded or not) or a
/// JSON object; `None` when `value` is neither.
fn policy_document(value: &Value) -> Option<Value> {
    let document = match value {
        Value::String(text) => {
            let text = text.trim();
            let decoded;
            let json = if text.starts_with('%') {
                decoded = percent_decode(text)?;
                decoded.as_str()
            } else {
                text
            };
            serde_json::from_str::<Value>(json)
                .ok()
                .filter(Value::is_object)?
        }
        Value::Object(_) => value.clone(),
        _ => return None,
    };
    Some(canonical_policy(&document, false))
}

/// Canonical policy JSON; `in_condition` turns numeric strings into numbers.
fn canonical_policy(value: &Value, in_condition: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    (
                        k.clone(),
                        canonical_policy(v, in_condition || k == "Condition"),
                    )
                })
                .collect(),
        ),
        Value::Array(items) => {
            let mut items: Vec<Value> = items
                .iter()
                .map(|v| canonical_policy(v, in_condition))
                .collect();
            if items.iter().all(|v| !v.is_object() && !v.is_array()) {
                sort_by_text(&mut items);
                items.dedup();
            }
            if items.len() == 1 {
                items.pop().unwrap_or(Value::Null)
            } else {
                Value::Array(items)
            }
        }
        Value::Number(n) => Value::Number(canonical_number(n)),
        Value::String(s) if in_condition => numeric(s).unwrap_or_else(|| value.clone()),
        other => other.clone(),
    }
}

/// Decodes `%XX` escapes (IAM returns policy documents URL-encoded); `None` when the
/// result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                #[allow(clippy::cast_possible_truncation)]
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn idempotent(kind: Kind, body: &Value) -> Value {
        let once = normalize(kind, body);
        assert_eq!(normalize(kind, &once), once, "not idempotent for {body}");
        once
    }

    #[test]
    fn waf_actions_compare_by_the_member_set() {
        let acl = |default: &str, action: &str| {
            json!({
                "DefaultAction": { default: {} },
                "Rules": [{ "Name": "r", "Action": { action: {} }, "OverrideAction": null }],
            })
        };
        let allow = idempotent(Kind::WEB_ACL, &acl("Allow", "Block"));
        assert_eq!(
            allow,
            json!({"DefaultAction": "Allow", "Rules": [{"Name": "r", "Action": "Block"}]})
        );
        assert_ne!(allow, idempotent(Kind::WEB_ACL, &acl("Block", "Block")));
        // A member with settings, or another kind's object, stays as it is.
        let custom = json!({"DefaultAction": {"Block": {"CustomResponse": {"ResponseCode": 403}}}});
        assert_eq!(idempotent(Kind::WEB_ACL, &custom), custom);
        let other = json!({"DefaultAction": {"Allow": {}}});
        assert_eq!(idempotent(Kind::LOG_GROUP, &other), other);
    }

    #[test]
    fn drops_nulls() {
        assert_eq!(
            idempotent(
                Kind::VPC,
                &json!({"a": null, "b": [null, 1], "c": {"d": null}})
            ),
            json!({"b": [1], "c": {}})
        );
    }

    #[test]
    fn sorts_id_lists_and_compatibilities() {
        let body = json!({
            "SubnetIds": ["subnet-b", "subnet-a"],
            "VpcSecurityGroupIds": ["sg-2", "sg-1", "sg-2"],
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["b", "a"], "securityGroups": ["y", "x"]}},
            "requiresCompatibilities": ["FARGATE", "EC2"],
            "command": ["b", "a"],
        });
        assert_eq!(
            idempotent(Kind::VPC, &body),
            json!({
                "SubnetIds": ["subnet-a", "subnet-b"],
                "VpcSecurityGroupIds": ["sg-1", "sg-2"],
                "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["a", "b"], "securityGroups": ["x", "y"]}},
                "requiresCompatibilities": ["EC2", "FARGATE"],
                // Order matters in a command: untouched.
                "command": ["b", "a"],
            })
        );
    }

    #[test]
    fn sorts_tag_lists_by_key() {
        let body = json!({
            "Tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}],
            "tags": [{"key": "z", "value": "9"}, {"key": "y", "value": "8"}],
            "TagSpecifications": [
                {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "n"}, {"Key": "A", "Value": "a"}]},
                {"ResourceType": "subnet", "Tags": []},
            ],
        });
        assert_eq!(
            idempotent(Kind::VPC, &body),
            json!({
                "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
                "tags": [{"key": "y", "value": "8"}, {"key": "z", "value": "9"}],
                "TagSpecifications": [
                    {"ResourceType": "subnet", "Tags": []},
                    {"ResourceType": "vpc", "Tags": [{"Key": "A", "Value": "a"}, {"Key": "Name", "Value": "n"}]},
                ],
            })
        );
    }

    #[test]
    fn sorts_keyed_lists_by_identity() {
        let body = json!({"containerDefinitions": [
            {"name": "web", "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]},
            {"name": "app"},
        ]});
        let n = idempotent(Kind::VPC, &body);
        assert_eq!(n["containerDefinitions"][0]["name"], "app");
        assert_eq!(
            n["containerDefinitions"][1]["environment"],
            json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
        );
    }

    #[test]
    fn security_group_permissions_are_one_per_peer_whatever_aws_groups() {
        let ours = json!({"GroupId": "sg-1", "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-9"}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "vpc"}]},
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ]});
        let aws = json!({"GroupId": "sg-1", "IpPermissions": [
            {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
             "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []},
            {"IpProtocol": "6", "FromPort": "443", "ToPort": 443,
             "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "vpc"}, {"CidrIp": "10.1.0.0/16"}],
             "UserIdGroupPairs": [{"GroupId": "sg-9", "UserId": "123456789012"}],
             "Ipv6Ranges": [], "PrefixListIds": []},
        ]});
        let n = idempotent(Kind::SECURITY_GROUP_INGRESS, &ours);
        assert_eq!(n, idempotent(Kind::SECURITY_GROUP_INGRESS, &aws));
        let keys: Vec<Option<String>> = n["IpPermissions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(permission_key)
            .collect();
        assert_eq!(
            keys,
            [
                Some("all from 0.0.0.0/0".to_string()),
                Some("tcp/443 from 10.0.0.0/16".to_string()),
                Some("tcp/443 from 10.1.0.0/16".to_string()),
                Some("tcp/443 from sg-9".to_string()),
            ]
        );
    }

    #[test]
    fn policy_documents_compare_as_documents() {
        let ours = json!({"PolicyDocument": json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": ["arn:aws:s3:::b/*"],
                "Condition": {"StringEquals": {"aws:SourceAccount": ["123456789012"]}},
            }],
        }).to_string()});
        // As IAM returns it: URL-encoded, other key order, single values unwrapped.
        let text = r#"{"Statement":{"Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceAccount":123456789012}},"Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow"},"Version":"2012-10-17"}"#;
        let encoded: String = text
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let aws = json!({"PolicyDocument": encoded});
        let n = idempotent(Kind::ROLE_POLICY, &ours);
        assert_eq!(n, idempotent(Kind::ROLE_POLICY, &aws));
        assert_eq!(
            n["PolicyDocument"]["Statement"]["Action"],
            json!(["s3:GetObject", "s3:PutObject"])
        );
        assert_eq!(
            n["PolicyDocument"]["Statement"]["Resource"],
            "arn:aws:s3:::b/*"
        );
        // A different action is still different.
        let other =
            json!({"AssumeRolePolicyDocument": r#"{"Statement": [{"Action": "sts:AssumeRole"}]}"#});
        let changed =
            json!({"AssumeRolePolicyDocument": r#"{"Statement": [{"Action": "sts:TagSession"}]}"#});
        assert_ne!(
            normalize(Kind::ROLE, &other),
            normalize(Kind::ROLE, &changed)
        );
        // Text that is no document stays text.
        assert_eq!(
            normalize(Kind::ROLE, &json!({"PolicyDocument": "%ZZ not json"})),
            json!({"PolicyDocument": "%ZZ not json"})
        );
    }

    #[test]
    fn numbers_are_written_one_way() {
        let body = json!({
            "cpu": "256", "memory": "512", "Threshold": 80.0, "TargetValue": 70.5,
            "Port": "5432", "HealthCheckPort": "traffic-port", "FromPort": "-1",
            "Description": "42", "containerPort": "0042",
        });
        assert_eq!(
            idempotent(Kind::VPC, &body),
            json!({
                "cpu": 256, "memory": 512, "Threshold": 80, "TargetValue": 70.5,
                "Port": 5432, "HealthCheckPort": "traffic-port", "FromPort": -1,
                // Not a numeric field, and not a plainly written number: untouched.
                "Description": "42", "containerPort": "0042",
            })
        );
        assert_eq!(numeric("1.50"), Some(json!(1.5)));
        assert_eq!(numeric("2.0"), Some(json!(2)));
        for not in [
            "",
            "-",
            "1e3",
            "+1",
            "1.",
            ".5",
            "1.2.3",
            "99999999999999999999999",
        ] {
            assert_eq!(numeric(not), None, "{not}");
        }
    }

    #[test]
    fn drops_what_aws_fills_in_for_task_definitions_and_services() {
        let aws = json!({
            "containerDefinitions": [{
                "name": "app", "essential": true, "cpu": 0, "environment": [], "mountPoints": [],
                "volumesFrom": [], "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
            }],
            "volumes": [],
            "placementConstraints": [],
        });
        assert_eq!(
            idempotent(Kind::TASK_DEFINITION, &aws),
            json!({"containerDefinitions": [{"name": "app", "portMappings": [{"containerPort": 80}]}]})
        );
        // Values other than the default stay.
        let set =
            json!({"containerDefinitions": [{"name": "app", "essential": false, "cpu": 128}]});
        assert_eq!(idempotent(Kind::TASK_DEFINITION, &set), set);
        // Only for the kind the table names.
        assert_eq!(
            normalize(Kind::VPC, &json!({"volumes": []})),
            json!({"volumes": []})
        );
        let service = json!({"deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 50}, "platformVersion": "LATEST"});
        assert_eq!(
            idempotent(Kind::SERVICE, &service),
            json!({"deploymentConfiguration": {"minimumHealthyPercent": 50}})
        );
        assert_eq!(
            idempotent(
                Kind::ROLE,
                &json!({"Path": "/", "MaxSessionDuration": 3600, "RoleName": "r"})
            ),
            json!({"RoleName": "r"})
        );
    }

    #[test]
    fn drops_the_rds_port_of_the_engine() {
        let pg = |port: Value| json!({"Engine": "postgres", "Port": port});
        assert_eq!(
            idempotent(Kind::DB_INSTANCE, &pg(json!(5432))),
            json!({"Engine": "postgres"})
        );
        assert_eq!(
            idempotent(Kind::DB_INSTANCE, &pg(json!("5432"))),
            json!({"Engine": "postgres"})
        );
        assert_eq!(
            idempotent(Kind::DB_INSTANCE, &pg(json!(5433))),
            pg(json!(5433))
        );
        let mysql = json!({"Engine": "mysql", "Port": 5432});
        assert_eq!(idempotent(Kind::DB_INSTANCE, &mysql), mysql);
        let unknown = json!({"Engine": "neptune", "Port": 8182});
        assert_eq!(idempotent(Kind::DB_INSTANCE, &unknown), unknown);
    }

    #[test]
    fn percent_decoding_keeps_what_is_not_an_escape() {
        assert_eq!(
            percent_decode("%7B%22a%22%3A1%7D").as_deref(),
            Some(r#"{"a":1}"#)
        );
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
        assert_eq!(percent_decode("%4").as_deref(), Some("%4"));
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn element_keys() {
        assert_eq!(
            element_key("environment", &json!({"name": "A", "value": "1"})).as_deref(),
            Some("A")
        );
        assert_eq!(
            element_key("portMappings", &json!({"containerPort": 80})).as_deref(),
            Some("80/tcp")
        );
        assert_eq!(
            element_key(
                "loadBalancers",
                &json!({"targetGroupArn": "${tg.arn}", "containerName": "web", "containerPort": 80})
            )
            .as_deref(),
            Some("web:80 to ${tg.arn}")
        );
        assert_eq!(
            element_key("mountPoints", &json!({"containerPath": "/data"})).as_deref(),
            Some("/data")
        );
        assert_eq!(element_key("environment", &json!({"value": "1"})), None);
        assert_eq!(element_key("command", &json!("x")), None);
    }
}
