//! The executor: runs a plan as a dependency graph with bounded concurrency, journals
//! every create in state before sending it, saves state after every operation, and stops
//! starting work on Ctrl-C (or a cancel flag) while in-flight calls finish and are saved.
//!
//! Rooms: `schedule` holds the plan as a graph of steps, `run` starts ready steps
//! in parallel and records what they did, `task` is one resource's work, `adopt` finds
//! what an interrupted create made (and holds `recover` and `import`), `journal` is what
//! the state records around each operation, `interrupts` listens for Ctrl-C and SIGTERM.

mod adopt;
mod event;
mod interrupts;
mod journal;
mod run;
mod schedule;
mod task;

pub use adopt::{import, recover};
pub use event::Event;
pub use task::update_modes;

use crate::clients::Aws;
use crate::error::ProviderError;
use crate::state_store::{StateLock, StateStoreError};
use ecs_iac_core::{plan_destroy, Action, Plan, State};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    let mut report = ApplyReport {
        state: State::empty(""),
        done: Vec::new(),
        failed: Vec::new(),
        skipped: Vec::new(),
        interrupted: false,
        elapsed: Duration::ZERO,
    };
    // The preflight's lookups are the reads' results: recorded, not made again.
    for (address, outcome) in checked.reads {
        if let Some(action) = plan.actions.iter().find(|a| a.address == address) {
            let event = |finished| run::event(&address, action.action, finished);
            (options.on_event)(&event(None));
            journal::record(&mut state, action, journal::Done::Created(outcome));
            (options.on_event)(&event(Some(Duration::ZERO)));
            report.done.push((address, action.action));
        }
    }
    let retired = journal::prepare(plan, aws.config.keep_replaced, lock, &mut state).await?;
    let schedule = schedule::Schedule::new(&plan.actions, |address| {
        report.done.iter().any(|(done, _)| done == address)
    });
    let aws = &run::for_run(aws, options);
    run::run(
        aws,
        &plan.stack,
        lock,
        &mut state,
        options,
        schedule,
        &mut report,
    )
    .await?;
    if report.succeeded() {
        run::retire(aws, &retired, lock, &mut state, options, &mut report).await?;
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
            journal::save(lock, &mut state, &[]).await?;
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
