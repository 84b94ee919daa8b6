//! KMS checks: customer managed keys that do not rotate.

use super::{LintRule, Lx};

impl Lx<'_> {
    /// A key of the stack with rotation off.
    pub(super) fn key_no_rotation(&mut self) {
        self.emit(
            LintRule::KeyNoRotation,
            "",
            "rotation",
            "the key's material never rotates".into(),
        );
    }
}
