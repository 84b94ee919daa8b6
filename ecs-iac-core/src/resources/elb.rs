//! Application Load Balancers, target groups, listeners and listener rules.
//!
//! Why this room is long (about 1,000 lines): load balancer, target groups, listeners,
//! listener rules and their attributes (access logs, deletion protection) reference one
//! another and share the validation of ports, protocols and certificates.

use super::iam::HasArn;
use super::network::{SecurityGroup, Subnet, Vpc};
use super::s3::{Bucket, BucketEncryption};
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, target_group_health_check as hc, NameRule};
use crate::lower::{tag_setter, Cx, NodeBuilder, ResourceSpec, ACCOUNT_ID};
use crate::requests::elbv2::{
    Action, ActionFields, Certificate, ConditionValues, CreateListener, CreateListenerFields,
    CreateLoadBalancer, CreateLoadBalancerFields, CreateRule, CreateRuleFields, CreateTargetGroup,
    CreateTargetGroupFields, DescribeListeners, DescribeLoadBalancers, FixedResponseConfig,
    LoadBalancerAttribute, Matcher, ModifyLoadBalancerAttributes, RedirectConfig, RuleCondition,
};
use crate::stack::{AnyResource, Meta, Ref};
use crate::value::{Attr, Text};
use std::collections::BTreeSet;

/// The AWS names of a load balancer's request fields.
const LB: CreateLoadBalancerFields = CreateLoadBalancer::FIELD;
/// The AWS names of a target group's request fields.
const TG: CreateTargetGroupFields = CreateTargetGroup::FIELD;
/// The AWS names of a listener's request fields.
const LISTENER: CreateListenerFields = CreateListener::FIELD;
/// The AWS names of a listener rule's request fields.
const RULE: CreateRuleFields = CreateRule::FIELD;
/// The AWS names of an action's fields.
const ACTION: ActionFields = Action::FIELD;
/// The `Attributes` field of `ModifyLoadBalancerAttributes`.
const ATTRIBUTES: &str = ModifyLoadBalancerAttributes::FIELD.attributes;

/// Whether a load balancer faces the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Public (AWS's default).
    InternetFacing,
    /// Reachable only inside the VPC.
    Internal,
}

/// An Application Load Balancer.
#[derive(Debug, Clone)]
pub struct LoadBalancer {
    pub(crate) meta: Meta,
    pub(crate) subnets: Vec<Ref<Subnet>>,
    pub(crate) security_groups: Vec<Ref<SecurityGroup>>,
    pub(crate) scheme: Scheme,
    /// The name or ARN of a load balancer the stack does not own
    /// ([`LoadBalancer::existing`]).
    pub(crate) existing: Option<String>,
    pub(crate) deletion_protection: Option<bool>,
    pub(crate) drop_invalid_header_fields: Option<bool>,
    pub(crate) idle_timeout_seconds: Option<u32>,
    pub(crate) access_logs: Option<AccessLogs>,
}

/// Where a load balancer writes its access logs ([`LoadBalancer::access_logs`]): a bucket
/// of the stack, whose policy gains the statement that lets the region's Elastic Load
/// Balancing deliver them.
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
/// let a = stack.add(Subnet::public("a", &vpc, cidr("10.0.1.0/24"), Az::EU_WEST_1A));
/// let b = stack.add(Subnet::public("b", &vpc, cidr("10.0.2.0/24"), Az::EU_WEST_1B));
/// let sg = stack.add(SecurityGroup::new("alb-sg", &vpc));
/// let logs = stack.add(Bucket::new("alb-logs", "shop-alb-logs-0042"));
/// stack.add(
///     LoadBalancer::application("alb", [&a, &b], [&sg])
///         .access_logs(AccessLogs::to(&logs).prefix("alb")),
/// );
/// let synth = synth(&stack).unwrap();
/// let attributes = &synth.node("alb#attributes").unwrap();
/// let set = attributes.body["Attributes"].to_string();
/// assert!(set.contains(r#"{"Key":"access_logs.s3.bucket","Value":"shop-alb-logs-0042"}"#));
/// assert!(set.contains(r#"{"Key":"access_logs.s3.prefix","Value":"alb"}"#));
/// // eu-west-1's Elastic Load Balancing account may write under the prefix, and the
/// // attributes wait for the policy.
/// let policy = synth.node("alb-logs#policy").unwrap().body["Policy"].as_str().unwrap().to_string();
/// assert!(policy.contains("arn:aws:iam::156460612806:root"));
/// assert!(policy.contains("arn:aws:s3:::shop-alb-logs-0042/alb/AWSLogs/"));
/// assert!(attributes.depends_on.contains(&"alb-logs#policy".to_string()));
/// ```
#[derive(Debug, Clone)]
pub struct AccessLogs {
    pub(crate) bucket: Ref<Bucket>,
    pub(crate) prefix: Option<String>,
}

