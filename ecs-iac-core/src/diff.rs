//! Field-level differences between request bodies, with keyed paths.
//!
//! Lists whose elements have an identity (containers, environment variables, port
//! mappings, tags, security group permissions, …; see [`crate::normalize`]) are matched by
//! that identity, not by position, and named by it in paths:
//! `containerDefinitions[app].environment[LOG_LEVEL].value`. Tag-like pairs name their
//! key quoted and stand for their value: `Tags["team"]`. Other lists go by index:
//! `subnets[0]`. An element that is added or removed is one difference, holding the whole
//! element. Strings holding a JSON object (policy documents) are compared member by member.
//!
//! A diff is three-way: the request last applied, what AWS reports (when refreshed) and
//! the desired request. What AWS reports stands for the live value wherever it has the
//! field; where it does not (passwords, fields some APIs never return) the request last
//! applied does. A difference is *drift* when the live value is not what was applied.

use crate::kind::Kind;
use crate::normalize::{element_key, pair_key, picked_when_omitted};
use crate::resolve::placeholders;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// One difference between the live value and the desired one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Difference {
    /// Keyed path, e.g. `containerDefinitions[app].image`.
    pub path: String,
    /// The live value (absent when the field or element is not there).
    pub before: Option<Value>,
    /// The desired value (absent when the field or element goes away).
    pub after: Option<Value>,
    /// The live value differs from the value last applied: changed outside ecs-iac.
    pub drift: bool,
}

/// What the refresh says about one field or element.
#[derive(Debug, Clone, Copy)]
enum Seen<'a> {
    /// Nothing: AWS does not report it (or nothing was refreshed). The value last applied
    /// is taken as live.
    NotReported,
    /// AWS reported the enclosing value; `None` means the element is not in it (it was
    /// removed outside ecs-iac).
    Reported(Option<&'a Value>),
}

/// The differences that turn the live value into `desired`. `applied` is the request last
/// applied, `observed` AWS's report of the resource in the same shape (`None`: not
/// refreshed, `applied` is taken as live). All three should be normalized and have their
/// placeholders resolved alike.
pub(crate) fn diff(
    kind: Kind,
    applied: &Value,
    observed: Option<&Value>,
    desired: &Value,
) -> Vec<Difference> {
    let applied = expand_documents(applied);
    let desired = expand_documents(desired);
    let observed = observed.map(expand_documents);
    let mut walker = Walker {
        kind,
        path: String::new(),
        schema: String::new(),
        out: Vec::new(),
    };
    let seen = match &observed {
        Some(o) => Seen::Reported(Some(o)),
        None => Seen::NotReported,
    };
    walker.walk("", Some(&applied), seen, Some(&desired), true);
    walker.out
}

/// Every leaf of `value` with its keyed path, in document order.
pub(crate) fn leaves(value: &Value) -> Vec<(String, Value)> {
    fn visit(field: &str, value: &Value, path: &mut String, out: &mut Vec<(String, Value)>) {
        let len = path.len();
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    push_member(path, k);
                    visit(k, v, path, out);
                    path.truncate(len);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                let mode = Mode::of(field, &[items]);
                for (key, item) in mode.entries(field, items) {
                    mode.push_segment(path, &key);
                    visit(field, item, path, out);
                    path.truncate(len);
                }
            }
            _ => out.push((path.clone(), value.clone())),
        }
    }
    let mut out = Vec::new();
    visit("", &expand_documents(value), &mut String::new(), &mut out);
    out
}

/// A copy of `value` with strings holding a JSON object (policy documents) parsed.
fn expand_documents(value: &Value) -> Value {
    match value {
        Value::String(s) if s.starts_with('{') => match serde_json::from_str::<Value>(s) {
            Ok(doc @ Value::Object(_)) => expand_documents(&doc),
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(expand_documents).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), expand_documents(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The element of `entries` with `key`.
fn find<'v>(entries: &[(String, &'v Value)], key: &str) -> Option<&'v Value> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

