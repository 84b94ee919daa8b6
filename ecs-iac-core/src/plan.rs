//! Plans: what applying a stack would do to a prior state, as data, with a human and a
//! JSON view of the same value.
//!
//! Why this room is long (about 1,100 lines): the plan's data types, the diff of desired and
//! recorded state per node, protection and replacement decisions and the two views (text
//! and JSON) of one value; the text view is kept here so that what is shown is what the
//! data says. Its tests live in `plan_tests.rs`.

use crate::diagnostic::Invalid;
use crate::diff;
use crate::kind::{Kind, Replacement};
use crate::lower::Node;
use crate::normalize::normalize;
use crate::refresh::{Observation, Observed};
use crate::requests::elbv2::ModifyLoadBalancerAttributes;
use crate::stack::Stack;
use crate::state::{ResourceState, ResourceStatus, State};
use crate::synth::{synth, Synth};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write;

/// The plan format version of the JSON view.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// What happens to one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Created.
    Create,
    /// Changed in place.
    Update,
    /// Replaced: the old one is deleted, then the new one is created (a field that
    /// forces replacement changed, and names are unique).
    DeleteThenCreate,
    /// Replaced: the new one is created, dependents move to it, then the old one is
    /// deleted (immutable revisions such as task definitions).
    CreateThenDelete,
    /// Deleted.
    Delete,
    /// Forgotten: a resource the stack only reads (an existing secret) leaves the state;
    /// nothing is sent to AWS.
    Forget,
    /// Unchanged.
    NoOp,
    /// Looked up (data sources such as existing secrets).
    Read,
}

impl Action {
    fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::DeleteThenCreate => "-/+",
            Action::CreateThenDelete => "+/-",
            Action::Delete => "-",
            Action::Forget => ".",
            Action::NoOp => " ",
            Action::Read => "<=",
        }
    }

    /// Whether this is a replacement (either order).
    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }

    /// The replacement of a node of `kind`, in the order the kind needs.
    pub fn replace(kind: Kind) -> Action {
        match kind.spec().replacement {
            Replacement::DeleteThenCreate => Action::DeleteThenCreate,
            Replacement::CreateThenDelete => Action::CreateThenDelete,
        }
    }
}

/// Why an action happens, as a value (its text is what the human view shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// A field that cannot change in place changed.
    CannotChangeInPlace {
        /// The change's path.
        path: String,
    },
    /// The node is an immutable revision: a new one is registered before the old one
    /// is retired.
    NewRevision,
    /// A field was changed outside ecs-iac.
    ChangedOutside {
        /// The change's path.
        path: String,
    },
    /// The resource was deleted outside ecs-iac: it is created again.
    DeletedOutside,
    /// A previous create was interrupted: the engine adopts what AWS made.
    InterruptedCreate,
    /// A resource this one refers to is replaced, so a field holding its id changes.
    DependencyReplaced {
        /// The replaced node.
        dependency: String,
        /// The field that changes.
        path: String,
    },
    /// The resource left the stack.
    NoLongerInStack,
    /// The stack is destroyed.
    StackDestroyed,
    /// The resource to delete is already gone: only its state entry is removed.
    AlreadyDeletedOutside,
    /// `.allow_destroy()` was added: only the state changes.
    AllowDestroyAdded,
    /// `.allow_destroy()` was removed: only the state changes.
    AllowDestroyRemoved,
    /// How a delete runs changed (recovery window, emptying): only the state changes.
    DeletionChanged {
        /// What the state had.
        from: crate::lower::Deletion,
        /// What it records now.
        to: crate::lower::Deletion,
    },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::CannotChangeInPlace { path } => write!(f, "`{path}` cannot change in place"),
            Reason::NewRevision => f.write_str(
                "a revision cannot change: a new revision is registered before the old one is retired",
            ),
            Reason::ChangedOutside { path } => write!(f, "`{path}` changed outside ecs-iac"),
            Reason::DeletedOutside => f.write_str(DELETED_OUTSIDE),
            Reason::InterruptedCreate => f.write_str(
                "a previous create was interrupted; the engine adopts the resource by its tags if AWS made it",
            ),
            Reason::DependencyReplaced { dependency, path } => {
                write!(f, "`{dependency}` is replaced, so `{path}` changes")
            }
            Reason::NoLongerInStack => f.write_str("no longer in the stack"),
            Reason::StackDestroyed => f.write_str("the stack is destroyed"),
            Reason::AlreadyDeletedOutside => write!(
                f,
                "already {DELETED_OUTSIDE}: only its state entry is removed"
            ),
            Reason::AllowDestroyAdded => f.write_str(
                "`.allow_destroy()` added: the state records it; nothing changes in AWS",
            ),
            Reason::AllowDestroyRemoved => f.write_str(
                "`.allow_destroy()` removed: the state records it; nothing changes in AWS",
            ),
            Reason::DeletionChanged { from, to } => write!(
                f,
                "deletion: {from} -> {to}: the state records it for the delete; nothing changes in AWS"
            ),
        }
    }
}

