//! Changes to an applied stack: in-place updates (ECS service, target group health check,
//! listener rule, RDS modify, IAM trust) and task definition revisions, applied against
//! moto and checked through the AWS API; the next plan is empty.

use crate::apply::{config, runtime, sdk};
use crate::moto::Moto;
use ecs_iac::aws::{apply, ApplyOptions, Aws, StateStore};
use ecs_iac::prelude::*;
use ecs_iac::Action;

/// What the test changes between two versions of the stack.
struct Version {
    desired: u32,
    health_interval: u32,
    rule_path: &'static str,
    db_class: DbInstanceClass,
    image_tag: &'static str,
    role_description: &'static str,
    team: &'static str,
}

const V1: Version = Version {
    desired: 2,
    health_interval: 30,
    rule_path: "/api/*",
    db_class: DbInstanceClass::T3_SMALL,
    image_tag: "1.0.0",
    role_description: "web tasks",
    team: "web",
};

const V2: Version = Version {
    desired: 3,
    health_interval: 15,
    rule_path: "/v2/api/*",
    db_class: DbInstanceClass::T3_MEDIUM,
    image_tag: "1.1.0",
    role_description: "web tasks, version 2",
    team: "platform",
};

fn stack(v: &Version, certificate: &str) -> Stack {
    let mut stack = Stack::new("changes").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.7.0.0/16")).tag("team", v.team));
    let a = stack.add(Subnet::private(
        "a",
        &vpc,
        cidr("10.7.1.0/24"),
        Az::US_EAST_1A,
    ));
    let b = stack.add(Subnet::private(
        "b",
        &vpc,
        cidr("10.7.2.0/24"),
        Az::US_EAST_1B,
    ));
    let lb_sg = stack.add(
        SecurityGroup::new("lb-sg", &vpc).ingress(Peer::cidr(cidr("10.0.0.0/8")), Port::tcp(443)),
    );
    let app_sg =
        stack.add(SecurityGroup::new("app-sg", &vpc).ingress(Peer::group(&lb_sg), Port::tcp(8080)));
    let db_sg =
        stack.add(SecurityGroup::new("db-sg", &vpc).ingress(Peer::group(&app_sg), Port::tcp(5432)));
    let subnets = stack.add(DbSubnetGroup::new("db-subnets", [&a, &b]));
    stack.add(
        DbInstance::new(
            "db",
            DbEngine::Postgres,
            v.db_class.clone(),
            20,
            &subnets,
            "app",
            MasterPassword::ManagedBySecretsManager,
        )
        .storage_encrypted(true)
        .security_group(&db_sg),
    );
    let role = stack.add(
        Role::new("exec", Principal::ecs_tasks())
            .description(v.role_description)
            .tag("team", v.team)
            .managed_policy(ManagedPolicy::ecs_task_execution()),
    );
    let cluster = stack.add(Cluster::new("changes"));
    let task = stack.add(
        TaskDefinition::fargate("web-task", Fargate::CPU_256_MEM_512)
            .execution_role(&role)
            .container(Container::new("web", image(format!("web:{}", v.image_tag))).port(8080)),
    );
    let alb =
        stack.add(LoadBalancer::application("alb", [&a, &b], [&lb_sg]).scheme(Scheme::Internal));
    let tg = stack.add(
        TargetGroup::new("web-tg", HttpProtocol::Http, 8080, &vpc)
            .health_check(TargetHealthCheck::http("/health").interval(v.health_interval)),
    );
    let listener = stack.add(Listener::https(
        "https",
        &alb,
        443,
        certificate,
        ListenerAction::forward(&tg),
    ));
    stack.add(
        ListenerRule::new("api", &listener, 10, ListenerAction::forward(&tg))
            .path_patterns([v.rule_path]),
    );
    stack.add(
        Service::new("web", &cluster, &task)
            .desired_count(v.desired)
            .subnets([&a, &b])
            .security_group(&app_sg)
            .load_balancer(&tg, "web", 8080)
            .circuit_breaker(CircuitBreaker::OnWithRollback),
    );
    stack
}

