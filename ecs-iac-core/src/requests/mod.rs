//! Typed request bodies by AWS service (see [`crate::request`] for how they are defined
//! and shared). Done so far: RDS (DB instances, subnet groups), ElastiCache (replication
//! groups, subnet groups) and the ECS service; the other kinds still render with `json!`
//! until they move here.

pub mod ecs;
pub mod elasticache;
pub mod rds;