fn push_member(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// How the elements of a list are matched and named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// By identity ([`element_key`]): `[app]`.
    Keyed,
    /// Tag-like pairs by key, standing for their value: `["team"]`.
    Pairs,
    /// By position: `[0]`.
    Indexed,
}

impl Mode {
    /// The mode for the list `field` given every version of it: keyed or pairs only when
    /// every element of every version has a key, unique within its version.
    fn of(field: &str, versions: &[&Vec<Value>]) -> Mode {
        let unique = |key: &dyn Fn(&Value) -> Option<String>| {
            versions.iter().all(|items| {
                let mut seen = BTreeSet::new();
                items
                    .iter()
                    .all(|item| key(item).is_some_and(|k| seen.insert(k)))
            })
        };
        if unique(&|item| element_key(field, item)) {
            Mode::Keyed
        } else if versions.iter().any(|v| !v.is_empty())
            && unique(&|item| pair_key(item).map(|(k, _)| k.to_string()))
        {
            Mode::Pairs
        } else {
            Mode::Indexed
        }
    }

    /// `(key, element)` of each element; for pairs the element is the pair's value.
    fn entries<'v>(self, field: &str, items: &'v [Value]) -> Vec<(String, &'v Value)> {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match self {
                Mode::Keyed => (element_key(field, item).unwrap_or_default(), item),
                Mode::Pairs => match pair_key(item) {
                    Some((k, v)) => (k.to_string(), v),
                    None => (String::new(), item),
                },
                Mode::Indexed => (i.to_string(), item),
            })
            .collect()
    }

    fn entries_of<'v>(
        self,
        field: &str,
        items: Option<&'v Vec<Value>>,
    ) -> Vec<(String, &'v Value)> {
        items
            .map(|items| self.entries(field, items))
            .unwrap_or_default()
    }

    fn push_segment(self, path: &mut String, key: &str) {
        let _ = match self {
            Mode::Indexed => write!(path, "[{key}]"),
            Mode::Pairs => write!(path, "[{key:?}]"),
            Mode::Keyed if needs_quotes(key) => write!(path, "[{key:?}]"),
            Mode::Keyed => write!(path, "[{key}]"),
        };
    }
}

/// Keys that would read as an index or break the path's brackets are quoted.
fn needs_quotes(key: &str) -> bool {
    key.is_empty() || key.bytes().all(|b| b.is_ascii_digit()) || key.contains(['[', ']', '"'])
}

struct Walker {
    kind: Kind,
    /// Keyed path of the current value.
    path: String,
    /// Path with list elements as `[]`, for the normalization tables.
    schema: String,
    out: Vec<Difference>,
}

impl Walker {
    /// Compares one value: `applied` last applied, `seen` what AWS reported, `desired`
    /// what the stack wants. `field` names the member holding it; `top` is the body itself.
    fn walk(
        &mut self,
        field: &str,
        applied: Option<&Value>,
        seen: Seen<'_>,
        desired: Option<&Value>,
        top: bool,
    ) {
        let observed = match seen {
            Seen::Reported(v) => v,
            Seen::NotReported => None,
        };
        let live = match seen {
            Seen::Reported(v) => v,
            Seen::NotReported => applied,
        };
        if live == desired {
            return;
        }
        let present: Vec<&Value> = [applied, observed, desired].into_iter().flatten().collect();
        if present.iter().all(|v| v.is_object()) {
            self.walk_object(applied, seen, observed, desired, top);
        } else if present.iter().all(|v| v.is_array()) {
            self.walk_list(field, applied, seen, observed, desired);
        } else {
            self.leaf(applied, seen, desired);
        }
    }

