//! The executor: runs a plan as a dependency graph with bounded concurrency, journals
//! every create in state before sending it, saves state after every operation, and stops
//! starting work on Ctrl-C (or a cancel flag) while in-flight calls finish and are saved.

use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use crate::providers::{Existing, Outcome, Target};
use crate::state_store::{unix_seconds, StateLock, StateStoreError};
use ecs_iac_core::resolve::{placeholders, resolve};
use ecs_iac_core::resources::SecretValue;
use ecs_iac_core::{
    plan_destroy, plan_synth, Action, FieldChange, Kind, Plan, PlannedAction, ResourceState,
    ResourceStatus, State, Synth,
};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Something that happened to one resource, for progress displays.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Work on the resource started.
    Started {
        /// Node address.
        address: String,
        /// What is being done.
        action: Action,
    },
    /// The resource is done.
    Finished {
        /// Node address.
        address: String,
        /// What was done.
        action: Action,
        /// Milliseconds it took, waits included.
        millis: u128,
    },
    /// The resource waits or retries: what for, and what AWS last said.
    Waiting {
        /// Node address.
        address: String,
        /// What it waits for.
        message: String,
    },
    /// The run was interrupted while the resource waited or retried: what was sent stays
    /// journaled, and the next apply picks it up.
    Interrupted {
        /// Node address.
        address: String,
        /// What was being done.
        action: Action,
        /// What it was waiting for.
        waiting_for: String,
    },
    /// The run was interrupted: no new work starts; these resources are still in work
    /// (their waits and retries stop at their next pause).
    Stopping {
        /// Addresses still in work.
        in_flight: Vec<String>,
        /// Whether a second interrupt abandoned them.
        abandoned: bool,
    },
    /// The resource failed.
    Failed {
        /// Node address.
        address: String,
        /// What was attempted.
        action: Action,
        /// Why.
        error: String,
    },
}

/// How to run a plan.
#[derive(Clone)]
pub struct ApplyOptions {
    /// Set to stop starting new work (in-flight calls finish and are saved).
    pub cancel: Arc<AtomicBool>,
    /// Listens to Ctrl-C and SIGTERM: the first sets `cancel` (no new work starts, waits
    /// and retries stop, state is saved), a second abandons the calls in flight.
    pub handle_ctrl_c: bool,
    /// Receives progress events.
    pub on_event: Arc<dyn Fn(&Event) + Send + Sync>,
    /// State recovery: adopt what exists and create nothing. A resource that cannot be
    /// found fails and stays journaled as pending, so the next apply looks for it first.
    pub adopt_only: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            cancel: Arc::new(AtomicBool::new(false)),
            handle_ctrl_c: false,
            on_event: Arc::new(|_| {}),
            adopt_only: false,
        }
    }
}

/// What an apply did. The state is the state reached, also when it failed part way.
#[derive(Debug)]
pub struct ApplyReport {
    /// The state after the run (already saved).
    pub state: State,
    /// Resources done, with their action.
    pub done: Vec<(String, Action)>,
    /// Resources that failed, with the error.
    pub failed: Vec<(String, String)>,
    /// Resources not started because something they depend on failed or the run stopped.
    pub skipped: Vec<String>,
    /// Whether the run was cancelled.
    pub interrupted: bool,
    /// Wall time.
    pub elapsed: Duration,
}

impl ApplyReport {
    /// The stack's outputs after the run, by name (also in `state.outputs`).
    pub fn outputs(&self) -> BTreeMap<&str, &str> {
        self.state
            .outputs
            .iter()
            .map(|(name, o)| (name.as_str(), o.value.as_str()))
            .collect()
    }

    /// True when everything planned was done.
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty() && !self.interrupted
    }
}

/// Errors that stop an apply before or between operations.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The plan would destroy data it is not allowed to; nothing was changed.
    #[error("the plan is blocked, nothing was applied: {}", .0.join("; "))]
    Blocked(Vec<String>),
    /// An import that cannot be done; nothing was changed.
    #[error("cannot import `{address}`: {problem}")]
    Import {
        /// The address asked for.
        address: String,
        /// Why.
        problem: String,
    },
    /// A resource the stack reads, or a thing its requests name and it does not own,
    /// does not exist (or its lookup failed): found before the first change, so nothing
    /// was changed.
    #[error("nothing was changed: {0}")]
    Preflight(#[source] ProviderError),
    /// The state could not be saved; the resources done so far are listed.
    #[error("{source}; resources created since the last save: {unsaved:?}")]
    State {
        /// The store's error.
        source: StateStoreError,
        /// Addresses whose result may be missing from state.
        unsaved: Vec<String>,
    },
}

