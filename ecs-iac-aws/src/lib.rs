//! The effects side of ecs-iac: everything that touches the world. Today that is the
//! state file store (atomic writes, an exclusive lock, clear errors on corrupt or newer
//! files); the AWS SDK apply engine builds on it.

pub mod state_store;

pub use state_store::{StateLock, StateStore, StateStoreError};