/// A reason equals the text it shows (convenient in tests and filters).
impl PartialEq<&str> for Reason {
    fn eq(&self, other: &&str) -> bool {
        struct Matches<'a>(&'a str);
        impl std::fmt::Write for Matches<'_> {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                match self.0.strip_prefix(s) {
                    Some(rest) => {
                        self.0 = rest;
                        Ok(())
                    }
                    None => Err(std::fmt::Error),
                }
            }
        }
        let mut rest = Matches(other);
        std::fmt::write(&mut rest, format_args!("{self}")).is_ok() && rest.0.is_empty()
    }
}

/// One field that changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Path into the request, e.g. `containerDefinitions[0].image`.
    pub path: String,
    /// The value before (absent for new fields).
    pub before: Option<Value>,
    /// The value after (absent for removed fields).
    pub after: Option<Value>,
    /// Whether this change alone forces replacement.
    pub forces_replacement: bool,
    /// The field was changed outside ecs-iac: `before` is the live value a refresh found,
    /// not the value last applied. Serialized only when true.
    #[serde(skip_serializing_if = "is_false")]
    pub drift: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What happens to one node and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedAction {
    /// Node address.
    pub address: String,
    /// Node kind.
    pub kind: Kind,
    /// The API calls this action makes, e.g. `ecs:CreateService` for a create,
    /// `ecs:UpdateService` for an update, `ec2:DeleteVpc` for a delete, both calls of a
    /// replacement in the order they run.
    pub operation: String,
    /// The action.
    pub action: Action,
    /// The request as last applied (updates, replacements, deletes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The request as it will be sent (creates, updates, replacements, reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// Field-level changes of updates and replacements (for a create, every field of
    /// `after` is new).
    pub changes: Vec<Change>,
    /// Why a replace or update happens.
    pub reasons: Vec<Reason>,
    /// Addresses this node depends on.
    pub depends_on: Vec<String>,
    /// Why this action must not run, when it would destroy data it was not allowed to
    /// (see [`KindSpec::stateful`](crate::kind::KindSpec::stateful)). A plan with a blocked action must not be applied.
    /// Serialized only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
    /// The node may be deleted once it leaves the stack: the resource's
    /// `.allow_destroy()` for nodes of the stack, the state's record for deletes. Apply
    /// records it in [`ResourceState::allow_destroy`]. Serialized only when true.
    #[serde(skip_serializing_if = "is_false")]
    pub allow_destroy: bool,
    /// How a delete of the node runs ([`Deletion`]): the resource's for nodes of the
    /// stack, the state's record for deletes. Serialized only when not AWS's default.
    ///
    /// [`Deletion`]: crate::lower::Deletion
    #[serde(skip_serializing_if = "crate::lower::Deletion::is_default")]
    pub deletion: crate::lower::Deletion,
    /// The value a secret is created with, produced at apply
    /// ([`crate::lower::Node::initial_value`]); only on creates and replacements.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_value: Option<crate::resources::SecretValue>,
    /// A [`Action::NoOp`] whose state entry still changes (its `allow_destroy` differs
    /// from the state's): nothing is sent to AWS, apply only records it. Serialized only
    /// when true.
    #[serde(skip_serializing_if = "is_false")]
    pub state_only: bool,
}

/// Counts per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Nodes created.
    pub create: usize,
    /// Nodes updated in place.
    pub update: usize,
    /// Nodes replaced.
    pub replace: usize,
    /// Nodes deleted.
    pub delete: usize,
    /// Nodes the stack only read, forgotten. Serialized only when not zero.
    #[serde(skip_serializing_if = "is_zero")]
    pub forget: usize,
    /// Nodes unchanged.
    pub no_op: usize,
    /// Lookups.
    pub read: usize,
    /// Blocked actions ([`PlannedAction::blocked`]). Serialized only when not zero.
    #[serde(skip_serializing_if = "is_zero")]
    pub blocked: usize,
    /// Resources changed or deleted outside ecs-iac, as a refresh found. Serialized only
    /// when not zero.
    #[serde(skip_serializing_if = "is_zero")]
    pub drifted: usize,
    /// Unchanged nodes whose state entry changes ([`PlannedAction::state_only`]).
    /// Serialized only when not zero.
    #[serde(skip_serializing_if = "is_zero")]
    pub state_only: usize,
}