impl AccessLogs {
    /// Access logs to `bucket`, under `AWSLogs/ACCOUNT/elasticloadbalancing/REGION/...`.
    /// The bucket must use SSE-S3, the only encryption access logs support.
    pub fn to(bucket: &Ref<Bucket>) -> AccessLogs {
        AccessLogs {
            bucket: bucket.clone(),
            prefix: None,
        }
    }

    /// Log files go under `prefix/` in the bucket (no leading or trailing `/`, and not
    /// containing `AWSLogs`, which AWS adds itself).
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> AccessLogs {
        self.prefix = Some(prefix.into());
        self
    }

    /// Whether the logs go to the bucket named `bucket` (its logical name).
    pub(crate) fn delivers_to(&self, bucket: &str) -> bool {
        self.bucket.name() == bucket
    }

    /// Where Elastic Load Balancing writes in the bucket: `[prefix/]AWSLogs/ACCOUNT/*`.
    pub(crate) fn log_objects(&self) -> String {
        match &self.prefix {
            Some(prefix) => format!("{prefix}/AWSLogs/{ACCOUNT_ID}/*"),
            None => format!("AWSLogs/{ACCOUNT_ID}/*"),
        }
    }
}

impl LoadBalancer {
    /// An internet-facing ALB in `subnets` (two zones at least) with `security_groups`.
    pub fn application<'a, 'b>(
        name: impl Into<String>,
        subnets: impl IntoIterator<Item = &'a Ref<Subnet>>,
        security_groups: impl IntoIterator<Item = &'b Ref<SecurityGroup>>,
    ) -> LoadBalancer {
        LoadBalancer {
            meta: Meta::new(name),
            subnets: subnets.into_iter().cloned().collect(),
            security_groups: security_groups.into_iter().cloned().collect(),
            scheme: Scheme::InternetFacing,
            existing: None,
            deletion_protection: None,
            drop_invalid_header_fields: None,
            idle_timeout_seconds: None,
            access_logs: None,
        }
    }

    /// Deletion protection: AWS refuses to delete the load balancer while it is on, and a
    /// plan that would is blocked (apply with `false` first).
    #[must_use]
    pub fn deletion_protection(mut self, enabled: bool) -> LoadBalancer {
        self.deletion_protection = Some(enabled);
        self
    }

    /// Drops HTTP headers whose names are not valid (request smuggling defence; off in
    /// AWS by default).
    #[must_use]
    pub fn drop_invalid_header_fields(mut self, enabled: bool) -> LoadBalancer {
        self.drop_invalid_header_fields = Some(enabled);
        self
    }

    /// Seconds a connection may be idle (1 to 4000; AWS's default is 60).
    #[must_use]
    pub fn idle_timeout_seconds(mut self, seconds: u32) -> LoadBalancer {
        self.idle_timeout_seconds = Some(seconds);
        self
    }

    /// Writes access logs to a bucket of the stack ([`AccessLogs::to`]); the bucket's
    /// policy gains the statement that lets the region's Elastic Load Balancing write
    /// them, and the attributes wait for it. The stack's region must be pinned.
    #[must_use]
    pub fn access_logs(mut self, logs: AccessLogs) -> LoadBalancer {
        self.access_logs = Some(logs);
        self
    }

    /// Whether any attribute is set: then the stack manages all of them (an unset one
    /// is AWS's default).
    fn sets_attributes(&self) -> bool {
        self.deletion_protection.is_some()
            || self.drop_invalid_header_fields.is_some()
            || self.idle_timeout_seconds.is_some()
            || self.access_logs.is_some()
    }

    /// Whether the load balancer writes access logs to the bucket named `bucket`.
    pub(crate) fn logs_to(&self, bucket: &str) -> Option<&AccessLogs> {
        self.access_logs.as_ref().filter(|l| l.delivers_to(bucket))
    }

