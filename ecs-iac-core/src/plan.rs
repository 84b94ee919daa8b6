//! Plans: what applying a stack would do to a prior state, as data, with a human and a
//! JSON view of the same value.

use crate::diagnostic::Invalid;
use crate::lower::Node;
use crate::stack::Stack;
use crate::state::{ResourceStatus, State};
use crate::synth::{synth, Synth};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
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
    /// Deleted and created again (a field that forces replacement changed).
    Replace,
    /// Deleted.
    Delete,
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
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::NoOp => " ",
            Action::Read => "<=",
        }
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
}

/// What happens to one node and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedAction {
    /// Node address.
    pub address: String,
    /// Node kind.
    pub kind: String,
    /// The API operation that creates the node.
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
    /// Why a replace or update happens, for people.
    pub reasons: Vec<String>,
    /// Addresses this node depends on.
    pub depends_on: Vec<String>,
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
    /// Nodes unchanged.
    pub no_op: usize,
    /// Lookups.
    pub read: usize,
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
}

/// Plans `stack` against `prior`. Pure: no AWS calls (refresh happens before, in the
/// engine). Fails with every diagnostic when validation finds errors.
pub fn plan(stack: &Stack, prior: &State) -> Result<Plan, Invalid> {
    Ok(plan_synth(synth(stack)?, prior))
}

/// Plans an already synthesized stack against `prior`.
///
/// The plan takes the requests over (they are what apply sends), so the synth is consumed.
pub fn plan_synth(desired: Synth, prior: &State) -> Plan {
    let stack = desired.stack;
    let desired_addresses: BTreeSet<String> =
        desired.nodes.iter().map(|n| n.address.clone()).collect();
    let mut actions: Vec<PlannedAction> = Vec::with_capacity(desired.nodes.len());
    let mut replaced: BTreeSet<String> = BTreeSet::new();
    for node in desired.nodes {
        let mut action = diff_node(&node, prior);
        // A replaced resource gets new ids: dependents referring to them change too.
        if matches!(action.action, Action::NoOp | Action::Update) {
            propagate_replacements(&node, &replaced, &mut action);
            if action.action != Action::NoOp && action.before.is_none() {
                action.before = prior
                    .resources
                    .get(&node.address)
                    .map(|r| r.request.clone());
            }
        }
        if matches!(action.action, Action::Replace) && !node.address.contains('#') {
            replaced.insert(node.address.clone());
        }
        if action.action != Action::NoOp {
            action.after = Some(node.body);
        }
        actions.push(action);
    }
    let mut deletes: Vec<PlannedAction> = prior
        .resources
        .iter()
        .filter(|(address, _)| !desired_addresses.contains(address.as_str()))
        .map(|(address, r)| PlannedAction {
            address: address.clone(),
            kind: r.kind.clone(),
            operation: r.operation.clone(),
            action: Action::Delete,
            before: Some(r.request.clone()),
            after: None,
            changes: Vec::new(),
            reasons: vec!["no longer in the stack".to_string()],
            depends_on: r.depends_on.clone(),
        })
        .collect();
    order_deletes(&mut deletes);
    actions.extend(deletes);
    let mut summary = Summary::default();
    for a in &actions {
        match a.action {
            Action::Create => summary.create += 1,
            Action::Update => summary.update += 1,
            Action::Replace => summary.replace += 1,
            Action::Delete => summary.delete += 1,
            Action::NoOp => summary.no_op += 1,
            Action::Read => summary.read += 1,
        }
    }
    Plan {
        format_version: PLAN_FORMAT_VERSION,
        stack,
        summary,
        actions,
    }
}

