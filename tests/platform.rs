//! An application deployed onto a platform it does not own: an ECS cluster, a load
//! balancer and its listener, a Cloud Map namespace, a certificate, a KMS key, an SNS
//! topic and an ECR repository made outside the stack are looked up before every apply,
//! used through their attributes, never changed, and forgotten by destroy. A lookup
//! that finds nothing stops apply before any change, naming what it looked for.

use crate::apply::{config, runtime, sdk};
use crate::fault_proxy::{mutating, recording};
use crate::moto::Moto;
use ecs_iac::aws::engine::ApplyError;
use ecs_iac::aws::{apply, destroy, ApplyOptions, Aws, ProviderError, StateStore};
use ecs_iac::prelude::*;

/// What the platform team made, by the names the app stack uses.
struct Platform {
    listener_arn: String,
    load_balancer_arn: String,
    certificate_arn: String,
    key_arn: String,
    topic_arn: String,
    repository_uri: String,
    namespace_id: String,
}

/// Makes the platform with the SDK, as another team's tooling would.
async fn make_platform(c: &aws_config::SdkConfig, certificate_arn: String) -> Platform {
    use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
    let ec2 = aws_sdk_ec2::Client::new(c);
    let tagged = |kind: ResourceType, key: &str, value: &str| {
        TagSpecification::builder()
            .resource_type(kind)
            .tags(Tag::builder().key(key).value(value).build())
            .build()
    };
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.70.0.0/16")
        .tag_specifications(tagged(ResourceType::Vpc, "Name", "platform"))
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let mut subnets = Vec::new();
    for (cidr, zone) in [
        ("10.70.1.0/24", "us-east-1a"),
        ("10.70.2.0/24", "us-east-1b"),
    ] {
        let subnet = ec2
            .create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block(cidr)
            .availability_zone(zone)
            .tag_specifications(tagged(ResourceType::Subnet, "Tier", "app"))
            .send()
            .await
            .unwrap();
        subnets.push(subnet.subnet().unwrap().subnet_id().unwrap().to_string());
    }
    let alb_sg = ec2
        .create_security_group()
        .group_name("platform-alb")
        .description("the platform's load balancer")
        .vpc_id(&vpc_id)
        .send()
        .await
        .unwrap();
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(c);
    let lb = elb
        .create_load_balancer()
        .name("platform-alb")
        .set_subnets(Some(subnets))
        .security_groups(alb_sg.group_id().unwrap())
        .send()
        .await
        .unwrap();
    let load_balancer_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, FixedResponseActionConfig, ProtocolEnum,
    };
    let listener = elb
        .create_listener()
        .load_balancer_arn(&load_balancer_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::FixedResponse)
                .fixed_response_config(
                    FixedResponseActionConfig::builder()
                        .status_code("404")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let listener_arn = listener.listeners()[0].listener_arn().unwrap().to_string();
    aws_sdk_ecs::Client::new(c)
        .create_cluster()
        .cluster_name("platform")
        .send()
        .await
        .unwrap();
    let discovery = aws_sdk_servicediscovery::Client::new(c);
    discovery
        .create_http_namespace()
        .name("platform.local")
        .send()
        .await
        .unwrap();
    let namespaces = discovery.list_namespaces().send().await.unwrap();
    let namespace_id = namespaces
        .namespaces()
        .iter()
        .find(|n| n.name() == Some("platform.local"))
        .and_then(|n| n.id())
        .unwrap()
        .to_string();
    let kms = aws_sdk_kms::Client::new(c);
    let key = kms.create_key().send().await.unwrap();
    let key = key.key_metadata().unwrap();
    kms.create_alias()
        .alias_name("alias/platform-logs")
        .target_key_id(key.key_id())
        .send()
        .await
        .unwrap();
    let topic = aws_sdk_sns::Client::new(c)
        .create_topic()
        .name("platform-alerts")
        .send()
        .await
        .unwrap();
    let repository = aws_sdk_ecr::Client::new(c)
        .create_repository()
        .repository_name("platform/app")
        .send()
        .await
        .unwrap();
    Platform {
        listener_arn,
        load_balancer_arn,
        certificate_arn,
        key_arn: key.arn().unwrap().to_string(),
        topic_arn: topic.topic_arn().unwrap().to_string(),
        repository_uri: repository
            .repository()
            .unwrap()
            .repository_uri()
            .unwrap()
            .to_string(),
        namespace_id,
    }
}