    fn walk_object(
        &mut self,
        applied: Option<&Value>,
        seen: Seen<'_>,
        observed: Option<&Value>,
        desired: Option<&Value>,
        top: bool,
    ) {
        let a = applied.and_then(Value::as_object);
        let o = observed.and_then(Value::as_object);
        let d = desired.and_then(Value::as_object);
        let keys: BTreeSet<&String> = [a, o, d]
            .into_iter()
            .flatten()
            .flat_map(|m| m.keys())
            .collect();
        for key in keys {
            let ac = a.and_then(|m| m.get(key));
            let dc = d.and_then(|m| m.get(key));
            let oc = match seen {
                Seen::NotReported => Seen::NotReported,
                Seen::Reported(None) => Seen::Reported(None),
                // A member AWS does not report is not drift.
                Seen::Reported(Some(_)) => match o.and_then(|m| m.get(key)) {
                    Some(v) => Seen::Reported(Some(v)),
                    None => Seen::NotReported,
                },
            };
            let (path_len, schema_len) = (self.path.len(), self.schema.len());
            push_member(&mut self.path, key);
            push_member(&mut self.schema, key);
            // Only AWS has it: a field AWS picks when a request leaves it out.
            let picked = ac.is_none()
                && dc.is_none()
                && (top || picked_when_omitted(self.kind, &self.schema));
            if !picked {
                self.walk(key, ac, oc, dc, false);
            }
            self.path.truncate(path_len);
            self.schema.truncate(schema_len);
        }
    }

    fn walk_list(
        &mut self,
        field: &str,
        applied: Option<&Value>,
        seen: Seen<'_>,
        observed: Option<&Value>,
        desired: Option<&Value>,
    ) {
        let a = applied.and_then(Value::as_array);
        let o = observed.and_then(Value::as_array);
        let d = desired.and_then(Value::as_array);
        let versions: Vec<&Vec<Value>> = [a, o, d].into_iter().flatten().collect();
        let mode = Mode::of(field, &versions);
        let (ae, oe, de) = (
            mode.entries_of(field, a),
            mode.entries_of(field, o),
            mode.entries_of(field, d),
        );
        // Desired order first, then what only the live or applied versions have.
        let mut keys: Vec<&str> = Vec::new();
        let mut listed = BTreeSet::new();
        let live = if o.is_some() { &oe } else { &ae };
        for (key, _) in de.iter().chain(live).chain(&ae) {
            if listed.insert(key.as_str()) {
                keys.push(key);
            }
        }
        if mode == Mode::Indexed {
            keys.sort_by_key(|k| k.parse::<usize>().unwrap_or(usize::MAX));
        }
        for key in keys {
            let ac = find(&ae, key);
            let dc = find(&de, key);
            let oc = match (seen, o) {
                (Seen::Reported(_), Some(_)) => Seen::Reported(find(&oe, key)),
                (Seen::Reported(_), None) => Seen::Reported(None),
                (Seen::NotReported, _) => Seen::NotReported,
            };
            let lc = match oc {
                Seen::Reported(v) => v,
                Seen::NotReported => ac,
            };
            let (path_len, schema_len) = (self.path.len(), self.schema.len());
            mode.push_segment(&mut self.path, key);
            self.schema.push_str("[]");
            if lc.is_some() && dc.is_some() {
                self.walk(field, ac, oc, dc, false);
            } else if lc != dc {
                // Added or removed: one difference holding the whole element.
                let drift = matches!(oc, Seen::Reported(v) if v != ac);
                self.push(lc, dc, drift);
            }
            self.path.truncate(path_len);
            self.schema.truncate(schema_len);
        }
    }

    fn leaf(&mut self, applied: Option<&Value>, seen: Seen<'_>, desired: Option<&Value>) {
        let (live, drift) = match seen {
            Seen::NotReported => (applied, false),
            Seen::Reported(observed) => {
                let drift = observed != applied
                    && match applied {
                        // A placeholder that could not be resolved: unknown, not drift.
                        Some(a) => placeholders(a).is_empty(),
                        // Only AWS has it, below a field the request has.
                        None => desired.is_none(),
                    };
                (observed, drift)
            }
        };
        if !drift && applied == desired {
            return;
        }
        self.push(live, desired, drift);
    }

