//! AWS WAF (v2) regional web ACLs: AWS managed rule groups and rate-based rules, in
//! front of the stack's load balancers.

use super::elb::LoadBalancer;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{placeholder, tag_setter, Cx, ResourceSpec, ACCOUNT_ID};
use crate::requests::wafv2::{
    AssociateWebAcl, CreateWebAcl, CreateWebAclFields, ManagedRuleGroupStatement,
    RateBasedStatement, RuleActionOverride, StatementFields, VisibilityConfig, WafAction,
    WafRuleFields,
};
use crate::requests::wafv2::{Statement as RuleStatement, WafRule as RuleRequest};
use crate::stack::{Meta, Ref};

/// The AWS names of a web ACL's request fields.
const ACL: CreateWebAclFields = CreateWebAcl::FIELD;
/// The AWS names of a rule's fields.
const RULE: WafRuleFields = RuleRequest::FIELD;
/// The AWS names of a rule statement's fields.
const STATEMENT: StatementFields = RuleStatement::FIELD;
use std::collections::BTreeSet;

/// A regional web ACL: its rules run in order, and a request no rule blocks gets the
/// default action.
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
/// let a = stack.add(Subnet::public("a", &vpc, cidr("10.0.1.0/24"), Az::EU_WEST_1A));
/// let b = stack.add(Subnet::public("b", &vpc, cidr("10.0.2.0/24"), Az::EU_WEST_1B));
/// let sg = stack.add(SecurityGroup::new("alb-sg", &vpc));
/// let alb = stack.add(LoadBalancer::application("alb", [&a, &b], [&sg]));
/// stack.add(
///     WebAcl::regional("web-acl", "shop-web-acl")
///         .rule(WafRule::managed(ManagedRuleGroup::Common))
///         .rule(WafRule::managed(ManagedRuleGroup::KnownBadInputs))
///         .rule(WafRule::rate_limit("per-ip", 2000))
///         .protect(&alb),
/// );
/// let synth = synth(&stack).unwrap();
/// let acl = &synth.node("web-acl").unwrap().body;
/// assert_eq!(acl["Scope"], "REGIONAL");
/// assert_eq!(acl["Rules"][1]["Statement"]["ManagedRuleGroupStatement"]["Name"], "AWSManagedRulesKnownBadInputsRuleSet");
/// assert_eq!(acl["Rules"][2]["Statement"]["RateBasedStatement"]["Limit"], 2000);
/// let association = &synth.node("web-acl#alb").unwrap().body;
/// assert_eq!(
///     association["ResourceArn"],
///     "arn:aws:elasticloadbalancing:eu-west-1:${aws.account_id}:loadbalancer/${alb.full_name}"
/// );
/// assert_eq!(
///     association["WebACLArn"],
///     "arn:aws:wafv2:eu-west-1:${aws.account_id}:regional/webacl/shop-web-acl/${web-acl.web_acl_id}"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct WebAcl {
    pub(crate) meta: Meta,
    pub(crate) acl_name: String,
    pub(crate) description: Option<String>,
    pub(crate) block_by_default: bool,
    pub(crate) rules: Vec<WafRule>,
    pub(crate) metric_name: Option<String>,
    pub(crate) protects: Vec<Ref<LoadBalancer>>,
}

/// An AWS managed rule group (vendor `AWS`), by the name AWS gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ManagedRuleGroup {
    /// `AWSManagedRulesCommonRuleSet`: the OWASP-style baseline (700 WCU).
    Common,
    /// `AWSManagedRulesKnownBadInputsRuleSet`: request patterns known to be invalid or
    /// exploit attempts, such as Log4j (200 WCU).
    KnownBadInputs,
    /// `AWSManagedRulesSQLiRuleSet`: SQL injection (200 WCU).
    SqlInjection,
    /// `AWSManagedRulesAmazonIpReputationList`: addresses Amazon threat intelligence
    /// flags (25 WCU).
    AmazonIpReputation,
    /// `AWSManagedRulesAnonymousIpList`: VPNs, proxies, Tor and hosting providers (50 WCU).
    AnonymousIp,
    /// `AWSManagedRulesAdminProtectionRuleSet`: requests to admin pages (100 WCU).
    AdminProtection,
    /// `AWSManagedRulesLinuxRuleSet`: Linux-specific local file inclusion (200 WCU).
    LinuxOs,
    /// `AWSManagedRulesUnixRuleSet`: POSIX-specific exploits (100 WCU).
    PosixOs,
}

