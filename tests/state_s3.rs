//! The S3 state backend on moto: locking by conditional writes between separate
//! processes, a killed holder and `force-unlock`, a writer whose lock was forced away,
//! encryption, history, pull and push, migration, and an example applied and destroyed
//! with its state in S3.
//!
//! The processes are this test binary started again on [`state_child`], which runs the
//! command line on a stack of log groups.

use crate::apply::{config, count_all, example_binary, runtime, s3_client, sdk};
use crate::moto::Moto;
use ecs_iac::aws::{StateStore, StateStoreError};
use ecs_iac::prelude::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The stack the child processes apply: `groups` log groups.
fn log_groups(groups: usize) -> Stack {
    let mut stack = Stack::new("shared").region("us-east-1");
    for i in 1..=groups {
        stack
            .add(LogGroup::new(format!("logs-{i}"), format!("/shared/logs-{i}")).retention_days(7));
    }
    stack
}

/// Run as a separate process by the tests below (it does nothing when run directly):
/// the command line with the arguments in `STATE_CHILD_ARGS` on [`log_groups`], after
/// one line on stdin when `STATE_CHILD_WAIT` is set.
#[test]
#[ignore = "a child process of the S3 state tests"]
fn state_child() {
    let Ok(args) = std::env::var("STATE_CHILD_ARGS") else {
        return;
    };
    let groups = std::env::var("STATE_CHILD_GROUPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    if std::env::var_os("STATE_CHILD_WAIT").is_some() {
        let mut go = String::new();
        std::io::stdin().read_line(&mut go).unwrap();
    }
    let argv = std::iter::once("shared").chain(args.split('\u{1f}'));
    let code = ecs_iac::cli::run_with(
        log_groups(groups),
        argv,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    std::process::exit(code.into());
}

/// A child process running `args` on `groups` log groups, with its state at `location`.
fn child(moto: &Moto, location: &str, groups: usize, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "state_s3::state_child",
        "--exact",
        "--ignored",
        "--nocapture",
        "--quiet",
    ])
    .env("STATE_CHILD_ARGS", args.join("\u{1f}"))
    .env("STATE_CHILD_GROUPS", groups.to_string())
    .env("ECS_IAC_STATE", location)
    .env("AWS_ACCESS_KEY_ID", "testing")
    .env("AWS_SECRET_ACCESS_KEY", "testing")
    .env("AWS_REGION", "us-east-1")
    .env("AWS_ENDPOINT_URL", &moto.endpoint)
    .env_remove("AWS_PROFILE")
    .stdin(Stdio::null());
    cmd
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// Runs `cmd` and returns (exit code, stdout, stderr), stdout without the line the test
/// harness prints before the child runs.
fn run(mut cmd: Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    let stdout = text(&out.stdout);
    let stdout = match stdout.split_once("running 1 test\n") {
        Some((_, rest)) => rest.to_string(),
        None => stdout,
    };
    (out.status.code().unwrap_or(-1), stdout, text(&out.stderr))
}

/// The state's resources, without the follow-up requests (`logs-1#retention`).
fn resources(state: &State) -> usize {
    state.resources.keys().filter(|a| !a.contains('#')).count()
}

