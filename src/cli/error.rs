//! Why a command failed: one variant per kind of failure, each with the values a person
//! needs to fix it; the library's errors are kept as sources.

use crate::aws::engine::ApplyError;
use crate::aws::{ConnectError, ProviderError, StateStoreError};
use std::path::PathBuf;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Writing the command's output failed (a closed pipe ends the command quietly,
    /// with status 0).
    #[error("writing the output: {0}")]
    Output(#[from] std::io::Error),
    /// Writing findings a command must show before it refuses (or goes on) failed; unlike
    /// [`CliError::Output`], a closed stderr here is an error.
    #[error("writing to stderr: {0}")]
    Stderr(#[source] std::io::Error),
    /// The stack does not validate; its diagnostics were printed.
    #[error("stack `{stack}` has {errors} error(s); nothing was planned")]
    Invalid {
        /// The stack's name.
        stack: String,
        /// How many errors.
        errors: usize,
    },
    /// `lint` reports unsuppressed errors; they were printed.
    #[error(
        "stack `{stack}` has {errors} lint error(s); nothing was applied. Fix them, suppress \
         one on its resource with `.allow_lint(id, reason)`, or pass --ignore-lint-errors"
    )]
    Lint {
        /// The stack's name.
        stack: String,
        /// How many unsuppressed errors.
        errors: usize,
    },
    /// The state could not be read, locked or written.
    #[error(transparent)]
    State(#[from] StateStoreError),
    /// `--state` (or `ECS_IAC_STATE`) is not a usable location.
    #[error(transparent)]
    Backend(#[from] ecs_iac_core::BackendError),
    /// A file `state push` reads is not a state.
    #[error("{}: {source}", .path.display())]
    StateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: ecs_iac_core::StateError,
    },
    /// The engine could not connect (region, credentials, endpoint).
    #[error("{source}{}", .hint.unwrap_or_default())]
    Connect {
        /// Why.
        source: Box<ConnectError>,
        /// What else the user can do (e.g. plan offline).
        hint: Option<&'static str>,
    },
    /// Reading the recorded resources back from AWS failed.
    #[error("refresh: {0}")]
    Refresh(#[source] Box<ProviderError>),
    /// What apply reads first is missing or unreadable.
    #[error("{context}: {source}")]
    Preflight {
        /// What this means for the command ("nothing was changed").
        context: &'static str,
        /// What stops it.
        source: Box<ProviderError>,
    },
    /// The engine stopped the run (blocked plan, preflight, state save).
    #[error(transparent)]
    Engine(Box<ApplyError>),
    /// The plan destroys data it is not allowed to.
    #[error(
        "the plan would destroy data ({0} blocked action(s), marked `! blocked`); nothing was \
         applied"
    )]
    Blocked(usize),
    /// A change needs confirmation and there is no terminal to ask on.
    #[error("refusing to {0} without a terminal to confirm on; pass --yes")]
    NoTerminal(&'static str),
    /// The user did not answer `yes`.
    #[error("{0} cancelled")]
    Cancelled(&'static str),
    /// Asking for or reading the confirmation failed.
    #[error("asking for confirmation: {0}")]
    Input(#[source] std::io::Error),
    /// Starting the async runtime failed.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// A file the command writes could not be written.
    #[error("{}: {source}", .path.display())]
    File {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Rendering JSON failed.
    #[error("rendering JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// `output NAME` names no recorded output.
    #[error("{}", no_output(.name, .state, .known))]
    NoOutput {
        /// The name asked for.
        name: String,
        /// The state's location.
        state: String,
        /// The outputs the state records.
        known: Vec<String>,
    },
    /// `state show ADDRESS` names an address the state does not have.
    #[error("`{address}` is not in state {state}")]
    NotInState {
        /// The address asked for.
        address: String,
        /// The state's location.
        state: String,
    },
    /// `state recover` over a state that records resources.
    #[error(
        "state {state} already records {resources} resource(s); recover only rebuilds a lost \
         state: move it away first"
    )]
    StateNotLost {
        /// The state's location.
        state: String,
        /// How many resources it records.
        resources: usize,
    },
}

fn no_output(name: &str, state: &str, known: &[String]) -> String {
    if known.is_empty() {
        format!(
            "output `{name}`: state {state} records no outputs; declare it with `stack.output(..)` and apply"
        )
    } else {
        format!("no output `{name}`; the state records {}", known.join(", "))
    }
}

impl From<ApplyError> for CliError {
    fn from(e: ApplyError) -> CliError {
        CliError::Engine(Box::new(e))
    }
}
