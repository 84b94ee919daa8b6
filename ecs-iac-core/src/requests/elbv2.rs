//! Elastic Load Balancing v2 (load balancers, target groups, listeners, rules) requests.

use crate::request::request;
use serde::{Deserialize, Serialize};

request! {
    /// `elasticloadbalancingv2:CreateLoadBalancer`; `SetSecurityGroups`, `SetSubnets` and
    /// `SetIpAddressType` change it in place from the same body.
    pub struct CreateLoadBalancer, CreateLoadBalancerFields {
        /// The load balancer's name.
        name: String = "Name",
        /// Subnet ids (placeholders until resolved).
        subnets: Vec<String> = "Subnets",
        /// Security group ids (placeholders until resolved).
        security_groups: Vec<String> = "SecurityGroups",
        /// `internet-facing` or `internal`.
        scheme: String = "Scheme",
        /// `application`.
        load_balancer_type: String = "Type",
        /// `ipv4` or `dualstack`.
        ip_address_type: String = "IpAddressType",
    }
}

request! {
    /// `elasticloadbalancingv2:DescribeLoadBalancers`: a load balancer the stack does not
    /// own, by name or by ARN.
    pub struct DescribeLoadBalancers, DescribeLoadBalancersFields {
        /// Its name.
        names: Vec<String> = "Names",
        /// Its ARN.
        load_balancer_arns: Vec<String> = "LoadBalancerArns",
    }
}

request! {
    /// `elasticloadbalancingv2:ModifyLoadBalancerAttributes`.
    pub struct ModifyLoadBalancerAttributes, ModifyLoadBalancerAttributesFields {
        /// The load balancer's ARN (a placeholder until resolved).
        load_balancer_arn: String = "LoadBalancerArn",
        /// Every attribute the stack manages, sorted by key.
        attributes: Vec<LoadBalancerAttribute> = "Attributes",
    }
}

/// One load balancer attribute (`deletion_protection.enabled` = `true`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancerAttribute {
    /// The attribute's name.
    #[serde(rename = "Key")]
    pub key: String,
    /// Its value, as text.
    #[serde(rename = "Value")]
    pub value: String,
}

impl crate::request::IntoBody for LoadBalancerAttribute {
    fn into_body(self) -> serde_json::Value {
        crate::request::key_value(self.key, self.value)
    }
}

request! {
    /// `elasticloadbalancingv2:CreateTargetGroup`; `ModifyTargetGroup` changes its health
    /// check from the same body.
    pub struct CreateTargetGroup, CreateTargetGroupFields {
        /// The target group's name.
        name: String = "Name",
        /// `HTTP` or `HTTPS`.
        protocol: String = "Protocol",
        /// The port targets receive traffic on.
        port: i32 = "Port",
        /// The VPC's id (a placeholder until resolved).
        vpc_id: String = "VpcId",
        /// `ip` or `instance`.
        target_type: String = "TargetType",
        /// Health checks on.
        health_check_enabled: bool = "HealthCheckEnabled",
        /// `HTTP` or `HTTPS`.
        health_check_protocol: String = "HealthCheckProtocol",
        /// The port checked (`traffic-port` by default; not rendered).
        health_check_port: String = "HealthCheckPort",
        /// The path checked.
        health_check_path: String = "HealthCheckPath",
        /// Seconds between checks.
        health_check_interval_seconds: i32 = "HealthCheckIntervalSeconds",
        /// Seconds before a check fails.
        health_check_timeout_seconds: i32 = "HealthCheckTimeoutSeconds",
        /// Consecutive successes to become healthy.
        healthy_threshold_count: i32 = "HealthyThresholdCount",
        /// Consecutive failures to become unhealthy.
        unhealthy_threshold_count: i32 = "UnhealthyThresholdCount",
        /// The HTTP codes that count as healthy.
        matcher: Matcher = "Matcher",
    }
}

request! {
    /// The HTTP codes a health check counts as healthy.
    pub struct Matcher, MatcherFields {
        /// `200`, `200-299`, …
        http_code: String = "HttpCode",
    }
}

request! {
    /// `elasticloadbalancingv2:CreateListener`; `ModifyListener` is sent from the same
    /// body.
    pub struct CreateListener, CreateListenerFields {
        /// The load balancer's ARN (a placeholder until resolved).
        load_balancer_arn: String = "LoadBalancerArn",
        /// `HTTP` or `HTTPS`.
        protocol: String = "Protocol",
        /// The port it listens on.
        port: i32 = "Port",
        /// The certificate of an HTTPS listener.
        certificates: Vec<Certificate> = "Certificates",
        /// The TLS policy of an HTTPS listener.
        ssl_policy: String = "SslPolicy",
        /// What it does with a request no rule matches.
        default_actions: Vec<Action> = "DefaultActions",
    }
}

request! {
    /// A listener's certificate.
    pub struct Certificate, CertificateFields {
        /// The ACM certificate's ARN.
        certificate_arn: String = "CertificateArn",
    }
}

request! {
    /// `elasticloadbalancingv2:DescribeListeners`: a listener the stack does not own.
    pub struct DescribeListeners, DescribeListenersFields {
        /// Its ARN.
        listener_arns: Vec<String> = "ListenerArns",
    }
}

request! {
    /// What a listener or rule does with a request.
    pub struct Action, ActionFields {
        /// `forward`, `redirect` or `fixed-response`.
        action_type: String = "Type",
        /// The target group a `forward` sends to (a placeholder until resolved).
        target_group_arn: String = "TargetGroupArn",
        /// Where a `redirect` sends.
        redirect_config: RedirectConfig = "RedirectConfig",
        /// What a `fixed-response` answers.
        fixed_response_config: FixedResponseConfig = "FixedResponseConfig",
    }
}

request! {
    /// A redirect action's target.
    pub struct RedirectConfig, RedirectConfigFields {
        /// `HTTPS`, …
        protocol: String = "Protocol",
        /// The port, as text (`443`).
        port: String = "Port",
        /// `HTTP_301` or `HTTP_302`.
        status_code: String = "StatusCode",
    }
}

request! {
    /// A fixed response.
    pub struct FixedResponseConfig, FixedResponseConfigFields {
        /// The HTTP status code, as text (`404`).
        status_code: String = "StatusCode",
        /// `text/plain`, …
        content_type: String = "ContentType",
        /// The body.
        message_body: String = "MessageBody",
    }
}

request! {
    /// `elasticloadbalancingv2:CreateRule`; `ModifyRule` and `SetRulePriorities` are sent
    /// from the same body.
    pub struct CreateRule, CreateRuleFields {
        /// The listener's ARN (a placeholder until resolved).
        listener_arn: String = "ListenerArn",
        /// 1-50000, lower wins.
        priority: i32 = "Priority",
        /// Path and host conditions, all of which must match.
        conditions: Vec<RuleCondition> = "Conditions",
        /// What it does with a matching request.
        actions: Vec<Action> = "Actions",
    }
}

request! {
    /// A listener rule's condition.
    pub struct RuleCondition, RuleConditionFields {
        /// `path-pattern` or `host-header`.
        field: String = "Field",
        /// The path patterns of a `path-pattern` condition.
        path_pattern_config: ConditionValues = "PathPatternConfig",
        /// The host names of a `host-header` condition.
        host_header_config: ConditionValues = "HostHeaderConfig",
    }
}

request! {
    /// The values a condition matches.
    pub struct ConditionValues, ConditionValuesFields {
        /// Patterns (`/api/*`) or host names.
        values: Vec<String> = "Values",
    }
}