    /// Whether it writes access logs.
    pub fn writes_access_logs(&self) -> bool {
        self.access_logs.is_some()
    }

    /// Whether the stack owns it (rather than only referring to it).
    pub fn is_owned(&self) -> bool {
        self.existing.is_none()
    }

    /// A load balancer the stack uses but does not own (a shared ALB it adds listener
    /// rules to), found by its name or ARN. Its listeners: [`Listener::existing`].
    pub fn existing(name: impl Into<String>, name_or_arn: impl Into<String>) -> LoadBalancer {
        LoadBalancer {
            existing: Some(name_or_arn.into()),
            ..LoadBalancer::application(name, [], [])
        }
    }

    /// Internal or internet-facing.
    #[must_use]
    pub fn scheme(mut self, scheme: Scheme) -> LoadBalancer {
        self.scheme = scheme;
        self
    }

    /// The scheme.
    pub fn get_scheme(&self) -> Scheme {
        self.scheme
    }

    /// The load balancer's AWS name.
    pub fn lb_name(&self) -> String {
        self.meta.name.replace('/', "-")
    }
}

impl LoadBalancer {
    fn validate_access_logs(&self, logs: &AccessLogs, cx: &mut Cx<'_>) {
        let rule = Rule::LoadBalancerAttributes;
        if let Some(prefix) = &logs.prefix {
            if prefix.is_empty()
                || prefix.starts_with('/')
                || prefix.ends_with('/')
                || prefix.contains("AWSLogs")
                || prefix.len() > 1024
            {
                cx.error(
                    rule,
                    format!("{ATTRIBUTES}.access_logs.s3.prefix"),
                    format!("`{prefix}` is not an access log prefix AWS accepts: 1 to 1024 characters, no leading or trailing `/`, not containing `AWSLogs` (AWS adds it)"),
                );
            }
        }
        if cx.stack.region.is_none() {
            cx.error(
                rule,
                format!("{ATTRIBUTES}.access_logs.s3.bucket"),
                "access logs need the stack's region pinned (`Stack::region`): the bucket policy names the region's Elastic Load Balancing account",
            );
        }
        if let Some(bucket) = cx.get(&logs.bucket) {
            if !matches!(bucket.encryption, BucketEncryption::S3Managed) {
                cx.error(
                    rule,
                    format!("{ATTRIBUTES}.access_logs.s3.bucket"),
                    format!("bucket `{}` uses SSE-KMS; load balancer access logs can only go to a bucket with SSE-S3 (`BucketEncryption::S3Managed`)", logs.bucket.name()),
                );
            }
            if bucket.deny_unencrypted_uploads {
                cx.error(
                    rule,
                    format!("{ATTRIBUTES}.access_logs.s3.bucket"),
                    format!("bucket `{}` denies uploads without an encryption header, and Elastic Load Balancing sends none: its logs would be refused. Drop `deny_unencrypted_uploads` (the bucket's default SSE-S3 encryption encrypts them)", logs.bucket.name()),
                );
            }
        }
    }
}

