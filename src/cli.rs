//! The command line a stack program hands its stack to: `cargo run --example visitor_book
//! -- plan`. Parsing and printing live here; the work is done by library calls that
//! return values.

use crate::aws::{ApplyOptions, ApplyReport, Aws, EngineConfig, StateStore, StateStoreError};
use crate::progress::{Mode, Progress};
use clap::{Parser, Subcommand};
use ecs_iac_core::{
    lint, plan_destroy, plan_refreshed, synth, validate, Diagnostic, Invalid, LintFailed, Observed,
    Stack, State,
};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code: success (and, with `--detailed-exitcode`, no changes).
pub const EXIT_OK: u8 = 0;
/// Exit code: an error (invalid stack, unreadable state, I/O).
pub const EXIT_ERROR: u8 = 1;
/// Exit code with `plan --detailed-exitcode`: the plan has changes.
pub const EXIT_CHANGES: u8 = 2;
/// Exit code when Ctrl-C stopped an apply or destroy (state is saved).
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, Parser)]
#[command(
    about = "Plan and render an ecs-iac stack",
    version = concat!("(ecs-iac ", env!("CARGO_PKG_VERSION"), ")"),
    disable_help_subcommand = true
)]
struct Cli {
    /// State file (default: <stack>.state.json in the working directory).
    #[arg(long, global = true)]
    state: Option<PathBuf>,
    /// Log what the engine does (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what applying would change (the default command).
    Plan {
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
        /// Exit 2 when the plan has changes, 0 when it has none.
        #[arg(long)]
        detailed_exitcode: bool,
        #[command(flatten)]
        refresh: RefreshArgs,
    },
    /// Render every AWS API request of the stack.
    Synth {
        /// Write one JSON file per request plus manifest.json into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check the stack and list every problem.
    Validate {
        /// Print diagnostics as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check the stack against the security rules; exit 1 on unsuppressed errors.
    Lint {
        /// Output format: `text`, `json`, or `sarif` (SARIF 2.1.0, for code-scanning UIs).
        #[arg(long, value_enum, default_value_t = LintFormat::Text)]
        format: LintFormat,
        /// Exit 1 on unsuppressed warnings too.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the dependency graph in Graphviz DOT.
    Graph,
    /// Create and change resources in AWS so they match the stack.
    Apply {
        /// Apply without asking (needed without a terminal).
        #[arg(long)]
        yes: bool,
        /// Apply even when `lint` reports errors (better: fix them, or suppress one on
        /// its resource with `.allow_lint(id, reason)`).
        #[arg(long)]
        ignore_lint_errors: bool,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Delete every resource of the stack recorded in state.
    Destroy {
        /// Destroy without asking (needed without a terminal).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Adopt an existing AWS resource as one of the stack's: tags it as owned by the
    /// stack and records it in state. `plan` then shows how it differs from the stack.
    Import {
        /// The resource's address in the stack, e.g. `app-logs`.
        address: String,
        /// Its AWS id: a VPC/subnet/group id, an ARN (ECS service, load balancer, target
        /// group, listener) or a name (IAM role, log group, DB instance).
        id: String,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Print the stack's outputs as the last apply recorded them (no AWS call).
    Output {
        /// Print only this output's value.
        name: Option<String>,
        /// Print JSON: `{"NAME": {"value": …, "description": …}}`, or the one value as a
        /// JSON string.
        #[arg(long)]
        json: bool,
    },
    /// Inspect the state file.
    State {
        #[command(subcommand)]
        command: StateCommand,
    },
}

/// How `plan` reads the live account.
#[derive(Debug, clap::Args)]
struct RefreshArgs {
    /// Read every resource in state back from AWS and show drift (`--refresh=false`
    /// compares with the state file only, offline). Skipped when the state is empty.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    refresh: bool,
    #[command(flatten)]
    target: AwsTarget,
}

/// Where AWS calls go.
#[derive(Debug, clap::Args)]
struct AwsTarget {
    /// Send every AWS call here (e.g. a local emulator).
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    endpoint_url: Option<String>,
    /// Region (otherwise the stack's pinned region or the AWS configuration's).
    #[arg(long)]
    region: Option<String>,
}

impl AwsTarget {
    /// Engine settings sending calls to this target, defaults otherwise.
    fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            endpoint_url: self.endpoint_url.clone(),
            region: self.region.clone(),
            ..EngineConfig::default()
        }
    }
}

/// Options of commands that talk to AWS.
#[derive(Debug, clap::Args)]
struct RunArgs {
    #[command(flatten)]
    target: AwsTarget,
    /// Resources worked on at once.
    #[arg(long, default_value_t = 8)]
    parallelism: usize,
    /// Attempts per AWS call on throttling and transient errors.
    #[arg(long, default_value_t = 6)]
    max_attempts: u32,
    /// Seconds between readiness polls.
    #[arg(long, default_value_t = 5)]
    poll_seconds: u64,
    /// Seconds a create whose outcome is unknown (killed run, timed-out call) is looked
    /// up by its tags before it is created again.
    #[arg(long, default_value_t = 30)]
    settle_seconds: u64,
    /// How changes are made (`apply` only).
    #[arg(skip)]
    change: ChangeArgs,
    /// The run adopts what exists and creates nothing (`state recover`).
    #[arg(skip)]
    adopting: bool,
    /// Minutes one resource may take to become ready or be deleted.
    #[arg(long, default_value_t = 45)]
    wait_minutes: u64,
    /// Print only errors and the summary.
    #[arg(long, conflicts_with = "json")]
    quiet: bool,
    /// Print progress as JSON lines (for tools).
    #[arg(long)]
    json: bool,
}

/// How `apply` makes changes.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
struct ChangeArgs {
    /// Apply RDS and ElastiCache modifications now, not in the next maintenance window.
    #[arg(long)]
    apply_immediately: bool,
    /// Keep old task definition revisions registered after a change (default: the
    /// revision a change supersedes is deregistered once the service runs the new one).
    #[arg(long)]
    keep_replaced: bool,
}

impl RunArgs {
    fn engine_config(&self) -> EngineConfig {
        EngineConfig {
            parallelism: self.parallelism.max(1),
            max_attempts: self.max_attempts.max(1),
            poll_interval: std::time::Duration::from_secs(self.poll_seconds.max(1)),
            create_settle: std::time::Duration::from_secs(self.settle_seconds),
            apply_immediately: self.change.apply_immediately,
            keep_replaced: self.change.keep_replaced,
            wait_deadline: std::time::Duration::from_secs(self.wait_minutes.max(1) * 60),
            ..self.target.engine_config()
        }
    }
}

/// How `lint` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LintFormat {
    /// Findings with remediation, then suppressions, then a summary.
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

#[derive(Debug, Subcommand)]
enum StateCommand {
    /// List the addresses in state.
    List,
    /// Show one resource in state.
    Show {
        /// The address, e.g. `network/vpc`.
        address: String,
    },
    /// Rebuild a lost or deleted state file from the ownership tags in the account.
    /// Nothing is created or changed in AWS.
    Recover {
        /// Accepted as `apply` accepts it, for scripts: recovery creates and changes
        /// nothing in AWS, so it never asks.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        run: RunArgs,
    },
}

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Writing the command's output failed (a closed pipe ends the command quietly,
    /// with status 0).
    Output(std::io::Error),
    /// The command could not do its work; the text says why, for a person.
    Failed(String),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Output(e) => write!(f, "writing the output: {e}"),
            CliError::Failed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for CliError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CliError::Output(e) => Some(e),
            CliError::Failed(_) => None,
        }
    }
}

impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::Failed(message)
    }
}

