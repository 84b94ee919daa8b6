//! CloudWatch Logs subscription filters: a log group's events streamed, as they arrive,
//! to a Lambda function, a Kinesis data stream, a Firehose stream or a logs destination.

use super::iam::{Principal, Role};
use super::logs::LogGroup;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{allow_lint_setter, placeholder, Cx, ResourceSpec};
use crate::requests::iam::PutRolePolicy;
use crate::requests::logs::{PutSubscriptionFilter, PutSubscriptionFilterFields};
use crate::stack::{Meta, Ref};
use crate::value::Text;
use serde_json::json;

/// The AWS names of a subscription filter's request fields.
const F: PutSubscriptionFilterFields = PutSubscriptionFilter::FIELD;

/// Where a subscription filter delivers.
#[derive(Debug, Clone)]
pub enum LogDestination {
    /// A Lambda function, by ARN. Its resource policy must let `logs.amazonaws.com`
    /// invoke it (`aws lambda add-permission --principal logs.amazonaws.com`).
    Lambda(Text),
    /// A Kinesis data stream, by ARN, written with `role`.
    Kinesis {
        /// The stream's ARN.
        stream: Text,
        /// The role CloudWatch Logs assumes to write (it must trust `logs.amazonaws.com`);
        /// the filter gives it `kinesis:PutRecord` on the stream.
        role: Ref<Role>,
    },
    /// An Amazon Data Firehose stream, by ARN, written with `role`.
    Firehose {
        /// The stream's ARN.
        stream: Text,
        /// The role CloudWatch Logs assumes to write (it must trust `logs.amazonaws.com`);
        /// the filter gives it `firehose:PutRecord` and `firehose:PutRecordBatch`.
        role: Ref<Role>,
    },
    /// A CloudWatch Logs destination (often another account's), by ARN.
    Destination(Text),
}

impl LogDestination {
    /// A Lambda function (its ARN).
    pub fn lambda(function_arn: impl Into<Text>) -> LogDestination {
        LogDestination::Lambda(function_arn.into())
    }

    /// A Kinesis data stream (its ARN), written with `role`.
    pub fn kinesis(stream_arn: impl Into<Text>, role: &Ref<Role>) -> LogDestination {
        LogDestination::Kinesis {
            stream: stream_arn.into(),
            role: role.clone(),
        }
    }

    /// A Firehose stream (its ARN), written with `role`.
    pub fn firehose(stream_arn: impl Into<Text>, role: &Ref<Role>) -> LogDestination {
        LogDestination::Firehose {
            stream: stream_arn.into(),
            role: role.clone(),
        }
    }

    /// A CloudWatch Logs destination (its ARN).
    pub fn destination(destination_arn: impl Into<Text>) -> LogDestination {
        LogDestination::Destination(destination_arn.into())
    }

    fn arn(&self) -> &Text {
        match self {
            LogDestination::Lambda(a) | LogDestination::Destination(a) => a,
            LogDestination::Kinesis { stream, .. } | LogDestination::Firehose { stream, .. } => {
                stream
            }
        }
    }

    /// The role and the actions it needs on the stream.
    fn writer(&self) -> Option<(&Ref<Role>, &'static [&'static str])> {
        match self {
            LogDestination::Kinesis { role, .. } => Some((role, &["kinesis:PutRecord"])),
            LogDestination::Firehose { role, .. } => {
                Some((role, &["firehose:PutRecord", "firehose:PutRecordBatch"]))
            }
            _ => None,
        }
    }
}

