//! Typed request bodies by AWS service, one module per service (see [`crate::request`]
//! for how they are defined and shared): every kind's request, and the describe requests
//! of the lookups, are defined here once.

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
