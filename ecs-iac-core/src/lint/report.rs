//! The lint report: findings, their counts and the `check` apply runs, rendered as
//! text, JSON or SARIF.

use super::LintRule;
use crate::diagnostic::Severity;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};
use std::fmt;

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which rule found it.
    pub rule: LintRule,
    /// The rule's severity.
    pub severity: Severity,
    /// The resource address: its logical name, as plans and state write it.
    pub address: String,
    /// The request (node address) the path points into, e.g. `alb-sg#ingress`. For
    /// suppression findings, the resource's logical name.
    pub request: String,
    /// The field, as a path into the rendered request, e.g.
    /// `containerDefinitions[1].environment[3].name`. For settings AWS applies by default
    /// and the request leaves out, the field that would change it. For suppression
    /// findings, `allow_lint[i]` (the i-th `allow_lint` of the resource).
    pub path: String,
    /// What is wrong. Never holds an environment variable's or option's value.
    pub message: String,
    /// The reason of the `allow_lint` that suppressed it, `None` when it is active.
    pub suppressed: Option<String>,
}

impl Finding {
    /// What to do about it (the rule's remediation).
    pub fn remediation(&self) -> &'static str {
        self.rule.remediation()
    }

    /// True when it is not suppressed.
    pub fn is_active(&self) -> bool {
        self.suppressed.is_none()
    }

    /// True for an unsuppressed error: apply refuses a stack with one.
    pub fn is_failure(&self) -> bool {
        self.is_active() && self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.suppressed.is_some() {
            f.write_str("suppressed ")?;
        }
        write!(
            f,
            "{}[{} {}]: {}",
            self.severity,
            self.rule.code(),
            self.rule.id(),
            self.request
        )?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Finding", 9)?;
        s.serialize_field("code", self.rule.code())?;
        s.serialize_field("rule", self.rule.id())?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("address", &self.address)?;
        s.serialize_field("request", &self.request)?;
        s.serialize_field("path", &self.path)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("remediation", self.rule.remediation())?;
        s.serialize_field(
            "suppressed",
            &self.suppressed.as_ref().map(|r| json!({ "reason": r })),
        )?;
        s.end()
    }
}

/// Counts of a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LintSummary {
    /// Unsuppressed errors.
    pub errors: usize,
    /// Unsuppressed warnings.
    pub warnings: usize,
    /// Unsuppressed notes.
    pub notes: usize,
    /// Suppressed findings of any severity.
    pub suppressed: usize,
}

/// Every lint finding of a stack, suppressed ones included, in a deterministic order:
/// resources in the order they were added, findings of one resource by rule code, then
/// the problems of the resource's own suppressions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintReport {
    /// The stack's name.
    pub stack: String,
    /// The findings.
    pub findings: Vec<Finding>,
}

/// The error of [`LintReport::check`]: the unsuppressed error-severity findings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lint found {} unsuppressed error(s); first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
pub struct LintFailed(pub Vec<Finding>);

impl LintReport {
    /// Findings that are not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_active())
    }

    /// Suppressed findings, each with its reason.
    pub fn suppressed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_active())
    }

    /// Unsuppressed error-severity findings: the ones apply refuses on.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_failure())
    }

    /// True when any unsuppressed finding is an error.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// `Ok` when no unsuppressed error remains; apply calls this before changing anything.
    pub fn check(&self) -> Result<(), LintFailed> {
        let errors: Vec<Finding> = self.errors().cloned().collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(LintFailed(errors))
        }
    }

    /// Counts by severity, and of suppressed findings.
    pub fn summary(&self) -> LintSummary {
        let mut s = LintSummary::default();
        for f in &self.findings {
            match (&f.suppressed, f.severity) {
                (Some(_), _) => s.suppressed += 1,
                (None, Severity::Error) => s.errors += 1,
                (None, Severity::Warning) => s.warnings += 1,
                (None, Severity::Note) => s.notes += 1,
            }
        }
        s
    }

    /// Findings with the given rule.
    pub fn of(&self, rule: LintRule) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule == rule)
    }

    /// Human-readable text: active findings with their remediation, then suppressed ones
    /// with their reasons, then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in self.active() {
            out.push_str(&format!("{f}\n  help: {}\n", f.remediation()));
        }
        for f in self.suppressed() {
            out.push_str(&format!(
                "{f}\n  reason: {}\n",
                f.suppressed.as_deref().unwrap_or_default()
            ));
        }
        let s = self.summary();
        out.push_str(&format!(
            "lint `{}`: {} error(s), {} warning(s), {} note(s), {} suppressed\n",
            self.stack, s.errors, s.warnings, s.notes, s.suppressed
        ));
        out
    }

    /// JSON: `{ stack, summary, findings: [{ code, rule, severity, address, request, path,
    /// message, remediation, suppressed: { reason } | null }] }`.
    pub fn to_json(&self) -> Value {
        json!({
            "stack": self.stack,
            "summary": self.summary(),
            "findings": self.findings,
        })
    }

    /// SARIF 2.1.0, one run. `rules` lists every rule in code order (so `ruleIndex` is
    /// stable across runs); each result has a logical location for the resource
    /// (`fullyQualifiedName` = address) and one for the field (`request` + path).
    /// Suppressed results carry `suppressions: [{ kind: "inSource", justification }]`,
    /// active ones an empty `suppressions` array.
    pub fn to_sarif(&self) -> Value {
        let rules: Vec<Value> = LintRule::ALL
            .iter()
            .map(|r| {
                json!({
                    "id": r.id(),
                    "name": r.name(),
                    "shortDescription": { "text": r.description() },
                    "fullDescription": { "text": format!("{} {}", r.description(), r.remediation()) },
                    "help": { "text": r.remediation() },
                    "defaultConfiguration": { "level": r.severity().as_str() },
                    "properties": { "code": r.code(), "tags": ["security", "ecs-iac"] },
                })
            })
            .collect();
        let results: Vec<Value> = self
            .findings
            .iter()
            .map(|f| {
                let index = LintRule::ALL
                    .iter()
                    .position(|r| *r == f.rule)
                    .unwrap_or_default();
                let field = if f.path.is_empty() {
                    f.request.clone()
                } else {
                    format!("{}.{}", f.request, f.path)
                };
                let suppressions: Vec<Value> = f
                    .suppressed
                    .iter()
                    .map(|reason| json!({ "kind": "inSource", "justification": reason }))
                    .collect();
                json!({
                    "ruleId": f.rule.id(),
                    "ruleIndex": index,
                    "level": f.severity.as_str(),
                    "message": { "text": f.message },
                    "locations": [{
                        "logicalLocations": [
                            { "name": f.address, "fullyQualifiedName": f.address, "kind": "resource" },
                            { "name": f.path, "fullyQualifiedName": field, "kind": "property" },
                        ],
                    }],
                    "partialFingerprints": {
                        "ecsIacFinding/v1": format!("{}|{}/{}|{}|{}", f.rule.id(), self.stack, f.address, f.request, f.path),
                    },
                    "suppressions": suppressions,
                    "properties": { "code": f.rule.code(), "request": f.request, "path": f.path },
                })
            })
            .collect();
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "ecs-iac",
                        "version": env!("CARGO_PKG_VERSION"),
                        "semanticVersion": env!("CARGO_PKG_VERSION"),
                        "rules": rules,
                    },
                },
                "automationDetails": { "id": format!("ecs-iac/lint/{}/", self.stack) },
                "results": results,
            }],
        })
    }
}
