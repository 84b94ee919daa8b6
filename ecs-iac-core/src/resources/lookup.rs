//! How to find a resource the stack refers to but does not own: by its id, or by tags
//! (and, for some kinds, a name). A lookup must match exactly one resource; matching none
//! or several is an error that names the lookup, found before anything changes.

use crate::requests::ec2::Filter;

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

    /// The ids of the describe request (`None` for a filter lookup).
    pub(crate) fn ids(&self) -> Option<Vec<String>> {
        match self {
            Lookup::Id(id) => Some(vec![id.clone()]),
            Lookup::Filter(_) => None,
        }
    }

    /// The filters of the describe request: the `scope` filters (the VPC, the zone), then
    /// the lookup's own; `None` for an id lookup without scope.
    pub(crate) fn filters(&self, scope: &[(&str, String)]) -> Option<Vec<Filter>> {
        let filter = |(name, value): (String, String)| Filter {
            name: Some(name),
            values: Some(vec![value]),
        };
        let scope = scope.iter().map(|(n, v)| (n.to_string(), v.clone()));
        match self {
            Lookup::Id(_) => {
                let filters: Vec<Filter> = scope.map(filter).collect();
                (!filters.is_empty()).then_some(filters)
            }
            Lookup::Filter(filters) => {
                Some(scope.chain(filters.iter().cloned()).map(filter).collect())
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

    /// The platform a team deploys onto: a cluster, a load balancer and its listener, a
    /// namespace, a certificate, a key, a topic and a repository, none of them owned.
    fn platform_stack(region: &str) -> Stack {
        let mut stack = Stack::new("t").region(region);
        let vpc = stack.add(Vpc::existing("shared", Lookup::tag("Name", "shared")));
        let subnets: Vec<Ref<Subnet>> = Subnet::existing_in_zones(
            "app",
            &vpc,
            [Az::US_EAST_1A, Az::US_EAST_1B],
            Lookup::tag("Tier", "app"),
        )
        .into_iter()
        .map(|s| stack.add(s))
        .collect();
        let sg = stack.add(SecurityGroup::existing_named("app-sg", &vpc, "app"));
        let cluster = stack.add(Cluster::existing("platform", "platform-cluster"));
        let alb = stack.add(LoadBalancer::existing("edge", "edge-alb"));
        let https = stack.add(Listener::existing(
            "edge-https",
            &alb,
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/edge-alb/0123456789abcdef/fedcba9876543210",
        ));
        let ns = stack.add(Namespace::existing("ns", "platform.local"));
        let cert = stack.add(Certificate::for_domain("cert", "*.example.com"));
        let key = stack.add(KmsKey::existing("logs-key", "alias/platform-logs"));
        let alerts = stack.add(Topic::existing("alerts", "platform-alerts"));
        let repo = stack.add(Repository::existing("repo", "platform/app"));
        let logs = stack.add(
            LogGroup::new("logs", "/ecs/app")
                .retention_days(30)
                .kms_key(key.arn()),
        );
        let exec = stack.add(
            Role::new("exec", Principal::ecs_tasks())
                .description("Pulls the image and writes logs for task")
                .managed_policy(ManagedPolicy::ecs_task_execution())
                .inline_policy(
                    "logs",
                    PolicyDocument::new().statement(
                        Statement::allow(["logs:CreateLogStream", "logs:PutLogEvents"])
                            .resource_of(&logs),
                    ),
                ),
        );
        let task = stack.add(
            TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                .execution_role(&exec)
                .container(
                    Container::new("app", Image::from_repository(&repo, "1.0.0"))
                        .port(8080)
                        .env("CERT_DOMAIN", cert.domain_name())
                        .logs(LogConfig::awslogs(&logs, "app")),
                ),
        );
        let tg = stack.add(TargetGroup::new("tg", HttpProtocol::Http, 8080, &vpc));
        stack.add(
            ListenerRule::new("api", &https, 10, ListenerAction::forward(&tg))
                .path_patterns(["/api/*"]),
        );
        stack.add(Listener::https(
            "edge-8443",
            &alb,
            8443,
            cert.arn(),
            ListenerAction::forward(&tg),
        ));
        let service = stack.add(
            Service::new("svc", &cluster, &task)
                .subnets(subnets.iter())
                .security_group(&sg)
                .load_balancer(&tg, "app", 8080)
                .service_connect(ServiceConnect::new(&ns)),
        );
        stack.add(
            Alarm::new(
                "cpu",
                Metric::ecs_service(&service, "CPUUtilization"),
                Comparison::GreaterThan,
                85.0,
                3,
            )
            .alarm_action(alerts.arn()),
        );
        stack
    }

    #[test]
    fn platform_resources_are_looked_up_and_their_attributes_flow_into_the_stack() {
        let stack = platform_stack("us-east-1");
        assert_eq!(validate(&stack), vec![]);
        let s = synth(&stack).unwrap();
        let node = |a: &str| s.node(a).unwrap();
        let expected = [
            ("app-us-east-1a", Kind::EXISTING_SUBNET),
            ("app-us-east-1b", Kind::EXISTING_SUBNET),
            ("platform", Kind::EXISTING_CLUSTER),
            ("edge", Kind::EXISTING_LOAD_BALANCER),
            ("edge-https", Kind::EXISTING_LISTENER),
            ("ns", Kind::EXISTING_NAMESPACE),
            ("cert", Kind::CERTIFICATE_FOR_DOMAIN),
            ("logs-key", Kind::EXISTING_KMS_KEY),
            ("alerts", Kind::EXISTING_TOPIC),
            ("repo", Kind::EXISTING_REPOSITORY),
        ];
        for (address, kind) in expected {
            assert_eq!(node(address).kind, kind, "{address}");
        }
        assert_eq!(
            node("platform").body,
            json!({"clusters": ["platform-cluster"]})
        );
        assert_eq!(node("edge").body, json!({"Names": ["edge-alb"]}));
        assert_eq!(
            node("ns").body,
            json!({"Filters": [{"Name": "NAME", "Values": ["platform.local"], "Condition": "EQ"}]})
        );
        assert_eq!(
            node("logs-key").body,
            json!({"KeyId": "alias/platform-logs"})
        );
        assert_eq!(
            node("alerts").body,
            json!({"TopicArn": "arn:aws:sns:us-east-1:${aws.account_id}:platform-alerts"})
        );
        assert_eq!(
            node("repo").body,
            json!({"repositoryNames": ["platform/app"]})
        );
        assert_eq!(
            node("cert").body["FilterStatement"]["And"][0]["Filter"]["X509AttributeFilter"]
                ["SubjectAlternativeName"]["DnsName"]["Value"],
            "*.example.com"
        );
        assert_eq!(
            node("app-us-east-1b").body["Filters"][1],
            json!({"Name": "availability-zone", "Values": ["us-east-1b"]})
        );
        // Their attributes are the values the owned resources are made with.
        let container = &node("task").body["containerDefinitions"][0];
        assert_eq!(container["image"], "${repo.uri}:1.0.0");
        assert_eq!(container["environment"][0]["value"], "${cert.domain_name}");
        assert_eq!(node("logs").body["kmsKeyId"], "${logs-key.arn}");
        assert_eq!(node("api").body["ListenerArn"], "${edge-https.arn}");
        assert_eq!(node("edge-8443").body["LoadBalancerArn"], "${edge.arn}");
        assert_eq!(
            node("edge-8443").body["Certificates"][0]["CertificateArn"],
            "${cert.arn}"
        );
        // The existing cluster's name is known before apply.
        assert_eq!(node("svc").body["cluster"], "platform-cluster");
        assert_eq!(
            node("svc").body["serviceConnectConfiguration"]["namespace"],
            "${ns.arn}"
        );
        assert_eq!(node("cpu").body["AlarmActions"], json!(["${alerts.arn}"]));
        // Offline they are read; destroy forgets them.
        let plan = crate::plan(&stack, &State::empty("t")).unwrap();
        for (address, _) in expected {
            let action = plan
                .actions
                .iter()
                .find(|x| x.address == address)
                .unwrap()
                .action;
            assert_eq!(action, Action::Read, "{address}");
        }
        let mut state = State::empty("t");
        for n in &s.nodes {
            state
                .resources
                .insert(n.address.clone(), crate::state::applied_entry(n));
        }
        let destroy = plan_destroy(&state);
        for (address, _) in expected {
            let action = destroy
                .actions
                .iter()
                .find(|x| x.address == address)
                .unwrap()
                .action;
            assert_eq!(action, Action::Forget, "{address}");
        }
    }

    #[test]
    fn outside_the_aws_partition_arns_follow_the_region() {
        let stack = platform_stack("cn-north-1");
        let s = synth(&stack).unwrap();
        assert_eq!(
            s.node("alerts").unwrap().body["TopicArn"],
            "arn:aws-cn:sns:cn-north-1:${aws.account_id}:platform-alerts"
        );
        // Every ARN the stack makes is in `aws-cn` (the listener's ARN is the user's).
        let bodies: Vec<_> = s
            .nodes
            .iter()
            .filter(|n| n.kind != Kind::EXISTING_LISTENER)
            .map(|n| &n.body)
            .collect();
        let text = serde_json::to_string(&bodies).unwrap();
        assert!(
            !text.contains("arn:aws:"),
            "an `aws` partition ARN in a China stack: {text}"
        );
        assert!(
            text.contains(
                "arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
            ),
            "{text}"
        );
        assert!(text.contains("arn:aws-cn:logs:cn-north-1:"), "{text}");
        // A stack without a region resolves the partition at apply.
        let mut unpinned = Stack::new("u");
        unpinned.add(Topic::existing("alerts", "a"));
        let s = synth(&unpinned).unwrap();
        assert_eq!(
            s.node("alerts").unwrap().body["TopicArn"],
            "arn:${aws.partition}:sns:${aws.region}:${aws.account_id}:a"
        );
        assert_eq!(crate::resolve::partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(crate::resolve::partition("eu-central-1"), "aws");
    }

    #[test]
    fn existing_platform_resources_take_no_settings_tags_or_malformed_arns() {
        let mut stack = Stack::new("t").region("us-east-1");
        let alb = stack.add(LoadBalancer::existing("lb", "lb").scheme(Scheme::Internal));
        stack.add(
            Listener::existing(
                "l",
                &alb,
                "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/lb/1/2",
            )
            .ssl_policy("p"),
        );
        stack.add(LoadBalancer::existing("tagged", "x").tag("team", "web"));
        stack.add(Cluster::existing("c", "c").container_insights(ContainerInsights::Enabled));
        stack.add(Namespace::existing("ns", "x.local").description("d"));
        stack.add(Certificate::existing(
            "bad-cert",
            "arn:aws:iam::1:server-certificate/x",
        ));
        stack.add(Listener::existing(
            "bad-listener",
            &alb,
            "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/lb/1",
        ));
        stack.add(KmsKey::existing(
            "bad-key",
            "arn:aws:kms:us-east-1:1:secret/x",
        ));
        stack.add(Certificate::for_domain("bad-domain", "not a domain"));
        let found: Vec<_> = validate(&stack)
            .into_iter()
            .map(|d| (d.rule, d.address))
            .collect();
        for address in ["lb", "l", "tagged", "c", "ns"] {
            assert!(
                found.contains(&(crate::Rule::ExistingResource, address.to_string())),
                "{address}: {found:?}"
            );
        }
        for address in ["bad-cert", "bad-listener", "bad-key"] {
            assert!(
                found.contains(&(crate::Rule::Arn, address.to_string())),
                "{address}: {found:?}"
            );
        }
        assert!(
            found.contains(&(crate::Rule::AwsString, "bad-domain".to_string())),
            "{found:?}"
        );
    }
}
