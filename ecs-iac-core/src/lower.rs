//! Lowering: turning resources into the API requests that create them.
//!
//! Every resource lowers to one or more [`Node`]s. A node is exactly one AWS API call with
//! the JSON body the AWS CLI's `--cli-input-json` takes for it. References between resources
//! become `${address.attribute}` placeholders and dependency edges at the same time, so an
//! edge is never declared twice.

use crate::diagnostic::{Diagnostic, Rule};
use crate::kind::{Kind, Tags};
use crate::stack::{AnyRef, Meta, Ref, Resource, Stack};
use serde::Serialize;
use serde_json::{Map, Value};
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
/// Placeholder for the partition (`aws`, `aws-cn`, …), resolved at apply (used when the
/// stack pins no region).
pub const PARTITION: &str = "${aws.partition}";

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
    pub kind: Kind,
    /// The API call that creates it.
    pub operation: Operation,
    /// The request body, as `--cli-input-json` takes it. Never holds a secret value.
    pub body: Value,
    /// Addresses of nodes that must exist first.
    pub depends_on: Vec<String>,
    /// True for lookups of things the stack does not own (e.g. an existing secret).
    pub data_source: bool,
    /// What a plan may do to the node when it holds data (databases, caches, log groups).
    /// Never rendered into the request.
    #[serde(skip_serializing_if = "Protection::is_default")]
    pub protection: Protection,
}

/// What a plan may do to a node that holds data (see [`crate::kind::KindSpec::stateful`]).
/// Both are off by default: a plan that would replace or delete such a node is blocked.
/// Set with `.allow_replacement()` and `.allow_destroy()` on the resource's builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Protection {
    /// A change that cannot happen in place may delete the resource and create it again.
    pub allow_replacement: bool,
    /// Removing the resource from the stack may delete it (once a plan with this set has
    /// been applied, the state records it).
    pub allow_destroy: bool,
}

impl Protection {
    /// True when nothing is allowed (the default).
    pub fn is_default(&self) -> bool {
        *self == Protection::default()
    }
}

impl Node {
    /// Whether a change to the top-level body field `field` forces replacement (the
    /// kind decides: [`Kind::field_change`]).
    pub fn forces_replacement(&self, field: &str) -> bool {
        self.kind.forces_replacement(field)
    }
}

/// The placeholder for an attribute of a resource known only after apply.
pub fn placeholder(address: &str, attribute: &str) -> String {
    format!("${{{address}.{attribute}}}")
}

/// Lookups across the whole stack, computed once per compile so that lowering a
/// resource never scans every other resource.
#[derive(Debug, Default)]
pub(crate) struct Index {
    /// Target group index -> listeners and listener rules forwarding to it.
    pub forwarders: BTreeMap<usize, Vec<String>>,
    /// VPC index -> internet gateway attachment nodes.
    pub igw_attachments: BTreeMap<usize, Vec<String>>,
    /// The logical names of the stack's resources.
    pub resources: std::collections::HashSet<String>,
}

impl Index {
    pub fn new(stack: &Stack) -> Index {
        use crate::stack::AnyResource as A;
        let mut index = Index::default();
        for r in stack.resources() {
            index.resources.insert(r.logical_name().to_string());
            let forwards = match r {
                A::Listener(l) => l.forwards_to(),
                A::ListenerRule(l) => l.forwards_to(),
                A::InternetGateway(igw) => {
                    index
                        .igw_attachments
                        .entry(igw.vpc.index)
                        .or_default()
                        .push(crate::resources::InternetGateway::attachment_address(
                            &igw.meta.name,
                        ));
                    continue;
                }
                _ => continue,
            };
            for tg in forwards {
                index
                    .forwarders
                    .entry(tg.index)
                    .or_default()
                    .push(r.logical_name().to_string());
            }
        }
        index
    }
}

/// Context for validating and lowering one resource.
pub(crate) struct Cx<'a> {
    pub stack: &'a Stack,
    pub index: &'a Index,
    pub meta: &'a Meta,
    pub extra_deps: &'a [AnyRef],
    pub diagnostics: Vec<Diagnostic>,
    pub nodes: Vec<Node>,
}

