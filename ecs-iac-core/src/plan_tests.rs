//! Plans against refreshed state: drift, resources deleted outside ecs-iac, protected
//! stateful resources, create-before-destroy task definitions and keyed change paths.
//!
//! Why this room is long: it holds the plan's cases against refreshed state, each a small
//! stack with its expected plan; they read best in one place.

use super::*;
use crate::lower::Protection;
use crate::prelude::*;
use crate::refresh::{Observation, Observed};
use crate::state::{ResourceState, ResourceStatus};
use serde_json::json;
use std::collections::BTreeMap;

/// The knobs the tests turn on one stack.
#[derive(Clone)]
struct Knobs {
    env: Vec<(&'static str, &'static str)>,
    desired: u32,
    db_name: &'static str,
    db_allow_replacement: bool,
    db_allow_destroy: bool,
    with_db: bool,
    with_logs: bool,
    log_kms: Option<&'static str>,
    secret_name: &'static str,
}

impl Default for Knobs {
    fn default() -> Knobs {
        Knobs {
            env: vec![("A", "1"), ("C", "3")],
            desired: 2,
            db_name: "app",
            db_allow_replacement: false,
            db_allow_destroy: false,
            with_db: true,
            with_logs: true,
            log_kms: None,
            secret_name: "DB_PASSWORD",
        }
    }
}

/// A stack with a little of everything normalization has to deal with: security group
/// rules from a CIDR and from a group, a database with a password from a secret, a log
/// group, roles with policy documents, a task definition with two containers,
/// environment, a secret and logs, a service and an alarm.
fn stack(k: &Knobs) -> Stack {
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
    let alb_sg = stack.add(SecurityGroup::new("alb-sg", &vpc));
    let sg = stack.add(
        SecurityGroup::new("sg", &vpc)
            .ingress(Peer::cidr(cidr("10.0.0.0/16")), Port::tcp(8080))
            .ingress(Peer::cidr(cidr("10.1.0.0/16")), Port::tcp(8080))
            .ingress(Peer::group(&alb_sg), Port::tcp(8080)),
    );
    let secret = stack.add(SecretRef::by_name("secret", "t/secret"));
    if k.with_db {
        let group = stack.add(DbSubnetGroup::new("dbs", [&a, &b]));
        let mut db = DbInstance::new(
            "db",
            DbEngine::Postgres,
            DbInstanceClass::T3_SMALL,
            20,
            &group,
            "app",
            MasterPassword::FromSecret(secret.clone()),
        )
        .db_name(k.db_name)
        .security_group(&sg);
        if k.db_allow_replacement {
            db = db.allow_replacement();
        }
        if k.db_allow_destroy {
            db = db.allow_destroy();
        }
        stack.add(db);
    }
    let exec = stack.add(
        Role::new("exec", Principal::ecs_tasks())
            .managed_policy(ManagedPolicy::ecs_task_execution()),
    );
    let app_role = stack.add(
        Role::new("app-role", Principal::ecs_tasks()).inline_policy(
            "app",
            PolicyDocument::new().statement(
                Statement::allow(["s3:PutObject", "s3:GetObject"])
                    .resource("arn:aws:s3:::bucket/*")
                    .condition("StringEquals", "aws:SourceAccount", ["123456789012"]),
            ),
        ),
    );
    let mut app = Container::new("app", image("app:1.0"))
        .port(8080)
        .secret(k.secret_name, &secret);
    for (name, value) in &k.env {
        app = app.env(*name, *value);
    }
    if k.with_logs {
        let mut logs = LogGroup::new("logs", "/ecs/t").retention_days(30);
        if let Some(key) = k.log_kms {
            logs = logs.kms_key(key);
        }
        let logs = stack.add(logs);
        app = app.logs(LogConfig::awslogs(&logs, "app"));
    }
    let task = stack.add(
        TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
            .execution_role(&exec)
            .task_role(&app_role)
            .container(app)
            .container(Container::new("sidecar", image("envoy:1.0")).essential(false)),
    );
    let cluster = stack.add(Cluster::new("cluster"));
    let service = stack.add(
        Service::new("svc", &cluster, &task)
            .desired_count(k.desired)
            .subnets([&a, &b])
            .security_group(&sg),
    );
    stack.add(Alarm::new(
        "cpu",
        Metric::ecs_service(&service, "CPUUtilization"),
        Comparison::GreaterThan,
        80.0,
        3,
    ));
    stack
}

