//! SNS checks: topics that store messages unencrypted.

use super::{LintRule, Lx};
use crate::requests::sns::{CreateTopic, TopicAttributes};
use crate::resources::*;

impl Lx<'_> {
    /// A topic of the stack without a KMS key.
    pub(super) fn topic_unencrypted(&mut self, t: &Topic) {
        self.emit(
            LintRule::TopicUnencrypted,
            "",
            format!(
                "{}.{}",
                CreateTopic::FIELD.attributes,
                TopicAttributes::FIELD.kms_master_key_id
            ),
            format!("topic `{}` stores messages unencrypted", t.topic_name()),
        );
    }
}
