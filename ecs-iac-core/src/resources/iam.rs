//! IAM roles with typed trust principals, managed policy attachments and inline policies
//! built from typed statements.

use crate::diagnostic::Rule;
use crate::grant::{grants_document, RoleGrant, GRANTS_POLICY};
use crate::kind::Kind;
use crate::limits::{self, NameRule};
use crate::lower::{placeholder, tag_setter, Cx, NodeBuilder, ResourceSpec};
use crate::requests::iam::{
    AttachRolePolicy, CreateRole, GetRole, PutRolePolicy, PutRolePolicyFields,
};
use crate::stack::{AnyRef, Meta, Ref, Resource};
use crate::value::{Attr, Text};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The AWS names of an inline policy's request fields.
const P: PutRolePolicyFields = PutRolePolicy::FIELD;

/// Who may assume a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An AWS service, e.g. `ecs-tasks.amazonaws.com`.
    Service(String),
    /// An AWS account or role ARN, or an account id.
    Aws(String),
    /// A federated identity provider.
    Federated(String),
    /// Everyone (`*`). Almost never what you want.
    Any,
}

impl Principal {
    /// ECS tasks (`ecs-tasks.amazonaws.com`): for task and task execution roles.
    pub fn ecs_tasks() -> Principal {
        Principal::Service("ecs-tasks.amazonaws.com".to_string())
    }

    /// Any AWS service principal.
    pub fn service(name: impl Into<String>) -> Principal {
        Principal::Service(name.into())
    }

    fn to_json(&self) -> Value {
        match self {
            Principal::Service(s) => json!({ "Service": s }),
            Principal::Aws(a) => json!({ "AWS": a }),
            Principal::Federated(f) => json!({ "Federated": f }),
            Principal::Any => json!("*"),
        }
    }
}

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Allow.
    Allow,
    /// Deny.
    Deny,
}

/// A resource a statement applies to.
#[derive(Debug, Clone)]
pub enum PolicyResource {
    /// A literal ARN or pattern (`*`, `arn:aws:s3:::bucket/*`), or one composed of
    /// values known after apply (`text!("{}/*", bucket.arn())`).
    Arn(Text),
    /// The ARN of a resource of this stack, resolved at apply.
    Of(AnyRef),
}

/// Resources with an ARN that policies can name.
pub trait HasArn: Resource {}

/// One policy statement.
#[derive(Debug, Clone)]
pub struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) principals: Vec<Principal>,
    pub(crate) actions: Vec<String>,
    pub(crate) resources: Vec<PolicyResource>,
    pub(crate) conditions: BTreeMap<String, BTreeMap<String, Vec<Text>>>,
}

impl Statement {
    /// An `Allow` statement for `actions`.
    pub fn allow<I, S>(actions: I) -> Statement
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Statement::new(Effect::Allow, actions)
    }

    /// A `Deny` statement for `actions`.
    pub fn deny<I, S>(actions: I) -> Statement
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Statement::new(Effect::Deny, actions)
    }

    fn new<I, S>(effect: Effect, actions: I) -> Statement
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Statement {
            sid: None,
            effect,
            principals: Vec::new(),
            actions: actions.into_iter().map(Into::into).collect(),
            resources: Vec::new(),
            conditions: BTreeMap::new(),
        }
    }

    /// A statement id.
    #[must_use]
    pub fn sid(mut self, sid: impl Into<String>) -> Statement {
        self.sid = Some(sid.into());
        self
    }

    /// Who the statement applies to, in a resource policy (a secret's, a bucket's): an
    /// account or role ARN, a service, `Principal::Any` with a condition. Identity
    /// policies (a role's) take none: their principal is the role.
    #[must_use]
    pub fn principal(mut self, principal: Principal) -> Statement {
        self.principals.push(principal);
        self
    }

    /// A resource ARN or pattern: a literal, or a value known after apply
    /// (`db.master_secret_arn()`).
    #[must_use]
    pub fn resource(mut self, arn: impl Into<Text>) -> Statement {
        self.resources.push(PolicyResource::Arn(arn.into()));
        self
    }

    /// The ARN of a resource of this stack (also an ordering edge).
    #[must_use]
    pub fn resource_of<T: HasArn>(mut self, target: &Ref<T>) -> Statement {
        self.resources.push(PolicyResource::Of(target.erase()));
        self
    }

    /// A condition, e.g. `condition("StringEquals", "aws:SourceAccount", ["123456789012"])`.
    /// Values may be known only after apply (`role.arn()`).
    #[must_use]
    pub fn condition<I, S>(
        mut self,
        operator: impl Into<String>,
        key: impl Into<String>,
        values: I,
    ) -> Statement
    where
        I: IntoIterator<Item = S>,
        S: Into<Text>,
    {
        self.conditions
            .entry(operator.into())
            .or_default()
            .insert(key.into(), values.into_iter().map(Into::into).collect());
        self
    }

    /// The statement's actions.
    pub fn actions(&self) -> &[String] {
        &self.actions
    }
}