/// Codes that mean "something still uses it": retried until the wait deadline on delete.
const IN_USE: &[&str] = &[
    "DependencyViolation",
    "ResourceInUse",
    "ResourceInUseException",
    "InvalidDBSubnetGroupStateFault",
    "InvalidCacheSubnetGroupStateFault",
    "DeleteConflict",
    "ClusterContainsServicesException",
    "ClusterContainsTasksException",
    "InvalidParameterException",
    "WAFAssociatedItemException",
];

/// What the executor does to one resource: a plan's action without its no-ops, and with
/// a create-then-delete replacement already split into a create (here) and the retired
/// old revision's delete (after everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Create (or adopt) the resource.
    Create,
    /// Look up a resource the stack reads.
    Read,
    /// Change it in place; the plan's changes say which calls.
    Update,
    /// Delete it.
    Delete,
    /// Remove it from state only (the stack only read it).
    Forget,
    /// Delete it, then create it again (the create is a step of its own once the delete
    /// is recorded).
    DeleteThenCreate,
}

impl Step {
    /// The step for a planned action; `None` when there is nothing to send.
    fn of(action: Action) -> Option<Step> {
        match action {
            Action::Create | Action::CreateThenDelete => Some(Step::Create),
            Action::Read => Some(Step::Read),
            Action::Update => Some(Step::Update),
            Action::Delete => Some(Step::Delete),
            Action::Forget => Some(Step::Forget),
            Action::DeleteThenCreate => Some(Step::DeleteThenCreate),
            Action::NoOp => None,
        }
    }
}

struct Work {
    action: PlannedAction,
    step: Step,
    waiting: usize,
    dependents: Vec<usize>,
}

/// What a finished task did to its resource.
enum Done {
    /// Created, adopted, updated or looked up.
    Created(Outcome),
    /// Gone.
    Deleted,
}

/// Applies `plan` to AWS, starting from `state`, saving through `lock` after every
/// operation. Returns the state reached even when resources fail.
///
/// Nothing changes before every read has succeeded: the data sources, and everything the
/// requests name by ARN without owning it ([`crate::preflight()`]).
pub async fn apply(
    aws: &Aws,
    plan: &Plan,
    lock: &StateLock,
    state: State,
    options: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    refuse_blocked(plan).map_err(ApplyError::Blocked)?;
    let checked = crate::preflight::preflight(aws, plan, &state)
        .await
        .map_err(ApplyError::Preflight)?;
    apply_checked(aws, plan, lock, state, options, checked).await
}

