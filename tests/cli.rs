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
    assert!(out.contains("wrote 80 files"), "{out}");
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
        out.contains("error[E0104 subnet-outside-vpc]: a at CidrBlock"),
        "{out}"
    );
    assert!(
        out.contains("error[E0302 log-retention]: logs at retentionInDays"),
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

/// The backend chosen in code is used unless `--state` (or `ECS_IAC_STATE`) says
/// otherwise; a bad location is an error naming what is wrong, before anything is read.
#[test]
fn the_state_backend_comes_from_code_unless_the_command_line_names_one() {
    let dir = tempfile::tempdir().unwrap();
    let chosen = dir.path().join("chosen.state.json");
    let mut state = ecs_iac::State::empty("visitor-book");
    state.lineage = "0123".into();
    state.serial = 4;
    std::fs::write(&chosen, state.to_json()).unwrap();
    let stack = || visitor_book::stack().state_backend(StateBackend::local(&chosen));
    let (code, out, err) = run(stack(), &["state", "pull"]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert_eq!(ecs_iac::State::from_json(&out).unwrap(), state);
    let other = dir.path().join("other.state.json");
    let (code, out, err) = run(
        stack(),
        &["--state", other.to_str().unwrap(), "state", "pull"],
    );
    assert_eq!((code, out.as_str()), (EXIT_OK, ""));
    assert!(err.contains("no state at"), "{err}");
    let (code, _, err) = run(stack(), &["--state", "s3://Bad_Bucket/k", "state", "list"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(
        err.contains(
            "state location `s3://Bad_Bucket/k`: bucket `Bad_Bucket` is not a valid S3 bucket name"
        ),
        "{err}"
    );
    // A local file has no history and no lock to force: both say what to use instead.
    let (code, _, err) = run(stack(), &["state", "history"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("keeps no history: use an S3 backend"), "{err}");
    let (code, _, err) = run(stack(), &["force-unlock", "abc"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("released when its holder ends"), "{err}");
}

#[test]
fn version_and_per_command_flags() {
    let (code, out, _) = run(visitor_book::stack(), &["--version"]);
    assert_eq!(code, EXIT_OK);
    assert!(
        out.contains(&format!("(ecs-iac {})", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    let (_, apply_help, _) = run(visitor_book::stack(), &["apply", "--help"]);
    assert!(apply_help.contains("--apply-immediately"), "{apply_help}");
    assert!(apply_help.contains("--keep-replaced"), "{apply_help}");
    for command in ["destroy", "import", "state recover"] {
        let mut args: Vec<&str> = command.split(' ').collect();
        args.push("--help");
        let (code, help, _) = run(visitor_book::stack(), &args);
        assert_eq!(code, EXIT_OK, "{command}");
        assert!(!help.contains("--apply-immediately"), "{command}: {help}");
        assert!(!help.contains("--keep-replaced"), "{command}: {help}");
    }
    let (code, _, err) = run(visitor_book::stack(), &["destroy", "--apply-immediately"]);
    assert_eq!(code, EXIT_ERROR, "{err}");
}

#[test]
fn state_list_without_a_state_file_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("none.state.json");
    let (code, out, err) = run(
        visitor_book::stack(),
        &["--state", state.to_str().unwrap(), "state", "list"],
    );
    assert_eq!(code, EXIT_OK);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("no state at"), "{err}");
}

/// A writer whose reader has gone, as `synth | head -1` leaves it.
struct ClosedPipe;

impl std::io::Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_closed_pipe_ends_quietly_with_status_0() {
    let mut err = Vec::new();
    let code = run_with(
        visitor_book::stack(),
        ["example", "synth"],
        &mut ClosedPipe,
        &mut err,
    );
    assert_eq!(code, EXIT_OK);
    assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
    // And through a real pipe closed after the first line.
    let binary = crate::apply::example_binary("visitor_book");
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' synth | head -1",
            binary.display()
        ))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("error") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn logs_and_progress_carry_no_ansi_escapes_off_a_terminal() {
    let binary = crate::apply::example_binary("visitor_book");
    let output = std::process::Command::new(binary)
        .args(["-vv", "validate"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ecs-iac starting"),
        "a log line is written: {stderr}"
    );
    let all = [output.stdout, output.stderr].concat();
    assert!(!all.contains(&0x1b), "{}", String::from_utf8_lossy(&all));
}

/// Runs the visitor-book example with a clean AWS environment plus `env`.
fn example_in(env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("vb.state.json");
    let mut cmd = std::process::Command::new(crate::apply::example_binary("visitor_book"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .envs(env.iter().copied())
        .arg("--state")
        .arg(&state)
        .args(args)
        .stdin(std::process::Stdio::null());
    cmd.output().unwrap()
}

#[test]
fn aws_setup_problems_are_one_line_with_the_fix_before_any_plan() {
    let refused = example_in(
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ],
        &["apply", "--yes"],
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(refused.stdout.is_empty(), "no plan is shown: {refused:?}");
    assert!(stderr.contains("sts:GetCallerIdentity"), "{stderr}");
    assert!(
        stderr.contains("nothing answers at the endpoint: check --endpoint-url"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("ConnectorError {"),
        "no debug dump: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let no_credentials = example_in(&[], &["destroy", "--yes"]);
    let stderr = String::from_utf8_lossy(&no_credentials.stderr);
    // An empty state has nothing to destroy and needs no connection.
    assert_eq!(no_credentials.status.code(), Some(0), "{stderr}");
    let no_credentials = example_in(&[], &["apply", "--yes"]);
    let stderr = String::from_utf8_lossy(&no_credentials.stderr);
    assert_eq!(no_credentials.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no AWS credentials were found"), "{stderr}");
    assert!(stderr.contains("AWS_PROFILE"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

/// An endpoint that answers every call with the AWS Query error `code` (HTTP `status`).
fn refusing_endpoint(code: &'static str, status: u16) -> String {
    use std::io::Write as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            if crate::fault_proxy::read_request(&mut conn).is_err() {
                continue;
            }
            let body = format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>refused by the test</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
            );
            let _ = write!(
                conn,
                "HTTP/1.1 {status} Refused\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    endpoint
}

#[test]
fn rejected_expired_and_denied_credentials_and_unknown_hosts_say_what_to_do() {
    let keys = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    for (code, status, fix) in [
        ("InvalidClientTokenId", 403, "the credentials were rejected"),
        ("ExpiredToken", 400, "the credentials have expired"),
        (
            "AccessDenied",
            403,
            "not allowed this operation: grant it in IAM",
        ),
    ] {
        let endpoint = refusing_endpoint(code, status);
        let mut env = keys.to_vec();
        env.push(("AWS_ENDPOINT_URL", &endpoint));
        let out = example_in(&env, &["apply", "--yes"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{code}: {stderr}");
        assert!(
            stderr.contains(code) && stderr.contains(fix),
            "{code}: {stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    let mut env = keys.to_vec();
    env.push(("AWS_ENDPOINT_URL", "http://ecs-iac-test.invalid"));
    let out = example_in(&env, &["apply", "--yes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("host name does not resolve"), "{stderr}");
}

/// An endpoint that answers STS and never answers anything else (the call hangs), and
/// counts the calls it holds.
fn hanging_endpoint() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::Write as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let held = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = held.clone();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for mut conn in listener.incoming().flatten() {
            let Ok(request) = crate::fault_proxy::read_request(&mut conn) else {
                continue;
            };
            let text = String::from_utf8_lossy(&request).into_owned();
            if crate::fault_proxy::operation(&text) == "GetCallerIdentity" {
                let body = crate::waiters::STS;
                let _ = write!(
                    conn,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            } else {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                open.push(conn);
            }
        }
    });
    (endpoint, held)
}

/// A second Ctrl-C abandons a call in flight (the first lets it finish): the run ends at
/// once with 130, and what was not done stays in state for the next run.
#[test]
fn a_second_ctrl_c_abandons_calls_in_flight() {
    let (endpoint, held) = hanging_endpoint();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vb.state.json");
    let store = ecs_iac::aws::StateStore::new(&path);
    let mut state = State::empty("visitor-book");
    state.resources.insert(
        "public-subnet-1".into(),
        ecs_iac::ResourceState {
            kind: ecs_iac::Kind::SUBNET,
            operation: "ec2:CreateSubnet".into(),
            status: ecs_iac::ResourceStatus::Created,
            id: Some("subnet-1".into()),
            attributes: [("id".to_string(), "subnet-1".to_string())].into(),
            request: serde_json::json!({}),
            depends_on: Vec::new(),
            pending_since: None,
            allow_destroy: true,
            deletion: Default::default(),
        },
    );
    crate::ready(crate::ready(store.lock()).unwrap().save(&mut state)).unwrap();
    let child = std::process::Command::new(crate::apply::example_binary("visitor_book"))
        .args(["--state", path.to_str().unwrap(), "destroy", "--yes"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while held.load(std::sync::atomic::Ordering::SeqCst) == 0
        && started.elapsed() < std::time::Duration::from_secs(30)
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        held.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "DeleteSubnet was sent"
    );
    let interrupt = || {
        std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap()
    };
    assert!(interrupt().success());
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(interrupt().success());
    // A hang guard, not a timing assertion: without the abandon the call hangs for
    // minutes.
    let guard_pid = child.id();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &guard_pid.to_string()])
            .status();
    });
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted again: abandoned 1"),
        "{stderr}"
    );
    let after = crate::ready(store.load("visitor-book")).unwrap();
    assert!(
        after.resources.contains_key("public-subnet-1"),
        "still in state"
    );
}
