//! Secret values never leak: a sentinel secret value is used where a stack can use one
//! (an RDS master password and an ElastiCache AUTH token from Secrets Manager, a container
//! secret), and no output carries it: synth, plan, validate, lint, state, progress
//! events, logs, or errors, including an AWS error that echoes the request.

use crate::fault_proxy::{Fault, FaultProxy};
use crate::moto::Moto;
use ecs_iac::aws::{apply, ApplyOptions, Aws, EngineConfig, Event, StateStore};
use ecs_iac::prelude::*;
use ecs_iac::{lint, plan_synth};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing_subscriber::util::SubscriberInitExt;

const SENTINEL: &str = "Sentinel-Secret-Value-7f3a9c";
const SECRET_NAME: &str = "secret-check/db-password";

fn stack() -> Stack {
    let mut stack = Stack::new("secret-check").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.9.0.0/16")));
    let a = stack.add(Subnet::isolated(
        "a",
        &vpc,
        cidr("10.9.1.0/24"),
        Az::US_EAST_1A,
    ));
    let b = stack.add(Subnet::isolated(
        "b",
        &vpc,
        cidr("10.9.2.0/24"),
        Az::US_EAST_1B,
    ));
    let sg = stack.add(SecurityGroup::new("data-sg", &vpc).no_egress());
    let password = stack.add(SecretRef::by_name("db-password", SECRET_NAME));
    let db_subnets = stack.add(DbSubnetGroup::new("db-subnets", [&a, &b]));
    stack.add(
        DbInstance::new(
            "db",
            DbEngine::Postgres,
            DbInstanceClass::T3_SMALL,
            20,
            &db_subnets,
            "admin_user",
            MasterPassword::FromSecret(password.clone()),
        )
        .storage_encrypted(true)
        .security_group(&sg),
    );
    let cache_subnets = stack.add(CacheSubnetGroup::new("cache-subnets", [&a, &b]));
    stack.add(
        ReplicationGroup::new(
            "cache",
            CacheEngine::Redis,
            "cache.t3.micro",
            &cache_subnets,
        )
        .auth_token(&password)
        .security_group(&sg),
    );
    let logs = stack.add(LogGroup::new("logs", "/ecs/secret-check").retention_days(7));
    let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
    let task = stack.add(
        TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
            .execution_role(&exec)
            .container(
                Container::new("app", image("app:1.0.0"))
                    .secret("DB_PASSWORD", &password)
                    .logs(LogConfig::awslogs(&logs, "app")),
            ),
    );
    stack.grant(password.grant_read(&task)).unwrap();
    stack
}