impl ResourceSpec for LoadBalancer {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        match &self.existing {
            Some(id) if id.starts_with("arn:") => None,
            Some(name) => Some((name.clone(), &limits::LOAD_BALANCER_NAME)),
            None => Some((self.lb_name(), &limits::LOAD_BALANCER_NAME)),
        }
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if let Some(seconds) = self.idle_timeout_seconds {
            if !(1..=4000).contains(&seconds) {
                cx.error(
                    Rule::LoadBalancerAttributes,
                    format!("{ATTRIBUTES}.idle_timeout.timeout_seconds"),
                    format!("an idle timeout of {seconds} s is outside the 1 to 4000 seconds AWS allows"),
                );
            }
        }
        if let Some(logs) = &self.access_logs {
            self.validate_access_logs(logs, cx);
        }
        if self.existing.is_some() {
            if self.sets_attributes() {
                cx.error(
                    Rule::ExistingResource,
                    ATTRIBUTES,
                    format!("`{}` is a load balancer the stack does not own: its attributes are not the stack's to set", self.meta.name),
                );
            }
            if self.scheme != Scheme::InternetFacing {
                cx.error(
                    Rule::ExistingResource,
                    LB.scheme,
                    format!("`{}` is a load balancer the stack does not own: its scheme is not the stack's to set", self.meta.name),
                );
            }
            return;
        }
        if self.lb_name().starts_with("internal-") {
            cx.error(
                Rule::AwsName,
                LB.name,
                "load balancer names must not start with `internal-`",
            );
        }
        let zones: BTreeSet<_> = self
            .subnets
            .iter()
            .filter_map(|s| cx.get(s))
            .map(|s| s.az().clone())
            .collect();
        if zones.len() < 2 {
            cx.error(
                Rule::SubnetGroupAzs,
                LB.subnets,
                format!("an Application Load Balancer needs subnets in at least two Availability Zones; it has {}", zones.len()),
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if let Some(id) = &self.existing {
            let n = cx.node("", Kind::EXISTING_LOAD_BALANCER);
            let request = if id.starts_with("arn:") {
                DescribeLoadBalancers {
                    load_balancer_arns: Some(vec![id.clone()]),
                    ..Default::default()
                }
            } else {
                DescribeLoadBalancers {
                    names: Some(vec![id.clone()]),
                    ..Default::default()
                }
            };
            cx.push_request(n, request);
            return;
        }
        let mut n = cx.node("", Kind::LOAD_BALANCER);
        let subnets: Vec<String> = self
            .subnets
            .iter()
            .enumerate()
            .map(|(i, s)| n.attr(|| format!("{}[{i}]", LB.subnets), s, "id"))
            .collect();
        let groups: Vec<String> = self
            .security_groups
            .iter()
            .enumerate()
            .map(|(i, g)| n.attr(|| format!("{}[{i}]", LB.security_groups), g, "id"))
            .collect();
        let scheme = match self.scheme {
            Scheme::InternetFacing => "internet-facing",
            Scheme::Internal => "internal",
        };
        let request = CreateLoadBalancer {
            name: Some(self.lb_name()),
            subnets: Some(subnets),
            security_groups: Some(groups),
            scheme: Some(scheme.to_string()),
            load_balancer_type: Some("application".to_string()),
            ip_address_type: Some("ipv4".to_string()),
        };
        cx.push_request(n, request);
        if self.sets_attributes() {
            let mut n = cx.node("attributes", Kind::LOAD_BALANCER_ATTRIBUTES);
            // Every attribute the stack manages, so that one removed from the code goes
            // back to AWS's default rather than staying as it was.
            let mut attributes = vec![
                (
                    "deletion_protection.enabled",
                    self.deletion_protection.unwrap_or(false).to_string(),
                ),
                (
                    "idle_timeout.timeout_seconds",
                    self.idle_timeout_seconds.unwrap_or(60).to_string(),
                ),
                (
                    "routing.http.drop_invalid_header_fields.enabled",
                    self.drop_invalid_header_fields.unwrap_or(false).to_string(),
                ),
                (
                    "access_logs.s3.enabled",
                    self.access_logs.is_some().to_string(),
                ),
            ];
            if let Some(logs) = &self.access_logs {
                let bucket = n
                    .target(
                        || format!("{ATTRIBUTES}.access_logs.s3.bucket"),
                        &logs.bucket,
                    )
                    .map(|b| b.bucket_name.clone())
                    .unwrap_or_default();
                // Enabling access logs checks that the bucket policy lets ELB write.
                n.depend_on_node(format!("{}#policy", logs.bucket.name()));
                attributes.push(("access_logs.s3.bucket", bucket));
                attributes.push((
                    "access_logs.s3.prefix",
                    logs.prefix.clone().unwrap_or_default(),
                ));
            }
            attributes.sort();
            let attributes: Vec<LoadBalancerAttribute> = attributes
                .into_iter()
                .map(|(key, value)| LoadBalancerAttribute {
                    key: key.to_string(),
                    value,
                })
                .collect();
            let request = ModifyLoadBalancerAttributes {
                load_balancer_arn: Some(crate::lower::placeholder(&self.meta.name, "arn")),
                attributes: Some(attributes),
            };
            cx.push_request(n, request);
        }
    }
}

/// Protocol of a target group or listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpProtocol {
    /// HTTP.
    Http,
    /// HTTPS.
    Https,
}

impl HttpProtocol {
    fn as_str(self) -> &'static str {
        match self {
            HttpProtocol::Http => "HTTP",
            HttpProtocol::Https => "HTTPS",
        }
    }
}

/// How targets register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetType {
    /// By IP address (Fargate tasks).
    Ip,
    /// By instance id.
    Instance,
}

