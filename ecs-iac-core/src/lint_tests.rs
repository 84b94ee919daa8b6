//! One failing and one passing case per lint rule, like `rule_tests.rs`. Each case builds
//! the same stack twice: with the problem (the rule must report an active finding) and
//! with it fixed (no active finding of any rule). The base stack is lint-clean.
//!
//! Why this room is long: one failing and one passing case for each of the lint rules,
//! side by side, so a rule's two cases are read together.

use crate::lint::{lint, Finding, LintReport, LintRule};
use crate::prelude::*;
use crate::Severity;

const KMS_KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/logs";
const CERT: &str = "arn:aws:acm:us-east-1:123456789012:certificate/x";

/// A small lint-clean stack the cases start from.
struct Base {
    stack: Stack,
    vpc: Ref<Vpc>,
    a: Ref<Subnet>,
    b: Ref<Subnet>,
    sg: Ref<SecurityGroup>,
    cluster: Ref<Cluster>,
    exec: Ref<Role>,
    logs: Ref<LogGroup>,
    secret: Ref<SecretRef>,
}

fn base() -> Base {
    let mut stack = Stack::new("t").region("us-east-1");
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
    let sg = stack.add(SecurityGroup::new("sg", &vpc).no_egress());
    let cluster = stack.add(Cluster::new("cluster").container_insights(ContainerInsights::Enabled));
    let exec = stack.add(
        Role::new("exec", Principal::ecs_tasks())
            .managed_policy(ManagedPolicy::ecs_task_execution()),
    );
    let logs = stack.add(
        LogGroup::new("logs", "/ecs/t")
            .retention_days(30)
            .kms_key(KMS_KEY),
    );
    let secret = stack.add(SecretRef::by_name("secret", "t/secret"));
    Base {
        stack,
        vpc,
        a,
        b,
        sg,
        cluster,
        exec,
        logs,
        secret,
    }
}

/// Makes a container lint-clean: non-root user, read-only root, logs, health check.
fn clean(b: &Base, c: Container) -> Container {
    c.user("1000:1000")
        .readonly_root_filesystem(true)
        .logs(LogConfig::awslogs(&b.logs, "app"))
        .health_check(HealthCheck::cmd(["/app", "--health"]))
}

fn app(b: &Base) -> Container {
    clean(b, Container::new("app", image("app:1.0.0")).port(8080))
}

/// A container with everything but a user, logs and a health check.
fn bare() -> Container {
    Container::new("app", image("app:1.0.0"))
        .port(8080)
        .readonly_root_filesystem(true)
}

fn task(b: &mut Base, t: TaskDefinition) -> Ref<TaskDefinition> {
    b.stack.add(t.execution_role(&b.exec))
}

fn task_with(b: &mut Base, c: Container) -> Ref<TaskDefinition> {
    task(
        b,
        TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512).container(c),
    )
}

fn service(b: &Base, task: &Ref<TaskDefinition>) -> Service {
    Service::new("svc", &b.cluster, task)
        .subnets([&b.a, &b.b])
        .security_group(&b.sg)
        .circuit_breaker(CircuitBreaker::OnWithRollback)
}

fn public_subnet(b: &mut Base) -> Ref<Subnet> {
    b.stack.add(Subnet::public(
        "c",
        &b.vpc,
        cidr("10.0.3.0/24"),
        Az::US_EAST_1A,
    ))
}

fn db(b: &mut Base, subnets: &[&Ref<Subnet>]) -> DbInstance {
    let group = b
        .stack
        .add(DbSubnetGroup::new("dbs", subnets.iter().copied()));
    DbInstance::new(
        "db",
        DbEngine::Postgres,
        DbInstanceClass::T3_SMALL,
        20,
        &group,
        "app",
        MasterPassword::ManagedBySecretsManager,
    )
    .deletion_protection(true)
}

fn cache(b: &mut Base, subnets: &[&Ref<Subnet>]) -> ReplicationGroup {
    let group = b.stack.add(CacheSubnetGroup::new(
        "cache-subnets",
        subnets.iter().copied(),
    ));
    ReplicationGroup::new("redis", CacheEngine::Valkey, "cache.t3.micro", &group)
        .auth_token(&b.secret)
}

fn policy_role(b: &mut Base, statement: Statement) {
    b.stack.add(
        Role::new("app-role", Principal::ecs_tasks())
            .inline_policy("app", PolicyDocument::new().statement(statement)),
    );
}

/// An internet-facing ALB with a clean security group and a target group.
fn alb(b: &mut Base) -> (Ref<LoadBalancer>, Ref<TargetGroup>) {
    let sg = b.sg.clone();
    let alb_sg = b.stack.add(
        SecurityGroup::new("alb-sg", &b.vpc)
            .ingress_described(Peer::any_ipv4(), Port::tcp(80), "HTTP, redirected")
            .ingress_described(Peer::any_ipv4(), Port::tcp(443), "HTTPS")
            .egress(Peer::group(&sg), Port::tcp(8080)),
    );
    let lb = b
        .stack
        .add(LoadBalancer::application("lb", [&b.a, &b.b], [&alb_sg]));
    b.stack.add(
        WebAcl::regional("web-acl", "lint-web-acl")
            .rule(WafRule::managed(ManagedRuleGroup::Common))
            .protect(&lb),
    );
    let tg = b
        .stack
        .add(TargetGroup::new("tg", HttpProtocol::Http, 8080, &b.vpc));
    (lb, tg)
}

type Case = (LintRule, fn(bool) -> Stack);

