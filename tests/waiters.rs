//! Readiness waits against a scripted AWS (a loopback HTTP server answering with canned
//! responses): moto makes everything ready at once, so pending states, failures, the
//! circuit breaker and deadlines are tested here.

use crate::fault_proxy::{operation, read_request};
use ecs_iac::aws::body::Req;
use ecs_iac::aws::providers::{Outcome, Target};
use ecs_iac::aws::{Aws, EngineConfig};
use ecs_iac::Kind;
use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// One canned answer: content type and body (HTTP 200, or 400 for an EC2 error document).
pub(crate) type Answer = (&'static str, String);

/// A scripted AWS endpoint: `answer(operation, n)` answers the n-th call (from 0) of
/// each operation other than STS's, which it answers itself.
pub(crate) struct ScriptedAws {
    endpoint: String,
    calls: Arc<AtomicUsize>,
    /// Every request other than STS's, head and body, in order.
    pub(crate) requests: Arc<std::sync::Mutex<Vec<String>>>,
}

impl ScriptedAws {
    pub(crate) fn start(
        answer: impl Fn(&str, usize) -> Answer + Send + Sync + 'static,
    ) -> ScriptedAws {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let calls = Arc::new(AtomicUsize::new(0));
        let requests: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let (counter, seen) = (calls.clone(), requests.clone());
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                let Ok(request) = read_request(&mut conn) else {
                    continue;
                };
                let text = String::from_utf8_lossy(&request).into_owned();
                let op = operation(&text);
                let (content_type, body) = if op == "GetCallerIdentity" {
                    ("text/xml", STS.to_string())
                } else {
                    seen.lock().unwrap().push(text);
                    answer(&op, counter.fetch_add(1, Ordering::SeqCst))
                };
                // An EC2 error document is answered as the error it is.
                let status = if body.contains("<Errors>") {
                    "400 Bad Request"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    conn,
                    "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        ScriptedAws {
            endpoint,
            calls,
            requests,
        }
    }

    pub(crate) async fn connect(&self, wait_deadline: Duration) -> Aws {
        self.connect_with(wait_deadline, false).await
    }

    async fn connect_with(&self, wait_deadline: Duration, apply_immediately: bool) -> Aws {
        let config = EngineConfig {
            apply_immediately,
            endpoint_url: Some(self.endpoint.clone()),
            region: Some("us-east-1".into()),
            static_credentials: Some(("testing".into(), "testing".into())),
            poll_interval: Duration::from_millis(10),
            wait_deadline,
            ..EngineConfig::default()
        };
        Aws::connect(config, None).await.unwrap()
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

pub(crate) const STS: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/test</Arn><UserId>AID</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#;

const TASK: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:2";
const PREVIOUS: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/app:1";

fn ecs_service(deployments: &[(&str, &str, &str, &str)]) -> Answer {
    let deployments: Vec<_> = deployments
        .iter()
        .map(|(id, status, task, rollout)| {
            serde_json::json!({
                "id": id, "status": status, "taskDefinition": task,
                "rolloutState": rollout,
                "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start.",
                "desiredCount": 2, "runningCount": 1
            })
        })
        .collect();
    let body = serde_json::json!({
        "services": [{
            "serviceName": "app-service",
            "status": "ACTIVE",
            "deployments": deployments,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": true, "rollback": true}
            },
            "events": [{"id": "e1", "message": "(service app-service) has started 1 tasks: (task 1)."}]
        }],
        "failures": []
    });
    ("application/x-amz-json-1.1", body.to_string())
}

fn nat(state: &str) -> Answer {
    (
        "text/xml",
        format!(
            r#"<DescribeNatGatewaysResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-2</requestId><natGatewaySet><item><natGatewayId>nat-1</natGatewayId><state>{state}</state><failureCode>InsufficientFreeAddressesInSubnet</failureCode><failureMessage>Subnet has insufficient free addresses to create this NAT gateway</failureMessage></item></natGatewaySet></DescribeNatGatewaysResponse>"#
        ),
    )
}

fn db(status: &str) -> Answer {
    (
        "text/xml",
        format!(
            r#"<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBInstancesResult><DBInstances><DBInstance><DBInstanceIdentifier>app-postgres</DBInstanceIdentifier><DBInstanceStatus>{status}</DBInstanceStatus></DBInstance></DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></DescribeDBInstancesResponse>"#
        ),
    )
}

/// Waits for `kind` (with request `body`) whose id is `id`.
async fn wait(aws: &Aws, kind: Kind, id: &str, body: serde_json::Value) -> Result<(), String> {
    let target = Target {
        stack: "visitor-book",
        address: "thing",
        kind,
        req: Req {
            address: "thing",
            body: &body,
        },
        changed: &[],
    };
    let mut outcome = Outcome {
        id: id.to_string(),
        attributes: BTreeMap::new(),
    };
    aws.wait_ready(&target, &mut outcome)
        .await
        .map_err(|e| e.to_string())
}

fn service_request() -> serde_json::Value {
    serde_json::json!({"cluster": "app-cluster", "serviceName": "app-service", "taskDefinition": TASK})
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn an_ecs_deployment_is_ready_when_its_rollout_completes() {
    let aws_side = ScriptedAws::start(|op, n| {
        assert_eq!(op, "DescribeServices");
        let state = if n < 2 { "IN_PROGRESS" } else { "COMPLETED" };
        ecs_service(&[("d2", "PRIMARY", TASK, state)])
    });
    runtime().block_on(async {
        let aws = aws_side.connect(Duration::from_secs(30)).await;
        wait(&aws, Kind::SERVICE, "app-service", service_request())
            .await
            .unwrap();
    });
    assert_eq!(aws_side.calls(), 3, "polled until COMPLETED");
}

#[test]
fn a_circuit_breaker_rollback_fails_fast_with_the_reason() {
    let aws_side = ScriptedAws::start(|_, n| {
        if n == 0 {
            ecs_service(&[("d2", "PRIMARY", TASK, "IN_PROGRESS")])
        } else {
            // The breaker tripped: the rollback to the previous revision is PRIMARY now.
            ecs_service(&[
                ("d3", "PRIMARY", PREVIOUS, "IN_PROGRESS"),
                ("d2", "ACTIVE", TASK, "FAILED"),
            ])
        }
    });
    let error = runtime().block_on(async {
        let aws = aws_side.connect(Duration::from_secs(30)).await;
        wait(&aws, Kind::SERVICE, "app-service", service_request())
            .await
            .unwrap_err()
    });
    assert_eq!(
        error,
        "thing: ECS service deployment: deployment d2 failed and the circuit breaker rolled it back: \
         ECS deployment circuit breaker: tasks failed to start.; latest service event: \
         (service app-service) has started 1 tasks: (task 1)."
    );
    assert_eq!(
        aws_side.calls(),
        2,
        "failed on the first poll that showed it"
    );
}

#[test]
fn a_wait_past_its_deadline_says_where_it_stood() {
    let aws_side =
        ScriptedAws::start(|_, _| ecs_service(&[("d2", "PRIMARY", TASK, "IN_PROGRESS")]));
    let error = runtime().block_on(async {
        let aws = aws_side.connect(Duration::from_millis(200)).await;
        wait(&aws, Kind::SERVICE, "app-service", service_request())
            .await
            .unwrap_err()
    });
    assert!(
        error.starts_with(
            "thing: ECS service deployment: still `IN_PROGRESS, 1/2 tasks running` after"
        ),
        "{error}"
    );
    assert!(aws_side.calls() >= 2);
}

#[test]
fn a_nat_gateway_waits_while_pending_and_reports_a_failure() {
    let aws_side = ScriptedAws::start(|op, n| {
        assert_eq!(op, "DescribeNatGateways");
        nat(if n < 2 { "pending" } else { "failed" })
    });
    let error = runtime().block_on(async {
        let aws = aws_side.connect(Duration::from_secs(30)).await;
        wait(&aws, Kind::NAT_GATEWAY, "nat-1", serde_json::json!({}))
            .await
            .unwrap_err()
    });
    assert_eq!(
        error,
        "thing: NAT gateway: Subnet has insufficient free addresses to create this NAT gateway"
    );
    assert_eq!(aws_side.calls(), 3);
}

#[test]
fn an_rds_instance_is_ready_when_available() {
    let aws_side = ScriptedAws::start(|op, n| {
        assert_eq!(op, "DescribeDBInstances");
        db(["creating", "backing-up", "available"][n.min(2)])
    });
    runtime().block_on(async {
        let aws = aws_side.connect(Duration::from_secs(30)).await;
        wait(
            &aws,
            Kind::DB_INSTANCE,
            "app-postgres",
            serde_json::json!({}),
        )
        .await
        .unwrap();
    });
    assert_eq!(aws_side.calls(), 3);
}

fn replication_group(operation: &str, status: &str) -> Answer {
    let group = format!(
        "<ReplicationGroup><ReplicationGroupId>cache</ReplicationGroupId><Status>{status}</Status></ReplicationGroup>"
    );
    let result = if operation == "ModifyReplicationGroup" {
        group
    } else {
        format!("<ReplicationGroups>{group}</ReplicationGroups>")
    };
    (
        "text/xml",
        format!(
            r#"<{operation}Response xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/"><{operation}Result>{result}</{operation}Result><ResponseMetadata><RequestId>r-4</RequestId></ResponseMetadata></{operation}Response>"#
        ),
    )
}

/// ElastiCache changes are sent as one ModifyReplicationGroup (moto drops these fields,
/// so this is checked on the wire), then the engine waits until the group is available.
#[test]
fn an_elasticache_modify_sends_the_changes_and_waits_until_available() {
    let aws_side = ScriptedAws::start(|op, n| match op {
        "ModifyReplicationGroup" => replication_group(op, "modifying"),
        _ => replication_group(op, if n < 2 { "modifying" } else { "available" }),
    });
    runtime().block_on(async {
        let aws = aws_side.connect_with(Duration::from_secs(30), true).await;
        let body = serde_json::json!({
            "ReplicationGroupId": "cache",
            "ReplicationGroupDescription": "sessions",
            "CacheNodeType": "cache.t3.medium",
            "AutomaticFailoverEnabled": true,
            "MultiAZEnabled": true,
            "SecurityGroupIds": ["sg-1"],
            "AuthToken": "${cache-token.secret_value}"
        });
        let target = Target {
            stack: "s",
            address: "cache",
            kind: Kind::REPLICATION_GROUP,
            req: Req {
                address: "cache",
                body: &body,
            },
            changed: &[],
        };
        let attributes = BTreeMap::new();
        let recorded = ecs_iac::aws::providers::Existing {
            address: "cache",
            kind: Kind::REPLICATION_GROUP,
            id: "cache",
            attributes: &attributes,
            deletion: Default::default(),
        };
        aws.update(&target, &recorded).await.unwrap();
    });
    let requests = aws_side.requests.lock().unwrap().clone();
    let modify = requests
        .iter()
        .find(|r| r.contains("Action=ModifyReplicationGroup"))
        .expect("a modify call");
    for field in [
        "ReplicationGroupId=cache",
        "CacheNodeType=cache.t3.medium",
        "AutomaticFailoverEnabled=true",
        "MultiAZEnabled=true",
        "ApplyImmediately=true",
    ] {
        assert!(modify.contains(field), "{field} in {modify}");
    }
    assert!(
        !modify.contains("AuthToken"),
        "the token is not part of a modify"
    );
    assert_eq!(
        aws_side.calls(),
        3,
        "one modify, a poll while modifying, one when available"
    );
}

/// Runs `plan` from `state` against `aws`, interrupting it (as the first Ctrl-C does)
/// once a resource reports that it waits; returns the report and the events.
async fn interrupt_while_waiting(
    aws: &Aws,
    plan: &ecs_iac::Plan,
    state: ecs_iac::State,
) -> (ecs_iac::aws::ApplyReport, Vec<ecs_iac::aws::Event>) {
    use ecs_iac::aws::{apply, ApplyOptions, Event, StateStore};
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("s.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    let events: Arc<std::sync::Mutex<Vec<Event>>> = Arc::default();
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (seen, stop) = (events.clone(), cancel.clone());
    let options = ApplyOptions {
        cancel: cancel.clone(),
        on_event: Arc::new(move |e: &Event| {
            if matches!(e, Event::Waiting { .. }) {
                stop.store(true, Ordering::SeqCst);
            }
            seen.lock().unwrap().push(e.clone());
        }),
        ..ApplyOptions::default()
    };
    // The wait deadline is ten minutes: without the interrupt reaching the wait, this
    // bound fails the test instead of hanging it.
    let report = tokio::time::timeout(
        Duration::from_secs(120),
        apply(aws, plan, &lock, state, &options),
    )
    .await
    .expect("the interrupt did not reach the wait")
    .unwrap();
    let events = events.lock().unwrap().clone();
    (report, events)
}

/// A state holding `address` of `kind` as created, with the request `body`.
fn created(address: &str, kind: Kind, id: &str, body: serde_json::Value) -> ecs_iac::State {
    let mut state = ecs_iac::State::empty("s");
    state.resources.insert(
        address.into(),
        ecs_iac::ResourceState {
            kind,
            operation: kind.create_operation().to_string(),
            status: ecs_iac::ResourceStatus::Created,
            id: Some(id.into()),
            attributes: BTreeMap::from([("id".to_string(), id.to_string())]),
            request: body,
            depends_on: Vec::new(),
            pending_since: None,
            allow_destroy: true,
            deletion: Default::default(),
        },
    );
    state
}

#[test]
fn an_interrupt_ends_a_deployment_wait_and_says_what_it_waited_for() {
    let aws_side = ScriptedAws::start(|op, _| match op {
        "UpdateService" => ("application/x-amz-json-1.1", "{}".to_string()),
        _ => ecs_service(&[("d2", "PRIMARY", TASK, "IN_PROGRESS")]),
    });
    let (report, events) = runtime().block_on(async {
        let aws = aws_side.connect(Duration::from_secs(600)).await;
        let mut desired = service_request();
        desired["desiredCount"] = serde_json::json!(3);
        let mut applied = service_request();
        applied["desiredCount"] = serde_json::json!(2);
        let state = created("app-service", Kind::SERVICE, "app-service", applied.clone());
        let plan = ecs_iac::plan_synth(
            ecs_iac::Synth {
                stack: "s".into(),
                nodes: vec![ecs_iac::Node {
                    address: "app-service".into(),
                    resource: "app-service".into(),
                    kind: Kind::SERVICE,
                    operation: Kind::SERVICE.create_operation(),
                    body: desired,
                    depends_on: Vec::new(),
                    data_source: false,
                    protection: Default::default(),
                    initial_value: None,
                }],
                outputs: Vec::new(),
            },
            &state,
        );
        assert_eq!(plan.actions[0].action, ecs_iac::Action::Update);
        interrupt_while_waiting(&aws, &plan, state).await
    });
    assert!(report.interrupted);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.skipped, ["app-service"]);
    let waiting = events.iter().find_map(|e| match e {
        ecs_iac::aws::Event::Waiting { message, .. } => Some(message.clone()),
        _ => None,
    });
    let waiting = waiting.expect("a waiting event");
    assert!(
        waiting.contains("IN_PROGRESS, 1/2 tasks running"),
        "{waiting}"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        ecs_iac::aws::Event::Interrupted { waiting_for, .. } if waiting_for.contains("IN_PROGRESS")
    )));
    // The state still holds the request applied before: the next apply sends it again.
    assert_eq!(
        report.state.resources["app-service"].request["desiredCount"],
        2
    );
}

#[test]
fn an_interrupt_ends_a_delete_retried_on_dependency_violation() {
    let aws_side = ScriptedAws::start(|op, _| {
        assert_eq!(op, "DeleteSubnet");
        (
            "text/xml",
            r#"<Response><Errors><Error><Code>DependencyViolation</Code><Message>The subnet 'subnet-1' has dependencies and cannot be deleted.</Message></Error></Errors><RequestID>r-9</RequestID></Response>"#.to_string(),
        )
    });
    let (report, events) = runtime().block_on(async {
        let aws = aws_side.connect(Duration::from_secs(600)).await;
        let state = created("subnet", Kind::SUBNET, "subnet-1", serde_json::json!({}));
        let plan = ecs_iac::plan_destroy(&state);
        interrupt_while_waiting(&aws, &plan, state).await
    });
    assert!(report.interrupted);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(
        report.state.resources.contains_key("subnet"),
        "not forgotten"
    );
    let waiting = events.iter().find_map(|e| match e {
        ecs_iac::aws::Event::Waiting { message, .. } => Some(message.clone()),
        _ => None,
    });
    let waiting = waiting.expect("a waiting event");
    assert!(
        waiting.starts_with("DependencyViolation; retrying the delete, "),
        "{waiting}"
    );
}