/// A target group health check. Defaults are AWS's for HTTP: path `/`, interval 30 s,
/// timeout 5 s, 5 healthy / 2 unhealthy, matcher `200`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetHealthCheck {
    pub(crate) path: String,
    pub(crate) interval: u32,
    pub(crate) timeout: u32,
    pub(crate) healthy: u32,
    pub(crate) unhealthy: u32,
    pub(crate) matcher: String,
}

impl TargetHealthCheck {
    /// An HTTP check of `path`.
    pub fn http(path: impl Into<String>) -> TargetHealthCheck {
        TargetHealthCheck {
            path: path.into(),
            interval: 30,
            timeout: 5,
            healthy: 5,
            unhealthy: 2,
            matcher: "200".to_string(),
        }
    }

    /// Seconds between checks (5-300).
    #[must_use]
    pub fn interval(mut self, seconds: u32) -> TargetHealthCheck {
        self.interval = seconds;
        self
    }

    /// Seconds before a check fails (2-120).
    #[must_use]
    pub fn timeout(mut self, seconds: u32) -> TargetHealthCheck {
        self.timeout = seconds;
        self
    }

    /// Consecutive successes to become healthy (2-10).
    #[must_use]
    pub fn healthy_threshold(mut self, count: u32) -> TargetHealthCheck {
        self.healthy = count;
        self
    }

    /// Consecutive failures to become unhealthy (2-10).
    #[must_use]
    pub fn unhealthy_threshold(mut self, count: u32) -> TargetHealthCheck {
        self.unhealthy = count;
        self
    }

    /// HTTP codes that count as healthy, e.g. `200-299`.
    #[must_use]
    pub fn matcher(mut self, codes: impl Into<String>) -> TargetHealthCheck {
        self.matcher = codes.into();
        self
    }
}

/// A target group.
#[derive(Debug, Clone)]
pub struct TargetGroup {
    pub(crate) meta: Meta,
    pub(crate) protocol: HttpProtocol,
    pub(crate) port: u16,
    pub(crate) vpc: Ref<Vpc>,
    pub(crate) target_type: TargetType,
    pub(crate) health_check: TargetHealthCheck,
}

impl TargetGroup {
    /// A target group; target type `ip` (what Fargate tasks need) unless set.
    pub fn new(
        name: impl Into<String>,
        protocol: HttpProtocol,
        port: u16,
        vpc: &Ref<Vpc>,
    ) -> TargetGroup {
        TargetGroup {
            meta: Meta::new(name),
            protocol,
            port,
            vpc: vpc.clone(),
            target_type: TargetType::Ip,
            health_check: TargetHealthCheck::http("/"),
        }
    }

    /// Target type.
    #[must_use]
    pub fn target_type(mut self, target_type: TargetType) -> TargetGroup {
        self.target_type = target_type;
        self
    }

    /// Health check.
    #[must_use]
    pub fn health_check(mut self, check: TargetHealthCheck) -> TargetGroup {
        self.health_check = check;
        self
    }

    /// The target group's AWS name.
    pub fn tg_name(&self) -> String {
        self.meta.name.replace('/', "-")
    }
}

impl ResourceSpec for TargetGroup {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.tg_name(), &limits::TARGET_GROUP_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let h = &self.health_check;
        for (bounds, value) in [
            (hc::INTERVAL, h.interval),
            (hc::TIMEOUT, h.timeout),
            (hc::HEALTHY, h.healthy),
            (hc::UNHEALTHY, h.unhealthy),
        ] {
            if !bounds.contains(value) {
                cx.error(
                    Rule::HealthCheckBounds,
                    bounds.field,
                    format!("{value} is outside {}-{}", bounds.min, bounds.max),
                );
            }
        }
        if h.timeout >= h.interval {
            cx.error(
                Rule::HealthCheckBounds,
                TG.health_check_timeout_seconds,
                "the timeout must be shorter than the interval",
            );
        }
        if !h.path.starts_with('/') {
            cx.error(
                Rule::HealthCheckBounds,
                TG.health_check_path,
                "the health check path must start with `/`",
            );
        }
        if self.port == 0 {
            cx.error(Rule::PortRange, TG.port, "port 0 is not a usable port");
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::TARGET_GROUP);
        let vpc_id = n.attr(TG.vpc_id, &self.vpc, "id");
        let h = &self.health_check;
        let count = |n: u32| i32::try_from(n).ok();
        let target_type = match self.target_type {
            TargetType::Ip => "ip",
            TargetType::Instance => "instance",
        };
        let request = CreateTargetGroup {
            name: Some(self.tg_name()),
            protocol: Some(self.protocol.as_str().to_string()),
            port: Some(i32::from(self.port)),
            vpc_id: Some(vpc_id),
            target_type: Some(target_type.to_string()),
            health_check_enabled: Some(true),
            health_check_protocol: Some(self.protocol.as_str().to_string()),
            health_check_port: None,
            health_check_path: Some(h.path.clone()),
            health_check_interval_seconds: count(h.interval),
            health_check_timeout_seconds: count(h.timeout),
            healthy_threshold_count: count(h.healthy),
            unhealthy_threshold_count: count(h.unhealthy),
            matcher: Some(Matcher {
                http_code: Some(h.matcher.clone()),
            }),
        };
        cx.push_request(n, request);
    }
}

