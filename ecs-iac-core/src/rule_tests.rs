//! One failing and one passing case per validation rule. Each case builds the same stack
//! twice: with the problem (the rule must fire) and with it fixed (no error at all).
//!
//! Why this room is long: one failing and one passing case for each validation rule, side
//! by side, so a rule's two cases are read together.

use crate::prelude::*;
use crate::{Diagnostic, Rule};

/// A small valid stack the cases start from.
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
    let sg = stack.add(SecurityGroup::new("sg", &vpc));
    let cluster = stack.add(Cluster::new("cluster"));
    let exec = stack.add(
        Role::new("exec", Principal::ecs_tasks())
            .managed_policy(ManagedPolicy::ecs_task_execution()),
    );
    let logs = stack.add(LogGroup::new("logs", "/ecs/t").retention_days(30));
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

fn app() -> Container {
    Container::new("app", image("app:1.0.0")).port(8080)
}

fn task(b: &mut Base, t: TaskDefinition) -> Ref<TaskDefinition> {
    b.stack.add(t.execution_role(&b.exec))
}

fn service(b: &mut Base, task: &Ref<TaskDefinition>) -> Service {
    Service::new("svc", &b.cluster, task)
        .subnets([&b.a, &b.b])
        .security_group(&b.sg)
}

type Case = (Rule, fn(bool) -> Stack);

