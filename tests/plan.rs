//! Plans: text and JSON views, no-change plans, field-level updates, replacements and
//! their propagation, deletes in reverse dependency order.

use crate::{fintech, visitor_book};
use ecs_iac::prelude::*;
use ecs_iac::{plan_synth, Action, ResourceState, ResourceStatus, Synth};
use std::collections::BTreeMap;

/// The state an apply of `synth` would leave (ids are made up).
fn applied(synth: &Synth) -> State {
    let mut state = State::empty(synth.stack.clone());
    state.lineage = "test".into();
    for n in synth.nodes.iter().filter(|n| !n.data_source) {
        state.resources.insert(
            n.address.clone(),
            ResourceState {
                kind: n.kind,
                operation: n.operation.to_string(),
                status: ResourceStatus::Created,
                id: Some(format!("id-of-{}", n.address)),
                attributes: BTreeMap::new(),
                request: n.body.clone(),
                depends_on: n.depends_on.clone(),
                pending_since: None,
                allow_destroy: false,
                deletion: n.protection.deletion,
            },
        );
    }
    for o in &synth.outputs {
        state.outputs.insert(
            o.name.clone(),
            ecs_iac::OutputValue {
                value: format!("value of {}", o.name),
                template: o.value.clone(),
                description: o.description.clone(),
            },
        );
    }
    state
}

#[test]
fn visitor_book_plan_text_snapshot() {
    let stack = visitor_book::stack();
    let plan = plan(&stack, &State::empty("visitor-book")).unwrap();
    assert_eq!(plan.summary.create, 78);
    assert!(plan
        .actions
        .iter()
        .all(|a| matches!(a.action, Action::Create | Action::Read)));
    insta::assert_snapshot!("visitor_book_plan", plan.render_text());
}

#[test]
fn fintech_plan_text_snapshot() {
    let plan = plan(&fintech::stack(), &State::empty("fake-fintech")).unwrap();
    insta::assert_snapshot!("fintech_plan", plan.render_text());
}

#[test]
fn plan_against_the_applied_state_has_no_changes() {
    for stack in [visitor_book::stack(), fintech::stack()] {
        let s = synth(&stack).unwrap();
        let state = applied(&s);
        let plan = plan_synth(s, &state);
        assert!(!plan.has_changes(), "{}", plan.render_text());
        assert!(plan.render_text().contains("No changes."));
    }
}

#[test]
fn json_view_is_the_same_value() {
    let plan = plan(&visitor_book::stack(), &State::empty("visitor-book")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap();
    assert_eq!(json["summary"]["create"], 78);
    assert_eq!(json["actions"][0]["address"], "app-vpc");
    assert_eq!(json["actions"][0]["action"], "create");
    assert_eq!(
        json["actions"].as_array().map(Vec::len),
        Some(plan.actions.len())
    );
}

/// A small web stack with the knobs the change tests turn.
fn web(tag: &str, size: Fargate, subnet: &str, desired: u32, with_alarm: bool) -> Stack {
    let mut stack = Stack::new("web").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
    let a = stack.add(Subnet::private(
        "subnet-a",
        &vpc,
        cidr(subnet),
        Az::US_EAST_1A,
    ));
    let sg = stack.add(SecurityGroup::new("sg", &vpc));
    let cluster = stack.add(Cluster::new("cluster"));
    let task = stack.add(
        TaskDefinition::fargate("task", size)
            .container(Container::new("web", image(format!("web:{tag}"))).port(80)),
    );
    let service = stack.add(
        Service::new("service", &cluster, &task)
            .desired_count(desired)
            .subnets([&a])
            .security_group(&sg),
    );
    if with_alarm {
        stack.add(Alarm::new(
            "cpu",
            Metric::ecs_service(&service, "CPUUtilization"),
            Comparison::GreaterThan,
            80.0,
            3,
        ));
    }
    stack
}

#[test]
fn changes_plan_as_update_replace_and_delete_with_field_paths() {
    let before = synth(&web(
        "1.0",
        Fargate::CPU_256_MEM_512,
        "10.0.1.0/24",
        2,
        true,
    ))
    .unwrap();
    let state = applied(&before);

    // An in-place update: desired count.
    let p = plan(
        &web("1.0", Fargate::CPU_256_MEM_512, "10.0.1.0/24", 3, true),
        &state,
    )
    .unwrap();
    let changed: Vec<_> = p
        .actions
        .iter()
        .filter(|a| a.action != Action::NoOp)
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (changed[0].address.as_str(), changed[0].action),
        ("service", Action::Update)
    );
    assert_eq!(changed[0].changes[0].path, "desiredCount");

    // A new image registers a new task definition revision (replace); the service follows.
    let p = plan(
        &web("1.1", Fargate::CPU_256_MEM_1024, "10.0.1.0/24", 2, true),
        &state,
    )
    .unwrap();
    let task = p.actions.iter().find(|a| a.address == "task").unwrap();
    assert_eq!(task.action, Action::CreateThenDelete);
    let paths: Vec<&str> = task.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["containerDefinitions[web].image", "memory"]);
    let service = p.actions.iter().find(|a| a.address == "service").unwrap();
    assert_eq!(service.action, Action::Update);
    assert_eq!(service.changes[0].path, "taskDefinition");

    // A subnet CIDR forces replacement, and so does everything whose replace-forcing
    // field points at it; the removed alarm is deleted.
    let p = plan(
        &web("1.0", Fargate::CPU_256_MEM_512, "10.0.2.0/24", 2, false),
        &state,
    )
    .unwrap();
    let action = |a: &str| p.actions.iter().find(|x| x.address == a).map(|x| x.action);
    assert_eq!(action("subnet-a"), Some(Action::DeleteThenCreate));
    assert_eq!(action("service"), Some(Action::Update));
    assert_eq!(action("cpu"), Some(Action::Delete));
    insta::assert_snapshot!("web_changes_plan", p.render_text());
}

