//! AWS WAF (v2) requests: regional web ACLs and their associations.

use crate::request::request;
use serde::{Deserialize, Serialize};

request! {
    /// `wafv2:CreateWebACL`; `UpdateWebACL` is sent from the same body.
    pub struct CreateWebAcl, CreateWebAclFields {
        /// The web ACL's name.
        name: String = "Name",
        /// `REGIONAL`.
        scope: String = "Scope",
        /// `Allow` or `Block` for a request no rule decides.
        default_action: WafAction = "DefaultAction",
        /// A description.
        description: String = "Description",
        /// The rules, in priority order.
        rules: Vec<WafRule> = "Rules",
        /// The web ACL's sampled requests and metrics.
        visibility_config: VisibilityConfig = "VisibilityConfig",
    }
}

/// The empty object an action's one key holds (`{"Block": {}}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

impl crate::request::IntoBody for Empty {
    fn into_body(self) -> serde_json::Value {
        serde_json::Value::Object(serde_json::Map::new())
    }
}

request! {
    /// A default, rule or override action: exactly one of its keys is set.
    pub struct WafAction, WafActionFields {
        /// Let the request through.
        allow: Empty = "Allow",
        /// Block it.
        block: Empty = "Block",
        /// Only count it.
        count: Empty = "Count",
        /// Keep the rule group's own actions (an override action).
        none: Empty = "None",
    }
}

impl WafAction {
    /// `{"Allow": {}}`.
    pub const ALLOW: WafAction = WafAction::only(Some(Empty {}), None, None, None);
    /// `{"Block": {}}`.
    pub const BLOCK: WafAction = WafAction::only(None, Some(Empty {}), None, None);
    /// `{"Count": {}}`.
    pub const COUNT: WafAction = WafAction::only(None, None, Some(Empty {}), None);
    /// `{"None": {}}`.
    pub const NONE: WafAction = WafAction::only(None, None, None, Some(Empty {}));

    const fn only(
        allow: Option<Empty>,
        block: Option<Empty>,
        count: Option<Empty>,
        none: Option<Empty>,
    ) -> WafAction {
        WafAction {
            allow,
            block,
            count,
            none,
        }
    }

    /// The one key set (`Allow`, `Block`, `Count` or `None`); `None` when there is none.
    pub fn name(&self) -> Option<&'static str> {
        let f = WafAction::FIELD;
        [
            (self.allow, f.allow),
            (self.block, f.block),
            (self.count, f.count),
            (self.none, f.none),
        ]
        .into_iter()
        .find_map(|(set, name)| set.map(|_| name))
    }
}

request! {
    /// A web ACL rule.
    pub struct WafRule, WafRuleFields {
        /// The rule's name.
        name: String = "Name",
        /// Its place in the evaluation order.
        priority: i32 = "Priority",
        /// What it inspects.
        statement: Statement = "Statement",
        /// A managed rule group's override (`None` or `Count`).
        override_action: WafAction = "OverrideAction",
        /// A rate-based rule's action (`Block` or `Count`).
        action: WafAction = "Action",
        /// The rule's sampled requests and metrics.
        visibility_config: VisibilityConfig = "VisibilityConfig",
    }
}

request! {
    /// A rule statement: a managed rule group or a rate limit, the two the library writes.
    pub struct Statement, StatementFields {
        /// An AWS managed rule group.
        managed_rule_group_statement: ManagedRuleGroupStatement = "ManagedRuleGroupStatement",
        /// A per-IP rate limit.
        rate_based_statement: RateBasedStatement = "RateBasedStatement",
        /// Refresh's marker for a statement of another type, so that it shows as drift.
        unknown: Empty = "(a statement ecs-iac does not write)",
    }
}

request! {
    /// An AWS managed rule group.
    pub struct ManagedRuleGroupStatement, ManagedRuleGroupStatementFields {
        /// `AWS`.
        vendor_name: String = "VendorName",
        /// The group's name (`AWSManagedRulesCommonRuleSet`, …).
        name: String = "Name",
        /// Rules of the group that only count.
        rule_action_overrides: Vec<RuleActionOverride> = "RuleActionOverrides",
    }
}

request! {
    /// A rule of a managed group whose action is overridden.
    pub struct RuleActionOverride, RuleActionOverrideFields {
        /// The rule's name in the group.
        name: String = "Name",
        /// The action it takes instead (`Count`).
        action_to_use: WafAction = "ActionToUse",
    }
}

request! {
    /// A per-IP rate limit.
    pub struct RateBasedStatement, RateBasedStatementFields {
        /// Requests allowed in the window.
        limit: i64 = "Limit",
        /// The window in seconds (60, 120, 300 or 600).
        evaluation_window_sec: i64 = "EvaluationWindowSec",
        /// `IP`.
        aggregate_key_type: String = "AggregateKeyType",
    }
}

request! {
    /// Sampled requests and CloudWatch metrics of a web ACL or rule.
    pub struct VisibilityConfig, VisibilityConfigFields {
        /// Samples of matching requests.
        sampled_requests_enabled: bool = "SampledRequestsEnabled",
        /// CloudWatch metrics.
        cloud_watch_metrics_enabled: bool = "CloudWatchMetricsEnabled",
        /// The metric's name.
        metric_name: String = "MetricName",
    }
}

request! {
    /// `wafv2:AssociateWebACL`.
    pub struct AssociateWebAcl, AssociateWebAclFields {
        /// The web ACL's ARN.
        web_acl_arn: String = "WebACLArn",
        /// The load balancer's ARN.
        resource_arn: String = "ResourceArn",
    }
}