fn synth_of(k: &Knobs) -> Synth {
    match synth(&stack(k)) {
        Ok(s) => s,
        Err(e) => panic!("the test stack is invalid: {e:?}"),
    }
}

/// The state an apply of `synth` leaves: made-up ids and ARNs.
fn applied(synth: &Synth) -> State {
    let mut state = State::empty(synth.stack.clone());
    for n in synth.nodes.iter().filter(|n| !n.data_source) {
        let attributes: BTreeMap<String, String> = [
            ("id".to_string(), format!("id-{}", n.address)),
            ("arn".to_string(), format!("arn:aws:x:::{}", n.address)),
        ]
        .into_iter()
        .collect();
        state.resources.insert(
            n.address.clone(),
            ResourceState {
                kind: n.kind,
                operation: n.operation.to_string(),
                status: ResourceStatus::Created,
                id: Some(format!("id-{}", n.address)),
                attributes,
                request: n.body.clone(),
                depends_on: n.depends_on.clone(),
                pending_since: None,
                allow_destroy: n.protection.allow_destroy,
                deletion: n.protection.deletion,
            },
        );
    }
    // The secret is a lookup: its ARN is known once read.
    state.resources.insert(
        "secret".into(),
        ResourceState {
            kind: Kind::SECRET_REF,
            operation: "secretsmanager:DescribeSecret".into(),
            status: ResourceStatus::Created,
            id: Some("arn:aws:secretsmanager:::secret:t/secret-AbCdEf".into()),
            attributes: [(
                "arn".to_string(),
                "arn:aws:secretsmanager:::secret:t/secret-AbCdEf".to_string(),
            )]
            .into_iter()
            .collect(),
            request: json!({}),
            depends_on: Vec::new(),
            pending_since: None,
            allow_destroy: false,
            deletion: Default::default(),
        },
    );
    state
}

/// Percent-encodes everything but letters and digits, as IAM returns documents.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// What a refresh reports for an unchanged resource, with the noise AWS adds: lists in
/// another order, security group peers grouped, defaults filled in, policies URL-encoded,
/// numbers as strings or floats, fields not returned, fields AWS picked itself.
fn as_aws_reports(kind: &Kind, body: &Value) -> Value {
    fn walk(key: &str, value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(k, v))).collect())
            }
            Value::Array(items) => {
                let mut items: Vec<Value> = items.iter().map(|v| walk(key, v)).collect();
                items.reverse();
                if key == "containerDefinitions" {
                    for c in &mut items {
                        c["cpu"] = json!(0);
                        c["mountPoints"] = json!([]);
                        c["volumesFrom"] = json!([]);
                        if c.get("environment").is_none() {
                            c["environment"] = json!([]);
                        }
                    }
                }
                Value::Array(items)
            }
            Value::String(s) if key.ends_with("PolicyDocument") => Value::String(url_encode(s)),
            Value::Number(n) if key == "Threshold" => {
                json!(n.as_f64().unwrap_or_default())
            }
            other => other.clone(),
        }
    }
    let mut v = walk("", body);
    match *kind {
        Kind::SECURITY_GROUP_INGRESS => {
            // AWS groups the peers of one protocol and port range.
            let mut ranges = Vec::new();
            let mut pairs = Vec::new();
            for p in v["IpPermissions"].as_array().into_iter().flatten() {
                ranges.extend(p["IpRanges"].as_array().into_iter().flatten().cloned());
                for pair in p["UserIdGroupPairs"].as_array().into_iter().flatten() {
                    let mut pair = pair.clone();
                    pair["UserId"] = json!("123456789012");
                    pairs.push(pair);
                }
            }
            v["IpPermissions"] = json!([{
                "IpProtocol": "6", "FromPort": "8080", "ToPort": 8080,
                "IpRanges": ranges, "UserIdGroupPairs": pairs,
                "Ipv6Ranges": [], "PrefixListIds": [],
            }]);
        }
        Kind::DB_INSTANCE => {
            let m = v.as_object_mut();
            if let Some(m) = m {
                m.remove("MasterUserPassword");
                m.remove("Tags");
                m.insert("EngineVersion".into(), json!("16.4"));
                m.insert("Port".into(), json!("5432"));
                m.insert("AutoMinorVersionUpgrade".into(), json!(true));
            }
        }
        Kind::TASK_DEFINITION => {
            v["cpu"] = json!(256);
            v["memory"] = json!(512);
        }
        Kind::SERVICE => {
            v["deploymentConfiguration"]["maximumPercent"] = json!(200);
            v["deploymentConfiguration"]["minimumHealthyPercent"] = json!(100);
            v["schedulingStrategy"] = json!("REPLICA");
        }
        Kind::ROLE => {
            v["Path"] = json!("/");
            v["MaxSessionDuration"] = json!(3600);
        }
        _ => {}
    }
    v
}