/// A policy document.
#[derive(Debug, Clone, Default)]
pub struct PolicyDocument {
    pub(crate) statements: Vec<Statement>,
}

impl PolicyDocument {
    /// An empty document.
    pub fn new() -> PolicyDocument {
        PolicyDocument::default()
    }

    /// Adds a statement.
    #[must_use]
    pub fn statement(mut self, statement: Statement) -> PolicyDocument {
        self.statements.push(statement);
        self
    }

    /// The index of each statement that names a principal.
    pub(crate) fn with_principals(&self) -> impl Iterator<Item = usize> + '_ {
        self.statements
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.principals.is_empty())
            .map(|(i, _)| i)
    }

    /// Reports each statement without a principal at `path.Statement[i]`, as a resource
    /// policy needs one in every statement.
    pub(crate) fn require_principals(&self, cx: &mut Cx<'_>, path: &str) {
        for (i, s) in self.statements.iter().enumerate() {
            if s.principals.is_empty() {
                cx.error(
                    Rule::PolicyPrincipal,
                    format!("{path}.Statement[{i}].Principal"),
                    "a resource policy statement says whom it applies to: add `.principal(...)` (e.g. `Principal::Aws(role ARN)`, or `Principal::Any` with a condition)",
                );
            }
        }
    }

    /// Renders the document as the JSON string IAM takes, resolving stack references
    /// to ARN placeholders and recording them as edges on `node`.
    pub(crate) fn render(&self, cx: &Cx<'_>, node: &mut NodeBuilder<'_>, path: &str) -> String {
        let statements: Vec<Value> = self
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut m = Map::new();
                if let Some(sid) = &s.sid {
                    m.insert("Sid".into(), json!(sid));
                }
                m.insert(
                    "Effect".into(),
                    json!(if s.effect == Effect::Allow {
                        "Allow"
                    } else {
                        "Deny"
                    }),
                );
                if !s.principals.is_empty() {
                    m.insert("Principal".into(), principals_json(&s.principals));
                }
                m.insert("Action".into(), one_or_many(s.actions.clone()));
                let at = || format!("{path}.Statement[{i}].Resource");
                let resources: Vec<String> = s
                    .resources
                    .iter()
                    .map(|r| match r {
                        PolicyResource::Arn(arn) => node.text(at, arn),
                        PolicyResource::Of(target) => arn_of(cx, node, &at(), target),
                    })
                    .collect();
                if !resources.is_empty() {
                    m.insert("Resource".into(), one_or_many(resources));
                } else if !s.principals.is_empty() {
                    // A resource policy applies to the resource it is attached to.
                    m.insert("Resource".into(), json!("*"));
                } else {
                    m.insert("Resource".into(), json!([]));
                }
                if !s.conditions.is_empty() {
                    let mut conditions = Map::new();
                    for (operator, keys) in &s.conditions {
                        let mut rendered = Map::new();
                        for (key, values) in keys {
                            let values: Vec<String> = values
                                .iter()
                                .map(|v| {
                                    node.text(|| format!("{path}.Statement[{i}].Condition"), v)
                                })
                                .collect();
                            rendered.insert(key.clone(), json!(values));
                        }
                        conditions.insert(operator.clone(), Value::Object(rendered));
                    }
                    m.insert("Condition".into(), Value::Object(conditions));
                }
                Value::Object(m)
            })
            .collect();
        let doc = json!({ "Version": "2012-10-17", "Statement": statements });
        doc.to_string()
    }
}