fn cases() -> Vec<Case> {
    vec![
        (LintRule::SgOpenIngress, |bad| {
            let mut b = base();
            let peer = if bad {
                Peer::any_ipv4()
            } else {
                Peer::cidr(cidr("10.0.0.0/16"))
            };
            b.stack.add(
                SecurityGroup::new("sg2", &b.vpc)
                    .ingress_described(peer, Port::tcp(8080), "app")
                    .no_egress(),
            );
            b.stack
        }),
        (LintRule::SgOpenIngressSensitivePort, |bad| {
            let mut b = base();
            let peer = if bad {
                Peer::any_ipv6()
            } else {
                Peer::cidr(cidr("10.0.0.0/16"))
            };
            b.stack.add(
                SecurityGroup::new("sg2", &b.vpc)
                    .ingress_described(peer, Port::tcp(22), "ssh")
                    .no_egress(),
            );
            b.stack
        }),
        (LintRule::SgEgressAll, |bad| {
            let mut b = base();
            let sg = SecurityGroup::new("sg2", &b.vpc);
            b.stack.add(if bad { sg } else { sg.no_egress() });
            b.stack
        }),
        (LintRule::SgRuleNoDescription, |bad| {
            let mut b = base();
            let peer = Peer::cidr(cidr("10.0.0.0/16"));
            let sg = SecurityGroup::new("sg2", &b.vpc).no_egress();
            b.stack.add(if bad {
                sg.ingress(peer, Port::tcp(8080))
            } else {
                sg.ingress_described(peer, Port::tcp(8080), "app")
            });
            b.stack
        }),
        (LintRule::SubnetPublicIpOnLaunch, |bad| {
            let mut b = base();
            b.stack.add(
                Subnet::public("c", &b.vpc, cidr("10.0.3.0/24"), Az::US_EAST_1A).map_public_ip(bad),
            );
            b.stack
        }),
        (LintRule::RdsPublicAccess, |bad| {
            let mut b = base();
            let (a, s) = (b.a.clone(), b.b.clone());
            let d = db(&mut b, &[&a, &s]).publicly_accessible(bad);
            b.stack.add(d);
            b.stack
        }),
        (LintRule::RdsPublicSubnet, |bad| {
            let mut b = base();
            let c = public_subnet(&mut b);
            let (a, s) = (b.a.clone(), b.b.clone());
            let d = db(&mut b, &[&a, if bad { &c } else { &s }]);
            b.stack.add(d);
            b.stack
        }),
        (LintRule::RdsStorageUnencrypted, |bad| {
            let mut b = base();
            let (a, s) = (b.a.clone(), b.b.clone());
            let d = db(&mut b, &[&a, &s]).storage_encrypted(!bad);
            b.stack.add(d);
            b.stack
        }),
        (LintRule::RdsBackupsDisabled, |bad| {
            let mut b = base();
            let (a, s) = (b.a.clone(), b.b.clone());
            let d = db(&mut b, &[&a, &s]).backup_retention_days(if bad { 0 } else { 7 });
            b.stack.add(d);
            b.stack
        }),
        (LintRule::RdsNoDeletionProtection, |bad| {
            let mut b = base();
            let (a, s) = (b.a.clone(), b.b.clone());
            let d = db(&mut b, &[&a, &s]).deletion_protection(!bad);
            b.stack.add(d);
            b.stack
        }),
        (LintRule::CachePublicSubnet, |bad| {
            let mut b = base();
            let c = public_subnet(&mut b);
            let (a, s) = (b.a.clone(), b.b.clone());
            let r = cache(&mut b, &[&a, if bad { &c } else { &s }]);
            b.stack.add(r);
            b.stack
        }),
        (LintRule::CacheAtRestUnencrypted, |bad| {
            let mut b = base();
            let (a, s) = (b.a.clone(), b.b.clone());
            let r = cache(&mut b, &[&a, &s]).at_rest_encryption(!bad);
            b.stack.add(r);
            b.stack
        }),
        (LintRule::CacheInTransitUnencrypted, |bad| {
            let mut b = base();
            let (a, s) = (b.a.clone(), b.b.clone());
            let r = cache(&mut b, &[&a, &s]).transit_encryption(!bad);
            b.stack.add(r);
            b.stack
        }),
        (LintRule::CacheNoAuth, |bad| {
            let mut b = base();
            let (a, s) = (b.a.clone(), b.b.clone());
            let group = b
                .stack
                .add(CacheSubnetGroup::new("cache-subnets", [&a, &s]));
            let r = ReplicationGroup::new("redis", CacheEngine::Redis, "cache.t3.micro", &group);
            b.stack.add(if bad { r } else { r.auth_token(&b.secret) });
            b.stack
        }),
        (LintRule::IamWildcardAction, |bad| {
            let mut b = base();
            let action = if bad { "s3:*" } else { "s3:GetObject" };
            policy_role(
                &mut b,
                Statement::allow([action]).resource("arn:aws:s3:::bucket/*"),
            );
            b.stack
        }),
        (LintRule::IamWildcardResource, |bad| {
            let mut b = base();
            let resource = if bad { "*" } else { "arn:aws:s3:::bucket/*" };
            policy_role(
                &mut b,
                Statement::allow(["s3:GetObject"]).resource(resource),
            );
            b.stack
        }),
        (LintRule::IamPassRoleWildcard, |bad| {
            let mut b = base();
            let resource = if bad {
                "arn:aws:iam::123456789012:role/*"
            } else {
                "arn:aws:iam::123456789012:role/app"
            };
            policy_role(
                &mut b,
                Statement::allow(["iam:PassRole"]).resource(resource),
            );
            b.stack
        }),
        (LintRule::IamTrustWildcard, |bad| {
            let mut b = base();
            let principal = if bad {
                Principal::Any
            } else {
                Principal::ecs_tasks()
            };
            b.stack.add(Role::new("r", principal));
            b.stack
        }),
        (LintRule::IamTrustAccount, |bad| {
            let mut b = base();
            let role = Role::new("r", Principal::Aws("123456789012".into()));
            b.stack.add(if bad {
                role
            } else {
                role.trust_condition(
                    "StringEquals",
                    "aws:PrincipalArn",
                    ["arn:aws:iam::123456789012:role/deployer"],
                )
            });
            b.stack
        }),
        (LintRule::IamAdminPolicy, |bad| {
            let mut b = base();
            let name = if bad {
                "AdministratorAccess"
            } else {
                "ReadOnlyAccess"
            };
            b.stack.add(
                Role::new("r", Principal::ecs_tasks()).managed_policy(ManagedPolicy::aws(name)),
            );
            b.stack
        }),
        (LintRule::IamFullAccessPolicy, |bad| {
            let mut b = base();
            let name = if bad {
                "AmazonS3FullAccess"
            } else {
                "AmazonS3ReadOnlyAccess"
            };
            b.stack.add(
                Role::new("r", Principal::ecs_tasks()).managed_policy(ManagedPolicy::aws(name)),
            );
            b.stack
        }),
        (LintRule::TaskRoleIsExecutionRole, |bad| {
            let mut b = base();
            let other = b.stack.add(Role::new("app-role", Principal::ecs_tasks()));
            let role = if bad { b.exec.clone() } else { other };
            let c = app(&b);
            task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                    .container(c)
                    .task_role(&role),
            );
            b.stack
        }),
        (LintRule::ContainerPrivileged, |bad| {
            let mut b = base();
            let c = app(&b).privileged(bad);
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::ContainerRootUser, |bad| {
            let mut b = base();
            let c = app(&b).user(if bad { "0:0" } else { "1000" });
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::ContainerUserUnset, |bad| {
            let mut b = base();
            let mut c = bare()
                .logs(LogConfig::awslogs(&b.logs, "app"))
                .health_check(HealthCheck::cmd(["/app", "--health"]));
            if !bad {
                c = c.user("app");
            }
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::ContainerWritableRootFs, |bad| {
            let mut b = base();
            let c = app(&b).readonly_root_filesystem(!bad);
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::EnvSecret, |bad| {
            let mut b = base();
            let name = if bad { "DB_PASSWORD" } else { "DB_HOST" };
            let c = app(&b).env(name, "value-1");
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::EnvCredentialsInUrl, |bad| {
            let mut b = base();
            let url = if bad {
                "postgres://app:pw@db:5432/app"
            } else {
                "postgres://app@db:5432/app"
            };
            let c = app(&b).env("DATABASE_URL", url);
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::CommandSecretArg, |bad| {
            let mut b = base();
            let arg = if bad { "--password=pw" } else { "--port=8080" };
            let c = app(&b).command(["serve", arg]);
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::LogOptionSecret, |bad| {
            let mut b = base();
            let key = if bad { "apikey" } else { "Host" };
            let c = app(&b).logs(LogConfig::firelens([("Name", "datadog"), (key, "v")]));
            let router = clean(
                &b,
                Container::new("router", image("fluent-bit:3.0")).essential(false),
            )
            .firelens_router(FirelensType::FluentBit, Vec::<(String, String)>::new());
            task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                    .container(c)
                    .container(router),
            );
            b.stack
        }),
        (LintRule::ContainerNoLogs, |bad| {
            let mut b = base();
            let mut c = bare()
                .user("1000")
                .health_check(HealthCheck::cmd(["/app", "--health"]));
            if !bad {
                c = c.logs(LogConfig::awslogs(&b.logs, "app"));
            }
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::ImageLatest, |bad| {
            let mut b = base();
            let img = if bad {
                Image::ecr("app", "latest")
            } else {
                image("app@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
            };
            let c = clean(&b, Container::new("app", img));
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::ContainerNoHealthCheck, |bad| {
            let mut b = base();
            let mut c = bare().user("1000").logs(LogConfig::awslogs(&b.logs, "app"));
            if !bad {
                c = c.health_check(HealthCheck::cmd_shell("curl -f localhost:8080/health"));
            }
            task_with(&mut b, c);
            b.stack
        }),
        (LintRule::ServicePublicIp, |bad| {
            let mut b = base();
            let c = app(&b);
            let t = task_with(&mut b, c);
            let s = service(&b, &t).assign_public_ip(bad);
            b.stack.add(s);
            b.stack
        }),
        (LintRule::ServiceNoCircuitBreaker, |bad| {
            let mut b = base();
            let c = app(&b);
            let t = task_with(&mut b, c);
            let s = Service::new("svc", &b.cluster, &t)
                .subnets([&b.a, &b.b])
                .security_group(&b.sg);
            b.stack.add(if bad {
                s
            } else {
                s.circuit_breaker(CircuitBreaker::OnWithRollback)
            });
            b.stack
        }),
        (LintRule::ServiceExecEnabled, |bad| {
            let mut b = base();
            let c = app(&b);
            let t = task_with(&mut b, c);
            let s = service(&b, &t).enable_execute_command(bad);
            b.stack.add(s);
            b.stack
        }),
        (LintRule::ServiceConnectNoTls, |bad| {
            let mut b = base();
            let ns = b.stack.add(Namespace::http("ns", "t.local"));
            let tls_role = b
                .stack
                .add(Role::new("sc-tls", Principal::service("ecs.amazonaws.com")));
            let c = clean(
                &b,
                Container::new("app", image("app:1.0.0")).named_port(
                    "http",
                    8080,
                    AppProtocol::Http,
                ),
            );
            let t = task_with(&mut b, c);
            let mut exposed = ServiceConnectService::new("http");
            if !bad {
                exposed = exposed.tls(
                    "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x",
                    &tls_role,
                );
            }
            let s = service(&b, &t).service_connect(ServiceConnect::new(&ns).service(exposed));
            b.stack.add(s);
            b.stack
        }),
        (LintRule::ClusterInsightsDisabled, |bad| {
            let mut b = base();
            let level = if bad {
                ContainerInsights::Disabled
            } else {
                ContainerInsights::Enhanced
            };
            b.stack.add(Cluster::new("c2").container_insights(level));
            b.stack
        }),
        (LintRule::LogGroupNoRetention, |bad| {
            let mut b = base();
            let g = LogGroup::new("logs2", "/ecs/t2").kms_key(KMS_KEY);
            b.stack.add(if bad { g } else { g.retention_days(90) });
            b.stack
        }),
        (LintRule::LogGroupUnencrypted, |bad| {
            let mut b = base();
            let g = LogGroup::new("logs2", "/ecs/t2").retention_days(90);
            b.stack.add(if bad { g } else { g.kms_key(KMS_KEY) });
            b.stack
        }),
        (LintRule::HttpListenerNoRedirect, |bad| {
            let mut b = base();
            let (lb, tg) = alb(&mut b);
            let action = if bad {
                ListenerAction::forward(&tg)
            } else {
                ListenerAction::RedirectToHttps
            };
            b.stack.add(Listener::http("http", &lb, 80, action));
            b.stack
        }),
        (LintRule::ListenerWeakTls, |bad| {
            let mut b = base();
            let (lb, tg) = alb(&mut b);
            let policy = if bad {
                "ELBSecurityPolicy-2016-08"
            } else {
                "ELBSecurityPolicy-TLS13-1-2-2021-06"
            };
            b.stack.add(
                Listener::https("https", &lb, 443, CERT, ListenerAction::forward(&tg))
                    .ssl_policy(policy),
            );
            b.stack
        }),
        (LintRule::SuppressionUnknownRule, |bad| {
            let mut b = base();
            let sg = SecurityGroup::new("sg2", &b.vpc).no_egress();
            b.stack.add(if bad {
                sg.allow_lint("sg-open-ingres", "typo in the rule id")
            } else {
                sg
            });
            b.stack
        }),
        (LintRule::SuppressionWithoutReason, |bad| {
            let mut b = base();
            b.stack.add(
                SecurityGroup::new("sg2", &b.vpc)
                    .ingress_described(Peer::any_ipv4(), Port::tcp(8080), "app")
                    .no_egress()
                    .allow_lint("sg-open-ingress", if bad { "  " } else { "demo endpoint" }),
            );
            b.stack
        }),
        (LintRule::RepositoryNoScanOnPush, |bad| {
            let mut b = base();
            b.stack.add(
                Repository::new("repo", "shop/api")
                    .tag_mutability(TagMutability::Immutable)
                    .scan_on_push(!bad),
            );
            b.stack
        }),
        (LintRule::RepositoryMutableTags, |bad| {
            let mut b = base();
            let mutability = if bad {
                TagMutability::Mutable
            } else {
                TagMutability::Immutable
            };
            b.stack
                .add(Repository::new("repo", "shop/api").tag_mutability(mutability));
            b.stack
        }),
        (LintRule::TopicUnencrypted, |bad| {
            let mut b = base();
            let topic = Topic::new("alerts", "alerts");
            b.stack.add(if bad {
                topic
            } else {
                topic.kms_key("alias/aws/sns")
            });
            b.stack
        }),
        (LintRule::KeyNoRotation, |bad| {
            let mut b = base();
            b.stack.add(KmsKey::new("key").rotation(!bad));
            b.stack
        }),
        (LintRule::BucketPublicAccess, |bad| {
            let mut b = base();
            let block = PublicAccessBlock {
                block_public_policy: !bad,
                ..PublicAccessBlock::ALL
            };
            b.stack.add(
                Bucket::new("bucket", "lint-bucket-0042")
                    .deny_insecure_transport()
                    .public_access_block(block),
            );
            b.stack
        }),
        (LintRule::TrailNoLogValidation, |bad| {
            let mut b = base();
            let logs = b
                .stack
                .add(Bucket::new("trail-logs", "lint-trail-logs-0042").deny_insecure_transport());
            b.stack
                .add(Trail::new("trail", "lint-trail", &logs).log_file_validation(!bad));
            b.stack
        }),
        (LintRule::TrailSingleRegion, |bad| {
            let mut b = base();
            let logs = b
                .stack
                .add(Bucket::new("trail-logs", "lint-trail-logs-0042").deny_insecure_transport());
            b.stack
                .add(Trail::new("trail", "lint-trail", &logs).multi_region(!bad));
            b.stack
        }),
        (LintRule::OpenSearchLiteralPassword, |bad| {
            let mut b = base();
            let admin = b.stack.add(Secret::new(
                "admin",
                "lint/admin",
                SecretValue::generated(Password::new(32)),
            ));
            let user = if bad {
                MasterUser::InternalWithLiteralPassword {
                    name: "admin".into(),
                    password: "Password123!".into(),
                }
            } else {
                MasterUser::internal("admin", &admin)
            };
            b.stack.add(
                OpenSearchDomain::new("search", "lint-logs", "OpenSearch_2.13").master_user(user),
            );
            b.stack
        }),
        (LintRule::OpenSearchUnencrypted, |bad| {
            let mut b = base();
            b.stack.add(
                OpenSearchDomain::new("search", "lint-logs", "OpenSearch_2.13")
                    .node_to_node_encryption(!bad),
            );
            b.stack
        }),
        (LintRule::AlbWithoutWebAcl, |bad| {
            let mut b = base();
            let lb = b
                .stack
                .add(LoadBalancer::application("lb", [&b.a, &b.b], [&b.sg]));
            // An internal load balancer needs none.
            b.stack.add(
                LoadBalancer::application("internal-lb", [&b.a, &b.b], [&b.sg])
                    .scheme(Scheme::Internal),
            );
            if !bad {
                b.stack.add(
                    WebAcl::regional("web-acl", "lint-web-acl")
                        .rule(WafRule::managed(ManagedRuleGroup::Common))
                        .rule(WafRule::rate_limit("per-ip", 1000))
                        .protect(&lb),
                );
            }
            b.stack
        }),
        (LintRule::OpenSearchWeakHttps, |bad| {
            let mut b = base();
            let policy = if bad {
                TlsPolicy::Tls10
            } else {
                TlsPolicy::Tls12
            };
            b.stack.add(
                OpenSearchDomain::new("search", "lint-logs", "OpenSearch_2.13").https(true, policy),
            );
            b.stack
        }),
        (LintRule::BucketNoTlsPolicy, |bad| {
            let mut b = base();
            let bucket = Bucket::new("bucket", "lint-bucket-0042");
            b.stack.add(if bad {
                bucket
            } else {
                bucket.deny_insecure_transport()
            });
            b.stack
        }),
        (LintRule::SuppressionUnused, |bad| {
            let mut b = base();
            let peer = if bad {
                Peer::cidr(cidr("10.0.0.0/16"))
            } else {
                Peer::any_ipv4()
            };
            b.stack.add(
                SecurityGroup::new("sg2", &b.vpc)
                    .ingress_described(peer, Port::tcp(8080), "app")
                    .no_egress()
                    .allow_lint("sg-open-ingress", "demo endpoint"),
            );
            b.stack
        }),
    ]
}

fn active(report: &LintReport) -> Vec<&Finding> {
    report.active().collect()
}

#[test]
fn the_base_stack_is_lint_clean() {
    let b = base();
    let report = lint(&b.stack);
    assert!(report.findings.is_empty(), "{}", report.to_text());
    assert!(validate(&b.stack).is_empty());
}

#[test]
fn every_lint_rule_has_a_failing_and_a_passing_case() {
    let cases = cases();
    for rule in LintRule::ALL {
        assert!(
            cases.iter().any(|(r, _)| r == rule),
            "lint rule {rule} has no test case"
        );
    }
    for (rule, build) in cases {
        let broken = lint(&build(true));
        let found: Vec<&Finding> = broken.active().filter(|f| f.rule == rule).collect();
        assert!(
            !found.is_empty(),
            "{rule}: the broken stack did not trigger it; got:\n{}",
            broken.to_text()
        );
        for f in &found {
            assert!(
                !f.address.is_empty() && !f.address.starts_with("t/"),
                "{rule}: address {}",
                f.address
            );
            assert!(!f.message.is_empty() && !f.request.is_empty() && !f.path.is_empty());
            assert_eq!(f.severity, rule.severity());
        }
        let fixed = lint(&build(false));
        assert!(
            active(&fixed).is_empty(),
            "{rule}: the fixed stack still has findings:\n{}",
            fixed.to_text()
        );
    }
}

/// The base plus one task definition with two containers: the second has four plain
/// environment variables, the fourth named like a secret.
fn env_stack(value: &str) -> Stack {
    let mut b = base();
    let side = clean(
        &b,
        Container::new("side", image("side:2.1")).essential(false),
    )
    .env("LOG_LEVEL", "info")
    .env("PORT", "9000")
    .env("DATABASE_URL", format!("postgres://app:{value}@db/app"))
    .env("OPENAI_API_KEY", value);
    let c = app(&b);
    task(
        &mut b,
        TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
            .container(c)
            .container(side),
    );
    b.stack
}

#[test]
fn env_findings_point_at_the_variable_and_never_show_its_value() {
    let value = "sk-proj-SENTINEL-0123456789";
    let stack = env_stack(value);
    let report = lint(&stack);
    let env: Vec<&Finding> = report.of(LintRule::EnvSecret).collect();
    assert_eq!(env.len(), 1);
    assert_eq!(env[0].address, "task");
    assert_eq!(env[0].request, "task");
    assert_eq!(env[0].path, "containerDefinitions[1].environment[3].name");
    assert!(env[0].message.contains("OPENAI_API_KEY"));
    let url: Vec<&Finding> = report.of(LintRule::EnvCredentialsInUrl).collect();
    assert_eq!(url.len(), 1);
    assert_eq!(url[0].path, "containerDefinitions[1].environment[2].value");
    // The value is in the request (the user's choice, which is what the rule flags) …
    let synth = synth(&stack).unwrap();
    assert!(synth.node("task").unwrap().body.to_string().contains(value));
    // … and in no rendering of the report.
    for text in [
        report.to_text(),
        report.to_json().to_string(),
        report.to_sarif().to_string(),
        crate::lint::LintFailed(report.errors().cloned().collect()).to_string(),
    ] {
        assert!(!text.contains("SENTINEL"), "the value leaked: {text}");
    }
}

#[test]
fn security_group_paths_and_the_load_balancer_exception() {
    let mut b = base();
    let (lb, tg) = alb(&mut b);
    b.stack.add(Listener::http(
        "http",
        &lb,
        80,
        ListenerAction::RedirectToHttps,
    ));
    let _ = tg;
    // The ALB group is open on 80 and 443 only: fine.
    let report = lint(&b.stack);
    assert!(report.findings.is_empty(), "{}", report.to_text());

    // A web port on a group no load balancer uses, and 8443 on the ALB's group.
    let mut b = base();
    let (_lb, _tg) = alb(&mut b);
    let web = b.stack.add(
        SecurityGroup::new("web-sg", &b.vpc)
            .ingress_described(Peer::cidr(cidr("10.0.0.0/16")), Port::tcp(8080), "vpc")
            .ingress_described(Peer::any_ipv4(), Port::tcp(443), "https")
            .ingress_described(Peer::any_ipv6(), Port::tcp(8443), "alt")
            .no_egress(),
    );
    let report = lint(&b.stack);
    let open: Vec<&Finding> = report.of(LintRule::SgOpenIngress).collect();
    assert_eq!(open.len(), 2, "{}", report.to_text());
    assert_eq!(open[0].address, "web-sg");
    assert_eq!(open[0].request, "web-sg#ingress");
    assert_eq!(open[0].path, "IpPermissions[1].IpRanges[0].CidrIp");
    assert_eq!(open[1].path, "IpPermissions[2].Ipv6Ranges[0].CidrIpv6");
    assert!(open[1].message.contains("::/0"));
    let _ = web;
}

#[test]
fn database_ports_and_database_groups_are_sensitive() {
    let mut b = base();
    let (a, s) = (b.a.clone(), b.b.clone());
    let db_sg = b.stack.add(
        SecurityGroup::new("db-sg", &b.vpc)
            .ingress_described(Peer::any_ipv4(), Port::tcp(6543), "oops")
            .no_egress(),
    );
    let d = db(&mut b, &[&a, &s]).port(6543).security_group(&db_sg);
    b.stack.add(d);
    // Another group opens the whole TCP range: it exposes the database port too.
    b.stack.add(
        SecurityGroup::new("wide-sg", &b.vpc)
            .ingress_described(Peer::any_ipv4(), Port::all_tcp(), "everything")
            .no_egress(),
    );
    let report = lint(&b.stack);
    let hits: Vec<&Finding> = report.of(LintRule::SgOpenIngressSensitivePort).collect();
    assert_eq!(hits.len(), 2, "{}", report.to_text());
    assert_eq!(hits[0].address, "db-sg");
    assert!(
        hits[0].message.contains("6543 (guards `db`)"),
        "{}",
        hits[0].message
    );
    assert_eq!(hits[1].address, "wide-sg");
    assert!(hits[1].message.contains("22 (SSH)"), "{}", hits[1].message);
    assert!(hits[1].message.contains("more"), "{}", hits[1].message);
    // The generic rule does not fire again for the same permissions.
    assert_eq!(report.of(LintRule::SgOpenIngress).count(), 0);
    assert!(report.has_errors());
}

#[test]
fn suppressions_are_listed_with_their_reason_and_do_not_fail() {
    let mut b = base();
    b.stack.add(
        SecurityGroup::new("public-sg", &b.vpc)
            .ingress_described(Peer::any_ipv4(), Port::tcp(22), "bastion")
            .no_egress()
            .allow_lint(
                "sg-open-ingress-sensitive-port",
                " bastion with MFA-only keys ",
            )
            .allow_lint("L0101", "by code; nothing to suppress"),
    );
    let report = lint(&b.stack);
    let suppressed: Vec<&Finding> = report.suppressed().collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0].rule, LintRule::SgOpenIngressSensitivePort);
    assert_eq!(
        suppressed[0].suppressed.as_deref(),
        Some("bastion with MFA-only keys")
    );
    assert!(!report.has_errors());
    assert!(report.check().is_ok());
    // The second suppression (by code) matched nothing: a note, not a failure.
    let unused: Vec<&Finding> = report.of(LintRule::SuppressionUnused).collect();
    assert_eq!(unused.len(), 1);
    assert_eq!(unused[0].path, "allow_lint[1]");
    assert_eq!(unused[0].severity, Severity::Note);
    let s = report.summary();
    assert_eq!((s.errors, s.warnings, s.notes, s.suppressed), (0, 0, 1, 1));
    assert!(report
        .to_text()
        .contains("reason: bastion with MFA-only keys"));
    assert_eq!(
        report.to_json()["findings"][0]["suppressed"]["reason"],
        "bastion with MFA-only keys"
    );
}

#[test]
fn bad_suppressions_are_errors_and_suppress_nothing() {
    let mut b = base();
    b.stack.add(
        SecurityGroup::new("sg2", &b.vpc)
            .ingress_described(Peer::any_ipv4(), Port::tcp(8080), "demo")
            .no_egress()
            .allow_lint("sg-open-ingress", "")
            .allow_lint("sg-wide-open", "no such rule")
            .allow_lint("suppression-unused", "cannot be suppressed"),
    );
    let report = lint(&b.stack);
    let rules: Vec<(LintRule, &str, bool)> = report
        .findings
        .iter()
        .map(|f| (f.rule, f.path.as_str(), f.is_active()))
        .collect();
    assert_eq!(
        rules,
        [
            (
                LintRule::SgOpenIngress,
                "IpPermissions[0].IpRanges[0].CidrIp",
                true
            ),
            (LintRule::SuppressionWithoutReason, "allow_lint[0]", true),
            (LintRule::SuppressionUnknownRule, "allow_lint[1]", true),
            (LintRule::SuppressionUnknownRule, "allow_lint[2]", true),
        ]
    );
    assert!(report.findings[2].message.contains("`sg-wide-open`"));
    let err = report.check().unwrap_err();
    assert_eq!(err.0.len(), 3);
    assert!(err
        .to_string()
        .starts_with("lint found 3 unsuppressed error(s)"));
}

#[test]
fn allow_lint_exists_on_every_resource_kind_and_never_renders() {
    let mut b = base();
    let reason = "SUPPRESSION-REASON";
    let c = app(&b);
    let t = task_with(&mut b, c);
    let svc = b
        .stack
        .add(service(&b, &t).allow_lint("service-exec-enabled", reason));
    let scaling = b
        .stack
        .add(ScalableTarget::ecs_service("scaling", &svc, 1, 2).allow_lint("image-latest", reason));
    b.stack.add(
        ScalingPolicy::target_tracking(
            "cpu",
            &scaling,
            PredefinedMetric::EcsServiceAverageCpu,
            70.0,
        )
        .allow_lint("image-latest", reason),
    );
    let vpc = b.vpc.clone();
    b.stack
        .modify(&vpc, |v| v.allow_lint("sg-egress-all", reason));
    let synth = synth(&b.stack).unwrap();
    for n in &synth.nodes {
        assert!(!n.body.to_string().contains(reason), "{}", n.address);
    }
    let report = lint(&b.stack);
    assert_eq!(report.of(LintRule::SuppressionUnused).count(), 4);
}

#[test]
fn sarif_is_2_1_0_with_rules_levels_locations_and_suppressions() {
    let mut b = base();
    b.stack.add(
        SecurityGroup::new("sg2", &b.vpc)
            .ingress_described(Peer::any_ipv4(), Port::tcp(5432), "db")
            .ingress_described(Peer::any_ipv4(), Port::tcp(8080), "app")
            .allow_lint("sg-open-ingress", "public demo"),
    );
    let report = lint(&b.stack);
    let sarif = report.to_sarif();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ecs-iac");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), LintRule::ALL.len());
    for (i, r) in LintRule::ALL.iter().enumerate() {
        assert_eq!(rules[i]["id"], r.id());
        assert_eq!(rules[i]["shortDescription"]["text"], r.description());
        assert!(rules[i]["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .contains(r.remediation()));
        assert_eq!(rules[i]["help"]["text"], r.remediation());
        assert_eq!(
            rules[i]["defaultConfiguration"]["level"],
            r.severity().as_str()
        );
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    // Open 8080 (warning, suppressed), sensitive port (error), default egress (note).
    assert_eq!(levels, ["warning", "error", "note"]);
    for (r, f) in results.iter().zip(&report.findings) {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert_eq!(r["ruleId"], f.rule.id());
        assert_eq!(r["message"]["text"], f.message.as_str());
        let logical = &r["locations"][0]["logicalLocations"];
        assert_eq!(logical[0]["fullyQualifiedName"], "sg2");
        assert_eq!(logical[0]["kind"], "resource");
        assert_eq!(logical[1]["name"], f.path.as_str());
    }
    assert_eq!(
        results[1]["locations"][0]["logicalLocations"][1]["fullyQualifiedName"],
        "sg2#ingress.IpPermissions[0].IpRanges[0].CidrIp"
    );
    assert_eq!(results[1]["suppressions"], serde_json::json!([]));
    assert_eq!(
        results[0]["suppressions"],
        serde_json::json!([{ "kind": "inSource", "justification": "public demo" }])
    );
    // Deterministic: the same stack renders byte for byte the same.
    assert_eq!(lint(&b.stack).to_sarif().to_string(), sarif.to_string());
}

#[test]
fn an_over_privileged_task_role_like_the_fintech_seed() {
    let mut b = base();
    let task_role = b.stack.add(
        Role::new("task-role", Principal::ecs_tasks()).inline_policy(
            "over-privileged",
            PolicyDocument::new()
                .statement(
                    Statement::allow([
                        "s3:*",
                        "secretsmanager:*",
                        "lambda:InvokeFunction",
                        "iam:PassRole",
                    ])
                    .resource("*"),
                )
                .statement(
                    Statement::allow([
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ])
                    .resource("*"),
                ),
        ),
    );
    let c = app(&b);
    task(
        &mut b,
        TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
            .container(c)
            .task_role(&task_role),
    );
    let report = lint(&b.stack);
    let paths = |rule| -> Vec<String> { report.of(rule).map(|f| f.path.clone()).collect() };
    assert_eq!(
        paths(LintRule::IamWildcardAction),
        [
            "PolicyDocument.Statement[0].Action[0]",
            "PolicyDocument.Statement[0].Action[1]"
        ]
    );
    // Statement 1 only has actions without resource-level permissions.
    assert_eq!(
        paths(LintRule::IamWildcardResource),
        ["PolicyDocument.Statement[0].Resource"]
    );
    assert_eq!(
        paths(LintRule::IamPassRoleWildcard),
        ["PolicyDocument.Statement[0].Action[3]"]
    );
    let f = report.of(LintRule::IamPassRoleWildcard).next().unwrap();
    assert_eq!(f.request, "task-role#policy:over-privileged");
    assert!(f.message.contains("task role of `task`"), "{}", f.message);
    assert!(!f.message.contains("which includes"), "{}", f.message);
    assert!(report.has_errors());

    let mut b = base();
    policy_role(
        &mut b,
        Statement::allow(["iam:*"]).resource("arn:aws:iam::123456789012:role/*"),
    );
    let report = lint(&b.stack);
    let f = report.of(LintRule::IamPassRoleWildcard).next().unwrap();
    assert!(
        f.message.contains("`iam:*` (which includes iam:PassRole)"),
        "{}",
        f.message
    );
    assert_eq!(report.of(LintRule::IamWildcardAction).count(), 1);
}

/// Secret values never enter the core: secrets are references that render as an ARN (or
/// its placeholder) where ECS injects them, and as a `${name.secret_value}` placeholder
/// where an API takes the value itself (RDS master password, ElastiCache AUTH token),
/// which only the apply engine resolves, in memory.
#[test]
fn secrets_render_as_references_and_placeholders_only() {
    let mut b = base();
    let (a, s) = (b.a.clone(), b.b.clone());
    let password = b
        .stack
        .add(SecretRef::by_name("db-password", "t/db-password"));
    let group = b.stack.add(DbSubnetGroup::new("dbs", [&a, &s]));
    b.stack.add(DbInstance::new(
        "db",
        DbEngine::Postgres,
        DbInstanceClass::T3_SMALL,
        20,
        &group,
        "app",
        MasterPassword::FromSecret(password.clone()),
    ));
    let r = cache(&mut b, &[&a, &s]);
    b.stack.add(r);
    let c = app(&b).secret_key("DB_PASSWORD", &password, "password");
    task_with(&mut b, c);
    let synth = synth(&b.stack).unwrap();
    assert_eq!(
        synth.node("db").unwrap().body["MasterUserPassword"],
        "${db-password.secret_value}"
    );
    assert_eq!(
        synth.node("redis").unwrap().body["AuthToken"],
        "${secret.secret_value}"
    );
    assert_eq!(
        synth.node("task").unwrap().body["containerDefinitions"][0]["secrets"][0],
        serde_json::json!({ "name": "DB_PASSWORD", "valueFrom": "${db-password.arn}:password::" })
    );
    assert_eq!(
        synth.node("db-password").unwrap().body,
        serde_json::json!({ "SecretId": "t/db-password" })
    );
    // Plans carry the same placeholders, never more.
    let plan = plan(&b.stack, &State::empty("t")).unwrap();
    let text = serde_json::to_string(&plan).unwrap();
    assert_eq!(
        text.matches("secret_value").count(),
        text.matches(".secret_value}").count()
    );
    // An injected secret is not a plaintext variable: nothing to lint.
    assert_eq!(lint(&b.stack).of(LintRule::EnvSecret).count(), 0);
}

#[test]
fn public_ips_in_private_subnets_say_so() {
    let mut b = base();
    let c = app(&b);
    let t = task_with(&mut b, c);
    let s = service(&b, &t).assign_public_ip(true);
    b.stack.add(s);
    let report = lint(&b.stack);
    let f = report.of(LintRule::ServicePublicIp).next().unwrap();
    assert_eq!(
        f.path,
        "networkConfiguration.awsvpcConfiguration.assignPublicIp"
    );
    assert!(
        f.message.contains("non-public subnet(s) `a`, `b`"),
        "{}",
        f.message
    );
}

#[test]
fn the_report_is_deterministic_and_ordered_by_resource() {
    let build = || {
        let mut b = base();
        b.stack.add(Cluster::new("c2"));
        b.stack
            .add(SecurityGroup::new("sg2", &b.vpc).ingress(Peer::any_ipv4(), Port::tcp(3306)));
        b.stack.add(LogGroup::new("logs2", "/x"));
        b.stack
    };
    let one = lint(&build());
    let two = lint(&build());
    assert_eq!(one.to_json(), two.to_json());
    assert_eq!(one.to_text(), two.to_text());
    let order: Vec<(&str, &str)> = one
        .findings
        .iter()
        .map(|f| (f.address.as_str(), f.rule.id()))
        .collect();
    assert_eq!(
        order,
        [
            ("c2", "cluster-insights-disabled"),
            ("sg2", "sg-open-ingress-sensitive-port"),
            ("sg2", "sg-egress-all"),
            ("sg2", "sg-rule-no-description"),
            ("logs2", "log-group-no-retention"),
            ("logs2", "log-group-unencrypted"),
        ]
    );
    let json = one.to_json();
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["findings"][1]["code"], "L0102");
    assert_eq!(json["summary"]["notes"], 3);
    assert_eq!(
        json["findings"][1]["remediation"],
        LintRule::SgOpenIngressSensitivePort.remediation()
    );
    let text = one.to_text();
    assert!(
        text.starts_with("warning[L0505 cluster-insights-disabled]: c2 at settings[0].value: "),
        "{text}"
    );
    assert!(text.ends_with("lint `t`: 1 error(s), 2 warning(s), 3 note(s), 0 suppressed\n"));
}