/// A plan: every node's action, creates and updates in dependency order, then deletes
/// in reverse dependency order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// [`PLAN_FORMAT_VERSION`].
    pub format_version: u32,
    /// The stack's name.
    pub stack: String,
    /// Counts per action.
    pub summary: Summary,
    /// Actions in execution order.
    pub actions: Vec<PlannedAction>,
    /// What happens to each output (declared ones, then removed ones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<crate::output::PlannedOutput>,
}

/// Plans `stack` against `prior`. Pure: no AWS calls (refresh happens before, in the
/// engine). Fails with every diagnostic when validation finds errors.
pub fn plan(stack: &Stack, prior: &State) -> Result<Plan, Invalid> {
    Ok(plan_synth(synth(stack)?, prior))
}

/// Plans an already synthesized stack against `prior`, without a refresh: each node is
/// compared with the request last applied. Resources that left the stack are deleted,
/// except the stateful ones ([`KindSpec::stateful`](crate::kind::KindSpec::stateful)) not applied with `.allow_destroy()`,
/// which are blocked. To delete everything, use [`plan_destroy`].
///
/// The plan takes the requests over (they are what apply sends), so the synth is consumed.
pub fn plan_synth(desired: Synth, prior: &State) -> Plan {
    plan_refreshed(desired, prior, &Observed::none())
}

/// Plans an already synthesized stack against `prior` and what a refresh found in the
/// live account:
///
/// - a node [`Observation::Missing`] was deleted outside ecs-iac: it is created again
///   (reason `deleted outside ecs-iac`), and the nodes referring to its ids change as for
///   a replacement;
/// - a node [`Observation::Present`] is compared three ways: fields whose live value
///   differs from the request last applied are drift ([`Change::drift`], before = the live
///   value, after = the desired one, reason ``"`path` changed outside ecs-iac"``); fields
///   changed in the stack start from the live value. Fields AWS does not report are not
///   drift. Every side is [`normalize`]d first, and the placeholders of the request last
///   applied and of the desired one are resolved from `prior` (and the account and region
///   of `observed`), so they compare with AWS's real ids;
/// - other nodes are planned as [`plan_synth`] plans them.
///
/// Update or replace is decided per field as without a refresh.
pub fn plan_refreshed(desired: Synth, prior: &State, observed: &Observed) -> Plan {
    let mut plan = build(desired.stack, desired.nodes, prior, observed, Mode::Apply);
    // Only declared outputs read the resources that get new attributes.
    let changing: BTreeSet<&str> = if desired.outputs.is_empty() {
        BTreeSet::new()
    } else {
        plan.actions
            .iter()
            .filter(|a| a.action == Action::Create || a.action.is_replace())
            .map(|a| a.address.as_str())
            .collect()
    };
    plan.outputs = crate::output::plan(
        &desired.outputs,
        prior,
        &changing,
        observed.account_id.as_deref(),
        observed.region.as_deref(),
    );
    plan
}

/// Plans deleting everything `prior` holds, dependents first. Nothing is blocked:
/// destroying the stack is the user's explicit intent, stateful resources included.
pub fn plan_destroy(prior: &State) -> Plan {
    plan_destroy_refreshed(prior, &Observed::none())
}

/// [`plan_destroy`] with what a refresh found: resources already deleted outside ecs-iac
/// say so in their reasons (only their state entries go).
pub fn plan_destroy_refreshed(prior: &State, observed: &Observed) -> Plan {
    let mut plan = build(
        prior.stack.clone(),
        Vec::new(),
        prior,
        observed,
        Mode::Destroy,
    );
    plan.outputs = crate::output::plan(&[], prior, &BTreeSet::new(), None, None);
    plan
}

/// Why a plan is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Converge on the desired stack: deleting stateful resources needs `.allow_destroy()`.
    Apply,
    /// Delete everything: the user asked for it.
    Destroy,
}

/// The reason of a node created again because it is gone.
const DELETED_OUTSIDE: &str = "deleted outside ecs-iac";