/// What a listener or rule does with a request.
#[derive(Debug, Clone)]
pub enum ListenerAction {
    /// Forward to a target group.
    Forward(Ref<TargetGroup>),
    /// Redirect to HTTPS on port 443 (301).
    RedirectToHttps,
    /// A fixed response.
    FixedResponse {
        /// HTTP status code, e.g. `404`.
        status: u16,
        /// Body text.
        body: String,
    },
}

impl ListenerAction {
    /// Forward to a target group.
    pub fn forward(target_group: &Ref<TargetGroup>) -> ListenerAction {
        ListenerAction::Forward(target_group.clone())
    }

    /// The action as the request takes it; `path` is where it sits (`Actions[0]`).
    fn render(&self, n: &mut NodeBuilder<'_>, path: &str) -> Action {
        match self {
            ListenerAction::Forward(tg) => Action {
                action_type: Some("forward".into()),
                target_group_arn: Some(n.attr(
                    || format!("{path}.{}", ACTION.target_group_arn),
                    tg,
                    "arn",
                )),
                ..Default::default()
            },
            ListenerAction::RedirectToHttps => Action {
                action_type: Some("redirect".into()),
                redirect_config: Some(RedirectConfig {
                    protocol: Some("HTTPS".into()),
                    port: Some("443".into()),
                    status_code: Some("HTTP_301".into()),
                }),
                ..Default::default()
            },
            ListenerAction::FixedResponse { status, body } => Action {
                action_type: Some("fixed-response".into()),
                fixed_response_config: Some(FixedResponseConfig {
                    status_code: Some(status.to_string()),
                    content_type: Some("text/plain".into()),
                    message_body: Some(body.clone()),
                }),
                ..Default::default()
            },
        }
    }
}

/// A listener of a load balancer.
#[derive(Debug, Clone)]
pub struct Listener {
    pub(crate) meta: Meta,
    pub(crate) load_balancer: Ref<LoadBalancer>,
    pub(crate) protocol: HttpProtocol,
    pub(crate) port: u16,
    pub(crate) certificate_arn: Option<Text>,
    pub(crate) ssl_policy: Option<String>,
    pub(crate) default_action: ListenerAction,
    /// The ARN of a listener the stack does not own ([`Listener::existing`]).
    pub(crate) existing: Option<String>,
}

impl Listener {
    /// An HTTP listener.
    pub fn http(
        name: impl Into<String>,
        load_balancer: &Ref<LoadBalancer>,
        port: u16,
        default_action: ListenerAction,
    ) -> Listener {
        Listener {
            meta: Meta::new(name),
            load_balancer: load_balancer.clone(),
            protocol: HttpProtocol::Http,
            port,
            certificate_arn: None,
            ssl_policy: None,
            default_action,
            existing: None,
        }
    }

    /// An HTTPS listener with an ACM certificate: its ARN, or `cert.arn()` of a
    /// [`Certificate`](super::Certificate) the stack looks up.
    pub fn https(
        name: impl Into<String>,
        load_balancer: &Ref<LoadBalancer>,
        port: u16,
        certificate_arn: impl Into<Text>,
        default_action: ListenerAction,
    ) -> Listener {
        Listener {
            meta: Meta::new(name),
            load_balancer: load_balancer.clone(),
            protocol: HttpProtocol::Https,
            port,
            certificate_arn: Some(certificate_arn.into()),
            ssl_policy: Some("ELBSecurityPolicy-TLS13-1-2-2021-06".to_string()),
            default_action,
            existing: None,
        }
    }