impl ManagedRuleGroup {
    /// The group's name, as `ManagedRuleGroupStatement.Name` takes it.
    pub const fn name(self) -> &'static str {
        match self {
            ManagedRuleGroup::Common => "AWSManagedRulesCommonRuleSet",
            ManagedRuleGroup::KnownBadInputs => "AWSManagedRulesKnownBadInputsRuleSet",
            ManagedRuleGroup::SqlInjection => "AWSManagedRulesSQLiRuleSet",
            ManagedRuleGroup::AmazonIpReputation => "AWSManagedRulesAmazonIpReputationList",
            ManagedRuleGroup::AnonymousIp => "AWSManagedRulesAnonymousIpList",
            ManagedRuleGroup::AdminProtection => "AWSManagedRulesAdminProtectionRuleSet",
            ManagedRuleGroup::LinuxOs => "AWSManagedRulesLinuxRuleSet",
            ManagedRuleGroup::PosixOs => "AWSManagedRulesUnixRuleSet",
        }
    }

    /// The web ACL capacity units (WCU) the group uses, as AWS documents them.
    pub const fn capacity(self) -> u32 {
        match self {
            ManagedRuleGroup::Common => 700,
            ManagedRuleGroup::KnownBadInputs
            | ManagedRuleGroup::SqlInjection
            | ManagedRuleGroup::LinuxOs => 200,
            ManagedRuleGroup::AmazonIpReputation => 25,
            ManagedRuleGroup::AnonymousIp => 50,
            ManagedRuleGroup::AdminProtection | ManagedRuleGroup::PosixOs => 100,
        }
    }
}

/// One rule of a web ACL.
#[derive(Debug, Clone)]
pub struct WafRule {
    pub(crate) name: String,
    pub(crate) statement: WafStatement,
    pub(crate) count_only: bool,
    /// Rules of a managed group that only count what they match.
    pub(crate) counted_rules: Vec<String>,
    /// A window asked of a rule that is not rate-based (reported by validation).
    pub(crate) misplaced_window: Option<u32>,
}

/// What a rule inspects.
#[derive(Debug, Clone)]
pub(crate) enum WafStatement {
    /// An AWS managed rule group.
    Managed { group: ManagedRuleGroup },
    /// At most `limit` requests per client IP address in `window_seconds`.
    RateLimit { limit: u64, window_seconds: u32 },
}

/// The evaluation windows a rate-based rule may use.
const RATE_WINDOWS: [u32; 4] = [60, 120, 300, 600];
/// The web ACL capacity units a rate-based rule uses (without a scope-down statement).
const RATE_RULE_CAPACITY: u32 = 2;
/// The most WCU a web ACL may use.
const MAX_CAPACITY: u32 = 5000;

impl WafRule {
    /// Runs an AWS managed rule group, named `AWS-<group name>` as the console names it;
    /// its rules block what they match.
    pub fn managed(group: ManagedRuleGroup) -> WafRule {
        WafRule {
            name: format!("AWS-{}", group.name()),
            statement: WafStatement::Managed { group },
            count_only: false,
            counted_rules: Vec::new(),
            misplaced_window: None,
        }
    }

    /// Blocks a client IP address that sends more than `limit` requests in five minutes
    /// (10 to 2,000,000,000).
    pub fn rate_limit(name: impl Into<String>, limit: u64) -> WafRule {
        WafRule {
            name: name.into(),
            statement: WafStatement::RateLimit {
                limit,
                window_seconds: 300,
            },
            count_only: false,
            counted_rules: Vec::new(),
            misplaced_window: None,
        }
    }

    /// Counts matches instead of blocking them (to try a rule before enforcing it).
    #[must_use]
    pub fn count_only(mut self) -> WafRule {
        self.count_only = true;
        self
    }

    /// For a managed rule group: the group's rule `rule` only counts what it matches
    /// (a `RuleActionOverrides` entry), the others still block.
    #[must_use]
    pub fn count_rule(mut self, rule: impl Into<String>) -> WafRule {
        self.counted_rules.push(rule.into());
        self
    }