/// The app: a service in the platform's cluster behind a rule on its listener and a
/// listener of its own (with the platform's certificate), logs encrypted with its key,
/// an alarm notifying its topic, the image from its repository.
fn app(listener_arn: &str, certificate_arn: &str) -> Stack {
    let mut stack = Stack::new("app").region("us-east-1");
    let vpc = stack.add(Vpc::existing("vpc", Lookup::tag("Name", "platform")));
    let subnets: Vec<Ref<Subnet>> = Subnet::existing_in_zones(
        "app",
        &vpc,
        [Az::US_EAST_1A, Az::US_EAST_1B],
        Lookup::tag("Tier", "app"),
    )
    .into_iter()
    .map(|s| stack.add(s))
    .collect();
    let alb_sg = stack.add(SecurityGroup::existing_named(
        "alb-sg",
        &vpc,
        "platform-alb",
    ));
    let sg = stack.add(
        SecurityGroup::new("app-sg", &vpc)
            .description("app tasks")
            .ingress_described(
                Peer::group(&alb_sg),
                Port::tcp(8080),
                "from the platform ALB",
            ),
    );
    let cluster = stack.add(Cluster::existing("cluster", "platform"));
    let alb = stack.add(LoadBalancer::existing("alb", "platform-alb"));
    let http = stack.add(Listener::existing("http", &alb, listener_arn));
    let ns = stack.add(Namespace::existing("ns", "platform.local"));
    let cert = stack.add(Certificate::existing("cert", certificate_arn));
    let key = stack.add(KmsKey::existing("logs-key", "alias/platform-logs"));
    let alerts = stack.add(Topic::existing("alerts", "platform-alerts"));
    let repo = stack.add(Repository::existing("repo", "platform/app"));
    let logs = stack.add(
        LogGroup::new("logs", "/ecs/app")
            .retention_days(30)
            .kms_key(key.arn()),
    );
    let exec = stack.add(
        Role::new("exec", Principal::ecs_tasks())
            .description("Pulls the app image and writes its logs")
            .managed_policy(ManagedPolicy::ecs_task_execution()),
    );
    let task = stack.add(
        TaskDefinition::fargate("app-task", Fargate::CPU_256_MEM_512)
            .execution_role(&exec)
            .container(
                Container::new("app", Image::from_repository(&repo, "1.0.0"))
                    .port(8080)
                    .env("PUBLIC_HOST", cert.domain_name())
                    .env("ALB_HOST", alb.dns_name())
                    .logs(LogConfig::awslogs(&logs, "app")),
            ),
    );
    let tg = stack.add(TargetGroup::new("app-tg", HttpProtocol::Http, 8080, &vpc));
    stack.add(
        ListenerRule::new("api", &http, 10, ListenerAction::forward(&tg)).path_patterns(["/api/*"]),
    );
    stack.add(Listener::https(
        "https",
        &alb,
        8443,
        cert.arn(),
        ListenerAction::forward(&tg),
    ));
    let service = stack.add(
        Service::new("app", &cluster, &task)
            .subnets(subnets.iter())
            .security_group(&sg)
            .load_balancer(&tg, "app", 8080)
            .service_connect(ServiceConnect::new(&ns)),
    );
    stack.add(
        Alarm::new(
            "app-cpu",
            Metric::ecs_service(&service, "CPUUtilization"),
            Comparison::GreaterThan,
            85.0,
            3,
        )
        .alarm_action(alerts.arn()),
    );
    stack.output("image-repository", repo.uri());
    stack.output("namespace", ns.id());
    stack
}

