//! References to Secrets Manager secrets. A reference renders as an ARN; the secret's value
//! never appears in any output of this crate.

use super::data::ManagedSecret;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::NodeBuilder;
use crate::lower::{allow_lint_setter, placeholder, Cx};
use crate::stack::{Meta, Ref, ResourceSpec};
use crate::value::{Attr, Text};
use serde_json::json;

/// An existing Secrets Manager secret, looked up at apply. The stack does not own it.
#[derive(Debug, Clone)]
pub struct SecretRef {
    pub(crate) meta: Meta,
    pub(crate) secret_id: String,
    pub(crate) is_arn: bool,
    /// The customer managed key the secret is encrypted with, if any.
    pub(crate) kms_key: Option<Ref<super::KmsKey>>,
}

impl SecretRef {
    /// A secret by its name, e.g. `visitor-book/database-url`. Its ARN is resolved at apply.
    pub fn by_name(name: impl Into<String>, secret_name: impl Into<String>) -> SecretRef {
        SecretRef {
            meta: Meta::new(name),
            secret_id: secret_name.into(),
            is_arn: false,
            kms_key: None,
        }
    }

    /// A secret by its full ARN.
    pub fn by_arn(name: impl Into<String>, arn: impl Into<String>) -> SecretRef {
        SecretRef {
            meta: Meta::new(name),
            secret_id: arn.into(),
            is_arn: true,
            kms_key: None,
        }
    }

    /// Says the secret is encrypted with this customer managed key (a [`KmsKey`] of the
    /// stack, owned or existing): `grant_read` then also grants `kms:Decrypt` on it,
    /// which reading the secret needs. Secrets under the default `aws/secretsmanager` key
    /// need nothing.
    ///
    /// [`KmsKey`]: super::KmsKey
    #[must_use]
    pub fn encrypted_with(mut self, key: &Ref<super::KmsKey>) -> SecretRef {
        self.kms_key = Some(key.clone());
        self
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

/// Where a container secret (or a grant to read one) comes from: a [`SecretRef`], or a
/// secret AWS manages for a resource of the stack ([`ManagedSecret`], e.g. an RDS
/// instance's master user secret).
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// A secret the stack refers to.
    Secret(Ref<SecretRef>),
    /// A secret AWS created and manages for a resource of the stack.
    Managed(ManagedSecret),
}

impl From<&Ref<SecretRef>> for SecretSource {
    fn from(r: &Ref<SecretRef>) -> SecretSource {
        SecretSource::Secret(r.clone())
    }
}

impl From<Ref<SecretRef>> for SecretSource {
    fn from(r: Ref<SecretRef>) -> SecretSource {
        SecretSource::Secret(r)
    }
}

impl From<&ManagedSecret> for SecretSource {
    fn from(m: &ManagedSecret) -> SecretSource {
        SecretSource::Managed(m.clone())
    }
}

impl From<ManagedSecret> for SecretSource {
    fn from(m: ManagedSecret) -> SecretSource {
        SecretSource::Managed(m)
    }
}

impl SecretSource {
    /// The secret's ARN as it renders (literal, or placeholder), recording the edge and
    /// reporting a reference to another stack, or a managed secret the resource does not
    /// have, at `path`.
    pub(crate) fn render(
        &self,
        n: &mut NodeBuilder<'_>,
        cx: &Cx<'_>,
        path: impl Fn() -> String,
    ) -> String {
        match self {
            SecretSource::Secret(secret) => n
                .target(path, secret)
                .map(SecretRef::arn)
                .unwrap_or_default(),
            SecretSource::Managed(m) => {
                if let Some(problem) = m.problem(cx) {
                    n.report(Rule::UnknownAttribute, path(), problem);
                }
                n.text(path, &Text::from(m.arn()))
            }
        }
    }

    /// The logical name of the resource the secret belongs to.
    pub(crate) fn owner(&self) -> String {
        match self {
            SecretSource::Secret(r) => r.name().to_string(),
            SecretSource::Managed(m) => m.arn().resource().name().to_string(),
        }
    }
}

impl Ref<SecretRef> {
    /// The secret's name in Secrets Manager.
    pub fn secret_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }
}