/// [`apply`] with the reads [`crate::preflight()`] already made for this plan and state
/// (the CLI checks before it asks for confirmation), so they are not made twice.
pub async fn apply_checked(
    aws: &Aws,
    plan: &Plan,
    lock: &StateLock,
    mut state: State,
    options: &ApplyOptions,
    checked: crate::preflight::Preflight,
) -> Result<ApplyReport, ApplyError> {
    let start = Instant::now();
    refuse_blocked(plan).map_err(ApplyError::Blocked)?;
    let mut read_done: Vec<(String, Action)> = Vec::new();
    for (address, outcome) in checked.reads {
        if let Some(action) = plan.actions.iter().find(|a| a.address == address) {
            (options.on_event)(&Event::Started {
                address: address.clone(),
                action: action.action,
            });
            record(&mut state, action, Done::Created(outcome));
            (options.on_event)(&Event::Finished {
                address: address.clone(),
                action: action.action,
                millis: 0,
            });
            read_done.push((address, action.action));
        }
    }
    // Changes that only concern state (e.g. `.allow_destroy()` added) are recorded at once.
    let mut touched = false;
    for a in plan.actions.iter().filter(|a| a.state_only) {
        if let Some(r) = state.resources.get_mut(&a.address) {
            r.allow_destroy = a.allow_destroy;
            r.deletion = a.deletion;
            touched = true;
        }
    }
    // Create-before-destroy replacements (task definition revisions): the new resource
    // takes the address; the old one is kept in state under a retired address and deleted
    // once everything else is done, so a crash in between leaves it to the next apply.
    let mut retired: Vec<String> = Vec::new();
    for a in plan
        .actions
        .iter()
        .filter(|a| a.action == Action::CreateThenDelete)
    {
        if let Some(old) = state.resources.remove(&a.address) {
            if old.id.is_some() && !aws.config.keep_replaced {
                let address = retired_address(&a.address, old.id.as_deref().unwrap_or_default());
                state.resources.insert(address.clone(), old);
                retired.push(address);
            }
            touched = true;
        }
    }
    if touched {
        lock.save(&mut state).map_err(|source| ApplyError::State {
            source,
            unsaved: vec![],
        })?;
    }
    let mut work: Vec<Work> = plan
        .actions
        .iter()
        .filter(|a| !read_done.iter().any(|(done, _)| *done == a.address))
        .filter_map(|a| {
            Step::of(a.action).map(|step| Work {
                action: a.clone(),
                step,
                waiting: 0,
                dependents: Vec::new(),
            })
        })
        .collect();
    let index: HashMap<String, usize> = work
        .iter()
        .enumerate()
        .map(|(i, w)| (w.action.address.clone(), i))
        .collect();
    // Creates wait for what they depend on; deletes wait for what depended on them.
    let mut edges = Vec::new();
    for (i, w) in work.iter().enumerate() {
        for dep in &w.action.depends_on {
            let Some(&j) = index.get(dep) else { continue };
            match (w.step, work[j].step) {
                (Step::Delete, Step::Delete) => edges.push((i, j)),
                (Step::Delete, _) | (_, Step::Delete) => {}
                _ => edges.push((j, i)),
            }
        }
    }
    for (before, after) in edges {
        work[before].dependents.push(after);
        work[after].waiting += 1;
    }
    let mut ready: Vec<usize> = (0..work.len())
        .filter(|&i| work[i].waiting == 0)
        .rev()
        .collect();
    let mut running: JoinSet<(usize, Result<Done, ProviderError>, Duration)> = JoinSet::new();
    let mut report = ApplyReport {
        state: State::empty(""),
        done: read_done,
        failed: Vec::new(),
        skipped: Vec::new(),
        interrupted: false,
        elapsed: Duration::ZERO,
    };
    let parallelism = aws.config.parallelism.max(1);
    let on_event = options.on_event.clone();
    let aws = &aws.for_run(
        options.cancel.clone(),
        crate::clients::WaitSink::new(move |address, message| {
            on_event(&Event::Waiting {
                address: address.to_string(),
                message: message.to_string(),
            })
        }),
    );
    // Installed before any work starts.
    let mut interrupts = Interrupts::new(options.handle_ctrl_c);
    let mut interrupts_seen = 0;
    // Addresses whose work started, for saying what is still in flight.
    let mut started: Vec<String> = Vec::new();

    loop {
        while !options.cancel.load(Ordering::SeqCst) && running.len() < parallelism {
            let Some(i) = ready.pop() else { break };
            let (action, step) = (work[i].action.clone(), work[i].step);
            started.push(action.address.clone());
            (options.on_event)(&Event::Started {
                address: action.address.clone(),
                action: action.action,
            });
            match prepare(aws, &plan.stack, &action, step, &mut state) {
                Ok(mut task) => {
                    task.adopt_only = options.adopt_only;
                    if task.journal {
                        journal_pending(&mut state, &action);
                        lock.save(&mut state).map_err(|source| ApplyError::State {
                            source,
                            unsaved: vec![],
                        })?;
                    }
                    running.spawn(async move {
                        let started = Instant::now();
                        let result = task.run().await;
                        (i, result, started.elapsed())
                    });
                }
                Err(e) => {
                    (options.on_event)(&Event::Failed {
                        address: action.address.clone(),
                        action: action.action,
                        error: e.to_string(),
                    });
                    report.failed.push((action.address.clone(), e.to_string()));
                }
            }
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            joined = running.join_next() => {
                let Some(joined) = joined else { continue };
                let (i, result, took) = match joined {
                    Ok(x) => x,
                    // Abandoned at a second interrupt: not finished, so listed as skipped.
                    Err(e) if e.is_cancelled() => continue,
                    Err(e) => {
                        report.failed.push(("(task)".into(), e.to_string()));
                        continue;
                    }
                };
                let action = work[i].action.clone();
                match result {
                    // A replacement's old resource is gone: record that, then create the
                    // new one as a journaled create of its own.
                    Ok(Done::Deleted) if work[i].step == Step::DeleteThenCreate => {
                        state.resources.remove(&action.address);
                        lock.save(&mut state).map_err(|source| ApplyError::State { source, unsaved: vec![action.address.clone()] })?;
                        work[i].step = Step::Create;
                        ready.push(i);
                    }
                    Ok(outcome) => {
                        record(&mut state, &action, outcome);
                        lock.save(&mut state).map_err(|source| ApplyError::State { source, unsaved: vec![action.address.clone()] })?;
                        (options.on_event)(&Event::Finished { address: action.address.clone(), action: action.action, millis: took.as_millis() });
                        report.done.push((action.address.clone(), action.action));
                        for d in work[i].dependents.clone() {
                            work[d].waiting -= 1;
                            if work[d].waiting == 0 {
                                ready.insert(0, d);
                            }
                        }
                    }
                    Err(ProviderError::Interrupted { waiting_for, .. }) => {
                        (options.on_event)(&Event::Interrupted { address: action.address.clone(), action: action.action, waiting_for });
                    }
                    Err(e) => {
                        (options.on_event)(&Event::Failed { address: action.address.clone(), action: action.action, error: e.to_string() });
                        report.failed.push((action.address.clone(), e.to_string()));
                    }
                }
            }
            () = interrupts.next(), if interrupts_seen < 2 => {
                interrupts_seen += 1;
                let in_flight: Vec<String> = started
                    .iter()
                    .filter(|a| !report.done.iter().any(|(d, _)| d == *a) && !report.failed.iter().any(|(f, _)| f == *a))
                    .cloned()
                    .collect();
                if interrupts_seen == 1 {
                    tracing::warn!(in_flight = running.len(), "interrupted: no new work starts, waits stop; interrupt again to abandon the calls in flight");
                    options.cancel.store(true, Ordering::SeqCst);
                } else {
                    tracing::warn!(in_flight = running.len(), "interrupted again: abandoning the calls in flight");
                    running.abort_all();
                }
                (options.on_event)(&Event::Stopping { in_flight, abandoned: interrupts_seen > 1 });
            }
        }
    }
    let finished: std::collections::HashSet<&str> = report
        .done
        .iter()
        .map(|(a, _)| a.as_str())
        .chain(report.failed.iter().map(|(a, _)| a.as_str()))
        .collect();
    report.skipped = work
        .iter()
        .map(|w| w.action.address.clone())
        .filter(|a| !finished.contains(a.as_str()))
        .collect();
    report.interrupted = options.cancel.load(Ordering::SeqCst);
    if report.failed.is_empty() && report.skipped.is_empty() && !report.interrupted {
        retire(aws, &retired, lock, &mut state, options, &mut report).await?;
    }
    // The outputs take the values the resources have now; one whose resources did not
    // get there is left out until an apply resolves it.
    if !plan.outputs.is_empty() {
        let outputs = ecs_iac_core::output::resolved(
            &plan.outputs,
            &state,
            Some(&aws.account_id),
            Some(&aws.region),
        );
        if outputs != state.outputs {
            state.outputs = outputs;
            lock.save(&mut state).map_err(|source| ApplyError::State {
                source,
                unsaved: vec![],
            })?;
        }
    }
    report.elapsed = start.elapsed();
    report.state = state;
    Ok(report)
}

