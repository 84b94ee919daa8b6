//! Fake-Fintech: the OWASP-LLM testbed of ten Fargate services (seed 000), reproduced
//! faithfully, including what the seed marks as intentionally insecure:
//!
//! * OWASP-LLM-08: the task role is over-privileged (`s3:*`, `secretsmanager:*`,
//!   `iam:PassRole`, … on `*`);
//! * OWASP-LLM-07: dangerous shell and payment tools are enabled in `tools-service`;
//! * OWASP-LLM-05: `model-registry` serves unsigned models;
//! * tasks get public IPs, images use `latest`.
//!
//! Every service has its port, CPU/memory, environment, secrets from Secrets Manager, a
//! `curl` health check on `/health`, awslogs to `/ecs/fake-fintech/<service>` and a
//! Filebeat sidecar shipping the app's log files to the Elastic Stack. Services are
//! created with desired count 2, as the seed does; they find each other through ECS
//! Service Connect in the `fake-fintech.local` namespace.
//!
//! ```text
//! cargo run --example fintech                 # plan (offline, no credentials)
//! cargo run --example fintech -- synth --out synth-out
//! ```

use ecs_iac::prelude::*;
use std::process::ExitCode;

/// The region the stack is pinned to.
pub const REGION_NAME: &str = "us-east-1";
/// The Elasticsearch endpoint the seed substitutes for `<AWS_ELASTICSEARCH_ENDPOINT>`.
pub const ELASTICSEARCH_ENDPOINT: &str = "search-fake-fintech.us-east-1.es.amazonaws.com";
/// The Filebeat sidecar image the seed uses.
pub const FILEBEAT_IMAGE: &str = "docker.elastic.co/beats/filebeat:8.11.0";

/// One of the ten services.
pub struct Spec {
    /// Service, container and log group name.
    pub name: &'static str,
    /// The port it listens on (`None` for the background worker).
    pub port: Option<u16>,
    /// Task CPU and memory.
    pub size: Fargate,
    /// Plain environment variables.
    pub env: &'static [(&'static str, &'static str)],
    /// Secret environment variables: (variable, logical secret name).
    pub secrets: &'static [(&'static str, &'static str)],
}

/// Secrets (logical name, Secrets Manager name), created by the stack (seed 000's
/// `aws secretsmanager create-secret` prerequisites). Values live only in Secrets
/// Manager: see [`secret_value`].
pub const SECRETS: &[(&str, &str)] = &[
    ("openai-api-key", "fake-fintech/openai-api-key"),
    ("anthropic-api-key", "fake-fintech/anthropic-api-key"),
    ("database-url", "fake-fintech/database-url"),
    ("jwt-secret", "fake-fintech/jwt-secret"),
    ("oauth-client-secret", "fake-fintech/oauth-client-secret"),
    ("payment-api-key", "fake-fintech/payment-api-key"),
];