#[test]
fn changes_apply_in_place_and_converge() {
    let moto = Moto::start();
    let certificate = moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("changes.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let mut cfg = config(&moto);
        cfg.apply_immediately = true;
        let aws = Aws::connect(cfg, Some("us-east-1")).await.unwrap();
        let v1 = stack(&V1, &certificate);
        let first = plan(&v1, &State::empty("changes")).unwrap();
        let applied = apply(
            &aws,
            &first,
            &lock,
            State::empty("changes"),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(applied.succeeded(), "{:#?}", applied.failed);
        let old_task = applied.state.resources["web-task"].id.clone().unwrap();

        let v2 = stack(&V2, &certificate);
        let change = plan(&v2, &applied.state).unwrap();
        let action = |address: &str| {
            change
                .actions
                .iter()
                .find(|a| a.address == address)
                .map(|a| a.action)
        };
        assert_eq!(
            action("web"),
            Some(Action::Update),
            "{}",
            change.render_text()
        );
        assert_eq!(action("web-tg"), Some(Action::Update));
        assert_eq!(action("api"), Some(Action::Update));
        assert_eq!(action("db"), Some(Action::Update));
        assert_eq!(action("exec"), Some(Action::Update));
        assert_eq!(action("web-task"), Some(Action::CreateThenDelete));
        assert_eq!(
            action("vpc"),
            Some(Action::Update),
            "a tag changes in place"
        );
        assert_eq!(action("a"), Some(Action::NoOp));
        let changed = apply(
            &aws,
            &change,
            &lock,
            applied.state.clone(),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);

        let c = sdk(&moto).await;
        let ecs = aws_sdk_ecs::Client::new(&c);
        let services = ecs
            .describe_services()
            .cluster("changes")
            .services("web")
            .send()
            .await
            .unwrap();
        let service = &services.services()[0];
        assert_eq!(service.desired_count(), 3);
        let new_task = changed.state.resources["web-task"].id.clone().unwrap();
        assert_ne!(new_task, old_task, "a new revision");
        assert_eq!(service.task_definition(), Some(new_task.as_str()));
        let revision = ecs
            .describe_task_definition()
            .task_definition(&new_task)
            .send()
            .await
            .unwrap();
        assert_eq!(
            revision.task_definition().unwrap().container_definitions()[0].image(),
            Some("web:1.1.0")
        );
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&c);
        let groups = elb
            .describe_target_groups()
            .names("web-tg")
            .send()
            .await
            .unwrap();
        assert_eq!(
            groups.target_groups()[0].health_check_interval_seconds(),
            Some(15)
        );
        let rules = elb
            .describe_rules()
            .listener_arn(changed.state.resources["https"].id.clone().unwrap())
            .send()
            .await
            .unwrap();
        let api = rules
            .rules()
            .iter()
            .find(|r| r.priority() == Some("10"))
            .unwrap();
        let paths: Vec<&str> = api
            .conditions()
            .iter()
            .filter_map(|c| c.path_pattern_config())
            .flat_map(|p| p.values())
            .map(String::as_str)
            .collect();
        assert_eq!(paths, ["/v2/api/*"]);
        let rds = aws_sdk_rds::Client::new(&c);
        let db = rds
            .describe_db_instances()
            .db_instance_identifier("db")
            .send()
            .await
            .unwrap();
        assert_eq!(
            db.db_instances()[0].db_instance_class(),
            Some("db.t3.medium")
        );
        let iam = aws_sdk_iam::Client::new(&c);
        let role = iam.get_role().role_name("exec").send().await.unwrap();
        assert_eq!(
            role.role().and_then(|r| r.description()),
            Some("web tasks, version 2")
        );

        let vpcs = aws_sdk_ec2::Client::new(&c)
            .describe_vpcs()
            .vpc_ids(changed.state.resources["vpc"].id.clone().unwrap())
            .send()
            .await
            .unwrap();
        let team = vpcs.vpcs()[0]
            .tags()
            .iter()
            .find(|t| t.key() == Some("team"))
            .and_then(|t| t.value());
        assert_eq!(team, Some("platform"));
        let role_tags = iam.list_role_tags().role_name("exec").send().await.unwrap();
        assert!(role_tags
            .tags()
            .iter()
            .any(|t| t.key() == "team" && t.value() == "platform"));

        let again = plan(&v2, &changed.state).unwrap();
        assert!(!again.has_changes(), "{}", again.render_text());
    });
}