/// Runs the command line from the process arguments and returns the exit code.
pub fn run(stack: Stack) -> ExitCode {
    // Unlocked handles: progress and logs write to stderr from other threads, so holding
    // its lock for the whole run would deadlock them.
    ExitCode::from(run_with(
        stack,
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    ))
}

/// Runs the command line from `args` (the first is the program name), writing to the
/// process's stdout and stderr: for programs that pick the stack from their own first
/// arguments.
pub fn run_with_args<I, T>(stack: Stack, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ExitCode::from(run_with(
        stack,
        args,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    ))
}

/// Runs the command line with explicit arguments (the first is the program name) and
/// output streams; returns the exit code. For tests and embedding tools.
pub fn run_with<I, T>(stack: Stack, args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                err.write_all(text.as_bytes())
            } else {
                out.write_all(text.as_bytes())
            };
            return code;
        }
    };
    match execute(&stack, cli, out, err) {
        Ok(code) => code,
        // A closed pipe (`synth | head -1`): the reader has what it wanted.
        Err(CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            EXIT_ERROR
        }
    }
}

fn execute(
    stack: &Stack,
    cli: Cli,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, CliError> {
    init_logging(cli.verbose);
    tracing::debug!(command = ?cli.command, "ecs-iac starting");
    let store = StateStore::new(
        cli.state
            .clone()
            .unwrap_or_else(|| StateStore::default_path(stack.name())),
    );
    let command = cli.command.unwrap_or(Command::Plan {
        json: false,
        detailed_exitcode: false,
        refresh: RefreshArgs {
            refresh: true,
            target: AwsTarget {
                endpoint_url: std::env::var("AWS_ENDPOINT_URL").ok(),
                region: None,
            },
        },
    });
    let io = CliError::Output;
    match command {
        Command::Validate { json } => {
            let diagnostics = validate(stack);
            if json {
                let text = serde_json::to_string_pretty(&diagnostics).map_err(|e| e.to_string())?;
                writeln!(out, "{text}").map_err(io)?;
            } else {
                print_diagnostics(&diagnostics, out).map_err(io)?;
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                writeln!(
                    out,
                    "validate `{}`: {} error(s), {} warning(s)",
                    stack.name(),
                    errors,
                    diagnostics.len() - errors
                )
                .map_err(io)?;
            }
            Ok(if diagnostics.iter().any(Diagnostic::is_error) {
                EXIT_ERROR
            } else {
                EXIT_OK
            })
        }
        Command::Synth { out: dir } => {
            let synth = compile(stack, err)?;
            match dir {
                Some(dir) => {
                    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                    let files = synth.files();
                    for f in &files {
                        let path = dir.join(&f.path);
                        std::fs::write(&path, &f.contents)
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                    }
                    writeln!(out, "wrote {} files to {}", files.len(), dir.display())
                        .map_err(io)?;
                }
                None => {
                    let text = serde_json::to_string_pretty(&synth).map_err(|e| e.to_string())?;
                    writeln!(out, "{text}").map_err(io)?;
                }
            }
            Ok(EXIT_OK)
        }
        Command::Plan {
            json,
            detailed_exitcode,
            refresh,
        } => {
            let synth = compile(stack, err)?;
            let mut prior = load_state(&store, stack)?;
            let session = if refresh.refresh && !prior.resources.is_empty() {
                Some(
                    Session::connect(stack, refresh.target.engine_config()).map_err(|e| {
                        format!("{e} (pass --refresh=false to plan from the state file only)")
                    })?,
                )
            } else {
                None
            };
            let observed = match &session {
                Some(session) => session.observe(&prior)?,
                None => Observed::none(),
            };
            prior.refresh_attributes(&observed);
            let plan = plan_refreshed(synth, &prior, &observed);
            if json {
                out.write_all(plan.to_json().as_bytes()).map_err(io)?;
            } else {
                out.write_all(plan.render_text().as_bytes()).map_err(io)?;
            }
            // Against the account, the plan also reads what apply reads first, and says
            // what would stop it.
            if let Some(session) = &session {
                session.preflight(&plan, &prior, "apply would stop before changing anything")?;
            }
            Ok(if detailed_exitcode && plan.has_changes() {
                EXIT_CHANGES
            } else {
                EXIT_OK
            })
        }
        Command::Lint {
            format,
            deny_warnings,
        } => {
            let report = lint(stack);
            let text = match format {
                LintFormat::Text => report.to_text(),
                LintFormat::Json => pretty(&report.to_json())?,
                LintFormat::Sarif => pretty(&report.to_sarif())?,
            };
            out.write_all(text.as_bytes()).map_err(io)?;
            let summary = report.summary();
            Ok(
                if summary.errors > 0 || (deny_warnings && summary.warnings > 0) {
                    EXIT_ERROR
                } else {
                    EXIT_OK
                },
            )
        }
        Command::Graph => {
            let synth = compile(stack, err)?;
            out.write_all(synth.to_dot().as_bytes()).map_err(io)?;
            Ok(EXIT_OK)
        }
        Command::Apply {
            yes,
            ignore_lint_errors,
            mut run,
            change,
        } => {
            run.change = change;
            let synth = compile(stack, err)?;
            refuse_on_lint_errors(stack, ignore_lint_errors, err)?;
            let lock = store.lock().map_err(|e| e.to_string())?;
            let mut prior = load_state(&store, stack)?;
            // The connection and the identity are checked before the plan is shown.
            let session = Session::connect(stack, run.engine_config())?;
            let observed = session.observe(&prior)?;
            prior.refresh_attributes(&observed);
            let plan = plan_refreshed(synth, &prior, &observed);
            if !run.quiet && !run.json {
                out.write_all(plan.render_text().as_bytes()).map_err(io)?;
            }
            if plan.is_blocked() {
                return Err(format!(
                    "the plan would destroy data ({} blocked action(s), marked `! blocked`); \
                     nothing was applied",
                    plan.blocked().count()
                )
                .into());
            }
            if !plan.has_changes() {
                return Ok(EXIT_OK);
            }
            // What apply reads first is checked before asking (and not read again).
            let checked = session.preflight(&plan, &prior, "nothing was changed")?;
            confirm(yes, "apply", out)?;
            let report = session.run_engine(&run, out, |aws, options| {
                Box::pin(async move {
                    crate::aws::apply_checked(aws, &plan, &lock, prior, options, checked).await
                })
            })?;
            finish(&report, &run, out)
        }
        Command::Destroy { yes, run } => {
            let lock = store.lock().map_err(|e| e.to_string())?;
            let prior = load_state(&store, stack)?;
            if prior.resources.is_empty() {
                writeln!(
                    out,
                    "Nothing to destroy: state {} is empty.",
                    store.path().display()
                )
                .map_err(io)?;
                return Ok(EXIT_OK);
            }
            let session = Session::connect(stack, run.engine_config())?;
            if !run.quiet && !run.json {
                let plan = plan_destroy(&prior);
                out.write_all(plan.render_text().as_bytes()).map_err(io)?;
            }
            confirm(yes, "destroy", out)?;
            let report = session.run_engine(&run, out, |aws, options| {
                Box::pin(async move { crate::aws::destroy(aws, &lock, prior, options).await })
            })?;
            finish(&report, &run, out)
        }
        Command::Import { address, id, run } => {
            let synth = compile(stack, err)?;
            let lock = store.lock().map_err(|e| e.to_string())?;
            let prior = load_state(&store, stack)?;
            let session = Session::connect(stack, run.engine_config())?;
            let report = session.run_engine(&run, out, |aws, options| {
                Box::pin(async move {
                    crate::aws::import(aws, synth, &address, &id, &lock, prior, options).await
                })
            })?;
            finish(&report, &run, out)
        }
        Command::Output { name, json } => {
            let state = load_state(&store, stack)?;
            match name {
                Some(name) => {
                    let Some(o) = state.outputs.get(&name) else {
                        let known: Vec<&str> = state.outputs.keys().map(String::as_str).collect();
                        return Err(if known.is_empty() {
                            format!(
                                "output `{name}`: state {} records no outputs; declare it with `stack.output(..)` and apply",
                                store.path().display()
                            )
                        } else {
                            format!("no output `{name}`; the state records {}", known.join(", "))
                        }
                        .into());
                    };
                    if json {
                        writeln!(out, "{}", serde_json::Value::String(o.value.clone()))
                    } else {
                        writeln!(out, "{}", o.value)
                    }
                    .map_err(io)?;
                }
                None if json => {
                    let all: serde_json::Map<String, serde_json::Value> = state
                        .outputs
                        .iter()
                        .map(|(name, o)| {
                            let mut v = serde_json::json!({ "value": o.value });
                            if let Some(d) = &o.description {
                                v["description"] = serde_json::Value::String(d.clone());
                            }
                            (name.clone(), v)
                        })
                        .collect();
                    writeln!(
                        out,
                        "{}",
                        pretty(&serde_json::Value::Object(all))?.trim_end()
                    )
                    .map_err(io)?;
                }
                None => print_outputs(&state, out).map_err(io)?,
            }
            Ok(EXIT_OK)
        }
        Command::State {
            command: StateCommand::Recover { mut run, .. },
        } => {
            run.adopting = true;
            let synth = compile(stack, err)?;
            let lock = store.lock().map_err(|e| e.to_string())?;
            let prior = load_state(&store, stack)?;
            if prior.resources.values().any(|r| r.id.is_some()) {
                return Err(format!(
                    "state {} already records {} resource(s); recover only rebuilds a lost \
                     state: move the file away first",
                    store.path().display(),
                    prior.resources.len()
                )
                .into());
            }
            let session = Session::connect(stack, run.engine_config())?;
            let report = session.run_engine(&run, out, |aws, options| {
                Box::pin(async move { crate::aws::recover(aws, synth, &lock, options).await })
            })?;
            finish(&report, &run, out)
        }
        Command::State { command } => {
            let state = load_state(&store, stack)?;
            match command {
                StateCommand::Recover { .. } => {}
                StateCommand::List => {
                    if !store.path().exists() {
                        writeln!(
                            err,
                            "no state file at {}: nothing of stack `{}` was applied from here (or pass --state)",
                            store.path().display(),
                            stack.name()
                        )
                        .map_err(io)?;
                    }
                    for (address, r) in &state.resources {
                        writeln!(
                            out,
                            "{address}\t{}\t{}",
                            r.kind,
                            r.id.as_deref().unwrap_or("-")
                        )
                        .map_err(io)?;
                    }
                }
                StateCommand::Show { address } => {
                    let r = state.resources.get(&address).ok_or_else(|| {
                        format!("`{address}` is not in state {}", store.path().display())
                    })?;
                    let text = serde_json::to_string_pretty(r).map_err(|e| e.to_string())?;
                    writeln!(out, "{text}").map_err(io)?;
                }
            }
            Ok(EXIT_OK)
        }
    }
}

/// Asks for `yes` on a terminal; without one, only `--yes` proceeds.
fn confirm(yes: bool, what: &str, out: &mut dyn Write) -> Result<(), String> {
    use std::io::IsTerminal;
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "refusing to {what} without a terminal to confirm on; pass --yes"
        ));
    }
    write!(out, "\nDo you want to {what}? Only 'yes' is accepted: ").map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(format!("{what} cancelled"))
    }
}

type EngineFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<ApplyReport, crate::aws::engine::ApplyError>> + 'a>,
>;

/// One connection to AWS for a whole command: one runtime, one `sts:GetCallerIdentity`,
/// shared by the refresh and the engine.
struct Session {
    runtime: tokio::runtime::Runtime,
    aws: Aws,
}

impl Session {
    /// Connects and checks the identity: a missing region, missing or rejected
    /// credentials or an unreachable endpoint fail here, before any plan is shown.
    fn connect(stack: &Stack, config: EngineConfig) -> Result<Session, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let aws = runtime
            .block_on(Aws::connect(config, stack.pinned_region()))
            .map_err(|e| e.to_string())?;
        Ok(Session { runtime, aws })
    }

    /// Reads the resources of `prior` back from AWS (nothing to read for an empty state).
    fn observe(&self, prior: &State) -> Result<Observed, String> {
        if prior.resources.is_empty() {
            return Ok(Observed::none());
        }
        self.runtime
            .block_on(crate::aws::refresh(&self.aws, prior))
            .map_err(|e| format!("refresh: {e}"))
    }

    /// Looks up what the plan reads and names without owning, as apply does first.
    /// Fails with what stops it, after `context`.
    fn preflight(
        &self,
        plan: &ecs_iac_core::Plan,
        prior: &State,
        context: &str,
    ) -> Result<crate::aws::Preflight, String> {
        self.runtime
            .block_on(crate::aws::preflight(&self.aws, plan, prior))
            .map_err(|e| format!("{context}: {e}"))
    }

    /// Runs the engine, printing progress.
    fn run_engine<F>(
        &self,
        run: &RunArgs,
        out: &mut dyn Write,
        job: F,
    ) -> Result<ApplyReport, String>
    where
        F: for<'a> FnOnce(&'a Aws, &'a ApplyOptions) -> EngineFuture<'a>,
    {
        let mode = if run.json {
            Mode::Json
        } else if run.quiet {
            Mode::Quiet
        } else if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            Mode::Live
        } else {
            Mode::Lines
        };
        let progress = Progress::to_stderr(mode, run.adopting);
        let options = ApplyOptions {
            handle_ctrl_c: true,
            on_event: progress.sink(),
            ..ApplyOptions::default()
        };
        let result = self
            .runtime
            .block_on(job(&self.aws, &options))
            .map_err(|e| e.to_string());
        drop(options);
        progress.finish();
        let _ = out.flush();
        result
    }
}

