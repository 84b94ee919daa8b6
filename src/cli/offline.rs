//! Commands that need no AWS connection: validate, synth, lint, graph, output, and
//! reading the state file.

use super::args::LintFormat;
use super::{print_diagnostics, print_outputs, CliError, Context, EXIT_ERROR, EXIT_OK};
use ecs_iac_core::{lint as lint_stack, validate as validate_stack, Diagnostic};
use serde_json::Value;
use std::path::PathBuf;

/// `validate`: every problem, as text or JSON; exit 1 on errors.
pub(super) fn validate(cx: &mut Context<'_>, json: bool) -> Result<u8, CliError> {
    let diagnostics = validate_stack(cx.stack);
    if json {
        writeln!(cx.out, "{}", serde_json::to_string_pretty(&diagnostics)?)?;
    } else {
        print_diagnostics(&diagnostics, cx.out)?;
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        writeln!(
            cx.out,
            "validate `{}`: {} error(s), {} warning(s)",
            cx.stack.name(),
            errors,
            diagnostics.len() - errors
        )?;
    }
    Ok(if diagnostics.iter().any(Diagnostic::is_error) {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}

/// `synth`: every request as one JSON document, or one file per request into `dir`.
pub(super) fn synth(cx: &mut Context<'_>, dir: Option<PathBuf>) -> Result<u8, CliError> {
    let synth = cx.compile()?;
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(|source| CliError::File {
                path: dir.clone(),
                source,
            })?;
            let files = synth.files();
            for f in &files {
                let path = dir.join(&f.path);
                std::fs::write(&path, &f.contents)
                    .map_err(|source| CliError::File { path, source })?;
            }
            writeln!(cx.out, "wrote {} files to {}", files.len(), dir.display())?;
        }
        None => writeln!(cx.out, "{}", serde_json::to_string_pretty(&synth)?)?,
    }
    Ok(EXIT_OK)
}

/// `lint`: the report in `format`; exit 1 on unsuppressed errors (and warnings with
/// `deny_warnings`).
pub(super) fn lint(
    cx: &mut Context<'_>,
    format: LintFormat,
    deny_warnings: bool,
) -> Result<u8, CliError> {
    let report = lint_stack(cx.stack);
    let text = match format {
        LintFormat::Text => report.to_text(),
        LintFormat::Json => pretty(&report.to_json())?,
        LintFormat::Sarif => pretty(&report.to_sarif())?,
    };
    cx.out.write_all(text.as_bytes())?;
    let summary = report.summary();
    Ok(
        if summary.errors > 0 || (deny_warnings && summary.warnings > 0) {
            EXIT_ERROR
        } else {
            EXIT_OK
        },
    )
}

/// `graph`: the dependency graph in Graphviz DOT.
pub(super) fn graph(cx: &mut Context<'_>) -> Result<u8, CliError> {
    let synth = cx.compile()?;
    cx.out.write_all(synth.to_dot().as_bytes())?;
    Ok(EXIT_OK)
}

/// `output [NAME]`: the outputs the last apply recorded.
pub(super) fn output(
    cx: &mut Context<'_>,
    name: Option<String>,
    json: bool,
) -> Result<u8, CliError> {
    let state = cx.load_state()?;
    match name {
        Some(name) => {
            let Some(o) = state.outputs.get(&name) else {
                return Err(CliError::NoOutput {
                    name,
                    state: cx.store.location(),
                    known: state.outputs.keys().cloned().collect(),
                });
            };
            if json {
                writeln!(cx.out, "{}", Value::String(o.value.clone()))?;
            } else {
                writeln!(cx.out, "{}", o.value)?;
            }
        }
        None if json => {
            let all: serde_json::Map<String, Value> = state
                .outputs
                .iter()
                .map(|(name, o)| {
                    let mut v = serde_json::json!({ "value": o.value });
                    if let Some(d) = &o.description {
                        v["description"] = Value::String(d.clone());
                    }
                    (name.clone(), v)
                })
                .collect();
            writeln!(cx.out, "{}", pretty(&Value::Object(all))?.trim_end())?;
        }
        None => print_outputs(&state, cx.out)?,
    }
    Ok(EXIT_OK)
}

/// `state list`: each address with its kind and id.
pub(super) fn state_list(cx: &mut Context<'_>) -> Result<u8, CliError> {
    let state = cx.load_state()?;
    if state.serial == 0 {
        writeln!(
            cx.err,
            "no state at {}: nothing of stack `{}` was applied from here (or pass --state)",
            cx.store.location(),
            cx.stack.name()
        )?;
    }
    for (address, r) in &state.resources {
        writeln!(
            cx.out,
            "{address}\t{}\t{}",
            r.kind,
            r.id.as_deref().unwrap_or("-")
        )?;
    }
    Ok(EXIT_OK)
}

/// `state show ADDRESS`: one resource's state entry.
pub(super) fn state_show(cx: &mut Context<'_>, address: &str) -> Result<u8, CliError> {
    let state = cx.load_state()?;
    let r = state
        .resources
        .get(address)
        .ok_or_else(|| CliError::NotInState {
            address: address.to_string(),
            state: cx.store.location(),
        })?;
    writeln!(cx.out, "{}", serde_json::to_string_pretty(r)?)?;
    Ok(EXIT_OK)
}

/// `value` as indented JSON with a final newline.
fn pretty(value: &Value) -> Result<String, CliError> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}
