//! Outputs: named values a stack exports (an ALB's DNS name, a database endpoint), shown
//! in the plan, resolved after apply, kept in the state and read back by `output`.
//!
//! ```
//! use ecs_iac_core::prelude::*;
//! let mut stack = Stack::new("shop").region("us-east-1");
//! # let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
//! # let a = stack.add(Subnet::public("a", &vpc, cidr("10.0.1.0/24"), Az::US_EAST_1A));
//! # let b = stack.add(Subnet::public("b", &vpc, cidr("10.0.2.0/24"), Az::US_EAST_1B));
//! # let sg = stack.add(SecurityGroup::new("sg", &vpc));
//! let alb = stack.add(LoadBalancer::application("alb", [&a, &b], [&sg]));
//! stack
//!     .output("url", text!("https://{}/", alb.dns_name()))
//!     .description("Where the shop answers");
//! let plan = plan(&stack, &State::empty("shop")).unwrap();
//! assert_eq!(plan.outputs[0].name, "url");
//! assert_eq!(plan.outputs[0].after, None); // known after apply
//! assert!(plan.render_text().contains("+ url = (known after apply)"));
//! ```

use crate::diagnostic::{Diagnostic, Rule};
use crate::resolve::placeholders;
pub use crate::state::OutputValue;
use crate::state::State;
use crate::value::Text;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An output as the stack declares it ([`crate::Stack::output`]).
#[derive(Debug, Clone)]
pub struct Output {
    pub(crate) name: String,
    pub(crate) value: Text,
    pub(crate) description: Option<String>,
}

impl Output {
    /// Says what the value is for (shown by `output` and in the state).
    pub fn description(&mut self, description: impl Into<String>) -> &mut Output {
        self.description = Some(description.into());
        self
    }
}

/// An output as synth renders it: its value with `${...}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputSpec {
    /// The output's name.
    pub name: String,
    /// The value, placeholders unresolved.
    pub value: String,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What a plan does to an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputChange {
    /// New.
    Add,
    /// Its value changes, or may (a resource it uses is created or replaced).
    Change,
    /// It leaves the stack (or the stack is destroyed).
    Remove,
    /// Known and the same.
    Unchanged,
}

/// One output of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedOutput {
    /// The output's name.
    pub name: String,
    /// What happens to it.
    pub change: OutputChange,
    /// The declared value, placeholders unresolved (empty for a removed output).
    pub template: String,
    /// The value the state holds now.
    pub before: Option<String>,
    /// The value after apply when it is known now; `None` when it is known only after
    /// apply (or removed).
    pub after: Option<String>,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl PlannedOutput {
    /// Whether applying changes it.
    pub fn is_change(&self) -> bool {
        self.change != OutputChange::Unchanged
    }
}

/// Checks the declared outputs: names unique and well formed, values naming only
/// resources of the stack and never a secret's value.
pub(crate) fn check(stack: &crate::Stack, out: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    for (i, o) in stack.outputs.iter().enumerate() {
        let address = format!("output:{}", o.name);
        let path = format!("outputs[{i}]");
        let well_formed = !o.name.is_empty()
            && o.name.len() <= 128
            && o.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
        if !well_formed {
            out.push(Diagnostic::new(
                Rule::InvalidName,
                &address,
                &path,
                format!(
                    "output name `{}` must be 1-128 letters, digits, `-` or `_`",
                    o.name
                ),
            ));
        }
        if !seen.insert(o.name.as_str()) {
            out.push(Diagnostic::new(
                Rule::DuplicateName,
                &address,
                &path,
                format!("another output is already named `{}`", o.name),
            ));
        }
        for (r, _) in o.value.uses() {
            if stack.resolve(r).is_none() {
                out.push(Diagnostic::new(
                    Rule::UnknownReference,
                    &address,
                    &path,
                    format!(
                        "uses {} `{}`, which is not in stack `{}`",
                        r.kind(),
                        r.name(),
                        stack.name
                    ),
                ));
            }
        }
        if o.value.as_str().contains(".secret_value}") {
            out.push(Diagnostic::new(
                Rule::UnknownAttribute,
                &address,
                &path,
                "an output never holds a secret's value: outputs are printed and kept in the state",
            ));
        }
    }
}