#[test]
fn an_app_deploys_onto_an_existing_platform_and_destroy_leaves_the_platform() {
    let moto = Moto::start();
    let certificate = moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("app.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let c = sdk(&moto).await;
        let p = make_platform(&c, certificate).await;
        let stack = app(&p.listener_arn, &p.certificate_arn);
        assert_eq!(validate(&stack), vec![]);
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .unwrap();
        let report = crate::apply::apply_stack(&aws, &stack, &lock, State::empty("app")).await;
        assert_eq!(report.outputs()["image-repository"], p.repository_uri);
        assert_eq!(report.outputs()["namespace"], p.namespace_id);
        let recorded = |a: &str, attr: &str| report.state.resources[a].attributes[attr].clone();
        assert_eq!(recorded("cert", "domain_name"), "visitor-book.example.com");
        assert_eq!(recorded("logs-key", "arn"), p.key_arn);
        assert_eq!(recorded("alb", "arn"), p.load_balancer_arn);

        // The service runs in the platform's cluster, the image from its repository.
        let ecs = aws_sdk_ecs::Client::new(&c);
        let services = ecs
            .describe_services()
            .cluster("platform")
            .services("app")
            .send()
            .await
            .unwrap();
        assert_eq!(services.services()[0].status(), Some("ACTIVE"));
        let task = ecs
            .describe_task_definition()
            .task_definition("app-task")
            .send()
            .await
            .unwrap();
        let container = &task.task_definition().unwrap().container_definitions()[0];
        assert_eq!(
            container.image(),
            Some(format!("{}:1.0.0", p.repository_uri).as_str())
        );
        let env: Vec<_> = container
            .environment()
            .iter()
            .map(|e| (e.name().unwrap(), e.value().unwrap()))
            .collect();
        assert!(
            env.contains(&("PUBLIC_HOST", "visitor-book.example.com")),
            "{env:?}"
        );
        // The rule sits on the platform's listener; the new listener uses its certificate.
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&c);
        let rules = elb
            .describe_rules()
            .listener_arn(&p.listener_arn)
            .send()
            .await
            .unwrap();
        assert!(
            rules.rules().iter().any(|r| r.priority() == Some("10")),
            "{rules:?}"
        );
        let listeners = elb
            .describe_listeners()
            .load_balancer_arn(&p.load_balancer_arn)
            .send()
            .await
            .unwrap();
        let https = listeners
            .listeners()
            .iter()
            .find(|l| l.port() == Some(8443))
            .expect("the app's listener");
        assert_eq!(
            https.certificates()[0].certificate_arn(),
            Some(p.certificate_arn.as_str())
        );
        // Logs are encrypted with the platform's key (by its ARN, not the alias); the
        // alarm notifies its topic.
        let groups = aws_sdk_cloudwatchlogs::Client::new(&c)
            .describe_log_groups()
            .log_group_name_prefix("/ecs/app")
            .send()
            .await
            .unwrap();
        assert_eq!(
            groups.log_groups()[0].kms_key_id(),
            Some(p.key_arn.as_str())
        );
        let alarms = aws_sdk_cloudwatch::Client::new(&c)
            .describe_alarms()
            .alarm_names("app-cpu")
            .send()
            .await
            .unwrap();
        assert_eq!(
            alarms.metric_alarms()[0].alarm_actions(),
            std::slice::from_ref(&p.topic_arn)
        );

        // Nothing to change on the next plan; the lookups are read again.
        let refreshed = ecs_iac::aws::refresh(&aws, &report.state).await.unwrap();
        let again = ecs_iac::plan_refreshed(synth(&stack).unwrap(), &report.state, &refreshed);
        assert!(!again.has_changes(), "{}", again.render_text());

        // Destroy removes the app and leaves the platform.
        let gone = destroy(&aws, &lock, report.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:?}", gone.failed);
        assert!(gone.state.resources.is_empty());
        let clusters = ecs
            .describe_clusters()
            .clusters("platform")
            .send()
            .await
            .unwrap();
        assert_eq!(clusters.clusters()[0].status(), Some("ACTIVE"));
        let listeners = elb
            .describe_listeners()
            .load_balancer_arn(&p.load_balancer_arn)
            .send()
            .await
            .unwrap();
        let ports: Vec<_> = listeners.listeners().iter().map(|l| l.port()).collect();
        assert_eq!(
            ports,
            [Some(80)],
            "the platform's listener stays, the app's goes"
        );
        let rules = elb
            .describe_rules()
            .listener_arn(&p.listener_arn)
            .send()
            .await
            .unwrap();
        assert!(
            rules.rules().iter().all(|r| r.priority() != Some("10")),
            "{rules:?}"
        );
        aws_sdk_servicediscovery::Client::new(&c)
            .get_namespace()
            .id(&p.namespace_id)
            .send()
            .await
            .expect("the namespace stays");
        let key = aws_sdk_kms::Client::new(&c)
            .describe_key()
            .key_id(&p.key_arn)
            .send()
            .await
            .unwrap();
        assert!(
            key.key_metadata().unwrap().enabled(),
            "the key stays enabled"
        );
        aws_sdk_sns::Client::new(&c)
            .get_topic_attributes()
            .topic_arn(&p.topic_arn)
            .send()
            .await
            .expect("the topic stays");
        aws_sdk_ecr::Client::new(&c)
            .describe_repositories()
            .repository_names("platform/app")
            .send()
            .await
            .expect("the repository stays");
    });
}

