//! SNS checks: topics that store messages unencrypted.

use super::{LintRule, Lx};
use crate::resources::*;

impl Lx<'_> {
    /// A topic of the stack without a KMS key.
    pub(super) fn topic_unencrypted(&mut self, t: &Topic) {
        self.emit(
            LintRule::TopicUnencrypted,
            "",
            "Attributes.KmsMasterKeyId",
            format!("topic `{}` stores messages unencrypted", t.topic_name()),
        );
    }
}
