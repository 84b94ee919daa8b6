//! KMS keys the stack uses but does not own (found by key id, ARN or alias).

use super::iam::HasArn;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{allow_lint_setter, Cx};
use crate::stack::{Meta, Ref, ResourceSpec};
use crate::value::Attr;
use serde_json::json;

/// An existing KMS key (for a log group: `.kms_key(key.arn())`).
#[derive(Debug, Clone)]
pub struct KmsKey {
    pub(crate) meta: Meta,
    pub(crate) key: String,
}

impl KmsKey {
    /// The key `key`: its id (`1234abcd-…`), its ARN, an alias (`alias/app-logs`) or an
    /// alias ARN. `DescribeKey` resolves an alias to the key it points at.
    pub fn existing(name: impl Into<String>, key: impl Into<String>) -> KmsKey {
        KmsKey {
            meta: Meta::new(name),
            key: key.into(),
        }
    }

    /// The key the alias `alias` points at (`app-logs` or `alias/app-logs`).
    pub fn alias(name: impl Into<String>, alias: &str) -> KmsKey {
        let alias = alias.strip_prefix("alias/").unwrap_or(alias);
        KmsKey::existing(name, format!("alias/{alias}"))
    }
}

impl ResourceSpec for KmsKey {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.key.is_empty() || self.key.len() > 2048 || self.key == "alias/" {
            cx.error(
                Rule::AwsString,
                "KeyId",
                "a key is named by its id, ARN or `alias/NAME`; this one is empty or longer than 2048 characters",
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let n = cx.node("", Kind::EXISTING_KMS_KEY);
        cx.push(n, json!({ "KeyId": self.key }));
    }
}

allow_lint_setter!(KmsKey);

impl HasArn for KmsKey {}

impl Ref<KmsKey> {
    /// The key id (`1234abcd-12ab-34cd-56ef-1234567890ab`), also for an alias.
    pub fn key_id(&self) -> Attr<String> {
        Attr::of(self, "id")
    }
}
