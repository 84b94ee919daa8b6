//! Apply, plan and destroy of both examples against a local moto server, checked through
//! the AWS API; interrupted applies resumed without duplicates.
//!
//! Why this file is long (about 1,600 lines): it also holds the helpers every other test
//! module applies stacks with (`config`, `apply_stack`, `assert_refreshed_plan_is_empty`,
//! SDK clients); each test is a whole apply checked call by call, which reads best in one
//! piece.

use crate::moto::Moto;
use crate::{fintech, visitor_book};
use aws_config::BehaviorVersion;
use ecs_iac::aws::{
    apply, destroy, ApplyOptions, ApplyReport, Aws, EngineConfig, StateLock, StateStore,
};
use ecs_iac::prelude::*;
use ecs_iac::Kind;
use ecs_iac::{plan_synth, Action, ResourceStatus};
use std::time::Duration;

/// Engine settings for tests against `moto`: fast polls, short deadlines.
pub fn config(moto: &Moto) -> EngineConfig {
    EngineConfig {
        endpoint_url: Some(moto.endpoint.clone()),
        static_credentials: Some(("testing".into(), "testing".into())),
        poll_interval: Duration::from_millis(100),
        wait_deadline: Duration::from_secs(60),
        ..EngineConfig::default()
    }
}

/// An SDK configuration for checking what the engine did, straight at moto.
pub async fn sdk(moto: &Moto) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(&moto.endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ec2::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await
}

/// A multi-threaded runtime for one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Plans `stack` from `prior` and applies it; fails the test unless every action succeeded.
pub(crate) async fn apply_stack(
    aws: &Aws,
    stack: &Stack,
    lock: &StateLock,
    prior: State,
) -> ApplyReport {
    let plan = plan(stack, &prior).expect("valid stack");
    let report = apply(aws, &plan, lock, prior, &ApplyOptions::default())
        .await
        .expect("state saved");
    assert!(
        report.succeeded(),
        "failed: {:#?}\nskipped: {:?}",
        report.failed,
        report.skipped
    );
    report
}

async fn tagged_vpcs(ec2: &aws_sdk_ec2::Client, stack: &str) -> usize {
    let filter = aws_sdk_ec2::types::Filter::builder()
        .name("tag:ecs-iac:stack")
        .values(stack)
        .build();
    ec2.describe_vpcs()
        .filters(filter)
        .send()
        .await
        .map(|o| o.vpcs().len())
        .unwrap_or(usize::MAX)
}

