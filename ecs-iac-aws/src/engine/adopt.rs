//! Adoption: finding what an interrupted or unanswered create made before creating again
//! (waiting until such a create has settled), and the two commands that only adopt,
//! [`recover`] (a lost state) and [`import`] (an existing resource).

use super::journal::settle_deadline;
use super::task::Task;
use super::{apply, journal, ApplyError, ApplyOptions, ApplyReport};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use crate::providers::{Outcome, Target};
use crate::state_store::StateLock;
use ecs_iac_core::{plan_synth, ResourceState, State, Synth};
use std::time::{Duration, Instant};

/// Rebuilds a lost state from AWS: every resource of `desired` is looked up by its
/// ownership tags (or unique name) and adopted, or adopted by its create call where that
/// call adopts what exists (attachments, rules, upserts). Nothing is created. What is not
/// found stays journaled as pending, so the next apply looks for it again before it
/// creates it.
pub async fn recover(
    aws: &Aws,
    desired: Synth,
    lock: &StateLock,
    options: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let mut state = State::empty(desired.stack.clone());
    for node in desired.nodes.iter().filter(|n| !n.data_source) {
        state
            .resources
            .insert(node.address.clone(), journal::to_look_up(node));
    }
    let plan = plan_synth(desired, &state);
    let options = ApplyOptions {
        adopt_only: true,
        ..options.clone()
    };
    apply(aws, &plan, lock, state, &options).await
}

/// Adopts the existing AWS resource `id` as the stack's `address`: tags it as owned by
/// the stack, then looks it up the way a resumed create does and records it in `state`
/// (saved). A later `plan` shows how it differs from the stack.
pub async fn import(
    aws: &Aws,
    desired: Synth,
    address: &str,
    id: &str,
    lock: &StateLock,
    mut state: State,
    options: &ApplyOptions,
) -> Result<ApplyReport, ApplyError> {
    let refuse = |problem: String| ApplyError::Import {
        address: address.to_string(),
        problem,
    };
    let Some(node) = desired.nodes.iter().find(|n| n.address == address) else {
        return Err(refuse(format!(
            "the stack `{}` has no resource at this address",
            desired.stack
        )));
    };
    if node.data_source || !node.kind.spec().findable {
        return Err(refuse(format!(
            "`{}` cannot be imported; apply adopts it by its create call",
            node.kind
        )));
    }
    if state.resources.get(address).is_some_and(|r| r.id.is_some()) {
        return Err(refuse("it is already in state".into()));
    }
    aws.tag_owned(&desired.stack, address, node.kind, id)
        .await
        .map_err(|e| refuse(e.to_string()))?;
    state
        .resources
        .insert(address.to_string(), journal::to_look_up(node));
    let mut plan = plan_synth(desired.clone(), &state);
    plan.actions.retain(|a| a.address == address);
    let options = ApplyOptions {
        adopt_only: true,
        ..options.clone()
    };
    apply(aws, &plan, lock, state, &options).await
}

impl Task {
    /// Finds what an interrupted create (a pending entry without an id) made, once the
    /// request has settled.
    pub(super) async fn find_interrupted(
        &self,
        existing: &ResourceState,
    ) -> Result<Option<Outcome>, ProviderError> {
        let t = Target {
            stack: &self.stack,
            address: &self.address,
            kind: existing.kind,
            req: Req {
                address: &self.address,
                body: &existing.request,
            },
            changed: &[],
        };
        let settled = match existing.pending_since {
            Some(since) if existing.kind.spec().duplicable => {
                settle_deadline(since, self.aws.config.create_settle)
            }
            _ => Instant::now(),
        };
        let found = self.find_settled(&t, settled).await?;
        if let Some(found) = &found {
            tracing::info!(address = %self.address, id = %found.id, "found what an interrupted create made; deleting it");
        }
        Ok(found)
    }

    /// Looks the resource up until it is found or `settled` has passed: a create whose
    /// outcome is unknown may still be in flight, or not yet visible to describe calls.
    pub(super) async fn find_settled(
        &self,
        t: &Target<'_>,
        settled: Instant,
    ) -> Result<Option<Outcome>, ProviderError> {
        let mut pause = self.aws.config.create_backoff;
        loop {
            if let Some(found) = self.find_patiently(t).await? {
                return Ok(Some(found));
            }
            let now = Instant::now();
            if now >= settled {
                return Ok(None);
            }
            tracing::info!(address = %self.address, seconds = (settled - now).as_secs(), "not found yet; an earlier create may still be in flight, looking again");
            self.aws
                .pause(
                    &self.address,
                    "an earlier create to settle",
                    pause.min(settled - now),
                )
                .await?;
            pause = pause.saturating_mul(2).min(Duration::from_secs(5));
        }
    }

    /// Looks the resource up, retrying transient errors: creating again without knowing
    /// whether the first create happened could duplicate it.
    async fn find_patiently(&self, t: &Target<'_>) -> Result<Option<Outcome>, ProviderError> {
        let mut backoff = self.aws.config.create_backoff;
        let mut attempt = 1;
        loop {
            match self.aws.find(t).await {
                Err(e) if e.is_transient() && attempt < self.aws.config.create_attempts => {
                    tracing::warn!(address = %self.address, attempt, error = %e, "lookup failed; retrying");
                    self.aws
                        .pause(&self.address, "a retry of the lookup", backoff)
                        .await?;
                    backoff = backoff.saturating_mul(2);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}
