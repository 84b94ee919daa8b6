//! Security lint of the examples: the faithful `fintech` shows the seed's intentional
//! weaknesses, `fintech_hardened` has none; report snapshots (text and SARIF); the `lint`
//! command and the refusal of `apply` on lint errors.

use crate::cli::run;
use crate::{fintech, fintech_hardened, visitor_book};
use ecs_iac::cli::{EXIT_ERROR, EXIT_OK};
use ecs_iac::{lint, LintRule, Severity};

#[test]
fn fintech_shows_the_seeds_intentional_weaknesses() {
    let report = lint(&fintech::stack());
    let errors: Vec<(LintRule, &str)> = report
        .errors()
        .map(|f| (f.rule, f.address.as_str()))
        .collect();
    // OWASP-LLM-08: the over-privileged task role (`s3:*`, `secretsmanager:*`, … and
    // `iam:PassRole` on `*`).
    assert!(errors.len() >= 2, "{errors:?}");
    assert!(errors
        .iter()
        .all(|(_, a)| *a == "fake-fintech-ecs-task-role"));
    assert!(errors.contains(&(LintRule::IamPassRoleWildcard, "fake-fintech-ecs-task-role")));
    assert!(errors
        .iter()
        .any(|(r, _)| *r == LintRule::IamWildcardAction));
    // Public IPs on tasks, `latest` images, no circuit breakers: one per service.
    for rule in [LintRule::ServicePublicIp, LintRule::ServiceNoCircuitBreaker] {
        assert_eq!(report.of(rule).count(), 10, "{rule:?}");
    }
    assert_eq!(report.of(LintRule::ImageLatest).count(), 10);
    assert!(report.has_errors());
}

#[test]
fn fintech_hardened_has_no_errors_and_no_warnings() {
    let report = lint(&fintech_hardened::stack());
    let summary = report.summary();
    assert_eq!(
        (summary.errors, summary.warnings),
        (0, 0),
        "{}",
        report.to_text()
    );
    assert!(report.active().all(|f| f.severity == Severity::Note));
    assert!(report.check().is_ok());
}

#[test]
fn visitor_book_has_no_lint_errors() {
    let report = lint(&visitor_book::stack());
    assert!(!report.has_errors(), "{}", report.to_text());
}

#[test]
fn lint_report_snapshots() {
    for (name, stack) in [
        ("fintech", fintech::stack()),
        ("fintech_hardened", fintech_hardened::stack()),
    ] {
        let report = lint(&stack);
        insta::assert_snapshot!(format!("{name}_lint_text"), report.to_text());
        insta::assert_json_snapshot!(format!("{name}_lint_sarif"), report.to_sarif());
    }
}

#[test]
fn lint_command_formats_and_exit_codes() {
    let (code, out, _) = run(fintech::stack(), &["lint"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(
        out.contains("error[L0303 iam-passrole-wildcard]: fake-fintech-ecs-task-role#policy:over-privileged at "),
        "{out}"
    );
    assert!(out.contains("  help: "), "{out}");
    let (code, out, _) = run(fintech_hardened::stack(), &["lint"]);
    assert_eq!(code, EXIT_OK, "{out}");
    assert!(
        out.ends_with("0 error(s), 0 warning(s), 9 note(s), 0 suppressed\n"),
        "{out}"
    );
    let (code, _, _) = run(visitor_book::stack(), &["lint", "--deny-warnings"]);
    assert_eq!(code, EXIT_ERROR, "visitor-book has warnings");

    let (code, sarif, _) = run(fintech::stack(), &["lint", "--format", "sarif"]);
    assert_eq!(code, EXIT_ERROR);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "ecs-iac");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["level"] == "error"));
    let (_, json, _) = run(fintech::stack(), &["lint", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(json["summary"]["errors"].as_u64().unwrap() >= 2);
}

#[test]
fn apply_refuses_a_stack_with_lint_errors_before_touching_aws() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("ff.state.json");
    let state = state.to_str().unwrap();
    let (code, _, err) = run(fintech::stack(), &["--state", state, "apply", "--yes"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("error[L0303 iam-passrole-wildcard]"), "{err}");
    assert!(err.contains("lint error(s); nothing was applied"), "{err}");
    assert!(!std::path::Path::new(state).exists(), "no state written");

    // With --ignore-lint-errors it goes on to AWS (here: a closed port, so it fails there).
    let (code, _, err) = run(
        fintech::stack(),
        &[
            "--state",
            state,
            "apply",
            "--yes",
            "--ignore-lint-errors",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--region",
            "us-east-1",
            "--max-attempts",
            "1",
        ],
    );
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("applying despite"), "{err}");
    assert!(err.contains("sts:GetCallerIdentity"), "{err}");
}
