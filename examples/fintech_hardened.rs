//! Fake-Fintech, hardened: the same ten services as `fintech` (seed 000: ports, sizes,
//! environment, secrets, `/health` checks, awslogs plus Filebeat sidecars, desired count
//! 2, Service Connect), built the least-privilege way (seed 001's security model), with
//! zero `lint` errors:
//!
//! * tasks run in private subnets without public IPs and reach the internet through one
//!   NAT gateway; only the ALB is public, HTTPS with HTTP redirected to it;
//! * the ALB reaches `frontend` (80) and `api-gateway` (3030, path `/api/*`) only; services
//!   reach each other through one self-referencing group; egress is HTTPS only;
//! * IAM from usage: `secret.grant_read(&task)` and `log_group.grant_write(&role)` write
//!   statements scoped to exact ARNs; the execution role pulls only the stack's ECR
//!   repositories; only `llm-service` gets a task role, for one Bedrock model;
//! * images pinned to a version, containers as a non-root user on a read-only root
//!   filesystem, health checks on every essential container, circuit breakers on every
//!   service, 30-day log retention, Container Insights;
//! * a WAF web ACL in front of the ALB (AWS managed rule groups and a rate limit), and
//!   the ALB's access logs in a private, TLS-only bucket;
//! * the seed's shell tool is off and model signatures are verified.
//!
//! ```text
//! cargo run --example fintech_hardened -- lint              # 0 errors
//! cargo run --example fintech_hardened -- lint --format sarif > lint.sarif
//! ```

#[allow(dead_code)]
#[path = "fintech.rs"]
mod fintech;

use ecs_iac::prelude::*;
use fintech::{ELASTICSEARCH_ENDPOINT, FILEBEAT_IMAGE, REGION_NAME, SECRETS, SERVICES};
use std::process::ExitCode;

/// The version every Fake-Fintech image is pinned to.
const RELEASE: &str = "1.4.2";
/// The Bedrock model `llm-service` may invoke.
const BEDROCK_MODEL: &str = "anthropic.claude-3-haiku-20240307-v1:0";
/// The seed's intentional weaknesses in plain settings, turned off: the shell tool
/// (OWASP-LLM-07) and unsigned models (OWASP-LLM-05).
const SAFE_SETTINGS: &[(&str, &str)] = &[
    ("ENABLE_SHELL_TOOL", "false"),
    ("VERIFY_MODEL_SIGNATURES", "true"),
];
/// Services the ALB sends traffic to: (service, port, listener rule path).
const PUBLIC: &[(&str, u16, Option<&str>)] = &[
    ("frontend", 80, None),
    ("api-gateway", 3030, Some("/api/*")),
];

/// The stack, with the HTTPS certificate from `FINTECH_CERTIFICATE_ARN` (or a placeholder).
pub fn stack() -> Stack {
    let default = format!("arn:aws:acm:{REGION_NAME}:{ACCOUNT_ID}:certificate/fake-fintech");
    stack_with_certificate(&std::env::var("FINTECH_CERTIFICATE_ARN").unwrap_or(default))
}

/// The stack with a given ACM certificate for the HTTPS listener.
pub fn stack_with_certificate(certificate_arn: &str) -> Stack {
    stack_with(certificate_arn, fintech::secret_value)
}