    /// For a rate-based rule: the window the requests are counted over, in seconds
    /// (60, 120, 300 or 600; 300 by default).
    #[must_use]
    pub fn window_seconds(mut self, seconds: u32) -> WafRule {
        match &mut self.statement {
            WafStatement::RateLimit { window_seconds, .. } => *window_seconds = seconds,
            WafStatement::Managed { .. } => self.misplaced_window = Some(seconds),
        }
        self
    }

    /// The rule's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The AWS managed rule group it runs, if it runs one.
    pub fn managed_group(&self) -> Option<ManagedRuleGroup> {
        match &self.statement {
            WafStatement::Managed { group } => Some(*group),
            WafStatement::RateLimit { .. } => None,
        }
    }

    /// Whether it only counts.
    pub fn is_count_only(&self) -> bool {
        self.count_only
    }

    fn capacity(&self) -> u32 {
        match &self.statement {
            WafStatement::Managed { group } => group.capacity(),
            WafStatement::RateLimit { .. } => RATE_RULE_CAPACITY,
        }
    }

    /// The rule as `CreateWebACL` takes it, at `priority`.
    fn render(&self, priority: usize) -> RuleRequest {
        let rule = RuleRequest {
            name: Some(self.name.clone()),
            priority: i32::try_from(priority).ok(),
            visibility_config: Some(visibility(&self.name)),
            ..Default::default()
        };
        match &self.statement {
            WafStatement::Managed { group } => {
                let overrides: Vec<RuleActionOverride> = self
                    .counted_rules
                    .iter()
                    .map(|r| RuleActionOverride {
                        name: Some(r.clone()),
                        action_to_use: Some(WafAction::COUNT),
                    })
                    .collect();
                RuleRequest {
                    statement: Some(RuleStatement {
                        managed_rule_group_statement: Some(ManagedRuleGroupStatement {
                            vendor_name: Some("AWS".into()),
                            name: Some(group.name().into()),
                            rule_action_overrides: (!overrides.is_empty()).then_some(overrides),
                        }),
                        ..Default::default()
                    }),
                    override_action: Some(if self.count_only {
                        WafAction::COUNT
                    } else {
                        WafAction::NONE
                    }),
                    ..rule
                }
            }
            WafStatement::RateLimit {
                limit,
                window_seconds,
            } => RuleRequest {
                statement: Some(RuleStatement {
                    rate_based_statement: Some(RateBasedStatement {
                        limit: i64::try_from(*limit).ok(),
                        evaluation_window_sec: Some(i64::from(*window_seconds)),
                        aggregate_key_type: Some("IP".into()),
                    }),
                    ..Default::default()
                }),
                action: Some(if self.count_only {
                    WafAction::COUNT
                } else {
                    WafAction::BLOCK
                }),
                ..rule
            },
        }
    }
}

/// Sampled requests and CloudWatch metrics on, under `metric`.
fn visibility(metric: &str) -> VisibilityConfig {
    VisibilityConfig {
        sampled_requests_enabled: Some(true),
        cloud_watch_metrics_enabled: Some(true),
        metric_name: Some(metric.to_string()),
    }
}

/// `Rules[i].Statement.<statement>[.<field>]`, for diagnostics.
fn statement_path(i: usize, statement: &str, field: Option<&str>) -> String {
    let path = format!("{}[{i}].{}.{statement}", ACL.rules, RULE.statement);
    match field {
        Some(field) => format!("{path}.{field}"),
        None => path,
    }
}