fn build(stack: String, nodes: Vec<Node>, prior: &State, observed: &Observed, mode: Mode) -> Plan {
    // The resources that left the stack, found before the nodes move into the actions.
    let removed: Vec<(&String, &ResourceState)> = {
        let desired: std::collections::HashSet<&str> =
            nodes.iter().map(|n| n.address.as_str()).collect();
        prior
            .resources
            .iter()
            .filter(|(address, _)| !desired.contains(address.as_str()))
            .collect()
    };
    let mut actions: Vec<PlannedAction> = Vec::with_capacity(nodes.len());
    let mut replaced: BTreeSet<String> = BTreeSet::new();
    let mut drifted = 0;
    let scaled = scaled_services(&nodes);
    for mut node in nodes {
        let scaler_owned = scaled.contains(&node.address);
        let mut action = diff_node(&node, prior, observed, scaler_owned);
        // Created before, gone now. (A create that never finished is expected to be missing.)
        let gone = action.action == Action::Create
            && matches!(observed.get(&node.address), Some(Observation::Missing))
            && prior
                .resources
                .get(&node.address)
                .is_some_and(|r| r.status == ResourceStatus::Created);
        // A replaced resource gets new ids: dependents referring to them change too.
        if matches!(action.action, Action::NoOp | Action::Update) {
            // A refreshed node shows real ids, as its other changes do.
            let refreshed = matches!(observed.get(&node.address), Some(Observation::Present(_)));
            let shown = |value: &Value| {
                if refreshed {
                    prior.resolve_known(
                        value,
                        observed.account_id.as_deref(),
                        observed.region.as_deref(),
                    )
                } else {
                    value.clone()
                }
            };
            propagate_replacements(&node, &replaced, &mut action, &shown);
            if action.action != Action::NoOp && action.before.is_none() {
                action.before = prior
                    .resources
                    .get(&node.address)
                    .map(|r| r.request.clone());
            }
        }
        if (action.action.is_replace() || gone) && !node.address.contains('#') {
            replaced.insert(node.address.clone());
        }
        if gone || action.changes.iter().any(|c| c.drift) {
            drifted += 1;
        }
        protect(&node, prior, &mut action);
        if scaler_owned && action.action == Action::Update {
            // What the scaler owns is not sent on update: the plan shows what apply sends.
            if let Value::Object(fields) = &mut node.body {
                fields.remove(SCALER_OWNED);
            }
        }
        if action.action != Action::NoOp {
            action.after = Some(node.body);
        }
        action.operation = calls(&action);
        actions.push(action);
    }
    let mut deletes: Vec<PlannedAction> = removed
        .into_iter()
        .map(|(address, r)| {
            let gone = matches!(observed.get(address), Some(Observation::Missing));
            if gone {
                drifted += 1;
            }
            planned_delete(address, r, gone, mode)
        })
        .collect();
    order_deletes(&mut deletes);
    actions.extend(deletes);
    let mut summary = Summary {
        drifted,
        ..Summary::default()
    };
    for a in &actions {
        match a.action {
            Action::Create => summary.create += 1,
            Action::Update => summary.update += 1,
            Action::DeleteThenCreate | Action::CreateThenDelete => summary.replace += 1,
            Action::Delete => summary.delete += 1,
            Action::Forget => summary.forget += 1,
            Action::NoOp => summary.no_op += 1,
            Action::Read => summary.read += 1,
        }
        summary.blocked += usize::from(a.blocked.is_some());
        summary.state_only += usize::from(a.state_only);
    }
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        stack,
        summary,
        actions,
        outputs: Vec::new(),
    }
}

/// The delete of a node no longer in the stack (or of every node, destroying).
fn planned_delete(address: &str, r: &ResourceState, gone: bool, mode: Mode) -> PlannedAction {
    let mut reasons = vec![match mode {
        Mode::Apply => Reason::NoLongerInStack,
        Mode::Destroy => Reason::StackDestroyed,
    }];
    if gone {
        reasons.push(Reason::AlreadyDeletedOutside);
    }
    // Nothing to protect when the data is gone already, or never was: a create that did
    // not finish holds nothing the stack wrote.
    let blocked = (mode == Mode::Apply
        && r.kind.is_stateful()
        && !r.allow_destroy
        && !gone
        && r.status == ResourceStatus::Created)
        .then(|| {
            format!(
                "deleting `{address}` ({}) would destroy its data: it is no longer in the stack and was not applied with `.allow_destroy()`; put it back, or add `.allow_destroy()` to it and apply before removing it (`destroy` deletes it without this check)",
                r.kind
            )
        })
        .or_else(|| deletion_protected(address, r, gone));
    PlannedAction {
        address: address.to_string(),
        kind: r.kind,
        operation: r
            .kind
            .delete_operation()
            .map(|op| op.to_string())
            .unwrap_or_else(|| "forget: the stack only reads it, nothing is sent".to_string()),
        action: if r.kind.spec().data_source {
            Action::Forget
        } else {
            Action::Delete
        },
        before: Some(r.request.clone()),
        after: None,
        changes: Vec::new(),
        reasons,
        depends_on: r.depends_on.clone(),
        blocked,
        allow_destroy: r.allow_destroy,
        deletion: r.deletion,
        initial_value: None,
        state_only: false,
    }
}