/// A statement's `Principal`: `"*"` for anyone, else one entry per principal type, a
/// string for one value and a list for several.
fn principals_json(principals: &[Principal]) -> Value {
    if principals.contains(&Principal::Any) {
        return json!("*");
    }
    let mut by_type: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in principals {
        let (key, value) = match p {
            Principal::Service(s) => ("Service", s),
            Principal::Aws(a) => ("AWS", a),
            Principal::Federated(f) => ("Federated", f),
            Principal::Any => continue,
        };
        by_type.entry(key).or_default().push(value.clone());
    }
    Value::Object(
        by_type
            .into_iter()
            .map(|(k, v)| (k.to_string(), one_or_many(v)))
            .collect(),
    )
}

fn one_or_many(items: Vec<String>) -> Value {
    if items.len() == 1 {
        json!(items[0])
    } else {
        json!(items)
    }
}

/// The ARN a policy uses for a stack resource, recording the edge.
fn arn_of(cx: &Cx<'_>, node: &mut NodeBuilder<'_>, path: &str, target: &AnyRef) -> String {
    use crate::stack::AnyResource as A;
    let Some(resource) = cx.stack.resolve(target) else {
        node.unknown(path, target);
        return placeholder(target.name(), "arn");
    };
    node.depend_on_node(target.name().to_string());
    match resource {
        A::Secret(s) if s.is_arn => s.secret_id.clone(),
        // Secrets Manager appends a random suffix to secret ARNs.
        A::Secret(_) => placeholder(target.name(), "arn"),
        A::LogGroup(g) => format!(
            "arn:{}:logs:{}:{}:log-group:{}:*",
            cx.partition(),
            cx.region(),
            crate::lower::ACCOUNT_ID,
            g.log_group_name
        ),
        _ => placeholder(target.name(), "arn"),
    }
}

/// How [`ManagedPolicy::aws`] names a policy before the partition is known.
const AWS_MANAGED: &str = "arn:aws:iam::aws:policy/";

/// An AWS managed or customer managed policy to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy(String);

impl ManagedPolicy {
    /// An AWS managed policy by its path and name, e.g.
    /// `service-role/AmazonECSTaskExecutionRolePolicy`.
    pub fn aws(name: &str) -> ManagedPolicy {
        ManagedPolicy(format!("{AWS_MANAGED}{name}"))
    }

    /// `service-role/AmazonECSTaskExecutionRolePolicy`: pull images, write awslogs.
    pub fn ecs_task_execution() -> ManagedPolicy {
        ManagedPolicy::aws("service-role/AmazonECSTaskExecutionRolePolicy")
    }

    /// Any policy by ARN.
    pub fn arn(arn: impl Into<String>) -> ManagedPolicy {
        ManagedPolicy(arn.into())
    }

    /// The policy ARN.
    pub fn as_arn(&self) -> &str {
        &self.0
    }

    /// The ARN in `partition`: an AWS managed policy ([`ManagedPolicy::aws`]) exists in
    /// every partition under the same path.
    pub(crate) fn arn_in(&self, partition: &str) -> String {
        match self.0.strip_prefix(AWS_MANAGED) {
            Some(rest) if partition != "aws" => format!("arn:{partition}:iam::aws:policy/{rest}"),
            _ => self.0.clone(),
        }
    }

    pub(crate) fn short_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}

/// An IAM role.
#[derive(Debug, Clone)]
pub struct Role {
    pub(crate) meta: Meta,
    pub(crate) role_name: Option<String>,
    pub(crate) trust: Vec<Principal>,
    pub(crate) trust_conditions: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    pub(crate) description: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) max_session_duration: Option<u32>,
    pub(crate) managed: Vec<ManagedPolicy>,
    pub(crate) inline: Vec<(String, PolicyDocument)>,
    /// Grants from [`crate::Stack::grant`], rendered as the [`GRANTS_POLICY`] inline policy.
    pub(crate) grants: Vec<RoleGrant>,
    /// The name or ARN of a role the stack does not own.
    pub(crate) existing: Option<String>,
}

