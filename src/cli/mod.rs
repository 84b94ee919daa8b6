//! The command line a stack program hands its stack to: `cargo run --example visitor_book
//! -- plan`. Parsing and printing live here; the work is done by library calls that
//! return values.
//!
//! Rooms: `args` (what clap parses), `offline` (commands that need no AWS: validate,
//! synth, lint, graph, output, state list/show), `account` (commands against AWS: plan,
//! apply, destroy, import, state recover), `state` (the state store: pull, push, history,
//! migrate, force-unlock), `session` (one AWS connection per command and
//! the engine's progress), `error` ([`CliError`]).

mod account;
mod args;
mod error;
mod offline;
mod session;
mod state;

pub use error::CliError;

use crate::aws::{StateLock, StateStore};
use args::{AwsTarget, Cli, Command, RefreshArgs, StateCommand};
use clap::Parser;
use ecs_iac_core::{synth, Diagnostic, Invalid, Stack, State, StateBackend};
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// Exit code: success (and, with `--detailed-exitcode`, no changes).
pub const EXIT_OK: u8 = 0;
/// Exit code: an error (invalid stack, unreadable state, I/O).
pub const EXIT_ERROR: u8 = 1;
/// Exit code with `plan --detailed-exitcode`: the plan has changes.
pub const EXIT_CHANGES: u8 = 2;
/// Exit code when Ctrl-C stopped an apply or destroy (state is saved).
pub const EXIT_INTERRUPTED: u8 = 130;

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

/// What every command works with: the stack, its state store, the output streams and the
/// command's one async runtime (built on first use: offline commands on a local state
/// need none).
struct Context<'a> {
    stack: &'a Stack,
    store: StateStore,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    runtime: LazyRuntime,
}

/// The command's async runtime, shared by the state store and the AWS session.
#[derive(Default)]
struct LazyRuntime(std::cell::OnceCell<tokio::runtime::Runtime>);

impl LazyRuntime {
    fn get(&self) -> Result<&tokio::runtime::Runtime, CliError> {
        if let Some(runtime) = self.0.get() {
            return Ok(runtime);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(CliError::Runtime)?;
        Ok(self.0.get_or_init(|| runtime))
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> Result<F::Output, CliError> {
        Ok(self.get()?.block_on(future))
    }
}

impl Context<'_> {
    /// The stack compiled; when it does not validate, its diagnostics are printed.
    fn compile(&mut self) -> Result<ecs_iac_core::Synth, CliError> {
        synth(self.stack).map_err(|Invalid(diagnostics)| {
            let _ = print_diagnostics(&diagnostics, self.err);
            CliError::Invalid {
                stack: self.stack.name().to_string(),
                errors: diagnostics.iter().filter(|d| d.is_error()).count(),
            }
        })
    }

    /// The recorded state (empty when there is none yet), read without the lock.
    fn load_state(&self) -> Result<State, CliError> {
        Ok(self
            .runtime
            .block_on(self.store.load(self.stack.name()))??)
    }

    /// Runs `work` holding the state's lock, then releases it (also when `work` fails).
    fn with_lock<T>(
        &mut self,
        work: impl FnOnce(&mut Self, &StateLock) -> Result<T, CliError>,
    ) -> Result<T, CliError> {
        let lock = self.runtime.block_on(self.store.lock())??;
        let result = work(self, &lock);
        let released = self.runtime.block_on(lock.release())?;
        let value = result?;
        released?;
        Ok(value)
    }
}

/// The store `--state` (or `ECS_IAC_STATE`) names, else the stack's backend, else the
/// default file. S3 is reached through the command's endpoint (`--endpoint-url` or
/// `AWS_ENDPOINT_URL`) when there is one, in the backend's region, else the stack's.
fn open_store(
    stack: &Stack,
    location: Option<&str>,
    endpoint_url: Option<String>,
) -> Result<StateStore, CliError> {
    let backend = match location {
        Some(text) => StateBackend::parse(text)?,
        None => stack
            .backend()
            .cloned()
            .unwrap_or_else(|| StateBackend::local(StateStore::default_path(stack.name()))),
    };
    let config = crate::aws::EngineConfig {
        endpoint_url: endpoint_url.or_else(|| std::env::var("AWS_ENDPOINT_URL").ok()),
        region: stack.pinned_region().map(str::to_string),
        ..crate::aws::EngineConfig::default()
    };
    Ok(StateStore::open(&backend, &config))
}

/// Runs one parsed command.
fn execute(
    stack: &Stack,
    cli: Cli,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, CliError> {
    init_logging(cli.verbose);
    tracing::debug!(command = ?cli.command, "ecs-iac starting");
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
    let store = open_store(stack, cli.state.as_deref(), command.endpoint_url())?;
    let cx = &mut Context {
        stack,
        store,
        out,
        err,
        runtime: LazyRuntime::default(),
    };
    match command {
        Command::Validate { json } => offline::validate(cx, json),
        Command::Synth { out } => offline::synth(cx, out),
        Command::Lint {
            format,
            deny_warnings,
        } => offline::lint(cx, format, deny_warnings),
        Command::Graph => offline::graph(cx),
        Command::Output { name, json } => offline::output(cx, name, json),
        Command::State {
            command: StateCommand::List,
        } => offline::state_list(cx),
        Command::State {
            command: StateCommand::Show { address },
        } => offline::state_show(cx, &address),
        Command::Plan {
            json,
            detailed_exitcode,
            refresh,
        } => account::plan(cx, json, detailed_exitcode, &refresh),
        Command::Apply {
            yes,
            ignore_lint_errors,
            mut run,
            change,
        } => {
            run.change = change;
            account::apply(cx, yes, ignore_lint_errors, &run)
        }
        Command::Destroy { yes, run } => account::destroy(cx, yes, &run),
        Command::Import { address, id, run } => account::import(cx, address, id, &run),
        Command::State {
            command: StateCommand::Recover { mut run, .. },
        } => {
            run.adopting = true;
            account::recover(cx, &run)
        }
        Command::State {
            command: StateCommand::Pull { version },
        } => state::pull(cx, version.as_deref()),
        Command::State {
            command: StateCommand::Push { file, force },
        } => state::push(cx, &file, force),
        Command::State {
            command: StateCommand::History { json },
        } => state::history(cx, json),
        Command::State {
            command: StateCommand::Migrate { to },
        } => state::migrate(cx, &to),
        Command::ForceUnlock { lock_id } => state::force_unlock(cx, &lock_id),
    }
}

/// Prints each diagnostic on its own line.
fn print_diagnostics(diagnostics: &[Diagnostic], out: &mut dyn Write) -> std::io::Result<()> {
    for d in diagnostics {
        writeln!(out, "{d}")?;
    }
    Ok(())
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
        .with_ansi(crate::progress::colors_on_stderr())
        .with_target(false)
        .try_init();
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