/// Creates `bucket` on moto, with versioning on when `versioned`.
async fn bucket(moto: &Moto, bucket: &str, versioned: bool) -> aws_sdk_s3::Client {
    let s3 = s3_client(&sdk(moto).await);
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    if versioned {
        s3.put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(
                aws_sdk_s3::types::VersioningConfiguration::builder()
                    .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    s3
}

/// The text of `key` in `bucket`, `None` when it does not exist.
async fn object(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Option<String> {
    let out = s3.get_object().bucket(bucket).key(key).send().await.ok()?;
    let bytes = out.body.collect().await.unwrap().into_bytes();
    Some(String::from_utf8(bytes.to_vec()).unwrap())
}

async fn stored_state(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> State {
    State::from_json(&object(s3, bucket, key).await.expect("a state object")).unwrap()
}

/// How many log groups named `/shared/...` exist.
async fn shared_log_groups(moto: &Moto) -> usize {
    aws_sdk_cloudwatchlogs::Client::new(&sdk(moto).await)
        .describe_log_groups()
        .log_group_name_prefix("/shared/")
        .send()
        .await
        .unwrap()
        .log_groups()
        .len()
}

/// 20 rounds of two applies started at once from separate processes against one S3
/// state: exactly one proceeds each round, the other fails at once naming the holder, and
/// no update is lost (the serial strictly increases, the state is the winner's).
#[test]
fn of_two_applies_started_at_once_exactly_one_proceeds_and_none_is_lost() {
    let moto = Moto::start_one_request_at_a_time();
    let s3 = runtime().block_on(bucket(&moto, "race-state", true));
    let location = "s3://race-state/shared.json";
    let mut last_serial = 0;
    let mut slowest_refusal = Duration::ZERO;
    for round in 1..=20usize {
        let racers: Vec<_> = (0..2)
            .map(|_| {
                child(&moto, location, round, &["apply", "--yes", "--quiet"])
                    .env("STATE_CHILD_WAIT", "1")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        // Both processes are up and waiting; start them together.
        std::thread::sleep(Duration::from_millis(150));
        let start = Instant::now();
        let racers: Vec<_> = racers
            .into_iter()
            .map(|mut c| {
                c.stdin.take().unwrap().write_all(b"go\n").unwrap();
                std::thread::spawn(move || {
                    let out = c.wait_with_output().unwrap();
                    (out, start.elapsed())
                })
            })
            .collect();
        let results: Vec<_> = racers.into_iter().map(|t| t.join().unwrap()).collect();
        let (won, lost): (Vec<_>, Vec<_>) =
            results.iter().partition(|(out, _)| out.status.success());
        assert_eq!(
            (won.len(), lost.len()),
            (1, 1),
            "round {round}: exactly one proceeds: {:?}",
            results
                .iter()
                .map(|(o, _)| text(&o.stderr))
                .collect::<Vec<_>>()
        );
        let (loser, refused_after) = &lost[0];
        let (_, won_after) = &won[0];
        let says = text(&loser.stderr);
        assert!(
            says.contains("s3://race-state/shared.json is locked by pid ")
                && says.contains("running `")
                && says.contains("force-unlock "),
            "round {round}: the loser names the holder: {says}"
        );
        assert!(
            refused_after < won_after,
            "round {round}: the loser did not wait for the winner"
        );
        slowest_refusal = slowest_refusal.max(*refused_after);
        let state = runtime().block_on(stored_state(&s3, "race-state", "shared.json"));
        assert!(state.serial > last_serial, "round {round}: serial went up");
        last_serial = state.serial;
        assert_eq!(
            resources(&state),
            round,
            "round {round}: the winner's state"
        );
        assert!(state.resources.contains_key(&format!("logs-{round}")));
        let lock = runtime().block_on(object(&s3, "race-state", "shared.json.lock"));
        assert!(
            lock.is_none(),
            "round {round}: the winner released the lock"
        );
    }
    assert_eq!(runtime().block_on(shared_log_groups(&moto)), 20);
    eprintln!("slowest refusal: {slowest_refusal:?} after the start");
}

/// `kill -9` of an apply holding the S3 lock: the lock stays, the next apply names it,
/// `force-unlock` with a wrong ID is refused and with the lock's ID works, and the re-run
/// converges with exactly one of each log group.
#[test]
fn a_killed_holder_leaves_its_lock_and_force_unlock_needs_its_id() {
    let moto = Moto::start();
    let s3 = runtime().block_on(bucket(&moto, "kill-state", false));
    let location = "s3://kill-state/shared.json";
    let groups = 30;
    let mut holder = child(
        &moto,
        location,
        groups,
        &["apply", "--yes", "--json", "--parallelism", "1"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let holder_pid = holder.id();
    let mut finished = 0;
    for line in BufReader::new(holder.stdout.take().unwrap()).lines() {
        if line.unwrap().contains("\"finished\"") {
            finished += 1;
            if finished == 5 {
                break;
            }
        }
    }
    assert_eq!(finished, 5, "the apply got going");
    holder.kill().unwrap(); // SIGKILL: no chance to release anything
    holder.wait().unwrap();
    let lock = runtime()
        .block_on(object(&s3, "kill-state", "shared.json.lock"))
        .expect("the killed holder's lock stays");
    assert!(lock.contains(&format!("\"pid\": {holder_pid}")), "{lock}");

    let (code, _, err) = run(child(
        &moto,
        location,
        groups,
        &["apply", "--yes", "--quiet"],
    ));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("is locked by pid {holder_pid} on ")),
        "names the holder: {err}"
    );
    let id = err
        .split("force-unlock ")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_hexdigit)
                .collect::<String>()
        })
        .expect("the error says how to unlock");
    assert_eq!(id.len(), 32, "{err}");

    let wrong = "0123456789abcdef0123456789abcdef";
    let (code, _, err) = run(child(&moto, location, groups, &["force-unlock", wrong]));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "the lock's ID is {id}, not {wrong}: nothing was unlocked"
        )),
        "{err}"
    );
    assert!(runtime()
        .block_on(object(&s3, "kill-state", "shared.json.lock"))
        .is_some());

    let (code, out, err) = run(child(&moto, location, groups, &["force-unlock", &id]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Removed the lock of s3://kill-state/shared.json held by pid"),
        "{out}"
    );

    let (code, out, err) = run(child(
        &moto,
        location,
        groups,
        &["apply", "--yes", "--quiet"],
    ));
    assert_eq!(code, 0, "the re-run converges: {out}\n{err}");
    assert_eq!(runtime().block_on(shared_log_groups(&moto)), groups);
    let (code, out, _) = run(child(
        &moto,
        location,
        groups,
        &["plan", "--detailed-exitcode"],
    ));
    assert_eq!(code, 0, "{out}");
    assert!(runtime()
        .block_on(object(&s3, "kill-state", "shared.json.lock"))
        .is_none());
}

/// A writer whose lock was forced away while it still ran cannot overwrite the state the
/// next holder wrote (the ETag no longer matches): it stops and leaves its state in a
/// local file; releasing its lock leaves the new holder's alone.
#[test]
fn a_writer_whose_lock_was_forced_away_cannot_overwrite_the_newer_state() {
    let moto = Moto::start();
    runtime().block_on(async {
        let s3 = bucket(&moto, "forced-state", false).await;
        let store = StateStore::s3(
            S3Backend::new("forced-state", "forced.json").region("us-east-1"),
            &config(&moto),
        );
        let first = store.lock().await.unwrap();
        let mut stale = first.load("forced").await.unwrap();
        first.save(&mut stale).await.unwrap();
        // The first holder looks dead; someone forces its lock away and takes over.
        store.force_unlock(first.id()).await.unwrap();
        let second = store.lock().await.unwrap();
        let mut newer = second.load("forced").await.unwrap();
        assert_eq!(newer.serial, 1);
        newer.outputs.insert(
            "owner".into(),
            ecs_iac::OutputValue {
                value: "second".into(),
                template: "second".into(),
                description: None,
            },
        );
        second.save(&mut newer).await.unwrap();

        let err = first.save(&mut stale).await.unwrap_err();
        let StateStoreError::Conflict {
            errored, serial, ..
        } = &err
        else {
            panic!("expected a conflict, got {err}");
        };
        let left = std::fs::read_to_string(errored).unwrap();
        std::fs::remove_file(errored).unwrap();
        assert_eq!(State::from_json(&left).unwrap().serial, *serial);
        assert!(err.to_string().contains("nothing was overwritten"), "{err}");
        let stored = stored_state(&s3, "forced-state", "forced.json").await;
        assert_eq!(stored, newer, "the newer state is intact");

        let released = first.release().await.unwrap_err().to_string();
        assert!(
            released.contains("was removed by `force-unlock`"),
            "{released}"
        );
        assert!(object(&s3, "forced-state", "forced.json.lock")
            .await
            .is_some());
        second.release().await.unwrap();
        assert!(object(&s3, "forced-state", "forced.json.lock")
            .await
            .is_none());
    });
}

/// The state and its lock are written encrypted (SSE-S3 by default, SSE-KMS with a key);
/// a versioned bucket keeps each write, `state history` lists them with their serials,
/// `state pull --version` reads an old one, and `state push` refuses an older serial or
/// another lineage unless forced.
#[test]
fn s3_state_is_encrypted_versioned_and_pushed_only_forward() {
    let moto = Moto::start();
    let (s3, key_id) = runtime().block_on(async {
        let s3 = bucket(&moto, "team-state", true).await;
        let kms = aws_sdk_kms::Client::new(&sdk(&moto).await);
        let key = kms.create_key().send().await.unwrap();
        (s3, key.key_metadata().unwrap().key_id().to_string())
    });
    let plain = "s3://team-state/plain.json";
    let (code, _, err) = run(child(&moto, plain, 1, &["apply", "--yes", "--quiet"]));
    assert_eq!(code, 0, "{err}");
    let with_kms = format!("s3://team-state/kms.json?kms_key={key_id}");
    let (code, _, err) = run(child(&moto, &with_kms, 1, &["apply", "--yes", "--quiet"]));
    assert_eq!(code, 0, "{err}");
    runtime().block_on(async {
        let head = |key: &'static str| s3.head_object().bucket("team-state").key(key).send();
        let plain = head("plain.json").await.unwrap();
        assert_eq!(
            plain.server_side_encryption(),
            Some(&aws_sdk_s3::types::ServerSideEncryption::Aes256)
        );
        let kms = head("kms.json").await.unwrap();
        assert_eq!(
            kms.server_side_encryption(),
            Some(&aws_sdk_s3::types::ServerSideEncryption::AwsKms)
        );
        assert!(kms.ssekms_key_id().is_some_and(|k| k.contains(&key_id)));
    });

    // Two more applies, each a new version.
    for groups in [2, 3] {
        let (code, _, err) = run(child(&moto, plain, groups, &["apply", "--yes", "--quiet"]));
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = run(child(&moto, plain, 3, &["state", "history", "--json"]));
    assert_eq!(code, 0, "{err}");
    let versions: Vec<ecs_iac::aws::StateVersion> = serde_json::from_str(&out).unwrap();
    let serials: Vec<u64> = versions.iter().filter_map(|v| v.serial).collect();
    assert!(serials.len() >= 3, "{out}");
    assert!(
        serials.windows(2).all(|w| w[0] > w[1]),
        "newest first: {serials:?}"
    );
    assert!(versions[0].latest);
    let (code, out, _) = run(child(&moto, plain, 3, &["state", "history"]));
    assert_eq!(code, 0);
    assert!(out.lines().next().unwrap().ends_with("(current)"), "{out}");

    let oldest = versions.last().unwrap();
    let (code, old_text, err) = run(child(
        &moto,
        plain,
        3,
        &["state", "pull", "--version", &oldest.version_id],
    ));
    assert_eq!(code, 0, "{err}");
    let old = State::from_json(&old_text).unwrap();
    assert_eq!(Some(old.serial), oldest.serial);
    assert_eq!(resources(&old), 1);

    let dir = tempfile::tempdir().unwrap();
    let old_file = dir.path().join("old.json");
    std::fs::write(&old_file, &old_text).unwrap();
    let old_path = old_file.to_str().unwrap();
    let (code, _, err) = run(child(&moto, plain, 3, &["state", "push", old_path]));
    assert_eq!(code, 1);
    assert!(err.contains("is older than the stored state's"), "{err}");
    let mut other = old.clone();
    other.lineage = "another".into();
    other.serial = 99;
    let other_file = dir.path().join("other.json");
    std::fs::write(&other_file, other.to_json()).unwrap();
    let (code, _, err) = run(child(
        &moto,
        plain,
        3,
        &["state", "push", other_file.to_str().unwrap()],
    ));
    assert_eq!(code, 1);
    assert!(err.contains("is not the stored state's"), "{err}");

    let (code, out, err) = run(child(
        &moto,
        plain,
        3,
        &["state", "push", old_path, "--force"],
    ));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Pushed "), "{out}");
    let now = runtime().block_on(stored_state(&s3, "team-state", "plain.json"));
    assert_eq!(resources(&now), 1);
    assert!(
        now.serial > versions[0].serial.unwrap(),
        "a push moves the serial on"
    );
    // Forced, another lineage replaces the stored one, and keeps its own lineage.
    let (code, _, err) = run(child(
        &moto,
        plain,
        3,
        &["state", "push", other_file.to_str().unwrap(), "--force"],
    ));
    assert_eq!(code, 0, "{err}");
    let replaced = runtime().block_on(stored_state(&s3, "team-state", "plain.json"));
    assert_eq!(replaced.lineage, "another");
    assert_eq!(replaced.serial, 100);
    // The stack has 3 log groups, the pushed state 1: the plan shows the other two.
    let (code, out, _) = run(child(&moto, plain, 3, &["plan", "--detailed-exitcode"]));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("logs-2") && out.contains("logs-3"), "{out}");
}

/// `state migrate` moves a local state to S3 and back, under both locks: the plan at the
/// new location is empty, the old location no longer holds it, lineage is kept.
#[test]
fn state_migrates_from_a_local_file_to_s3_and_back() {
    let moto = Moto::start();
    let s3 = runtime().block_on(bucket(&moto, "move-state", true));
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("shared.state.json");
    let local = local.to_str().unwrap();
    let remote = "s3://move-state/shared.json";
    let (code, _, err) = run(child(&moto, local, 2, &["apply", "--yes", "--quiet"]));
    assert_eq!(code, 0, "{err}");
    let before = State::from_json(&std::fs::read_to_string(local).unwrap()).unwrap();

    let (code, out, err) = run(child(
        &moto,
        local,
        2,
        &["state", "migrate", "--to", remote],
    ));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("to s3://move-state/shared.json"), "{out}");
    assert!(!std::path::Path::new(local).exists());
    assert!(std::path::Path::new(&format!("{local}.migrated")).exists());
    let moved = runtime().block_on(stored_state(&s3, "move-state", "shared.json"));
    assert_eq!(moved.lineage, before.lineage);
    assert_eq!(moved.resources, before.resources);
    let (code, out, _) = run(child(&moto, remote, 2, &["plan", "--detailed-exitcode"]));
    assert_eq!(code, 0, "{out}");

    // To where it already is: refused.
    let (code, _, err) = run(child(
        &moto,
        remote,
        2,
        &["state", "migrate", "--to", remote],
    ));
    assert_eq!(code, 1);
    assert!(err.contains("already here"), "{err}");

    let back = dir.path().join("back.state.json");
    let back = back.to_str().unwrap();
    let (code, _, err) = run(child(&moto, remote, 2, &["state", "migrate", "--to", back]));
    assert_eq!(code, 0, "{err}");
    assert!(runtime()
        .block_on(object(&s3, "move-state", "shared.json"))
        .is_none());
    let returned = State::from_json(&std::fs::read_to_string(back).unwrap()).unwrap();
    assert_eq!(returned.lineage, before.lineage);
    assert!(returned.serial > moved.serial);
    let (code, out, _) = run(child(&moto, back, 2, &["plan", "--detailed-exitcode"]));
    assert_eq!(code, 0, "{out}");
}

