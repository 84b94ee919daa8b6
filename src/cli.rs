//! The command line a stack program hands its stack to: `cargo run --example visitor_book
//! -- plan`. Parsing and printing live here; the work is done by library calls that
//! return values.

use crate::aws::{StateStore, StateStoreError};
use clap::{Parser, Subcommand};
use ecs_iac_core::{plan_synth, synth, validate, Diagnostic, Invalid, Stack, State};
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

#[derive(Debug, Parser)]
#[command(
    about = "Plan and render an ecs-iac stack",
    disable_help_subcommand = true
)]
struct Cli {
    /// State file (default: <stack>.state.json in the working directory).
    #[arg(long, global = true)]
    state: Option<PathBuf>,
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
    /// Print the dependency graph in Graphviz DOT.
    Graph,
    /// Inspect the state file.
    State {
        #[command(subcommand)]
        command: StateCommand,
    },
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
}

/// Runs the command line from the process arguments and returns the exit code.
pub fn run(stack: Stack) -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    ExitCode::from(run_with(
        stack,
        std::env::args_os(),
        &mut stdout.lock(),
        &mut stderr.lock(),
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
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            EXIT_ERROR
        }
    }
}

fn execute(
    stack: &Stack,
    cli: Cli,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    let store = StateStore::new(
        cli.state
            .clone()
            .unwrap_or_else(|| StateStore::default_path(stack.name())),
    );
    let command = cli.command.unwrap_or(Command::Plan {
        json: false,
        detailed_exitcode: false,
    });
    let io = |e: std::io::Error| e.to_string();
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
                    "{} error(s), {} warning(s)",
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
        } => {
            let synth = compile(stack, err)?;
            let prior = load_state(&store, stack)?;
            let plan = plan_synth(synth, &prior);
            if json {
                out.write_all(plan.to_json().as_bytes()).map_err(io)?;
            } else {
                out.write_all(plan.render_text().as_bytes()).map_err(io)?;
            }
            Ok(if detailed_exitcode && plan.has_changes() {
                EXIT_CHANGES
            } else {
                EXIT_OK
            })
        }
        Command::Graph => {
            let synth = compile(stack, err)?;
            out.write_all(synth.to_dot().as_bytes()).map_err(io)?;
            Ok(EXIT_OK)
        }
        Command::State { command } => {
            let state = load_state(&store, stack)?;
            match command {
                StateCommand::List => {
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
