//! Build + validate + plan + synth of visitor-book and of generated fintech-style stacks
//! with 10, 100 and 1000 services. Measures only; nothing asserts on time.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use ecs_iac::plan_synth;
use ecs_iac::prelude::*;
use std::hint::black_box;

#[allow(dead_code)]
#[path = "../examples/visitor_book.rs"]
mod visitor_book;

/// A fintech-style stack: shared network, roles and cluster; per service a log group,
/// a task definition with an app and a log sidecar, secrets and a service.
fn generated(services: usize) -> Stack {
    let mut stack = Stack::new("generated").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
    let a = stack.add(Subnet::private(
        "a",
        &vpc,
        cidr("10.0.1.0/24"),
        Az::US_EAST_1A,
    ));
    let b = stack.add(Subnet::private(
        "b",
        &vpc,
        cidr("10.0.2.0/24"),
        Az::US_EAST_1B,
    ));
    let sg = stack.add(SecurityGroup::new("sg", &vpc).ingress(Peer::itself(), Port::all_tcp()));
    let cluster = stack.add(Cluster::new("cluster"));
    let secret = stack.add(SecretRef::by_name("db", "generated/db"));
    let exec = stack.add(
        Role::new("exec", Principal::ecs_tasks())
            .managed_policy(ManagedPolicy::ecs_task_execution())
            .inline_policy(
                "secrets",
                PolicyDocument::new().statement(
                    Statement::allow(["secretsmanager:GetSecretValue"]).resource_of(&secret),
                ),
            ),
    );
    for i in 0..services {
        let name = format!("svc-{i}");
        let logs = stack
            .add(LogGroup::new(format!("logs/{name}"), format!("/ecs/{name}")).retention_days(14));
        let port = 3000 + (i % 1000) as u16;
        let task = stack.add(
            TaskDefinition::fargate(format!("task-{i}"), Fargate::CPU_512_MEM_1024)
                .execution_role(&exec)
                .volume("logs")
                .container(
                    Container::new(&name, image(format!("registry.example/{name}:1.0.{i}")))
                        .port(port)
                        .env("PORT", port.to_string())
                        .env("SERVICE", &name)
                        .secret("DATABASE_URL", &secret)
                        .health_check(HealthCheck::cmd_shell(format!(
                            "curl -f http://localhost:{port}/health || exit 1"
                        )))
                        .mount("logs", "/var/log/app", false)
                        .logs(LogConfig::awslogs(&logs, "app")),
                )
                .container(
                    Container::new("filebeat", image("docker.elastic.co/beats/filebeat:8.11.0"))
                        .essential(false)
                        .memory(128)
                        .mount("logs", "/var/log/app", true)
                        .logs(LogConfig::awslogs(&logs, "filebeat")),
                ),
        );
        stack.add(
            Service::new(name, &cluster, &task)
                .desired_count(2)
                .subnets([&a, &b])
                .security_group(&sg)
                .circuit_breaker(CircuitBreaker::OnWithRollback),
        );
    }
    stack
}

/// Validate and compile once, render every request file (`synth --out`), plan against an
/// empty state. (Rendering the plan as text is measured on its own in `stages`.)
fn pipeline(stack: &Stack) -> usize {
    let Ok(compiled) = synth(stack) else { return 0 };
    let files = compiled.files().len();
    let plan = plan_synth(compiled, &State::empty(stack.name()));
    plan.actions.len() + files
}

fn benches(c: &mut Criterion) {
    c.bench_function("visitor_book/build+validate+plan+synth", |bench| {
        bench.iter(|| pipeline(&black_box(visitor_book::stack())))
    });
    let mut group = c.benchmark_group("generated/build+validate+plan+synth");
    group.sample_size(20);
    for n in [10, 100, 1000] {
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |bench, &n| {
            bench.iter(|| pipeline(&black_box(generated(n))))
        });
    }
    group.finish();

    // Where the time of the largest stack goes.
    let mut stages = c.benchmark_group("stages/1000-services");
    stages.sample_size(10);
    stages.bench_function("build", |bench| bench.iter(|| generated(black_box(1000))));
    let big = generated(1000);
    stages.bench_function("validate", |bench| bench.iter(|| validate(black_box(&big))));
    let compiled = synth(&big).unwrap_or_else(|e| panic!("{e}"));
    stages.bench_function("plan", |bench| {
        bench.iter_batched(
            || compiled.clone(),
            |c| plan_synth(c, &State::empty("generated")),
            BatchSize::LargeInput,
        )
    });
    let planned = plan_synth(compiled.clone(), &State::empty("generated"));
    stages.bench_function("plan-text", |bench| {
        bench.iter(|| black_box(&planned).render_text())
    });
    stages.bench_function("synth-files", |bench| {
        bench.iter(|| black_box(&compiled).files())
    });
    stages.finish();
}

criterion_group!(stack_benches, benches);
criterion_main!(stack_benches);