fn cases() -> Vec<Case> {
    vec![
        (Rule::InvalidName, |bad| {
            let mut b = base();
            b.stack
                .add(Cluster::new(if bad { "bad name!" } else { "good-name" }));
            b.stack
        }),
        (Rule::DuplicateName, |bad| {
            let mut b = base();
            b.stack
                .add(Cluster::new(if bad { "cluster" } else { "cluster-2" }));
            b.stack
        }),
        (Rule::AwsString, |bad| {
            let mut b = base();
            let description = if bad {
                "naïve ✓".to_string()
            } else {
                "web tier".to_string()
            };
            b.stack
                .add(SecurityGroup::new("described", &b.vpc).description(description));
            b.stack
        }),
        (Rule::DuplicateEntry, |bad| {
            let mut b = base();
            let second = if bad { "LOG_LEVEL" } else { "MODE" };
            task(
                &mut b,
                TaskDefinition::fargate("t", Fargate::CPU_256_MEM_512)
                    .container(app().env("LOG_LEVEL", "info").env(second, "x")),
            );
            b.stack
        }),
        (Rule::Arn, |bad| {
            let mut b = base();
            let policy = if bad {
                ManagedPolicy::arn("AmazonS3ReadOnlyAccess")
            } else {
                ManagedPolicy::arn("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
            };
            b.stack
                .add(Role::new("reader", Principal::ecs_tasks()).managed_policy(policy));
            b.stack
        }),
        (Rule::ExistingResource, |bad| {
            let mut b = base();
            let shared = SecurityGroup::existing("shared", &b.vpc, Lookup::id("sg-0123"));
            let shared = if bad {
                shared.ingress(Peer::group(&b.sg), Port::tcp(5432))
            } else {
                shared
            };
            let shared = b.stack.add(shared);
            b.stack
                .modify(&b.sg, |g| g.ingress(Peer::group(&shared), Port::tcp(8080)));
            b.stack
        }),
        (Rule::RouteLocal, |bad| {
            let mut b = base();
            let igw = b.stack.add(InternetGateway::new("igw", &b.vpc));
            let destination = if bad { "10.0.8.0/24" } else { "0.0.0.0/0" };
            b.stack.add(
                RouteTable::new("rt", &b.vpc)
                    .route(cidr(destination), RouteTarget::internet_gateway(&igw)),
            );
            b.stack
        }),
        (Rule::AzRegion, |bad| {
            let mut b = base();
            let zone = if bad { Az::EU_WEST_1A } else { Az::US_EAST_1A };
            b.stack
                .add(Subnet::private("c", &b.vpc, cidr("10.0.3.0/24"), zone));
            b.stack
        }),
        (Rule::UnknownAttribute, |bad| {
            let mut b = base();
            let value = if bad { "${vpc.nope}" } else { "${vpc.id}" };
            b.stack.add(
                Subnet::private("c", &b.vpc, cidr("10.0.3.0/24"), Az::US_EAST_1A)
                    .tag("peer-vpc", value),
            );
            b.stack
        }),
        (Rule::UnknownReference, |bad| {
            let mut b = base();
            let mut other = Stack::new("other");
            let foreign = other.add(Vpc::new("vpc", cidr("10.9.0.0/16")));
            let vpc = if bad { foreign } else { b.vpc.clone() };
            b.stack.add(Subnet::private(
                "c",
                &vpc,
                cidr("10.0.3.0/24"),
                Az::US_EAST_1A,
            ));
            b.stack
        }),
        (Rule::DependencyCycle, |bad| {
            let mut b = base();
            let c1 = b.stack.add(Cluster::new("c1"));
            let c2 = b.stack.add(Cluster::new("c2"));
            b.stack.depends_on(&c2, &c1);
            if bad {
                b.stack.depends_on(&c1, &c2);
            }
            b.stack
        }),
        (Rule::AwsName, |bad| {
            let mut b = base();
            let name = if bad {
                "a-target-group-name-longer-than-32"
            } else {
                "tg"
            };
            b.stack
                .add(TargetGroup::new(name, HttpProtocol::Http, 80, &b.vpc));
            b.stack
        }),
        (Rule::CidrMalformed, |bad| {
            let mut b = base();
            let block = if bad { "10.0.3.0/33" } else { "10.0.3.0/24" };
            b.stack
                .add(Subnet::private("c", &b.vpc, cidr(block), Az::US_EAST_1A));
            b.stack
        }),
        (Rule::CidrSize, |bad| {
            let mut b = base();
            b.stack.add(Vpc::new(
                "vpc2",
                cidr(if bad { "10.16.0.0/12" } else { "10.16.0.0/16" }),
            ));
            b.stack
        }),
        (Rule::CidrOverlap, |bad| {
            let mut b = base();
            let block = if bad { "10.0.1.128/25" } else { "10.0.3.0/24" };
            b.stack
                .add(Subnet::private("c", &b.vpc, cidr(block), Az::US_EAST_1A));
            b.stack
        }),
        (Rule::SubnetOutsideVpc, |bad| {
            let mut b = base();
            let block = if bad { "10.1.0.0/24" } else { "10.0.9.0/24" };
            b.stack
                .add(Subnet::private("c", &b.vpc, cidr(block), Az::US_EAST_1A));
            b.stack
        }),
        (Rule::PortRange, |bad| {
            let mut b = base();
            let port = if bad {
                Port::tcp_range(4000, 3000)
            } else {
                Port::tcp_range(3000, 4000)
            };
            let sg = b.sg.clone();
            b.stack
                .modify(&sg, |sg| sg.ingress(Peer::cidr(cidr("10.0.0.0/16")), port));
            b.stack
        }),
        (Rule::SubnetGroupAzs, |bad| {
            let mut b = base();
            let c = b.stack.add(Subnet::private(
                "c",
                &b.vpc,
                cidr("10.0.3.0/24"),
                Az::US_EAST_1A,
            ));
            let second = if bad { c } else { b.b.clone() };
            b.stack.add(DbSubnetGroup::new("dbs", [&b.a, &second]));
            b.stack
        }),
        (Rule::CacheSubnetGroupAzs, |bad| {
            let mut b = base();
            let c = b.stack.add(Subnet::private(
                "c",
                &b.vpc,
                cidr("10.0.3.0/24"),
                Az::US_EAST_1A,
            ));
            let second = if bad { c } else { b.b.clone() };
            b.stack
                .add(CacheSubnetGroup::new("cache-subnets", [&b.a, &second]));
            b.stack
        }),
        (Rule::MultiAzNeedsTwoAzs, |bad| {
            let mut b = base();
            let subnets = if bad { vec![&b.a] } else { vec![&b.a, &b.b] };
            let group = b.stack.add(CacheSubnetGroup::new("cache-subnets", subnets));
            b.stack.add(
                ReplicationGroup::new("redis", CacheEngine::Redis, "cache.t3.micro", &group)
                    .replicas(1)
                    .multi_az(true),
            );
            b.stack
        }),
        (Rule::FargateCpuMemory, |bad| {
            let mut b = base();
            let size = if bad {
                Fargate::size(256, 4096)
            } else {
                Fargate::size(256, 2048)
            };
            task(
                &mut b,
                TaskDefinition::fargate("task", size).container(app()),
            );
            b.stack
        }),
        (Rule::ContainerExceedsTask, |bad| {
            let mut b = base();
            let memory = if bad { 1024 } else { 512 };
            task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                    .container(app().memory(memory)),
            );
            b.stack
        }),
        (Rule::DuplicatePort, |bad| {
            let mut b = base();
            let port = if bad { 8080 } else { 9090 };
            let t = TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                .container(app())
                .container(Container::new("side", image("side:1")).port(port));
            task(&mut b, t);
            b.stack
        }),
        (Rule::ExecutionRoleRequired, |bad| {
            let mut b = base();
            let t = TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                .container(app().secret("S", &b.secret));
            if bad {
                b.stack.add(t);
            } else {
                task(&mut b, t);
            }
            b.stack
        }),
        (Rule::HealthCheckBounds, |bad| {
            let mut b = base();
            let check = HealthCheck::cmd_shell("curl -f localhost:8080/health").interval(if bad {
                301
            } else {
                30
            });
            task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                    .container(app().health_check(check)),
            );
            b.stack
        }),
        (Rule::ContainerReference, |bad| {
            let mut b = base();
            let t = task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512).container(app()),
            );
            let tg = b
                .stack
                .add(TargetGroup::new("tg", HttpProtocol::Http, 8080, &b.vpc));
            let lb = b
                .stack
                .add(LoadBalancer::application("lb", [&b.a, &b.b], [&b.sg]));
            b.stack.add(Listener::http(
                "listener",
                &lb,
                80,
                ListenerAction::forward(&tg),
            ));
            let s = service(&mut b, &t).load_balancer(&tg, if bad { "web" } else { "app" }, 8080);
            b.stack.add(s);
            b.stack
        }),
        (Rule::EssentialContainer, |bad| {
            let mut b = base();
            task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                    .container(app().essential(!bad)),
            );
            b.stack
        }),
        (Rule::FargateUnsupported, |bad| {
            let mut b = base();
            task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                    .container(app().privileged(bad)),
            );
            b.stack
        }),
        (Rule::AutoscalingCapacity, |bad| {
            let mut b = base();
            let t = task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512).container(app()),
            );
            let s = service(&mut b, &t).desired_count(if bad { 1 } else { 2 });
            let s = b.stack.add(s);
            b.stack
                .add(ScalableTarget::ecs_service("scaling", &s, 2, 10));
            b.stack
        }),
        (Rule::LogRetention, |bad| {
            let mut b = base();
            b.stack
                .add(LogGroup::new("logs2", "/ecs/t2").retention_days(if bad { 31 } else { 60 }));
            b.stack
        }),
        (Rule::ListenerCertificate, |bad| {
            let mut b = base();
            let tg = b
                .stack
                .add(TargetGroup::new("tg", HttpProtocol::Http, 8080, &b.vpc));
            let lb = b
                .stack
                .add(LoadBalancer::application("lb", [&b.a, &b.b], [&b.sg]));
            let cert = if bad {
                "my-cert"
            } else {
                "arn:aws:acm:us-east-1:123456789012:certificate/x"
            };
            b.stack.add(Listener::https(
                "listener",
                &lb,
                443,
                cert,
                ListenerAction::forward(&tg),
            ));
            b.stack
        }),
        (Rule::TargetType, |bad| {
            let mut b = base();
            let t = task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512).container(app()),
            );
            let kind = if bad {
                TargetType::Instance
            } else {
                TargetType::Ip
            };
            let tg = b
                .stack
                .add(TargetGroup::new("tg", HttpProtocol::Http, 8080, &b.vpc).target_type(kind));
            let lb = b
                .stack
                .add(LoadBalancer::application("lb", [&b.a, &b.b], [&b.sg]));
            b.stack.add(Listener::http(
                "listener",
                &lb,
                80,
                ListenerAction::forward(&tg),
            ));
            let s = service(&mut b, &t).load_balancer(&tg, "app", 8080);
            b.stack.add(s);
            b.stack
        }),
        (Rule::AlarmSettings, |bad| {
            let mut b = base();
            let metric = Metric::new("AWS/ECS", "CPUUtilization").period(if bad { 45 } else { 60 });
            b.stack.add(Alarm::new(
                "alarm",
                metric,
                Comparison::GreaterThan,
                80.0,
                3,
            ));
            b.stack
        }),
        (Rule::ServiceNetwork, |bad| {
            let mut b = base();
            let t = task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512).container(app()),
            );
            let mut s = Service::new("svc", &b.cluster, &t).security_group(&b.sg);
            if !bad {
                s = s.subnets([&b.a]);
            }
            b.stack.add(s);
            b.stack
        }),
        (Rule::ServiceSecurityGroups, |bad| {
            let mut b = base();
            let t = task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512).container(app()),
            );
            let mut s = Service::new("svc", &b.cluster, &t).subnets([&b.a]);
            if !bad {
                s = s.security_group(&b.sg);
            }
            b.stack.add(s);
            b.stack
        }),
        (Rule::ListenerRulePriority, |bad| {
            let mut b = base();
            let tg = b
                .stack
                .add(TargetGroup::new("tg", HttpProtocol::Http, 8080, &b.vpc));
            let lb = b
                .stack
                .add(LoadBalancer::application("lb", [&b.a, &b.b], [&b.sg]));
            let l = b.stack.add(Listener::http(
                "listener",
                &lb,
                80,
                ListenerAction::forward(&tg),
            ));
            b.stack.add(
                ListenerRule::new("api", &l, 10, ListenerAction::forward(&tg))
                    .path_patterns(["/api/*"]),
            );
            let p = if bad { 10 } else { 20 };
            b.stack.add(
                ListenerRule::new("auth", &l, p, ListenerAction::forward(&tg))
                    .path_patterns(["/auth/*"]),
            );
            b.stack
        }),
        (Rule::DeploymentPercent, |bad| {
            let mut b = base();
            let t = task(
                &mut b,
                TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512).container(app()),
            );
            let s = service(&mut b, &t).deployment_percent(if bad { 50 } else { 200 }, 100);
            b.stack.add(s);
            b.stack
        }),
        (Rule::DbStorage, |bad| {
            let mut b = base();
            let group = b.stack.add(DbSubnetGroup::new("dbs", [&b.a, &b.b]));
            b.stack.add(
                DbInstance::new(
                    "db",
                    DbEngine::Postgres,
                    DbInstanceClass::T3_SMALL,
                    20,
                    &group,
                    "admin",
                    MasterPassword::ManagedBySecretsManager,
                )
                .backup_retention_days(if bad { 40 } else { 7 }),
            );
            b.stack
        }),
        (Rule::CacheSettings, |bad| {
            let mut b = base();
            let group = b
                .stack
                .add(CacheSubnetGroup::new("cache-subnets", [&b.a, &b.b]));
            b.stack.add(
                ReplicationGroup::new("redis", CacheEngine::Valkey, "cache.t3.micro", &group)
                    .replicas(if bad { 0 } else { 1 })
                    .automatic_failover(true),
            );
            b.stack
        }),
        (Rule::LoadBalancerAttributes, |bad| {
            let mut b = base();
            let alb_sg = b.stack.add(SecurityGroup::new("alb-sg", &b.vpc));
            b.stack.add(
                LoadBalancer::application("alb", [&b.a, &b.b], [&alb_sg])
                    .idle_timeout_seconds(if bad { 0 } else { 120 }),
            );
            b.stack
        }),
        (Rule::WebAclSettings, |bad| {
            let mut b = base();
            let alb_sg = b.stack.add(SecurityGroup::new("alb-sg", &b.vpc));
            let alb = b
                .stack
                .add(LoadBalancer::application("alb", [&b.a, &b.b], [&alb_sg]));
            b.stack.add(
                WebAcl::regional("web-acl", "t-web-acl")
                    .rule(WafRule::managed(ManagedRuleGroup::Common))
                    .rule(WafRule::rate_limit("per-ip", if bad { 9 } else { 10 }))
                    .protect(&alb),
            );
            b.stack
        }),
        (Rule::RepositoryLifecycle, |bad| {
            let mut b = base();
            b.stack.add(
                Repository::new("repo", "shop/api")
                    .tag_mutability(TagMutability::Immutable)
                    .lifecycle(LifecycleRule::keep_last(if bad { 0 } else { 30 })),
            );
            b.stack
        }),
        (Rule::SecretSettings, |bad| {
            let mut b = base();
            let password = Password::new(32).exclude_punctuation().exclude_numbers();
            let password = if bad {
                password.exclude_uppercase().exclude_lowercase()
            } else {
                password
            };
            b.stack.add(
                Secret::new("api-key", "shop/api-key", SecretValue::generated(password))
                    .recovery_window_days(if bad { 3 } else { 7 }),
            );
            b.stack
        }),
        (Rule::BucketSettings, |bad| {
            let mut b = base();
            let rule = BucketLifecycleRule::new("archive").prefix("logs/");
            let rule = if bad {
                rule.transition(7, StorageClass::StandardIa)
            } else {
                rule.transition(30, StorageClass::StandardIa)
                    .expire_after_days(365)
            };
            b.stack
                .add(Bucket::new("log-bucket", "shop-logs-0042").lifecycle(rule));
            b.stack
        }),
        (Rule::PolicyPrincipal, |bad| {
            let mut b = base();
            let read = Statement::allow(["secretsmanager:GetSecretValue"]);
            let read = if bad {
                read
            } else {
                read.principal(Principal::Aws(
                    "arn:aws:iam::123456789012:role/auditor".into(),
                ))
            };
            b.stack.add(
                Secret::new("api-key", "shop/api-key", SecretValue::from_env("API_KEY"))
                    .policy(read),
            );
            b.stack
        }),
        (Rule::VpcMismatch, |bad| {
            let mut b = base();
            let other = b.stack.add(Vpc::new("vpc2", cidr("10.1.0.0/16")));
            let vpc = if bad { other } else { b.vpc.clone() };
            let sg2 = b.stack.add(SecurityGroup::new("sg2", &vpc));
            let sg = b.sg.clone();
            b.stack
                .modify(&sg, |sg| sg.ingress(Peer::group(&sg2), Port::tcp(80)));
            b.stack
        }),
    ]
}