/// The second version of [`inplace_stack`] moves the ALB to two security groups, turns
/// Container Insights on and sends the default route through the NAT gateway.
fn inplace_stack(second: bool) -> Stack {
    let mut stack = Stack::new("inplace").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.8.0.0/16")));
    let a = stack.add(Subnet::public(
        "a",
        &vpc,
        cidr("10.8.1.0/24"),
        Az::US_EAST_1A,
    ));
    let b = stack.add(Subnet::public(
        "b",
        &vpc,
        cidr("10.8.2.0/24"),
        Az::US_EAST_1B,
    ));
    let igw = stack.add(InternetGateway::new("igw", &vpc));
    let eip = stack.add(ElasticIp::new("nat-ip"));
    let nat = stack.add(NatGateway::public("nat", &a, &eip));
    let target = if second {
        RouteTarget::nat_gateway(&nat)
    } else {
        RouteTarget::internet_gateway(&igw)
    };
    stack.add(
        RouteTable::new("routes", &vpc)
            .route(cidr("0.0.0.0/0"), target)
            .associate(&b),
    );
    let web = stack.add(
        SecurityGroup::new("web-sg", &vpc).ingress(Peer::cidr(cidr("10.0.0.0/8")), Port::tcp(80)),
    );
    let admin = stack.add(
        SecurityGroup::new("admin-sg", &vpc)
            .ingress(Peer::cidr(cidr("10.1.0.0/16")), Port::tcp(8080)),
    );
    let groups = if second {
        vec![&web, &admin]
    } else {
        vec![&web]
    };
    stack.add(LoadBalancer::application("alb", [&a, &b], groups).scheme(Scheme::Internal));
    let insights = if second {
        ContainerInsights::Enabled
    } else {
        ContainerInsights::Disabled
    };
    stack.add(Cluster::new("inplace").container_insights(insights));
    stack
}

#[test]
fn alb_groups_cluster_insights_and_a_route_target_change_in_place() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("inplace.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("us-east-1"))
            .await
            .unwrap();
        let first = plan(&inplace_stack(false), &State::empty("inplace")).unwrap();
        let applied = apply(
            &aws,
            &first,
            &lock,
            State::empty("inplace"),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(applied.succeeded(), "{:#?}", applied.failed);

        let v2 = inplace_stack(true);
        let change = crate::drift::live_plan(&aws, &v2, &applied.state).await;
        let action = |address: &str| {
            change
                .actions
                .iter()
                .find(|a| a.address == address)
                .map(|a| a.action)
        };
        let text = change.render_text();
        assert_eq!(action("alb"), Some(Action::Update), "{text}");
        assert_eq!(action("inplace"), Some(Action::Update), "{text}");
        assert_eq!(
            action("routes#route:0.0.0.0/0"),
            Some(Action::Update),
            "{text}"
        );
        assert_eq!(change.summary.replace, 0, "{text}");
        assert_eq!(change.summary.delete, 0, "{text}");
        let changed = apply(
            &aws,
            &change,
            &lock,
            applied.state.clone(),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        let ids = |address: &str| changed.state.resources[address].id.clone().unwrap();
        assert_eq!(
            ids("alb"),
            applied.state.resources["alb"].id.clone().unwrap()
        );

        let c = sdk(&moto).await;
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&c);
        let lbs = elb
            .describe_load_balancers()
            .load_balancer_arns(ids("alb"))
            .send()
            .await
            .unwrap();
        let mut groups: Vec<&str> = lbs.load_balancers()[0]
            .security_groups()
            .iter()
            .map(String::as_str)
            .collect();
        groups.sort_unstable();
        let mut wanted = vec![ids("web-sg"), ids("admin-sg")];
        wanted.sort_unstable();
        assert_eq!(groups, wanted);
        let ecs = aws_sdk_ecs::Client::new(&c);
        let clusters = ecs
            .describe_clusters()
            .clusters("inplace")
            .include(aws_sdk_ecs::types::ClusterField::Settings)
            .send()
            .await
            .unwrap();
        let insights: Vec<Option<&str>> = clusters.clusters()[0]
            .settings()
            .iter()
            .map(|s| s.value())
            .collect();
        assert_eq!(insights, [Some("enabled")]);
        let ec2 = aws_sdk_ec2::Client::new(&c);
        let tables = ec2
            .describe_route_tables()
            .route_table_ids(ids("routes"))
            .send()
            .await
            .unwrap();
        let default_route = tables.route_tables()[0]
            .routes()
            .iter()
            .find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"))
            .unwrap();
        assert_eq!(default_route.nat_gateway_id(), Some(ids("nat").as_str()));

        let again = crate::drift::live_plan(&aws, &v2, &changed.state).await;
        assert!(!again.has_changes(), "{}", again.render_text());
    });
}
