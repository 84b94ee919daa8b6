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
    let mut reads: Reads = JoinSet::new();
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
    // Kinds AWS describes several at a time (ECS services by ten per cluster) are read in
    // batches of resources that share a key; the others one by one. Every call runs
    // under the same permits.
    let mut batches: BTreeMap<(Kind, String), Vec<Recorded>> = BTreeMap::new();
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
        let one = Recorded {
            address: address.clone(),
            kind: recorded.kind,
            id,
            attributes: recorded.attributes.clone(),
            applied: state.resolve_known(
                &recorded.request,
                Some(&aws.account_id),
                Some(&aws.region),
            ),
        };
        match aws.batch(one.kind, &one.applied) {
            Some((size, key)) => {
                let group = batches.entry((one.kind, key)).or_default();
                group.push(one);
                if group.len() == size {
                    spawn_batch(&mut reads, aws, &permits, std::mem::take(group));
                }
            }
            None => {
                let (aws, permits) = (aws.clone(), permits.clone());
                reads.spawn(async move {
                    let _permit = permits.acquire().await;
                    vec![read_one(&aws, one).await]
                });
            }
        }
    }
    for group in batches.into_values().filter(|g| !g.is_empty()) {
        spawn_batch(&mut reads, aws, &permits, group);
    }
    let mut errors: BTreeMap<String, ProviderError> = BTreeMap::new();
    while let Some(joined) = reads.join_next().await {
        // A read that panicked is a bug: carried on, so that no resource's reading is
        // silently lost (a plan could take it for gone and create it again).
        let results = match joined {
            Ok(results) => results,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => continue,
        };
        for (address, seen) in results {
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
    }
    let mut errors: Vec<ProviderError> = errors.into_values().collect();
    match errors.len() {
        0 => Ok(observed),
        1 => Err(errors.remove(0)),
        _ => Err(ProviderError::Several(errors)),
    }
}

/// What one read finds: the resource (or that it is gone) and its attributes, when the
/// kind's are read again.
type Read = (Observation, Option<BTreeMap<String, String>>);

/// The running reads; each reads one resource or one batch, and answers per address.
type Reads = JoinSet<Vec<(String, Result<Read, ProviderError>)>>;

/// A recorded resource to read back, owned so that its read can run as its own task.
struct Recorded {
    address: String,
    kind: Kind,
    id: String,
    attributes: BTreeMap<String, String>,
    /// The request last applied, with the placeholders known now resolved.
    applied: serde_json::Value,
}

impl Recorded {
    fn existing(&self) -> Existing<'_> {
        Existing {
            address: &self.address,
            kind: self.kind,
            id: &self.id,
            attributes: &self.attributes,
            deletion: Default::default(),
        }
    }
}

/// Reads one resource: what AWS has now and, for the kinds whose attributes are read
/// again, its attributes.
async fn read_one(aws: &Aws, one: Recorded) -> (String, Result<Read, ProviderError>) {
    let e = one.existing();
    let seen = match aws.observe(&e, &one.applied).await {
        Ok(Some(body)) => match aws.attributes(&e).await {
            Ok(attributes) => Ok((Observation::Present(body), attributes)),
            Err(x) => Err(x),
        },
        Ok(None) => Ok((Observation::Missing, None)),
        Err(x) => Err(x),
    };
    (one.address, seen)
}

/// Starts the read of `group` (resources of one kind and batch key, at most the kind's
/// batch size) in one call. When that call fails, each resource is read on its own, so
/// that every failure names its resource.
fn spawn_batch(reads: &mut Reads, aws: &Aws, permits: &Arc<Semaphore>, group: Vec<Recorded>) {
    let (aws, permits) = (aws.clone(), permits.clone());
    reads.spawn(async move {
        let _permit = permits.acquire().await;
        let kind = group[0].kind;
        let members: Vec<(Existing<'_>, &serde_json::Value)> = group
            .iter()
            .map(|one| (one.existing(), &one.applied))
            .collect();
        let seen = aws.observe_batch(kind, &members).await;
        drop(members);
        match seen {
            Ok(seen) if seen.len() == group.len() => group
                .into_iter()
                .zip(seen)
                .map(|(one, seen)| {
                    let seen = match seen {
                        Some(body) => Observation::Present(body),
                        None => Observation::Missing,
                    };
                    (one.address, Ok((seen, None)))
                })
                .collect(),
            _ => {
                let mut results = Vec::with_capacity(group.len());
                for one in group {
                    results.push(read_one(&aws, one).await);
                }
                results
            }
        }
    });
}
