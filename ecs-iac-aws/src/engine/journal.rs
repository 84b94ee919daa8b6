//! What the state records before and after each operation: a create is journaled as
//! pending before it is sent, a result replaces the entry, a replaced resource waits under
//! a retired address until it is deleted. The run saves the state after each of these.

use super::ApplyError;
use crate::providers::Outcome;
use crate::state_store::{unix_seconds, StateLock, StateStoreError};
use ecs_iac_core::{Action, Plan, PlannedAction, ResourceState, ResourceStatus, State};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What a finished task did to its resource.
pub(super) enum Done {
    /// Created, adopted, updated or looked up.
    Created(Outcome),
    /// Gone.
    Deleted,
}

/// Saving the state failed: the store's error, and the addresses whose results may be
/// missing from the saved state. Becomes [`ApplyError::State`].
#[derive(Debug)]
pub(super) struct Unsaved {
    source: StateStoreError,
    unsaved: Vec<String>,
}

impl From<Unsaved> for ApplyError {
    fn from(e: Unsaved) -> ApplyError {
        ApplyError::State {
            source: e.source,
            unsaved: e.unsaved,
        }
    }
}

/// Saves `state`; on failure the error lists `unsaved`, whose results may be missing.
pub(super) async fn save(
    lock: &StateLock,
    state: &mut State,
    unsaved: &[&str],
) -> Result<(), Unsaved> {
    lock.save(state).await.map_err(|source| Unsaved {
        source,
        unsaved: unsaved.iter().map(|a| a.to_string()).collect(),
    })
}

/// Records the changes that only concern state (e.g. `.allow_destroy()` added), and
/// moves the old resource of each create-then-delete replacement to a retired address so
/// the new one can take the address; the old one is deleted once everything else is done,
/// so a crash in between leaves it to the next apply. Returns the retired addresses.
pub(super) async fn prepare(
    plan: &Plan,
    keep_replaced: bool,
    lock: &StateLock,
    state: &mut State,
) -> Result<Vec<String>, Unsaved> {
    let mut touched = false;
    for a in plan.actions.iter().filter(|a| a.state_only) {
        if let Some(r) = state.resources.get_mut(&a.address) {
            r.allow_destroy = a.allow_destroy;
            r.deletion = a.deletion;
            touched = true;
        }
    }
    let mut retired: Vec<String> = Vec::new();
    for a in plan
        .actions
        .iter()
        .filter(|a| a.action == Action::CreateThenDelete)
    {
        if let Some(old) = state.resources.remove(&a.address) {
            if old.id.is_some() && !keep_replaced {
                let address = retired_address(&a.address, old.id.as_deref().unwrap_or_default());
                state.resources.insert(address.clone(), old);
                retired.push(address);
            }
            touched = true;
        }
    }
    if touched {
        save(lock, state, &[]).await?;
    }
    Ok(retired)
}

/// The state address an old resource is kept under until it is deleted.
fn retired_address(address: &str, id: &str) -> String {
    let revision = id.rsplit('/').next().unwrap_or(id);
    format!("{address}~retired:{revision}")
}

/// Records that `action`'s create is about to be sent: a pending entry with its request,
/// so a crash before the answer leaves something the next apply looks for first.
pub(super) fn pending(state: &mut State, action: &PlannedAction) {
    let entry = state
        .resources
        .entry(action.address.clone())
        .or_insert_with(|| ResourceState {
            kind: action.kind,
            operation: action.kind.create_operation().to_string(),
            status: ResourceStatus::Pending,
            id: None,
            attributes: BTreeMap::new(),
            request: Value::Null,
            depends_on: Vec::new(),
            pending_since: None,
            allow_destroy: false,
            deletion: Default::default(),
        });
    // A create already journaled keeps its first time: its request may still be in flight.
    if entry.status != ResourceStatus::Pending || entry.pending_since.is_none() {
        entry.pending_since = Some(unix_seconds());
    }
    entry.status = ResourceStatus::Pending;
    entry.allow_destroy = action.allow_destroy;
    entry.deletion = action.deletion;
    entry.request = action.after.clone().unwrap_or(Value::Null);
    entry.depends_on = action.depends_on.clone();
}

/// Records what `action` did.
pub(super) fn record(state: &mut State, action: &PlannedAction, outcome: Done) {
    match outcome {
        Done::Deleted => {
            state.resources.remove(&action.address);
        }
        Done::Created(o) => {
            state.resources.insert(
                action.address.clone(),
                ResourceState {
                    kind: action.kind,
                    operation: action.kind.create_operation().to_string(),
                    status: ResourceStatus::Created,
                    id: Some(o.id),
                    attributes: o.attributes,
                    request: action.after.clone().unwrap_or(Value::Null),
                    depends_on: action.depends_on.clone(),
                    pending_since: None,
                    allow_destroy: action.allow_destroy,
                    deletion: action.deletion,
                },
            );
        }
    }
}

/// A state entry for `node` that makes the engine look the resource up before anything
/// else: journaled as pending, with no id and no known journal time.
pub(super) fn to_look_up(node: &ecs_iac_core::Node) -> ResourceState {
    ResourceState {
        kind: node.kind,
        operation: node.operation.to_string(),
        status: ResourceStatus::Pending,
        id: None,
        attributes: BTreeMap::new(),
        request: node.body.clone(),
        depends_on: node.depends_on.clone(),
        pending_since: None,
        allow_destroy: node.protection.allow_destroy,
        deletion: node.protection.deletion,
    }
}

/// The instant by which a create journaled at `since` (unix seconds) has settled. The
/// journal time has whole seconds, so one second is added.
pub(super) fn settle_deadline(since: u64, settle: Duration) -> Instant {
    let settled = Duration::from_secs(since.saturating_add(1)) + settle;
    let now = Duration::from_secs(unix_seconds());
    Instant::now() + settled.saturating_sub(now)
}
