//! Typed request bodies by AWS service (see [`crate::request`] for how they are defined
//! and shared). Done so far: RDS (DB instances, subnet groups), ElastiCache (replication
//! groups, subnet groups) and the ECS service; the other kinds still render with `json!`
//! until they move here.

pub mod acm;
pub mod application_autoscaling;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod elasticache;
pub mod elbv2;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod opensearch;
pub mod rds;
pub mod s3;
pub mod secretsmanager;
pub mod servicediscovery;
pub mod sns;
pub mod wafv2;
