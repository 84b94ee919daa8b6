//! Commands on the state store itself: `state pull`, `state push`, `state history`,
//! `state migrate` and `force-unlock`. None of them reads or changes AWS resources.

use super::{open_store, CliError, Context, EXIT_OK};
use ecs_iac_core::State;
use std::path::Path;

/// `state pull [--version ID]`: the state as stored, on stdout.
pub(super) fn pull(cx: &mut Context<'_>, version: Option<&str>) -> Result<u8, CliError> {
    match cx.runtime.block_on(cx.store.pull(version))?? {
        Some(text) => {
            cx.out.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                writeln!(cx.out)?;
            }
        }
        None => writeln!(
            cx.err,
            "no state at {}: nothing of stack `{}` was applied there",
            cx.store.location(),
            cx.stack.name()
        )?,
    }
    Ok(EXIT_OK)
}

/// `state push FILE [--force]`: replaces the stored state with FILE, under the lock.
pub(super) fn push(cx: &mut Context<'_>, file: &Path, force: bool) -> Result<u8, CliError> {
    let text = std::fs::read_to_string(file).map_err(|source| CliError::File {
        path: file.to_path_buf(),
        source,
    })?;
    let incoming = State::from_json(&text).map_err(|source| CliError::StateFile {
        path: file.to_path_buf(),
        source,
    })?;
    let written = cx.with_lock(|cx, lock| {
        Ok(cx
            .runtime
            .block_on(lock.push(cx.stack.name(), incoming, force))??)
    })?;
    writeln!(
        cx.out,
        "Pushed {} to {}: serial {}, {} resource(s).",
        file.display(),
        cx.store.location(),
        written.serial,
        written.resources.len()
    )?;
    Ok(EXIT_OK)
}

/// `state history [--json]`: the versions of an S3 state, newest first.
pub(super) fn history(cx: &mut Context<'_>, json: bool) -> Result<u8, CliError> {
    let versions = cx.runtime.block_on(cx.store.history())??;
    if json {
        writeln!(cx.out, "{}", serde_json::to_string_pretty(&versions)?)?;
        return Ok(EXIT_OK);
    }
    if versions.is_empty() {
        writeln!(cx.err, "no versions of {} yet", cx.store.location())?;
    }
    for v in &versions {
        let serial = v
            .serial
            .map(|s| format!("serial {s}"))
            .unwrap_or_else(|| "unreadable".to_string());
        writeln!(
            cx.out,
            "{}\t{}\t{serial}\t{} bytes{}",
            v.version_id,
            v.last_modified.as_deref().unwrap_or("-"),
            v.size,
            if v.latest { "\t(current)" } else { "" }
        )?;
    }
    Ok(EXIT_OK)
}

/// `state migrate --to LOCATION`: moves the state there under both locks.
pub(super) fn migrate(cx: &mut Context<'_>, to: &str) -> Result<u8, CliError> {
    let destination = open_store(cx.stack, Some(to), None)?;
    let state = cx
        .runtime
        .block_on(cx.store.migrate(cx.stack.name(), &destination))??;
    writeln!(
        cx.out,
        "Moved the state of `{}` ({} resource(s), serial {}) from {} to {}.\n\
         From now on pass --state {} (or set ECS_IAC_STATE, or `Stack::state_backend`).",
        cx.stack.name(),
        state.resources.len(),
        state.serial,
        cx.store.location(),
        destination.location(),
        to
    )?;
    Ok(EXIT_OK)
}

/// `force-unlock LOCK_ID`: removes the lock of a holder that is gone.
pub(super) fn force_unlock(cx: &mut Context<'_>, lock_id: &str) -> Result<u8, CliError> {
    let holder = cx.runtime.block_on(cx.store.force_unlock(lock_id))??;
    writeln!(
        cx.out,
        "Removed the lock of {} held by {holder}.",
        cx.store.location()
    )?;
    Ok(EXIT_OK)
}
