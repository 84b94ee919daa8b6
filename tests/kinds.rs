//! The planner and the executor agree on every kind: for every field of every request the
//! examples (and a small stack with the kinds they lack) render, a changed value is
//! planned either as a replacement or as an update the executor accepts, and every kind
//! whose spec says it has a modify call does have one in its provider.

use crate::{fintech, fintech_hardened, visitor_book};
use ecs_iac::aws::body::Req;
use ecs_iac::aws::engine::update_modes;
use ecs_iac::aws::providers::{Existing, Target};
use ecs_iac::aws::{Aws, EngineConfig};
use ecs_iac::prelude::*;
use ecs_iac::{
    plan_synth, Action, FieldChange, Kind, Node, ResourceState, ResourceStatus, Updates,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::net::TcpListener;
use std::time::Duration;

/// The kinds the examples do not render: an ElastiCache replication group and its subnet
/// group, a public subnet's attribute, an ECR repository and its lifecycle policy, an SNS
/// subscription, a KMS key with its rotation and alias.
fn cache_stack() -> Stack {
    let mut stack = Stack::new("cache").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.9.0.0/16")));
    let a = stack.add(Subnet::private(
        "a",
        &vpc,
        cidr("10.9.1.0/24"),
        Az::US_EAST_1A,
    ));
    let b = stack.add(Subnet::private(
        "b",
        &vpc,
        cidr("10.9.2.0/24"),
        Az::US_EAST_1B,
    ));
    stack.add(
        Subnet::public("public", &vpc, cidr("10.9.3.0/24"), Az::US_EAST_1A).map_public_ip(true),
    );
    stack.add(
        Repository::new("repo", "cache/app")
            .tag_mutability(TagMutability::Immutable)
            .lifecycle(LifecycleRule::keep_last(10)),
    );
    stack.add(
        Topic::new("topic", "cache-events")
            .display_name("Cache events")
            .subscribe(Subscription::email("ops@example.com")),
    );
    stack.add(
        KmsKey::new("key")
            .description("cache data")
            .alias("alias/cache-data"),
    );
    stack.add(
        Secret::new(
            "cache-token",
            "cache/token",
            SecretValue::generated(Password::new(32)),
        )
        .description("cache AUTH token")
        .policy(
            Statement::allow(["secretsmanager:GetSecretValue"])
                .principal(Principal::Aws("arn:aws:iam::123456789012:root".into())),
        ),
    );
    stack.add(
        Bucket::new("cache-dumps", "cache-dumps-0042")
            .versioning(true)
            .deny_insecure_transport()
            .lifecycle(BucketLifecycleRule::new("expire").expire_after_days(30)),
    );
    let subnets = stack.add(CacheSubnetGroup::new("cache-subnets", [&a, &b]));
    stack.add(ReplicationGroup::new(
        "sessions",
        CacheEngine::Redis,
        "cache.t3.micro",
        &subnets,
    ));
    stack
}

/// Every node the examples and the cache stack render.
fn every_node() -> Vec<Node> {
    [
        visitor_book::stack(),
        fintech::stack(),
        fintech_hardened::stack(),
        cache_stack(),
    ]
    .iter()
    .flat_map(|s| synth(s).unwrap().nodes)
    .filter(|n| !n.data_source)
    .collect()
}

/// A value different from `v`, of the same JSON type where there is one.
fn changed(v: &Value) -> Value {
    match v {
        Value::String(s) => json!(format!("{s}-changed")),
        Value::Number(n) => json!(n.as_f64().unwrap_or_default() + 1.0),
        Value::Bool(b) => json!(!b),
        Value::Array(items) if items.is_empty() => json!(["changed"]),
        Value::Array(_) => json!([]),
        Value::Object(_) => json!({ "changed": true }),
        Value::Null => json!("changed"),
    }
}

/// The node as applied (state), and its plan once `field` changes.
fn plan_field_change(node: &Node, field: &str) -> ecs_iac::PlannedAction {
    let mut state = State::empty("s");
    state.resources.insert(
        node.address.clone(),
        ResourceState {
            kind: node.kind,
            operation: node.operation.to_string(),
            status: ResourceStatus::Created,
            id: Some("id".into()),
            attributes: BTreeMap::new(),
            request: node.body.clone(),
            depends_on: Vec::new(),
            pending_since: None,
            allow_destroy: false,
            deletion: Default::default(),
        },
    );
    let mut desired = node.clone();
    desired.body[field] = changed(&node.body[field]);
    let synth = ecs_iac::Synth {
        stack: "s".into(),
        nodes: vec![desired],
        outputs: Vec::new(),
    };
    let plan = plan_synth(synth, &state);
    plan.actions
        .into_iter()
        .find(|a| a.address == node.address)
        .unwrap()
}

#[test]
fn every_planned_field_change_is_a_replacement_or_an_update_the_executor_accepts() {
    let nodes = every_node();
    let kinds: BTreeSet<Kind> = nodes.iter().map(|n| n.kind).collect();
    let data_sources = Kind::ALL.iter().filter(|k| k.spec().data_source).count();
    assert_eq!(
        kinds.len() + data_sources,
        Kind::ALL.len(),
        "kinds not covered: {:?}",
        Kind::ALL
            .iter()
            .filter(|k| !kinds.contains(k) && !k.spec().data_source)
            .collect::<Vec<_>>()
    );
    let mut checked = 0;
    for node in &nodes {
        let fields: Vec<String> = node.body.as_object().unwrap().keys().cloned().collect();
        for field in fields {
            let action = plan_field_change(node, &field);
            let mode = node.kind.field_change(&field);
            match mode {
                FieldChange::Replace => assert!(
                    action.action.is_replace(),
                    "{} {field}: {:?}",
                    node.kind,
                    action.action
                ),
                _ => {
                    assert_eq!(action.action, Action::Update, "{} {field}", node.kind);
                    let (modes, changed) = update_modes(&action)
                        .unwrap_or_else(|e| panic!("{} {field}: executor refuses: {e}", node.kind));
                    assert!(modes.contains(&mode), "{} {field}: {modes:?}", node.kind);
                    assert_eq!(changed, std::slice::from_ref(&field));
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} fields checked");
}

/// A loopback endpoint that answers every call with HTTP 200 and an empty document (STS
/// with an identity), and records the operations it saw.
fn empty_aws() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let seen: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let record = seen.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let Ok(request) = crate::fault_proxy::read_request(&mut conn) else {
                continue;
            };
            let text = String::from_utf8_lossy(&request).into_owned();
            let op = crate::fault_proxy::operation(&text);
            let (content_type, body) = if op == "GetCallerIdentity" {
                ("text/xml", crate::waiters::STS.to_string())
            } else {
                record.lock().unwrap().push(op);
                ("application/x-amz-json-1.1", "{}".to_string())
            };
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (endpoint, seen)
}

#[test]
fn every_kind_with_a_modify_call_has_one_in_its_provider() {
    let (endpoint, seen) = empty_aws();
    crate::apply::runtime().block_on(async {
        let config = EngineConfig {
            endpoint_url: Some(endpoint),
            region: Some("us-east-1".into()),
            static_credentials: Some(("testing".into(), "testing".into())),
            poll_interval: Duration::from_millis(5),
            wait_deadline: Duration::from_millis(50),
            max_attempts: 1,
            ..EngineConfig::default()
        };
        let aws = Aws::connect(config, None).await.unwrap();
        let mut nodes = every_node();
        nodes.sort_by_key(|n| n.kind);
        nodes.dedup_by_key(|n| n.kind);
        for node in nodes {
            let Updates::Modify { fields, .. } = node.kind.spec().updates else {
                continue;
            };
            let changed: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            let attributes = BTreeMap::new();
            let target = Target {
                stack: "s",
                address: &node.address,
                kind: node.kind,
                req: Req {
                    address: &node.address,
                    body: &node.body,
                },
                changed: &changed,
            };
            let existing = Existing {
                address: &node.address,
                kind: node.kind,
                id: "id",
                attributes: &attributes,
                deletion: Default::default(),
            };
            let before = seen.lock().unwrap().len();
            let result = aws.update(&target, &existing).await;
            if let Err(e) = &result {
                assert!(
                    !e.to_string().contains("has no modify call"),
                    "{}: {e}",
                    node.kind
                );
            }
            assert!(
                seen.lock().unwrap().len() > before,
                "{}: the update sent no call ({result:?})",
                node.kind
            );
        }
    });
}