/// AWS refuses to delete a DB instance applied with deletion protection: the delete is
/// blocked up front, saying how to lift it, rather than failing half way through.
fn deletion_protected(address: &str, r: &ResourceState, gone: bool) -> Option<String> {
    let on = match r.kind {
        Kind::DB_INSTANCE => r.request.get("DeletionProtection") == Some(&Value::Bool(true)),
        // A load balancer's protection is in its attributes node, deleted before it.
        Kind::LOAD_BALANCER_ATTRIBUTES => {
            serde_json::from_value::<ModifyLoadBalancerAttributes>(r.request.clone())
                .ok()
                .and_then(|q| q.attributes)
                .unwrap_or_default()
                .iter()
                .any(|a| a.key == "deletion_protection.enabled" && a.value == "true")
        }
        _ => false,
    };
    let protected = on && r.status == ResourceStatus::Created && !gone;
    protected.then(|| {
        format!(
            "`{address}` has deletion protection on (`DeletionProtection`): AWS refuses to delete it; apply it with `.deletion_protection(false)` first"
        )
    })
}

/// Blocks replacing stateful nodes not allowed to be replaced, and carries
/// `allow_destroy` for the state (a change of it alone is a state-only change).
fn protect(node: &Node, prior: &State, action: &mut PlannedAction) {
    action.allow_destroy = node.protection.allow_destroy;
    action.deletion = node.protection.deletion;
    let recorded = prior
        .resources
        .get(&node.address)
        .filter(|r| r.status == ResourceStatus::Created);
    let to = node.protection.deletion;
    let from = recorded.map(|r| r.deletion).filter(|from| *from != to);
    if let (Some(from), Action::NoOp | Action::Update) = (from, action.action) {
        action.state_only |= action.action == Action::NoOp;
        action.reasons.push(Reason::DeletionChanged { from, to });
    }
    if matches!(
        action.action,
        Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete
    ) {
        action.initial_value = node.initial_value.clone();
    }
    match action.action {
        Action::DeleteThenCreate | Action::CreateThenDelete
            if node.kind.is_stateful() && !node.protection.allow_replacement =>
        {
            let mut fields: Vec<&str> = Vec::new();
            for c in action.changes.iter().filter(|c| c.forces_replacement) {
                let field = top_field(&c.path);
                if !fields.contains(&field) {
                    fields.push(field);
                }
            }
            let fields: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            action.blocked = Some(format!(
                "replacing `{}` ({}) would destroy its data: {} cannot change in place; add `.allow_replacement()` to the resource to allow it",
                node.address,
                node.kind,
                fields.join(", ")
            ));
        }
        Action::NoOp
            if recorded.is_some_and(|r| r.allow_destroy != node.protection.allow_destroy) =>
        {
            action.state_only = true;
            action.reasons.push(if node.protection.allow_destroy {
                Reason::AllowDestroyAdded
            } else {
                Reason::AllowDestroyRemoved
            });
        }
        _ => {}
    }
}

fn new_action(node: &Node) -> PlannedAction {
    PlannedAction {
        address: node.address.clone(),
        kind: node.kind,
        operation: node.operation.to_string(),
        action: Action::NoOp,
        before: None,
        after: None,
        changes: Vec::new(),
        reasons: Vec::new(),
        depends_on: node.depends_on.clone(),
        blocked: None,
        allow_destroy: false,
        deletion: Default::default(),
        initial_value: None,
        state_only: false,
    }
}

/// The API calls `action` makes, for people (see [`PlannedAction::operation`]).
fn calls(action: &PlannedAction) -> String {
    let kind = action.kind;
    let create = kind.create_operation();
    let delete = kind.delete_operation();
    match action.action {
        Action::Update => {
            let modes: BTreeSet<crate::kind::FieldChange> = action
                .changes
                .iter()
                .map(|c| kind.field_change(top_field(&c.path)))
                .collect();
            kind.update_calls(modes)
        }
        Action::DeleteThenCreate => match delete {
            Some(delete) => format!("{delete}, {create}"),
            None => create.to_string(),
        },
        Action::CreateThenDelete => match delete {
            Some(delete) => format!("{create}, {delete}"),
            None => create.to_string(),
        },
        Action::Create | Action::Read | Action::NoOp | Action::Delete | Action::Forget => {
            action.operation.clone()
        }
    }
}

