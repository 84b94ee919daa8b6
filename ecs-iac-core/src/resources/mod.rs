//! The typed resources a stack is built from, one module per AWS area.

pub mod data;
pub mod ecs;
pub mod elb;
pub mod iam;
pub mod lookup;
pub mod network;
pub mod observability;
pub mod scaling;
pub mod secrets;

pub use data::*;
pub use ecs::*;
pub use elb::*;
pub use iam::*;
pub use lookup::*;
pub use network::*;
pub use observability::*;
pub use scaling::*;
pub use secrets::*;
