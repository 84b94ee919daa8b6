//! Resources the stack refers to and does not own: found by id or tags when applying,
//! used like owned ones, never changed, forgotten by destroy; a lookup matching none or
//! several stops apply before any change, naming the lookup.

use crate::apply::{config, runtime, sdk};
use crate::fault_proxy::{mutating, recording};
use crate::moto::Moto;
use ecs_iac::aws::engine::ApplyError;
use ecs_iac::aws::{apply, destroy, ApplyOptions, Aws, StateStore};
use ecs_iac::prelude::*;

/// A VPC and a subnet made outside the stack, tagged as a shared network team would.
async fn shared_network(c: &aws_config::SdkConfig) -> (String, String) {
    use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
    let ec2 = aws_sdk_ec2::Client::new(c);
    let tags = |kind: ResourceType, pairs: &[(&str, &str)]| {
        let mut spec = TagSpecification::builder().resource_type(kind);
        for (k, v) in pairs {
            spec = spec.tags(Tag::builder().key(*k).value(*v).build());
        }
        spec.build()
    };
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.50.0.0/16")
        .tag_specifications(tags(ResourceType::Vpc, &[("Name", "shared-vpc")]))
        .send()
        .await
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let subnet = ec2
        .create_subnet()
        .vpc_id(&vpc_id)
        .cidr_block("10.50.1.0/24")
        .availability_zone("us-east-1a")
        .tag_specifications(tags(ResourceType::Subnet, &[("Tier", "app")]))
        .send()
        .await
        .unwrap();
    let subnet_id = subnet.subnet().unwrap().subnet_id().unwrap().to_string();
    aws_sdk_iam::Client::new(c)
        .create_role()
        .role_name("platform-exec")
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .unwrap();
    // Two more VPCs with the same tag, for a lookup that matches several.
    for cidr in ["10.60.0.0/16", "10.61.0.0/16"] {
        ec2.create_vpc()
            .cidr_block(cidr)
            .tag_specifications(tags(ResourceType::Vpc, &[("Env", "dup")]))
            .send()
            .await
            .unwrap();
    }
    (vpc_id, subnet_id)
}

fn app_stack(vpc_lookup: Lookup) -> Stack {
    let mut stack = Stack::new("app").region("us-east-1");
    let vpc = stack.add(Vpc::existing("shared", vpc_lookup));
    let subnet = stack.add(Subnet::existing(
        "app-a",
        &vpc,
        Az::US_EAST_1A,
        Lookup::tag("Tier", "app"),
    ));
    let default = stack.add(SecurityGroup::existing_named("default-sg", &vpc, "default"));
    let sg = stack.add(
        SecurityGroup::new("app-sg", &vpc)
            .description("app in the shared VPC")
            .ingress_described(
                Peer::group(&default),
                Port::tcp(8443),
                "from the default group",
            ),
    );
    stack.add(RouteTable::new("app-rt", &vpc).associate(&subnet));
    let exec = stack.add(Role::existing("exec", "platform-exec"));
    stack.add(
        TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
            .execution_role(&exec)
            .container(Container::new("app", image("app:1.0.0"))),
    );
    stack.output("vpc", vpc.id());
    stack.output("subnet", subnet.id());
    let _ = sg;
    stack
}

#[test]
fn existing_vpc_subnet_and_group_are_used_never_changed_and_forgotten() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("app.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let c = sdk(&moto).await;
        let (vpc_id, subnet_id) = shared_network(&c).await;
        let stack = app_stack(Lookup::tag("Name", "shared-vpc"));
        let aws = Aws::connect(config(&moto), stack.pinned_region())
            .await
            .unwrap();
        let first = plan(&stack, &State::empty("app")).unwrap();
        let reads: Vec<&str> = first
            .actions
            .iter()
            .filter(|a| a.action == ecs_iac::Action::Read)
            .map(|a| a.address.as_str())
            .collect();
        assert_eq!(reads, ["shared", "app-a", "default-sg", "exec"]);
        let report = apply(
            &aws,
            &first,
            &lock,
            State::empty("app"),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(report.succeeded(), "{:?}", report.failed);
        assert_eq!(report.outputs()["vpc"], vpc_id);
        assert_eq!(report.outputs()["subnet"], subnet_id);
        let recorded = &report.state.resources["app-a"].attributes;
        assert_eq!(recorded["cidr"], "10.50.1.0/24");
        // The task definition runs with the platform's role.
        let role = aws_sdk_iam::Client::new(&c)
            .get_role()
            .role_name("platform-exec")
            .send()
            .await
            .unwrap();
        let task = aws_sdk_ecs::Client::new(&c)
            .describe_task_definition()
            .task_definition("task")
            .send()
            .await
            .unwrap();
        assert_eq!(
            task.task_definition().unwrap().execution_role_arn(),
            Some(role.role().unwrap().arn())
        );
        // The group and the route table were made in the shared VPC.
        let ec2 = aws_sdk_ec2::Client::new(&c);
        let sg = report.state.resources["app-sg"].id.clone().unwrap();
        let groups = ec2
            .describe_security_groups()
            .group_ids(&sg)
            .send()
            .await
            .unwrap();
        assert_eq!(groups.security_groups()[0].vpc_id(), Some(vpc_id.as_str()));
        let rt = report.state.resources["app-rt"].id.clone().unwrap();
        let tables = ec2
            .describe_route_tables()
            .route_table_ids(&rt)
            .send()
            .await
            .unwrap();
        let table = &tables.route_tables()[0];
        assert_eq!(table.vpc_id(), Some(vpc_id.as_str()));
        assert_eq!(
            table.associations()[0].subnet_id(),
            Some(subnet_id.as_str())
        );
        // Nothing to change on the next plan; the lookups are read again.
        let refreshed = ecs_iac::aws::refresh(&aws, &report.state).await.unwrap();
        let again = ecs_iac::plan_refreshed(synth(&stack).unwrap(), &report.state, &refreshed);
        assert!(!again.has_changes(), "{}", again.render_text());
        // Destroy forgets them: the shared network and the role are still there, the
        // group is gone.
        let gone = destroy(&aws, &lock, report.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:?}", gone.failed);
        assert!(gone.state.resources.is_empty());
        let vpcs = ec2.describe_vpcs().vpc_ids(&vpc_id).send().await.unwrap();
        assert_eq!(vpcs.vpcs().len(), 1);
        let subnets = ec2
            .describe_subnets()
            .subnet_ids(&subnet_id)
            .send()
            .await
            .unwrap();
        assert_eq!(subnets.subnets().len(), 1);
        assert!(ec2
            .describe_security_groups()
            .group_ids(&sg)
            .send()
            .await
            .is_err());
        aws_sdk_iam::Client::new(&c)
            .get_role()
            .role_name("platform-exec")
            .send()
            .await
            .expect("the role stays");
    });
}

