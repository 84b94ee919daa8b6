//! The effects side of ecs-iac: everything that touches the world.
//!
//! - [`Aws`]: a connection to an account (the AWS SDK for Rust, one client per service),
//!   with per-call timeouts and retry budgets from [`EngineConfig`];
//! - providers: create, find by ownership tags, wait for readiness, delete, for every
//!   resource kind the core renders;
//! - [`engine`]: runs a [`Plan`](ecs_iac_core::Plan) as a dependency graph with bounded
//!   concurrency, journaling creates so a crash or a lost response never duplicates;
//! - [`StateStore`]: the state, in a local file or an S3 object, written under an
//!   exclusive lock (an OS lock, or an S3 conditional write).

pub mod body;
mod clients;
pub mod config;
pub mod engine;
pub mod error;
pub mod preflight;
pub mod providers;
pub mod refresh;
pub mod state_store;

pub use clients::Aws;
pub use config::EngineConfig;
pub use engine::{
    apply, apply_checked, destroy, import, recover, ApplyOptions, ApplyReport, Event,
};
pub use error::{ConnectError, ProviderError};
pub use preflight::{preflight, Preflight};
pub use refresh::refresh;
pub use state_store::{LockInfo, StateLock, StateStore, StateStoreError, StateVersion};