/// A subscription filter on a log group of the stack.
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let logs = stack.add(LogGroup::new("app-logs", "/ecs/shop").retention_days(30));
/// stack.add(SubscriptionFilter::new(
///     "to-search",
///     &logs,
///     "app-logs-filter",
///     LogDestination::lambda("arn:aws:lambda:eu-west-1:123456789012:function:LogsToOpenSearch"),
/// ));
/// let synth = synth(&stack).unwrap();
/// let filter = &synth.node("to-search").unwrap().body;
/// assert_eq!(filter["logGroupName"], "/ecs/shop");
/// assert_eq!(filter["filterPattern"], "");
/// ```
#[derive(Debug, Clone)]
pub struct SubscriptionFilter {
    pub(crate) meta: Meta,
    pub(crate) log_group: Ref<LogGroup>,
    pub(crate) filter_name: String,
    pub(crate) pattern: String,
    pub(crate) destination: LogDestination,
    pub(crate) random_distribution: bool,
}

impl SubscriptionFilter {
    /// Streams every event of `log_group` to `destination`, as the filter `filter_name`
    /// (a log group has at most two).
    pub fn new(
        name: impl Into<String>,
        log_group: &Ref<LogGroup>,
        filter_name: impl Into<String>,
        destination: LogDestination,
    ) -> SubscriptionFilter {
        SubscriptionFilter {
            meta: Meta::new(name),
            log_group: log_group.clone(),
            filter_name: filter_name.into(),
            pattern: String::new(),
            destination,
            random_distribution: false,
        }
    }

    /// Only events matching this filter pattern (CloudWatch Logs' syntax; empty: all).
    #[must_use]
    pub fn pattern(mut self, pattern: impl Into<String>) -> SubscriptionFilter {
        self.pattern = pattern.into();
        self
    }

    /// Spreads events over a Kinesis stream's shards (`Random`) instead of grouping them
    /// by log stream (`ByLogStream`, AWS's default).
    #[must_use]
    pub fn random_distribution(mut self) -> SubscriptionFilter {
        self.random_distribution = true;
        self
    }
}

impl ResourceSpec for SubscriptionFilter {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let name = &self.filter_name;
        if name.is_empty() || name.len() > 512 || name.contains([':', '*']) {
            cx.error(
                Rule::AwsName,
                F.filter_name,
                format!("`{name}` is not a filter name CloudWatch Logs accepts: 1 to 512 characters, no `:` or `*`"),
            );
        }
        if self.pattern.chars().count() > 1024 {
            cx.error(
                Rule::AwsString,
                F.filter_pattern,
                "a filter pattern has at most 1024 characters",
            );
        }
        let others = cx
            .stack
            .resources()
            .filter(|r| match r {
                crate::stack::AnyResource::SubscriptionFilter(f) => {
                    f.log_group.name() == self.log_group.name()
                }
                _ => false,
            })
            .count();
        if others > 2 {
            cx.error(
                Rule::DuplicateEntry,
                F.filter_name,
                format!(
                    "log group `{}` has {others} subscription filters; CloudWatch Logs allows two",
                    self.log_group.name()
                ),
            );
        }
        if self.random_distribution && !matches!(self.destination, LogDestination::Kinesis { .. }) {
            cx.error(
                Rule::AwsString,
                F.distribution,
                "only a Kinesis destination spreads events over shards",
            );
        }
        if let Some((role, _)) = self.destination.writer() {
            if let Some(r) = cx.stack.get(role) {
                let trusts_logs = r.trust.iter().any(|p| {
                    matches!(p, Principal::Service(s) if s == "logs.amazonaws.com" || (s.starts_with("logs.") && s.ends_with(".amazonaws.com")))
                });
                if !trusts_logs {
                    cx.error(
                        Rule::PolicyPrincipal,
                        F.role_arn,
                        format!("role `{}` does not trust `logs.amazonaws.com`, so CloudWatch Logs cannot write with it; create it with `Principal::service(\"logs.amazonaws.com\")`", role.name()),
                    );
                }
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::SUBSCRIPTION_FILTER);
        let group = n
            .target(F.log_group_name, &self.log_group)
            .map(|g| g.log_group_name.clone())
            .unwrap_or_default();
        let destination = n.text(F.destination_arn, self.destination.arn());
        let role = self.destination.writer().map(|(role, actions)| {
            n.target(F.role_arn, role);
            (role.clone(), actions)
        });
        let request = PutSubscriptionFilter {
            log_group_name: Some(group),
            filter_name: Some(self.filter_name.clone()),
            filter_pattern: Some(self.pattern.clone()),
            destination_arn: Some(destination.clone()),
            role_arn: role.as_ref().map(|(r, _)| placeholder(r.name(), "arn")),
            distribution: self.random_distribution.then(|| "Random".to_string()),
        };
        cx.push_request(n, request);
        // The writer's permission, scoped to the stream: a request of the filter's own.
        if let Some((role, actions)) = role {
            let mut n = cx.node("role-policy", Kind::ROLE_POLICY);
            let role_name = n
                .target(PutRolePolicy::FIELD.role_name, &role)
                .map(Role::aws_role_name)
                .unwrap_or_default();
            let document = json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": actions,
                    "Resource": destination,
                }],
            });
            let request = PutRolePolicy {
                role_name: Some(role_name),
                policy_name: Some(format!(
                    "ecs-iac-log-delivery-{}",
                    self.meta.name.replace('/', "-")
                )),
                policy_document: Some(document.to_string()),
            };
            cx.push_request(n, request);
        }
    }
}

