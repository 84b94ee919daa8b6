//! CloudWatch Logs log groups.

use super::iam::HasArn;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, NameRule};
use crate::lower::{protection_setters, tag_setter, Cx, Protection, ResourceSpec};
use crate::requests::logs::{CreateLogGroup, PutRetentionPolicy};
use crate::stack::{Meta, Ref};
use crate::value::{Attr, Text};

/// A CloudWatch Logs log group. Without a retention its events never expire (AWS's default).
#[derive(Debug, Clone)]
pub struct LogGroup {
    pub(crate) meta: Meta,
    pub(crate) log_group_name: String,
    pub(crate) retention_days: Option<u32>,
    pub(crate) kms_key_arn: Option<Text>,
    pub(crate) protection: Protection,
}

impl LogGroup {
    /// A log group with its AWS name, e.g. `/ecs/visitor-book`.
    pub fn new(name: impl Into<String>, log_group_name: impl Into<String>) -> LogGroup {
        LogGroup {
            meta: Meta::new(name),
            log_group_name: log_group_name.into(),
            retention_days: None,
            kms_key_arn: None,
            protection: Protection::default(),
        }
    }

    /// Days to keep events; one of the values CloudWatch accepts (1, 3, 5, 7, 14, 30, …).
    #[must_use]
    pub fn retention_days(mut self, days: u32) -> LogGroup {
        self.retention_days = Some(days);
        self
    }

    /// Encrypts events with a KMS key: its ARN, or `key.arn()` of a
    /// [`KmsKey`](super::KmsKey) the stack looks up. (The key policy must let
    /// `logs.REGION.amazonaws.com` use it.)
    #[must_use]
    pub fn kms_key(mut self, arn: impl Into<Text>) -> LogGroup {
        self.kms_key_arn = Some(arn.into());
        self
    }

    /// The log group's AWS name.
    pub fn log_group_name(&self) -> &str {
        &self.log_group_name
    }
}

impl ResourceSpec for LogGroup {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.log_group_name.clone(), &limits::LOG_GROUP_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if let Some(days) = self.retention_days {
            if !limits::LOG_RETENTION_DAYS.contains(&days) {
                let nearest = limits::LOG_RETENTION_DAYS
                    .iter()
                    .copied()
                    .find(|d| *d >= days)
                    .unwrap_or(3653);
                cx.error(
                    Rule::LogRetention,
                    PutRetentionPolicy::FIELD.retention_in_days,
                    format!("{days} days is not a retention CloudWatch Logs accepts; the next allowed value is {nearest}"),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::LOG_GROUP).protection(self.protection);
        let key = (self.kms_key_arn.as_ref()).map(|k| n.text(CreateLogGroup::FIELD.kms_key_id, k));
        let request = CreateLogGroup {
            log_group_name: Some(self.log_group_name.clone()),
            kms_key_id: key,
        };
        cx.push_request(n, request);
        if let Some(days) = self.retention_days {
            let n = cx.node("retention", Kind::RETENTION_POLICY);
            let request = PutRetentionPolicy {
                log_group_name: Some(self.log_group_name.clone()),
                retention_in_days: i32::try_from(days).ok(),
            };
            cx.push_request(n, request);
        }
    }
}

impl HasArn for LogGroup {}

impl Ref<LogGroup> {
    /// The log group's name.
    pub fn log_group_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }
}
protection_setters!(LogGroup);

tag_setter!(LogGroup);
