//! What a refresh found in the live account, as data. Reading AWS is the job of
//! `ecs-iac-aws`; [`crate::plan_refreshed`] compares what it found with the state and the
//! stack to show drift.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The result of refreshing the nodes of a state against the live account.
///
/// Nodes without an entry (and [`Observation::Unknown`] ones) are planned as
/// [`crate::plan_synth`] plans them: against the request last applied, with no drift.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    /// What was found per node address of the state.
    #[serde(default)]
    pub resources: BTreeMap<String, Observation>,
    /// The account the refresh ran in: resolves `${aws.account_id}` in requests last
    /// applied, so they compare with what AWS reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The region the refresh ran in: resolves `${aws.region}` the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Attributes read again per node address (an RDS endpoint, a cache's endpoints),
    /// for kinds whose attributes AWS can change or that older states lack. They replace
    /// what the state recorded ([`crate::State::refresh_attributes`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, BTreeMap<String, String>>,
}

/// What a refresh found for one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", content = "body", rename_all = "snake_case")]
pub enum Observation {
    /// The resource exists. The value is the resource rendered back in the shape of the
    /// request that creates it (the node's body), with real ids where the request has
    /// placeholders. Fields AWS does not report (passwords, tags of some kinds) are left
    /// out; they are never counted as drift.
    Present(Value),
    /// The resource is gone: it was deleted outside ecs-iac.
    Missing,
    /// The kind cannot be refreshed (or the refresh failed): nothing is known.
    Unknown,
}

impl Observed {
    /// Nothing refreshed: plans against it equal [`crate::plan_synth`]'s.
    pub fn none() -> Observed {
        Observed::default()
    }

    /// Records what was found for `address`.
    pub fn insert(&mut self, address: impl Into<String>, observation: Observation) {
        self.resources.insert(address.into(), observation);
    }

    /// What was found for `address`, if it was refreshed.
    pub fn get(&self, address: &str) -> Option<&Observation> {
        self.resources.get(address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_with_a_status_tag() {
        let mut observed = Observed::none();
        observed.insert("db", Observation::Present(json!({"Port": 5432})));
        observed.insert("cache", Observation::Missing);
        observed.insert("alarm", Observation::Unknown);
        let json = serde_json::to_value(&observed).unwrap();
        assert_eq!(
            json,
            json!({"resources": {
                "alarm": {"status": "unknown"},
                "cache": {"status": "missing"},
                "db": {"status": "present", "body": {"Port": 5432}},
            }})
        );
        let back: Observed = serde_json::from_value(json).unwrap();
        assert_eq!(back, observed);
        assert_eq!(back.get("cache"), Some(&Observation::Missing));
        assert_eq!(back.get("other"), None);
    }
}