/// A refresh that finds every node of `state` as applied, reported the way AWS does.
fn refresh(state: &State) -> Observed {
    let mut observed = Observed::none();
    observed.account_id = Some("123456789012".into());
    observed.region = Some("us-east-1".into());
    for (address, r) in &state.resources {
        if r.kind == Kind::SECRET_REF {
            continue;
        }
        let live = state.resolve_known(&r.request, Some("123456789012"), Some("us-east-1"));
        observed.insert(
            address.clone(),
            Observation::Present(as_aws_reports(&r.kind, &live)),
        );
    }
    observed
}

fn find<'p>(plan: &'p Plan, address: &str) -> &'p PlannedAction {
    match plan.actions.iter().find(|a| a.address == address) {
        Some(a) => a,
        None => panic!("no action for `{address}`"),
    }
}

fn paths(action: &PlannedAction) -> Vec<&str> {
    action.changes.iter().map(|c| c.path.as_str()).collect()
}

#[test]
fn a_refresh_of_an_unchanged_stack_finds_nothing_despite_aws_noise() {
    let s = synth_of(&Knobs::default());
    let state = applied(&s);
    let observed = refresh(&state);
    let plan = plan_refreshed(s, &state, &observed);
    assert!(!plan.has_changes(), "{}", plan.render_text());
    assert_eq!(plan.summary.drifted, 0);
}

#[test]
fn drift_shows_the_live_value_the_desired_one_and_a_reason() {
    let s = synth_of(&Knobs::default());
    let state = applied(&s);
    let mut observed = refresh(&state);
    if let Some(Observation::Present(svc)) = observed.resources.get_mut("svc") {
        svc["desiredCount"] = json!(5);
    }
    let plan = plan_refreshed(s, &state, &observed);
    let svc = find(&plan, "svc");
    assert_eq!(svc.action, Action::Update);
    assert_eq!(
        svc.changes,
        [Change {
            path: "desiredCount".into(),
            before: Some(json!(5)),
            after: Some(json!(2)),
            forces_replacement: false,
            drift: true,
        }]
    );
    assert_eq!(svc.reasons, ["`desiredCount` changed outside ecs-iac"]);
    assert_eq!(plan.summary.drifted, 1);
    assert_eq!(plan.summary.update, 1);
    let text = plan.render_text();
    assert!(
        text.contains("  ~ svc  (ecs:UpdateService)\n      # `desiredCount` changed outside ecs-iac\n      ~ desiredCount: 5 -> 2  # changed outside ecs-iac\n"),
        "{text}"
    );
    assert!(text.contains("Drift: 1 resource(s) changed or deleted outside ecs-iac."));
    let json: Value = serde_json::from_str(&plan.to_json()).unwrap_or_default();
    let svc = json["actions"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["address"] == "svc"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(svc["changes"][0]["drift"], true);
    assert_eq!(json["summary"]["drifted"], 1);
}

#[test]
fn drift_combined_with_a_change_in_the_stack_goes_from_live_to_desired() {
    let s = synth_of(&Knobs {
        desired: 3,
        ..Knobs::default()
    });
    let state = applied(&synth_of(&Knobs::default()));
    let mut observed = refresh(&state);
    if let Some(Observation::Present(svc)) = observed.resources.get_mut("svc") {
        svc["desiredCount"] = json!(5);
    }
    let plan = plan_refreshed(s, &state, &observed);
    let c = &find(&plan, "svc").changes[0];
    assert_eq!(
        (c.before.clone(), c.after.clone(), c.drift),
        (Some(json!(5)), Some(json!(3)), true)
    );
}

#[test]
fn a_rule_added_outside_is_drift_and_is_removed() {
    let s = synth_of(&Knobs::default());
    let state = applied(&s);
    let mut observed = refresh(&state);
    if let Some(Observation::Present(ingress)) = observed.resources.get_mut("sg#ingress") {
        if let Some(list) = ingress["IpPermissions"].as_array_mut() {
            list.push(json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}));
        }
    }
    let plan = plan_refreshed(s, &state, &observed);
    let ingress = find(&plan, "sg#ingress");
    assert_eq!(paths(ingress), ["IpPermissions[tcp/22 from 0.0.0.0/0]"]);
    assert!(ingress.changes[0].drift && ingress.changes[0].after.is_none());
    assert!(plan
        .render_text()
        .contains("      - IpPermissions[tcp/22 from 0.0.0.0/0] = {\"FromPort\":22,\"IpProtocol\":\"tcp\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}],\"ToPort\":22}  # changed outside ecs-iac\n"));
}