/// The field of an autoscaled ECS service that belongs to its scaler.
const SCALER_OWNED: &str = crate::requests::ecs::CreateService::FIELD.desired_count;

/// The ECS services of `nodes` an Application Auto Scaling target scales: their desired
/// count belongs to the scaler, so it is neither drift nor sent on update.
fn scaled_services(nodes: &[Node]) -> BTreeSet<String> {
    let services: BTreeSet<&str> = nodes
        .iter()
        .filter(|n| n.kind == Kind::SERVICE)
        .map(|n| n.address.as_str())
        .collect();
    nodes
        .iter()
        .filter(|n| n.kind == Kind::SCALABLE_TARGET)
        .flat_map(|n| n.depends_on.iter())
        .filter(|d| services.contains(d.as_str()))
        .cloned()
        .collect()
}

/// `body` without what the scaler owns, when `scaler_owned`.
fn without_scaler_owned(body: &Value, scaler_owned: bool) -> std::borrow::Cow<'_, Value> {
    match body {
        Value::Object(fields) if scaler_owned && fields.contains_key(SCALER_OWNED) => {
            let mut fields = fields.clone();
            fields.remove(SCALER_OWNED);
            std::borrow::Cow::Owned(Value::Object(fields))
        }
        _ => std::borrow::Cow::Borrowed(body),
    }
}

fn diff_node(node: &Node, prior: &State, observed: &Observed, scaler_owned: bool) -> PlannedAction {
    let mut planned = new_action(node);
    if node.data_source {
        planned.action = Action::Read;
        return planned;
    }
    let Some(before) = prior.resources.get(&node.address) else {
        planned.action = Action::Create;
        return planned;
    };
    if before.status == ResourceStatus::Pending {
        planned.action = Action::Create;
        planned.reasons.push(Reason::InterruptedCreate);
        return planned;
    }
    let differences = match observed.get(&node.address) {
        Some(Observation::Missing) => {
            planned.action = Action::Create;
            planned.reasons.push(Reason::DeletedOutside);
            return planned;
        }
        Some(Observation::Present(live)) => {
            let (account, region) = (observed.account_id.as_deref(), observed.region.as_deref());
            let applied = prior.resolve_known(&before.request, account, region);
            let desired = prior.resolve_known(&node.body, account, region);
            let kind = node.kind;
            let owned = |v: &Value| normalize(kind, &without_scaler_owned(v, scaler_owned));
            diff::diff(kind, &owned(&applied), Some(&owned(live)), &owned(&desired))
        }
        Some(Observation::Unknown) | None => {
            let (applied, desired) = (
                without_scaler_owned(&before.request, scaler_owned),
                without_scaler_owned(&node.body, scaler_owned),
            );
            if applied == desired {
                return planned;
            }
            let kind = node.kind;
            diff::diff(
                kind,
                &normalize(kind, &applied),
                None,
                &normalize(kind, &desired),
            )
        }
    };
    planned.changes = differences
        .into_iter()
        .map(|d| Change {
            forces_replacement: node.forces_replacement(top_field(&d.path)),
            path: d.path,
            before: d.before,
            after: d.after,
            drift: d.drift,
        })
        .collect();
    for c in planned.changes.iter().filter(|c| c.drift) {
        planned.reasons.push(Reason::ChangedOutside {
            path: c.path.clone(),
        });
    }
    let revision = node.kind.spec().replacement == Replacement::CreateThenDelete;
    if revision && planned.changes.iter().any(|c| c.forces_replacement) {
        planned.reasons.push(Reason::NewRevision);
    } else {
        for c in planned.changes.iter().filter(|c| c.forces_replacement) {
            planned.reasons.push(Reason::CannotChangeInPlace {
                path: c.path.clone(),
            });
        }
    }
    planned.reasons.dedup();
    if !planned.changes.is_empty() {
        planned.before = Some(before.request.clone());
    }
    planned.action = if planned.changes.is_empty() {
        Action::NoOp
    } else if planned.changes.iter().any(|c| c.forces_replacement) {
        Action::replace(node.kind)
    } else {
        Action::Update
    };
    planned
}

