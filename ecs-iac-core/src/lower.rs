//! Lowering: turning resources into the API requests that create them.
//!
//! Every resource lowers to one or more [`Node`]s. A node is exactly one AWS API call with
//! the JSON body the AWS CLI's `--cli-input-json` takes for it. References between resources
//! become `${address.attribute}` placeholders and dependency edges at the same time, so an
//! edge is never declared twice.

use crate::diagnostic::{Diagnostic, Rule};
use crate::stack::{AnyRef, Meta, Ref, Resource, Stack};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The tag key holding the stack name on every resource ecs-iac creates.
pub const STACK_TAG: &str = "ecs-iac:stack";
/// The tag key holding the resource address on every resource ecs-iac creates.
pub const ADDRESS_TAG: &str = "ecs-iac:address";
/// Placeholder for the AWS account id, resolved at apply.
pub const ACCOUNT_ID: &str = "${aws.account_id}";
/// Placeholder for the region, resolved at apply (used when the stack pins no region).
pub const REGION: &str = "${aws.region}";

/// An AWS API operation, e.g. `ecs:RegisterTaskDefinition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Operation {
    /// The service, as the AWS SDK for Rust names its crate (`ecs`, `ec2`, `elasticloadbalancingv2`).
    pub service: &'static str,
    /// The API action, e.g. `CreateService`.
    pub action: &'static str,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service, self.action)
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One API request of the plan: the unit that is created, updated, replaced or deleted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// Unique address: the resource's logical name, plus `#part` for follow-up requests
    /// (e.g. `alb-sg#ingress`).
    pub address: String,
    /// Logical name of the resource this node belongs to.
    pub resource: String,
    /// Node kind, e.g. `ec2.vpc` or `ec2.security_group_ingress`.
    pub kind: &'static str,
    /// The API call that creates it.
    pub operation: Operation,
    /// The request body, as `--cli-input-json` takes it. Never holds a secret value.
    pub body: Value,
    /// Addresses of nodes that must exist first.
    pub depends_on: Vec<String>,
    /// Top-level body fields whose change forces replacement; others update in place.
    pub replace_on: &'static [&'static str],
    /// True for lookups of things the stack does not own (e.g. an existing secret).
    pub data_source: bool,
}

/// Every field forces replacement (for immutable API objects).
pub(crate) const ALL_FIELDS: &[&str] = &["*"];

impl Node {
    /// Whether a change to the top-level body field `field` forces replacement.
    pub fn forces_replacement(&self, field: &str) -> bool {
        self.replace_on.iter().any(|f| *f == "*" || *f == field)
    }
}

/// The placeholder for an attribute of a resource known only after apply.
pub fn placeholder(address: &str, attribute: &str) -> String {
    format!("${{{address}.{attribute}}}")
}

/// Context for validating and lowering one resource.
pub(crate) struct Cx<'a> {
    pub stack: &'a Stack,
    pub meta: &'a Meta,
    pub extra_deps: &'a [AnyRef],
    pub diagnostics: Vec<Diagnostic>,
    pub nodes: Vec<Node>,
}

impl<'a> Cx<'a> {
    /// `stack/name`, the address diagnostics name.
    pub fn address(&self) -> String {
        format!("{}/{}", self.stack.name, self.meta.name)
    }

    pub fn error(&mut self, rule: Rule, path: impl Into<String>, message: impl Into<String>) {
        let d = Diagnostic::new(rule, self.address(), path, message);
        self.diagnostics.push(d);
    }

