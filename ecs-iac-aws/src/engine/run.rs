//! The run loop: starts ready steps up to the parallelism, records each result in state
//! (saved at once) as it comes, releases the steps that waited for it, and stops starting
//! work at the first interrupt (abandoning the calls in flight at the second).

use super::interrupts::Interrupts;
use super::journal::{self, Done, Unsaved};
use super::schedule::{Schedule, Step};
use super::task;
use super::{ApplyOptions, ApplyReport, Event};
use crate::clients::{Aws, WaitSink};
use crate::error::ProviderError;
use crate::state_store::StateLock;
use ecs_iac_core::{plan_destroy, Action, State};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The event of `address` starting (`None`) or finishing after `took`.
pub(super) fn event(address: &str, action: Action, took: Option<Duration>) -> Event {
    let address = address.to_string();
    match took {
        None => Event::Started { address, action },
        Some(took) => Event::Finished {
            address,
            action,
            millis: took.as_millis(),
        },
    }
}

/// The event of `address` failing with `error`.
fn failed(address: &str, action: Action, error: &ProviderError) -> Event {
    Event::Failed {
        address: address.to_string(),
        action,
        error: error.to_string(),
    }
}

/// `aws` for one run: its waits stop at `options.cancel` and report to `options.on_event`.
pub(super) fn for_run(aws: &Aws, options: &ApplyOptions) -> Aws {
    let on_event = options.on_event.clone();
    aws.for_run(
        options.cancel.clone(),
        WaitSink::new(move |address, message| {
            on_event(&Event::Waiting {
                address: address.to_string(),
                message: message.to_string(),
            })
        }),
    )
}

/// Runs every step of `schedule`, recording results in `state` and `report`. Steps that
/// never started (something they depend on failed, or the run stopped) are listed as
/// skipped, and `report.interrupted` says whether the run was cancelled.
pub(super) async fn run(
    aws: &Aws,
    stack: &str,
    lock: &StateLock,
    state: &mut State,
    options: &ApplyOptions,
    schedule: Schedule,
    report: &mut ApplyReport,
) -> Result<(), Unsaved> {
    let mut run = Run {
        aws,
        stack,
        lock,
        state,
        options,
        schedule,
        report,
        running: JoinSet::new(),
        started: Vec::new(),
    };
    // Installed before any work starts.
    let mut interrupts = Interrupts::new(options.handle_ctrl_c);
    let mut interrupts_seen = 0;
    loop {
        run.start_ready().await?;
        if run.running.is_empty() {
            break;
        }
        tokio::select! {
            joined = run.running.join_next() => match joined {
                Some(Ok((i, result, took))) => run.finished(i, result, took).await?,
                // Abandoned at a second interrupt: not finished, so listed as skipped.
                Some(Err(e)) if e.is_cancelled() => {}
                Some(Err(e)) => run.report.failed.push(("(task)".into(), e.to_string())),
                None => {}
            },
            () = interrupts.next(), if interrupts_seen < 2 => {
                interrupts_seen += 1;
                let in_flight = run.in_flight();
                if interrupts_seen == 1 {
                    tracing::warn!(in_flight = run.running.len(), "interrupted: no new work starts, waits stop; interrupt again to abandon the calls in flight");
                    options.cancel.store(true, Ordering::SeqCst);
                } else {
                    tracing::warn!(in_flight = run.running.len(), "interrupted again: abandoning the calls in flight");
                    run.running.abort_all();
                }
                (options.on_event)(&Event::Stopping { in_flight, abandoned: interrupts_seen > 1 });
            }
        }
    }
    run.end();
    Ok(())
}

/// A finished task: its step, what it did, how long it took.
type Joined = (usize, Result<Done, ProviderError>, Duration);

/// One run in progress.
struct Run<'a> {
    aws: &'a Aws,
    stack: &'a str,
    lock: &'a StateLock,
    state: &'a mut State,
    options: &'a ApplyOptions,
    schedule: Schedule,
    report: &'a mut ApplyReport,
    running: JoinSet<Joined>,
    /// Addresses whose work started, for saying what is still in flight.
    started: Vec<String>,
}