/// Whether `name` is a WAF name: 1 to 128 letters, digits, `_` and `-`.
fn is_waf_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl WebAcl {
    /// A regional web ACL named `acl_name` (for load balancers and API Gateway stages)
    /// that allows what no rule blocks.
    pub fn regional(name: impl Into<String>, acl_name: impl Into<String>) -> WebAcl {
        WebAcl {
            meta: Meta::new(name),
            acl_name: acl_name.into(),
            description: None,
            block_by_default: false,
            rules: Vec::new(),
            metric_name: None,
            protects: Vec::new(),
        }
    }

    /// Blocks what no rule allows (an allow list), instead of allowing it.
    #[must_use]
    pub fn block_by_default(mut self) -> WebAcl {
        self.block_by_default = true;
        self
    }

    /// A description (1 to 256 characters).
    #[must_use]
    pub fn description(mut self, text: impl Into<String>) -> WebAcl {
        self.description = Some(text.into());
        self
    }

    /// Adds a rule after the ones added before (its priority is its position).
    #[must_use]
    pub fn rule(mut self, rule: WafRule) -> WebAcl {
        self.rules.push(rule);
        self
    }

    /// The CloudWatch metric name of the ACL's default action (its name by default).
    #[must_use]
    pub fn metric_name(mut self, metric: impl Into<String>) -> WebAcl {
        self.metric_name = Some(metric.into());
        self
    }

    /// Puts the web ACL in front of an Application Load Balancer (owned or existing);
    /// a load balancer has at most one web ACL.
    #[must_use]
    pub fn protect(mut self, load_balancer: &Ref<LoadBalancer>) -> WebAcl {
        self.protects.push(load_balancer.clone());
        self
    }

    /// The web ACL's name.
    pub fn acl_name(&self) -> &str {
        &self.acl_name
    }

    /// Its rules, in order.
    pub fn rules(&self) -> &[WafRule] {
        &self.rules
    }

    /// Whether it protects the load balancer named `load_balancer` (its logical name).
    pub fn protects(&self, load_balancer: &str) -> bool {
        self.protects.iter().any(|lb| lb.name() == load_balancer)
    }

    /// The capacity units (WCU) its rules use.
    pub fn capacity(&self) -> u32 {
        self.rules.iter().map(WafRule::capacity).sum()
    }
}

