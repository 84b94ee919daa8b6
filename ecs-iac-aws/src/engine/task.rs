//! One resource's work, ready to run on its own task: the request resolved from the
//! state, then the create (with retries that look before they create again), the update in
//! the modes its changes need, or the delete (retried while something still uses it).

use super::journal::{settle_deadline, Done};
use super::schedule::Step;
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use crate::providers::{Existing, Outcome, Target};
use ecs_iac_core::requests::secretsmanager::CreateSecret;
use ecs_iac_core::resolve::{placeholders, resolve};
use ecs_iac_core::resources::SecretValue;
use ecs_iac_core::{FieldChange, Kind, PlannedAction, ResourceState, ResourceStatus, State};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

/// Codes that mean "something still uses it": retried until the wait deadline on delete.
const IN_USE: &[&str] = &[
    "DependencyViolation",
    "ResourceInUse",
    "ResourceInUseException",
    "InvalidDBSubnetGroupStateFault",
    "InvalidCacheSubnetGroupStateFault",
    "DeleteConflict",
    "ClusterContainsServicesException",
    "ClusterContainsTasksException",
    "InvalidParameterException",
    "WAFAssociatedItemException",
];

/// One resource's work, ready to run on its own task.
pub(super) struct Task {
    pub(super) aws: Aws,
    pub(super) stack: String,
    pub(super) address: String,
    kind: Kind,
    step: Step,
    /// For an update: how its changed fields reach AWS.
    modes: BTreeSet<FieldChange>,
    /// For an update: the top-level request fields that change.
    changed: Vec<String>,
    /// The request with every placeholder resolved but secret values.
    body: Value,
    /// Secret values to fetch: (address, secret id).
    secrets: Vec<(String, String)>,
    /// The value a secret is created with, produced just before its create is sent.
    initial_value: Option<SecretValue>,
    /// The recorded resource, for deletes and replacements.
    existing: Option<ResourceState>,
    /// A previous create was interrupted: look for the resource before creating.
    adopt_first: bool,
    /// When that interrupted create was journaled (unix seconds), if known.
    pending_since: Option<u64>,
    /// Adopt what exists, create nothing ([`super::ApplyOptions::adopt_only`]).
    pub(super) adopt_only: bool,
    /// For an update that changes tags: the tags to set and the keys to remove.
    retag: Option<Retag>,
    /// Whether to journal a pending create before running.
    pub(super) journal: bool,
}

/// The modes an update's changes need ([`Kind::field_change`] of each changed top-level
/// field), and those fields. A field that would replace the node is refused: the planner
/// plans a replacement for it, so reaching here means the plan was not made by it (or
/// was edited).
pub fn update_modes(
    action: &PlannedAction,
) -> Result<(BTreeSet<FieldChange>, Vec<String>), ProviderError> {
    let mut modes = BTreeSet::new();
    let mut fields: Vec<String> = Vec::new();
    for c in &action.changes {
        let field = top_field(&c.path);
        let mode = action.kind.field_change(field);
        if mode == FieldChange::Replace {
            return Err(ProviderError::Request {
                address: action.address.clone(),
                field: c.path.clone(),
                problem: format!(
                    "`{field}` of `{}` cannot change in place; plan again (the plan replaces it), nothing was changed",
                    action.kind
                ),
            });
        }
        modes.insert(mode);
        if !fields.iter().any(|f| f == field) {
            fields.push(field.to_string());
        }
    }
    Ok((modes, fields))
}

/// The top-level request field of a change path (`containerDefinitions[app].image` →
/// `containerDefinitions`).
fn top_field(path: &str) -> &str {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    &path[..end]
}

