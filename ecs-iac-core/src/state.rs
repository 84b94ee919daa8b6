//! The state of a deployed stack, as data. Reading and writing the file is the job of
//! `ecs-iac-aws`; this module only defines the format and checks it.

use crate::kind::Kind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The state format version this crate reads and writes.
pub const STATE_FORMAT_VERSION: u32 = 1;

/// What is known about a deployed stack. Never holds a secret value: requests are kept
/// with their `${...}` placeholders unresolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Format version ([`STATE_FORMAT_VERSION`]).
    pub format_version: u32,
    /// A random id given when the state is first created; it never changes.
    pub lineage: String,
    /// Incremented on every write.
    pub serial: u64,
    /// The stack's name.
    pub stack: String,
    /// Deployed nodes by address.
    pub resources: BTreeMap<String, ResourceState>,
    /// The stack's outputs as the last apply resolved them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, OutputValue>,
}

/// Whether a node's creation finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceStatus {
    /// The create call was about to be sent (journaled intent): after a crash, look the
    /// resource up by its ownership tags before creating it again.
    Pending,
    /// Created and recorded.
    Created,
}

/// One deployed node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    /// Node kind, e.g. `ec2.vpc`.
    pub kind: Kind,
    /// Creating operation, e.g. `ec2:CreateVpc`.
    pub operation: String,
    /// Creation status.
    pub status: ResourceStatus,
    /// The AWS id (VPC id, ARN, name), once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Attributes other nodes' placeholders resolve to (`id`, `arn`, …).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// The request as last applied, placeholders unresolved.
    pub request: Value,
    /// Addresses this node depended on when applied (for delete order).
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// For a [`ResourceStatus::Pending`] entry: when the create was journaled (unix
    /// seconds). A create sent then may still be in flight at AWS, or not yet visible to
    /// its describe calls, for a while; the engine keeps looking the resource up until
    /// that window has passed before it creates it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_since: Option<u64>,
    /// Whether the node was last applied with `.allow_destroy()`
    /// ([`crate::lower::Protection::allow_destroy`]): a plan that no longer has the node may
    /// then delete it even when it holds data. Absent (false) in older state documents.
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_destroy: bool,
    /// How the node's delete runs, as last applied ([`Deletion`]). Absent
    /// in older state documents and when AWS's defaults apply.
    #[serde(default, skip_serializing_if = "Deletion::is_default")]
    pub deletion: Deletion,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Why a state document cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// Not valid JSON, or not a state document.
    #[error(
        "state is not a valid ecs-iac state document (line {line}, column {column}): {message}"
    )]
    Corrupt {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// Written by a newer ecs-iac.
    #[error("state format version {found} is newer than this ecs-iac supports ({supported}); upgrade ecs-iac")]
    FutureVersion {
        /// Version in the document.
        found: u32,
        /// Version this crate supports.
        supported: u32,
    },
    /// Belongs to another stack.
    #[error("state belongs to stack `{found}`, not `{expected}`")]
    WrongStack {
        /// Stack named in the document.
        found: String,
        /// Stack being planned.
        expected: String,
    },
}