#[test]
fn deletes_run_dependents_first() {
    let before = synth(&web(
        "1.0",
        Fargate::CPU_256_MEM_512,
        "10.0.1.0/24",
        2,
        true,
    ))
    .unwrap();
    let state = applied(&before);
    let empty = Stack::new("web");
    let p = plan(&empty, &state).unwrap();
    let order: Vec<&str> = p.actions.iter().map(|a| a.address.as_str()).collect();
    let pos = |a: &str| order.iter().position(|x| *x == a).unwrap();
    assert!(pos("cpu") < pos("service"));
    assert!(
        pos("service") < pos("task")
            && pos("service") < pos("cluster")
            && pos("service") < pos("subnet-a")
    );
    assert!(pos("subnet-a") < pos("vpc") && pos("sg") < pos("vpc"));
    assert_eq!(p.summary.delete, order.len());
}

/// The visitor-book example changed since its last apply (image tag, CPU, an environment
/// variable, a subnet CIDR, the RDS class): each resource gets the right action, shown
/// field by field.
#[test]
fn visitor_book_change_plan_snapshot() {
    let current = synth(&visitor_book::stack()).unwrap();
    // The state an older version of the example left.
    let mut state = applied(&current);
    fn old<'a>(state: &'a mut State, address: &str) -> &'a mut serde_json::Value {
        &mut state.resources.get_mut(address).unwrap().request
    }
    let task = old(&mut state, "app-task");
    task["cpu"] = "256".into();
    task["memory"] = "512".into();
    let app = &mut task["containerDefinitions"][0];
    app["image"] = app["image"]
        .as_str()
        .unwrap()
        .replace(":latest", ":1.3.0")
        .into();
    app["environment"] = serde_json::json!([{ "name": "FEATURE_GUESTBOOK_V2", "value": "false" }]);
    old(&mut state, "private-app-subnet-2")["CidrBlock"] = "10.0.14.0/24".into();
    old(&mut state, "app-postgres")["DBInstanceClass"] = "db.t3.micro".into();

    let p = plan_synth(current, &state);
    let action = |a: &str| p.actions.iter().find(|x| x.address == a).map(|x| x.action);
    assert_eq!(action("app-task"), Some(Action::CreateThenDelete));
    assert_eq!(action("app-service"), Some(Action::Update));
    assert_eq!(
        action("private-app-subnet-2"),
        Some(Action::DeleteThenCreate)
    );
    assert_eq!(action("app-postgres"), Some(Action::Update));
    assert_eq!(action("app-vpc"), Some(Action::NoOp));
    assert!(!p.is_blocked(), "an RDS class change is in place");
    insta::assert_snapshot!("visitor_book_change_plan", p.render_text());
}
