//! # ecs-iac
//!
//! Infrastructure as code for AWS container stacks, in plain typed Rust. Describe VPCs,
//! security groups, RDS, ElastiCache, IAM, ECS Fargate services, load balancers,
//! autoscaling and alarms with builders; validate them, plan them against the last
//! applied state, and render every AWS API request they make.
//!
//! This crate re-exports the pure core ([`ecs_iac_core`]) and the effects side
//! ([`ecs_iac_aws`]), and adds [`cli::run`], the command line an example's `main` hands
//! its stack to.
//!
//! Embedding without the CLI: nothing here prints or exits.
//!
//! ```
//! use ecs_iac::prelude::*;
//!
//! let mut stack = Stack::new("shop").region("eu-west-1");
//! let vpc = stack.add(Vpc::new("network/vpc", cidr("10.1.0.0/16")).dns_hostnames(true));
//! let a = stack.add(Subnet::private("network/app-a", &vpc, cidr("10.1.1.0/24"), Az::EU_WEST_1A));
//! let b = stack.add(Subnet::private("network/app-b", &vpc, cidr("10.1.2.0/24"), Az::EU_WEST_1B));
//! let sg = stack.add(SecurityGroup::new("app-sg", &vpc));
//! let logs = stack.add(LogGroup::new("logs", "/ecs/shop").retention_days(30));
//! let exec = stack.add(Role::new("exec-role", Principal::ecs_tasks())
//!     .managed_policy(ManagedPolicy::ecs_task_execution()));
//! let cluster = stack.add(Cluster::new("shop"));
//! let task = stack.add(
//!     TaskDefinition::fargate("shop-task", Fargate::CPU_512_MEM_1024)
//!         .execution_role(&exec)
//!         .container(Container::new("shop", image("shop:2.1.0")).port(8080)
//!             .logs(LogConfig::awslogs(&logs, "shop"))),
//! );
//! stack.add(Service::new("shop-service", &cluster, &task).desired_count(2)
//!     .subnets([&a, &b]).security_group(&sg).circuit_breaker(CircuitBreaker::OnWithRollback));
//!
//! // Every problem at once, each with address, field path and code.
//! assert!(validate(&stack).is_empty());
//!
//! // A plan is a value: inspect it, render it, serialize it.
//! let plan = plan(&stack, &State::empty("shop")).unwrap();
//! assert!(plan.has_changes());
//! assert!(plan.render_text().contains("+ network/vpc"));
//!
//! // Synth gives the exact request bodies, e.g. for register-task-definition.
//! let synth = synth(&stack).unwrap();
//! let task = &synth.node("shop-task").unwrap().body;
//! assert_eq!(task["cpu"], "512");
//! assert_eq!(task["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-group"], "/ecs/shop");
//! ```

pub use ecs_iac_aws as aws;
pub use ecs_iac_core as core;
pub use ecs_iac_core::*;

pub mod cli;
mod progress;

/// The README's example, compiled and run as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// Everything a stack program needs: `use ecs_iac::prelude::*`.
pub mod prelude {
    pub use ecs_iac_core::prelude::*;
}
