//! Commands against the AWS account: plan (with refresh), apply, destroy, import and
//! state recover. Each opens one [`Session`] and hands the work to the library.

use super::args::{RefreshArgs, RunArgs};
use super::session::{confirm, finish, Session};
use super::{CliError, Context, EXIT_CHANGES, EXIT_OK};
use ecs_iac_core::{lint, plan_destroy, plan_refreshed, LintFailed, Observed};

/// `plan`: what applying would change, refreshed from the account unless `--refresh=false`
/// (or the state is empty); against the account it also says what would stop apply.
pub(super) fn plan(
    cx: &mut Context<'_>,
    json: bool,
    detailed_exitcode: bool,
    refresh: &RefreshArgs,
) -> Result<u8, CliError> {
    let synth = cx.compile()?;
    let mut prior = cx.load_state()?;
    let session = if refresh.refresh && !prior.resources.is_empty() {
        let hint = " (pass --refresh=false to plan from the state file only)";
        Some(Session::connect(
            &cx.runtime,
            cx.stack,
            refresh.target.engine_config(),
            Some(hint),
        )?)
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
        cx.out.write_all(plan.to_json().as_bytes())?;
    } else {
        cx.out.write_all(plan.render_text().as_bytes())?;
    }
    if let Some(session) = &session {
        session.preflight(&plan, &prior, "apply would stop before changing anything")?;
    }
    Ok(if detailed_exitcode && plan.has_changes() {
        EXIT_CHANGES
    } else {
        EXIT_OK
    })
}

/// `apply`: lint gate, lock, refresh, plan, preflight, confirmation, then the engine.
pub(super) fn apply(
    cx: &mut Context<'_>,
    yes: bool,
    ignore_lint_errors: bool,
    run: &RunArgs,
) -> Result<u8, CliError> {
    let synth = cx.compile()?;
    refuse_on_lint_errors(cx, ignore_lint_errors)?;
    cx.with_lock(|cx, lock| {
        let mut prior = cx.runtime.block_on(lock.load(cx.stack.name()))??;
        // The connection and the identity are checked before the plan is shown.
        let session = Session::connect(&cx.runtime, cx.stack, run.engine_config(), None)?;
        let observed = session.observe(&prior)?;
        prior.refresh_attributes(&observed);
        let plan = plan_refreshed(synth, &prior, &observed);
        if !run.quiet && !run.json {
            cx.out.write_all(plan.render_text().as_bytes())?;
        }
        if plan.is_blocked() {
            return Err(CliError::Blocked(plan.blocked().count()));
        }
        if !plan.has_changes() {
            return Ok(EXIT_OK);
        }
        // What apply reads first is checked before asking (and not read again).
        let checked = session.preflight(&plan, &prior, "nothing was changed")?;
        confirm(yes, "apply", cx.out)?;
        let report = session.run_engine(run, cx.out, lock, |aws, options, lock| {
            Box::pin(async move {
                crate::aws::apply_checked(aws, &plan, lock, prior, options, checked).await
            })
        })?;
        finish(&report, run, cx.out)
    })
}

/// `destroy`: every resource in state, dependents first, after confirmation.
pub(super) fn destroy(cx: &mut Context<'_>, yes: bool, run: &RunArgs) -> Result<u8, CliError> {
    cx.with_lock(|cx, lock| {
        let prior = cx.runtime.block_on(lock.load(cx.stack.name()))??;
        if prior.resources.is_empty() {
            writeln!(
                cx.out,
                "Nothing to destroy: state {} is empty.",
                cx.store.location()
            )?;
            return Ok(EXIT_OK);
        }
        let session = Session::connect(&cx.runtime, cx.stack, run.engine_config(), None)?;
        if !run.quiet && !run.json {
            cx.out
                .write_all(plan_destroy(&prior).render_text().as_bytes())?;
        }
        confirm(yes, "destroy", cx.out)?;
        let report = session.run_engine(run, cx.out, lock, |aws, options, lock| {
            Box::pin(async move { crate::aws::destroy(aws, lock, prior, options).await })
        })?;
        finish(&report, run, cx.out)
    })
}

/// `import ADDRESS ID`: adopts an existing resource as the stack's `address`.
pub(super) fn import(
    cx: &mut Context<'_>,
    address: String,
    id: String,
    run: &RunArgs,
) -> Result<u8, CliError> {
    let synth = cx.compile()?;
    cx.with_lock(|cx, lock| {
        let prior = cx.runtime.block_on(lock.load(cx.stack.name()))??;
        let session = Session::connect(&cx.runtime, cx.stack, run.engine_config(), None)?;
        let report = session.run_engine(run, cx.out, lock, |aws, options, lock| {
            Box::pin(async move {
                crate::aws::import(aws, synth, &address, &id, lock, prior, options).await
            })
        })?;
        finish(&report, run, cx.out)
    })
}

/// `state recover`: rebuilds a lost state from the ownership tags; creates nothing.
pub(super) fn recover(cx: &mut Context<'_>, run: &RunArgs) -> Result<u8, CliError> {
    let synth = cx.compile()?;
    cx.with_lock(|cx, lock| {
        let prior = cx.runtime.block_on(lock.load(cx.stack.name()))??;
        if prior.resources.values().any(|r| r.id.is_some()) {
            return Err(CliError::StateNotLost {
                state: cx.store.location(),
                resources: prior.resources.len(),
            });
        }
        let session = Session::connect(&cx.runtime, cx.stack, run.engine_config(), None)?;
        let report = session.run_engine(run, cx.out, lock, |aws, options, lock| {
            Box::pin(async move { crate::aws::recover(aws, synth, lock, options).await })
        })?;
        finish(&report, run, cx.out)
    })
}

/// Stops an apply when `lint` reports unsuppressed errors, printing them; with
/// `--ignore-lint-errors` it only prints them.
fn refuse_on_lint_errors(cx: &mut Context<'_>, ignore: bool) -> Result<(), CliError> {
    let Err(LintFailed(errors)) = lint(cx.stack).check() else {
        return Ok(());
    };
    for finding in &errors {
        writeln!(cx.err, "{finding}\n  help: {}", finding.remediation())
            .map_err(CliError::Stderr)?;
    }
    if ignore {
        writeln!(
            cx.err,
            "warning: applying despite {} lint error(s) (--ignore-lint-errors)",
            errors.len()
        )
        .map_err(CliError::Stderr)?;
        return Ok(());
    }
    Err(CliError::Lint {
        stack: cx.stack.name().to_string(),
        errors: errors.len(),
    })
}