impl State {
    /// Takes the attributes a refresh read again into the recorded resources, so values
    /// resolve to what AWS reports now (and states written before an attribute was
    /// recorded gain it). Resources the state does not record are ignored.
    pub fn refresh_attributes(&mut self, observed: &crate::Observed) {
        for (address, attributes) in &observed.attributes {
            if let Some(r) = self.resources.get_mut(address) {
                r.attributes
                    .extend(attributes.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
    }

    /// The state of a stack that was never applied.
    pub fn empty(stack: impl Into<String>) -> State {
        State {
            format_version: STATE_FORMAT_VERSION,
            lineage: String::new(),
            serial: 0,
            stack: stack.into(),
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
        }
    }

    /// Parses a state document and checks its version.
    pub fn from_json(text: &str) -> Result<State, StateError> {
        #[derive(Deserialize)]
        struct Version {
            format_version: u32,
        }
        let corrupt = |e: serde_json::Error| StateError::Corrupt {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        let version: Version = serde_json::from_str(text).map_err(corrupt)?;
        if version.format_version > STATE_FORMAT_VERSION {
            return Err(StateError::FutureVersion {
                found: version.format_version,
                supported: STATE_FORMAT_VERSION,
            });
        }
        serde_json::from_str(text).map_err(corrupt)
    }

    /// Checks the state belongs to `stack`.
    pub fn check_stack(&self, stack: &str) -> Result<(), StateError> {
        if self.stack == stack {
            Ok(())
        } else {
            Err(StateError::WrongStack {
                found: self.stack.clone(),
                expected: stack.to_string(),
            })
        }
    }

    /// The value of the placeholder `${address.attribute}` as this state records it: the
    /// attribute of a created resource, its recorded id for `id` when no `id` attribute was
    /// recorded. `None` for resources not (yet) created and for `secret_value`, which the
    /// state never holds.
    pub fn attribute(&self, address: &str, attribute: &str) -> Option<String> {
        if attribute == "secret_value" {
            return None;
        }
        let resource = self
            .resources
            .get(address)
            .filter(|r| r.status == ResourceStatus::Created)?;
        match resource.attributes.get(attribute) {
            Some(value) => Some(value.clone()),
            None if attribute == "id" => resource.id.clone(),
            None => None,
        }
    }

    /// A copy of `request` with every placeholder this state can resolve replaced by its
    /// value ([`State::attribute`]); `${aws.account_id}` and `${aws.region}` take
    /// `account_id` and `region` when given. Placeholders without a value (secrets,
    /// resources not created yet) stay as written.
    pub fn resolve_known(
        &self,
        request: &Value,
        account_id: Option<&str>,
        region: Option<&str>,
    ) -> Value {
        let lookup = |address: &str, attribute: &str| match (address, attribute) {
            ("aws", attribute) => crate::resolve::aws_value(attribute, account_id, region),
            _ => self.attribute(address, attribute),
        };
        crate::resolve::resolve_known(request, &lookup)
    }

    /// The document as pretty JSON.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// An output as the state keeps it after apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputValue {
    /// The resolved value.
    pub value: String,
    /// The declared value, placeholders unresolved (to tell a changed output).
    pub template: String,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// How a delete runs, for kinds where AWS offers a choice. The state records it, so a
/// delete after the resource has left the stack still follows it; a change of it alone
/// is a state-only change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct Deletion {
    /// Days AWS keeps a deleted secret or key recoverable before it is gone (7 to 30;
    /// `Some(0)`: a secret is deleted at once). `None`: AWS's default, 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_days: Option<u8>,
    /// What the resource holds (a bucket's objects) may be deleted with it; otherwise a
    /// delete of a resource that is not empty is refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_first: bool,
}

impl Deletion {
    /// True when AWS's defaults apply.
    pub fn is_default(&self) -> bool {
        *self == Deletion::default()
    }
}

impl std::fmt::Display for Deletion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.window_days {
            None => f.write_str("AWS's default window")?,
            Some(0) => f.write_str("no recovery window")?,
            Some(d) => write!(f, "a {d}-day window")?,
        }
        if self.empty_first {
            f.write_str(", emptied first")?;
        }
        Ok(())
    }
}

/// A state entry for `node` as if it had been applied: created, its address as its id,
/// no attributes (tests add what they need).
#[cfg(test)]
pub(crate) fn applied_entry(node: &crate::Node) -> ResourceState {
    ResourceState {
        kind: node.kind,
        operation: node.operation.to_string(),
        status: ResourceStatus::Created,
        id: Some(node.address.clone()),
        attributes: BTreeMap::new(),
        request: node.body.clone(),
        depends_on: node.depends_on.clone(),
        pending_since: None,
        allow_destroy: false,
        deletion: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_bad_documents() {
        let s = State::empty("demo");
        assert_eq!(State::from_json(&s.to_json()), Ok(s));
        assert!(matches!(
            State::from_json("{not json"),
            Err(StateError::Corrupt { .. })
        ));
        assert!(matches!(
            State::from_json(r#"{"format_version": 99}"#),
            Err(StateError::FutureVersion { found: 99, .. })
        ));
        assert!(matches!(
            State::from_json(r#"{"format_version": 1}"#),
            Err(StateError::Corrupt { .. })
        ));
        assert!(State::empty("a").check_stack("b").is_err());
    }

    fn created(id: &str, attributes: &[(&str, &str)]) -> ResourceState {
        ResourceState {
            kind: Kind::VPC,
            operation: "ec2:CreateVpc".into(),
            status: ResourceStatus::Created,
            id: Some(id.into()),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            request: Value::Null,
            depends_on: Vec::new(),
            pending_since: None,
            allow_destroy: false,
            deletion: Default::default(),
        }
    }

    #[test]
    fn allow_destroy_defaults_to_false_and_is_written_only_when_set() {
        let text = r#"{"format_version": 1, "lineage": "l", "serial": 1, "stack": "s",
            "resources": {"db": {"kind": "rds.db_instance", "operation": "rds:CreateDBInstance",
            "status": "created", "request": {}}}}"#;
        let mut state = State::from_json(text).unwrap();
        assert!(!state.resources["db"].allow_destroy);
        assert!(!state.to_json().contains("allow_destroy"));
        state.resources.get_mut("db").unwrap().allow_destroy = true;
        assert!(state.to_json().contains("\"allow_destroy\": true"));
        assert_eq!(State::from_json(&state.to_json()), Ok(state));
    }

    #[test]
    fn resolves_known_placeholders_and_keeps_the_others() {
        let mut state = State::empty("s");
        state
            .resources
            .insert("vpc".into(), created("vpc-1", &[("cidr", "10.0.0.0/16")]));
        let mut pending = created("sg-9", &[("id", "sg-9")]);
        pending.status = ResourceStatus::Pending;
        state.resources.insert("sg".into(), pending);
        let request = serde_json::json!({
            "VpcId": "${vpc.id}",
            "Cidr": "${vpc.cidr}",
            "Group": "${sg.id}",
            "Password": "${db-pass.secret_value}",
            "Arn": "arn:aws:iam::${aws.account_id}:role/x",
            "Region": "${aws.region}",
            "Count": 2,
        });
        let resolved = state.resolve_known(&request, Some("123456789012"), None);
        assert_eq!(resolved["VpcId"], "vpc-1");
        assert_eq!(resolved["Cidr"], "10.0.0.0/16");
        assert_eq!(resolved["Group"], "${sg.id}");
        assert_eq!(resolved["Password"], "${db-pass.secret_value}");
        assert_eq!(resolved["Arn"], "arn:aws:iam::123456789012:role/x");
        assert_eq!(resolved["Region"], "${aws.region}");
        assert_eq!(resolved["Count"], 2);
        assert_eq!(state.attribute("vpc", "secret_value"), None);
        assert_eq!(state.attribute("missing", "id"), None);
    }
}