/// The ten services, as the seed lists them.
pub const SERVICES: &[Spec] = &[
    Spec {
        name: "api-gateway",
        port: Some(3030),
        size: Fargate::CPU_512_MEM_1024,
        env: &[
            ("USER_SERVICE_URL", "http://user-service:8081"),
            ("TRANSACTION_SERVICE_URL", "http://transaction-service:4002"),
            ("LLM_SERVICE_URL", "http://llm-service:8000"),
            ("RAG_SERVICE_URL", "http://rag-service:8001"),
            ("TOOLS_SERVICE_URL", "http://tools-service:8002"),
            ("RATE_LIMIT_PER_MINUTE", "600"),
        ],
        secrets: &[
            ("JWT_SECRET", "jwt-secret"),
            ("OAUTH_CLIENT_SECRET", "oauth-client-secret"),
        ],
    },
    Spec {
        name: "user-service",
        port: Some(8081),
        size: Fargate::CPU_256_MEM_512,
        env: &[("SESSION_TTL_MINUTES", "60")],
        secrets: &[
            ("DATABASE_URL", "database-url"),
            ("JWT_SECRET", "jwt-secret"),
        ],
    },
    Spec {
        name: "transaction-service",
        port: Some(4002),
        size: Fargate::CPU_256_MEM_512,
        env: &[
            ("PARTNER_API_URL", "http://mock-external-api:4005"),
            ("CURRENCY", "USD"),
        ],
        secrets: &[
            ("DATABASE_URL", "database-url"),
            ("PAYMENT_API_KEY", "payment-api-key"),
        ],
    },
    Spec {
        name: "llm-service",
        port: Some(8000),
        size: Fargate::CPU_512_MEM_1024,
        env: &[
            ("LLM_PROVIDER", "openai"),
            ("LLM_FALLBACK_PROVIDER", "anthropic"),
            ("RAG_SERVICE_URL", "http://rag-service:8001"),
        ],
        secrets: &[
            ("OPENAI_API_KEY", "openai-api-key"),
            ("ANTHROPIC_API_KEY", "anthropic-api-key"),
        ],
    },
    Spec {
        name: "rag-service",
        port: Some(8001),
        size: Fargate::CPU_512_MEM_1024,
        env: &[
            ("EMBEDDING_MODEL", "text-embedding-3-small"),
            ("TOP_K", "5"),
        ],
        secrets: &[
            ("OPENAI_API_KEY", "openai-api-key"),
            ("DATABASE_URL", "database-url"),
        ],
    },
    Spec {
        name: "tools-service",
        port: Some(8002),
        size: Fargate::CPU_256_MEM_512,
        // OWASP-LLM-07: dangerous tools on purpose.
        env: &[
            ("ENABLE_SHELL_TOOL", "true"),
            ("ENABLE_PAYMENT_TOOL", "true"),
            ("PARTNER_API_URL", "http://mock-external-api:4005"),
        ],
        secrets: &[("PAYMENT_API_KEY", "payment-api-key")],
    },
    Spec {
        name: "frontend",
        port: Some(80),
        size: Fargate::CPU_256_MEM_512,
        env: &[("API_BASE_URL", "http://api-gateway:3030")],
        secrets: &[],
    },
    Spec {
        name: "model-registry",
        port: Some(8050),
        size: Fargate::CPU_256_MEM_512,
        // OWASP-LLM-05: unsigned models on purpose.
        env: &[
            ("VERIFY_MODEL_SIGNATURES", "false"),
            ("MODEL_STORE_PATH", "/models"),
        ],
        secrets: &[],
    },
    Spec {
        name: "model-retrain",
        port: None,
        size: Fargate::CPU_512_MEM_1024,
        env: &[
            ("RETRAIN_INTERVAL_MINUTES", "60"),
            ("MODEL_REGISTRY_URL", "http://model-registry:8050"),
        ],
        secrets: &[
            ("DATABASE_URL", "database-url"),
            ("OPENAI_API_KEY", "openai-api-key"),
        ],
    },
    Spec {
        name: "mock-external-api",
        port: Some(4005),
        size: Fargate::CPU_256_MEM_512,
        env: &[("SIMULATED_LATENCY_MS", "150")],
        secrets: &[("PARTNER_API_KEY", "payment-api-key")],
    },
];

/// The Fake-Fintech stack.
/// Where each secret's value comes from at apply: the JWT signing key is generated; the
/// keys other parties issue (LLM providers, OAuth, payments) and the database URL are
/// read from `FAKE_FINTECH_<NAME>` variables, e.g. `FAKE_FINTECH_OPENAI_API_KEY`
/// (apply stops before changing anything when one is unset).
pub fn secret_value(logical: &str) -> SecretValue {
    if logical == "jwt-secret" {
        SecretValue::generated(Password::new(64).exclude_punctuation())
    } else {
        SecretValue::from_env(secret_variable(logical))
    }
}

/// The environment variable a secret's value is read from (`FAKE_FINTECH_OPENAI_API_KEY`).
pub fn secret_variable(logical: &str) -> String {
    format!(
        "FAKE_FINTECH_{}",
        logical.to_ascii_uppercase().replace('-', "_")
    )
}

/// The stack, with its secrets' values from [`secret_value`].
pub fn stack() -> Stack {
    stack_with_secret_values(secret_value)
}