#[test]
fn visitor_book_applies_converges_and_destroys() {
    let moto = Moto::start();
    let stack = visitor_book::stack_with_certificate(&moto.seed());
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("vb.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .expect("connects");
        assert_eq!(aws.account_id, "123456789012");
        let report = apply_stack(&aws, &stack, &lock, State::empty("visitor-book")).await;
        assert_eq!(report.done.len(), 78);
        assert_eq!(
            crate::ready(store.load("visitor-book")).unwrap(),
            report.state,
            "the saved state is the state reached"
        );

        // Every resource exists with the example's values, read back through the API.
        let c = sdk(&moto).await;
        let ec2 = aws_sdk_ec2::Client::new(&c);
        assert_eq!(tagged_vpcs(&ec2, "visitor-book").await, 1);
        // Seed 002's tasks 2 and 3: the app's logs stream to `LogsToOpenSearch`, the
        // trail records every region into the audit bucket, the app bucket is locked.
        let filters = aws_sdk_cloudwatchlogs::Client::new(&c)
            .describe_subscription_filters()
            .log_group_name("/ecs/visitor-book")
            .send()
            .await
            .unwrap();
        let filter = &filters.subscription_filters()[0];
        assert_eq!(filter.filter_name(), Some("app-logs-filter"));
        assert_eq!(
            filter.destination_arn(),
            Some("arn:aws:lambda:us-east-1:123456789012:function:LogsToOpenSearch")
        );
        let trail = aws_sdk_cloudtrail::Client::new(&c)
            .get_trail()
            .name("app-trail")
            .send()
            .await
            .unwrap();
        let trail = trail.trail().unwrap();
        assert_eq!(
            trail.s3_bucket_name(),
            Some("visitor-book-audit-123456789012")
        );
        assert_eq!(trail.is_multi_region_trail(), Some(true));
        assert_eq!(trail.log_file_validation_enabled(), Some(true));
        let s3 = s3_client(&c);
        let policy = s3
            .get_bucket_policy()
            .bucket("visitor-book-app-123456789012")
            .send()
            .await
            .unwrap();
        assert!(policy
            .policy()
            .unwrap()
            .contains("DenyUnencryptedObjectUploads"));
        let block = s3
            .get_public_access_block()
            .bucket("visitor-book-app-123456789012")
            .send()
            .await
            .unwrap();
        assert_eq!(
            block
                .public_access_block_configuration()
                .and_then(|b| b.block_public_policy()),
            Some(true)
        );
        let vpc_id = report.state.resources["app-vpc"].id.clone().unwrap();
        let subnets = ec2
            .describe_subnets()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("vpc-id")
                    .values(&vpc_id)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let mut cidrs: Vec<&str> = subnets
            .subnets()
            .iter()
            .filter_map(|s| s.cidr_block())
            .collect();
        cidrs.sort_unstable();
        assert_eq!(
            cidrs,
            [
                "10.0.1.0/24",
                "10.0.2.0/24",
                "10.0.3.0/24",
                "10.0.4.0/24",
                "10.0.5.0/24",
                "10.0.6.0/24"
            ]
        );
        let dns = ec2
            .describe_vpc_attribute()
            .vpc_id(&vpc_id)
            .attribute(aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames)
            .send()
            .await
            .unwrap();
        assert_eq!(
            dns.enable_dns_hostnames().and_then(|v| v.value()),
            Some(true)
        );
        let ecs_sg = report.state.resources["ecs-sg"].id.clone().unwrap();
        let alb_sg = report.state.resources["alb-sg"].id.clone().unwrap();
        let groups = ec2
            .describe_security_groups()
            .group_ids(&ecs_sg)
            .send()
            .await
            .unwrap();
        let ingress = &groups.security_groups()[0].ip_permissions()[0];
        assert_eq!(
            (
                ingress.from_port(),
                ingress.user_id_group_pairs()[0].group_id()
            ),
            (Some(8000), Some(alb_sg.as_str()))
        );

        let rds = aws_sdk_rds::Client::new(&c);
        let db = rds
            .describe_db_instances()
            .db_instance_identifier("app-postgres")
            .send()
            .await
            .unwrap();
        let db = &db.db_instances()[0];
        assert_eq!(db.db_instance_class(), Some("db.t3.small"));
        assert_eq!(
            (
                db.multi_az(),
                db.storage_encrypted(),
                db.allocated_storage(),
                db.backup_retention_period()
            ),
            (Some(true), Some(true), Some(20), Some(7))
        );

        let ecs = aws_sdk_ecs::Client::new(&c);
        let task = ecs
            .describe_task_definition()
            .task_definition("app-task")
            .send()
            .await
            .unwrap();
        let task = task.task_definition().unwrap();
        assert_eq!((task.cpu(), task.memory()), (Some("512"), Some("1024")));
        let container = &task.container_definitions()[0];
        assert_eq!(container.port_mappings()[0].container_port(), Some(8000));
        // The database's address and port as RDS reports them, and the credentials as
        // keys of the master secret RDS manages: no secret was created beforehand.
        let endpoint = db.endpoint().expect("RDS reports an endpoint");
        let mut env: Vec<(&str, &str)> = container
            .environment()
            .iter()
            .filter_map(|kv| Some((kv.name()?, kv.value()?)))
            .collect();
        env.sort_unstable();
        let port = endpoint.port().unwrap().to_string();
        assert_eq!(
            env,
            [
                ("DB_HOST", endpoint.address().unwrap()),
                ("DB_NAME", "visitorbook"),
                ("DB_PORT", port.as_str()),
            ]
        );
        let master = db
            .master_user_secret()
            .and_then(|s| s.secret_arn())
            .expect("RDS manages the master secret");
        let mut secrets: Vec<(&str, String)> = container
            .secrets()
            .iter()
            .map(|s| (s.name(), s.value_from().to_string()))
            .collect();
        secrets.sort_unstable();
        assert_eq!(
            secrets,
            [
                ("DB_PASSWORD", format!("{master}:password::")),
                ("DB_USER", format!("{master}:username::")),
            ]
        );
        let recorded = &report.state.resources["app-postgres"].attributes;
        assert_eq!(recorded["address"], endpoint.address().unwrap());
        assert_eq!(recorded["master_user_secret_arn"], master);
        assert_eq!(
            container.image(),
            Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/visitor-book:latest")
        );
        let services = ecs
            .describe_services()
            .cluster("app-cluster")
            .services("app-service")
            .send()
            .await
            .unwrap();
        assert_eq!(services.services()[0].desired_count(), 2);
        // Both alarms notify the topic the stack made.
        let topic = aws_sdk_sns::Client::new(&c)
            .get_topic_attributes()
            .topic_arn("arn:aws:sns:us-east-1:123456789012:app-alerts")
            .send()
            .await
            .expect("the app-alerts topic exists");
        let topic_arn = topic.attributes().unwrap()["TopicArn"].clone();
        let alarms = aws_sdk_cloudwatch::Client::new(&c)
            .describe_alarms()
            .alarm_names("api-high-error-rate")
            .alarm_names("ecs-high-cpu")
            .send()
            .await
            .unwrap();
        assert_eq!(alarms.metric_alarms().len(), 2);
        for alarm in alarms.metric_alarms() {
            assert_eq!(alarm.alarm_actions(), std::slice::from_ref(&topic_arn));
        }

        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&c);
        let lbs = elb
            .describe_load_balancers()
            .names("app-alb")
            .send()
            .await
            .unwrap();
        let lb = &lbs.load_balancers()[0];
        let outputs = report.outputs();
        assert_eq!(outputs["alb-dns-name"], lb.dns_name().unwrap());
        let recorded = &report.state.resources["app-alb"].attributes;
        assert_eq!(
            recorded["canonical_hosted_zone_id"],
            lb.canonical_hosted_zone_id().unwrap()
        );
        let tg = elb
            .describe_target_groups()
            .names("app-tg")
            .send()
            .await
            .unwrap();
        let tg = &tg.target_groups()[0];
        assert_eq!(
            (
                tg.health_check_path(),
                tg.health_check_interval_seconds(),
                tg.healthy_threshold_count()
            ),
            (Some("/health"), Some(30), Some(2))
        );

        let logs = aws_sdk_cloudwatchlogs::Client::new(&c);
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix("/ecs/visitor-book")
            .send()
            .await
            .unwrap();
        assert_eq!(groups.log_groups()[0].retention_in_days(), Some(30));

        let scaling = aws_sdk_applicationautoscaling::Client::new(&c);
        let targets = scaling
            .describe_scalable_targets()
            .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
            .send()
            .await
            .unwrap();
        let t = &targets.scalable_targets()[0];
        assert_eq!(
            (t.min_capacity(), t.max_capacity(), t.resource_id()),
            (2, 10, "service/app-cluster/app-service")
        );

        let alarms = aws_sdk_cloudwatch::Client::new(&c)
            .describe_alarms()
            .alarm_names("api-high-error-rate")
            .alarm_names("ecs-high-cpu")
            .send()
            .await
            .unwrap();
        let mut thresholds: Vec<(String, f64)> = alarms
            .metric_alarms()
            .iter()
            .map(|a| {
                (
                    a.alarm_name().unwrap_or_default().to_string(),
                    a.threshold().unwrap_or_default(),
                )
            })
            .collect();
        thresholds.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            thresholds,
            [
                ("api-high-error-rate".to_string(), 10.0),
                ("ecs-high-cpu".to_string(), 85.0)
            ]
        );

        let iam = aws_sdk_iam::Client::new(&c);
        let attached = iam
            .list_attached_role_policies()
            .role_name("ecsTaskExecutionRole")
            .send()
            .await
            .unwrap();
        assert_eq!(
            attached.attached_policies()[0].policy_name(),
            Some("AmazonECSTaskExecutionRolePolicy")
        );

        // Plan again: nothing to do, also against what AWS reports, twice.
        let again = plan(&stack, &report.state).unwrap();
        assert!(!again.has_changes(), "{}", again.render_text());
        assert_refreshed_plan_is_empty(&aws, &stack, &report.state).await;

        // Destroy: nothing tagged with the stack remains.
        let destroyed = destroy(&aws, &lock, report.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(destroyed.succeeded(), "{:#?}", destroyed.failed);
        assert!(destroyed.state.resources.is_empty());
        assert_eq!(tagged_vpcs(&ec2, "visitor-book").await, 0);
        assert!(rds
            .describe_db_instances()
            .send()
            .await
            .unwrap()
            .db_instances()
            .is_empty());
        assert!(iam
            .get_role()
            .role_name("ecsTaskExecutionRole")
            .send()
            .await
            .is_err());
        let left = logs
            .describe_log_groups()
            .log_group_name_prefix("/ecs/visitor-book")
            .send()
            .await
            .unwrap();
        assert!(left.log_groups().is_empty());
    });
}

