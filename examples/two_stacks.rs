//! Two stacks from one program: `network` owns a VPC with two private subnets and
//! outputs their ids; `app` reads those outputs from the network's state file and
//! deploys into that network (seed 000's prerequisite "VPC with public/private subnets"
//! kept by another team or stack).
//!
//! ```text
//! cargo run --example two_stacks -- network apply       # network.state.json
//! cargo run --example two_stacks -- app plan            # reads network.state.json
//! NETWORK_STATE=path/to/network.state.json cargo run --example two_stacks -- app apply
//! # both states in S3: the app reads the network's outputs from its S3 state
//! cargo run --example two_stacks -- network apply --state s3://team-state/network.json
//! NETWORK_STATE=s3://team-state/network.json \
//!   cargo run --example two_stacks -- app apply --state s3://team-state/app.json
//! ```

use ecs_iac::aws::{EngineConfig, StateStore};
use ecs_iac::prelude::*;
use ecs_iac::{InputError, StackOutputs};
use std::process::ExitCode;

const REGION_NAME: &str = "us-east-1";

/// The network stack: a VPC and a private subnet in each of two zones.
pub fn network() -> Stack {
    let mut stack = Stack::new("network").region(REGION_NAME);
    let vpc = stack.add(Vpc::new("vpc", cidr("10.20.0.0/16")).dns_hostnames(true));
    let a = stack.add(Subnet::private(
        "private-a",
        &vpc,
        cidr("10.20.1.0/24"),
        Az::US_EAST_1A,
    ));
    let b = stack.add(Subnet::private(
        "private-b",
        &vpc,
        cidr("10.20.2.0/24"),
        Az::US_EAST_1B,
    ));
    stack
        .output("vpc-id", vpc.id())
        .description("The VPC other stacks deploy into");
    stack
        .output("private-a", a.id())
        .description("Private subnet in us-east-1a");
    stack
        .output("private-b", b.id())
        .description("Private subnet in us-east-1b");
    stack
}

/// The app stack, in the network whose outputs are `network`: a security group and a
/// Fargate service in its private subnets. Fails when an output it needs is missing.
pub fn app(network: &StackOutputs) -> Result<Stack, InputError> {
    let mut stack = Stack::new("app").region(REGION_NAME);
    let vpc = stack.add(Vpc::existing(
        "network-vpc",
        Lookup::id(network.get::<String>("vpc-id")?),
    ));
    let a = stack.add(Subnet::existing(
        "private-a",
        &vpc,
        Az::US_EAST_1A,
        Lookup::id(network.get::<String>("private-a")?),
    ));
    let b = stack.add(Subnet::existing(
        "private-b",
        &vpc,
        Az::US_EAST_1B,
        Lookup::id(network.get::<String>("private-b")?),
    ));
    let sg = stack.add(
        SecurityGroup::new("app-sg", &vpc)
            .description("app tasks: HTTPS out only")
            .egress_described(Peer::any_ipv4(), Port::tcp(443), "HTTPS to AWS APIs"),
    );
    let logs = stack.add(LogGroup::new("app-logs", "/ecs/app").retention_days(30));
    let execution = stack.add(
        Role::new("app-execution", Principal::ecs_tasks())
            .managed_policy(ManagedPolicy::ecs_task_execution()),
    );
    let cluster =
        stack.add(Cluster::new("app-cluster").container_insights(ContainerInsights::Enabled));
    let task = stack.add(
        TaskDefinition::fargate("app-task", Fargate::CPU_256_MEM_512)
            .execution_role(&execution)
            .container(
                Container::new("app", image("public.ecr.aws/nginx/nginx:1.27"))
                    .port(8080)
                    .env("VPC_ID", vpc.id())
                    .logs(LogConfig::awslogs(&logs, "app")),
            ),
    );
    stack.add(
        Service::new("app-service", &cluster, &task)
            .desired_count(1)
            .subnets([&a, &b])
            .security_group(&sg)
            .assign_public_ip(false)
            .circuit_breaker(CircuitBreaker::OnWithRollback),
    );
    Ok(stack)
}

/// The network's outputs, from its state at `location` (a file or `s3://BUCKET/KEY`).
fn network_outputs(location: &str) -> Result<StackOutputs, String> {
    let backend = StateBackend::parse(location).map_err(|e| e.to_string())?;
    let config = EngineConfig {
        endpoint_url: std::env::var("AWS_ENDPOINT_URL").ok(),
        region: Some(REGION_NAME.to_string()),
        ..EngineConfig::default()
    };
    // The store's calls are async (an S3 state needs the network).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime
        .block_on(StateStore::open(&backend, &config).outputs("network"))
        .map_err(|e| e.to_string())
}

#[allow(dead_code)]
fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().collect();
    let which = if args.len() > 1 {
        args.remove(1)
    } else {
        String::new()
    };
    let stack = match which.as_str() {
        "network" => network(),
        "app" => {
            let location =
                std::env::var("NETWORK_STATE").unwrap_or_else(|_| "network.state.json".into());
            let read = network_outputs(&location)
                .and_then(|outputs| app(&outputs).map_err(|e| e.to_string()));
            match read {
                Ok(stack) => stack,
                Err(e) => {
                    eprintln!("error: the network's outputs: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        _ => {
            eprintln!("usage: two_stacks network|app [COMMAND] [OPTIONS]");
            return ExitCode::FAILURE;
        }
    };
    ecs_iac::cli::run_with_args(stack, args)
}