impl Run<'_> {
    /// Starts ready steps until the parallelism is reached, unless the run is cancelled.
    /// A create is journaled (and saved) before its task starts.
    async fn start_ready(&mut self) -> Result<(), Unsaved> {
        let parallelism = self.aws.config.parallelism.max(1);
        while !self.options.cancel.load(Ordering::SeqCst) && self.running.len() < parallelism {
            let Some(i) = self.schedule.next_ready() else {
                break;
            };
            let (action, step) = (self.schedule.action(i), self.schedule.step(i));
            self.started.push(action.address.clone());
            (self.options.on_event)(&event(&action.address, action.action, None));
            match task::prepare(self.aws, self.stack, action, step, self.state) {
                Ok(mut task) => {
                    task.adopt_only = self.options.adopt_only;
                    if task.journal {
                        journal::pending(self.state, action);
                        journal::save(self.lock, self.state, &[]).await?;
                    }
                    self.running.spawn(async move {
                        let started = Instant::now();
                        let result = task.run().await;
                        (i, result, started.elapsed())
                    });
                }
                Err(e) => {
                    (self.options.on_event)(&failed(&action.address, action.action, &e));
                    self.report
                        .failed
                        .push((action.address.clone(), e.to_string()));
                }
            }
        }
        Ok(())
    }

    /// Records what step `i` did and releases what waited for it.
    async fn finished(
        &mut self,
        i: usize,
        result: Result<Done, ProviderError>,
        took: Duration,
    ) -> Result<(), Unsaved> {
        let action = self.schedule.action(i).clone();
        let address = action.address.as_str();
        match result {
            // A replacement's old resource is gone: record that, then create the new one
            // as a journaled create of its own.
            Ok(Done::Deleted) if self.schedule.step(i) == Step::DeleteThenCreate => {
                self.state.resources.remove(address);
                journal::save(self.lock, self.state, &[address]).await?;
                self.schedule.create_next(i);
            }
            Ok(outcome) => {
                journal::record(self.state, &action, outcome);
                journal::save(self.lock, self.state, &[address]).await?;
                (self.options.on_event)(&event(address, action.action, Some(took)));
                self.report
                    .done
                    .push((action.address.clone(), action.action));
                self.schedule.finished(i);
            }
            Err(ProviderError::Interrupted { waiting_for, .. }) => {
                (self.options.on_event)(&Event::Interrupted {
                    address: action.address.clone(),
                    action: action.action,
                    waiting_for,
                });
            }
            Err(e) => {
                (self.options.on_event)(&failed(address, action.action, &e));
                self.report
                    .failed
                    .push((action.address.clone(), e.to_string()));
            }
        }
        Ok(())
    }

    /// Addresses whose work started and has not ended.
    fn in_flight(&self) -> Vec<String> {
        let ended = |a: &String| {
            self.report.done.iter().any(|(d, _)| d == a)
                || self.report.failed.iter().any(|(f, _)| f == a)
        };
        self.started.iter().filter(|a| !ended(a)).cloned().collect()
    }

    /// Lists what never ended as skipped, and whether the run was cancelled.
    fn end(self) {
        let ended: HashSet<&str> = self
            .report
            .done
            .iter()
            .map(|(a, _)| a.as_str())
            .chain(self.report.failed.iter().map(|(a, _)| a.as_str()))
            .collect();
        let skipped = self
            .schedule
            .addresses()
            .filter(|a| !ended.contains(a))
            .map(str::to_string)
            .collect();
        self.report.skipped = skipped;
        self.report.interrupted = self.options.cancel.load(Ordering::SeqCst);
    }
}

/// Deletes the resources replaced create-before-destroy, now that nothing uses them.
pub(super) async fn retire(
    aws: &Aws,
    retired: &[String],
    lock: &StateLock,
    state: &mut State,
    options: &ApplyOptions,
    report: &mut ApplyReport,
) -> Result<(), Unsaved> {
    let mut old = State::empty(state.stack.clone());
    for address in retired {
        if let Some(r) = state.resources.get(address) {
            old.resources.insert(address.clone(), r.clone());
        }
    }
    for action in plan_destroy(&old).actions {
        (options.on_event)(&event(&action.address, action.action, None));
        let started = Instant::now();
        let stack = state.stack.clone();
        let result = match task::prepare(aws, &stack, &action, Step::Delete, state) {
            Ok(task) => task.run().await.map(drop),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                state.resources.remove(&action.address);
                journal::save(lock, state, &[&action.address]).await?;
                let took = Some(started.elapsed());
                (options.on_event)(&event(&action.address, action.action, took));
                report.done.push((action.address, action.action));
            }
            Err(e) => {
                (options.on_event)(&failed(&action.address, action.action, &e));
                report.failed.push((action.address, e.to_string()));
            }
        }
    }
    Ok(())
}