impl Role {
    /// A role that `principal` may assume (`sts:AssumeRole`).
    pub fn new(name: impl Into<String>, principal: Principal) -> Role {
        Role {
            meta: Meta::new(name),
            role_name: None,
            trust: vec![principal],
            trust_conditions: BTreeMap::new(),
            description: None,
            path: None,
            max_session_duration: None,
            managed: Vec::new(),
            inline: Vec::new(),
            grants: Vec::new(),
            existing: None,
        }
    }

    /// A role the stack does not own, by its name or ARN (a platform team's
    /// `ecsTaskExecutionRole`): looked up before every apply, never changed, forgotten by
    /// `destroy`. Use its reference as a task's execution or task role. It takes no
    /// policies or grants: adding one is a validation error (the stack would change it).
    pub fn existing(name: impl Into<String>, name_or_arn: impl Into<String>) -> Role {
        Role {
            existing: Some(name_or_arn.into()),
            trust: Vec::new(),
            ..Role::new(name, Principal::ecs_tasks())
        }
    }

    /// Another principal that may assume the role.
    #[must_use]
    pub fn trust(mut self, principal: Principal) -> Role {
        self.trust.push(principal);
        self
    }

    /// A condition on assuming the role, e.g. `("StringEquals", "aws:SourceAccount", [account])`
    /// against the confused-deputy problem.
    #[must_use]
    pub fn trust_condition<I, S>(
        mut self,
        operator: impl Into<String>,
        key: impl Into<String>,
        values: I,
    ) -> Role
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.trust_conditions
            .entry(operator.into())
            .or_default()
            .insert(key.into(), values.into_iter().map(Into::into).collect());
        self
    }

    /// The IAM path, e.g. `/service-roles/`.
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Role {
        self.path = Some(path.into());
        self
    }

    /// Maximum session duration in seconds (3600-43200).
    #[must_use]
    pub fn max_session_duration(mut self, seconds: u32) -> Role {
        self.max_session_duration = Some(seconds);
        self
    }

    /// The AWS role name (defaults to the logical name).
    #[must_use]
    pub fn role_name(mut self, name: impl Into<String>) -> Role {
        self.role_name = Some(name.into());
        self
    }

    /// A description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Role {
        self.description = Some(description.into());
        self
    }

    /// Attaches a managed policy.
    #[must_use]
    pub fn managed_policy(mut self, policy: ManagedPolicy) -> Role {
        self.managed.push(policy);
        self
    }

    /// Adds an inline policy.
    #[must_use]
    pub fn inline_policy(mut self, name: impl Into<String>, document: PolicyDocument) -> Role {
        self.inline.push((name.into(), document));
        self
    }

    /// The AWS role name.
    pub fn aws_role_name(&self) -> String {
        self.role_name
            .clone()
            .unwrap_or_else(|| self.meta.name.replace('/', "-"))
    }

    /// Managed policies attached.
    pub fn managed_policies(&self) -> &[ManagedPolicy] {
        &self.managed
    }

    /// The node part of the grants policy request (`policy:ecs-iac-grants`).
    pub(crate) fn grants_part() -> String {
        format!("policy:{GRANTS_POLICY}")
    }

    /// Whether [`crate::Stack::grant`] gave this role any IAM grant.
    pub fn has_grants(&self) -> bool {
        !self.grants.is_empty()
    }

    fn trust_document(&self) -> String {
        let statements: Vec<Value> = self
            .trust
            .iter()
            .map(|p| {
                let mut s = json!({ "Effect": "Allow", "Principal": p.to_json(), "Action": "sts:AssumeRole" });
                if !self.trust_conditions.is_empty() {
                    s["Condition"] = json!(self.trust_conditions);
                }
                s
            })
            .collect();
        json!({ "Version": "2012-10-17", "Statement": statements }).to_string()
    }
}