    /// A listener of `load_balancer` the stack adds rules to but does not own, by its
    /// ARN (`arn:aws:elasticloadbalancing:…:listener/app/NAME/ID/ID`).
    pub fn existing(
        name: impl Into<String>,
        load_balancer: &Ref<LoadBalancer>,
        listener_arn: impl Into<String>,
    ) -> Listener {
        Listener {
            existing: Some(listener_arn.into()),
            ..Listener::http(name, load_balancer, 0, ListenerAction::RedirectToHttps)
        }
    }

    /// The TLS policy of an HTTPS listener.
    #[must_use]
    pub fn ssl_policy(mut self, policy: impl Into<String>) -> Listener {
        self.ssl_policy = Some(policy.into());
        self
    }

    /// Target groups this listener forwards to.
    pub(crate) fn forwards_to(&self) -> Vec<Ref<TargetGroup>> {
        match &self.default_action {
            ListenerAction::Forward(tg) => vec![tg.clone()],
            _ => Vec::new(),
        }
    }

    /// The protocol.
    pub fn protocol(&self) -> HttpProtocol {
        self.protocol
    }

    /// The default action.
    pub fn default_action(&self) -> &ListenerAction {
        &self.default_action
    }
}

impl ResourceSpec for Listener {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.existing.is_some() {
            if self.ssl_policy.is_some() {
                cx.error(
                    Rule::ExistingResource,
                    LISTENER.ssl_policy,
                    format!("`{}` is a listener the stack does not own: its TLS policy is not the stack's to set", self.meta.name),
                );
            }
            return;
        }
        match (self.protocol, &self.certificate_arn) {
            (HttpProtocol::Https, Some(arn))
                if arn.is_known() && !arn.as_str().starts_with("arn:") =>
            {
                cx.error(
                    Rule::ListenerCertificate,
                    certificate_path(),
                    format!("`{arn}` is not an ARN; pass the ACM certificate's ARN"),
                )
            }
            (HttpProtocol::Https, None) => cx.error(
                Rule::ListenerCertificate,
                LISTENER.certificates,
                "an HTTPS listener needs a certificate",
            ),
            (HttpProtocol::Http, Some(_)) => cx.error(
                Rule::ListenerCertificate,
                LISTENER.certificates,
                "an HTTP listener takes no certificate",
            ),
            _ => {}
        }
        if self.port == 0 {
            cx.error(Rule::PortRange, TG.port, "port 0 is not a usable port");
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if let Some(arn) = &self.existing {
            let mut n = cx.node("", Kind::EXISTING_LISTENER);
            // Read after its load balancer: the edge, not a request field.
            n.target(LISTENER.load_balancer_arn, &self.load_balancer);
            let request = DescribeListeners {
                listener_arns: Some(vec![arn.clone()]),
            };
            cx.push_request(n, request);
            return;
        }
        let mut n = cx.node("", Kind::LISTENER);
        let lb = n.attr(LISTENER.load_balancer_arn, &self.load_balancer, "arn");
        let action = self
            .default_action
            .render(&mut n, &format!("{}[0]", LISTENER.default_actions));
        let certificate = self
            .certificate_arn
            .as_ref()
            .map(|arn| n.text(certificate_path, arn));
        let request = CreateListener {
            load_balancer_arn: Some(lb),
            protocol: Some(self.protocol.as_str().to_string()),
            port: Some(i32::from(self.port)),
            certificates: certificate.map(|arn| {
                vec![Certificate {
                    certificate_arn: Some(arn),
                }]
            }),
            ssl_policy: if self.protocol == HttpProtocol::Https {
                self.ssl_policy.clone()
            } else {
                None
            },
            default_actions: Some(vec![action]),
        };
        cx.push_request(n, request);
    }
}

/// A listener rule matching paths and/or hosts.
#[derive(Debug, Clone)]
pub struct ListenerRule {
    pub(crate) meta: Meta,
    pub(crate) listener: Ref<Listener>,
    pub(crate) priority: u32,
    pub(crate) paths: Vec<String>,
    pub(crate) hosts: Vec<String>,
    pub(crate) action: ListenerAction,
}

