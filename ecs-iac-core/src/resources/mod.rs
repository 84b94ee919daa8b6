//! The typed resources a stack is built from, one module per AWS area.

pub mod acm;
pub mod cloudtrail;
pub mod data;
pub mod ecr;
pub mod ecs;
pub mod elb;
pub mod iam;
pub mod kms;
pub mod log_subscription;
pub mod lookup;
pub mod network;
pub mod observability;
pub mod opensearch;
pub mod s3;
pub mod scaling;
pub mod secrets;
pub mod sns;

pub use acm::*;
pub use cloudtrail::*;
pub use data::*;
pub use ecr::*;
pub use ecs::*;
pub use elb::*;
pub use iam::*;
pub use kms::*;
pub use log_subscription::*;
pub use lookup::*;
pub use network::*;
pub use observability::*;
pub use opensearch::*;
pub use s3::*;
pub use scaling::*;
pub use secrets::*;
pub use sns::*;