#[test]
fn a_platform_resource_that_is_not_there_stops_apply_before_any_change() {
    let moto = Moto::start();
    moto.seed();
    let (proxy, seen) = recording(&moto);
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("app.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    let missing_listener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/platform-alb/50dc6c495c0c9188/f2f7dc8efc522ab2";
    let missing_cert =
        "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
    runtime().block_on(async {
        // The network is there; nothing else of the platform is.
        let c = sdk(&moto).await;
        let ec2 = aws_sdk_ec2::Client::new(&c);
        use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.70.0.0/16")
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Vpc)
                    .tags(Tag::builder().key("Name").value("platform").build())
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
        for (cidr, zone) in [
            ("10.70.1.0/24", "us-east-1a"),
            ("10.70.2.0/24", "us-east-1b"),
        ] {
            ec2.create_subnet()
                .vpc_id(&vpc_id)
                .cidr_block(cidr)
                .availability_zone(zone)
                .tag_specifications(
                    TagSpecification::builder()
                        .resource_type(ResourceType::Subnet)
                        .tags(Tag::builder().key("Tier").value("app").build())
                        .build(),
                )
                .send()
                .await
                .unwrap();
        }
        ec2.create_security_group()
            .group_name("platform-alb")
            .description("the platform's load balancer")
            .vpc_id(&vpc_id)
            .send()
            .await
            .unwrap();
        seen.lock().unwrap().clear();
        let mut cfg = config(&moto);
        cfg.endpoint_url = Some(proxy.endpoint.clone());
        let aws = Aws::connect(cfg, Some("us-east-1")).await.unwrap();
        let stack = app(missing_listener, missing_cert);
        let plan = plan(&stack, &State::empty("app")).unwrap();
        let err = apply(
            &aws,
            &plan,
            &lock,
            State::empty("app"),
            &ApplyOptions::default(),
        )
        .await
        .expect_err("the lookups fail");
        let ApplyError::Preflight(ProviderError::Several(errors)) = &err else {
            panic!("expected every missing lookup at once, got {err}");
        };
        let text = err.to_string();
        // The load balancer is missing, so its listener is not looked up.
        assert_eq!(errors.len(), 7, "{text}");
        for needle in [
            "nothing was changed",
            "ECS cluster `platform`",
            "load balancer `platform-alb`",
            "Cloud Map namespace `platform.local`",
            "ACM certificate",
            missing_cert,
            "KMS key `alias/platform-logs`",
            "SNS topic `arn:aws:sns:us-east-1:123456789012:platform-alerts`",
            "ECR repository `platform/app`",
            // What uses each.
            "(used by app-task)",
            "(used by app-cpu)",
            "(used by logs)",
        ] {
            assert!(text.contains(needle), "`{needle}` not in: {text}");
        }
        let sent = seen.lock().unwrap().clone();
        assert_eq!(mutating(&sent), Vec::<String>::new(), "sent {sent:?}");
        assert!(!store.path().unwrap().exists());
    });
}

