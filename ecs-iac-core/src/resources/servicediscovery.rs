//! Cloud Map: the HTTP namespaces ECS Service Connect uses.

use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, NameRule};
use crate::lower::{tag_setter, Cx, ResourceSpec};
use crate::requests::servicediscovery::{CreateHttpNamespace, ListNamespaces, NamespaceFilter};
use crate::resources::iam::HasArn;
use crate::stack::Meta;

/// A Cloud Map HTTP namespace, for ECS Service Connect.
#[derive(Debug, Clone)]
pub struct Namespace {
    pub(crate) meta: Meta,
    pub(crate) namespace_name: String,
    pub(crate) description: Option<String>,
    /// Set for a namespace the stack does not own ([`Namespace::existing`]).
    pub(crate) existing: bool,
}

impl Namespace {
    /// An HTTP namespace named `namespace_name` (e.g. `internal`).
    pub fn http(name: impl Into<String>, namespace_name: impl Into<String>) -> Namespace {
        Namespace {
            meta: Meta::new(name),
            namespace_name: namespace_name.into(),
            description: None,
            existing: false,
        }
    }

    /// A namespace the stack uses but does not own (HTTP or DNS), found by its name.
    pub fn existing(name: impl Into<String>, namespace_name: impl Into<String>) -> Namespace {
        Namespace {
            existing: true,
            ..Namespace::http(name, namespace_name)
        }
    }

    /// A description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Namespace {
        self.description = Some(description.into());
        self
    }
}

impl ResourceSpec for Namespace {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.namespace_name.clone(), &limits::NAMESPACE_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.existing && self.description.is_some() {
            cx.error(
                Rule::ExistingResource,
                CreateHttpNamespace::FIELD.description,
                format!("`{}` is a namespace the stack does not own: its description is not the stack's to set", self.meta.name),
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if self.existing {
            let n = cx.node("", Kind::EXISTING_NAMESPACE);
            let filter = NamespaceFilter {
                name: Some("NAME".into()),
                values: Some(vec![self.namespace_name.clone()]),
                condition: Some("EQ".into()),
            };
            let lookup = ListNamespaces {
                filters: Some(vec![filter]),
            };
            cx.push_request(n, lookup);
            return;
        }
        let n = cx.node("", Kind::HTTP_NAMESPACE);
        let request = CreateHttpNamespace {
            name: Some(self.namespace_name.clone()),
            description: self.description.clone(),
        };
        cx.push_request(n, request);
    }
}

impl HasArn for Namespace {}

tag_setter!(Namespace);
