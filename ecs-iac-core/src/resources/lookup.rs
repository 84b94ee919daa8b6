//! How to find a resource the stack refers to but does not own: by its id, or by tags
//! (and, for some kinds, a name). A lookup must match exactly one resource; matching none
//! or several is an error that names the lookup, found before anything changes.

use serde_json::{json, Value};

/// How to find one existing resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// By its AWS id (`vpc-0abc…`, `subnet-…`, `sg-…`).
    Id(String),
    /// By filters that must match exactly one resource: tags, and a name where the kind
    /// has one.
    Filter(Vec<(String, String)>),
}

impl Lookup {
    /// By AWS id.
    pub fn id(id: impl Into<String>) -> Lookup {
        Lookup::Id(id.into())
    }

    /// By a tag: `Lookup::tag("Name", "shared-vpc")`. Chain [`Lookup::and_tag`] to narrow.
    pub fn tag(key: impl Into<String>, value: impl Into<String>) -> Lookup {
        Lookup::Filter(vec![(format!("tag:{}", key.into()), value.into())])
    }

    /// Also requires the tag `key` = `value`.
    #[must_use]
    pub fn and_tag(self, key: impl Into<String>, value: impl Into<String>) -> Lookup {
        self.and(format!("tag:{}", key.into()), value.into())
    }

    /// Also requires the describe filter `name` = `value` (e.g. `group-name`).
    pub(crate) fn and(self, name: String, value: String) -> Lookup {
        match self {
            // An id is exact; a filter beside it narrows the same describe call.
            Lookup::Id(id) => Lookup::Id(id),
            Lookup::Filter(mut filters) => {
                filters.push((name, value));
                Lookup::Filter(filters)
            }
        }
    }

    /// The describe request: `{ids_field: [id]}` or `{"Filters": [{"Name", "Values"}]}`,
    /// with the `scope` filters (the VPC, the zone) in either case.
    pub(crate) fn request(&self, ids_field: &str, scope: &[(&str, String)]) -> Value {
        let scope = scope.iter().map(|(n, v)| (n.to_string(), v.clone()));
        let as_filters = |pairs: Vec<(String, String)>| -> Vec<Value> {
            pairs
                .into_iter()
                .map(|(name, value)| json!({ "Name": name, "Values": [value] }))
                .collect()
        };
        match self {
            Lookup::Id(id) => {
                let filters = as_filters(scope.collect());
                if filters.is_empty() {
                    json!({ ids_field: [id] })
                } else {
                    json!({ ids_field: [id], "Filters": filters })
                }
            }
            Lookup::Filter(filters) => {
                json!({ "Filters": as_filters(scope.chain(filters.iter().cloned()).collect()) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::{plan_destroy, Action, Kind};
    use serde_json::json;

    #[test]
    fn existing_resources_render_as_lookups_and_are_read_never_changed() {
        let mut stack = Stack::new("t").region("us-east-1");
        let vpc = stack.add(Vpc::existing(
            "shared",
            Lookup::tag("Name", "shared").and_tag("Env", "prod"),
        ));
        let subnet = stack.add(Subnet::existing(
            "a",
            &vpc,
            Az::US_EAST_1A,
            Lookup::id("subnet-1"),
        ));
        let group = stack.add(SecurityGroup::existing_named("db", &vpc, "db-clients"));
        stack.add(SecurityGroup::new("app", &vpc).ingress(Peer::group(&group), Port::tcp(80)));
        stack.add(RouteTable::new("rt", &vpc).associate(&subnet));
        assert_eq!(validate(&stack), vec![]);
        let s = synth(&stack).unwrap();
        let node = |a: &str| s.node(a).unwrap();
        assert_eq!(node("shared").kind, Kind::EXISTING_VPC);
        assert_eq!(
            node("shared").body,
            json!({"Filters": [
                {"Name": "tag:Name", "Values": ["shared"]},
                {"Name": "tag:Env", "Values": ["prod"]},
            ]})
        );
        assert_eq!(
            node("a").body,
            json!({"SubnetIds": ["subnet-1"], "Filters": [
                {"Name": "vpc-id", "Values": ["${shared.id}"]},
                {"Name": "availability-zone", "Values": ["us-east-1a"]},
            ]})
        );
        assert_eq!(
            node("db").body["Filters"][1],
            json!({"Name": "group-name", "Values": ["db-clients"]})
        );
        assert_eq!(node("app").body["VpcId"], "${shared.id}");
        // Offline the plan reads them and shows placeholders; destroy only forgets them.
        let plan = crate::plan(&stack, &State::empty("t")).unwrap();
        let action = |a: &str| plan.actions.iter().find(|x| x.address == a).unwrap().action;
        assert_eq!(
            (action("shared"), action("a"), action("db")),
            (Action::Read, Action::Read, Action::Read)
        );
        let mut state = State::empty("t");
        for n in &s.nodes {
            state
                .resources
                .insert(n.address.clone(), crate::state::applied_entry(n));
        }
        let destroy = plan_destroy(&state);
        let action = |a: &str| {
            destroy
                .actions
                .iter()
                .find(|x| x.address == a)
                .unwrap()
                .action
        };
        assert_eq!(
            (action("shared"), action("db"), action("app")),
            (Action::Forget, Action::Forget, Action::Delete)
        );
    }

    #[test]
    fn an_existing_group_takes_no_rules_and_an_existing_vpc_no_settings() {
        let mut stack = Stack::new("t");
        let vpc = stack.add(Vpc::existing("shared", Lookup::id("vpc-1")).dns_hostnames(true));
        stack.add(SecurityGroup::existing("g", &vpc, Lookup::id("sg-1")).no_egress());
        stack.add(
            Role::existing("r", "arn:aws:iam::1:role/platform/exec")
                .managed_policy(ManagedPolicy::ecs_task_execution()),
        );
        let fine = Role::existing("ok", "arn:aws:iam::1:role/platform/exec");
        let mut other = Stack::new("o");
        other.add(fine);
        let s = synth(&other).unwrap();
        assert_eq!(s.node("ok").unwrap().kind, crate::Kind::EXISTING_ROLE);
        assert_eq!(s.node("ok").unwrap().body, json!({ "RoleName": "exec" }));
        let rules: Vec<_> = validate(&stack)
            .into_iter()
            .map(|d| (d.rule, d.address))
            .collect();
        assert!(
            rules.contains(&(crate::Rule::ExistingResource, "shared".to_string())),
            "{rules:?}"
        );
        for address in ["g", "r"] {
            assert!(
                rules.contains(&(crate::Rule::ExistingResource, address.to_string())),
                "{rules:?}"
            );
        }
    }
}