fn fired(stack: &Stack, rule: Rule) -> Vec<Diagnostic> {
    validate(stack)
        .into_iter()
        .filter(|d| d.rule == rule)
        .collect()
}

#[test]
fn every_rule_has_a_failing_and_a_passing_case() {
    let cases = cases();
    for rule in Rule::ALL {
        assert!(
            cases.iter().any(|(r, _)| r == rule),
            "rule {rule} has no test case"
        );
    }
    for (rule, build) in cases {
        let broken = build(true);
        let found = fired(&broken, rule);
        assert!(
            !found.is_empty(),
            "{rule}: the broken stack did not trigger it; got {:?}",
            validate(&broken)
        );
        for d in &found {
            assert!(
                !d.address.starts_with("t/"),
                "{rule}: address {}",
                d.address
            );
            assert!(!d.message.is_empty());
        }
        let fixed = build(false);
        let diagnostics = validate(&fixed);
        assert!(
            diagnostics.is_empty(),
            "{rule}: the fixed stack still has problems: {diagnostics:#?}"
        );
    }
}

#[test]
fn access_logs_need_an_sse_s3_bucket_a_valid_prefix_and_a_pinned_region() {
    let build = |region: Option<&str>, encryption: BucketEncryption, prefix: &str| {
        let mut b = base();
        if region.is_none() {
            b.stack.region = None;
        }
        let alb_sg = b.stack.add(SecurityGroup::new("alb-sg", &b.vpc));
        let logs = b
            .stack
            .add(Bucket::new("alb-logs", "t-alb-logs-0042").encryption(encryption));
        b.stack.add(
            LoadBalancer::application("alb", [&b.a, &b.b], [&alb_sg])
                .access_logs(AccessLogs::to(&logs).prefix(prefix)),
        );
        b.stack
    };
    let fine = build(Some("us-east-1"), BucketEncryption::S3Managed, "alb/app");
    assert!(validate(&fine).is_empty(), "{:#?}", validate(&fine));
    let bad = build(None, BucketEncryption::AwsManagedKms, "alb/AWSLogs/");
    let found = fired(&bad, Rule::LoadBalancerAttributes);
    let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(found.len(), 3, "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains("`alb/AWSLogs/`")));
    assert!(messages.iter().any(|m| m.contains("region pinned")));
    assert!(messages.iter().any(|m| m.contains("SSE-S3")));
    assert!(found
        .iter()
        .all(|d| d.address == "alb" && d.path.starts_with("Attributes.access_logs.s3.")));
}

/// Each web ACL limit on its own: exactly one E0504 finding, at its field.
#[test]
fn web_acl_settings_are_checked_one_by_one() {
    let check = |acl: WebAcl, second: Option<WebAcl>| {
        let mut b = base();
        let alb_sg = b.stack.add(SecurityGroup::new("alb-sg", &b.vpc));
        let alb = b
            .stack
            .add(LoadBalancer::application("alb", [&b.a, &b.b], [&alb_sg]));
        b.stack.add(acl.protect(&alb));
        if let Some(other) = second {
            b.stack.add(other.protect(&alb));
        }
        fired(&b.stack, Rule::WebAclSettings)
            .into_iter()
            .map(|d| d.path)
            .collect::<Vec<_>>()
    };
    let acl = || WebAcl::regional("web-acl", "t-web-acl");
    let rate = |limit| WafRule::rate_limit("per-ip", limit);
    let common = || WafRule::managed(ManagedRuleGroup::Common);
    let fine = acl()
        .description("managed rules, rate 10/5 min")
        .metric_name("t-web-acl")
        .rule(common().count_rule("SizeRestrictions_BODY"))
        .rule(rate(10).window_seconds(60));
    assert_eq!(check(fine, None), Vec::<String>::new());
    let cases: Vec<(WebAcl, &str)> = vec![
        (acl().description("ab"), "Description"),
        (acl().description("règles"), "Description"),
        (acl().metric_name("All"), "VisibilityConfig.MetricName"),
        (
            acl().rule(rate(9)),
            "Rules[0].Statement.RateBasedStatement.Limit",
        ),
        (
            acl().rule(rate(100).window_seconds(30)),
            "Rules[0].Statement.RateBasedStatement.EvaluationWindowSec",
        ),
        (
            acl().rule(rate(100).count_rule("x")),
            "Rules[0].Statement.RateBasedStatement",
        ),
        (
            acl().rule(common().window_seconds(60)),
            "Rules[0].Statement.ManagedRuleGroupStatement",
        ),
        (acl().rule(rate(100)).rule(rate(200)), "Rules[1].Name"),
        (
            acl()
                .rule(common())
                .rule(WafRule::managed(ManagedRuleGroup::Common)),
            "Rules[1].Name",
        ),
    ];
    for (bad, path) in cases {
        let found = check(bad, None);
        assert!(found.iter().any(|p| p == path), "{path}: {found:?}");
    }
    // The same group twice under two names: one finding, at the statement.
    let twice = acl().rule(common()).rule(WafRule {
        name: "again".into(),
        ..common()
    });
    assert_eq!(
        check(twice, None),
        ["Rules[1].Statement.ManagedRuleGroupStatement"]
    );
    // 2501 rate-based rules use 5002 WCU, over the 5000 a web ACL may use.
    let mut big = acl();
    for i in 0..2501 {
        big = big.rule(WafRule::rate_limit(format!("r{i}"), 100));
    }
    assert_eq!(check(big, None), ["Rules"]);
    // A load balancer has one web ACL: each of the two names the other.
    let other = WebAcl::regional("other-acl", "t-other-acl");
    assert_eq!(check(acl(), Some(other)), ["protect[0]", "protect[0]"]);
}

#[test]
fn access_logs_cannot_go_to_a_bucket_that_denies_unencrypted_uploads() {
    let mut b = base();
    let alb_sg = b.stack.add(SecurityGroup::new("alb-sg", &b.vpc));
    let logs = b
        .stack
        .add(Bucket::new("alb-logs", "t-alb-logs-0042").deny_unencrypted_uploads());
    b.stack.add(
        LoadBalancer::application("alb", [&b.a, &b.b], [&alb_sg])
            .access_logs(AccessLogs::to(&logs)),
    );
    let found = fired(&b.stack, Rule::LoadBalancerAttributes);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("encryption header"));
}

