//! SNS topics: owned ones (display name, KMS encryption, subscriptions) and existing ones
//! the stack only notifies. Alarms take `topic.arn()` as their action.

use super::iam::HasArn;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{tag_setter, Cx, ResourceSpec, ACCOUNT_ID};
use crate::requests::sns::{
    CreateTopic, CreateTopicFields, GetTopicAttributes, Subscribe, TopicAttributes,
    TopicAttributesFields,
};
use crate::stack::{Meta, Ref};
use crate::value::{Attr, Text};

/// The AWS names of a topic's request fields.
const TOPIC: CreateTopicFields = CreateTopic::FIELD;
/// The AWS names of the topic attributes the stack sets.
const ATTRIBUTE: TopicAttributesFields = TopicAttributes::FIELD;

/// An SNS topic.
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let alerts = stack.add(
///     Topic::new("alerts", "app-alerts")
///         .kms_key("alias/aws/sns")
///         .subscribe(Subscription::email("oncall@example.com")),
/// );
/// let synth = synth(&stack).unwrap();
/// assert_eq!(synth.node("alerts").unwrap().body["Attributes"]["KmsMasterKeyId"], "alias/aws/sns");
/// let sub = synth.node("alerts#subscription:email:oncall@example.com").unwrap();
/// assert_eq!(sub.body["TopicArn"], "${alerts.arn}");
/// ```
#[derive(Debug, Clone)]
pub struct Topic {
    pub(crate) meta: Meta,
    pub(crate) name_or_arn: String,
    pub(crate) existing: bool,
    pub(crate) display_name: Option<String>,
    pub(crate) kms_key: Option<Text>,
    pub(crate) subscriptions: Vec<Subscription>,
}

/// Where a topic delivers its messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Subscription {
    /// An email address (the owner confirms the subscription from the mail AWS sends).
    Email(String),
    /// An HTTPS endpoint (it confirms by visiting the URL AWS posts to it).
    Https(String),
    /// An SQS queue, by ARN (its queue policy must let the topic send to it).
    Sqs(Text),
    /// A Lambda function, by ARN (its resource policy must let SNS invoke it).
    Lambda(Text),
}

impl Subscription {
    /// Messages to an email address.
    pub fn email(address: impl Into<String>) -> Subscription {
        Subscription::Email(address.into())
    }

    /// Messages POSTed to an `https://` URL.
    pub fn https(url: impl Into<String>) -> Subscription {
        Subscription::Https(url.into())
    }

    /// Messages to an SQS queue (its ARN).
    pub fn sqs(queue_arn: impl Into<Text>) -> Subscription {
        Subscription::Sqs(queue_arn.into())
    }

    /// Messages to a Lambda function (its ARN).
    pub fn lambda(function_arn: impl Into<Text>) -> Subscription {
        Subscription::Lambda(function_arn.into())
    }

    /// The SNS protocol name.
    fn protocol(&self) -> &'static str {
        match self {
            Subscription::Email(_) => "email",
            Subscription::Https(_) => "https",
            Subscription::Sqs(_) => "sqs",
            Subscription::Lambda(_) => "lambda",
        }
    }

    fn endpoint(&self) -> &str {
        match self {
            Subscription::Email(e) | Subscription::Https(e) => e,
            Subscription::Sqs(t) | Subscription::Lambda(t) => t.as_str(),
        }
    }
}

impl Topic {
    /// A topic the stack owns, named `topic_name` (letters, digits, `-` and `_`, at most
    /// 256).
    pub fn new(name: impl Into<String>, topic_name: impl Into<String>) -> Topic {
        Topic {
            meta: Meta::new(name),
            name_or_arn: topic_name.into(),
            existing: false,
            display_name: None,
            kms_key: None,
            subscriptions: Vec::new(),
        }
    }

    /// The topic named `name_or_arn` in the stack's account and region, or the topic with
    /// that ARN (another account's topic must allow the stack to publish): looked up
    /// before every apply, never changed, forgotten by `destroy`.
    pub fn existing(name: impl Into<String>, name_or_arn: impl Into<String>) -> Topic {
        Topic {
            existing: true,
            ..Topic::new(name, name_or_arn)
        }
    }