impl ResourceSpec for Role {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        self.existing
            .is_none()
            .then(|| (self.aws_role_name(), &limits::IAM_ROLE_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.existing.is_some() {
            if !self.managed.is_empty()
                || !self.inline.is_empty()
                || !self.grants.is_empty()
                || !self.trust.is_empty()
            {
                cx.error(
                    Rule::ExistingResource,
                    "Policies",
                    format!(
                        "`{}` is a role the stack does not own: it takes no policies, grants or trust (the stack would change it); grant to a role of the stack instead",
                        self.meta.name
                    ),
                );
            }
            return;
        }
        for (i, (name, document)) in self.inline.iter().enumerate() {
            for j in document.with_principals() {
                cx.error(
                    Rule::PolicyPrincipal,
                    format!("inlinePolicies[{i}].Statement[{j}].Principal"),
                    "a role's policy applies to the role: IAM refuses a `Principal` in it (principals belong in resource policies and the trust policy)",
                );
            }
            if name == GRANTS_POLICY && !self.grants.is_empty() {
                cx.error(
                    Rule::DuplicateName,
                    format!("inlinePolicies[{i}].{}", P.policy_name),
                    format!("`{GRANTS_POLICY}` is the policy `stack.grant(...)` writes for this role; name this inline policy differently"),
                );
            }
            if let Some(problem) = limits::IAM_POLICY_NAME.check(name) {
                cx.error(
                    Rule::AwsName,
                    format!("inlinePolicies[{i}].{}", P.policy_name),
                    problem,
                );
            }
        }
        if let Some(d) = self.max_session_duration {
            if !(3600..=43200).contains(&d) {
                cx.error(
                    Rule::AwsName,
                    CreateRole::FIELD.max_session_duration,
                    format!("{d} s; IAM allows 3600-43200 seconds"),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if let Some(id) = &self.existing {
            // GetRole takes the name: the last segment of an ARN (`role/path/name`).
            let name = id.rsplit('/').next().unwrap_or(id);
            let n = cx.node("", Kind::EXISTING_ROLE);
            let lookup = GetRole {
                role_name: Some(name.to_string()),
            };
            cx.push_request(n, lookup);
            return;
        }
        let n = cx.node("", Kind::ROLE);
        let request = CreateRole {
            role_name: Some(self.aws_role_name()),
            assume_role_policy_document: Some(self.trust_document()),
            description: self.description.clone(),
            path: self.path.clone(),
            max_session_duration: self
                .max_session_duration
                .and_then(|d| i32::try_from(d).ok()),
        };
        cx.push_request(n, request);
        let role_name = self.aws_role_name();
        for policy in &self.managed {
            let n = cx.node(
                &format!("attachment:{}", policy.short_name()),
                Kind::ROLE_POLICY_ATTACHMENT,
            );
            let request = AttachRolePolicy {
                role_name: Some(role_name.clone()),
                policy_arn: Some(policy.arn_in(&cx.partition())),
            };
            cx.push_request(n, request);
        }
        for (i, (name, document)) in self.inline.iter().enumerate() {
            let mut n = cx.node(&format!("policy:{name}"), Kind::ROLE_POLICY);
            let doc = document.render(
                cx,
                &mut n,
                &format!("inlinePolicies[{i}].{}", P.policy_document),
            );
            let request = PutRolePolicy {
                role_name: Some(role_name.clone()),
                policy_name: Some(name.clone()),
                policy_document: Some(doc),
            };
            cx.push_request(n, request);
        }
        if let Some(document) = grants_document(&self.grants) {
            let mut n = cx.node(&Role::grants_part(), Kind::ROLE_POLICY);
            let doc = document.render(cx, &mut n, &format!("grants.{}", P.policy_document));
            let request = PutRolePolicy {
                role_name: Some(role_name.clone()),
                policy_name: Some(GRANTS_POLICY.to_string()),
                policy_document: Some(doc),
            };
            cx.push_request(n, request);
        }
    }
}

tag_setter!(Role);

impl HasArn for Role {}

impl Ref<Role> {
    /// The role's name in IAM.
    pub fn role_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }
}
