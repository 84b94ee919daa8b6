//! Drift: changes made outside ecs-iac (a rule added in the console, a desired count
//! changed, a log retention changed, a log group deleted) show in the refreshed plan as
//! exactly those changes, and apply puts them back.

use crate::apply::{config, runtime, sdk};
use crate::fintech;
use crate::moto::Moto;
use ecs_iac::aws::refresh::refresh;
use ecs_iac::aws::{apply, ApplyOptions, Aws, StateStore};
use ecs_iac::prelude::*;
use ecs_iac::Kind;
use ecs_iac::{plan_refreshed, synth, Action, Plan};

#[test]
fn drift_shows_exactly_and_apply_puts_it_back() {
    let moto = Moto::start();
    let values = tempfile::tempdir().unwrap();
    let stack =
        fintech::stack_with_secret_values(crate::apply::fintech_secret_files(values.path()));
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("ff.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .unwrap();
        let first = plan(&stack, &State::empty("fake-fintech")).unwrap();
        let applied = apply(
            &aws,
            &first,
            &lock,
            State::empty("fake-fintech"),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(applied.succeeded(), "{:#?}", applied.failed);

        // Right after apply, a refreshed plan is empty, and stays empty on a second refresh.
        for _ in 0..2 {
            let fresh = live_plan(&aws, &stack, &applied.state).await;
            assert!(!fresh.has_changes(), "{}", fresh.render_text());
        }

        // Out of band, through the SDK.
        let c = sdk(&moto).await;
        let ec2 = aws_sdk_ec2::Client::new(&c);
        let group = applied.state.resources["fake-fintech-tasks"]
            .id
            .clone()
            .unwrap();
        ec2.authorize_security_group_ingress()
            .group_id(&group)
            .ip_permissions(
                aws_sdk_ec2::types::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(22)
                    .to_port(22)
                    .ip_ranges(
                        aws_sdk_ec2::types::IpRange::builder()
                            .cidr_ip("0.0.0.0/0")
                            .description("added in the console")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let ecs = aws_sdk_ecs::Client::new(&c);
        ecs.update_service()
            .cluster("fake-fintech-cluster")
            .service("frontend")
            .desired_count(5)
            .send()
            .await
            .unwrap();
        let logs = aws_sdk_cloudwatchlogs::Client::new(&c);
        logs.put_retention_policy()
            .log_group_name("/ecs/fake-fintech/user-service")
            .retention_in_days(7)
            .send()
            .await
            .unwrap();
        logs.delete_log_group()
            .log_group_name("/ecs/fake-fintech/rag-service")
            .send()
            .await
            .unwrap();

        let drift = live_plan(&aws, &stack, &applied.state).await;
        let changed = changed(&drift);
        assert_eq!(
            changed,
            [
                ("fake-fintech-tasks#ingress", Action::Update),
                ("logs/user-service#retention", Action::Update),
                ("logs/rag-service", Action::Create),
                ("logs/rag-service#retention", Action::Create),
                ("frontend", Action::Update),
            ],
            "{}",
            drift.render_text()
        );
        insta::assert_snapshot!("fintech_drift_plan", drift.render_text());

        let fixed = apply(
            &aws,
            &drift,
            &lock,
            applied.state.clone(),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(fixed.succeeded(), "{:#?}", fixed.failed);
        let after = live_plan(&aws, &stack, &fixed.state).await;
        assert!(!after.has_changes(), "{}", after.render_text());
        let services = ecs
            .describe_services()
            .cluster("fake-fintech-cluster")
            .services("frontend")
            .send()
            .await
            .unwrap();
        assert_eq!(services.services()[0].desired_count(), 2);
    });
}

/// The same for visitor-book: a rule opened in the console, the log retention
/// shortened, an inline policy widened, the HTTP listener and an alarm deleted. Its
/// service is autoscaled, so a desired count changed (by the scaler, here by hand) is not
/// drift and is left alone.
#[test]
fn visitor_book_drift_shows_exactly_and_apply_puts_it_back() {
    let moto = Moto::start();
    let stack = crate::visitor_book::stack_with_certificate(&moto.seed());
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("vb.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .unwrap();
        let first = plan(&stack, &State::empty("visitor-book")).unwrap();
        let applied = apply(
            &aws,
            &first,
            &lock,
            State::empty("visitor-book"),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(applied.succeeded(), "{:#?}", applied.failed);

        let c = sdk(&moto).await;
        let group = applied.state.resources["rds-sg"].id.clone().unwrap();
        aws_sdk_ec2::Client::new(&c)
            .authorize_security_group_ingress()
            .group_id(&group)
            .ip_permissions(
                aws_sdk_ec2::types::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(5432)
                    .to_port(5432)
                    .ip_ranges(
                        aws_sdk_ec2::types::IpRange::builder()
                            .cidr_ip("0.0.0.0/0")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let ecs = aws_sdk_ecs::Client::new(&c);
        ecs.update_service()
            .cluster("app-cluster")
            .service("app-service")
            .desired_count(4)
            .send()
            .await
            .unwrap();
        aws_sdk_cloudwatchlogs::Client::new(&c)
            .put_retention_policy()
            .log_group_name("/ecs/visitor-book")
            .retention_in_days(7)
            .send()
            .await
            .unwrap();
        aws_sdk_cloudwatch::Client::new(&c)
            .delete_alarms()
            .alarm_names("ecs-high-cpu")
            .send()
            .await
            .unwrap();
        aws_sdk_iam::Client::new(&c)
            .put_role_policy()
            .role_name("app-task-role")
            .policy_name("ecs-exec")
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:*","Resource":"*"}]}"#,
            )
            .send()
            .await
            .unwrap();
        let listener = applied.state.resources["app-http-listener"]
            .id
            .clone()
            .unwrap();
        aws_sdk_elasticloadbalancingv2::Client::new(&c)
            .delete_listener()
            .listener_arn(listener)
            .send()
            .await
            .unwrap();

        let drift = live_plan(&aws, &stack, &applied.state).await;
        let changed = changed(&drift);
        assert_eq!(
            changed,
            [
                ("rds-sg#ingress", Action::Update),
                ("app-logs#retention", Action::Update),
                ("app-task-role#policy:ecs-exec", Action::Update),
                ("app-http-listener", Action::Create),
                ("ecs-high-cpu", Action::Create),
            ],
            "{}",
            drift.render_text()
        );
        insta::assert_snapshot!("visitor_book_drift_plan", drift.render_text());

        let fixed = apply(
            &aws,
            &drift,
            &lock,
            applied.state.clone(),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(fixed.succeeded(), "{:#?}", fixed.failed);
        let after = live_plan(&aws, &stack, &fixed.state).await;
        assert!(!after.has_changes(), "{}", after.render_text());
        // The service is autoscaled (2 to 10): its desired count is the scaler's.
        let services = ecs
            .describe_services()
            .cluster("app-cluster")
            .services("app-service")
            .send()
            .await
            .unwrap();
        assert_eq!(services.services()[0].desired_count(), 4);
    });
}

/// A target group and a subnet deleted outside ecs-iac, and a gateway detached, are
/// planned as `+ … # deleted outside ecs-iac` and made again.
#[test]
fn resources_deleted_outside_are_created_again() {
    let moto = Moto::start();
    let mut stack = Stack::new("tg-drift").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.8.0.0/16")));
    stack.add(Subnet::private(
        "spare-subnet",
        &vpc,
        cidr("10.8.1.0/24"),
        Az::US_EAST_1A,
    ));
    stack.add(InternetGateway::new("igw", &vpc));
    stack.add(
        TargetGroup::new("spare-tg", HttpProtocol::Http, 8080, &vpc)
            .health_check(TargetHealthCheck::http("/health")),
    );
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("tg.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .unwrap();
        let first = plan(&stack, &State::empty("tg-drift")).unwrap();
        let applied = apply(
            &aws,
            &first,
            &lock,
            State::empty("tg-drift"),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(applied.succeeded(), "{:#?}", applied.failed);
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&sdk(&moto).await);
        elb.delete_target_group()
            .target_group_arn(applied.state.resources["spare-tg"].id.clone().unwrap())
            .send()
            .await
            .unwrap();
        // EC2 resources are read in one call per kind: a gone id shows as gone.
        aws_sdk_ec2::Client::new(&sdk(&moto).await)
            .delete_subnet()
            .subnet_id(applied.state.resources["spare-subnet"].id.clone().unwrap())
            .send()
            .await
            .unwrap();
        // An attachment undone outside ecs-iac.
        let igw = applied.state.resources["igw"].id.clone().unwrap();
        let vpc_id = applied.state.resources["vpc"].id.clone().unwrap();
        aws_sdk_ec2::Client::new(&sdk(&moto).await)
            .detach_internet_gateway()
            .internet_gateway_id(&igw)
            .vpc_id(&vpc_id)
            .send()
            .await
            .unwrap();
        let drift = live_plan(&aws, &stack, &applied.state).await;
        let attachment = drift
            .actions
            .iter()
            .find(|a| a.kind == Kind::INTERNET_GATEWAY_ATTACHMENT)
            .unwrap();
        assert_eq!(attachment.action, Action::Create, "{}", drift.render_text());
        for gone in ["spare-tg", "spare-subnet"] {
            let action = drift.actions.iter().find(|a| a.address == gone).unwrap();
            assert_eq!(action.action, Action::Create, "{}", drift.render_text());
            assert_eq!(action.reasons, ["deleted outside ecs-iac"]);
        }
        let vpc = drift.actions.iter().find(|a| a.address == "vpc").unwrap();
        assert_eq!(vpc.action, Action::NoOp);
        let fixed = apply(
            &aws,
            &drift,
            &lock,
            applied.state.clone(),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(fixed.succeeded(), "{:#?}", fixed.failed);
        let groups = elb
            .describe_target_groups()
            .names("spare-tg")
            .send()
            .await
            .unwrap();
        assert_eq!(groups.target_groups().len(), 1);
        let after = live_plan(&aws, &stack, &fixed.state).await;
        assert!(!after.has_changes(), "{}", after.render_text());
    });
}

/// The plan of `stack` against `state` and what AWS reports now.
pub async fn live_plan(aws: &Aws, stack: &Stack, state: &State) -> Plan {
    let observed = refresh(aws, state).await.unwrap();
    plan_refreshed(synth(stack).unwrap(), state, &observed)
}

/// The resources a plan changes, with their actions.
fn changed(plan: &Plan) -> Vec<(&str, Action)> {
    plan.actions
        .iter()
        .filter(|a| !matches!(a.action, Action::NoOp | Action::Read))
        .map(|a| (a.address.as_str(), a.action))
        .collect()
}

/// Security groups whose egress includes AWS's own default rules, written the way
/// Terraform users write them.
fn egress_stack() -> Stack {
    let mut stack = Stack::new("egress").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.6.0.0/16")));
    stack.add(SecurityGroup::new("all-v4", &vpc).egress(Peer::any_ipv4(), Port::all()));
    stack.add(
        SecurityGroup::new("all-v4-and-https", &vpc)
            .egress(Peer::cidr(cidr("10.6.0.0/16")), Port::tcp(443))
            .egress(Peer::any_ipv4(), Port::all()),
    );
    stack.add(
        SecurityGroup::new("all-v4-and-v6", &vpc)
            .egress(Peer::any_ipv4(), Port::all())
            .egress(Peer::any_ipv6(), Port::all()),
    );
    stack.add(SecurityGroup::new("all-v6", &vpc).egress(Peer::any_ipv6(), Port::all()));
    stack.add(SecurityGroup::new("https-only", &vpc).egress(Peer::any_ipv4(), Port::tcp(443)));
    stack
}

/// The egress rules of a group as `(protocol, cidr)` pairs, sorted.
async fn egress_of(ec2: &aws_sdk_ec2::Client, group: &str) -> Vec<(String, String)> {
    let out = ec2
        .describe_security_group_rules()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-id")
                .values(group)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut rules: Vec<(String, String)> = out
        .security_group_rules()
        .iter()
        .filter(|r| r.is_egress() == Some(true))
        .map(|r| {
            let cidr = r.cidr_ipv4().or(r.cidr_ipv6()).unwrap_or_default();
            (
                r.ip_protocol().unwrap_or_default().to_string(),
                cidr.to_string(),
            )
        })
        .collect();
    rules.sort();
    rules
}

#[test]
fn declared_default_egress_rules_converge_and_stay() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("egress.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("us-east-1"))
            .await
            .unwrap();
        let stack = egress_stack();
        let mut state = State::empty("egress");
        for round in 0..3 {
            let plan = live_plan(&aws, &stack, &state).await;
            if round > 0 {
                assert!(!plan.has_changes(), "round {round}: {}", plan.render_text());
            }
            let report = apply(&aws, &plan, &lock, state, &ApplyOptions::default())
                .await
                .unwrap();
            assert!(report.succeeded(), "{:#?}", report.failed);
            state = report.state;
        }
        let ec2 = aws_sdk_ec2::Client::new(&sdk(&moto).await);
        let id = |address: &str| state.resources[address].id.clone().unwrap();
        let all = ("-1".to_string(), "0.0.0.0/0".to_string());
        let all6 = ("-1".to_string(), "::/0".to_string());
        let https = ("tcp".to_string(), "0.0.0.0/0".to_string());
        assert_eq!(
            egress_of(&ec2, &id("all-v4")).await,
            std::slice::from_ref(&all)
        );
        assert_eq!(
            egress_of(&ec2, &id("all-v4-and-https")).await,
            [all.clone(), ("tcp".to_string(), "10.6.0.0/16".to_string())]
        );
        assert_eq!(
            egress_of(&ec2, &id("all-v4-and-v6")).await,
            [all.clone(), all6.clone()]
        );
        assert_eq!(egress_of(&ec2, &id("all-v6")).await, [all6]);
        assert_eq!(egress_of(&ec2, &id("https-only")).await, [https]);
    });
}

/// A cluster with `n` Fargate services.
fn many_services(n: usize) -> Stack {
    let mut stack = Stack::new("many").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.9.0.0/16")));
    let a = stack.add(Subnet::private(
        "a",
        &vpc,
        cidr("10.9.1.0/24"),
        Az::US_EAST_1A,
    ));
    let sg = stack.add(SecurityGroup::new("sg", &vpc));
    let cluster = stack.add(Cluster::new("many"));
    for i in 0..n {
        stack.add(LogGroup::new(format!("logs-{i}"), format!("/many/svc-{i}")).retention_days(7));
        if i < 4 {
            stack.add(Repository::new(
                format!("repo-{i}"),
                format!("many/svc-{i}"),
            ));
        }
        let task = stack.add(
            TaskDefinition::fargate(format!("task-{i}"), Fargate::CPU_256_MEM_512)
                .container(Container::new("web", image("web:1")).port(80)),
        );
        stack.add(
            Service::new(format!("svc-{i}"), &cluster, &task)
                .desired_count(1)
                .subnets([&a])
                .security_group(&sg),
        );
    }
    stack
}

#[test]
fn services_log_groups_and_repositories_are_read_in_batches_and_drift_still_shows() {
    let moto = Moto::start();
    let (proxy, seen) = crate::fault_proxy::recording(&moto);
    let stack = many_services(23);
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("many.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let direct = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .unwrap();
        let report = crate::apply::apply_stack(&direct, &stack, &lock, State::empty("many")).await;
        let mut through_proxy = config(&moto);
        through_proxy.endpoint_url = Some(proxy.endpoint.clone());
        let aws = Aws::connect(through_proxy, stack.pinned_region())
            .await
            .unwrap();
        seen.lock().unwrap().clear();
        let quiet = live_plan(&aws, &stack, &report.state).await;
        assert!(!quiet.has_changes(), "{}", quiet.render_text());
        let calls = |operation: &str| {
            let seen = seen.lock().unwrap();
            seen.iter().filter(|op| op.as_str() == operation).count()
        };
        // 23 services of one cluster: three calls (10, 10, 3), not 23; one for the cluster.
        assert_eq!(calls("DescribeServices"), 3, "{:?}", seen.lock().unwrap());
        assert_eq!(calls("DescribeClusters"), 1);
        // 23 log groups and their retention: one call each, naming them.
        assert_eq!(calls("DescribeLogGroups"), 2, "{:?}", seen.lock().unwrap());
        // 4 repositories: one call.
        assert_eq!(calls("DescribeRepositories"), 1);

        // Drift in one service of each batch still shows, as exactly that change.
        let ecs = aws_sdk_ecs::Client::new(&sdk(&moto).await);
        for i in [0, 15, 22] {
            ecs.update_service()
                .cluster("many")
                .service(format!("svc-{i}"))
                .desired_count(3)
                .send()
                .await
                .unwrap();
        }
        let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk(&moto).await);
        logs.put_retention_policy()
            .log_group_name("/many/svc-20")
            .retention_in_days(30)
            .send()
            .await
            .unwrap();
        logs.delete_log_group()
            .log_group_name("/many/svc-3")
            .send()
            .await
            .unwrap();
        // A repository deleted outside fails the batch's call (AWS names the missing
        // one): each is then read on its own, and only that one is missing.
        aws_sdk_ecr::Client::new(&sdk(&moto).await)
            .delete_repository()
            .repository_name("many/svc-2")
            .send()
            .await
            .unwrap();
        // One service deleted outside ecs-iac is missing, and created again.
        ecs.delete_service()
            .cluster("many")
            .service("svc-7")
            .force(true)
            .send()
            .await
            .unwrap();
        let drifted = live_plan(&aws, &stack, &report.state).await;
        let mut changes = changed(&drifted);
        changes.sort();
        assert_eq!(
            changes,
            [
                ("logs-20#retention", Action::Update),
                ("logs-3", Action::Create),
                ("logs-3#retention", Action::Create),
                ("repo-2", Action::Create),
                ("svc-0", Action::Update),
                ("svc-15", Action::Update),
                ("svc-22", Action::Update),
                ("svc-7", Action::Create),
            ],
            "{}",
            drifted.render_text()
        );
    });
}

/// moto ignores `logGroupIdentifiers` and lists every group, so what AWS is sent for a
/// batch of log groups is checked against a scripted endpoint: one call naming them all,
/// its answer paged through, a group it does not list is gone.
#[test]
fn a_batch_of_log_groups_names_them_and_pages_through_the_answer() {
    use crate::waiters::ScriptedAws;
    use ecs_iac::aws::providers::Existing;
    use serde_json::json;
    let scripted = ScriptedAws::start(|operation, n| {
        let body = match (operation, n) {
            ("DescribeLogGroups", 0) => json!({
                "logGroups": [{"logGroupName": "/a", "retentionInDays": 7}, {"logGroupName": "/x"}],
                "nextToken": "page-2",
            }),
            ("DescribeLogGroups", _) => json!({"logGroups": [{"logGroupName": "/c"}]}),
            _ => json!({}),
        };
        ("application/x-amz-json-1.1", body.to_string())
    });
    let seen = runtime().block_on(async {
        let aws = scripted.connect(std::time::Duration::from_secs(5)).await;
        let attributes = std::collections::BTreeMap::new();
        let applied = json!({});
        let members = ["/a", "/b", "/c"].map(|name| {
            let e = Existing {
                address: name,
                kind: Kind::LOG_GROUP,
                id: name,
                attributes: &attributes,
                deletion: Default::default(),
            };
            (e, &applied)
        });
        aws.observe_batch(Kind::LOG_GROUP, &members).await.unwrap()
    });
    assert_eq!(
        seen.iter().map(Option::is_some).collect::<Vec<_>>(),
        [true, false, true]
    );
    let requests = scripted.requests.lock().unwrap();
    let bodies: Vec<serde_json::Value> = requests
        .iter()
        .map(|r| serde_json::from_str(r.split("\r\n\r\n").nth(1).unwrap_or("")).unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            json!({"logGroupIdentifiers": ["/a", "/b", "/c"]}),
            json!({"logGroupIdentifiers": ["/a", "/b", "/c"], "nextToken": "page-2"}),
        ]
    );
}