/// `state recover` rebuilds a lost S3 state from the ownership tags, as it does a file.
#[test]
fn a_lost_s3_state_is_recovered_from_the_tags() {
    let moto = Moto::start();
    let s3 = runtime().block_on(bucket(&moto, "lost-state", false));
    let location = "s3://lost-state/shared.json";
    let (code, _, err) = run(child(&moto, location, 3, &["apply", "--yes", "--quiet"]));
    assert_eq!(code, 0, "{err}");
    runtime().block_on(async {
        s3.delete_object()
            .bucket("lost-state")
            .key("shared.json")
            .send()
            .await
            .unwrap()
    });
    let (code, out, err) = run(child(&moto, location, 3, &["state", "recover", "--quiet"]));
    assert_eq!(code, 0, "{out}\n{err}");
    let state = runtime().block_on(stored_state(&s3, "lost-state", "shared.json"));
    assert_eq!(resources(&state), 3);
    assert!(state.resources.values().all(|r| r.id.is_some()));
    let (code, out, _) = run(child(&moto, location, 3, &["plan", "--detailed-exitcode"]));
    assert_eq!(code, 0, "{out}");
    assert_eq!(runtime().block_on(shared_log_groups(&moto)), 3);
}

/// visitor-book applies, converges and destroys with its state in S3.
#[test]
fn visitor_book_applies_and_destroys_with_its_state_in_s3() {
    let moto = Moto::start();
    let certificate = moto.seed();
    let s3 = runtime().block_on(bucket(&moto, "vb-state", true));
    let example = |args: &[&str]| {
        let mut cmd = Command::new(example_binary("visitor_book"));
        cmd.args(["--state", "s3://vb-state/visitor-book.json"])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &moto.endpoint)
            .env("VISITOR_BOOK_CERTIFICATE_ARN", &certificate)
            .stdin(Stdio::null());
        run(cmd)
    };
    let (code, out, err) = example(&["apply", "--yes", "--quiet", "--poll-seconds", "1"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let state = runtime().block_on(stored_state(&s3, "vb-state", "visitor-book.json"));
    assert!(state.resources.len() > 30, "{}", state.resources.len());
    let (code, out, _) = example(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, err) = example(&["destroy", "--yes", "--quiet", "--poll-seconds", "1"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let state = runtime().block_on(stored_state(&s3, "vb-state", "visitor-book.json"));
    assert!(state.resources.is_empty());
    let left: Vec<_> = runtime()
        .block_on(async { count_all(&sdk(&moto).await).await })
        .into_iter()
        // moto lists a deleted ECS service (as INACTIVE, as AWS does for an hour).
        .filter(|(what, n)| *n > 0 && !(*what == "buckets" && *n == 1) && *what != "services")
        .collect();
    assert!(
        left.is_empty(),
        "destroy left {left:?} (besides the state bucket)"
    );
    assert!(runtime()
        .block_on(object(&s3, "vb-state", "visitor-book.json.lock"))
        .is_none());
}

/// The two-stack example with both states in S3: the app reads the network's outputs from
/// the network's S3 state, both converge, and both destroy.
#[test]
fn two_stacks_share_outputs_through_s3_states() {
    let moto = Moto::start();
    let s3 = runtime().block_on(bucket(&moto, "stacks-state", true));
    let example = |args: &[&str]| {
        let mut cmd = Command::new(example_binary("two_stacks"));
        cmd.args(args)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &moto.endpoint)
            .env("NETWORK_STATE", "s3://stacks-state/network.json")
            .stdin(Stdio::null());
        run(cmd)
    };
    let network = ["--state", "s3://stacks-state/network.json"];
    let app = ["--state", "s3://stacks-state/app.json"];
    let with = |stack: &str, state: &[&str], args: &[&str]| {
        let mut all = vec![stack];
        all.extend_from_slice(args);
        all.extend_from_slice(state);
        example(&all)
    };
    for (stack, state) in [("network", &network), ("app", &app)] {
        let (code, out, err) = with(
            stack,
            state,
            &["apply", "--yes", "--quiet", "--poll-seconds", "1"],
        );
        assert_eq!(code, 0, "{stack}: {out}\n{err}");
        let (code, out, err) = with(stack, state, &["plan", "--detailed-exitcode"]);
        assert_eq!(code, 0, "{stack}: {out}\n{err}");
    }
    let app_state = runtime().block_on(stored_state(&s3, "stacks-state", "app.json"));
    let network_state = runtime().block_on(stored_state(&s3, "stacks-state", "network.json"));
    assert_eq!(
        app_state.resources["network-vpc"].id, network_state.resources["vpc"].id,
        "the app deployed into the network's VPC"
    );
    for (stack, state) in [("app", &app), ("network", &network)] {
        let (code, out, err) = with(
            stack,
            state,
            &["destroy", "--yes", "--quiet", "--poll-seconds", "1"],
        );
        assert_eq!(code, 0, "{stack}: {out}\n{err}");
    }
    let network_state = runtime().block_on(stored_state(&s3, "stacks-state", "network.json"));
    assert!(network_state.resources.is_empty());
}
