//! The command line, driven through `cli::run_with`: commands, output and exit codes.

use crate::visitor_book;
use ecs_iac::cli::{run_with, EXIT_CHANGES, EXIT_ERROR, EXIT_OK};
use ecs_iac::prelude::*;

/// Runs the CLI on `stack` with `args`: (exit code, stdout, stderr).
pub fn run(stack: Stack, args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("example").chain(args.iter().copied());
    let code = run_with(stack, argv, &mut out, &mut err);
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn plan_is_the_default_and_detailed_exitcode_reports_changes() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("vb.state.json");
    let state = state.to_str().unwrap();
    let (code, out, _) = run(visitor_book::stack(), &["--state", state]);
    assert_eq!(code, EXIT_OK);
    assert!(out.contains("+ app-service  (ecs:CreateService)"), "{out}");
    let (code, _, _) = run(
        visitor_book::stack(),
        &["--state", state, "plan", "--detailed-exitcode"],
    );
    assert_eq!(code, EXIT_CHANGES);
    let (code, out, _) = run(visitor_book::stack(), &["--state", state, "plan", "--json"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.contains("\"format_version\": 1"));
}

#[test]
fn synth_out_writes_every_request_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("synth");
    let (code, out, err) = run(
        visitor_book::stack(),
        &["synth", "--out", out_dir.to_str().unwrap()],
    );
    assert_eq!(code, EXIT_OK, "{err}");
    assert!(out.contains("wrote 57 files"), "{out}");
    let manifest = std::fs::read_to_string(out_dir.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"operation\": \"ecs:RegisterTaskDefinition\""));
    assert!(out_dir.join("app-task.json").exists());
}

#[test]
fn validate_lists_every_problem_and_fails() {
    let mut stack = Stack::new("bad");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
    stack.add(Subnet::private(
        "a",
        &vpc,
        cidr("10.1.0.0/24"),
        Az::US_EAST_1A,
    ));
    stack.add(LogGroup::new("logs", "/x").retention_days(31));
    let (code, out, _) = run(stack.clone(), &["validate"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(
        out.contains("error[E0104 subnet-outside-vpc]: bad/a at CidrBlock"),
        "{out}"
    );
    assert!(
        out.contains("error[E0302 log-retention]: bad/logs at retentionInDays"),
        "{out}"
    );
    let (code, _, err) = run(stack.clone(), &["plan"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("has 2 error(s); nothing was planned"), "{err}");
    let (_, json, _) = run(stack, &["validate", "--json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed[0]["code"], "E0104");
}

#[test]
fn a_corrupt_state_file_is_a_clear_error_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("vb.state.json");
    std::fs::write(&state, "{ not json").unwrap();
    let (code, _, err) = run(
        visitor_book::stack(),
        &["--state", state.to_str().unwrap(), "plan"],
    );
    assert_eq!(code, EXIT_ERROR);
    assert!(
        err.contains("vb.state.json") && err.contains("not a valid ecs-iac state document"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "{ not json");
}

#[test]
fn graph_and_state_commands() {
    let (code, out, _) = run(visitor_book::stack(), &["graph"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.starts_with("digraph \"visitor-book\""));
    assert!(out.contains("\"app-service\" -> \"app-https-listener\";"));
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("none.json");
    let (code, out, _) = run(
        visitor_book::stack(),
        &["--state", state.to_str().unwrap(), "state", "list"],
    );
    assert_eq!((code, out.as_str()), (EXIT_OK, ""));
    let (code, _, err) = run(
        visitor_book::stack(),
        &[
            "--state",
            state.to_str().unwrap(),
            "state",
            "show",
            "app-vpc",
        ],
    );
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("`app-vpc` is not in state"));
    let (code, _, err) = run(visitor_book::stack(), &["frobnicate"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("unrecognized subcommand"), "{err}");
}