/// The outputs as synth renders them.
pub(crate) fn render(stack: &crate::Stack) -> Vec<OutputSpec> {
    stack
        .outputs
        .iter()
        .map(|o| OutputSpec {
            name: o.name.clone(),
            value: o.value.as_str().to_string(),
            description: o.description.clone(),
        })
        .collect()
}

/// What the plan does to each output: `desired` against what `prior` holds, where the
/// resources in `changing` get new attributes (created or replaced) and the account and
/// region are known when given.
pub(crate) fn plan(
    desired: &[OutputSpec],
    prior: &State,
    changing: &BTreeSet<&str>,
    account_id: Option<&str>,
    region: Option<&str>,
) -> Vec<PlannedOutput> {
    let mut planned: Vec<PlannedOutput> = desired
        .iter()
        .map(|o| {
            let before = prior.outputs.get(&o.name);
            let uses_changing = placeholders(&serde_json::Value::String(o.value.clone()))
                .iter()
                .any(|p| changing.contains(p.address.as_str()));
            let after = if uses_changing {
                None
            } else {
                resolve(&o.value, prior, account_id, region)
            };
            let change = match before {
                None => OutputChange::Add,
                Some(b) if b.template == o.value && after.as_deref() == Some(b.value.as_str()) => {
                    OutputChange::Unchanged
                }
                // Same declaration, not resolvable now (offline plan): unchanged unless a
                // resource it uses changes.
                Some(b) if b.template == o.value && after.is_none() && !uses_changing => {
                    OutputChange::Unchanged
                }
                Some(_) => OutputChange::Change,
            };
            let after = match (change, after) {
                (OutputChange::Unchanged, None) => before.map(|b| b.value.clone()),
                (_, after) => after,
            };
            PlannedOutput {
                name: o.name.clone(),
                change,
                template: o.value.clone(),
                before: before.map(|b| b.value.clone()),
                after,
                description: o.description.clone(),
            }
        })
        .collect();
    let declared: BTreeSet<&str> = desired.iter().map(|o| o.name.as_str()).collect();
    planned.extend(
        prior
            .outputs
            .iter()
            .filter(|(name, _)| !declared.contains(name.as_str()))
            .map(|(name, b)| PlannedOutput {
                name: name.clone(),
                change: OutputChange::Remove,
                template: String::new(),
                before: Some(b.value.clone()),
                after: None,
                description: b.description.clone(),
            }),
    );
    planned
}

/// The value of `template` from what `state` records, `None` while any placeholder has
/// no value.
pub fn resolve(
    template: &str,
    state: &State,
    account_id: Option<&str>,
    region: Option<&str>,
) -> Option<String> {
    let lookup = |address: &str, attribute: &str| match (address, attribute) {
        ("aws", attribute) => crate::resolve::aws_value(attribute, account_id, region),
        _ => state.attribute(address, attribute),
    };
    crate::resolve::resolve_str(template, &lookup).ok()
}