/// Fake-Fintech's secret values as files written to `dir` (the generated one stays
/// generated), instead of the environment variables its `main` reads.
pub(crate) fn fintech_secret_files(
    dir: &std::path::Path,
) -> impl Fn(&str) -> ecs_iac::prelude::SecretValue + '_ {
    for (logical, _) in fintech::SECRETS {
        std::fs::write(dir.join(logical), format!("test value of {logical}\n")).unwrap();
    }
    move |logical| match fintech::secret_value(logical) {
        generated @ SecretValue::Generated(_) => generated,
        _ => SecretValue::from_file(dir.join(logical)),
    }
}

#[test]
fn fintech_applies_converges_and_destroys() {
    let moto = Moto::start();
    let values = tempfile::tempdir().unwrap();
    let stack = fintech::stack_with_secret_values(fintech_secret_files(values.path()));
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("ft.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .expect("connects");
        let report = apply_stack(&aws, &stack, &lock, State::empty("fake-fintech")).await;
        let c = sdk(&moto).await;
        let ecs = aws_sdk_ecs::Client::new(&c);
        let names = [
            "api-gateway",
            "user-service",
            "transaction-service",
            "llm-service",
            "rag-service",
            "tools-service",
            "frontend",
            "model-registry",
            "model-retrain",
            "mock-external-api",
        ];
        let services = ecs
            .describe_services()
            .cluster("fake-fintech-cluster")
            .set_services(Some(names.iter().map(|s| s.to_string()).collect()))
            .send()
            .await
            .unwrap();
        assert_eq!(services.services().len(), 10);
        assert!(services.services().iter().all(|s| s.desired_count() == 2));
        let llm = ecs
            .describe_task_definition()
            .task_definition("fake-fintech-llm-service")
            .send()
            .await
            .unwrap();
        let llm = llm.task_definition().unwrap();
        assert_eq!(
            llm.container_definitions().len(),
            2,
            "app and filebeat sidecar"
        );
        assert_eq!(
            llm.container_definitions()[0]
                .health_check()
                .map(|h| h.command()[1].as_str()),
            Some("curl -f http://localhost:8000/health || exit 1")
        );
        assert!(llm.container_definitions()[0]
            .secrets()
            .iter()
            .all(|s| s.value_from().starts_with("arn:aws:secretsmanager:")));
        // A repository per service, scanned on push; the task runs its image.
        let ecr = aws_sdk_ecr::Client::new(&c);
        let repos = ecr
            .describe_repositories()
            .set_repository_names(Some(
                names.iter().map(|n| format!("fake-fintech/{n}")).collect(),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(repos.repositories().len(), 10);
        assert!(repos.repositories().iter().all(|r| r
            .image_scanning_configuration()
            .is_some_and(|s| s.scan_on_push())));
        let llm_repo = repos
            .repositories()
            .iter()
            .find(|r| r.repository_name() == Some("fake-fintech/llm-service"))
            .unwrap();
        assert_eq!(
            llm.container_definitions()[0].image(),
            Some(format!("{}:latest", llm_repo.repository_uri().unwrap()).as_str())
        );
        assert!(!plan(&stack, &report.state).unwrap().has_changes());
        let destroyed = destroy(&aws, &lock, report.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(destroyed.succeeded(), "{:#?}", destroyed.failed);
        assert_eq!(
            tagged_vpcs(&aws_sdk_ec2::Client::new(&c), "fake-fintech").await,
            0
        );
    });
}

/// A process killed after AWS created resources but before their ids reached the state
/// file leaves them journaled as pending. The next apply adopts them by their ownership
/// tags (or unique names) instead of creating duplicates.
/// The hardened Fake-Fintech: grants become exact IAM statements and the services run
/// privately behind the ALB; it converges and destroys like the others.
#[test]
fn fintech_hardened_applies_with_its_grants_converges_and_destroys() {
    let moto = Moto::start();
    let values = tempfile::tempdir().unwrap();
    let stack =
        crate::fintech_hardened::stack_with(&moto.seed(), fintech_secret_files(values.path()));
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("fh.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .expect("connects");
        let report = apply_stack(&aws, &stack, &lock, State::empty("fake-fintech-hardened")).await;
        let c = sdk(&moto).await;
        let iam = aws_sdk_iam::Client::new(&c);
        let grants = iam
            .get_role_policy()
            .role_name("execution-role")
            .policy_name(ecs_iac::GRANTS_POLICY)
            .send()
            .await
            .unwrap();
        let document: serde_json::Value =
            serde_json::from_str(&percent_decode(grants.policy_document())).unwrap();
        let statements = document["Statement"].as_array().unwrap();
        let read = statements
            .iter()
            .find(|s| s["Sid"] == "ReadSecrets")
            .unwrap();
        assert_eq!(read["Action"], "secretsmanager:GetSecretValue");
        let secrets = read["Resource"].as_array().unwrap();
        assert_eq!(
            secrets.len(),
            6,
            "each of the six secrets, by its exact ARN"
        );
        assert!(secrets.iter().all(|arn| arn.as_str().unwrap().starts_with(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:fake-fintech-hardened/"
        )));
        let write = statements.iter().find(|s| s["Sid"] == "WriteLogs").unwrap();
        assert_eq!(write["Resource"].as_array().unwrap().len(), 10);
        let ecs = aws_sdk_ecs::Client::new(&c);
        let api = ecs
            .describe_services()
            .cluster("fake-fintech-hardened")
            .services("api-gateway")
            .send()
            .await
            .unwrap();
        let api = &api.services()[0];
        assert_eq!(api.load_balancers().len(), 1);
        let llm = ecs
            .describe_task_definition()
            .task_definition("fintech-llm-service")
            .send()
            .await
            .unwrap();
        let app = &llm.task_definition().unwrap().container_definitions()[0];
        assert_eq!(app.user(), Some("1000:1000"));
        assert_eq!(app.readonly_root_filesystem(), Some(true));
        // The image comes from the stack's own repository: immutable tags, scanned.
        let repos = aws_sdk_ecr::Client::new(&c)
            .describe_repositories()
            .repository_names("fake-fintech-hardened/llm-service")
            .send()
            .await
            .unwrap();
        let repo = &repos.repositories()[0];
        assert_eq!(
            repo.image_tag_mutability(),
            Some(&aws_sdk_ecr::types::ImageTagMutability::Immutable)
        );
        assert_eq!(
            app.image(),
            Some(format!("{}:1.4.2", repo.repository_uri().unwrap()).as_str())
        );
        let pull = statements
            .iter()
            .find(|s| s["Sid"] == "PullImages")
            .unwrap();
        assert_eq!(pull["Resource"].as_array().unwrap().len(), 10);
        // Its logs are encrypted with the stack's key.
        let key_arn = &report.state.resources["logs-key"].attributes["arn"];
        let groups = aws_sdk_cloudwatchlogs::Client::new(&c)
            .describe_log_groups()
            .log_group_name_prefix("/ecs/fake-fintech-hardened/")
            .send()
            .await
            .unwrap();
        assert_eq!(groups.log_groups().len(), 10);
        assert!(groups
            .log_groups()
            .iter()
            .all(|g| g.kms_key_id() == Some(key_arn.as_str())));
        // The ALB is behind the web ACL and logs to the stack's bucket.
        let alb_arn = report.state.resources["alb"].id.clone().unwrap();
        let waf = aws_sdk_wafv2::Client::new(&c);
        let protecting = waf
            .get_web_acl_for_resource()
            .resource_arn(&alb_arn)
            .send()
            .await
            .unwrap();
        let acl = protecting.web_acl().expect("the ALB has a web ACL");
        assert_eq!(acl.name(), "fake-fintech-hardened");
        assert_eq!(acl.rules().len(), 3);
        let attributes = load_balancer_attributes(&c, &alb_arn).await;
        assert_eq!(
            attributes["access_logs.s3.bucket"],
            "fake-fintech-hardened-alb-logs-123456789012"
        );
        assert!(!plan(&stack, &report.state).unwrap().has_changes());
        assert_refreshed_plan_is_empty(&aws, &stack, &report.state).await;
        let destroyed = destroy(&aws, &lock, report.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(destroyed.succeeded(), "{:#?}", destroyed.failed);
        assert_eq!(
            tagged_vpcs(&aws_sdk_ec2::Client::new(&c), "fake-fintech-hardened").await,
            0
        );
        let acls = waf
            .list_web_acls()
            .scope(aws_sdk_wafv2::types::Scope::Regional)
            .send()
            .await
            .unwrap();
        assert!(acls.web_acls().is_empty(), "{acls:?}");
    });
}

/// A plan against what AWS reports has no changes, on two refreshes in a row (nothing
/// AWS fills in or reorders shows as a change).
pub(crate) async fn assert_refreshed_plan_is_empty(aws: &Aws, stack: &Stack, state: &State) {
    for _ in 0..2 {
        let refreshed = crate::drift::live_plan(aws, stack, state).await;
        assert!(!refreshed.has_changes(), "{}", refreshed.render_text());
    }
}

/// A load balancer's attributes as Elastic Load Balancing reports them, by key.
pub(crate) async fn load_balancer_attributes(
    c: &aws_config::SdkConfig,
    arn: &str,
) -> std::collections::BTreeMap<String, String> {
    aws_sdk_elasticloadbalancingv2::Client::new(c)
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .unwrap()
        .attributes()
        .iter()
        .filter_map(|a| Some((a.key()?.to_string(), a.value()?.to_string())))
        .collect()
}

/// An S3 client for moto (path-style addressing against its endpoint).
pub(crate) fn s3_client(c: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(c)
            .force_path_style(true)
            .build(),
    )
}

/// IAM returns policy documents URL-encoded.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1..i + 3)) {
            (b'%', Some(hex)) => match u8::from_str_radix(&String::from_utf8_lossy(hex), 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                Err(_) => out.push(b'%'),
            },
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn an_interrupted_apply_resumes_without_duplicates() {
    let moto = Moto::start();
    let stack = visitor_book::stack_with_certificate(&moto.seed());
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("vb.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .expect("connects");
        let report = apply_stack(&aws, &stack, &lock, State::empty("visitor-book")).await;
        // Forget the results of every resource with a create that is not an upsert, as a
        // kill -9 between the create call and the state write would.
        let mut crashed = report.state.clone();
        let forgotten = [
            "app-vpc",
            "public-subnet-1",
            "alb-sg",
            "app-igw",
            "nat-eip",
            "app-nat",
            "public-rt",
            "app-postgres",
            "app-db-subnet-group",
            "ecsTaskExecutionRole",
            "app-logs",
            "app-service",
            "app-alb",
            "app-tg",
        ];
        forget(&mut crashed, &forgotten);
        let plan = plan(&stack, &crashed).unwrap();
        let resumed = apply(&aws, &plan, &lock, crashed, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(resumed.succeeded(), "{:#?}", resumed.failed);
        for address in forgotten {
            assert_eq!(
                resumed.state.resources[address].id, report.state.resources[address].id,
                "{address} was adopted, not recreated"
            );
        }
        let c = sdk(&moto).await;
        let ec2 = aws_sdk_ec2::Client::new(&c);
        assert_eq!(tagged_vpcs(&ec2, "visitor-book").await, 1);
        let nats = ec2.describe_nat_gateways().send().await.unwrap();
        assert_eq!(
            nats.nat_gateways()
                .iter()
                .filter(|n| n.state() != Some(&aws_sdk_ec2::types::NatGatewayState::Deleted))
                .count(),
            1
        );
        let rds = aws_sdk_rds::Client::new(&c);
        assert_eq!(
            rds.describe_db_instances()
                .send()
                .await
                .unwrap()
                .db_instances()
                .len(),
            1
        );
        let after = plan_synth(synth(&stack).unwrap(), &resumed.state);
        assert!(!after.has_changes(), "{}", after.render_text());

        // A destroy after the same crash finds what the interrupted creates made.
        let mut crashed = resumed.state.clone();
        forget(&mut crashed, &forgotten);
        let destroyed = destroy(&aws, &lock, crashed, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(destroyed.succeeded(), "{:#?}", destroyed.failed);
        assert_eq!(tagged_vpcs(&ec2, "visitor-book").await, 0);
        assert!(rds
            .describe_db_instances()
            .send()
            .await
            .unwrap()
            .db_instances()
            .is_empty());
        let iam = aws_sdk_iam::Client::new(&c);
        assert!(iam
            .get_role()
            .role_name("ecsTaskExecutionRole")
            .send()
            .await
            .is_err());
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&c);
        let lbs = elb.describe_load_balancers().send().await.unwrap();
        assert!(lbs.load_balancers().is_empty());
    });
}

/// Makes `state` look as if a `kill -9` came between each of `addresses`' create calls
/// and the state write: journaled as pending, with no id.
fn forget(state: &mut State, addresses: &[&str]) {
    for address in addresses {
        let r = state.resources.get_mut(*address).unwrap();
        r.status = ResourceStatus::Pending;
        r.id = None;
        r.attributes.clear();
    }
}

pub(crate) async fn count_all(c: &aws_config::SdkConfig) -> Vec<(&'static str, usize)> {
    let ec2 = aws_sdk_ec2::Client::new(c);
    let tag = |stack: &str| {
        aws_sdk_ec2::types::Filter::builder()
            .name("tag:ecs-iac:stack")
            .values(stack)
            .build()
    };
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(c);
    let lbs = elb.describe_load_balancers().send().await.unwrap();
    let listeners = match lbs
        .load_balancers()
        .first()
        .and_then(|l| l.load_balancer_arn())
    {
        Some(arn) => elb
            .describe_listeners()
            .load_balancer_arn(arn)
            .send()
            .await
            .unwrap()
            .listeners()
            .len(),
        None => 0,
    };
    vec![
        (
            "vpcs",
            ec2.describe_vpcs()
                .filters(tag("visitor-book"))
                .send()
                .await
                .unwrap()
                .vpcs()
                .len(),
        ),
        (
            "subnets",
            ec2.describe_subnets()
                .filters(tag("visitor-book"))
                .send()
                .await
                .unwrap()
                .subnets()
                .len(),
        ),
        (
            "security groups",
            ec2.describe_security_groups()
                .filters(tag("visitor-book"))
                .send()
                .await
                .unwrap()
                .security_groups()
                .len(),
        ),
        (
            "route tables",
            ec2.describe_route_tables()
                .filters(tag("visitor-book"))
                .send()
                .await
                .unwrap()
                .route_tables()
                .len(),
        ),
        (
            "elastic ips",
            ec2.describe_addresses()
                .filters(tag("visitor-book"))
                .send()
                .await
                .unwrap()
                .addresses()
                .len(),
        ),
        ("load balancers", lbs.load_balancers().len()),
        ("listeners", listeners),
        (
            "target groups",
            elb.describe_target_groups()
                .send()
                .await
                .unwrap()
                .target_groups()
                .len(),
        ),
        (
            "db instances",
            aws_sdk_rds::Client::new(c)
                .describe_db_instances()
                .send()
                .await
                .unwrap()
                .db_instances()
                .len(),
        ),
        (
            "roles",
            aws_sdk_iam::Client::new(c)
                .list_roles()
                .send()
                .await
                .unwrap()
                .roles()
                .iter()
                .filter(|r| !r.path().starts_with("/aws-service-role/"))
                // The Lambda function's role `moto_seed.py` makes.
                .filter(|r| r.role_name() != "logs-to-opensearch-lambda")
                .count(),
        ),
        (
            "log groups",
            aws_sdk_cloudwatchlogs::Client::new(c)
                .describe_log_groups()
                .send()
                .await
                .unwrap()
                .log_groups()
                .len(),
        ),
        (
            "services",
            aws_sdk_ecs::Client::new(c)
                .list_services()
                .cluster("app-cluster")
                .send()
                .await
                .unwrap()
                .service_arns()
                .len(),
        ),
        ("kms keys", customer_keys(c).await),
        (
            "trails",
            aws_sdk_cloudtrail::Client::new(c)
                .describe_trails()
                .send()
                .await
                .unwrap()
                .trail_list()
                .len(),
        ),
        (
            "buckets",
            s3_client(c)
                .list_buckets()
                .send()
                .await
                .unwrap()
                .buckets()
                .len(),
        ),
        (
            "topics",
            aws_sdk_sns::Client::new(c)
                .list_topics()
                .send()
                .await
                .unwrap()
                .topics()
                .len(),
        ),
    ]
}

/// The visitor-book stack's KMS keys not scheduled for deletion (KMS has no delete; moto
/// also lists the AWS managed keys it makes on first use, e.g. `aws/rds`).
async fn customer_keys(c: &aws_config::SdkConfig) -> usize {
    let kms = aws_sdk_kms::Client::new(c);
    let mut count = 0;
    for key in kms.list_keys().send().await.unwrap().keys() {
        let id = key.key_id().unwrap();
        let tags = kms.list_resource_tags().key_id(id).send().await.unwrap();
        let ours = tags
            .tags()
            .iter()
            .any(|t| t.tag_key() == "ecs-iac:stack" && t.tag_value() == "visitor-book");
        let described = kms.describe_key().key_id(id).send().await.unwrap();
        let state = described.key_metadata().unwrap().key_state();
        if ours && state != Some(&aws_sdk_kms::types::KeyState::PendingDeletion) {
            count += 1;
        }
    }
    count
}

const VISITOR_BOOK_COUNTS: [(&str, usize); 16] = [
    ("vpcs", 1),
    ("subnets", 6),
    ("security groups", 3),
    ("route tables", 3),
    ("elastic ips", 1),
    ("load balancers", 1),
    ("listeners", 2),
    ("target groups", 1),
    ("db instances", 1),
    ("roles", 3),
    ("log groups", 1),
    ("services", 1),
    ("kms keys", 1),
    ("trails", 1),
    ("buckets", 2),
    ("topics", 1),
];

/// Every create whose response is lost after AWS did the work, responses that come after
/// the client's timeout, and throttling and 5xx bursts: the apply finishes with exactly
/// one of each resource.
#[test]
fn lost_responses_throttling_and_server_errors_never_duplicate() {
    use crate::fault_proxy::{lose_first_create_responses, Fault, FaultProxy};
    use std::sync::Arc;
    let lose = lose_first_create_responses(&[]);
    let decide = Arc::new(move |n: usize, request: &str| match (n % 11, n % 17) {
        (3, _) => Fault::Throttle,
        (7, _) => Fault::ServerError,
        (_, 5) => Fault::SlowResponse,
        _ => lose(n, request),
    });
    let moto = Moto::start();
    let stack = visitor_book::stack_with_certificate(&moto.seed());
    let proxy = FaultProxy::start(&moto.endpoint, decide);
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("vb.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let mut cfg = config(&moto);
        cfg.endpoint_url = Some(proxy.endpoint.clone());
        // Short, but long enough (1.5 s over five attempts) for the emulator to take new
        // connections again when a burst of parallel creates briefly overloads it.
        cfg.create_backoff = Duration::from_millis(100);
        // About a quarter of all requests fail here; five attempts (the default) leave a
        // few per cent of runs with some create failing every time. What is tested is
        // that nothing is duplicated, so creates get more attempts.
        cfg.create_attempts = 10;
        cfg.attempt_timeout = crate::fault_proxy::SLOW / 2;
        cfg.operation_timeout = crate::fault_proxy::SLOW * 8;
        let aws = Aws::connect(cfg, stack.pinned_region())
            .await
            .expect("connects through the proxy");
        let report = apply_stack(&aws, &stack, &lock, State::empty("visitor-book")).await;
        assert!(
            proxy.injected.load(std::sync::atomic::Ordering::SeqCst) > 20,
            "faults were injected"
        );
        let c = sdk(&moto).await;
        assert_eq!(count_all(&c).await, VISITOR_BOOK_COUNTS);
        // Revisions are append-only: the lost registration was adopted by its request hash.
        let revisions = aws_sdk_ecs::Client::new(&c)
            .list_task_definitions()
            .send()
            .await
            .unwrap();
        assert_eq!(revisions.task_definition_arns().len(), 1);
        assert!(!plan(&stack, &report.state).unwrap().has_changes());
    });
}