/// `name = value` per output, after a heading; nothing without outputs.
fn print_outputs(state: &State, out: &mut dyn Write) -> std::io::Result<()> {
    if state.outputs.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nOutputs:")?;
    for (name, o) in &state.outputs {
        writeln!(out, "  {name} = {}", o.value)?;
    }
    Ok(())
}

fn finish(report: &ApplyReport, run: &RunArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let io = CliError::Output;
    if run.json {
        let summary = serde_json::json!({
            "event": "summary",
            "done": report.done.len(),
            "failed": report.failed.len(),
            "skipped": report.skipped.len(),
            "interrupted": report.interrupted,
            "seconds": report.elapsed.as_secs_f64(),
            "outputs": report.outputs(),
        });
        writeln!(out, "{summary}").map_err(io)?;
    } else {
        writeln!(
            out,
            "\n{} done, {} failed, {} not started in {:.1}s. State: serial {}.",
            report.done.len(),
            report.failed.len(),
            report.skipped.len(),
            report.elapsed.as_secs_f64(),
            report.state.serial
        )
        .map_err(io)?;
        for (_, error) in &report.failed {
            writeln!(out, "error: {error}").map_err(io)?;
        }
        print_outputs(&report.state, out).map_err(io)?;
    }
    Ok(if report.interrupted {
        EXIT_INTERRUPTED
    } else if report.succeeded() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}

fn compile(stack: &Stack, err: &mut dyn Write) -> Result<ecs_iac_core::Synth, String> {
    synth(stack).map_err(|Invalid(diagnostics)| {
        let _ = print_diagnostics(&diagnostics, err);
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        format!(
            "stack `{}` has {errors} error(s); nothing was planned",
            stack.name()
        )
    })
}

/// Stops an apply when `lint` reports unsuppressed errors, printing them; with
/// `--ignore-lint-errors` it only prints them.
fn refuse_on_lint_errors(stack: &Stack, ignore: bool, err: &mut dyn Write) -> Result<(), String> {
    let report = lint(stack);
    let Err(LintFailed(errors)) = report.check() else {
        return Ok(());
    };
    for finding in &errors {
        writeln!(err, "{finding}\n  help: {}", finding.remediation()).map_err(|e| e.to_string())?;
    }
    if ignore {
        writeln!(
            err,
            "warning: applying despite {} lint error(s) (--ignore-lint-errors)",
            errors.len()
        )
        .map_err(|e| e.to_string())?;
        return Ok(());
    }
    Err(format!(
        "stack `{}` has {} lint error(s); nothing was applied. Fix them, suppress one on its \
         resource with `.allow_lint(id, reason)`, or pass --ignore-lint-errors",
        stack.name(),
        errors.len()
    ))
}

/// Sends the engine's `tracing` logs to stderr: `-v` info, `-vv` debug (our crates;
/// AWS SDK crates stay at warnings). `RUST_LOG` overrides both. A no-op when a subscriber
/// is already installed (an embedding tool's, or an earlier run's).
fn init_logging(verbose: u8) {
    let directives = match std::env::var("RUST_LOG") {
        Ok(directives) => directives,
        Err(_) if verbose == 0 => return,
        Err(_) => {
            let level = if verbose >= 2 { "debug" } else { "info" };
            format!("warn,ecs_iac={level},ecs_iac_aws={level},ecs_iac_core={level}")
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(log_filter(&directives))
        .with_writer(std::io::stderr)
        .with_ansi(colors_on_stderr())
        .with_target(false)
        .try_init();
}

/// Whether stderr may carry ANSI colors: it is a terminal and `NO_COLOR` is unset or
/// empty (no-color.org).
pub(crate) fn colors_on_stderr() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The log filter for `directives` (`RUST_LOG` syntax), with the AWS SDK's runtime
/// capped at `info` whatever they say: its debug and trace logs carry AWS error
/// messages, which can echo request parameters such as a password read from a secret.
/// Embedding tools that install their own subscriber should use this filter too.
pub fn log_filter(directives: &str) -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::new(format!(
        "{directives},aws_smithy_runtime=info,aws_smithy_runtime_api=info"
    ))
}

fn pretty(value: &serde_json::Value) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| e.to_string())
}

fn load_state(store: &StateStore, stack: &Stack) -> Result<State, String> {
    store
        .load(stack.name())
        .map_err(|e: StateStoreError| e.to_string())
}

fn print_diagnostics(diagnostics: &[Diagnostic], out: &mut dyn Write) -> std::io::Result<()> {
    for d in diagnostics {
        writeln!(out, "{d}")?;
    }
    Ok(())
}