#[test]
fn validation_reports_every_problem_at_once_with_paths() {
    let mut b = base();
    let t = TaskDefinition::fargate("task", Fargate::size(512, 512))
        .container(app().port(8080).memory(4096).secret("S", &b.secret));
    b.stack.add(t);
    b.stack
        .add(LogGroup::new("logs2", "/ecs/x").retention_days(31));
    let d = validate(&b.stack);
    let rules: Vec<Rule> = d.iter().map(|d| d.rule).collect();
    for expected in [
        Rule::FargateCpuMemory,
        Rule::ContainerExceedsTask,
        Rule::DuplicatePort,
        Rule::ExecutionRoleRequired,
        Rule::LogRetention,
    ] {
        assert!(rules.contains(&expected), "missing {expected}: {d:#?}");
    }
    let port = d
        .iter()
        .find(|d| d.rule == Rule::DuplicatePort)
        .map(|d| d.path.as_str());
    assert_eq!(
        port,
        Some("containerDefinitions[0].portMappings[1].containerPort")
    );
    let memory = d
        .iter()
        .find(|d| d.rule == Rule::FargateCpuMemory)
        .map(|d| (d.address.as_str(), d.path.as_str()));
    assert_eq!(memory, Some(("task", "memory")));
}

#[test]
fn synth_and_plan_refuse_an_invalid_stack_with_all_diagnostics() {
    let mut b = base();
    b.stack
        .add(LogGroup::new("logs2", "/ecs/x").retention_days(31));
    b.stack.add(Cluster::new("cluster"));
    let err = synth(&b.stack).unwrap_err();
    assert_eq!(err.0.iter().filter(|d| d.is_error()).count(), 2);
    assert!(plan(&b.stack, &State::empty("t")).is_err());
    let _ = (&b.logs, &b.a);
}

/// Required values are constructor arguments: leaving one out does not compile.
#[test]
fn missing_required_values_do_not_compile() {
    trybuild::TestCases::new().compile_fail("ui/*.rs");
}