/// A writer into a shared buffer, for the log subscriber.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[test]
fn a_secret_value_appears_in_no_output() {
    let stack = stack();
    // Offline outputs.
    let mut outputs: Vec<(String, String)> = Vec::new();
    let synth = synth(&stack).unwrap();
    for file in synth.files() {
        outputs.push((format!("synth {}", file.path), file.contents));
    }
    let empty = plan_synth(synth.clone(), &State::empty("secret-check"));
    outputs.push(("plan text".into(), empty.render_text()));
    outputs.push(("plan json".into(), empty.to_json()));
    outputs.push((
        "validate".into(),
        serde_json::to_string(&validate(&stack)).unwrap(),
    ));
    let report = lint(&stack);
    outputs.push(("lint text".into(), report.to_text()));
    outputs.push(("lint sarif".into(), report.to_sarif().to_string()));

    // Apply: the first RDS create gets an AWS error echoing the request; the proxy
    // checks the sentinel really went over the wire (else this test would prove nothing).
    let moto = Moto::start();
    moto.seed();
    let seen_on_the_wire = Arc::new(AtomicUsize::new(0));
    let echoed = Arc::new(AtomicUsize::new(0));
    let (seen, echo) = (seen_on_the_wire.clone(), echoed.clone());
    let proxy = FaultProxy::start(
        &moto.endpoint,
        Arc::new(move |_, request: &str| {
            if request.contains(SENTINEL) {
                seen.fetch_add(1, Ordering::SeqCst);
                if request.contains("Action=CreateDBInstance")
                    && echo.fetch_add(1, Ordering::SeqCst) == 0
                {
                    return Fault::EchoError;
                }
            }
            Fault::Pass
        }),
    );
    let logs = Buffer::default();
    let events: Arc<Mutex<Vec<String>>> = Arc::default();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("sc.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    let log_writer = logs.clone();
    // Every log line of the engine and the AWS SDK, at the most verbose level a user can
    // ask for (`RUST_LOG=trace`).
    let _logging = tracing_subscriber::fmt()
        .with_env_filter(ecs_iac::cli::log_filter("trace"))
        .with_writer(move || log_writer.clone())
        .set_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (first, second) = runtime.block_on(async {
        let secrets = aws_sdk_secretsmanager::Client::new(&crate::apply::sdk(&moto).await);
        secrets
            .create_secret()
            .name(SECRET_NAME)
            .secret_string(SENTINEL)
            .send()
            .await
            .unwrap();
        let config = EngineConfig {
            endpoint_url: Some(proxy.endpoint.clone()),
            static_credentials: Some(("testing".into(), "testing".into())),
            poll_interval: Duration::from_millis(100),
            wait_deadline: Duration::from_secs(60),
            ..EngineConfig::default()
        };
        let aws = Aws::connect(config, stack.pinned_region()).await.unwrap();
        let sink = events.clone();
        let options = ApplyOptions {
            on_event: Arc::new(move |e: &Event| {
                sink.lock().unwrap().push(serde_json::to_string(e).unwrap());
            }),
            ..ApplyOptions::default()
        };
        let plan = plan(&stack, &State::empty("secret-check")).unwrap();
        let first = apply(&aws, &plan, &lock, State::empty("secret-check"), &options)
            .await
            .unwrap();
        let plan = plan_synth(synth.clone(), &first.state);
        let second = apply(&aws, &plan, &lock, first.state.clone(), &options)
            .await
            .unwrap();
        (first, second)
    });
    assert_eq!(
        echoed.load(Ordering::SeqCst),
        2,
        "the first CreateDBInstance got the echoing error, the second went through"
    );
    assert!(
        seen_on_the_wire.load(Ordering::SeqCst) >= 3,
        "the value was sent to AWS (RDS twice, ElastiCache once)"
    );
    assert_eq!(first.failed.len(), 1, "{:#?}", first.failed);
    assert!(first.failed[0].1.contains("InvalidParameterValue"));
    assert!(first.failed[0].1.contains("***"), "{}", first.failed[0].1);
    assert!(second.succeeded(), "{:#?}", second.failed);
    // The cache records its endpoints once available (moto reports them too).
    let cache = &second.state.resources["cache"].attributes;
    assert!(
        ["primary_endpoint", "reader_endpoint", "port"]
            .iter()
            .all(|a| cache.get(*a).is_some_and(|v| !v.is_empty())),
        "{cache:?}"
    );
    outputs.push(("first apply errors".into(), format!("{:?}", first.failed)));
    outputs.push(("second apply report".into(), format!("{second:?}")));
    outputs.push((
        "state file".into(),
        std::fs::read_to_string(store.path().unwrap()).unwrap(),
    ));
    outputs.push(("progress events".into(), events.lock().unwrap().join("\n")));
    outputs.push(("logs".into(), logs.text()));
    let after = plan_synth(synth, &second.state);
    outputs.push(("plan after apply".into(), after.render_text()));
    assert!(logs.text().contains("TRACE"), "the logs were captured");

    for (name, text) in &outputs {
        let leaks: Vec<&str> = text.lines().filter(|l| l.contains(SENTINEL)).collect();
        assert!(
            leaks.is_empty(),
            "the secret value leaked into {name}:\n{}",
            leaks.join("\n")
        );
    }
}
