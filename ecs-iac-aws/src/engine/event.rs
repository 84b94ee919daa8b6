//! Progress events: what happens to each resource during a run, for displays and tools.

use ecs_iac_core::Action;
use serde::Serialize;

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
