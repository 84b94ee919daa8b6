//! Checks on the rendered requests, by field class rather than by builder: every tag,
//! every EC2 description, every list AWS requires unique, every ARN-typed field, every
//! Availability Zone. A new kind rendering such a field is checked without new code.

use crate::diagnostic::{Diagnostic, Rule};
use crate::kind::{Kind, Tags};
use crate::limits::{self, NameRule};
use crate::lower::{FieldPath, Node, ADDRESS_TAG, STACK_TAG};
use crate::requests::acm::DescribeCertificate;
use crate::requests::cloudwatch::PutMetricAlarm;
use crate::requests::elbv2::{
    Certificate, ConditionValues, CreateListener, CreateRule, DescribeListeners,
    DescribeLoadBalancers, RuleCondition,
};
use crate::requests::kms::DescribeKey;
use crate::requests::sns::GetTopicAttributes;
use crate::stack::Stack;
use serde_json::Value;
use std::collections::BTreeSet;

/// Reports every problem of the class checks in `nodes`.
pub(crate) fn check_requests(stack: &Stack, nodes: &[Node], out: &mut Vec<Diagnostic>) {
    for node in nodes {
        let mut cx = Checks {
            address: &node.resource,
            out,
        };
        cx.tags(node);
        match node.kind {
            Kind::SECURITY_GROUP => cx.string(
                &node.body,
                "Description",
                &limits::SECURITY_GROUP_DESCRIPTION,
            ),
            Kind::SECURITY_GROUP_INGRESS | Kind::SECURITY_GROUP_EGRESS => cx.rules(&node.body),
            Kind::SUBNET => cx.zone(stack, &node.body),
            Kind::TASK_DEFINITION => cx.containers(&node.body),
            Kind::ROLE_POLICY_ATTACHMENT => {
                cx.arn(&node.body["PolicyArn"], "PolicyArn", &[("iam", "policy/")]);
            }
            Kind::LISTENER => {
                let (field, arn) = (
                    CreateListener::FIELD.certificates,
                    Certificate::FIELD.certificate_arn,
                );
                for (i, c) in items(&node.body[field]).iter().enumerate() {
                    cx.arn(
                        &c[arn],
                        || format!("{field}[{i}].{arn}"),
                        &[("acm", "certificate/"), ("iam", "server-certificate/")],
                    );
                }
            }
            Kind::LISTENER_RULE => cx.unique_conditions(&node.body),
            Kind::EXISTING_CERTIFICATE => {
                let allowed = [("acm", "certificate/")];
                let field = DescribeCertificate::FIELD.certificate_arn;
                cx.arn(&node.body[field], field, &allowed);
            }
            Kind::EXISTING_LOAD_BALANCER => {
                let field = DescribeLoadBalancers::FIELD.load_balancer_arns;
                for (i, arn) in items(&node.body[field]).iter().enumerate() {
                    let allowed = [("elasticloadbalancing", "loadbalancer/")];
                    cx.arn(arn, || format!("{field}[{i}]"), &allowed);
                }
            }
            Kind::EXISTING_LISTENER => {
                let field = DescribeListeners::FIELD.listener_arns;
                for (i, arn) in items(&node.body[field]).iter().enumerate() {
                    let allowed = [("elasticloadbalancing", "listener/")];
                    cx.arn(arn, || format!("{field}[{i}]"), &allowed);
                }
            }
            Kind::EXISTING_TOPIC => {
                let field = GetTopicAttributes::FIELD.topic_arn;
                cx.arn(&node.body[field], field, &[("sns", "")]);
            }
            Kind::EXISTING_KMS_KEY
                if node.body[DescribeKey::FIELD.key_id]
                    .as_str()
                    .is_some_and(|k| k.starts_with("arn:")) =>
            {
                let allowed = [("kms", "key/"), ("kms", "alias/")];
                let field = DescribeKey::FIELD.key_id;
                cx.arn(&node.body[field], field, &allowed);
            }
            Kind::LOG_GROUP => {
                cx.arn(&node.body["kmsKeyId"], "kmsKeyId", &[("kms", "key/")]);
            }
            Kind::SERVICE => {
                let services = &node.body["serviceConnectConfiguration"]["services"];
                for (i, s) in items(services).iter().enumerate() {
                    cx.arn(
                        &s["tls"]["issuerCertificateAuthority"]["awsPcaAuthorityArn"],
                        || format!("serviceConnectConfiguration.services[{i}].tls.issuerCertificateAuthority.awsPcaAuthorityArn"),
                        &[("acm-pca", "certificate-authority/")],
                    );
                }
            }
            Kind::ALARM => {
                let field = PutMetricAlarm::FIELD.alarm_actions;
                for (i, action) in items(&node.body[field]).iter().enumerate() {
                    cx.arn(
                        action,
                        || format!("{field}[{i}]"),
                        &[
                            ("sns", ""),
                            ("autoscaling", ""),
                            ("automate", ""),
                            ("ssm", ""),
                            ("ssm-incidents", ""),
                            ("lambda", ""),
                        ],
                    );
                }
            }
            _ => {}
        }
    }
}