/// Adds the changes of fields referring to the ids of `replaced` nodes; `shown` gives the
/// before-value to show for a field's current value.
fn propagate_replacements(
    node: &Node,
    replaced: &BTreeSet<String>,
    planned: &mut PlannedAction,
    shown: &dyn Fn(&Value) -> Value,
) {
    if replaced.is_empty() {
        return;
    }
    for (path, value) in diff::leaves(&normalize(node.kind, &node.body)) {
        let Some(text) = value.as_str() else { continue };
        for target in replaced {
            if !text.contains(&format!("${{{target}.")) {
                continue;
            }
            let forces = node.forces_replacement(top_field(&path));
            if !planned.changes.iter().any(|c| c.path == path) {
                planned.changes.push(Change {
                    path: path.clone(),
                    before: Some(shown(&value)),
                    after: Some(Value::String("(known after apply)".into())),
                    forces_replacement: forces,
                    drift: false,
                });
            }
            planned.reasons.push(Reason::DependencyReplaced {
                dependency: target.clone(),
                path: path.clone(),
            });
            planned.action = if forces || planned.action.is_replace() {
                Action::replace(node.kind)
            } else {
                Action::Update
            };
        }
    }
}

/// Deletes run dependents first: a node is deleted before the nodes it depended on.
fn order_deletes(deletes: &mut Vec<PlannedAction>) {
    let addresses: BTreeSet<String> = deletes.iter().map(|d| d.address.clone()).collect();
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut ordered = Vec::with_capacity(deletes.len());
    let mut remaining: Vec<PlannedAction> = std::mem::take(deletes);
    while !remaining.is_empty() {
        // Ready: nothing still to delete depends on it.
        let blocked: BTreeSet<String> = remaining
            .iter()
            .flat_map(|d| {
                d.depends_on
                    .iter()
                    .filter(|x| addresses.contains(*x) && !done.contains(*x))
                    .cloned()
            })
            .collect();
        let (ready, rest): (Vec<_>, Vec<_>) = remaining
            .into_iter()
            .partition(|d| !blocked.contains(&d.address));
        if ready.is_empty() {
            // A cycle in recorded dependencies: delete the rest in reverse address order.
            let mut rest = rest;
            rest.reverse();
            ordered.extend(rest);
            break;
        }
        for d in &ready {
            done.insert(d.address.clone());
        }
        ordered.extend(ready);
        remaining = rest;
    }
    *deletes = ordered;
}

fn top_field(path: &str) -> &str {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

/// Flattens a request into `(path, leaf value)` in document order, lists by index (tags
/// by key), as the lines of a create show it. Strings holding JSON documents (IAM
/// policies) are flattened too. Changes use the keyed paths of [`diff`] instead.
fn leaves(value: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut path = String::with_capacity(64);
    flatten(value, &mut path, &mut out);
    out
}

/// Appends the leaves under `value` to `out`; `path` is a shared buffer holding the
/// current path, restored before returning.
fn flatten(value: &Value, path: &mut String, out: &mut Vec<(String, Value)>) {
    use std::fmt::Write as _;
    let len = path.len();
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                flatten(v, path, out);
                path.truncate(len);
            }
        }
        Value::Array(items) if is_tag_list(items) => {
            // Tags flatten by key, so their order never shows as a change.
            for item in items {
                let (k, v) = tag_pair(item);
                let _ = write!(path, "[{k:?}]");
                out.push((path.clone(), v.clone()));
                path.truncate(len);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                let _ = write!(path, "[{i}]");
                flatten(v, path, out);
                path.truncate(len);
            }
        }
        Value::String(s) if s.starts_with('{') => match serde_json::from_str::<Value>(s) {
            Ok(doc @ Value::Object(_)) => flatten(&doc, path, out),
            _ => out.push((path.clone(), value.clone())),
        },
        _ => out.push((path.clone(), value.clone())),
    }
}

/// `[{"Key": k, "Value": v}]` (or lower-case `key`/`value`), as AWS tag lists are.
fn is_tag_list(items: &[Value]) -> bool {
    !items.is_empty()
        && items.iter().all(|item| {
            item.as_object().is_some_and(|m| {
                m.len() == 2
                    && ((m.get("Key").is_some_and(Value::is_string) && m.contains_key("Value"))
                        || (m.get("key").is_some_and(Value::is_string) && m.contains_key("value")))
            })
        })
}