/// The outputs a state holds after applying `planned`: each declared output whose value
/// resolves from `state` now (an output whose resources failed is left out until an
/// apply resolves it).
pub fn resolved(
    planned: &[PlannedOutput],
    state: &State,
    account_id: Option<&str>,
    region: Option<&str>,
) -> BTreeMap<String, OutputValue> {
    planned
        .iter()
        .filter(|o| o.change != OutputChange::Remove)
        .filter_map(|o| {
            let value = resolve(&o.template, state, account_id, region)?;
            Some((
                o.name.clone(),
                OutputValue {
                    value,
                    template: o.template.clone(),
                    description: o.description.clone(),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{resolved, OutputChange, State};
    use crate::prelude::*;
    use crate::{plan_synth, Rule};

    fn stack() -> (Stack, Ref<LogGroup>, Ref<Role>) {
        let mut stack = Stack::new("t").region("us-east-1");
        let logs = stack.add(LogGroup::new("logs", "/ecs/t").retention_days(30));
        let role = stack.add(Role::new("role", Principal::ecs_tasks()));
        (stack, logs, role)
    }

    /// The state after applying `stack`, with `attributes` recorded for `role`.
    fn applied(stack: &Stack, role_arn: &str) -> State {
        let synth = synth(stack).unwrap();
        let mut state = State::empty("t");
        for n in &synth.nodes {
            let mut entry = crate::state::applied_entry(n);
            if n.address == "role" {
                entry
                    .attributes
                    .insert("arn".to_string(), role_arn.to_string());
            }
            state.resources.insert(n.address.clone(), entry);
        }
        state
    }

    #[test]
    fn outputs_are_known_after_apply_until_their_resources_exist() {
        let (mut stack, _, role) = stack();
        stack.output("role", role.arn()).description("the role");
        stack.output("static", "fixed");
        let first = plan_synth(synth(&stack).unwrap(), &State::empty("t"));
        let shown: Vec<_> = first
            .outputs
            .iter()
            .map(|o| (o.name.as_str(), o.change, o.after.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [
                ("role", OutputChange::Add, None),
                ("static", OutputChange::Add, Some("fixed"))
            ]
        );
        // After apply the state holds the resolved values; the next plan is empty.
        let mut state = applied(&stack, "arn:aws:iam::1:role/role");
        state.outputs = resolved(&first.outputs, &state, None, None);
        assert_eq!(state.outputs["role"].value, "arn:aws:iam::1:role/role");
        assert_eq!(
            state.outputs["role"].description.as_deref(),
            Some("the role")
        );
        let again = plan_synth(synth(&stack).unwrap(), &state);
        assert!(!again.has_changes(), "{}", again.render_text());
        // Removing one shows its removal; the plan has changes even with no resource change.
        let (mut fewer, _, role) = self::stack();
        fewer.output("role", role.arn()).description("the role");
        let removed = plan_synth(synth(&fewer).unwrap(), &state);
        assert!(removed.has_changes());
        assert!(removed.render_text().contains("- static = \"fixed\""));
        // Destroying removes them all.
        let destroy = crate::plan_destroy(&state);
        assert!(destroy
            .outputs
            .iter()
            .all(|o| o.change == OutputChange::Remove));
        assert!(resolved(&destroy.outputs, &state, None, None).is_empty());
    }

    #[test]
    fn a_replacement_makes_the_output_unknown_again() {
        let (mut stack, _, role) = stack();
        stack.output("role", text!("role={}", role.arn()));
        let mut state = applied(&stack, "arn:old");
        let first = plan_synth(synth(&stack).unwrap(), &State::empty("t"));
        state.outputs = resolved(&first.outputs, &state, None, None);
        assert_eq!(state.outputs["role"].value, "role=arn:old");
        // A role name change replaces the role: its ARN is known only after apply.
        let mut renamed = Stack::new("t").region("us-east-1");
        renamed.add(LogGroup::new("logs", "/ecs/t").retention_days(30));
        let role = renamed.add(Role::new("role", Principal::ecs_tasks()).role_name("other"));
        renamed.output("role", text!("role={}", role.arn()));
        let plan = plan_synth(synth(&renamed).unwrap(), &state);
        let o = &plan.outputs[0];
        assert_eq!(
            (o.change, o.before.as_deref(), o.after.as_deref()),
            (OutputChange::Change, Some("role=arn:old"), None)
        );
        assert!(plan
            .render_text()
            .contains("~ role: \"role=arn:old\" -> (known after apply)"));
    }

    #[test]
    fn bad_outputs_are_validation_errors() {
        let (mut stack, logs, _) = stack();
        let mut other = Stack::new("other");
        let foreign = other.add(Role::new("foreign", Principal::ecs_tasks()));
        stack.output("ok", logs.log_group_name());
        stack.output("ok", "again");
        stack.output("bad name!", "x");
        stack.output("foreign", foreign.arn());
        stack.output("typo", "${logs.nope}");
        stack.output("leak", "${logs.secret_value}");
        let found: Vec<(Rule, String)> = validate(&stack)
            .into_iter()
            .filter(|d| d.address.starts_with("output:"))
            .map(|d| (d.rule, d.address))
            .collect();
        for expected in [
            (Rule::DuplicateName, "output:ok"),
            (Rule::InvalidName, "output:bad name!"),
            (Rule::UnknownReference, "output:foreign"),
            (Rule::UnknownAttribute, "output:typo"),
            (Rule::UnknownAttribute, "output:leak"),
        ] {
            assert!(
                found.contains(&(expected.0, expected.1.to_string())),
                "{expected:?} not in {found:?}"
            );
        }
    }
}

/// The outputs of another stack, read from its state: one stack's outputs as another's
/// inputs (a `network` stack's VPC id for an `app` stack). Read them with
/// [`StackOutputs::get`], typed by what the reader expects; a missing output is an error
/// naming the stack and what it does output.
///
/// ```
/// use ecs_iac_core::output::{OutputValue, StackOutputs};
/// let mut network = ecs_iac_core::State::empty("network");
/// network.outputs.insert("vpc-id".into(), OutputValue {
///     value: "vpc-0abc".into(), template: "${vpc.id}".into(), description: None,
/// });
/// let inputs = StackOutputs::from_state(&network, "network.state.json");
/// let vpc: String = inputs.get("vpc-id").unwrap();
/// assert_eq!(vpc, "vpc-0abc");
/// let err = inputs.get::<String>("subnet-ids").unwrap_err();
/// assert!(err.to_string().contains("stack `network` (network.state.json) has no output `subnet-ids`; it outputs `vpc-id`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackOutputs {
    stack: String,
    source: String,
    values: BTreeMap<String, String>,
}

/// Why an output of another stack cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// The stack has no such output (not declared, or not applied yet).
    #[error("stack `{stack}` ({source_name}) has no output `{name}`; it outputs {}", listed(.known))]
    Missing {
        /// The stack read.
        stack: String,
        /// Where it was read from.
        source_name: String,
        /// The output asked for.
        name: String,
        /// The outputs it has.
        known: Vec<String>,
    },
    /// The output's value is not what the reader expects.
    #[error("output `{name}` of stack `{stack}` is `{value}`, not {expected}")]
    Type {
        /// The stack read.
        stack: String,
        /// The output.
        name: String,
        /// Its value.
        value: String,
        /// The type asked for.
        expected: &'static str,
    },
}

fn listed(known: &[String]) -> String {
    if known.is_empty() {
        "nothing (apply it first, with its outputs declared)".to_string()
    } else {
        known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl StackOutputs {
    /// The outputs `state` records; `source` says where it was read (for messages).
    pub fn from_state(state: &State, source: impl Into<String>) -> StackOutputs {
        StackOutputs {
            stack: state.stack.clone(),
            source: source.into(),
            values: state
                .outputs
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect(),
        }
    }

    /// The output `name` as a `T` (`String`, a number, anything `FromStr`).
    pub fn get<T: std::str::FromStr>(&self, name: &str) -> Result<T, InputError> {
        let value = self.values.get(name).ok_or_else(|| InputError::Missing {
            stack: self.stack.clone(),
            source_name: self.source.clone(),
            name: name.to_string(),
            known: self.values.keys().cloned().collect(),
        })?;
        value.parse().map_err(|_| InputError::Type {
            stack: self.stack.clone(),
            name: name.to_string(),
            value: value.clone(),
            expected: std::any::type_name::<T>(),
        })
    }

    /// The output `name` as a comma-separated list (e.g. subnet ids).
    pub fn list(&self, name: &str) -> Result<Vec<String>, InputError> {
        let value: String = self.get(name)?;
        Ok(value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// The stack's name.
    pub fn stack(&self) -> &str {
        &self.stack
    }
}