impl<'a> Cx<'a> {
    /// The resource's address, as plan, state and diagnostics write it.
    pub fn address(&self) -> String {
        self.meta.name.clone()
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

    /// The ARN partition: the pinned region's, or the `${aws.partition}` placeholder.
    pub fn partition(&self) -> String {
        match &self.stack.region {
            Some(region) => crate::resolve::partition(region).to_string(),
            None => PARTITION.to_string(),
        }
    }

    /// Starts the node for `part` (`""` for the resource's main request).
    pub fn node(&self, part: &str, kind: Kind) -> NodeBuilder<'a> {
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
            resource: self.meta.name.clone(),
            address,
            kind,
            operation: kind.create_operation(),
            deps,
            diagnostics: Vec::new(),
            data_source: kind.spec().data_source,
            protection: Protection::default(),
        }
    }

    /// Finishes a node with its body. Every `${resource.attribute}` placeholder in the
    /// body that names another resource of the stack is a dependency too, so a value
    /// written into any string field (a tag, a condition) orders the apply.
    pub fn push(&mut self, mut node: NodeBuilder<'a>, mut body: Value) {
        self.diagnostics
            .extend(std::mem::take(&mut node.diagnostics));
        if node.data_source && !self.meta.tags.is_empty() {
            self.error(
                Rule::ExistingResource,
                "Tags",
                format!(
                    "`{}` is not owned by the stack: its tags are not the stack's to set",
                    self.meta.name
                ),
            );
        }
        let style = node.kind.spec().tags;
        if let (Some(field), Value::Object(map)) = (style.field(), &mut body) {
            let value = match style {
                Tags::Ec2(resource_type) => self.ec2_tags(resource_type),
                Tags::KeyValue | Tags::LowerKeyValue => self.key_value_tags(),
                Tags::Ecs => self.ecs_tags(),
                Tags::Map | Tags::LowerMap => self.map_tags(),
                Tags::Kms => pairs(&self.tags(false), "TagKey", "TagValue"),
                Tags::None => Value::Null,
            };
            map.insert(field.to_string(), value);
        }
        for p in crate::resolve::placeholders(&body) {
            if p.address != node.address
                && p.address != "aws"
                && self.index.resources.contains(p.address.as_str())
            {
                node.deps.insert(p.address);
            }
        }
        self.nodes.push(Node {
            address: node.address,
            resource: node.resource,
            kind: node.kind,
            operation: node.operation,
            body: strip_nulls(body),
            depends_on: node.deps.into_iter().collect(),
            data_source: node.data_source,
            protection: node.protection,
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
    fn key_value_tags(&self) -> Value {
        pairs(&self.tags(false), "Key", "Value")
    }

    /// `[{"key", "value"}]` tags (ECS).
    fn ecs_tags(&self) -> Value {
        pairs(&self.tags(false), "key", "value")
    }

    /// `{"key": "value"}` tags (CloudWatch Logs, Application Auto Scaling).
    fn map_tags(&self) -> Value {
        Value::Object(
            self.tags(false)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    }

    /// EC2 `TagSpecifications` for `resource_type`, with a `Name` tag.
    fn ec2_tags(&self, resource_type: &str) -> Value {
        let mut spec = Map::new();
        spec.insert(
            "ResourceType".into(),
            Value::String(resource_type.to_string()),
        );
        spec.insert("Tags".into(), pairs(&self.tags(true), "Key", "Value"));
        Value::Array(vec![Value::Object(spec)])
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
fn strip_nulls(mut value: Value) -> Value {
    strip_nulls_in_place(&mut value);
    value
}

fn strip_nulls_in_place(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls_in_place);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls_in_place),
        _ => {}
    }
}

/// A field path for diagnostics, rendered only when a diagnostic needs it (building
/// paths for every valid reference would dominate lowering time).
pub(crate) trait FieldPath {
    fn render(self) -> String;
}

impl FieldPath for &str {
    fn render(self) -> String {
        self.to_string()
    }
}

impl FieldPath for &String {
    fn render(self) -> String {
        self.clone()
    }
}

impl<F: FnOnce() -> String> FieldPath for F {
    fn render(self) -> String {
        self()
    }
}

/// Builds one node: records its dependencies as references are resolved.
pub(crate) struct NodeBuilder<'a> {
    stack: &'a Stack,
    resource: String,
    address: String,
    kind: Kind,
    operation: Operation,
    deps: BTreeSet<String>,
    diagnostics: Vec<Diagnostic>,
    data_source: bool,
    protection: Protection,
}

impl<'a> NodeBuilder<'a> {
    /// The owning resource's address, as diagnostics name it.
    fn owner(&self) -> String {
        self.resource.to_string()
    }

    /// What a plan may do to the node when it holds data.
    pub fn protection(mut self, protection: Protection) -> Self {
        self.protection = protection;
        self
    }

    /// Resolves a reference at body field `path`, recording the edge. Reports
    /// `unknown-reference` when it is not from this stack.
    pub fn target<T: Resource>(&mut self, path: impl FieldPath, r: &Ref<T>) -> Option<&'a T> {
        match self.stack.get(r) {
            Some(found) => {
                self.deps.insert(r.name.to_string());
                Some(found)
            }
            None => {
                self.diagnostics.push(Diagnostic::new(
                    Rule::UnknownReference,
                    self.owner(),
                    path.render(),
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
            self.owner(),
            path,
            format!(
                "refers to {} `{}`, which is not in stack `{}`",
                r.kind, r.name, self.stack.name
            ),
        ));
    }

    /// The placeholder of `attribute` of the referenced resource, recording the edge.
    pub fn attr<T: Resource>(
        &mut self,
        path: impl FieldPath,
        r: &Ref<T>,
        attribute: &str,
    ) -> String {
        self.target(path, r);
        placeholder(&r.name, attribute)
    }

    /// The text as it renders, recording an edge to every resource it uses and reporting
    /// one that is not from this stack at `path`.
    pub fn text(&mut self, path: impl FieldPath, text: &crate::value::Text) -> String {
        let mut path = Some(path);
        for (r, _) in text.uses() {
            if self.stack.resolve(r).is_some() {
                self.deps.insert(r.name.to_string());
            } else if let Some(p) = path.take() {
                let p = p.render();
                self.unknown(&p, r);
            }
        }
        text.as_str().to_string()
    }

    /// Reports a problem of this node's resource at `path`.
    pub fn report(&mut self, rule: Rule, path: String, message: String) {
        let d = Diagnostic::new(rule, self.owner(), path, message);
        self.diagnostics.push(d);
    }

    /// Depends on a specific node (e.g. `igw#attachment`).
    pub fn depend_on_node(&mut self, address: String) {
        self.deps.insert(address);
    }
}

/// Implements the `tag` setter (and `allow_lint`) shared by every taggable resource builder.
macro_rules! tag_setter {
    ($($ty:ty),* $(,)?) => {$(
        impl $ty {
            /// Adds a tag. Its value may be known only after apply (`vpc.id()`), which
            /// orders the apply. Ownership tags (`ecs-iac:*`) are always added as well.
            #[must_use]
            pub fn tag(mut self, key: impl Into<String>, value: impl Into<crate::value::Text>) -> Self {
                self.meta.tags.insert(key.into(), value.into().to_string());
                self
            }
        }
        crate::lower::allow_lint_setter!($ty);
    )*};
}
pub(crate) use tag_setter;

/// Implements the `allow_lint` setter every resource builder has.
macro_rules! allow_lint_setter {
    ($($ty:ty),* $(,)?) => {$(
        impl $ty {
            /// Suppresses the lint rule `rule` (its id, e.g. `sg-open-ingress`, or its code,
            /// e.g. `L0101`) on this resource, for the written `reason`. The finding stays in
            /// the [`LintReport`](crate::lint::LintReport), marked suppressed with the reason,
            /// and no longer counts as a failure. An unknown rule or an empty reason is
            /// itself reported as an error by [`lint`](crate::lint()); suppressions never
            /// render into a request.
            #[must_use]
            pub fn allow_lint(mut self, rule: impl Into<String>, reason: impl Into<String>) -> Self {
                self.meta.lint_allow.push(crate::stack::LintAllow {
                    rule: rule.into(),
                    reason: reason.into(),
                });
                self
            }
        }
    )*};
}
pub(crate) use allow_lint_setter;

/// Implements `allow_replacement` and `allow_destroy` on the builders of resources that
/// hold data; each has a `protection: Protection` field its main node carries.
macro_rules! protection_setters {
    ($($ty:ty),* $(,)?) => {$(
        impl $ty {
            /// Lets a plan replace this resource (delete it and create it again) when a
            /// field that cannot change in place changes. Its data is lost. Without this,
            /// such a plan is blocked. Never rendered into a request.
            #[must_use]
            pub fn allow_replacement(mut self) -> Self {
                self.protection.allow_replacement = true;
                self
            }

            /// Lets a plan delete this resource once it is removed from the stack. Its data
            /// is lost. The state records this when a plan with it is applied, so apply
            /// once with it set before removing the resource; without it the delete is
            /// blocked. `destroy` deletes the resource either way. Never rendered into a
            /// request.
            #[must_use]
            pub fn allow_destroy(mut self) -> Self {
                self.protection.allow_destroy = true;
                self
            }
        }
    )*};
}
pub(crate) use protection_setters;