allow_lint_setter!(SubscriptionFilter);

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::{Kind, Rule};

    #[test]
    fn a_kinesis_destination_gets_its_writer_permission_and_a_role_that_trusts_logs() {
        let mut stack = Stack::new("s").region("eu-west-1");
        let logs = stack.add(LogGroup::new("logs", "/ecs/app").retention_days(7));
        let writer = stack.add(Role::new(
            "log-writer",
            Principal::service("logs.amazonaws.com"),
        ));
        let stream = "arn:aws:kinesis:eu-west-1:123456789012:stream/log-archive";
        stack.add(
            SubscriptionFilter::new(
                "archive",
                &logs,
                "archive",
                LogDestination::kinesis(stream, &writer),
            )
            .pattern("ERROR")
            .random_distribution(),
        );
        assert_eq!(validate(&stack), vec![]);
        let s = synth(&stack).unwrap();
        let filter = s.node("archive").unwrap();
        assert_eq!(filter.kind, Kind::SUBSCRIPTION_FILTER);
        assert_eq!(filter.body["roleArn"], "${log-writer.arn}");
        assert_eq!(filter.body["distribution"], "Random");
        let policy = s.node("archive#role-policy").unwrap();
        assert_eq!(policy.body["RoleName"], "log-writer");
        let document: serde_json::Value =
            serde_json::from_str(policy.body["PolicyDocument"].as_str().unwrap()).unwrap();
        assert_eq!(
            document["Statement"][0]["Action"],
            serde_json::json!(["kinesis:PutRecord"])
        );
        assert_eq!(document["Statement"][0]["Resource"], stream);

        // A writer that does not trust CloudWatch Logs, a third filter on one group.
        let mut bad = Stack::new("b").region("eu-west-1");
        let logs = bad.add(LogGroup::new("logs", "/ecs/app"));
        let task_role = bad.add(Role::new("task", Principal::ecs_tasks()));
        for i in 0..3 {
            bad.add(SubscriptionFilter::new(
                format!("f{i}"),
                &logs,
                format!("f{i}"),
                LogDestination::firehose(
                    "arn:aws:firehose:eu-west-1:1:deliverystream/x",
                    &task_role,
                ),
            ));
        }
        let found: Vec<_> = validate(&bad)
            .into_iter()
            .map(|d| (d.rule, d.address))
            .collect();
        assert!(
            found.contains(&(Rule::PolicyPrincipal, "f0".to_string())),
            "{found:?}"
        );
        assert!(
            found.contains(&(Rule::DuplicateEntry, "f2".to_string())),
            "{found:?}"
        );
    }
}