pub(crate) fn example_binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let debug = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let path = debug.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo test` builds the examples",
        path.display()
    );
    path
}

fn example(
    moto: &Moto,
    certificate: &str,
    state: &std::path::Path,
    args: &[&str],
) -> std::process::Command {
    let mut cmd = std::process::Command::new(example_binary("visitor_book"));
    cmd.arg("--state")
        .arg(state)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("VISITOR_BOOK_CERTIFICATE_ARN", certificate)
        .stdin(std::process::Stdio::null());
    cmd
}

/// `kill -9` at several points of an apply, then a re-run: it converges with exactly one
/// of each resource, the state file stays valid throughout, and the next plan is empty.
#[test]
fn a_killed_apply_rerun_converges_without_duplicates() {
    let moto = Moto::start();
    let certificate = moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("vb.state.json");
    let apply_args = ["apply", "--yes", "--quiet", "--poll-seconds", "1"];
    for delay_ms in [120, 350, 800, 1500] {
        let mut child = example(&moto, &certificate, &state, &apply_args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // The re-run starts at once: requests the killed run sent may still be in flight
        // at the server. The engine looks such resources up until they settle.
        if state.exists() {
            let text = std::fs::read_to_string(&state).unwrap();
            State::from_json(&text)
                .unwrap_or_else(|e| panic!("state after kill at {delay_ms} ms is invalid: {e}"));
        }
    }
    let out = example(&moto, &certificate, &state, &apply_args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "re-run failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    runtime()
        .block_on(async { assert_eq!(count_all(&sdk(&moto).await).await, VISITOR_BOOK_COUNTS) });
    let plan = example(
        &moto,
        &certificate,
        &state,
        &["plan", "--detailed-exitcode"],
    )
    .output()
    .unwrap();
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plan.stdout)
    );
}

/// Sends `signal` (`INT` for Ctrl-C, `TERM`) to an apply of visitor-book once it has
/// saved a few resources, and checks that no new work started, what was done is saved,
/// the exit code is 130 and the lock is released. Returns the emulator, the directory and
/// the state file for the re-run.
fn interrupted_apply(signal: &str) -> (Moto, String, tempfile::TempDir, std::path::PathBuf) {
    let moto = Moto::start();
    let certificate = moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("vb.state.json");
    let child = example(
        &moto,
        &certificate,
        &state,
        &[
            "apply",
            "--yes",
            "--parallelism",
            "1",
            "--poll-seconds",
            "1",
        ],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let started = std::time::Instant::now();
    let saved = |min: usize| {
        std::fs::read_to_string(&state)
            .ok()
            .and_then(|t| State::from_json(&t).ok())
            .is_some_and(|s| s.resources.len() >= min)
    };
    while !saved(3) && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let interrupt = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(130),
        "SIG{signal}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let interrupted = State::from_json(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert!(
        (3..78).contains(&interrupted.resources.len()),
        "stopped part way: {} resources saved",
        interrupted.resources.len()
    );
    assert!(stdout.contains("not started"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("■ interrupted: no new work starts; waiting for"),
        "says what it waits for: {stderr}"
    );
    assert!(!dir.path().join("vb.state.json.lock").exists());
    (moto, certificate, dir, state)
}

/// SIGTERM (what `docker stop`, systemd and CI runners send) stops an apply exactly like
/// the first Ctrl-C.
#[test]
fn sigterm_stops_the_apply_like_ctrl_c() {
    let (moto, certificate, _dir, state) = interrupted_apply("TERM");
    let rerun = example(
        &moto,
        &certificate,
        &state,
        &["apply", "--yes", "--quiet", "--poll-seconds", "1"],
    )
    .output()
    .unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    runtime()
        .block_on(async { assert_eq!(count_all(&sdk(&moto).await).await, VISITOR_BOOK_COUNTS) });
}

/// Ctrl-C (a real SIGINT) in the middle of an apply: no new work starts, what was done is
/// saved, the exit code is 130, and the next apply finishes with no duplicates.
#[test]
fn ctrl_c_stops_the_apply_saves_state_and_a_rerun_converges() {
    let (moto, certificate, _dir, state) = interrupted_apply("INT");
    let rerun = example(
        &moto,
        &certificate,
        &state,
        &["apply", "--yes", "--quiet", "--poll-seconds", "1"],
    )
    .output()
    .unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    runtime()
        .block_on(async { assert_eq!(count_all(&sdk(&moto).await).await, VISITOR_BOOK_COUNTS) });

    // The state file is lost: `state recover` rebuilds it and the next plan is empty.
    std::fs::remove_file(&state).unwrap();
    let recover = example(&moto, &certificate, &state, &["state", "recover", "--yes"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&recover.stderr);
    assert!(
        recover.status.success(),
        "{}\n{said}",
        String::from_utf8_lossy(&recover.stdout),
    );
    assert!(said.contains("✓ adopt app-vpc"), "{said}");
    assert!(!said.contains("create"), "recovery creates nothing: {said}");
    let again = example(&moto, &certificate, &state, &["state", "recover"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1), "refuses to overwrite a state");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already records"));
    let plan = example(
        &moto,
        &certificate,
        &state,
        &["plan", "--detailed-exitcode"],
    )
    .output()
    .unwrap();
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plan.stdout)
    );
}

/// A second apply while one runs fails at once on the lock, naming the holder; the first
/// finishes and the state is intact.
#[test]
fn a_concurrent_apply_fails_on_the_lock() {
    let moto = Moto::start();
    let certificate = moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("vb.state.json");
    let apply_args = ["apply", "--yes", "--quiet", "--poll-seconds", "1"];
    let first = example(&moto, &certificate, &state, &apply_args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = dir.path().join("vb.state.json.lock");
    let started = std::time::Instant::now();
    while !lock.exists() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = example(&moto, &certificate, &state, &apply_args)
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(
        err.contains(&format!("is locked by pid {}", first.id())),
        "{err}"
    );
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success());
    let saved = State::from_json(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved.resources.len(), 78);
    assert!(!lock.exists(), "the lock is released");

    // `output --json` prints what the load balancer and the database report.
    let out = example(&moto, &certificate, &state, &["output", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outputs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (dns, endpoint) = runtime().block_on(async {
        let c = sdk(&moto).await;
        let lbs = aws_sdk_elasticloadbalancingv2::Client::new(&c)
            .describe_load_balancers()
            .names("app-alb")
            .send()
            .await
            .unwrap();
        let db = aws_sdk_rds::Client::new(&c)
            .describe_db_instances()
            .db_instance_identifier("app-postgres")
            .send()
            .await
            .unwrap();
        let endpoint = db.db_instances()[0].endpoint().unwrap().clone();
        (
            lbs.load_balancers()[0].dns_name().unwrap().to_string(),
            format!(
                "{}:{}",
                endpoint.address().unwrap(),
                endpoint.port().unwrap()
            ),
        )
    });
    assert_eq!(outputs["alb-dns-name"]["value"], dns.as_str());
    assert_eq!(outputs["url"]["value"], format!("https://{dns}/"));
    assert_eq!(outputs["database-endpoint"]["value"], endpoint.as_str());
    assert!(outputs["alb-dns-name"]["description"].is_string());
    let one = example(&moto, &certificate, &state, &["output", "alb-dns-name"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&one.stdout).trim(), dns);
    let missing = example(&moto, &certificate, &state, &["output", "nope"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no output `nope`"));
}

/// Cancelling (what Ctrl-C does) stops starting work, lets in-flight calls finish, and
/// saves them; the next apply picks up from the saved state.
#[test]
fn a_cancelled_apply_saves_what_it_did_and_resumes() {
    use ecs_iac::aws::Event;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let moto = Moto::start();
    let stack = visitor_book::stack_with_certificate(&moto.seed());
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("vb.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .expect("connects");
        let cancel = Arc::new(AtomicBool::new(false));
        let (flag, finished) = (cancel.clone(), Arc::new(AtomicUsize::new(0)));
        let options = ApplyOptions {
            cancel,
            on_event: Arc::new(move |event: &Event| {
                if matches!(event, Event::Finished { .. })
                    && finished.fetch_add(1, Ordering::SeqCst) + 1 == 10
                {
                    flag.store(true, Ordering::SeqCst);
                }
            }),
            ..ApplyOptions::default()
        };
        let plan = plan(&stack, &State::empty("visitor-book")).unwrap();
        let report = apply(&aws, &plan, &lock, State::empty("visitor-book"), &options)
            .await
            .unwrap();
        assert!(report.interrupted && !report.succeeded());
        assert!(
            report.done.len() >= 10 && !report.skipped.is_empty(),
            "{} done, {} skipped",
            report.done.len(),
            report.skipped.len()
        );
        let saved = crate::ready(store.load("visitor-book")).unwrap();
        assert_eq!(saved, report.state, "what was done is saved");
        for (address, _) in &report.done {
            assert_eq!(
                saved.resources[address].status,
                ResourceStatus::Created,
                "{address}"
            );
        }
        let resumed = apply_stack(&aws, &stack, &lock, saved).await;
        assert_eq!(
            resumed.done.len() + report.done.len(),
            78,
            "only the rest ran"
        );
        assert_eq!(count_all(&sdk(&moto).await).await, VISITOR_BOOK_COUNTS);
    });
}

/// A lost state file is rebuilt from the ownership tags in the account: every resource is
/// adopted with the id it had, nothing is created, and the next plan is empty.
#[test]
fn state_recover_rebuilds_a_lost_state_file() {
    let moto = Moto::start();
    let stack = visitor_book::stack_with_certificate(&moto.seed());
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("vb.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .expect("connects");
        let report = apply_stack(&aws, &stack, &lock, State::empty("visitor-book")).await;
        std::fs::remove_file(store.path().unwrap()).unwrap();

        let recovered = ecs_iac::aws::recover(
            &aws,
            synth(&stack).unwrap(),
            &lock,
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(recovered.succeeded(), "{:#?}", recovered.failed);
        for (address, original) in &report.state.resources {
            let found = &recovered.state.resources[address];
            assert_eq!(found.status, ResourceStatus::Created, "{address}");
            // PutScalingPolicy is an upsert that moto answers with a new policy ARN.
            if original.kind != Kind::SCALING_POLICY {
                assert_eq!(found.id, original.id, "{address} keeps its id");
            }
        }
        assert_eq!(
            count_all(&sdk(&moto).await).await,
            VISITOR_BOOK_COUNTS,
            "nothing was created"
        );
        let saved = crate::ready(store.load("visitor-book")).unwrap();
        let after = plan(&stack, &saved).unwrap();
        assert!(!after.has_changes(), "{}", after.render_text());
    });
}

/// `import` adopts resources made outside ecs-iac: the next apply changes them instead of
/// creating second ones.
#[test]
fn import_adopts_existing_resources() {
    let moto = Moto::start();
    let mut stack = Stack::new("imports").region("us-east-1");
    stack.add(LogGroup::new("app-logs", "/ecs/imported").retention_days(30));
    stack.add(Role::new("app-role", Principal::ecs_tasks()).role_name("imported-role"));
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("imports.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let c = sdk(&moto).await;
        let logs = aws_sdk_cloudwatchlogs::Client::new(&c);
        logs.create_log_group()
            .log_group_name("/ecs/imported")
            .send()
            .await
            .unwrap();
        let iam = aws_sdk_iam::Client::new(&c);
        iam.create_role()
            .role_name("imported-role")
            .assume_role_policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            )
            .send()
            .await
            .unwrap();
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .expect("connects");
        let desired = synth(&stack).unwrap();
        let mut state = State::empty("imports");
        for (address, id) in [("app-logs", "/ecs/imported"), ("app-role", "imported-role")] {
            let report = ecs_iac::aws::import(
                &aws,
                desired.clone(),
                address,
                id,
                &lock,
                state,
                &ApplyOptions::default(),
            )
            .await
            .unwrap();
            assert!(report.succeeded(), "{:#?}", report.failed);
            assert_eq!(report.state.resources[address].id.as_deref(), Some(id));
            state = report.state;
        }
        let err = ecs_iac::aws::import(
            &aws,
            desired.clone(),
            "app-logs",
            "/ecs/imported",
            &lock,
            state.clone(),
            &ApplyOptions::default(),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("already in state"), "{err}");
        let rest = plan(&stack, &state).unwrap();
        let creates: Vec<&str> = rest
            .actions
            .iter()
            .filter(|a| a.action == Action::Create)
            .map(|a| a.address.as_str())
            .collect();
        assert_eq!(creates, ["app-logs#retention"], "{}", rest.render_text());
        let report = apply_stack(&aws, &stack, &lock, state).await;
        assert!(report.succeeded());
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix("/ecs/imported")
            .send()
            .await
            .unwrap();
        assert_eq!(groups.log_groups().len(), 1);
        assert_eq!(groups.log_groups()[0].retention_in_days(), Some(30));
    });
}
