//! Synth output of both examples: snapshots of every request, determinism, manifest.

use crate::{fintech, visitor_book};
use ecs_iac::prelude::*;
use ecs_iac::Kind;
use ecs_iac::Synth;
use serde_json::Value;

fn all_files(synth: &Synth) -> String {
    synth
        .files()
        .into_iter()
        .map(|f| format!("==> {} <==\n{}", f.path, f.contents))
        .collect::<Vec<_>>()
        .join("\n")
}

fn compiled(stack: &Stack) -> Synth {
    synth(stack).unwrap_or_else(|e| panic!("{e}: {:#?}", e.0))
}

#[test]
fn visitor_book_synth_snapshot() {
    insta::assert_snapshot!(
        "visitor_book_synth",
        all_files(&compiled(&visitor_book::stack()))
    );
}

#[test]
fn fintech_synth_snapshot() {
    insta::assert_snapshot!("fintech_synth", all_files(&compiled(&fintech::stack())));
}

#[test]
fn synth_is_byte_for_byte_deterministic() {
    for build in [visitor_book::stack, fintech::stack] {
        let (a, b) = (compiled(&build()), compiled(&build()));
        assert_eq!(a.files(), b.files());
    }
}

#[test]
fn manifest_lists_every_request_with_operation_file_and_dependencies_first() {
    let synth = compiled(&visitor_book::stack());
    let manifest = synth.manifest();
    let files = synth.files();
    // The requests, manifest.json and outputs.json.
    assert_eq!(manifest.len() + 2, files.len());
    let mut seen = std::collections::BTreeSet::new();
    for entry in &manifest {
        assert!(
            files.iter().any(|f| f.path == entry.file),
            "{} has no file",
            entry.file
        );
        for dep in &entry.depends_on {
            assert!(
                seen.contains(dep),
                "{} comes before its dependency {dep}",
                entry.address
            );
        }
        seen.insert(entry.address.clone());
    }
    let op = |address: &str| {
        manifest
            .iter()
            .find(|e| e.address == address)
            .map(|e| e.operation.clone())
    };
    assert_eq!(op("app-vpc").as_deref(), Some("ec2:CreateVpc"));
    assert_eq!(
        op("app-task").as_deref(),
        Some("ecs:RegisterTaskDefinition")
    );
    assert_eq!(op("app-postgres").as_deref(), Some("rds:CreateDBInstance"));
    assert_eq!(op("app-service").as_deref(), Some("ecs:CreateService"));
    let manifest_file = files
        .iter()
        .find(|f| f.path == "manifest.json")
        .map(|f| f.contents.clone());
    let parsed: Value = serde_json::from_str(&manifest_file.unwrap_or_default()).unwrap();
    assert_eq!(parsed[0]["address"], "app-vpc");
    assert_eq!(parsed[0]["file"], "app-vpc.json");
}

#[test]
fn the_service_waits_for_the_listener_and_the_nat_gateway_for_the_internet_gateway() {
    let synth = compiled(&visitor_book::stack());
    let deps = |a: &str| {
        synth
            .node(a)
            .map(|n| n.depends_on.clone())
            .unwrap_or_default()
    };
    assert!(deps("app-service").contains(&"app-https-listener".to_string()));
    assert!(deps("app-nat").contains(&"app-igw#attachment".to_string()));
    assert!(deps("public-rt#route:0.0.0.0/0").contains(&"app-igw#attachment".to_string()));
}

#[test]
fn every_created_resource_carries_ownership_tags() {
    for stack in [visitor_book::stack(), fintech::stack()] {
        let synth = compiled(&stack);
        // AWS cannot tag scaling policies (found through their target) or subscription
        // filters (named within their log group, and put again to adopt).
        let taggable = |n: &&ecs_iac::Node| {
            !matches!(n.kind, Kind::SCALING_POLICY | Kind::SUBSCRIPTION_FILTER)
        };
        for node in synth
            .nodes
            .iter()
            .filter(|n| !n.address.contains('#') && !n.data_source)
            .filter(taggable)
        {
            let text = node.body.to_string();
            assert!(
                text.contains("ecs-iac:stack") && text.contains(&format!("\"{}\"", node.address)),
                "{} has no ownership tags: {text}",
                node.address
            );
        }
    }
}

#[test]
fn the_circuit_breaker_setting_says_what_it_does() {
    let render = |breaker: CircuitBreaker| {
        let mut stack = Stack::new("cb").region("us-east-1");
        let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
        let a = stack.add(Subnet::private(
            "a",
            &vpc,
            cidr("10.0.1.0/24"),
            Az::US_EAST_1A,
        ));
        let sg = stack.add(SecurityGroup::new("sg", &vpc));
        let cluster = stack.add(Cluster::new("cb"));
        let task = stack.add(
            TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                .container(Container::new("web", image("nginx:1.27")).port(80)),
        );
        stack.add(
            Service::new("web", &cluster, &task)
                .subnets([&a])
                .security_group(&sg)
                .circuit_breaker(breaker),
        );
        let synth = synth(&stack).unwrap();
        synth.node("web").unwrap().body["deploymentConfiguration"]["deploymentCircuitBreaker"]
            .clone()
    };
    let off = serde_json::json!({"enable": false, "rollback": false});
    assert_eq!(render(CircuitBreaker::Off), off);
    assert_eq!(
        render(CircuitBreaker::On),
        serde_json::json!({"enable": true, "rollback": false})
    );
    assert_eq!(
        render(CircuitBreaker::OnWithRollback),
        serde_json::json!({"enable": true, "rollback": true})
    );
}