impl ListenerRule {
    /// A rule on `listener` with a priority (1-50000, lower wins).
    pub fn new(
        name: impl Into<String>,
        listener: &Ref<Listener>,
        priority: u32,
        action: ListenerAction,
    ) -> ListenerRule {
        ListenerRule {
            meta: Meta::new(name),
            listener: listener.clone(),
            priority,
            paths: Vec::new(),
            hosts: Vec::new(),
            action,
        }
    }

    /// Matches request paths, e.g. `/api/*`.
    #[must_use]
    pub fn path_patterns<I, S>(mut self, patterns: I) -> ListenerRule
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.paths.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// Matches host headers.
    #[must_use]
    pub fn host_headers<I, S>(mut self, hosts: I) -> ListenerRule
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.hosts.extend(hosts.into_iter().map(Into::into));
        self
    }

    pub(crate) fn forwards_to(&self) -> Vec<Ref<TargetGroup>> {
        match &self.action {
            ListenerAction::Forward(tg) => vec![tg.clone()],
            _ => Vec::new(),
        }
    }
}

impl ResourceSpec for ListenerRule {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if !limits::LISTENER_RULE_PRIORITY.contains(self.priority) {
            cx.error(
                Rule::ListenerRulePriority,
                RULE.priority,
                format!("{} is outside 1-50000", self.priority),
            );
        }
        if self.paths.is_empty() && self.hosts.is_empty() {
            cx.error(
                Rule::ListenerRulePriority,
                RULE.conditions,
                "a rule needs a path pattern or host header condition",
            );
        }
        let mine = self.meta.name.as_str();
        for r in cx.stack.resources() {
            if let AnyResource::ListenerRule(other) = r {
                if other.meta.name == mine {
                    break;
                }
                if other.listener == self.listener && other.priority == self.priority {
                    cx.error(
                        Rule::ListenerRulePriority,
                        RULE.priority,
                        format!(
                            "priority {} is already used by rule `{}` on the same listener",
                            self.priority, other.meta.name
                        ),
                    );
                }
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::LISTENER_RULE);
        let listener = n.attr(RULE.listener_arn, &self.listener, "arn");
        let mut conditions = Vec::new();
        if !self.paths.is_empty() {
            conditions.push(RuleCondition {
                field: Some("path-pattern".into()),
                path_pattern_config: Some(ConditionValues {
                    values: Some(self.paths.clone()),
                }),
                ..Default::default()
            });
        }
        if !self.hosts.is_empty() {
            conditions.push(RuleCondition {
                field: Some("host-header".into()),
                host_header_config: Some(ConditionValues {
                    values: Some(self.hosts.clone()),
                }),
                ..Default::default()
            });
        }
        let action = self.action.render(&mut n, &format!("{}[0]", RULE.actions));
        let request = CreateRule {
            listener_arn: Some(listener),
            priority: i32::try_from(self.priority).ok(),
            conditions: Some(conditions),
            actions: Some(vec![action]),
        };
        cx.push_request(n, request);
    }
}

/// `Certificates[0].CertificateArn`: where a listener's certificate goes.
fn certificate_path() -> String {
    format!(
        "{}[0].{}",
        LISTENER.certificates,
        Certificate::FIELD.certificate_arn
    )
}

impl HasArn for LoadBalancer {}
impl HasArn for TargetGroup {}

impl Ref<LoadBalancer> {
    /// The load balancer's DNS name (point a CNAME or an alias record at it).
    pub fn dns_name(&self) -> Attr<String> {
        Attr::of(self, "dns_name")
    }

    /// The Route 53 hosted zone id of the load balancer's DNS name, for alias records.
    pub fn canonical_hosted_zone_id(&self) -> Attr<String> {
        Attr::of(self, "canonical_hosted_zone_id")
    }

    /// The part of the ARN after `loadbalancer/` (`app/NAME/ID`): the `LoadBalancer`
    /// dimension of its CloudWatch metrics.
    pub fn arn_suffix(&self) -> Attr<String> {
        Attr::of(self, "full_name")
    }
}

impl Ref<TargetGroup> {
    /// The part of the ARN from `targetgroup/` (`targetgroup/NAME/ID`): the `TargetGroup`
    /// dimension of its CloudWatch metrics.
    pub fn arn_suffix(&self) -> Attr<String> {
        Attr::of(self, "full_name")
    }
}

tag_setter!(LoadBalancer, TargetGroup, Listener, ListenerRule);
