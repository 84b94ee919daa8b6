//! SNS topics the stack uses but does not own (alarm actions: `topic.arn()`).

use super::iam::HasArn;
use crate::kind::Kind;
use crate::lower::{allow_lint_setter, Cx, ACCOUNT_ID};
use crate::stack::{Meta, Ref, ResourceSpec};
use crate::value::Attr;
use serde_json::json;

/// An existing SNS topic.
#[derive(Debug, Clone)]
pub struct Topic {
    pub(crate) meta: Meta,
    pub(crate) name_or_arn: String,
}

impl Topic {
    /// The topic named `name_or_arn` in the stack's account and region, or the topic with
    /// that ARN (another account's topic must allow the stack to publish).
    pub fn existing(name: impl Into<String>, name_or_arn: impl Into<String>) -> Topic {
        Topic {
            meta: Meta::new(name),
            name_or_arn: name_or_arn.into(),
        }
    }
}

impl ResourceSpec for Topic {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static crate::limits::NameRule)> {
        (!self.name_or_arn.starts_with("arn:"))
            .then(|| (self.name_or_arn.clone(), &crate::limits::SNS_TOPIC_NAME))
    }

    fn validate(&self, _cx: &mut Cx<'_>) {}

    fn lower(&self, cx: &mut Cx<'_>) {
        let arn = if self.name_or_arn.starts_with("arn:") {
            self.name_or_arn.clone()
        } else {
            format!(
                "arn:{}:sns:{}:{ACCOUNT_ID}:{}",
                cx.partition(),
                cx.region(),
                self.name_or_arn
            )
        };
        let n = cx.node("", Kind::EXISTING_TOPIC);
        cx.push(n, json!({ "TopicArn": arn }));
    }
}

allow_lint_setter!(Topic);

impl HasArn for Topic {}

impl Ref<Topic> {
    /// The topic's name.
    pub fn topic_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }
}