#[test]
fn fields_aws_does_not_report_are_never_drift() {
    let s = synth_of(&Knobs::default());
    let state = applied(&s);
    let observed = refresh(&state);
    // The refresh above drops the password and the tags of the database.
    let Some(Observation::Present(db)) = observed.get("db") else {
        panic!("no database observation");
    };
    assert!(db.get("MasterUserPassword").is_none() && db.get("Tags").is_none());
    let plan = plan_refreshed(s, &state, &observed);
    assert_eq!(find(&plan, "db").action, Action::NoOp);
}

#[test]
fn a_resource_deleted_outside_is_created_again_and_dependents_follow() {
    let s = synth_of(&Knobs::default());
    let state = applied(&s);
    let mut observed = refresh(&state);
    observed.insert("sg", Observation::Missing);
    let plan = plan_refreshed(s, &state, &observed);
    let sg = find(&plan, "sg");
    assert_eq!(sg.action, Action::Create);
    assert_eq!(sg.reasons, ["deleted outside ecs-iac"]);
    assert!(sg.blocked.is_none());
    let svc = find(&plan, "svc");
    assert_eq!(svc.action, Action::Update);
    assert_eq!(
        paths(svc),
        ["networkConfiguration.awsvpcConfiguration.securityGroups[0]"]
    );
    // Refreshed: the value before is the real id, as AWS reports it.
    assert_eq!(
        (svc.changes[0].before.clone(), svc.changes[0].after.clone()),
        (Some(json!("id-sg")), Some(json!("(known after apply)")))
    );
    // The rules belong to the group: a new group gets them anew.
    assert_eq!(find(&plan, "sg#ingress").action, Action::DeleteThenCreate);
    assert_eq!(plan.summary.drifted, 1);
}

#[test]
fn nodes_not_refreshed_plan_as_without_a_refresh() {
    let k = Knobs {
        desired: 4,
        ..Knobs::default()
    };
    let state = applied(&synth_of(&Knobs::default()));
    let mut unknown = Observed::none();
    for address in state.resources.keys() {
        unknown.insert(address.clone(), Observation::Unknown);
    }
    assert_eq!(
        plan_refreshed(synth_of(&k), &state, &unknown),
        plan_synth(synth_of(&k), &state)
    );
}

#[test]
fn placeholders_resolve_from_the_state_and_the_refresh_context() {
    let s = synth_of(&Knobs::default());
    let state = applied(&s);
    let observed = refresh(&state);
    let Some(Observation::Present(svc)) = observed.get("svc") else {
        panic!("no service observation");
    };
    // The refresh reports real ids where the request has placeholders.
    assert_eq!(svc["taskDefinition"], "arn:aws:x:::task");
    // A region the refresh does not know is not drift either.
    let mut no_region = observed.clone();
    no_region.region = None;
    no_region.account_id = None;
    assert!(!plan_refreshed(s, &state, &no_region).has_changes());
}

