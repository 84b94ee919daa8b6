//! visitor-book: a highly available web app on ECS Fargate (seed 002).
//!
//! VPC 10.0.0.0/16 with public, private-app and private-db subnets in two zones; one NAT
//! gateway; a multi-AZ encrypted PostgreSQL RDS instance; an ALB with HTTP→HTTPS redirect
//! and an HTTPS listener; a Fargate service with circuit breaker, ECS Exec and CPU target
//! tracking; the security group chain ALB → app:8000 → DB:5432; a 30-day log group;
//! two alarms notifying the `app-alerts` topic; least-privilege IAM roles; the app bucket
//! (public access blocked, unencrypted uploads denied); a multi-region CloudTrail trail
//! with log file validation, KMS and Insights into an audit bucket; the OpenSearch
//! domain `app-logs` with `LogDeliveryRole` and the log group's subscription filter to
//! the (existing) `LogsToOpenSearch` function. The container gets the database's endpoint
//! from the instance and its credentials from the secret RDS manages, so nothing has to
//! exist beforehand but the certificate. Outputs: the ALB's DNS name, the URL and the
//! database endpoint (`output` prints them after apply).
//!
//! ```text
//! cargo run --example visitor_book                 # plan (offline, no credentials)
//! cargo run --example visitor_book -- synth --out synth-out
//! cargo run --example visitor_book -- validate
//! ```

use ecs_iac::prelude::*;
use std::process::ExitCode;

const REGION_NAME: &str = "us-east-1";

/// The visitor-book stack with the ACM certificate named by `VISITOR_BOOK_CERTIFICATE_ARN`
/// (a placeholder certificate ARN of the account when unset).
pub fn stack() -> Stack {
    let default = format!("arn:aws:acm:{REGION_NAME}:{ACCOUNT_ID}:certificate/visitor-book");
    stack_with_certificate(&std::env::var("VISITOR_BOOK_CERTIFICATE_ARN").unwrap_or(default))
}