/// One page of `SearchCertificates` results: the ARNs and the next token.
type Page<'a> = (&'a [&'a str], Option<&'a str>);

/// A `SearchCertificates` answer (moto has no such call): one page of ARNs and the token
/// of the next.
fn search_results(arns: &[&str], next: Option<&str>) -> crate::waiters::Answer {
    let results: Vec<_> = arns
        .iter()
        .map(|a| serde_json::json!({ "CertificateArn": a }))
        .collect();
    let mut body = serde_json::json!({ "Results": results });
    if let Some(token) = next {
        body["NextToken"] = token.into();
    }
    ("application/x-amz-json-1.1", body.to_string())
}

#[test]
fn a_certificate_for_a_domain_is_the_one_issued_certificate_naming_it() {
    const A: &str =
        "arn:aws:acm:us-east-1:123456789012:certificate/aaaaaaaa-0000-0000-0000-000000000001";
    const B: &str =
        "arn:aws:acm:us-east-1:123456789012:certificate/bbbbbbbb-0000-0000-0000-000000000002";
    let mut stack = Stack::new("app").region("us-east-1");
    stack.add(Certificate::for_domain("cert", "*.example.com"));
    let node = synth(&stack).unwrap().node("cert").unwrap().clone();
    // Each script answers the n-th SearchCertificates call.
    let scripts: [(&[Page], Result<&str, &str>); 4] = [
        (&[(&[A], None)], Ok(A)),
        (&[(&[], None)], Err("no issued ACM certificate matches")),
        // Two on two pages (a renewal imported beside the old one): both are named.
        (&[(&[A], Some("page-2")), (&[B], None)], Err("matches 2")),
        (&[(&[], Some("page-2")), (&[B], None)], Ok(B)),
    ];
    for (pages, expected) in scripts {
        let pages: Vec<_> = pages
            .iter()
            .map(|(arns, next)| search_results(arns, *next))
            .collect();
        let aws_side =
            crate::waiters::ScriptedAws::start(move |_, n| pages[n.min(pages.len() - 1)].clone());
        let result = runtime().block_on(async {
            let aws = aws_side.connect(std::time::Duration::from_secs(5)).await;
            let target = ecs_iac::aws::providers::Target {
                stack: "app",
                address: "cert",
                kind: node.kind,
                req: ecs_iac::aws::body::Req {
                    address: "cert",
                    body: &node.body,
                },
                changed: &[],
            };
            aws.create(&target).await
        });
        match (expected, result) {
            (Ok(arn), Ok(found)) => {
                assert_eq!(found.id, arn);
                assert_eq!(found.attributes["arn"], arn);
                assert_eq!(found.attributes["domain_name"], "*.example.com");
            }
            (Err(needle), Err(e)) => {
                let text = e.to_string();
                assert!(text.contains(needle) && text.contains("cert"), "{text}");
                if needle == "matches 2" {
                    assert!(text.contains(A) && text.contains(B), "{text}");
                }
            }
            (expected, got) => panic!("expected {expected:?}, got {got:?}"),
        }
        // What was sent is the synthesized filter, page by page.
        let requests = aws_side.requests.lock().unwrap().clone();
        let first = requests[0].split("\r\n\r\n").nth(1).unwrap();
        let sent: serde_json::Value = serde_json::from_str(first).unwrap();
        assert_eq!(sent["FilterStatement"], node.body["FilterStatement"]);
        if requests.len() > 1 {
            let second = requests[1].split("\r\n\r\n").nth(1).unwrap();
            let sent: serde_json::Value = serde_json::from_str(second).unwrap();
            assert_eq!(sent["NextToken"], "page-2");
        }
    }
}