#[test]
fn replacing_a_database_is_blocked_without_allow_replacement() {
    let state = applied(&synth_of(&Knobs::default()));
    let renamed = Knobs {
        db_name: "other",
        ..Knobs::default()
    };
    let plan = plan_synth(synth_of(&renamed), &state);
    let db = find(&plan, "db");
    assert_eq!(db.action, Action::DeleteThenCreate);
    assert_eq!(
        db.blocked.as_deref(),
        Some("replacing `db` (rds.db_instance) would destroy its data: `DBName` cannot change in place; add `.allow_replacement()` to the resource to allow it")
    );
    assert!(plan.is_blocked());
    assert_eq!(plan.blocked().count(), 1);
    assert_eq!(plan.summary.blocked, 1);
    let text = plan.render_text();
    assert!(
        text.contains("-/+ db  (rds:DeleteDBInstance, rds:CreateDBInstance)\n      # `DBName` cannot change in place\n      ! blocked: replacing `db` (rds.db_instance) would destroy its data:"),
        "{text}"
    );
    assert!(text.contains("Blocked: 1 action(s) would destroy data"));
    let json: Value = serde_json::from_str(&plan.to_json()).unwrap_or_default();
    assert_eq!(json["summary"]["blocked"], 1);
    assert!(json["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|a| a["address"] == "db" && a["blocked"].as_str().is_some()));

    let allowed = Knobs {
        db_allow_replacement: true,
        ..renamed
    };
    let plan = plan_synth(synth_of(&allowed), &state);
    assert_eq!(find(&plan, "db").action, Action::DeleteThenCreate);
    assert!(!plan.is_blocked());
    assert!(!plan.render_text().contains("blocked"));
}

#[test]
fn replacing_a_log_group_is_blocked_too() {
    let state = applied(&synth_of(&Knobs::default()));
    let plan = plan_synth(
        synth_of(&Knobs {
            log_kms: Some("arn:aws:kms:us-east-1:123456789012:key/k"),
            ..Knobs::default()
        }),
        &state,
    );
    let logs = find(&plan, "logs");
    assert_eq!(logs.action, Action::DeleteThenCreate);
    assert!(logs
        .blocked
        .as_deref()
        .is_some_and(|b| b.contains("`kmsKeyId` cannot change in place")));
}

#[test]
fn drift_that_forces_replacement_of_a_database_is_blocked() {
    let s = synth_of(&Knobs::default());
    let state = applied(&s);
    let mut observed = refresh(&state);
    if let Some(Observation::Present(db)) = observed.resources.get_mut("db") {
        db["DBName"] = json!("renamed");
    }
    let plan = plan_refreshed(s, &state, &observed);
    let db = find(&plan, "db");
    assert_eq!(db.action, Action::DeleteThenCreate);
    assert!(db.changes[0].drift);
    assert!(db.blocked.is_some());
    assert_eq!(
        db.reasons,
        [
            "`DBName` changed outside ecs-iac",
            "`DBName` cannot change in place"
        ]
    );
}

#[test]
fn removing_stateful_resources_is_blocked_unless_applied_with_allow_destroy() {
    let mut state = applied(&synth_of(&Knobs::default()));
    let gone = Knobs {
        with_db: false,
        with_logs: false,
        ..Knobs::default()
    };
    let plan = plan_synth(synth_of(&gone), &state);
    let blocked: Vec<&str> = plan.blocked().map(|a| a.address.as_str()).collect();
    assert_eq!(blocked, ["db", "logs"]);
    assert_eq!(
        find(&plan, "db").blocked.as_deref(),
        Some("deleting `db` (rds.db_instance) would destroy its data: it is no longer in the stack and was not applied with `.allow_destroy()`; put it back, or add `.allow_destroy()` to it and apply before removing it (`destroy` deletes it without this check)")
    );
    // The subnet group and the retention policy hold no data.
    assert!(find(&plan, "dbs").blocked.is_none());
    assert!(find(&plan, "logs#retention").blocked.is_none());
    assert!(plan
        .render_text()
        .contains("  - db  (rds:DeleteDBInstance)\n      # no longer in the stack\n      ! blocked: deleting `db`"));

    for address in ["db", "logs"] {
        if let Some(r) = state.resources.get_mut(address) {
            r.allow_destroy = true;
        }
    }
    let plan = plan_synth(synth_of(&gone), &state);
    assert!(!plan.is_blocked());
    assert!(find(&plan, "db").allow_destroy);
    assert_eq!(find(&plan, "db").action, Action::Delete);
}

#[test]
fn a_stateful_resource_already_deleted_outside_is_not_blocked() {
    let state = applied(&synth_of(&Knobs::default()));
    let mut observed = Observed::none();
    observed.insert("db", Observation::Missing);
    let gone = Knobs {
        with_db: false,
        ..Knobs::default()
    };
    let plan = plan_refreshed(synth_of(&gone), &state, &observed);
    let db = find(&plan, "db");
    assert_eq!(db.action, Action::Delete);
    assert!(db.blocked.is_none());
    assert_eq!(
        db.reasons,
        [
            "no longer in the stack",
            "already deleted outside ecs-iac: only its state entry is removed"
        ]
    );
}

#[test]
fn destroy_deletes_everything_and_blocks_nothing() {
    let state = applied(&synth_of(&Knobs::default()));
    let plan = plan_destroy(&state);
    assert_eq!(plan.stack, "t");
    // The secret the stack only reads is forgotten, not deleted.
    assert_eq!(plan.summary.delete, state.resources.len() - 1);
    assert_eq!(plan.summary.forget, 1);
    assert!(!plan.is_blocked());
    assert!(plan
        .actions
        .iter()
        .all(|a| a.reasons == ["the stack is destroyed"]));
    for a in &plan.actions {
        let expected = if a.kind == Kind::SECRET_REF {
            Action::Forget
        } else {
            Action::Delete
        };
        assert_eq!(a.action, expected, "{}", a.address);
    }
    let text = plan.render_text();
    assert!(
        text.contains("  . secret  (forget: the stack only reads it, nothing is sent)"),
        "{text}"
    );
    let order: Vec<&str> = plan.actions.iter().map(|a| a.address.as_str()).collect();
    let pos = |a: &str| order.iter().position(|x| *x == a);
    assert!(pos("svc") < pos("task") && pos("db") < pos("dbs"));
    // The same deletes an apply-mode plan of an empty stack makes, minus the blocking.
    let empty = plan_synth(
        Synth {
            stack: "t".into(),
            nodes: Vec::new(),
            outputs: Vec::new(),
        },
        &state,
    );
    assert!(empty.is_blocked());
    let addresses = |p: &Plan| {
        p.actions
            .iter()
            .map(|a| a.address.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(addresses(&empty), addresses(&plan));
}

#[test]
fn allow_destroy_is_carried_for_the_state_and_a_change_of_it_alone_is_state_only() {
    let with = Knobs {
        db_allow_destroy: true,
        ..Knobs::default()
    };
    // Creates carry it so the engine records it.
    let created = plan_synth(synth_of(&with), &State::empty("t"));
    assert!(find(&created, "db").allow_destroy);
    assert!(!find(&created, "logs").allow_destroy);

    let state = applied(&synth_of(&Knobs::default()));
    let plan = plan_synth(synth_of(&with), &state);
    let db = find(&plan, "db");
    assert_eq!(db.action, Action::NoOp);
    assert!(db.state_only && db.allow_destroy);
    assert!(plan.has_changes());
    assert_eq!(plan.summary.state_only, 1);
    let text = plan.render_text();
    assert!(
        text.contains("    db  (rds:CreateDBInstance)\n      # `.allow_destroy()` added: the state records it; nothing changes in AWS\n"),
        "{text}"
    );
    assert!(text.contains("State only: 1 unchanged resource(s) get a new state entry."));
    // Recorded: nothing left to do.
    let state = applied(&synth_of(&with));
    assert!(!plan_synth(synth_of(&with), &state).has_changes());
}

#[test]
fn protection_never_renders_into_requests() {
    let plain = synth_of(&Knobs::default());
    let protected = synth_of(&Knobs {
        db_allow_destroy: true,
        db_allow_replacement: true,
        ..Knobs::default()
    });
    let body = |s: &Synth| s.node("db").map(|n| n.body.clone());
    assert_eq!(body(&plain), body(&protected));
    assert_eq!(
        protected.node("db").map(|n| n.protection),
        Some(Protection {
            allow_replacement: true,
            allow_destroy: true,
            deletion: Default::default(),
        })
    );
}

#[test]
fn a_task_definition_change_replaces_create_before_destroy_shown_variable_by_variable() {
    let state = applied(&synth_of(&Knobs::default()));
    let changed = Knobs {
        env: vec![("A", "1"), ("B", "2"), ("C", "30")],
        secret_name: "DB_PASS",
        ..Knobs::default()
    };
    let plan = plan_synth(synth_of(&changed), &state);
    let task = find(&plan, "task");
    assert_eq!(task.action, Action::CreateThenDelete);
    assert!(task.blocked.is_none());
    assert_eq!(
        paths(task),
        [
            "containerDefinitions[app].environment[B]",
            "containerDefinitions[app].environment[C].value",
            "containerDefinitions[app].secrets[DB_PASS]",
            "containerDefinitions[app].secrets[DB_PASSWORD]",
        ]
    );
    // Secrets are references, never values.
    assert_eq!(
        task.changes[2].after,
        Some(json!({"name": "DB_PASS", "valueFrom": "${secret.arn}"}))
    );
    let svc = find(&plan, "svc");
    assert_eq!(svc.action, Action::Update);
    assert_eq!(paths(svc), ["taskDefinition"]);
    let text = plan.render_text();
    let expected = "\
+/- task  (ecs:RegisterTaskDefinition, ecs:DeregisterTaskDefinition)
      # a revision cannot change: a new revision is registered before the old one is retired
      + containerDefinitions[app].environment[B] = {\"name\":\"B\",\"value\":\"2\"}
      ~ containerDefinitions[app].environment[C].value: \"3\" -> \"30\"  # forces replacement
      + containerDefinitions[app].secrets[DB_PASS] = {\"name\":\"DB_PASS\",\"valueFrom\":\"${secret.arn}\"}
      - containerDefinitions[app].secrets[DB_PASSWORD] = {\"name\":\"DB_PASSWORD\",\"valueFrom\":\"${secret.arn}\"}
";
    assert!(text.contains(expected), "{text}");
    let json: Value = serde_json::from_str(&plan.to_json()).unwrap_or_default();
    let task = json["actions"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["address"] == "task"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(task["action"], "create_then_delete");
}

#[test]
fn new_fields_stay_out_of_the_json_of_plans_without_them() {
    let state = applied(&synth_of(&Knobs::default()));
    let plan = plan_synth(
        synth_of(&Knobs {
            desired: 3,
            ..Knobs::default()
        }),
        &state,
    );
    let json = plan.to_json();
    for key in [
        "\"drift\"",
        "\"blocked\"",
        "\"create_before_destroy\"",
        "\"allow_destroy\"",
        "\"state_only\"",
        "\"drifted\"",
    ] {
        assert!(!json.contains(key), "{key} in {json}");
    }
}

#[test]
fn reordering_rules_and_variables_in_the_stack_is_no_change() {
    let state = applied(&synth_of(&Knobs::default()));
    let reordered = Knobs {
        env: vec![("C", "3"), ("A", "1")],
        ..Knobs::default()
    };
    let plan = plan_synth(synth_of(&reordered), &state);
    assert!(!plan.has_changes(), "{}", plan.render_text());
}

#[test]
fn an_interrupted_create_found_missing_is_not_drift() {
    let s = synth_of(&Knobs::default());
    let mut state = applied(&s);
    if let Some(r) = state.resources.get_mut("sg") {
        r.status = ResourceStatus::Pending;
    }
    let mut observed = Observed::none();
    observed.insert("sg", Observation::Missing);
    let plan = plan_refreshed(s, &state, &observed);
    let sg = find(&plan, "sg");
    assert_eq!(sg.action, Action::Create);
    assert_eq!(sg.reasons[0], Reason::InterruptedCreate);
    assert_eq!(plan.summary.drifted, 0);
    // Nothing refers to a new id: the dependents stay.
    assert_eq!(find(&plan, "svc").action, Action::NoOp);
}

#[test]
fn destroying_a_database_with_deletion_protection_is_blocked_with_the_way_out() {
    let mut state = applied(&synth_of(&Knobs::default()));
    assert!(!plan_destroy(&state).is_blocked());
    if let Some(db) = state.resources.get_mut("db") {
        db.request["DeletionProtection"] = json!(true);
    }
    let plan = plan_destroy(&state);
    let blocked: Vec<&str> = plan.blocked().map(|a| a.address.as_str()).collect();
    assert_eq!(blocked, ["db"]);
    assert_eq!(
        find(&plan, "db").blocked.as_deref(),
        Some("`db` has deletion protection on (`DeletionProtection`): AWS refuses to delete it; apply it with `.deletion_protection(false)` first")
    );
    // Already gone: nothing to protect.
    let mut observed = Observed::none();
    observed.insert("db", Observation::Missing);
    assert!(!plan_destroy_refreshed(&state, &observed).is_blocked());
}