/// The reasons of a plan's blocked actions, as the error: nothing may be applied.
fn refuse_blocked(plan: &Plan) -> Result<(), Vec<String>> {
    let blocked: Vec<String> = plan.blocked().filter_map(|a| a.blocked.clone()).collect();
    if blocked.is_empty() {
        Ok(())
    } else {
        Err(blocked)
    }
}

/// Interrupt signals as they come: Ctrl-C (SIGINT), and SIGTERM on Unix, which stops a
/// run exactly like the first Ctrl-C. Never, when the caller handles signals itself.
struct Interrupts {
    enabled: bool,
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Interrupts {
    /// Installs the handlers at once (before any work starts), when `enabled`.
    fn new(enabled: bool) -> Interrupts {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = enabled
                .then(|| {
                    Some((
                        signal(SignalKind::interrupt()).ok()?,
                        signal(SignalKind::terminate()).ok()?,
                    ))
                })
                .flatten();
            if enabled && signals.is_none() {
                tracing::warn!("could not install the SIGINT/SIGTERM handlers");
            }
            Interrupts { enabled, signals }
        }
        #[cfg(not(unix))]
        Interrupts { enabled }
    }

    /// The next interrupt.
    async fn next(&mut self) {
        if !self.enabled {
            return std::future::pending().await;
        }
        #[cfg(unix)]
        match &mut self.signals {
            Some((interrupt, terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            None => std::future::pending().await,
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The state address an old resource is kept under until it is deleted.
fn retired_address(address: &str, id: &str) -> String {
    let revision = id.rsplit('/').next().unwrap_or(id);
    format!("{address}~retired:{revision}")
}

/// Deletes the resources replaced create-before-destroy, now that nothing uses them.
async fn retire(
    aws: &Aws,
    retired: &[String],
    lock: &StateLock,
    state: &mut State,
    options: &ApplyOptions,
    report: &mut ApplyReport,
) -> Result<(), ApplyError> {
    let mut old = State::empty(state.stack.clone());
    for address in retired {
        if let Some(r) = state.resources.get(address) {
            old.resources.insert(address.clone(), r.clone());
        }
    }
    for action in plan_destroy(&old).actions {
        (options.on_event)(&Event::Started {
            address: action.address.clone(),
            action: action.action,
        });
        let started = Instant::now();
        let stack = state.stack.clone();
        let result = match prepare(aws, &stack, &action, Step::Delete, state) {
            Ok(task) => task.run().await.map(drop),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                state.resources.remove(&action.address);
                lock.save(state).map_err(|source| ApplyError::State {
                    source,
                    unsaved: vec![action.address.clone()],
                })?;
                (options.on_event)(&Event::Finished {
                    address: action.address.clone(),
                    action: action.action,
                    millis: started.elapsed().as_millis(),
                });
                report.done.push((action.address, action.action));
            }
            Err(e) => {
                (options.on_event)(&Event::Failed {
                    address: action.address.clone(),
                    action: action.action,
                    error: e.to_string(),
                });
                report.failed.push((action.address, e.to_string()));
            }
        }
    }
    Ok(())
}

/// Rebuilds a lost state from AWS: every resource of `desired` is looked up by its
/// ownership tags (or unique name) and adopted, or adopted by its create call where that
/// call adopts what exists (attachments, rules, upserts). Nothing is created. What is not
/// found stays journaled as pending, so the next apply looks for it again before it
/// creates it.
pub async fn recover(
    aws: &Aws,
    desired: Synth,
    lock: &StateLock,
    options: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let mut state = State::empty(desired.stack.clone());
    for node in desired.nodes.iter().filter(|n| !n.data_source) {
        state
            .resources
            .insert(node.address.clone(), to_look_up(node));
    }
    let plan = plan_synth(desired, &state);
    let options = ApplyOptions {
        adopt_only: true,
        ..options.clone()
    };
    apply(aws, &plan, lock, state, &options).await
}

/// Adopts the existing AWS resource `id` as the stack's `address`: tags it as owned by
/// the stack, then looks it up the way a resumed create does and records it in `state`
/// (saved). A later `plan` shows how it differs from the stack.
pub async fn import(
    aws: &Aws,
    desired: Synth,
    address: &str,
    id: &str,
    lock: &StateLock,
    mut state: State,
    options: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let refuse = |problem: String| ApplyError::Import {
        address: address.to_string(),
        problem,
    };
    let Some(node) = desired.nodes.iter().find(|n| n.address == address) else {
        return Err(refuse(format!(
            "the stack `{}` has no resource at this address",
            desired.stack
        )));
    };
    if node.data_source || !node.kind.spec().findable {
        return Err(refuse(format!(
            "`{}` cannot be imported; apply adopts it by its create call",
            node.kind
        )));
    }
    if state.resources.get(address).is_some_and(|r| r.id.is_some()) {
        return Err(refuse("it is already in state".into()));
    }
    aws.tag_owned(&desired.stack, address, node.kind, id)
        .await
        .map_err(|e| refuse(e.to_string()))?;
    state
        .resources
        .insert(address.to_string(), to_look_up(node));
    let mut plan = plan_synth(desired.clone(), &state);
    plan.actions.retain(|a| a.address == address);
    let options = ApplyOptions {
        adopt_only: true,
        ..options.clone()
    };
    apply(aws, &plan, lock, state, &options).await
}

/// A state entry for `node` that makes the engine look the resource up before anything
/// else: journaled as pending, with no id and no known journal time.
fn to_look_up(node: &ecs_iac_core::Node) -> ResourceState {
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

/// Destroys everything in `state`, dependents first.
pub async fn destroy(
    aws: &Aws,
    lock: &StateLock,
    state: State,
    options: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let plan = plan_destroy(&state);
    apply(aws, &plan, lock, state, options).await
}

/// One resource's work, ready to run on its own task.
struct Task {
    aws: Aws,
    stack: String,
    address: String,
    kind: Kind,
    step: Step,
    /// For an update: how its changed fields reach AWS.
    modes: std::collections::BTreeSet<FieldChange>,
    /// For an update: the top-level request fields that change.
    changed: Vec<String>,
    /// The request with every placeholder resolved but secret values.
    body: Value,
    /// Secret values to fetch: (address, secret id).
    secrets: Vec<(String, String)>,
    /// The value a secret is created with, produced just before its create is sent.
    initial_value: Option<SecretValue>,
    /// The recorded resource, for deletes and replacements.
    existing: Option<ResourceState>,
    /// A previous create was interrupted: look for the resource before creating.
    adopt_first: bool,
    /// When that interrupted create was journaled (unix seconds), if known.
    pending_since: Option<u64>,
    /// Adopt what exists, create nothing ([`ApplyOptions::adopt_only`]).
    adopt_only: bool,
    /// For an update that changes tags: the tags to set and the keys to remove.
    retag: Option<Retag>,
    /// Whether to journal a pending create before running.
    journal: bool,
}

/// The modes an update's changes need ([`Kind::field_change`] of each changed top-level
/// field), and those fields. A field that would replace the node is refused: the planner
/// plans a replacement for it, so reaching here means the plan was not made by it (or
/// was edited).
pub fn update_modes(
    action: &PlannedAction,
) -> Result<(std::collections::BTreeSet<FieldChange>, Vec<String>), ProviderError> {
    let mut modes = std::collections::BTreeSet::new();
    let mut fields: Vec<String> = Vec::new();
    for c in &action.changes {
        let field = top_field(&c.path);
        let mode = action.kind.field_change(field);
        if mode == FieldChange::Replace {
            return Err(ProviderError::Request {
                address: action.address.clone(),
                field: c.path.clone(),
                problem: format!(
                    "`{field}` of `{}` cannot change in place; plan again (the plan replaces it), nothing was changed",
                    action.kind
                ),
            });
        }
        modes.insert(mode);
        if !fields.iter().any(|f| f == field) {
            fields.push(field.to_string());
        }
    }
    Ok((modes, fields))
}

/// The top-level request field of a change path (`containerDefinitions[app].image` →
/// `containerDefinitions`).
fn top_field(path: &str) -> &str {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

fn prepare(
    aws: &Aws,
    stack: &str,
    action: &PlannedAction,
    step: Step,
    state: &mut State,
) -> Result<Task, ProviderError> {
    let existing = state.resources.get(&action.address).cloned();
    let adopt_first = existing
        .as_ref()
        .is_some_and(|r| r.status == ResourceStatus::Pending);
    let pending_since = existing.as_ref().and_then(|r| r.pending_since);
    let body = action.after.clone().unwrap_or(Value::Null);
    let mut secrets = Vec::new();
    for p in placeholders(&body) {
        if p.attribute == "secret_value" {
            let id = state
                .resources
                .get(&p.address)
                .and_then(|r| r.id.clone())
                .ok_or_else(|| ProviderError::Request {
                    address: action.address.clone(),
                    field: format!("${{{}.secret_value}}", p.address),
                    problem: "the secret was not looked up".into(),
                })?;
            secrets.push((p.address.clone(), id));
        }
    }
    let account = aws.account_id.clone();
    let region = aws.region.clone();
    let lookup = |address: &str, attribute: &str| -> Option<String> {
        match (address, attribute) {
            ("aws", attribute) => {
                ecs_iac_core::resolve::aws_value(attribute, Some(&account), Some(&region))
            }
            (_, "secret_value") => Some(format!("${{{address}.secret_value}}")),
            _ => state
                .resources
                .get(address)
                .filter(|r| r.status == ResourceStatus::Created)
                .and_then(|r| r.attributes.get(attribute).cloned()),
        }
    };
    let body = if step == Step::Delete {
        Value::Null
    } else {
        resolve(&body, &lookup).map_err(|e| ProviderError::Request {
            address: action.address.clone(),
            field: "placeholders".into(),
            problem: e.to_string(),
        })?
    };
    let (modes, changed) = if step == Step::Update {
        update_modes(action)?
    } else {
        Default::default()
    };
    let retag = if modes.contains(&FieldChange::Retag) {
        let old = action.before.clone().unwrap_or(Value::Null);
        let old = Req {
            address: &action.address,
            body: &old,
        }
        .resource_tags();
        let new = Req {
            address: &action.address,
            body: &body,
        }
        .resource_tags();
        let removed = old
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| !new.iter().any(|(n, _)| n == k))
            .collect();
        Some((new, removed))
    } else {
        None
    };
    Ok(Task {
        aws: aws.clone(),
        stack: stack.to_string(),
        address: action.address.clone(),
        kind: action.kind,
        step,
        modes,
        changed,
        body,
        secrets,
        initial_value: action.initial_value.clone(),
        existing,
        adopt_first,
        pending_since,
        retag,
        adopt_only: false,
        journal: step == Step::Create,
    })
}

/// The instant by which a create journaled at `since` (unix seconds) has settled. The
/// journal time has whole seconds, so one second is added.
fn settle_deadline(since: u64, settle: Duration) -> Instant {
    let settled = Duration::from_secs(since.saturating_add(1)) + settle;
    let now = Duration::from_secs(unix_seconds());
    Instant::now() + settled.saturating_sub(now)
}

/// The tags an update sets, and the tag keys it removes.
type Retag = (Vec<(String, String)>, Vec<String>);

/// The error of a state the code rules out, reported instead of a panic.
fn unreachable_state(address: &str) -> ProviderError {
    ProviderError::Request {
        address: address.to_string(),
        field: "(engine)".into(),
        problem: "internal error: an update ended without an outcome".into(),
    }
}

fn journal_pending(state: &mut State, action: &PlannedAction) {
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

fn record(state: &mut State, action: &PlannedAction, outcome: Done) {
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

impl Task {
    async fn run(self) -> Result<Done, ProviderError> {
        match self.step {
            Step::Delete | Step::DeleteThenCreate => self.delete().await.map(|_| Done::Deleted),
            Step::Update => self.update().await.map(Done::Created),
            Step::Create | Step::Read => self.create().await.map(Done::Created),
            Step::Forget => Ok(Done::Deleted),
        }
    }

    async fn create(&self) -> Result<Outcome, ProviderError> {
        let mut values = HashMap::new();
        for (address, id) in &self.secrets {
            values.insert(
                address.clone(),
                self.aws.secret_value(&self.address, id).await?,
            );
        }
        let mut body = if values.is_empty() {
            self.body.clone()
        } else {
            let lookup = |address: &str, attribute: &str| {
                (attribute == "secret_value")
                    .then(|| values.get(address).cloned())
                    .flatten()
            };
            resolve(&self.body, &lookup).map_err(|e| ProviderError::Request {
                address: self.address.clone(),
                field: "secret".into(),
                problem: e.to_string(),
            })?
        };
        let mut values: Vec<String> = values.into_values().collect();
        // Adopting only (import, recover) never creates: no value is needed.
        if let Some(source) = self.initial_value.as_ref().filter(|_| !self.adopt_only) {
            let value = self.aws.produce_secret_value(&self.address, source).await?;
            if let Value::Object(fields) = &mut body {
                fields.insert("SecretString".into(), Value::String(value.clone()));
            }
            values.push(value);
        }
        let t = Target {
            stack: &self.stack,
            address: &self.address,
            kind: self.kind,
            req: Req {
                address: &self.address,
                body: &body,
            },
            changed: &self.changed,
        };
        // AWS error messages may echo request parameters: secret values never leave here.
        let secret_values: Vec<&str> = values.iter().map(String::as_str).collect();
        self.create_resolved(&t, &secret_values)
            .await
            .map_err(|e| e.redact(&secret_values))
    }

    /// Creates (or adopts) the resource of the fully resolved request `t`, whose secret
    /// values are `secrets`.
    async fn create_resolved(
        &self,
        t: &Target<'_>,
        secrets: &[&str],
    ) -> Result<Outcome, ProviderError> {
        let t = *t;
        let config = &self.aws.config;
        if self.adopt_first {
            // The interrupted request may still be in flight: look until it has settled.
            let settled = match self.pending_since {
                Some(since) if self.kind.spec().duplicable => {
                    settle_deadline(since, config.create_settle)
                }
                _ => Instant::now(),
            };
            if let Some(mut found) = self.find_settled(&t, settled).await? {
                tracing::info!(address = %self.address, id = %found.id, "adopted after an interrupted create");
                self.aws.wait_ready(&t, &mut found).await?;
                return Ok(found);
            }
            if self.adopt_only && self.kind.spec().findable {
                return Err(ProviderError::Request {
                    address: self.address.clone(),
                    field: "(recover)".into(),
                    problem: "not found in AWS by its ownership tags or name; it stays \
                              journaled, and the next apply looks for it again or creates it"
                        .into(),
                });
            }
        }
        let mut backoff = config.create_backoff;
        let mut attempt = 1;
        loop {
            let sent = Instant::now();
            match self.aws.create(&t).await.map_err(|e| e.redact(secrets)) {
                Ok(mut o) => {
                    self.aws.wait_ready(&t, &mut o).await?;
                    return Ok(o);
                }
                Err(e) if e.is_transient() && attempt < config.create_attempts => {
                    tracing::warn!(address = %self.address, attempt, error = %e, "create failed; looking the resource up before retrying");
                    self.aws
                        .pause(&self.address, "a retry of the create", backoff)
                        .await?;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                    // A lost response: AWS may have made it, or may still be making it.
                    // Adopt instead of duplicating.
                    let settled = if e.is_unanswered() && self.kind.spec().duplicable {
                        sent + config.create_settle
                    } else {
                        Instant::now()
                    };
                    if let Some(mut found) = self.find_settled(&t, settled).await? {
                        self.aws.wait_ready(&t, &mut found).await?;
                        return Ok(found);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Changes the recorded resource in place, in the modes its changes need: the create
    /// call again (upserts), the kind's modify call, and tags.
    async fn update(&self) -> Result<Outcome, ProviderError> {
        let upserted = if self.modes.contains(&FieldChange::Upsert) {
            Some(self.create().await?)
        } else {
            None
        };
        if upserted.is_some() && self.retag.is_none() {
            return upserted.ok_or_else(|| unreachable_state(&self.address));
        }
        let Some(existing) = &self.existing else {
            return Err(ProviderError::Request {
                address: self.address.clone(),
                field: "state".into(),
                problem: "an update needs the resource in state; it is not there".into(),
            });
        };
        let Some(id) = existing.id.as_deref() else {
            return Err(ProviderError::Request {
                address: self.address.clone(),
                field: "state".into(),
                problem: "the recorded resource has no id; run apply again to adopt it first"
                    .into(),
            });
        };
        let t = Target {
            stack: &self.stack,
            address: &self.address,
            kind: self.kind,
            req: Req {
                address: &self.address,
                body: &self.body,
            },
            changed: &self.changed,
        };
        let e = Existing {
            address: &self.address,
            kind: existing.kind,
            id,
            attributes: &existing.attributes,
            deletion: existing.deletion,
        };
        let outcome = match upserted {
            Some(outcome) => outcome,
            None if self.modes.contains(&FieldChange::Modify) => self.aws.update(&t, &e).await?,
            None => e.unchanged(),
        };
        if let Some((set, remove)) = &self.retag {
            self.aws.retag(&e, set, remove).await?;
        }
        Ok(outcome)
    }

    /// Finds what an interrupted create (a pending entry without an id) made, once the
    /// request has settled.
    async fn find_interrupted(
        &self,
        existing: &ResourceState,
    ) -> Result<Option<Outcome>, ProviderError> {
        let t = Target {
            stack: &self.stack,
            address: &self.address,
            kind: existing.kind,
            req: Req {
                address: &self.address,
                body: &existing.request,
            },
            changed: &[],
        };
        let settled = match existing.pending_since {
            Some(since) if existing.kind.spec().duplicable => {
                settle_deadline(since, self.aws.config.create_settle)
            }
            _ => Instant::now(),
        };
        let found = self.find_settled(&t, settled).await?;
        if let Some(found) = &found {
            tracing::info!(address = %self.address, id = %found.id, "found what an interrupted create made; deleting it");
        }
        Ok(found)
    }

    /// Looks the resource up until it is found or `settled` has passed: a create whose
    /// outcome is unknown may still be in flight, or not yet visible to describe calls.
    async fn find_settled(
        &self,
        t: &Target<'_>,
        settled: Instant,
    ) -> Result<Option<Outcome>, ProviderError> {
        let mut pause = self.aws.config.create_backoff;
        loop {
            if let Some(found) = self.find_patiently(t).await? {
                return Ok(Some(found));
            }
            let now = Instant::now();
            if now >= settled {
                return Ok(None);
            }
            tracing::info!(address = %self.address, seconds = (settled - now).as_secs(), "not found yet; an earlier create may still be in flight, looking again");
            self.aws
                .pause(
                    &self.address,
                    "an earlier create to settle",
                    pause.min(settled - now),
                )
                .await?;
            pause = pause.saturating_mul(2).min(Duration::from_secs(5));
        }
    }

    /// Looks the resource up, retrying transient errors: creating again without knowing
    /// whether the first create happened could duplicate it.
    async fn find_patiently(&self, t: &Target<'_>) -> Result<Option<Outcome>, ProviderError> {
        let mut backoff = self.aws.config.create_backoff;
        let mut attempt = 1;
        loop {
            match self.aws.find(t).await {
                Err(e) if e.is_transient() && attempt < self.aws.config.create_attempts => {
                    tracing::warn!(address = %self.address, attempt, error = %e, "lookup failed; retrying");
                    self.aws
                        .pause(&self.address, "a retry of the lookup", backoff)
                        .await?;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn delete(&self) -> Result<(), ProviderError> {
        let Some(existing) = &self.existing else {
            return Ok(());
        };
        // A create that never finished may still have made the resource: look it up by
        // its ownership tags (or unique name) before forgetting it.
        let adopted = match existing.id.as_deref() {
            Some(_) => None,
            None => match self.find_interrupted(existing).await? {
                Some(found) => Some(found),
                None => return Ok(()),
            },
        };
        let (id, attributes) = match &adopted {
            Some(found) => (found.id.as_str(), &found.attributes),
            None => (
                existing.id.as_deref().unwrap_or_default(),
                &existing.attributes,
            ),
        };
        let e = Existing {
            address: &self.address,
            kind: existing.kind,
            id,
            attributes,
            deletion: existing.deletion,
        };
        let config = &self.aws.config;
        let start = Instant::now();
        loop {
            match self.aws.delete(&e).await {
                Ok(()) => return Ok(()),
                Err(err)
                    if (err.is(IN_USE) || err.is_transient())
                        && start.elapsed() < config.wait_deadline =>
                {
                    tracing::info!(address = %self.address, error = %err, "still in use; retrying the delete");
                    let left = config.wait_deadline.saturating_sub(start.elapsed());
                    let waiting_for = format!(
                        "{}; retrying the delete, {} s left",
                        err.code().unwrap_or("in use"),
                        left.as_secs()
                    );
                    self.aws
                        .pause(&self.address, &waiting_for, config.poll_interval)
                        .await?;
                }
                Err(err) => return Err(err),
            }
        }
    }
}