fn tag_pair(item: &Value) -> (&str, &Value) {
    let key = item
        .get("Key")
        .or_else(|| item.get("key"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let value = item
        .get("Value")
        .or_else(|| item.get("value"))
        .unwrap_or(&Value::Null);
    (key, value)
}

impl Plan {
    /// Whether applying would change anything (in AWS, or only in the state, outputs
    /// included).
    pub fn has_changes(&self) -> bool {
        self.actions
            .iter()
            .any(|a| a.state_only || !matches!(a.action, Action::NoOp | Action::Read))
            || self
                .outputs
                .iter()
                .any(crate::output::PlannedOutput::is_change)
    }

    /// The blocked actions ([`PlannedAction::blocked`]), in plan order. A plan with any
    /// must not be applied.
    pub fn blocked(&self) -> impl Iterator<Item = &PlannedAction> {
        self.actions.iter().filter(|a| a.blocked.is_some())
    }

    /// Whether any action is blocked.
    pub fn is_blocked(&self) -> bool {
        self.blocked().next().is_some()
    }

    /// The JSON view (pretty, deterministic).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The human view, like `terraform plan`: `+` create, `~` update, `-/+` replace
    /// (`+/-` when the new one is created first), `-` delete, `.` forget, `<=` read. Unchanged nodes
    /// are not listed unless their state entry changes. A blocked action shows
    /// `! blocked: <why>`; a field changed outside ecs-iac ends with
    /// `# changed outside ecs-iac`.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Stack `{}`:", self.stack);
        for a in &self.actions {
            if a.action == Action::NoOp && !a.state_only {
                continue;
            }
            let symbol = a.action.symbol();
            let _ = writeln!(out, "\n{:>3} {}  ({})", symbol, a.address, a.operation);
            for reason in &a.reasons {
                let _ = writeln!(out, "      # {reason}");
            }
            if let Some(why) = &a.blocked {
                let _ = writeln!(out, "      ! blocked: {why}");
            }
            if a.action == Action::Create {
                for (path, value) in a.after.as_ref().map(leaves).unwrap_or_default() {
                    let _ = writeln!(out, "      + {path} = {value}");
                }
            }
            if let Some(source) = &a.initial_value {
                let _ = writeln!(out, "      + SecretString = ({})", source.describe());
            }
            for c in &a.changes {
                let render = |v: &Option<Value>| {
                    v.as_ref()
                        .map(Value::to_string)
                        .unwrap_or_else(|| "(none)".into())
                };
                let drift = if c.drift {
                    "  # changed outside ecs-iac"
                } else {
                    ""
                };
                match (&c.before, &c.after) {
                    (None, Some(after)) => {
                        let _ = writeln!(out, "      + {} = {}{drift}", c.path, after);
                    }
                    (Some(before), None) => {
                        let _ = writeln!(out, "      - {} = {}{drift}", c.path, before);
                    }
                    _ => {
                        let marker = if c.forces_replacement {
                            "  # forces replacement"
                        } else {
                            ""
                        };
                        let _ = writeln!(
                            out,
                            "      ~ {}: {} -> {}{marker}{drift}",
                            c.path,
                            render(&c.before),
                            render(&c.after)
                        );
                    }
                }
            }
        }
        let changed: Vec<&crate::output::PlannedOutput> =
            self.outputs.iter().filter(|o| o.is_change()).collect();
        if !changed.is_empty() {
            use crate::output::OutputChange as C;
            let _ = writeln!(out, "\nOutputs:");
            for o in changed {
                let shown = |v: &Option<String>| match v {
                    Some(v) => format!("{v:?}"),
                    None => "(known after apply)".to_string(),
                };
                let _ = match o.change {
                    C::Add => writeln!(out, "  + {} = {}", o.name, shown(&o.after)),
                    C::Remove => writeln!(out, "  - {} = {}", o.name, shown(&o.before)),
                    _ => writeln!(
                        out,
                        "  ~ {}: {} -> {}",
                        o.name,
                        shown(&o.before),
                        shown(&o.after)
                    ),
                };
            }
        }
        let s = &self.summary;
        if self.has_changes() {
            let _ = writeln!(
                out,
                "\nPlan: {} to create, {} to update, {} to replace, {} to delete ({} unchanged, {} to read).",
                s.create, s.update, s.replace, s.delete, s.no_op, s.read
            );
            if s.forget > 0 {
                let _ = writeln!(
                    out,
                    "Forget: {} resource(s) the stack only reads leave the state; nothing is sent for them.",
                    s.forget
                );
            }
        } else {
            let _ = writeln!(
                out,
                "\nNo changes. {} resource request(s) up to date.",
                s.no_op
            );
        }
        if s.state_only > 0 {
            let _ = writeln!(
                out,
                "State only: {} unchanged resource(s) get a new state entry.",
                s.state_only
            );
        }
        if s.drifted > 0 {
            let _ = writeln!(
                out,
                "Drift: {} resource(s) changed or deleted outside ecs-iac.",
                s.drifted
            );
        }
        if s.blocked > 0 {
            let _ = writeln!(
                out,
                "Blocked: {} action(s) would destroy data (see `! blocked`); this plan must not be applied until each is allowed.",
                s.blocked
            );
        }
        out
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
