//! Refresh: reads every recorded resource back from AWS, in batches where the API reads
//! many ids in one call and in parallel otherwise, so `plan` compares the stack with what
//! is really there (drift, resources deleted outside ecs-iac).

use crate::clients::Aws;
use crate::error::ProviderError;
use crate::providers::Existing;
use ecs_iac_core::{Kind, Observation, Observed, ResourceStatus, State};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Reads back every created resource of `state` the stack owns, with
/// `aws.config.parallelism` calls at a time. What the stack only reads (data sources) is
/// [`Observation::Unknown`]. When reads fail, every failure is reported
/// ([`ProviderError::Several`] when there are more than one).
pub async fn refresh(aws: &Aws, state: &State) -> Result<Observed, ProviderError> {
    let permits = Arc::new(Semaphore::new(aws.config.parallelism.max(1)));
    type Read = (Observation, Option<BTreeMap<String, String>>);
    let mut reads: JoinSet<(String, Result<Read, ProviderError>)> = JoinSet::new();
    let mut observed = Observed {
        account_id: Some(aws.account_id.clone()),
        region: Some(aws.region.clone()),
        ..Observed::default()
    };
    // Kinds whose existence is all there is to read, and whose API reads many ids in
    // one call, are read per kind.
    let mut by_kind: BTreeMap<Kind, Vec<(&String, String)>> = BTreeMap::new();
    for (address, recorded) in &state.resources {
        if let (Some(id), ResourceStatus::Created) = (&recorded.id, recorded.status) {
            by_kind
                .entry(recorded.kind)
                .or_default()
                .push((address, id.clone()));
        }
    }
    for (kind, members) in &by_kind {
        let ids: Vec<String> = members.iter().map(|(_, id)| id.clone()).collect();
        if let Some(found) = aws.existing_of(*kind, &ids).await? {
            for (address, id) in members {
                let seen = if found.contains(id) {
                    Observation::Present(serde_json::json!({}))
                } else {
                    Observation::Missing
                };
                observed.resources.insert((*address).clone(), seen);
            }
        }
    }
    for (address, recorded) in &state.resources {
        if observed.resources.contains_key(address) {
            continue;
        }
        let id = match (&recorded.id, recorded.status) {
            (Some(id), ResourceStatus::Created) if !recorded.kind.spec().data_source => id.clone(),
            _ => {
                observed
                    .resources
                    .insert(address.clone(), Observation::Unknown);
                continue;
            }
        };
        let applied =
            state.resolve_known(&recorded.request, Some(&aws.account_id), Some(&aws.region));
        let (aws, address, kind, attributes, permits) = (
            aws.clone(),
            address.clone(),
            recorded.kind,
            recorded.attributes.clone(),
            permits.clone(),
        );
        reads.spawn(async move {
            let _permit = permits.acquire().await;
            let e = Existing {
                address: &address,
                kind,
                id: &id,
                attributes: &attributes,
                deletion: Default::default(),
            };
            let seen = match aws.observe(&e, &applied).await {
                Ok(Some(body)) => match aws.attributes(&e).await {
                    Ok(attributes) => Ok((Observation::Present(body), attributes)),
                    Err(x) => Err(x),
                },
                Ok(None) => Ok((Observation::Missing, None)),
                Err(x) => Err(x),
            };
            (address, seen)
        });
    }
    let mut errors: BTreeMap<String, ProviderError> = BTreeMap::new();
    while let Some(joined) = reads.join_next().await {
        let Ok((address, seen)) = joined else {
            continue;
        };
        match seen {
            Ok((seen, attributes)) => {
                if let Some(attributes) = attributes {
                    observed.attributes.insert(address.clone(), attributes);
                }
                observed.resources.insert(address, seen);
            }
            Err(e) => {
                errors.insert(address, e);
            }
        }
    }
    let mut errors: Vec<ProviderError> = errors.into_values().collect();
    match errors.len() {
        0 => Ok(observed),
        1 => Err(errors.remove(0)),
        _ => Err(ProviderError::Several(errors)),
    }
}
