//! The plan as a dependency graph of steps: what may start now, and what a finished step
//! releases. Creates wait for what they depend on; deletes wait for what depended on them.

use ecs_iac_core::{Action, PlannedAction};
use std::collections::HashMap;

/// What the executor does to one resource: a plan's action without its no-ops, and with
/// a create-then-delete replacement already split into a create (here) and the retired
/// old revision's delete (after everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
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
    pub(super) fn of(action: Action) -> Option<Step> {
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

/// One planned action in the graph.
struct Work {
    action: PlannedAction,
    step: Step,
    /// Steps still to finish before this one may start.
    waiting: usize,
    /// Steps waiting for this one.
    dependents: Vec<usize>,
}

/// The steps of a run and the order they may start in.
pub(super) struct Schedule {
    work: Vec<Work>,
    /// Steps whose prerequisites are done, the next to start last.
    ready: Vec<usize>,
}

impl Schedule {
    /// The graph of `actions`, leaving out those `done` already and those with nothing
    /// to send.
    pub(super) fn new(actions: &[PlannedAction], done: impl Fn(&str) -> bool) -> Schedule {
        let mut work: Vec<Work> = actions
            .iter()
            .filter(|a| !done(&a.address))
            .filter_map(|a| {
                Step::of(a.action).map(|step| Work {
                    action: a.clone(),
                    step,
                    waiting: 0,
                    dependents: Vec::new(),
                })
            })
            .collect();
        let index: HashMap<&str, usize> = work
            .iter()
            .enumerate()
            .map(|(i, w)| (w.action.address.as_str(), i))
            .collect();
        let mut edges = Vec::new();
        for (i, w) in work.iter().enumerate() {
            for dep in &w.action.depends_on {
                let Some(&j) = index.get(dep.as_str()) else {
                    continue;
                };
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
        let ready = (0..work.len())
            .filter(|&i| work[i].waiting == 0)
            .rev()
            .collect();
        Schedule { work, ready }
    }

    /// The next step that may start, if any.
    pub(super) fn next_ready(&mut self) -> Option<usize> {
        self.ready.pop()
    }

    /// The planned action of step `i`.
    pub(super) fn action(&self, i: usize) -> &PlannedAction {
        &self.work[i].action
    }

    /// What step `i` does.
    pub(super) fn step(&self, i: usize) -> Step {
        self.work[i].step
    }

    /// Step `i` deleted the old resource of a delete-then-create replacement: its create
    /// is ready at once.
    pub(super) fn create_next(&mut self, i: usize) {
        self.work[i].step = Step::Create;
        self.ready.push(i);
    }

    /// Step `i` is done: the steps that waited only for it become ready.
    pub(super) fn finished(&mut self, i: usize) {
        for d in std::mem::take(&mut self.work[i].dependents) {
            self.work[d].waiting -= 1;
            if self.work[d].waiting == 0 {
                self.ready.insert(0, d);
            }
        }
    }

    /// Every step's address.
    pub(super) fn addresses(&self) -> impl Iterator<Item = &str> {
        self.work.iter().map(|w| w.action.address.as_str())
    }
}