fn items(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// The parts of an ARN (`arn:partition:service:region:account:resource`), `None` when
/// `text` is not one.
fn arn_parts(text: &str) -> Option<(&str, &str)> {
    let mut parts = text.splitn(6, ':');
    let (
        Some("arn"),
        Some(partition),
        Some(service),
        Some(_region),
        Some(_account),
        Some(resource),
    ) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    )
    else {
        return None;
    };
    let partition_fits = partition.starts_with("aws") || partition == crate::lower::PARTITION;
    (partition_fits && !service.is_empty() && !resource.is_empty()).then_some((service, resource))
}

struct Checks<'a> {
    address: &'a str,
    out: &'a mut Vec<Diagnostic>,
}

impl Checks<'_> {
    fn error(&mut self, rule: Rule, path: impl Into<String>, message: String) {
        self.out
            .push(Diagnostic::new(rule, self.address, path, message));
    }

    /// The string at `body[field]`, when there is one, against `rule`.
    fn string(&mut self, body: &Value, field: &str, rule: &NameRule) {
        if let Some(text) = body[field].as_str() {
            self.string_at(text, field, rule);
        }
    }

    fn string_at(&mut self, text: &str, path: impl FieldPath, rule: &NameRule) {
        // A value filled in at apply (`${vpc.id}`) is checked once it is known, by AWS.
        if text.contains("${") {
            return;
        }
        if let Some(problem) = rule.check(text) {
            self.error(Rule::AwsString, path.render(), problem);
        }
    }

    /// The stack's own tags (not the ownership tags ecs-iac adds). Borrowed: every node
    /// has tags, and the path is only written for a tag that fails.
    fn tags(&mut self, node: &Node) {
        let style = node.kind.spec().tags;
        let Some(field) = style.field() else { return };
        let (key_name, value_name) = match style {
            Tags::Ecs => ("key", "value"),
            Tags::Kms => ("TagKey", "TagValue"),
            _ => ("Key", "Value"),
        };
        fn pair<'v>(t: &'v Value, key: &str, value: &str) -> (&'v str, &'v str) {
            let text = |name: &str| t.get(name).and_then(Value::as_str).unwrap_or_default();
            (text(key), text(value))
        }
        let body = &node.body[field];
        match style {
            Tags::Ec2(_) => {
                for spec in items(body) {
                    for t in items(&spec["Tags"]) {
                        let (k, v) = pair(t, key_name, value_name);
                        self.tag(k, v, || format!("{field}[{k:?}]"));
                    }
                }
            }
            Tags::KeyValue
            | Tags::LowerKeyValue
            | Tags::KeyValueList(_)
            | Tags::Ecs
            | Tags::Kms => {
                for t in items(body) {
                    let (k, v) = pair(t, key_name, value_name);
                    self.tag(k, v, || format!("{field}[{k:?}]"));
                }
            }
            Tags::Map | Tags::LowerMap => {
                for (k, v) in body.as_object().into_iter().flatten() {
                    let v = v.as_str().unwrap_or_default();
                    self.tag(k, v, || format!("{field}.{k}"));
                }
            }
            Tags::None => {}
        }
    }

    /// Checks one tag; `path` writes where it is.
    fn tag(&mut self, key: &str, value: &str, path: impl Fn() -> String) {
        if key == STACK_TAG || key == ADDRESS_TAG {
            return;
        }
        if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
            self.error(
                Rule::AwsString,
                path(),
                format!("tag key `{key}`: the `aws:` prefix is reserved for AWS's own tags"),
            );
            return;
        }
        // A value filled in at apply (`${vpc.id}`) is checked once it is known, by AWS.
        let problem = |text: &str, rule: &NameRule| {
            (!text.contains("${")).then(|| rule.check(text)).flatten()
        };
        let value_problem = (!value.is_empty())
            .then(|| problem(value, &limits::TAG_VALUE))
            .flatten();
        for found in [problem(key, &limits::TAG_KEY), value_problem]
            .into_iter()
            .flatten()
        {
            self.error(Rule::AwsString, path(), found);
        }
    }

    /// Rule descriptions and IPv6 blocks of a security group's rules.
    fn rules(&mut self, body: &Value) {
        use crate::requests::ec2::{
            IpPermission, IpRange, Ipv6Range, SecurityGroupRules, UserIdGroupPair,
        };
        use serde::Deserialize;
        const RULE: crate::requests::ec2::IpPermissionFields = IpPermission::FIELD;
        let Ok(request) = SecurityGroupRules::deserialize(body) else {
            return;
        };
        let permissions = SecurityGroupRules::FIELD.ip_permissions;
        for (i, p) in request.ip_permissions.iter().flatten().enumerate() {
            // Each peer's list, index, description and, for IPv6 peers, block.
            let v4 = p.ip_ranges.iter().flatten().enumerate().map(|(j, r)| {
                let description = (IpRange::FIELD.description, r.description.as_deref());
                (RULE.ip_ranges, j, description, None::<&str>)
            });
            let v6 = p.ipv6_ranges.iter().flatten().enumerate().map(|(j, r)| {
                let description = (Ipv6Range::FIELD.description, r.description.as_deref());
                (RULE.ipv6_ranges, j, description, r.cidr_ipv6.as_deref())
            });
            let groups = p
                .user_id_group_pairs
                .iter()
                .flatten()
                .enumerate()
                .map(|(j, r)| {
                    let description =
                        (UserIdGroupPair::FIELD.description, r.description.as_deref());
                    (RULE.user_id_group_pairs, j, description, None)
                });
            for (list, j, (description_field, description), block) in v4.chain(v6).chain(groups) {
                let path = || format!("{permissions}[{i}].{list}[{j}]");
                if let Some(text) = description {
                    self.string_at(
                        text,
                        || format!("{}.{description_field}", path()),
                        &limits::RULE_DESCRIPTION,
                    );
                }
                if let Some(block) = block {
                    if block.parse::<ipnet::Ipv6Net>().is_err() {
                        self.error(
                                Rule::CidrMalformed,
                                format!("{}.{}", path(), Ipv6Range::FIELD.cidr_ipv6),
                                format!("`{block}` is not an IPv6 CIDR block like `::/0` or `2001:db8::/32`"),
                            );
                    }
                }
            }
        }
    }

    /// A subnet's zone is in the stack's pinned region.
    fn zone(&mut self, stack: &Stack, body: &Value) {
        const ZONE: &str = crate::requests::ec2::CreateSubnet::FIELD.availability_zone;
        let (Some(region), Some(zone)) = (stack.pinned_region(), body[ZONE].as_str()) else {
            return;
        };
        let in_region = zone
            .strip_prefix(region)
            .is_some_and(|rest| rest.len() == 1 && rest.chars().all(|c| c.is_ascii_lowercase()));
        if !in_region {
            self.error(
                Rule::AzRegion,
                ZONE,
                format!(
                    "`{zone}` is not a zone of `{region}`, the stack's region; pick one of `{region}a`, `{region}b`, … ({})",
                    limits::AVAILABILITY_ZONES
                ),
            );
        }
    }

    /// Images, variable names, unique names and secret sources of a task's containers.
    fn containers(&mut self, body: &Value) {
        for (i, c) in items(&body["containerDefinitions"]).iter().enumerate() {
            let path = || format!("containerDefinitions[{i}]");
            if c["image"]
                .as_str()
                .is_some_and(|image| image.trim().is_empty())
            {
                self.error(
                    Rule::AwsString,
                    format!("{}.image", path()),
                    "the image is empty; name one, e.g. `image(\"nginx:1.27\")`".into(),
                );
            }
            for list in ["environment", "secrets", "portMappings"] {
                let mut seen = BTreeSet::new();
                for (j, entry) in items(&c[list]).iter().enumerate() {
                    let Some(name) = entry["name"].as_str() else {
                        continue;
                    };
                    let entry_path = || format!("{}.{list}[{j}].name", path());
                    if name.is_empty() {
                        self.error(
                            Rule::AwsString,
                            entry_path(),
                            format!("an entry of `{list}` has an empty name"),
                        );
                    } else if !seen.insert(name) {
                        self.error(
                            Rule::DuplicateEntry,
                            entry_path(),
                            format!(
                                "`{name}` is in `{list}` twice; names in it must be unique ({})",
                                limits::CONTAINER_DEFINITION
                            ),
                        );
                    }
                }
            }
            for (j, secret) in items(&c["secrets"]).iter().enumerate() {
                let from = &secret["valueFrom"];
                let Some(text) = from.as_str() else { continue };
                // An SSM parameter of the task's region may be named instead of an ARN.
                if !text.starts_with("arn:") && (text.starts_with('/') || text.starts_with("${")) {
                    continue;
                }
                self.arn(
                    from,
                    || format!("{}.secrets[{j}].valueFrom", path()),
                    &[("secretsmanager", "secret:"), ("ssm", "parameter/")],
                );
            }
        }
    }

    /// Path patterns and host names of a listener rule's conditions are unique.
    fn unique_conditions(&mut self, body: &Value) {
        let (conditions, values) = (CreateRule::FIELD.conditions, ConditionValues::FIELD.values);
        let configs = [
            RuleCondition::FIELD.path_pattern_config,
            RuleCondition::FIELD.host_header_config,
        ];
        for (i, c) in items(&body[conditions]).iter().enumerate() {
            for config in configs {
                let mut seen = BTreeSet::new();
                for (j, v) in items(&c[config][values]).iter().enumerate() {
                    let Some(v) = v.as_str() else { continue };
                    if !seen.insert(v) {
                        self.error(
                            Rule::DuplicateEntry,
                            format!("{conditions}[{i}].{config}.{values}[{j}]"),
                            format!("`{v}` is listed twice ({})", limits::RULE_CONDITIONS),
                        );
                    }
                }
            }
        }
    }

    /// `value` is an ARN of one of `allowed` (service, resource prefix). Placeholders
    /// (`${secret.arn}`) are ARNs the stack fills in.
    fn arn(&mut self, value: &Value, path: impl FieldPath, allowed: &[(&str, &str)]) {
        let Some(text) = value.as_str() else { return };
        if text.starts_with("${") {
            return;
        }
        let fits = arn_parts(text).is_some_and(|(service, resource)| {
            allowed
                .iter()
                .any(|(s, prefix)| service == *s && resource.starts_with(prefix))
        });
        if !fits {
            let wanted: Vec<String> = allowed
                .iter()
                .map(|(s, prefix)| format!("`arn:aws:{s}:…:{prefix}…`"))
                .collect();
            self.error(
                Rule::Arn,
                path.render(),
                format!(
                    "`{text}` is not an ARN of the right kind; expected {} ({})",
                    wanted.join(" or "),
                    limits::ARN_FORMAT
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::arn_parts;
    use crate::diagnostic::Rule;
    use crate::prelude::*;

    #[test]
    fn kms_key_arns_of_log_groups_are_checked() {
        let errors = |key: &str| {
            let mut stack = Stack::new("k").region("us-east-1");
            stack.add(LogGroup::new("logs", "/ecs/k").kms_key(key));
            validate(&stack)
                .into_iter()
                .filter(|d| d.rule == Rule::Arn)
                .map(|d| d.path)
                .collect::<Vec<_>>()
        };
        assert_eq!(errors("alias/logs"), ["kmsKeyId"]);
        assert_eq!(
            errors("arn:aws:sns:us-east-1:123456789012:key/1"),
            ["kmsKeyId"]
        );
        assert!(errors("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab").is_empty());
    }

    #[test]
    fn arns_are_parsed_with_their_service_and_resource() {
        assert_eq!(
            arn_parts("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"),
            Some(("secretsmanager", "secret:db-AbCdEf"))
        );
        assert_eq!(
            arn_parts("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),
            Some((
                "iam",
                "policy/service-role/AmazonECSTaskExecutionRolePolicy"
            ))
        );
        assert_eq!(
            arn_parts("arn:aws-cn:acm:cn-north-1:1:certificate/x"),
            Some(("acm", "certificate/x"))
        );
        assert_eq!(arn_parts("db-password"), None);
        assert_eq!(arn_parts("arn:aws:sns"), None);
    }
}
