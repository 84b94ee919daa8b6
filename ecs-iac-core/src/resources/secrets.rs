//! References to Secrets Manager secrets. A reference renders as an ARN; the secret's value
//! never appears in any output of this crate.

use crate::kind::Kind;
use crate::lower::{allow_lint_setter, placeholder, Cx};
use crate::stack::{Meta, ResourceSpec};
use serde_json::json;

/// An existing Secrets Manager secret, looked up at apply. The stack does not own it.
#[derive(Debug, Clone)]
pub struct SecretRef {
    pub(crate) meta: Meta,
    pub(crate) secret_id: String,
    pub(crate) is_arn: bool,
}

impl SecretRef {
    /// A secret by its name, e.g. `visitor-book/database-url`. Its ARN is resolved at apply.
    pub fn by_name(name: impl Into<String>, secret_name: impl Into<String>) -> SecretRef {
        SecretRef {
            meta: Meta::new(name),
            secret_id: secret_name.into(),
            is_arn: false,
        }
    }

    /// A secret by its full ARN.
    pub fn by_arn(name: impl Into<String>, arn: impl Into<String>) -> SecretRef {
        SecretRef {
            meta: Meta::new(name),
            secret_id: arn.into(),
            is_arn: true,
        }
    }

    /// The ARN as it renders: the literal ARN, or the `${name.arn}` placeholder.
    pub fn arn(&self) -> String {
        if self.is_arn {
            self.secret_id.clone()
        } else {
            placeholder(&self.meta.name, "arn")
        }
    }

    /// The placeholder of the secret's value, resolved in memory at apply only.
    pub(crate) fn value_placeholder(&self) -> String {
        placeholder(&self.meta.name, "secret_value")
    }
}

impl ResourceSpec for SecretRef {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, _cx: &mut Cx<'_>) {}

    fn lower(&self, cx: &mut Cx<'_>) {
        let n = cx.node("", Kind::SECRET_REF);
        cx.push(n, json!({ "SecretId": self.secret_id }));
    }
}

allow_lint_setter!(SecretRef);

impl super::iam::HasArn for SecretRef {}
