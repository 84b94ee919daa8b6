//! Nothing changes until every read has succeeded: a missing secret, certificate, managed
//! policy or KMS key stops apply before its first mutating request (counted at a proxy in
//! front of moto), naming the missing thing and what uses it.

use crate::apply::{config, runtime};
use crate::fault_proxy::{mutating, recording};
use crate::moto::Moto;
use crate::visitor_book;
use ecs_iac::aws::engine::ApplyError;
use ecs_iac::aws::{apply, ApplyOptions, Aws, ProviderError, StateStore};
use ecs_iac::prelude::*;

/// Applies `stack` through the recording proxy; the error and every operation sent.
fn apply_through_proxy(moto: &Moto, stack: &Stack) -> (ApplyError, Vec<String>) {
    let (proxy, seen) = recording(moto);
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("s.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    let err = runtime().block_on(async {
        let mut cfg = config(moto);
        cfg.endpoint_url = Some(proxy.endpoint.clone());
        let aws = Aws::connect(cfg, stack.pinned_region()).await.unwrap();
        let plan = plan(stack, &State::empty(stack.name())).unwrap();
        apply(
            &aws,
            &plan,
            &lock,
            State::empty(stack.name()),
            &ApplyOptions::default(),
        )
        .await
        .expect_err("apply stops")
    });
    assert!(!store.path().unwrap().exists(), "no state was written");
    let seen = seen.lock().unwrap().clone();
    (err, seen)
}

#[test]
fn a_missing_secret_certificate_policy_or_key_stops_apply_before_any_change() {
    let moto = Moto::start();
    moto.seed();
    // visitor-book with a certificate that does not exist, plus a secret, a managed
    // policy and a KMS key that do not exist either.
    let missing_cert =
        "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000";
    let mut stack = visitor_book::stack_with_certificate(missing_cert);
    let secret = stack.add(SecretRef::by_name("api-key", "visitor-book/api-key"));
    let exec = stack.add(
        Role::new("extra-exec", Principal::ecs_tasks())
            .managed_policy(ManagedPolicy::arn("arn:aws:iam::aws:policy/DoesNotExist")),
    );
    stack.add(
        TaskDefinition::fargate("extra-task", Fargate::CPU_256_MEM_512)
            .execution_role(&exec)
            .container(Container::new("app", image("app:1.0.0")).secret("API_KEY", &secret)),
    );
    stack.add(
        LogGroup::new("extra-logs", "/ecs/extra")
            .retention_days(30)
            .kms_key("arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"),
    );
    let (err, seen) = apply_through_proxy(&moto, &stack);
    assert_eq!(mutating(&seen), Vec::<String>::new(), "sent: {seen:?}");
    let ApplyError::Preflight(ProviderError::Several(errors)) = &err else {
        panic!("expected every problem at once, got {err}");
    };
    let text = err.to_string();
    assert_eq!(errors.len(), 4, "{text}");
    for needle in [
        "nothing was changed",
        // The secret, by its AWS name, and what uses it.
        "secret `visitor-book/api-key`",
        "(used by extra-task)",
        missing_cert,
        "app-https-listener",
        "managed policy `arn:aws:iam::aws:policy/DoesNotExist`",
        "KMS key `arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555`",
    ] {
        assert!(text.contains(needle), "`{needle}` not in: {text}");
    }
}

#[test]
fn the_cli_checks_before_asking_and_plan_reports_the_same_problem() {
    let moto = Moto::start();
    let certificate = moto.seed();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("vb.state.json");
    let run = |cert: &str, args: &[&str]| {
        std::process::Command::new(crate::apply::example_binary("visitor_book"))
            .arg("--state")
            .arg(&state)
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &moto.endpoint)
            .env("VISITOR_BOOK_CERTIFICATE_ARN", cert)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let missing = "arn:aws:acm:us-east-1:123456789012:certificate/does-not-exist";
    let out = run(missing, &["apply", "--yes", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing was changed") && err.contains(missing),
        "{err}"
    );
    assert!(!state.exists(), "nothing was recorded");
    // Applied with the real certificate, then planned against the account with the
    // missing one: the plan says apply would stop.
    let applied = run(
        &certificate,
        &["apply", "--yes", "--quiet", "--poll-seconds", "1"],
    );
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    let planned = run(missing, &["plan"]);
    assert_eq!(planned.status.code(), Some(1));
    let err = String::from_utf8_lossy(&planned.stderr);
    assert!(
        err.contains("apply would stop before changing anything") && err.contains(missing),
        "{err}"
    );
}