/// The task of `action` as `step`, its request resolved from `state` (secret values are
/// fetched only when it runs).
pub(super) fn prepare(
    aws: &Aws,
    stack: &str,
    action: &PlannedAction,
    step: Step,
    state: &mut State,
) -> Result<Task, ProviderError> {
    let existing = state.resources.get(&action.address).cloned();
    let adopt_first = existing
        .as_ref()
        .is_some_and(|r| r.status == ResourceStatus::Pending);
    let pending_since = existing.as_ref().and_then(|r| r.pending_since);
    let body = action.after.clone().unwrap_or(Value::Null);
    let mut secrets = Vec::new();
    for p in placeholders(&body) {
        if p.attribute == "secret_value" {
            let id = state
                .resources
                .get(&p.address)
                .and_then(|r| r.id.clone())
                .ok_or_else(|| ProviderError::Request {
                    address: action.address.clone(),
                    field: format!("${{{}.secret_value}}", p.address),
                    problem: "the secret was not looked up".into(),
                })?;
            secrets.push((p.address.clone(), id));
        }
    }
    let account = aws.account_id.clone();
    let region = aws.region.clone();
    let lookup = |address: &str, attribute: &str| -> Option<String> {
        match (address, attribute) {
            ("aws", attribute) => {
                ecs_iac_core::resolve::aws_value(attribute, Some(&account), Some(&region))
            }
            (_, "secret_value") => Some(format!("${{{address}.secret_value}}")),
            _ => state
                .resources
                .get(address)
                .filter(|r| r.status == ResourceStatus::Created)
                .and_then(|r| r.attributes.get(attribute).cloned()),
        }
    };
    let body = if step == Step::Delete {
        Value::Null
    } else {
        resolve(&body, &lookup).map_err(|e| ProviderError::Request {
            address: action.address.clone(),
            field: "placeholders".into(),
            problem: e.to_string(),
        })?
    };
    let (modes, changed) = if step == Step::Update {
        update_modes(action)?
    } else {
        Default::default()
    };
    let retag = if modes.contains(&FieldChange::Retag) {
        let old = action.before.clone().unwrap_or(Value::Null);
        let old = Req {
            address: &action.address,
            body: &old,
        }
        .resource_tags();
        let new = Req {
            address: &action.address,
            body: &body,
        }
        .resource_tags();
        let removed = old
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| !new.iter().any(|(n, _)| n == k))
            .collect();
        Some((new, removed))
    } else {
        None
    };
    Ok(Task {
        aws: aws.clone(),
        stack: stack.to_string(),
        address: action.address.clone(),
        kind: action.kind,
        step,
        modes,
        changed,
        body,
        secrets,
        initial_value: action.initial_value.clone(),
        existing,
        adopt_first,
        pending_since,
        retag,
        adopt_only: false,
        journal: step == Step::Create,
    })
}

/// The tags an update sets, and the tag keys it removes.
type Retag = (Vec<(String, String)>, Vec<String>);

/// The error of a state the code rules out, reported instead of a panic.
fn unreachable_state(address: &str) -> ProviderError {
    ProviderError::Request {
        address: address.to_string(),
        field: "(engine)".into(),
        problem: "internal error: an update ended without an outcome".into(),
    }
}

impl Task {
    /// The request `body` of this task's resource, as the providers take it.
    fn target<'a>(&'a self, body: &'a Value) -> Target<'a> {
        Target {
            stack: &self.stack,
            address: &self.address,
            kind: self.kind,
            req: Req {
                address: &self.address,
                body,
            },
            changed: &self.changed,
        }
    }

    /// Does the work.
    pub(super) async fn run(self) -> Result<Done, ProviderError> {
        match self.step {
            Step::Delete | Step::DeleteThenCreate => self.delete().await.map(|_| Done::Deleted),
            Step::Update => self.update().await.map(Done::Created),
            Step::Create | Step::Read => self.create().await.map(Done::Created),
            Step::Forget => Ok(Done::Deleted),
        }
    }

    async fn create(&self) -> Result<Outcome, ProviderError> {
        let mut values = HashMap::new();
        for (address, id) in &self.secrets {
            values.insert(
                address.clone(),
                self.aws.secret_value(&self.address, id).await?,
            );
        }
        let mut body = if values.is_empty() {
            self.body.clone()
        } else {
            let lookup = |address: &str, attribute: &str| {
                (attribute == "secret_value")
                    .then(|| values.get(address).cloned())
                    .flatten()
            };
            resolve(&self.body, &lookup).map_err(|e| ProviderError::Request {
                address: self.address.clone(),
                field: "secret".into(),
                problem: e.to_string(),
            })?
        };
        let mut values: Vec<String> = values.into_values().collect();
        // Adopting only (import, recover) never creates: no value is needed.
        if let Some(source) = self.initial_value.as_ref().filter(|_| !self.adopt_only) {
            let value = self.aws.produce_secret_value(&self.address, source).await?;
            if let Value::Object(fields) = &mut body {
                fields.insert(
                    CreateSecret::FIELD.secret_string.into(),
                    Value::String(value.clone()),
                );
            }
            values.push(value);
        }
        let t = self.target(&body);
        // AWS error messages may echo request parameters: secret values never leave here.
        let secret_values: Vec<&str> = values.iter().map(String::as_str).collect();
        self.create_resolved(&t, &secret_values)
            .await
            .map_err(|e| e.redact(&secret_values))
    }

