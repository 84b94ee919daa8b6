//! One connection to AWS for a whole command (one runtime, one `sts:GetCallerIdentity`,
//! shared by the refresh, the preflight and the engine), the engine's progress, and the
//! summary after a run.

use super::args::RunArgs;
use super::{print_outputs, CliError, LazyRuntime, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK};
use crate::aws::engine::ApplyError;
use crate::aws::{ApplyOptions, ApplyReport, Aws, EngineConfig, Preflight, StateLock};
use crate::progress::{Mode, Progress};
use ecs_iac_core::{Observed, Plan, Stack, State};
use std::io::Write;

/// The future of one engine command.
pub(super) type EngineFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<ApplyReport, ApplyError>> + 'a>>;

/// One connection to AWS for a whole command, on the command's runtime.
pub(super) struct Session<'r> {
    runtime: &'r tokio::runtime::Runtime,
    aws: Aws,
}

impl<'r> Session<'r> {
    /// Connects and checks the identity: a missing region, missing or rejected
    /// credentials or an unreachable endpoint fail here, before any plan is shown.
    /// `hint` is added to the error (what the user can do instead).
    pub(super) fn connect(
        runtime: &'r LazyRuntime,
        stack: &Stack,
        config: EngineConfig,
        hint: Option<&'static str>,
    ) -> Result<Session<'r>, CliError> {
        let runtime = runtime.get()?;
        let aws = runtime
            .block_on(Aws::connect(config, stack.pinned_region()))
            .map_err(|source| CliError::Connect {
                source: Box::new(source),
                hint,
            })?;
        Ok(Session { runtime, aws })
    }

    /// Reads the resources of `prior` back from AWS (nothing to read for an empty state).
    pub(super) fn observe(&self, prior: &State) -> Result<Observed, CliError> {
        if prior.resources.is_empty() {
            return Ok(Observed::none());
        }
        self.runtime
            .block_on(crate::aws::refresh(&self.aws, prior))
            .map_err(|e| CliError::Refresh(Box::new(e)))
    }

    /// Looks up what the plan reads and names without owning, as apply does first.
    /// Fails with what stops it, after `context`.
    pub(super) fn preflight(
        &self,
        plan: &Plan,
        prior: &State,
        context: &'static str,
    ) -> Result<Preflight, CliError> {
        self.runtime
            .block_on(crate::aws::preflight(&self.aws, plan, prior))
            .map_err(|source| CliError::Preflight {
                context,
                source: Box::new(source),
            })
    }

    /// Runs the engine, holding `lock`, printing progress.
    pub(super) fn run_engine<F>(
        &self,
        run: &RunArgs,
        out: &mut dyn Write,
        lock: &StateLock,
        job: F,
    ) -> Result<ApplyReport, CliError>
    where
        F: for<'a> FnOnce(&'a Aws, &'a ApplyOptions, &'a StateLock) -> EngineFuture<'a>,
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
        let result = self.runtime.block_on(job(&self.aws, &options, lock));
        drop(options);
        progress.finish();
        let _ = out.flush();
        Ok(result?)
    }
}

/// Asks for `yes` on a terminal; without one, only `--yes` proceeds.
pub(super) fn confirm(yes: bool, what: &'static str, out: &mut dyn Write) -> Result<(), CliError> {
    use std::io::IsTerminal;
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::NoTerminal(what));
    }
    write!(out, "\nDo you want to {what}? Only 'yes' is accepted: ").map_err(CliError::Input)?;
    out.flush().map_err(CliError::Input)?;
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(CliError::Input)?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(CliError::Cancelled(what))
    }
}

/// Prints the run's summary (a JSON line with `--json`) and its outputs; the exit code
/// says whether everything was done, something failed, or the run was interrupted.
pub(super) fn finish(
    report: &ApplyReport,
    run: &RunArgs,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
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
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "\n{} done, {} failed, {} not started in {:.1}s. State: serial {}.",
            report.done.len(),
            report.failed.len(),
            report.skipped.len(),
            report.elapsed.as_secs_f64(),
            report.state.serial
        )?;
        for (_, error) in &report.failed {
            writeln!(out, "error: {error}")?;
        }
        print_outputs(&report.state, out)?;
    }
    Ok(if report.interrupted {
        EXIT_INTERRUPTED
    } else if report.succeeded() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}