fn diff_node(node: &Node, prior: &State) -> PlannedAction {
    let mut planned = PlannedAction {
        address: node.address.clone(),
        kind: node.kind.to_string(),
        operation: node.operation.to_string(),
        action: Action::NoOp,
        before: None,
        after: None,
        changes: Vec::new(),
        reasons: Vec::new(),
        depends_on: node.depends_on.clone(),
    };
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
        planned.reasons.push("a previous create was interrupted; the engine adopts the resource by its tags if AWS made it".into());
        return planned;
    }
    if before.request == node.body {
        return planned;
    }
    let old: HashMap<String, Value> = leaves(&before.request).into_iter().collect();
    let mut seen = HashSet::with_capacity(old.len());
    let new = leaves(&node.body);
    for (path, after) in &new {
        seen.insert(path.as_str());
        let before = old.get(path);
        if before == Some(after) {
            continue;
        }
        planned
            .changes
            .push(change(node, path, before.cloned(), Some(after.clone())));
    }
    let mut removed: Vec<(&String, &Value)> = old
        .iter()
        .filter(|(p, _)| !seen.contains(p.as_str()))
        .collect();
    removed.sort_by(|a, b| a.0.cmp(b.0));
    for (path, before) in removed {
        planned
            .changes
            .push(change(node, path, Some(before.clone()), None));
    }
    for c in &planned.changes {
        if c.forces_replacement {
            planned
                .reasons
                .push(format!("`{}` cannot change in place", c.path));
        }
    }
    planned.reasons.dedup();
    if !planned.changes.is_empty() {
        planned.before = Some(before.request.clone());
    }
    planned.action = if planned.changes.is_empty() {
        Action::NoOp
    } else if planned.changes.iter().any(|c| c.forces_replacement) {
        Action::Replace
    } else {
        Action::Update
    };
    planned
}

fn change(node: &Node, path: &str, before: Option<Value>, after: Option<Value>) -> Change {
    let forces_replacement = node.forces_replacement(top_field(path));
    Change {
        path: path.to_string(),
        before,
        after,
        forces_replacement,
    }
}

fn propagate_replacements(node: &Node, replaced: &BTreeSet<String>, planned: &mut PlannedAction) {
    if replaced.is_empty() {
        return;
    }
    for (path, value) in leaves(&node.body) {
        let Some(text) = value.as_str() else { continue };
        for target in replaced {
            if !text.contains(&format!("${{{target}.")) {
                continue;
            }
            let forces = node.forces_replacement(top_field(&path));
            planned.changes.push(Change {
                path: path.clone(),
                before: Some(value.clone()),
                after: Some(Value::String("(known after apply)".into())),
                forces_replacement: forces,
            });
            planned
                .reasons
                .push(format!("`{target}` is replaced, so `{path}` changes"));
            planned.action = if forces || planned.action == Action::Replace {
                Action::Replace
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

/// Flattens a request into `(path, leaf value)` in document order. Strings holding JSON
/// documents (IAM policies) are flattened too, so a policy change shows statement by
/// statement.
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
    /// Whether applying would change anything.
    pub fn has_changes(&self) -> bool {
        self.actions
            .iter()
            .any(|a| !matches!(a.action, Action::NoOp | Action::Read))
    }

    /// The JSON view (pretty, deterministic).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The human view, like `terraform plan`: `+` create, `~` update, `-/+` replace,
    /// `-` delete, `<=` read. Unchanged nodes are not listed.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Stack `{}`:", self.stack);
        for a in &self.actions {
            if a.action == Action::NoOp {
                continue;
            }
            let _ = writeln!(
                out,
                "\n{:>3} {}  ({})",
                a.action.symbol(),
                a.address,
                a.operation
            );
            for reason in &a.reasons {
                let _ = writeln!(out, "      # {reason}");
            }
            if a.action == Action::Create {
                for (path, value) in a.after.as_ref().map(leaves).unwrap_or_default() {
                    let _ = writeln!(out, "      + {path} = {value}");
                }
            }
            for c in &a.changes {
                let render = |v: &Option<Value>| {
                    v.as_ref()
                        .map(Value::to_string)
                        .unwrap_or_else(|| "(none)".into())
                };
                match (&c.before, &c.after) {
                    (None, Some(after)) => {
                        let _ = writeln!(out, "      + {} = {}", c.path, after);
                    }
                    (Some(before), None) => {
                        let _ = writeln!(out, "      - {} = {}", c.path, before);
                    }
                    _ => {
                        let marker = if c.forces_replacement {
                            "  # forces replacement"
                        } else {
                            ""
                        };
                        let _ = writeln!(
                            out,
                            "      ~ {}: {} -> {}{marker}",
                            c.path,
                            render(&c.before),
                            render(&c.after)
                        );
                    }
                }
            }
        }
        let s = &self.summary;
        if self.has_changes() {
            let _ = writeln!(
                out,
                "\nPlan: {} to create, {} to update, {} to replace, {} to delete ({} unchanged, {} to read).",
                s.create, s.update, s.replace, s.delete, s.no_op, s.read
            );
        } else {
            let _ = writeln!(
                out,
                "\nNo changes. {} resource request(s) up to date.",
                s.no_op
            );
        }
        out
    }
}