/// The stack with a given certificate, and each secret's value (by logical name) from
/// `value`.
pub fn stack_with(certificate_arn: &str, value: impl Fn(&str) -> SecretValue) -> Stack {
    let mut stack = Stack::new("fake-fintech-hardened").region(REGION_NAME);

    // Network: the ALB and the NAT gateway are public, the tasks private.
    let vpc = stack.add(Vpc::new("vpc", cidr("10.30.0.0/16")).dns_hostnames(true));
    let public_a = stack.add(Subnet::public(
        "public-a",
        &vpc,
        cidr("10.30.1.0/24"),
        Az::US_EAST_1A,
    ));
    let public_b = stack.add(Subnet::public(
        "public-b",
        &vpc,
        cidr("10.30.2.0/24"),
        Az::US_EAST_1B,
    ));
    let private_a = stack.add(Subnet::private(
        "private-a",
        &vpc,
        cidr("10.30.11.0/24"),
        Az::US_EAST_1A,
    ));
    let private_b = stack.add(Subnet::private(
        "private-b",
        &vpc,
        cidr("10.30.12.0/24"),
        Az::US_EAST_1B,
    ));
    let igw = stack.add(InternetGateway::new("igw", &vpc));
    let nat_ip = stack.add(ElasticIp::new("nat-eip"));
    let nat = stack.add(NatGateway::public("nat", &public_a, &nat_ip));
    stack.add(
        RouteTable::new("public-rt", &vpc)
            .route(cidr("0.0.0.0/0"), RouteTarget::internet_gateway(&igw))
            .associate(&public_a)
            .associate(&public_b),
    );
    stack.add(
        RouteTable::new("private-rt", &vpc)
            .route(cidr("0.0.0.0/0"), RouteTarget::nat_gateway(&nat))
            .associate(&private_a)
            .associate(&private_b),
    );

    // Security groups: internet -> ALB -> frontend/api-gateway; services among themselves.
    let alb_sg = stack.add(
        SecurityGroup::new("alb-sg", &vpc)
            .description("ALB: HTTPS, and HTTP redirected to HTTPS, from the internet")
            .ingress_described(Peer::any_ipv4(), Port::tcp(443), "HTTPS")
            .ingress_described(Peer::any_ipv4(), Port::tcp(80), "HTTP, redirected to HTTPS"),
    );
    let tasks_sg = stack.add(
        SecurityGroup::new("tasks-sg", &vpc)
            .description("Fake-Fintech tasks: the ALB targets and each other only")
            .ingress_described(Peer::group(&alb_sg), Port::tcp(80), "ALB to frontend")
            .ingress_described(Peer::group(&alb_sg), Port::tcp(3030), "ALB to api-gateway")
            .ingress_described(Peer::itself(), Port::all_tcp(), "service to service")
            .egress_described(Peer::itself(), Port::all_tcp(), "service to service")
            .egress_described(
                Peer::any_ipv4(),
                Port::tcp(443),
                "HTTPS: ECR, Secrets Manager, LLM APIs",
            ),
    );
    for (service, port, _) in PUBLIC {
        stack.modify(&alb_sg, |sg| {
            sg.egress_described(
                Peer::group(&tasks_sg),
                Port::tcp(*port),
                format!("ALB to {service}"),
            )
        });
    }

    let namespace = stack.add(Namespace::http("service-connect", "fake-fintech.local"));
    let cluster = stack.add(
        Cluster::new("fake-fintech-hardened")
            .container_insights(ContainerInsights::Enabled)
            .service_connect_defaults(&namespace),
    );

    // IAM: grants below give the execution role exactly the repositories, secrets and
    // log groups each task uses.
    let execution_role = stack.add(
        Role::new("execution-role", Principal::ecs_tasks())
            .description("Pulls Fake-Fintech images; grants add its secrets and log groups"),
    );
    // Logs are encrypted with a key of the stack's own, rotated yearly.
    let logs_key = stack.add(
        KmsKey::new("logs-key")
            .description("Encrypts the Fake-Fintech hardened log groups")
            .alias("alias/fake-fintech-hardened-logs")
            .allow_cloudwatch_logs(),
    );
    let llm_role = stack.add(
        Role::new("llm-service-task-role", Principal::ecs_tasks())
            .description("llm-service: invoke one Bedrock model")
            .inline_policy(
                "invoke-model",
                PolicyDocument::new().statement(
                    Statement::allow(["bedrock:InvokeModel"]).resource(format!(
                        "arn:aws:bedrock:{REGION_NAME}::foundation-model/{BEDROCK_MODEL}"
                    )),
                ),
            ),
    );
    // Secrets are created by the stack, encrypted with a key of its own: reading one
    // needs `kms:Decrypt` on it too, which `grant_read` adds.
    let secrets_key = stack.add(
        KmsKey::new("secrets-key")
            .description("Encrypts the Fake-Fintech hardened secrets")
            .alias("alias/fake-fintech-hardened-secrets"),
    );
    let secrets: Vec<(&str, Ref<Secret>)> = SECRETS
        .iter()
        .map(|(logical, name)| {
            let name = name.replace("fake-fintech/", "fake-fintech-hardened/");
            (
                *logical,
                stack.add(
                    Secret::new(format!("secret/{logical}"), name, value(logical))
                        .description(format!("Fake-Fintech {logical}"))
                        .encrypted_with(&secrets_key),
                ),
            )
        })
        .collect();

    // The ALB's access logs: a private bucket (SSE-S3, the only encryption access logs
    // support), TLS only, logs kept 90 days. The library writes the policy that lets the
    // region's Elastic Load Balancing deliver them.
    let alb_logs = stack.add(
        Bucket::new(
            "alb-logs",
            format!("fake-fintech-hardened-alb-logs-{ACCOUNT_ID}"),
        )
        .deny_insecure_transport()
        .lifecycle(BucketLifecycleRule::new("expire").expire_after_days(90)),
    );

    // The public entry: an internet-facing ALB, HTTPS only.
    // Headers with invalid names are dropped at the edge (request smuggling defence).
    let alb = stack.add(
        LoadBalancer::application("alb", [&public_a, &public_b], [&alb_sg])
            .drop_invalid_header_fields(true)
            .access_logs(AccessLogs::to(&alb_logs).prefix("alb")),
    );

    // A web ACL in front of it (seed 001): AWS's baseline and known-bad-input rule
    // groups, and at most 2000 requests per client address in five minutes.
    stack.add(
        WebAcl::regional("web-acl", "fake-fintech-hardened")
            .description("Fake-Fintech public entry")
            .rule(WafRule::managed(ManagedRuleGroup::Common))
            .rule(WafRule::managed(ManagedRuleGroup::KnownBadInputs))
            .rule(WafRule::rate_limit("per-client-rate", 2000))
            .protect(&alb),
    );
    let target_groups: Vec<(&str, Ref<TargetGroup>)> = PUBLIC
        .iter()
        .map(|(service, port, _)| {
            let tg = stack.add(
                TargetGroup::new(format!("{service}-tg"), HttpProtocol::Http, *port, &vpc)
                    .health_check(TargetHealthCheck::http("/health").interval(30).timeout(5)),
            );
            (*service, tg)
        })
        .collect();
    let https = stack.add(Listener::https(
        "https-listener",
        &alb,
        443,
        certificate_arn,
        ListenerAction::forward(&target_groups[0].1),
    ));
    stack.add(Listener::http(
        "http-listener",
        &alb,
        80,
        ListenerAction::RedirectToHttps,
    ));
    for ((_, _, path), (service, tg)) in PUBLIC.iter().zip(&target_groups) {
        if let Some(path) = path {
            stack.add(
                ListenerRule::new(
                    format!("{service}-rule"),
                    &https,
                    10,
                    ListenerAction::forward(tg),
                )
                .path_patterns([*path]),
            );
        }
    }

    for spec in SERVICES {
        let logs = stack.add(
            LogGroup::new(
                format!("logs/{}", spec.name),
                format!("/ecs/fake-fintech-hardened/{}", spec.name),
            )
            .retention_days(30)
            .kms_key(logs_key.arn()),
        );
        // One repository per service: scanned on push, tags immutable.
        let repo = stack.add(
            Repository::new(
                format!("repo/{}", spec.name),
                format!("fake-fintech-hardened/{}", spec.name),
            )
            .tag_mutability(TagMutability::Immutable)
            .lifecycle(LifecycleRule::expire_untagged_after_days(14))
            .lifecycle(LifecycleRule::keep_last(50)),
        );
        grant(&mut stack, repo.grant_pull(&execution_role));
        let mut app = Container::new(spec.name, Image::from_repository(&repo, RELEASE))
            .memory_reservation(spec.size.memory - 128)
            .user("1000:1000")
            .readonly_root_filesystem(true)
            .env("SERVICE_NAME", spec.name)
            .env("LOG_LEVEL", "info")
            .env("LOG_FILE", format!("/var/log/app/{}.log", spec.name))
            .env("AWS_REGION", REGION_NAME)
            .mount("app-logs", "/var/log/app", false)
            .mount("tmp", "/tmp", false)
            .logs(LogConfig::awslogs(&logs, "ecs"));
        let check = match spec.port {
            Some(port) => format!("curl -f http://localhost:{port}/health || exit 1"),
            // The background worker touches this file after every successful cycle.
            None => "test -n \"$(find /tmp/healthy -mmin -90)\" || exit 1".to_string(),
        };
        app = app.health_check(
            HealthCheck::cmd_shell(check)
                .interval(30)
                .timeout(5)
                .retries(3)
                .start_period(60),
        );
        if let Some(port) = spec.port {
            app = app
                .named_port("http", port, AppProtocol::Http)
                .env("PORT", port.to_string());
        }
        for (key, value) in spec.env {
            let safe = SAFE_SETTINGS.iter().find(|(k, _)| k == key);
            app = app.env(*key, safe.map_or(*value, |(_, v)| *v));
        }
        let mut used = Vec::new();
        for (key, logical) in spec.secrets {
            if let Some((_, secret)) = secrets.iter().find(|(l, _)| l == logical) {
                app = app.secret(*key, secret);
                used.push(secret.clone());
            }
        }
        let filebeat = Container::new("filebeat", image(FILEBEAT_IMAGE))
            .essential(false)
            .memory(128)
            .user("1000:1000")
            .readonly_root_filesystem(true)
            .env(
                "ELASTICSEARCH_HOSTS",
                format!("https://{ELASTICSEARCH_ENDPOINT}:443"),
            )
            .env("LOG_PATHS", "/var/log/app/*.log")
            .mount("app-logs", "/var/log/app", true)
            .mount("filebeat-data", "/usr/share/filebeat/data", false)
            .depends_on(spec.name, ContainerCondition::Start)
            .logs(LogConfig::awslogs(&logs, "filebeat"));
        let mut task = TaskDefinition::fargate(format!("fintech-{}", spec.name), spec.size)
            .execution_role(&execution_role)
            .volume("app-logs")
            .volume("tmp")
            .volume("filebeat-data")
            .container(app)
            .container(filebeat);
        if spec.name == "llm-service" {
            task = task.task_role(&llm_role);
        }
        let task = stack.add(task);
        grant(&mut stack, logs.grant_write(&execution_role));
        for secret in &used {
            grant(&mut stack, secret.grant_read(&task));
        }

        let mut connect = ServiceConnect::new(&namespace);
        if let Some(port) = spec.port {
            connect = connect.service(
                ServiceConnectService::new("http")
                    .discovery_name(spec.name)
                    .client_alias(port, Some(spec.name)),
            );
        }
        let mut service = Service::new(spec.name, &cluster, &task)
            .desired_count(2)
            .subnets([&private_a, &private_b])
            .security_group(&tasks_sg)
            .assign_public_ip(false)
            .circuit_breaker(CircuitBreaker::OnWithRollback)
            .service_connect(connect);
        if let Some((_, tg)) = target_groups.iter().find(|(s, _)| *s == spec.name) {
            if let Some(port) = spec.port {
                service = service
                    .load_balancer(tg, spec.name, port)
                    .health_check_grace_period(60);
            }
        }
        stack.add(service);
    }
    stack
}

/// Adds a grant whose references all come from this stack, so it cannot fail.
fn grant(stack: &mut Stack, grant: Grant) {
    if let Err(e) = stack.grant(grant) {
        unreachable!("a grant between resources of this stack: {e}");
    }
}

#[allow(dead_code)]
fn main() -> ExitCode {
    ecs_iac::cli::run(stack())
}