    /// The referenced resource, without recording an edge (for validation).
    pub fn get<T: Resource>(&self, r: &Ref<T>) -> Option<&'a T> {
        self.stack.get(r)
    }

    pub fn region(&self) -> String {
        self.stack
            .region
            .clone()
            .unwrap_or_else(|| REGION.to_string())
    }

    /// Starts the node for `part` (`""` for the resource's main request).
    pub fn node(
        &self,
        part: &str,
        kind: &'static str,
        service: &'static str,
        action: &'static str,
    ) -> NodeBuilder<'a> {
        let address = if part.is_empty() {
            self.meta.name.clone()
        } else {
            format!("{}#{}", self.meta.name, part)
        };
        let mut deps = BTreeSet::new();
        for d in self.extra_deps {
            if self.stack.resolve(d).is_some() {
                deps.insert(d.name.to_string());
            }
        }
        if !part.is_empty() {
            deps.insert(self.meta.name.clone());
        }
        NodeBuilder {
            stack: self.stack,
            owner: format!("{}/{}", self.stack.name, self.meta.name),
            resource: self.meta.name.clone(),
            address,
            kind,
            operation: Operation { service, action },
            deps,
            diagnostics: Vec::new(),
            replace_on: &[],
            data_source: false,
        }
    }

    /// Finishes a node with its body.
    pub fn push(&mut self, node: NodeBuilder<'a>, body: Value) {
        self.diagnostics.extend(node.diagnostics);
        self.nodes.push(Node {
            address: node.address,
            resource: node.resource,
            kind: node.kind,
            operation: node.operation,
            body: strip_nulls(body),
            depends_on: node.deps.into_iter().collect(),
            replace_on: node.replace_on,
            data_source: node.data_source,
        });
    }

    /// Ownership tags plus the resource's own tags (and `Name`, when `name_tag`).
    pub fn tags(&self, name_tag: bool) -> BTreeMap<String, String> {
        let mut tags = BTreeMap::new();
        if name_tag {
            tags.insert("Name".to_string(), self.meta.name.clone());
        }
        tags.extend(self.meta.tags.clone());
        tags.insert(STACK_TAG.to_string(), self.stack.name.clone());
        tags.insert(ADDRESS_TAG.to_string(), self.meta.name.clone());
        tags
    }

    /// `[{"Key", "Value"}]` tags (RDS, IAM, ELBv2, ElastiCache, CloudWatch, Cloud Map).
    pub fn key_value_tags(&self) -> Value {
        pairs(&self.tags(false), "Key", "Value")
    }

    /// `[{"key", "value"}]` tags (ECS).
    pub fn ecs_tags(&self) -> Value {
        pairs(&self.tags(false), "key", "value")
    }

    /// `{"key": "value"}` tags (CloudWatch Logs, Application Auto Scaling).
    pub fn map_tags(&self) -> Value {
        json!(self.tags(false))
    }

    /// EC2 `TagSpecifications` for `resource_type`, with a `Name` tag.
    pub fn ec2_tags(&self, resource_type: &str) -> Value {
        json!([{ "ResourceType": resource_type, "Tags": pairs(&self.tags(true), "Key", "Value") }])
    }
}

fn pairs(tags: &BTreeMap<String, String>, key: &str, value: &str) -> Value {
    Value::Array(
        tags.iter()
            .map(|(k, v)| {
                let mut m = Map::new();
                m.insert(key.to_string(), Value::String(k.clone()));
                m.insert(value.to_string(), Value::String(v.clone()));
                Value::Object(m)
            })
            .collect(),
    )
}

/// Removes `null` members so optional fields that are unset do not render.
fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// Builds one node: records its dependencies as references are resolved.
pub(crate) struct NodeBuilder<'a> {
    stack: &'a Stack,
    owner: String,
    resource: String,
    address: String,
    kind: &'static str,
    operation: Operation,
    deps: BTreeSet<String>,
    diagnostics: Vec<Diagnostic>,
    replace_on: &'static [&'static str],
    data_source: bool,
}

impl<'a> NodeBuilder<'a> {
    /// Fields whose change forces replacement.
    pub fn replace_on(mut self, fields: &'static [&'static str]) -> Self {
        self.replace_on = fields;
        self
    }

    /// Marks the node as a lookup of something the stack does not own.
    pub fn data_source(mut self) -> Self {
        self.data_source = true;
        self
    }

    /// Resolves a reference at body field `path`, recording the edge. Reports
    /// `unknown-reference` when it is not from this stack.
    pub fn target<T: Resource>(&mut self, path: &str, r: &Ref<T>) -> Option<&'a T> {
        match self.stack.get(r) {
            Some(found) => {
                self.deps.insert(r.name.to_string());
                Some(found)
            }
            None => {
                self.diagnostics.push(Diagnostic::new(
                    Rule::UnknownReference,
                    self.owner.clone(),
                    path,
                    format!(
                        "refers to {} `{}`, which is not in stack `{}`; add it to this stack with `stack.add(...)` and pass the reference it returns",
                        T::KIND,
                        r.name,
                        self.stack.name
                    ),
                ));
                None
            }
        }
    }

    /// Reports an erased reference that is not from this stack.
    pub fn unknown(&mut self, path: &str, r: &AnyRef) {
        self.diagnostics.push(Diagnostic::new(
            Rule::UnknownReference,
            self.owner.clone(),
            path,
            format!(
                "refers to {} `{}`, which is not in stack `{}`",
                r.kind, r.name, self.stack.name
            ),
        ));
    }

    /// The placeholder of `attribute` of the referenced resource, recording the edge.
    pub fn attr<T: Resource>(&mut self, path: &str, r: &Ref<T>, attribute: &str) -> String {
        self.target(path, r);
        placeholder(&r.name, attribute)
    }

    /// Depends on a specific node (e.g. `igw#attachment`).
    pub fn depend_on_node(&mut self, address: String) {
        self.deps.insert(address);
    }
}

/// Implements the `tag` setter shared by every resource builder.
macro_rules! tag_setter {
    ($($ty:ty),* $(,)?) => {$(
        impl $ty {
            /// Adds a tag. Ownership tags (`ecs-iac:*`) are always added as well.
            #[must_use]
            pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                self.meta.tags.insert(key.into(), value.into());
                self
            }
        }
    )*};
}
pub(crate) use tag_setter;