    fn push(&mut self, before: Option<&Value>, after: Option<&Value>, drift: bool) {
        self.out.push(Difference {
            path: self.path.clone(),
            before: before.cloned(),
            after: after.cloned(),
            drift,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(diffs: &[Difference]) -> Vec<&str> {
        diffs.iter().map(|d| d.path.as_str()).collect()
    }

    fn task(env: Value) -> Value {
        json!({
            "family": "app",
            "containerDefinitions": [
                {"name": "sidecar", "image": "envoy:1"},
                {"name": "app", "image": "app:1", "environment": env},
            ],
        })
    }

    #[test]
    fn an_inserted_variable_is_one_change_named_by_its_key() {
        let before = task(json!([{"name": "A", "value": "1"}, {"name": "C", "value": "3"}]));
        let after = task(json!([
            {"name": "A", "value": "1"},
            {"name": "B", "value": "2"},
            {"name": "C", "value": "3"},
        ]));
        let d = diff(Kind::TASK_DEFINITION, &before, None, &after);
        assert_eq!(paths(&d), ["containerDefinitions[app].environment[B]"]);
        assert_eq!(d[0].before, None);
        assert_eq!(d[0].after, Some(json!({"name": "B", "value": "2"})));
        assert!(!d[0].drift);
    }

    #[test]
    fn changed_and_removed_elements_are_named_by_key() {
        let before = task(json!([{"name": "A", "value": "1"}, {"name": "C", "value": "3"}]));
        let after = task(json!([{"name": "C", "value": "4"}]));
        let d = diff(Kind::TASK_DEFINITION, &before, None, &after);
        assert_eq!(
            paths(&d),
            [
                "containerDefinitions[app].environment[C].value",
                "containerDefinitions[app].environment[A]",
            ]
        );
        assert_eq!(d[1].after, None);
        assert_eq!(d[1].before, Some(json!({"name": "A", "value": "1"})));
    }

    #[test]
    fn reordered_containers_are_no_change() {
        let mut before = task(json!([]));
        let after = before.clone();
        if let Some(list) = before["containerDefinitions"].as_array_mut() {
            list.reverse();
        }
        assert!(diff(Kind::TASK_DEFINITION, &before, None, &after).is_empty());
    }

    #[test]
    fn duplicate_keys_fall_back_to_positions() {
        let before =
            json!({"environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]});
        let after =
            json!({"environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "3"}]});
        let d = diff(Kind::VPC, &before, None, &after);
        assert_eq!(paths(&d), ["environment[1].value"]);
    }

    #[test]
    fn tags_are_named_by_quoted_key_and_stand_for_their_value() {
        let before = json!({"Tags": [{"Key": "team", "Value": "a"}, {"Key": "old", "Value": "x"}]});
        let after = json!({"Tags": [{"Key": "team", "Value": "b"}]});
        let d = diff(Kind::ROLE, &before, None, &after);
        assert_eq!(paths(&d), [r#"Tags["team"]"#, r#"Tags["old"]"#]);
        assert_eq!(d[0].before, Some(json!("a")));
        assert_eq!(d[0].after, Some(json!("b")));
        assert_eq!(
            (d[1].before.clone(), d[1].after.clone()),
            (Some(json!("x")), None)
        );
    }

    #[test]
    fn keys_that_read_as_indexes_are_quoted() {
        let before =
            json!({"portMappings": [{"containerPort": 80, "protocol": "tcp", "name": "a"}]});
        let after =
            json!({"portMappings": [{"containerPort": 80, "protocol": "tcp", "name": "b"}]});
        let d = diff(Kind::TASK_DEFINITION, &before, None, &after);
        assert_eq!(paths(&d), ["portMappings[80/tcp].name"]);
        let d = diff(
            Kind::VPC,
            &json!({"volumes": [{"name": "1", "host": "a"}]}),
            None,
            &json!({"volumes": [{"name": "1", "host": "b"}]}),
        );
        assert_eq!(paths(&d), [r#"volumes["1"].host"#]);
    }

    #[test]
    fn drift_is_what_aws_reports_differently_from_what_was_applied() {
        let applied = json!({"desiredCount": 2, "serviceName": "web"});
        let observed = json!({"desiredCount": 5, "serviceName": "web"});
        let d = diff(Kind::SERVICE, &applied, Some(&observed), &applied);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (
                d[0].path.as_str(),
                d[0].before.clone(),
                d[0].after.clone(),
                d[0].drift
            ),
            ("desiredCount", Some(json!(5)), Some(json!(2)), true)
        );
        // Drift AWS already matches the desired value: nothing to do.
        let desired = json!({"desiredCount": 5, "serviceName": "web"});
        assert!(diff(Kind::SERVICE, &applied, Some(&observed), &desired).is_empty());
        // A config change without drift starts from the live value.
        let desired = json!({"desiredCount": 3, "serviceName": "web"});
        let d = diff(Kind::SERVICE, &applied, Some(&applied), &desired);
        assert_eq!((d[0].before.clone(), d[0].drift), (Some(json!(2)), false));
    }

    #[test]
    fn fields_aws_does_not_report_are_not_drift() {
        let applied = json!({"MasterUserPassword": "${pw.secret_value}", "Port": 5432, "Tags": [{"Key": "a", "Value": "1"}]});
        let observed = json!({"Port": 5432});
        assert!(diff(Kind::DB_INSTANCE, &applied, Some(&observed), &applied).is_empty());
    }

    #[test]
    fn top_level_fields_only_aws_has_are_ignored_nested_ones_are_drift() {
        let applied = json!({"Engine": "postgres", "Nested": {"a": 1}});
        let observed =
            json!({"Engine": "postgres", "EngineVersion": "16.4", "Nested": {"a": 1, "b": 2}});
        let d = diff(Kind::DB_INSTANCE, &applied, Some(&observed), &applied);
        assert_eq!(paths(&d), ["Nested.b"]);
        assert!(d[0].drift && d[0].after.is_none());
        // A field the desired request adds starts from what AWS reports, without drift.
        let desired =
            json!({"Engine": "postgres", "EngineVersion": "16.6", "Nested": {"a": 1, "b": 2}});
        let d = diff(Kind::DB_INSTANCE, &applied, Some(&observed), &desired);
        assert_eq!(paths(&d), ["EngineVersion"]);
        assert_eq!(
            (d[0].before.clone(), d[0].drift),
            (Some(json!("16.4")), false)
        );
    }

    #[test]
    fn nested_fields_aws_picks_are_ignored() {
        let applied =
            json!({"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}});
        let observed = json!({"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-default"]}}});
        assert!(diff(Kind::SERVICE, &applied, Some(&observed), &applied).is_empty());
        assert_eq!(
            diff(Kind::VPC, &applied, Some(&observed), &applied).len(),
            1
        );
    }

    #[test]
    fn elements_added_or_removed_outside_are_drift() {
        let applied = json!({"IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]},
        ]});
        let observed = json!({"IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ]});
        let d = diff(
            Kind::SECURITY_GROUP_INGRESS,
            &applied,
            Some(&observed),
            &applied,
        );
        assert_eq!(
            paths(&d),
            [
                "IpPermissions[tcp/443 from 10.0.0.0/16]",
                "IpPermissions[tcp/22 from 0.0.0.0/0]"
            ]
        );
        assert!(d.iter().all(|x| x.drift));
        assert_eq!(d[0].before, None);
        assert_eq!(d[1].after, None);
    }

    #[test]
    fn unresolved_placeholders_are_not_drift() {
        let applied = json!({"options": {"awslogs-region": "${aws.region}"}});
        let observed = json!({"options": {"awslogs-region": "eu-west-1"}});
        assert!(diff(Kind::VPC, &applied, Some(&observed), &applied).is_empty());
    }

    #[test]
    fn policy_documents_in_strings_are_compared_member_by_member() {
        let doc = |action: &str| json!({"PolicyDocument": json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}).to_string()});
        let d = diff(
            Kind::ROLE_POLICY,
            &doc("s3:GetObject"),
            None,
            &doc("s3:PutObject"),
        );
        assert_eq!(paths(&d), ["PolicyDocument.Statement[0].Action"]);
    }

    #[test]
    fn leaves_use_keyed_paths() {
        let paths: Vec<String> = leaves(&task(json!([{"name": "A", "value": "${x.id}"}])))
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert!(paths.contains(&"containerDefinitions[app].environment[A].value".to_string()));
        assert!(paths.contains(&"containerDefinitions[sidecar].image".to_string()));
    }
}
