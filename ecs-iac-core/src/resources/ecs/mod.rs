//! ECS: clusters, Fargate task definitions with their containers, and services. The
//! Cloud Map namespaces Service Connect uses are in
//! [`servicediscovery`](super::servicediscovery).

mod cluster;
mod container;
mod image;
mod logging;
mod service;
mod service_connect;
mod task_definition;

pub use cluster::*;
pub use container::*;
pub use image::*;
pub use logging::*;
pub use service::*;
pub use service_connect::*;
pub use task_definition::*;

use crate::lower::tag_setter;

tag_setter!(Cluster, TaskDefinition, Service);