/// The stack, with each secret's value (by logical name) from `value`.
pub fn stack_with_secret_values(value: impl Fn(&str) -> SecretValue) -> Stack {
    let mut stack = Stack::new("fake-fintech").region(REGION_NAME);
    let account = ACCOUNT_ID;

    // The seed's prerequisites: a VPC with public subnets (tasks get public IPs).
    let vpc = stack.add(Vpc::new("fintech-vpc", cidr("10.20.0.0/16")).dns_hostnames(true));
    let public_a = stack.add(Subnet::public(
        "public-a",
        &vpc,
        cidr("10.20.1.0/24"),
        Az::US_EAST_1A,
    ));
    let public_b = stack.add(Subnet::public(
        "public-b",
        &vpc,
        cidr("10.20.2.0/24"),
        Az::US_EAST_1B,
    ));
    let igw = stack.add(InternetGateway::new("fintech-igw", &vpc));
    stack.add(
        RouteTable::new("public-rt", &vpc)
            .route(cidr("0.0.0.0/0"), RouteTarget::internet_gateway(&igw))
            .associate(&public_a)
            .associate(&public_b),
    );
    let tasks_sg = stack.add(
        SecurityGroup::new("fake-fintech-tasks", &vpc)
            .description("Fake-Fintech tasks")
            .ingress_described(Peer::any_ipv4(), Port::tcp(80), "frontend")
            .ingress_described(Peer::any_ipv4(), Port::tcp(3030), "api-gateway")
            .ingress_described(Peer::itself(), Port::all_tcp(), "service to service"),
    );

    let namespace = stack.add(Namespace::http("service-connect", "fake-fintech.local"));
    let cluster = stack.add(
        Cluster::new("fake-fintech-cluster")
            .container_insights(ContainerInsights::Enabled)
            .capacity_providers(["FARGATE", "FARGATE_SPOT"])
            .service_connect_defaults(&namespace),
    );

    let secrets: Vec<(&str, Ref<Secret>)> = SECRETS
        .iter()
        .map(|(logical, name)| {
            (
                *logical,
                stack.add(
                    Secret::new(format!("secret/{logical}"), *name, value(logical))
                        .description(format!("Fake-Fintech {logical}"))
                        .recovery_window_days(7),
                ),
            )
        })
        .collect();
    let secret = |logical: &str| {
        secrets
            .iter()
            .find(|(l, _)| *l == logical)
            .map(|(_, r)| r.clone())
    };

    let execution_role = stack.add(
        Role::new(
            "fake-fintech-ecs-task-execution-role",
            Principal::ecs_tasks(),
        )
        .managed_policy(ManagedPolicy::ecs_task_execution())
        .inline_policy(
            "read-fake-fintech-secrets",
            PolicyDocument::new().statement(
                Statement::allow(["secretsmanager:GetSecretValue"]).resource(format!(
                    "arn:aws:secretsmanager:{REGION_NAME}:{account}:secret:fake-fintech/*"
                )),
            ),
        ),
    );
    // OWASP-LLM-08: intentionally over-privileged task role.
    let task_role = stack.add(
        Role::new("fake-fintech-ecs-task-role", Principal::ecs_tasks())
            .description("Intentionally over-privileged (OWASP-LLM-08)")
            .inline_policy(
                "over-privileged",
                PolicyDocument::new().statement(
                    Statement::allow([
                        "s3:*",
                        "secretsmanager:*",
                        "dynamodb:*",
                        "bedrock:*",
                        "lambda:InvokeFunction",
                        "iam:PassRole",
                    ])
                    .resource("*"),
                ),
            ),
    );

    for spec in SERVICES {
        let logs = stack.add(
            LogGroup::new(
                format!("logs/{}", spec.name),
                format!("/ecs/fake-fintech/{}", spec.name),
            )
            .retention_days(14),
        );
        // Seed 000's prerequisite: a repository per service, scanned on push.
        let repo = stack.add(
            Repository::new(
                format!("repo/{}", spec.name),
                format!("fake-fintech/{}", spec.name),
            )
            .allow_lint(
                "ecr-mutable-tags",
                "the seed deploys the moving `latest` tag",
            ),
        );
        let mut app = Container::new(spec.name, Image::from_repository(&repo, "latest"))
            .memory_reservation(spec.size.memory - 128)
            .env("SERVICE_NAME", spec.name)
            .env("LOG_LEVEL", "info")
            .env("LOG_FILE", format!("/var/log/app/{}.log", spec.name))
            .env("AWS_REGION", REGION_NAME)
            .mount("app-logs", "/var/log/app", false)
            .logs(LogConfig::awslogs(&logs, "ecs"));
        if let Some(port) = spec.port {
            app = app
                .named_port("http", port, AppProtocol::Http)
                .env("PORT", port.to_string())
                .health_check(
                    HealthCheck::cmd_shell(format!(
                        "curl -f http://localhost:{port}/health || exit 1"
                    ))
                    .interval(30)
                    .timeout(5)
                    .retries(3)
                    .start_period(60),
                );
        }
        for (key, value) in spec.env {
            app = app.env(*key, *value);
        }
        for (key, logical) in spec.secrets {
            if let Some(r) = secret(logical) {
                app = app.secret(*key, &r);
            }
        }
        let filebeat = Container::new("filebeat", image(FILEBEAT_IMAGE))
            .essential(false)
            .memory(128)
            .env(
                "ELASTICSEARCH_HOSTS",
                format!("https://{ELASTICSEARCH_ENDPOINT}:443"),
            )
            .env("LOG_PATHS", "/var/log/app/*.log")
            .mount("app-logs", "/var/log/app", true)
            .depends_on(spec.name, ContainerCondition::Start)
            .logs(LogConfig::awslogs(&logs, "filebeat"));
        let task = stack.add(
            TaskDefinition::fargate(format!("fake-fintech-{}", spec.name), spec.size)
                .execution_role(&execution_role)
                .task_role(&task_role)
                .volume("app-logs")
                .container(app)
                .container(filebeat),
        );
        let mut connect = ServiceConnect::new(&namespace);
        if let Some(port) = spec.port {
            connect = connect.service(
                ServiceConnectService::new("http")
                    .discovery_name(spec.name)
                    .client_alias(port, Some(spec.name)),
            );
        }
        stack.add(
            Service::new(spec.name, &cluster, &task)
                .desired_count(2)
                .subnets([&public_a, &public_b])
                .security_group(&tasks_sg)
                .assign_public_ip(true)
                .service_connect(connect),
        );
    }
    stack
}

#[allow(dead_code)]
fn main() -> ExitCode {
    ecs_iac::cli::run(stack())
}