    /// The sender name of SMS and email notifications (at most 100 characters).
    #[must_use]
    pub fn display_name(mut self, display_name: impl Into<String>) -> Topic {
        self.display_name = Some(display_name.into());
        self
    }

    /// Encrypts messages at rest with a KMS key: `alias/aws/sns`, a key ARN, or
    /// `key.arn()`. (CloudWatch alarms can publish to a topic encrypted with a customer
    /// managed key only if its key policy lets `cloudwatch.amazonaws.com` use it.)
    #[must_use]
    pub fn kms_key(mut self, key: impl Into<Text>) -> Topic {
        self.kms_key = Some(key.into());
        self
    }

    /// Adds a subscription.
    #[must_use]
    pub fn subscribe(mut self, subscription: Subscription) -> Topic {
        self.subscriptions.push(subscription);
        self
    }

    /// Whether the stack owns it (not [`Topic::existing`]).
    pub fn is_owned(&self) -> bool {
        !self.existing
    }

    /// Whether messages are encrypted with a KMS key.
    pub fn is_encrypted(&self) -> bool {
        self.kms_key.is_some()
    }

    /// The topic's name (or, for an existing topic, what it was given).
    pub fn topic_name(&self) -> &str {
        &self.name_or_arn
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

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.existing {
            if self.display_name.is_some()
                || self.kms_key.is_some()
                || !self.subscriptions.is_empty()
            {
                cx.error(
                    Rule::ExistingResource,
                    GetTopicAttributes::FIELD.topic_arn,
                    format!(
                        "`{}` is an existing topic: its settings and subscriptions are not the stack's to change; use `Topic::new` for one the stack owns",
                        self.meta.name
                    ),
                );
            }
            return;
        }
        if let Some(display) = &self.display_name {
            if display.chars().count() > 100 {
                cx.error(
                    Rule::AwsString,
                    format!("{}.{}", TOPIC.attributes, ATTRIBUTE.display_name),
                    format!(
                        "the display name has {} characters; SNS allows at most 100",
                        display.chars().count()
                    ),
                );
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in self.subscriptions.iter().enumerate() {
            let path = format!("subscriptions[{i}]");
            if !seen.insert((s.protocol(), s.endpoint().to_string())) {
                cx.error(
                    Rule::DuplicateEntry,
                    &path,
                    format!("`{}` {} is subscribed twice", s.protocol(), s.endpoint()),
                );
            }
            let fine = match s {
                Subscription::Email(e) => e.split_once('@').is_some_and(|(user, domain)| {
                    !user.is_empty() && domain.contains('.') && !e.contains(char::is_whitespace)
                }),
                Subscription::Https(url) => url.starts_with("https://") && url.len() > 8,
                Subscription::Sqs(_) | Subscription::Lambda(_) => true,
            };
            if !fine {
                cx.error(
                    Rule::AwsString,
                    &path,
                    format!(
                        "`{}` is not a valid {} endpoint",
                        s.endpoint(),
                        s.protocol()
                    ),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if self.existing {
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
            let request = GetTopicAttributes {
                topic_arn: Some(arn),
            };
            cx.push_request(n, request);
            return;
        }
        let mut n = cx.node("", Kind::TOPIC);
        let kms_master_key_id = self.kms_key.as_ref().map(|key| {
            let path = format!("{}.{}", TOPIC.attributes, ATTRIBUTE.kms_master_key_id);
            n.text(&path, key)
        });
        let attributes = TopicAttributes {
            display_name: self.display_name.clone(),
            kms_master_key_id,
        };
        let request = CreateTopic {
            name: Some(self.name_or_arn.clone()),
            attributes: (attributes != TopicAttributes::default()).then_some(attributes),
        };
        cx.push_request(n, request);
        let topic_arn = crate::lower::placeholder(&self.meta.name, "arn");
        for s in &self.subscriptions {
            let mut n = cx.node(
                &format!("subscription:{}:{}", s.protocol(), s.endpoint()),
                Kind::SUBSCRIPTION,
            );
            let endpoint = match s {
                Subscription::Sqs(t) | Subscription::Lambda(t) => {
                    n.text(Subscribe::FIELD.endpoint, t)
                }
                Subscription::Email(e) | Subscription::Https(e) => e.clone(),
            };
            let request = Subscribe {
                topic_arn: Some(topic_arn.clone()),
                protocol: Some(s.protocol().into()),
                endpoint: Some(endpoint),
                return_subscription_arn: Some(true),
            };
            cx.push_request(n, request);
        }
    }
}

tag_setter!(Topic);

impl HasArn for Topic {}

impl Ref<Topic> {
    /// The topic's name.
    pub fn topic_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::{Kind, LintRule, Rule};
    use serde_json::json;

    #[test]
    fn a_topic_renders_its_attributes_and_one_node_per_subscription() {
        let mut stack = Stack::new("s").region("eu-west-1");
        let queue = "arn:aws:sqs:eu-west-1:123456789012:orders";
        stack.add(
            Topic::new("events", "order-events")
                .display_name("Orders")
                .subscribe(Subscription::sqs(queue))
                .subscribe(Subscription::https("https://hooks.example.com/x")),
        );
        assert_eq!(validate(&stack), vec![]);
        let s = synth(&stack).unwrap();
        let topic = s.node("events").unwrap();
        assert_eq!(topic.kind, Kind::TOPIC);
        assert_eq!(topic.body["Attributes"], json!({"DisplayName": "Orders"}));
        let sub = s.node(&format!("events#subscription:sqs:{queue}")).unwrap();
        assert_eq!(sub.kind, Kind::SUBSCRIPTION);
        assert_eq!(
            sub.body,
            json!({"TopicArn": "${events.arn}", "Protocol": "sqs", "Endpoint": queue, "ReturnSubscriptionArn": true})
        );
        assert_eq!(sub.depends_on, ["events"]);
        // Attributes change in place; the name and a subscription are replaced.
        assert!(!Kind::TOPIC.forces_replacement("Attributes"));
        assert!(Kind::TOPIC.forces_replacement("Name"));
        assert!(Kind::SUBSCRIPTION.forces_replacement("Endpoint"));
    }

    #[test]
    fn bad_endpoints_duplicates_and_settings_on_an_existing_topic_are_errors() {
        let mut stack = Stack::new("s");
        stack.add(
            Topic::new("t", "t")
                .display_name("x".repeat(101))
                .subscribe(Subscription::email("not-an-address"))
                .subscribe(Subscription::https("http://plain.example.com"))
                .subscribe(Subscription::email("a@example.com"))
                .subscribe(Subscription::email("a@example.com")),
        );
        stack.add(Topic::existing("theirs", "platform-alerts").display_name("x"));
        let found: Vec<_> = validate(&stack)
            .into_iter()
            .map(|d| (d.rule, d.address, d.path))
            .collect();
        let has = |rule: Rule, address: &str, path: &str| {
            found
                .iter()
                .any(|(r, a, p)| *r == rule && a == address && p == path)
        };
        assert!(
            has(Rule::AwsString, "t", "Attributes.DisplayName"),
            "{found:?}"
        );
        assert!(has(Rule::AwsString, "t", "subscriptions[0]"), "{found:?}");
        assert!(has(Rule::AwsString, "t", "subscriptions[1]"), "{found:?}");
        assert!(
            has(Rule::DuplicateEntry, "t", "subscriptions[3]"),
            "{found:?}"
        );
        assert!(!has(Rule::AwsString, "t", "subscriptions[2]"), "{found:?}");
        assert!(
            has(Rule::ExistingResource, "theirs", "TopicArn"),
            "{found:?}"
        );
    }

    #[test]
    fn lint_notes_an_unencrypted_topic_the_stack_owns() {
        let mut stack = Stack::new("s");
        stack.add(Topic::new("plain", "plain"));
        stack.add(Topic::new("sealed", "sealed").kms_key("alias/aws/sns"));
        stack.add(Topic::existing("theirs", "theirs"));
        let noted: Vec<_> = lint(&stack)
            .findings
            .into_iter()
            .filter(|f| f.rule == LintRule::TopicUnencrypted)
            .map(|f| f.address)
            .collect();
        assert_eq!(noted, ["plain"]);
    }
}
