//! ECR repositories the stack pulls from but does not own.

use super::iam::HasArn;
use crate::kind::Kind;
use crate::lower::{allow_lint_setter, Cx};
use crate::stack::{Meta, Ref, ResourceSpec};
use crate::value::Attr;
use serde_json::json;

/// An existing ECR repository of the stack's account and region. Containers use its
/// images with [`Image::from_repository`](super::Image::from_repository).
#[derive(Debug, Clone)]
pub struct Repository {
    pub(crate) meta: Meta,
    pub(crate) repository_name: String,
}

impl Repository {
    /// The repository named `repository_name` (`shop/api`).
    pub fn existing(name: impl Into<String>, repository_name: impl Into<String>) -> Repository {
        Repository {
            meta: Meta::new(name),
            repository_name: repository_name.into(),
        }
    }
}

impl ResourceSpec for Repository {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static crate::limits::NameRule)> {
        Some((
            self.repository_name.clone(),
            &crate::limits::ECR_REPOSITORY_NAME,
        ))
    }

    fn validate(&self, _cx: &mut Cx<'_>) {}

    fn lower(&self, cx: &mut Cx<'_>) {
        let n = cx.node("", Kind::EXISTING_REPOSITORY);
        cx.push(n, json!({ "repositoryNames": [self.repository_name] }));
    }
}

allow_lint_setter!(Repository);

impl HasArn for Repository {}

impl Ref<Repository> {
    /// The repository's name.
    pub fn repository_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }

    /// The repository URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`), without a tag.
    pub fn uri(&self) -> Attr<String> {
        Attr::of(self, "uri")
    }
}