    /// Creates (or adopts) the resource of the fully resolved request `t`, whose secret
    /// values are `secrets`.
    async fn create_resolved(
        &self,
        t: &Target<'_>,
        secrets: &[&str],
    ) -> Result<Outcome, ProviderError> {
        let t = *t;
        let config = &self.aws.config;
        if self.adopt_first {
            // The interrupted request may still be in flight: look until it has settled.
            let settled = match self.pending_since {
                Some(since) if self.kind.spec().duplicable => {
                    settle_deadline(since, config.create_settle)
                }
                _ => Instant::now(),
            };
            if let Some(mut found) = self.find_settled(&t, settled).await? {
                tracing::info!(address = %self.address, id = %found.id, "adopted after an interrupted create");
                self.aws.wait_ready(&t, &mut found).await?;
                return Ok(found);
            }
            if self.adopt_only && self.kind.spec().findable {
                return Err(ProviderError::Request {
                    address: self.address.clone(),
                    field: "(recover)".into(),
                    problem: "not found in AWS by its ownership tags or name; it stays \
                              journaled, and the next apply looks for it again or creates it"
                        .into(),
                });
            }
        }
        let mut backoff = config.create_backoff;
        let mut attempt = 1;
        loop {
            let sent = Instant::now();
            match self.aws.create(&t).await.map_err(|e| e.redact(secrets)) {
                Ok(mut o) => {
                    self.aws.wait_ready(&t, &mut o).await?;
                    return Ok(o);
                }
                Err(e) if e.is_transient() && attempt < config.create_attempts => {
                    tracing::warn!(address = %self.address, attempt, error = %e, "create failed; looking the resource up before retrying");
                    self.aws
                        .pause(&self.address, "a retry of the create", backoff)
                        .await?;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                    // A lost response: AWS may have made it, or may still be making it.
                    // Adopt instead of duplicating.
                    let settled = if e.is_unanswered() && self.kind.spec().duplicable {
                        sent + config.create_settle
                    } else {
                        Instant::now()
                    };
                    if let Some(mut found) = self.find_settled(&t, settled).await? {
                        self.aws.wait_ready(&t, &mut found).await?;
                        return Ok(found);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Changes the recorded resource in place, in the modes its changes need: the create
    /// call again (upserts), the kind's modify call, and tags.
    async fn update(&self) -> Result<Outcome, ProviderError> {
        let upserted = if self.modes.contains(&FieldChange::Upsert) {
            Some(self.create().await?)
        } else {
            None
        };
        if upserted.is_some() && self.retag.is_none() {
            return upserted.ok_or_else(|| unreachable_state(&self.address));
        }
        let Some(existing) = &self.existing else {
            return Err(ProviderError::Request {
                address: self.address.clone(),
                field: "state".into(),
                problem: "an update needs the resource in state; it is not there".into(),
            });
        };
        let Some(id) = existing.id.as_deref() else {
            return Err(ProviderError::Request {
                address: self.address.clone(),
                field: "state".into(),
                problem: "the recorded resource has no id; run apply again to adopt it first"
                    .into(),
            });
        };
        let t = self.target(&self.body);
        let e = Existing {
            address: &self.address,
            kind: existing.kind,
            id,
            attributes: &existing.attributes,
            deletion: existing.deletion,
        };
        let outcome = match upserted {
            Some(outcome) => outcome,
            None if self.modes.contains(&FieldChange::Modify) => self.aws.update(&t, &e).await?,
            None => e.unchanged(),
        };
        if let Some((set, remove)) = &self.retag {
            self.aws.retag(&e, set, remove).await?;
        }
        Ok(outcome)
    }

    /// Deletes the recorded resource (or what an interrupted create made), retrying
    /// while something still uses it, until the wait deadline.
    async fn delete(&self) -> Result<(), ProviderError> {
        let Some(existing) = &self.existing else {
            return Ok(());
        };
        // A create that never finished may still have made the resource: look it up by
        // its ownership tags (or unique name) before forgetting it.
        let adopted = match existing.id.as_deref() {
            Some(_) => None,
            None => match self.find_interrupted(existing).await? {
                Some(found) => Some(found),
                None => return Ok(()),
            },
        };
        let (id, attributes) = match &adopted {
            Some(found) => (found.id.as_str(), &found.attributes),
            None => (
                existing.id.as_deref().unwrap_or_default(),
                &existing.attributes,
            ),
        };
        let e = Existing {
            address: &self.address,
            kind: existing.kind,
            id,
            attributes,
            deletion: existing.deletion,
        };
        let config = &self.aws.config;
        let start = Instant::now();
        loop {
            match self.aws.delete(&e).await {
                Ok(()) => return Ok(()),
                Err(err)
                    if (err.is(IN_USE) || err.is_transient())
                        && start.elapsed() < config.wait_deadline =>
                {
                    tracing::info!(address = %self.address, error = %err, "still in use; retrying the delete");
                    let left = config.wait_deadline.saturating_sub(start.elapsed());
                    let waiting_for = format!(
                        "{}; retrying the delete, {} s left",
                        err.code().unwrap_or("in use"),
                        left.as_secs()
                    );
                    self.aws
                        .pause(&self.address, &waiting_for, config.poll_interval)
                        .await?;
                }
                Err(err) => return Err(err),
            }
        }
    }
}