#[test]
fn a_lookup_matching_none_or_several_stops_apply_before_any_change() {
    let moto = Moto::start();
    let (proxy, seen) = recording(&moto);
    runtime().block_on(async {
        shared_network(&sdk(&moto).await).await;
        let mut cfg = config(&moto);
        cfg.endpoint_url = Some(proxy.endpoint.clone());
        let aws = Aws::connect(cfg, Some("us-east-1")).await.unwrap();
        for (lookup, expected) in [
            (Lookup::tag("Name", "nope"), "VPC `tag:Name=nope`"),
            (Lookup::tag("Env", "dup"), "matches 2 VPCs"),
            (
                Lookup::id("vpc-00000000000000000"),
                "VPC `vpc-00000000000000000`",
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let store = StateStore::new(dir.path().join("app.state.json"));
            let lock = crate::ready(store.lock()).unwrap();
            seen.lock().unwrap().clear();
            let stack = app_stack(lookup);
            let plan = plan(&stack, &State::empty("app")).unwrap();
            let err = apply(
                &aws,
                &plan,
                &lock,
                State::empty("app"),
                &ApplyOptions::default(),
            )
            .await
            .expect_err("the lookup fails");
            assert!(matches!(err, ApplyError::Preflight(_)), "{err}");
            let text = err.to_string();
            assert!(text.contains(expected) && text.contains("shared"), "{text}");
            let sent = seen.lock().unwrap().clone();
            assert_eq!(mutating(&sent), Vec::<String>::new(), "sent {sent:?}");
            assert!(!store.path().unwrap().exists());
        }
    });
}

/// One stack's outputs as another's inputs: `network` is applied, `app` reads its outputs
/// from the network's state file and deploys into that VPC; a missing output is an error
/// naming it.
#[test]
fn the_app_stack_deploys_into_the_network_stacks_outputs() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let network_store = StateStore::new(dir.path().join("network.state.json"));
    let app_store = StateStore::new(dir.path().join("app.state.json"));
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("us-east-1"))
            .await
            .unwrap();
        let network = crate::two_stacks::network();
        let lock = crate::ready(network_store.lock()).unwrap();
        let first = plan(&network, &State::empty("network")).unwrap();
        let report = apply(
            &aws,
            &first,
            &lock,
            State::empty("network"),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(report.succeeded(), "{:?}", report.failed);
        drop(lock);
        let vpc_id = report.state.resources["vpc"].id.clone().unwrap();

        let outputs = crate::ready(network_store.outputs("network")).unwrap();
        let app = crate::two_stacks::app(&outputs).unwrap();
        let lock = crate::ready(app_store.lock()).unwrap();
        let second = plan(&app, &State::empty("app")).unwrap();
        let report = apply(
            &aws,
            &second,
            &lock,
            State::empty("app"),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(report.succeeded(), "{:?}", report.failed);
        let c = sdk(&moto).await;
        let sg = report.state.resources["app-sg"].id.clone().unwrap();
        let groups = aws_sdk_ec2::Client::new(&c)
            .describe_security_groups()
            .group_ids(&sg)
            .send()
            .await
            .unwrap();
        assert_eq!(groups.security_groups()[0].vpc_id(), Some(vpc_id.as_str()));
    });
    // An output the reader needs and the network does not have.
    let mut network = State::empty("network");
    network.outputs.clear();
    let err =
        crate::two_stacks::app(&ecs_iac::StackOutputs::from_state(&network, "n.json")).unwrap_err();
    assert!(
        err.to_string()
            .contains("stack `network` (n.json) has no output `vpc-id`"),
        "{err}"
    );
    let missing =
        crate::ready(StateStore::new(dir.path().join("nope.state.json")).outputs("network"))
            .unwrap_err();
    assert!(
        missing.to_string().contains("apply that stack first"),
        "{missing}"
    );
}