/// The visitor-book stack, its HTTPS listener using `certificate_arn`.
pub fn stack_with_certificate(certificate_arn: &str) -> Stack {
    let mut stack = Stack::new("visitor-book").region(REGION_NAME);
    let account = ACCOUNT_ID;

    // Step 1: VPC and networking.
    let vpc = stack.add(Vpc::new("app-vpc", cidr("10.0.0.0/16")).dns_hostnames(true));
    let public_1 = stack.add(Subnet::public(
        "public-subnet-1",
        &vpc,
        cidr("10.0.1.0/24"),
        Az::US_EAST_1A,
    ));
    let public_2 = stack.add(Subnet::public(
        "public-subnet-2",
        &vpc,
        cidr("10.0.2.0/24"),
        Az::US_EAST_1B,
    ));
    let app_1 = stack.add(Subnet::private(
        "private-app-subnet-1",
        &vpc,
        cidr("10.0.3.0/24"),
        Az::US_EAST_1A,
    ));
    let app_2 = stack.add(Subnet::private(
        "private-app-subnet-2",
        &vpc,
        cidr("10.0.4.0/24"),
        Az::US_EAST_1B,
    ));
    let db_1 = stack.add(Subnet::isolated(
        "private-db-subnet-1",
        &vpc,
        cidr("10.0.5.0/24"),
        Az::US_EAST_1A,
    ));
    let db_2 = stack.add(Subnet::isolated(
        "private-db-subnet-2",
        &vpc,
        cidr("10.0.6.0/24"),
        Az::US_EAST_1B,
    ));

    let igw = stack.add(InternetGateway::new("app-igw", &vpc));
    let nat_ip = stack.add(ElasticIp::new("nat-eip"));
    let nat = stack.add(NatGateway::public("app-nat", &public_1, &nat_ip));
    stack.add(
        RouteTable::new("public-rt", &vpc)
            .route(cidr("0.0.0.0/0"), RouteTarget::internet_gateway(&igw))
            .associate(&public_1)
            .associate(&public_2),
    );
    stack.add(
        RouteTable::new("private-app-rt", &vpc)
            .route(cidr("0.0.0.0/0"), RouteTarget::nat_gateway(&nat))
            .associate(&app_1)
            .associate(&app_2),
    );
    stack.add(
        RouteTable::new("private-db-rt", &vpc)
            .associate(&db_1)
            .associate(&db_2),
    );

    // Security groups: ALB 80/443 from the internet → app 8000 → DB 5432.
    let alb_sg = stack.add(
        SecurityGroup::new("alb-sg", &vpc)
            .description("ALB: HTTP and HTTPS from the internet")
            .ingress_described(Peer::any_ipv4(), Port::tcp(443), "HTTPS")
            .ingress_described(Peer::any_ipv4(), Port::tcp(80), "HTTP, redirected to HTTPS"),
    );
    let ecs_sg = stack.add(
        SecurityGroup::new("ecs-sg", &vpc)
            .description("ECS tasks: 8000 from the ALB only")
            .ingress(Peer::group(&alb_sg), Port::tcp(8000))
            .egress(Peer::any_ipv4(), Port::tcp(443)),
    );
    let rds_sg = stack.add(
        SecurityGroup::new("rds-sg", &vpc)
            .description("RDS: PostgreSQL from the ECS tasks only")
            .ingress(Peer::group(&ecs_sg), Port::tcp(5432))
            .no_egress(),
    );
    stack.modify(&alb_sg, |sg| {
        sg.egress(Peer::group(&ecs_sg), Port::tcp(8000))
    });
    stack.modify(&ecs_sg, |sg| {
        sg.egress(Peer::group(&rds_sg), Port::tcp(5432))
    });

    // Step 2: RDS PostgreSQL, multi-AZ, encrypted. RDS creates the master password and
    // keeps it in a Secrets Manager secret it manages: nothing to create by hand.
    let db_subnets = stack.add(
        DbSubnetGroup::new("app-db-subnet-group", [&db_1, &db_2])
            .description("Subnet group for our application DB"),
    );
    let db = stack.add(
        DbInstance::new(
            "app-postgres",
            DbEngine::Postgres,
            DbInstanceClass::T3_SMALL,
            20,
            &db_subnets,
            "visitorbook",
            MasterPassword::ManagedBySecretsManager,
        )
        .db_name("visitorbook")
        .multi_az(true)
        .storage_encrypted(true)
        .backup_retention_days(7)
        .publicly_accessible(false)
        .security_group(&rds_sg),
    );

    // Step 3: cluster, logs, IAM and the task definition.
    let cluster =
        stack.add(Cluster::new("app-cluster").container_insights(ContainerInsights::Enabled));
    let logs = stack.add(LogGroup::new("app-logs", "/ecs/visitor-book").retention_days(30));
    // Seed 002's centralized logging: the OpenSearch domain `app-logs` (encrypted at
    // rest and between nodes, HTTPS only, fine-grained access control) which
    // `LogDeliveryRole` may write to. The seed types the master password into the
    // command (`Password123!`); here it is generated into a secret at apply.
    let log_delivery = stack.add(
        Role::new(
            "log-delivery-role",
            Principal::service("lambda.amazonaws.com"),
        )
        .role_name("LogDeliveryRole")
        .description("Ships visitor-book logs into OpenSearch"),
    );
    let search_admin = stack.add(
        Secret::new(
            "app-logs-admin",
            "visitor-book/opensearch-admin",
            SecretValue::generated(Password::new(32).exclude_characters("\"'\\/@")),
        )
        .description("Master user password of the app-logs OpenSearch domain")
        .recovery_window_days(7),
    );
    stack.add(
        OpenSearchDomain::new("app-logs-domain", "app-logs", "OpenSearch_1.3")
            .instances("r6g.large.search", 2)
            .gp3_storage_gib(100)
            .master_user(MasterUser::internal("admin", &search_admin))
            .access_policy(
                Statement::allow(["es:*"])
                    .principal(Principal::Aws(log_delivery.arn().to_string())),
            ),
    );
    // Every event of the app's log group goes to the Lambda function
    // `LogsToOpenSearch`, which the seed does not build either: it is referred to by ARN
    // and must let `logs.amazonaws.com` invoke it.
    stack.add(SubscriptionFilter::new(
        "app-logs-filter",
        &logs,
        "app-logs-filter",
        LogDestination::lambda(format!(
            "arn:aws:lambda:{REGION_NAME}:{ACCOUNT_ID}:function:LogsToOpenSearch"
        )),
    ));
    let execution_role = stack.add(
        Role::new("ecsTaskExecutionRole", Principal::ecs_tasks())
            .description(
                "Pulls the image, writes logs and reads the database credentials for app-task",
            )
            .managed_policy(ManagedPolicy::ecs_task_execution())
            .inline_policy(
                "read-database-credentials",
                PolicyDocument::new().statement(
                    Statement::allow(["secretsmanager:GetSecretValue"])
                        .resource(db.master_secret_arn()),
                ),
            ),
    );
    let task_role = stack.add(
        Role::new("app-task-role", Principal::ecs_tasks())
            .description("What the visitor-book application may call")
            .inline_policy(
                "app-secrets",
                PolicyDocument::new().statement(
                    Statement::allow(["secretsmanager:GetSecretValue"]).resource(format!(
                        "arn:aws:secretsmanager:{REGION_NAME}:{account}:secret:app-secrets-*"
                    )),
                ),
            )
            .inline_policy(
                "ecs-exec",
                PolicyDocument::new().statement(
                    Statement::allow([
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ])
                    .resource("*"),
                ),
            ),
    );
    // The seed's DATABASE_URL is `postgresql://USER:PASSWORD@HOST:5432/DB`. Its parts
    // reach the container separately: the host and port from the instance once it exists,
    // the credentials from the managed secret's JSON keys (injected at task start, never
    // in the task definition). The application builds the URL at start-up:
    // `postgresql://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:${DB_PORT}/${DB_NAME}` (with
    // the password URL-encoded).
    let credentials = db.master_secret();
    let task = stack.add(
        TaskDefinition::fargate("app-task", Fargate::CPU_512_MEM_1024)
            .execution_role(&execution_role)
            .task_role(&task_role)
            .container(
                Container::new("visitor-book", Image::ecr("visitor-book", "latest"))
                    .port(8000)
                    .env("DB_HOST", db.endpoint())
                    .env("DB_PORT", db.port())
                    .env("DB_NAME", "visitorbook")
                    .secret_key("DB_USER", &credentials, "username")
                    .secret_key("DB_PASSWORD", &credentials, "password")
                    .logs(LogConfig::awslogs(&logs, "visitor-book")),
            ),
    );

    // Step 4: ALB, target group, listeners.
    let alb = stack.add(LoadBalancer::application(
        "app-alb",
        [&public_1, &public_2],
        [&alb_sg],
    ));
    let tg = stack.add(
        TargetGroup::new("app-tg", HttpProtocol::Http, 8000, &vpc).health_check(
            TargetHealthCheck::http("/health")
                .interval(30)
                .timeout(5)
                .healthy_threshold(2)
                .unhealthy_threshold(2),
        ),
    );
    stack.add(Listener::https(
        "app-https-listener",
        &alb,
        443,
        certificate_arn,
        ListenerAction::forward(&tg),
    ));
    stack.add(Listener::http(
        "app-http-listener",
        &alb,
        80,
        ListenerAction::RedirectToHttps,
    ));

    // Step 5: the service and its autoscaling.
    let service = stack.add(
        Service::new("app-service", &cluster, &task)
            .desired_count(2)
            .platform_version("LATEST")
            .subnets([&app_1, &app_2])
            .security_group(&ecs_sg)
            .assign_public_ip(false)
            .load_balancer(&tg, "visitor-book", 8000)
            .health_check_grace_period(60)
            .circuit_breaker(CircuitBreaker::OnWithRollback)
            .deployment_percent(200, 100)
            .enable_execute_command(true),
    );
    let scaling = stack.add(ScalableTarget::ecs_service(
        "app-service-scaling",
        &service,
        2,
        10,
    ));
    stack.add(
        ScalingPolicy::target_tracking(
            "app-cpu-scaling",
            &scaling,
            PredefinedMetric::EcsServiceAverageCpu,
            70.0,
        )
        .scale_out_cooldown(60)
        .scale_in_cooldown(60),
    );

    // Monitoring. The seed names the metric `4XXError`, which is API Gateway's; an ALB
    // reports target 4XX responses as `HTTPCode_Target_4XX_Count`.
    // The topic the seed's alarms notify (`arn:aws:sns:…:app-alerts`), made here.
    // CloudWatch cannot publish to a topic under the AWS managed `aws/sns` key.
    let alerts = stack.add(Topic::new("app-alerts", "app-alerts").allow_lint(
        "sns-unencrypted",
        "CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key",
    ));
    stack.add(
        Alarm::new(
            "api-high-error-rate",
            Metric::load_balancer(&alb, "HTTPCode_Target_4XX_Count")
                .statistic(Statistic::Sum)
                .period(60),
            Comparison::GreaterThan,
            10.0,
            2,
        )
        .description("Alert when API error rate exceeds threshold")
        .treat_missing_data("notBreaching")
        .alarm_action(alerts.arn()),
    );
    stack.add(
        Alarm::new(
            "ecs-high-cpu",
            Metric::ecs_service(&service, "CPUUtilization")
                .statistic(Statistic::Average)
                .period(300),
            Comparison::GreaterThan,
            85.0,
            3,
        )
        .description("Alert when ECS CPU is consistently high")
        .alarm_action(alerts.arn()),
    );

    // Seed 002's S3 bucket security: public access blocked, uploads without
    // server-side encryption denied (`DenyUnencryptedObjectUploads`), TLS only. Bucket
    // names are global: the account id keeps this one unique.
    stack.add(
        Bucket::new("app-bucket", format!("visitor-book-app-{ACCOUNT_ID}"))
            .deny_unencrypted_uploads()
            .deny_insecure_transport(),
    );

    // Seed 002's CloudTrail: multi-region, log file validation, KMS, Insights, logging
    // started. The seed passes `alias/aws/s3`, which CloudTrail refuses (it needs a
    // customer managed key): the trail gets a key of its own, whose policy lets
    // CloudTrail encrypt. The library writes the bucket policy CloudTrail requires.
    let audit_logs = stack.add(
        Bucket::new("app-audit-logs", format!("visitor-book-audit-{ACCOUNT_ID}"))
            .versioning(true)
            .deny_insecure_transport()
            .lifecycle(
                BucketLifecycleRule::new("archive")
                    .transition(90, StorageClass::Glacier)
                    .expire_after_days(365),
            ),
    );
    let trail_key = stack.add(
        KmsKey::new("trail-key")
            .description("Encrypts the visitor-book CloudTrail logs")
            .alias("alias/visitor-book-trail"),
    );
    stack.add(
        Trail::new("app-trail", "app-trail", &audit_logs)
            .kms_key(&trail_key)
            .insight(InsightType::ApiCallRate)
            .insight(InsightType::ApiErrorRate),
    );

    // What a user looks for after the first apply.
    stack
        .output("alb-dns-name", alb.dns_name())
        .description("Point the visitor-book DNS record (CNAME or alias) here");
    stack
        .output("url", text!("https://{}/", alb.dns_name()))
        .description("The application, once DNS points at the load balancer");
    stack
        .output(
            "database-endpoint",
            text!("{}:{}", db.endpoint(), db.port()),
        )
        .description("The PostgreSQL endpoint (reachable from the ECS tasks only)");
    stack
}

#[allow(dead_code)]
fn main() -> ExitCode {
    ecs_iac::cli::run(stack())
}