impl ResourceSpec for WebAcl {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if !is_waf_name(&self.acl_name) {
            cx.error(
                Rule::AwsName,
                ACL.name,
                format!(
                    "`{}` is not a web ACL name WAF accepts: 1 to 128 letters, digits, `_` and `-`",
                    self.acl_name
                ),
            );
        }
        let rule = Rule::WebAclSettings;
        if let Some(text) = &self.description {
            // WAF's pattern: `^[\w+=:#@/\-,\.][\w+=:#@/\-,\.\s]+[\w+=:#@/\-,\.]$`.
            let fine = (3..=256).contains(&text.len())
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || "_+=:#@/-,.".contains(c))
                && !text.starts_with(' ')
                && !text.ends_with(' ');
            if !fine {
                cx.error(
                    rule,
                    ACL.description,
                    "a web ACL description has 3 to 256 ASCII letters, digits, spaces and `_+=:#@/-,.`, and does not start or end with a space",
                );
            }
        }
        if let Some(metric) = &self.metric_name {
            let fine = (1..=255).contains(&metric.len())
                && metric
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_#:.-/".contains(c))
                && metric != "All"
                && metric != "Default_Action";
            if !fine {
                cx.error(
                    rule,
                    format!(
                        "{}.{}",
                        ACL.visibility_config,
                        VisibilityConfig::FIELD.metric_name
                    ),
                    format!("`{metric}` is not a metric name WAF accepts: 1 to 255 letters, digits and `_#:.-/`, not `All` or `Default_Action`"),
                );
            }
        }
        let mut names = BTreeSet::new();
        let mut groups = BTreeSet::new();
        for (i, r) in self.rules.iter().enumerate() {
            if !is_waf_name(&r.name) {
                cx.error(
                    rule,
                    format!("{}[{i}].{}", ACL.rules, RULE.name),
                    format!("`{}` is not a rule name WAF accepts: 1 to 128 letters, digits, `_` and `-`", r.name),
                );
            }
            if !names.insert(r.name.as_str()) {
                cx.error(
                    rule,
                    format!("{}[{i}].{}", ACL.rules, RULE.name),
                    format!(
                        "two rules are named `{}`; rule names are unique in a web ACL",
                        r.name
                    ),
                );
            }
            match &r.statement {
                WafStatement::Managed { group } => {
                    if let Some(window) = r.misplaced_window {
                        cx.error(
                            rule,
                            statement_path(i, STATEMENT.managed_rule_group_statement, None),
                            format!("rule `{}` runs a managed rule group: it has no window to count over (`window_seconds({window})` is for rate-based rules)", r.name),
                        );
                    }
                    if !groups.insert(*group) {
                        cx.error(
                            rule,
                            statement_path(i, STATEMENT.managed_rule_group_statement, None),
                            format!("`{}` runs twice in this web ACL", group.name()),
                        );
                    }
                }
                WafStatement::RateLimit {
                    limit,
                    window_seconds,
                } => {
                    if !(10..=2_000_000_000).contains(limit) {
                        cx.error(
                            rule,
                            statement_path(
                                i,
                                STATEMENT.rate_based_statement,
                                Some(RateBasedStatement::FIELD.limit),
                            ),
                            format!("a rate limit of {limit} is outside the 10 to 2,000,000,000 requests WAF allows"),
                        );
                    }
                    if let Some(counted) = r.counted_rules.first() {
                        cx.error(
                            rule,
                            statement_path(i, STATEMENT.rate_based_statement, None),
                            format!("rule `{}` is a rate-based rule: it has no rule `{counted}` to count (`count_rule` is for managed rule groups)", r.name),
                        );
                    }
                    if !RATE_WINDOWS.contains(window_seconds) {
                        cx.error(
                            rule,
                            statement_path(
                                i,
                                STATEMENT.rate_based_statement,
                                Some(RateBasedStatement::FIELD.evaluation_window_sec),
                            ),
                            format!("a rate-based rule counts over 60, 120, 300 or 600 seconds, not {window_seconds}"),
                        );
                    }
                }
            }
        }
        if self.capacity() > MAX_CAPACITY {
            cx.error(
                rule,
                ACL.rules,
                format!(
                    "the rules use {} WCU; a web ACL may use at most {MAX_CAPACITY}",
                    self.capacity()
                ),
            );
        }
        let mut seen = BTreeSet::new();
        for (i, lb) in self.protects.iter().enumerate() {
            if !seen.insert(lb.name()) {
                cx.error(
                    rule,
                    format!("protect[{i}]"),
                    format!(
                        "load balancer `{}` is protected twice by this web ACL",
                        lb.name()
                    ),
                );
                continue;
            }
            let others: Vec<&str> = cx
                .stack
                .resources()
                .filter_map(|r| match r {
                    crate::stack::AnyResource::WebAcl(other)
                        if other.meta.name != self.meta.name && other.protects(lb.name()) =>
                    {
                        Some(other.meta.name.as_str())
                    }
                    _ => None,
                })
                .collect();
            if let Some(other) = others.first() {
                cx.error(
                    rule,
                    format!("protect[{i}]"),
                    format!("load balancer `{}` is also protected by web ACL `{other}`; a load balancer has at most one web ACL", lb.name()),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let n = cx.node("", Kind::WEB_ACL);
        let rules: Vec<RuleRequest> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| r.render(i))
            .collect();
        let default_action = if self.block_by_default {
            WafAction::BLOCK
        } else {
            WafAction::ALLOW
        };
        let request = CreateWebAcl {
            name: Some(self.acl_name.clone()),
            scope: Some("REGIONAL".into()),
            default_action: Some(default_action),
            description: self.description.clone(),
            rules: Some(rules),
            visibility_config: Some(visibility(
                self.metric_name.as_deref().unwrap_or(&self.acl_name),
            )),
        };
        cx.push_request(n, request);
        // Both ARNs are spelled out from their known parts (AWS's ARN formats for a
        // regional web ACL and an application load balancer) rather than as a bare
        // `${name.arn}`: the synth output then shows the real shape of the request, and
        // meets the API's 20-character minimum for both members.
        let (partition, region) = (cx.partition(), cx.region());
        let web_acl_arn = format!(
            "arn:{partition}:wafv2:{region}:{ACCOUNT_ID}:regional/webacl/{}/{}",
            self.acl_name,
            placeholder(&self.meta.name, "web_acl_id"),
        );
        for lb in &self.protects {
            let mut n = cx.node(lb.name(), Kind::WEB_ACL_ASSOCIATION);
            let full_name = n.attr(AssociateWebAcl::FIELD.resource_arn, lb, "full_name");
            let request = AssociateWebAcl {
                web_acl_arn: Some(web_acl_arn.clone()),
                resource_arn: Some(format!(
                    "arn:{partition}:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/{full_name}"
                )),
            };
            cx.push_request(n, request);
        }
    }
}

tag_setter!(WebAcl);

impl super::iam::HasArn for WebAcl {}
