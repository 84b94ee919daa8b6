//! The AWS around the services, on moto, checked value by value through independent
//! describe calls: ECR repositories (settings, lifecycle policy, tags, pull grants),
//! their drift and in-place changes, the protection of their images; and the rest of
//! the AWS beside the services (topics, keys, secrets, buckets, trails, domains, web
//! ACLs and load balancer access logs).
//!
//! Why this file is long (about 1,900 lines): one moto test per kind of the AWS around the
//! services, each applying, checking every value through describe calls, changing it in
//! place and destroying; they share one set of stack builders kept here.

use crate::apply::{config, load_balancer_attributes, runtime, sdk};
use crate::moto::Moto;
use ecs_iac::aws::{apply, destroy, ApplyOptions, Aws, StateStore};
use ecs_iac::prelude::*;
use ecs_iac::Action;

/// The grants policy document IAM holds for `role`.
async fn grants_of(c: &aws_config::SdkConfig, role: &str) -> serde_json::Value {
    let grants = aws_sdk_iam::Client::new(c)
        .get_role_policy()
        .role_name(role)
        .policy_name("ecs-iac-grants")
        .send()
        .await
        .unwrap();
    serde_json::from_str(&crate::apply::percent_decode(grants.policy_document())).unwrap()
}

/// A repository and a task pulling from it; `second` turns scanning on and retags. (The
/// SDK sends `scanOnPush: false` as an empty object, which AWS reads as `false` and moto
/// ignores, so the change tested here is the one moto applies.)
fn registry_stack(second: bool, encryption: RepositoryEncryption) -> Stack {
    let mut stack = Stack::new("registry").region("us-east-1");
    let repo = stack.add(
        Repository::new("api-repo", "shop/api")
            .tag_mutability(TagMutability::Immutable)
            .scan_on_push(second)
            .encryption(encryption)
            .lifecycle(LifecycleRule::keep_last(30))
            .lifecycle(LifecycleRule::expire_untagged_after_days(14))
            .tag("team", if second { "platform" } else { "shop" }),
    );
    let exec =
        stack.add(Role::new("exec", Principal::ecs_tasks()).description("Pulls the api image"));
    stack.grant(repo.grant_pull(&exec)).unwrap();
    stack.add(
        TaskDefinition::fargate("api", Fargate::CPU_256_MEM_512)
            .execution_role(&exec)
            .container(Container::new(
                "api",
                Image::from_repository(&repo, "1.4.2"),
            )),
    );
    stack
}

#[test]
fn a_repository_is_created_pulled_from_kept_in_line_and_deleted_only_when_empty() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("registry.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("us-east-1"))
            .await
            .unwrap();
        let c = sdk(&moto).await;
        let ecr = aws_sdk_ecr::Client::new(&c);
        let stack = registry_stack(false, RepositoryEncryption::Aes256);
        assert_eq!(validate(&stack), vec![]);
        let applied =
            crate::apply::apply_stack(&aws, &stack, &lock, State::empty("registry")).await;

        // What AWS has, read independently.
        let repos = ecr
            .describe_repositories()
            .repository_names("shop/api")
            .send()
            .await
            .unwrap();
        let repo = &repos.repositories()[0];
        assert_eq!(
            repo.image_tag_mutability(),
            Some(&aws_sdk_ecr::types::ImageTagMutability::Immutable)
        );
        assert!(!repo.image_scanning_configuration().unwrap().scan_on_push());
        assert_eq!(
            repo.encryption_configuration().unwrap().encryption_type(),
            &aws_sdk_ecr::types::EncryptionType::Aes256
        );
        let recorded = &applied.state.resources["api-repo"].attributes;
        assert_eq!(recorded["uri"], repo.repository_uri().unwrap());
        assert_eq!(recorded["arn"], repo.repository_arn().unwrap());
        let policy = ecr
            .get_lifecycle_policy()
            .repository_name("shop/api")
            .send()
            .await
            .unwrap();
        let policy: serde_json::Value =
            serde_json::from_str(policy.lifecycle_policy_text().unwrap()).unwrap();
        // The untagged rule comes first, as ECR requires of a rule for any image.
        assert_eq!(policy["rules"][0]["selection"]["tagStatus"], "untagged");
        assert_eq!(policy["rules"][0]["selection"]["countNumber"], 14);
        assert_eq!(policy["rules"][1]["rulePriority"], 2);
        assert_eq!(
            policy["rules"][1]["selection"]["countType"],
            "imageCountMoreThan"
        );
        let tags = ecr
            .list_tags_for_resource()
            .resource_arn(repo.repository_arn().unwrap())
            .send()
            .await
            .unwrap();
        let team = tags.tags().iter().find(|t| t.key() == "team").unwrap();
        assert_eq!(team.value(), "shop");
        let task = aws_sdk_ecs::Client::new(&c)
            .describe_task_definition()
            .task_definition("api")
            .send()
            .await
            .unwrap();
        assert_eq!(
            task.task_definition().unwrap().container_definitions()[0].image(),
            Some(format!("{}:1.4.2", repo.repository_uri().unwrap()).as_str())
        );
        let document = grants_of(&c, "exec").await;
        assert_eq!(
            document["Statement"][0]["Action"],
            "ecr:GetAuthorizationToken"
        );
        assert_eq!(document["Statement"][0]["Resource"], "*");
        assert_eq!(
            document["Statement"][1]["Resource"],
            repo.repository_arn().unwrap()
        );

        // Nothing to do twice in a row.
        crate::apply::assert_refreshed_plan_is_empty(&aws, &stack, &applied.state).await;

        // Drift: someone makes the tags mutable; the plan shows it and apply puts it back.
        ecr.put_image_tag_mutability()
            .repository_name("shop/api")
            .image_tag_mutability(aws_sdk_ecr::types::ImageTagMutability::Mutable)
            .send()
            .await
            .unwrap();
        let drift = crate::drift::live_plan(&aws, &stack, &applied.state).await;
        let repo_action = drift
            .actions
            .iter()
            .find(|a| a.address == "api-repo")
            .unwrap();
        assert_eq!(
            repo_action.action,
            Action::Update,
            "{}",
            drift.render_text()
        );
        assert!(
            drift.render_text().contains("imageTagMutability"),
            "{}",
            drift.render_text()
        );
        let fixed = apply(&aws, &drift, &lock, applied.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(fixed.succeeded(), "{:#?}", fixed.failed);

        // A change of scanning and tags is made in place; encryption would replace the
        // repository and its images, which is blocked.
        let v2 = registry_stack(true, RepositoryEncryption::Aes256);
        let change = crate::drift::live_plan(&aws, &v2, &fixed.state).await;
        assert_eq!(change.summary.replace, 0, "{}", change.render_text());
        let changed = apply(&aws, &change, &lock, fixed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        let repos = ecr
            .describe_repositories()
            .repository_names("shop/api")
            .send()
            .await
            .unwrap();
        let repo = &repos.repositories()[0];
        assert!(repo.image_scanning_configuration().unwrap().scan_on_push());
        assert_eq!(
            repo.image_tag_mutability(),
            Some(&aws_sdk_ecr::types::ImageTagMutability::Immutable)
        );
        let tags = ecr
            .list_tags_for_resource()
            .resource_arn(repo.repository_arn().unwrap())
            .send()
            .await
            .unwrap();
        let team = tags.tags().iter().find(|t| t.key() == "team").unwrap();
        assert_eq!(team.value(), "platform");
        crate::apply::assert_refreshed_plan_is_empty(&aws, &v2, &changed.state).await;
        let kms = registry_stack(true, RepositoryEncryption::Kms(None));
        let blocked = crate::drift::live_plan(&aws, &kms, &changed.state).await;
        let repo_action = blocked
            .actions
            .iter()
            .find(|a| a.address == "api-repo")
            .unwrap();
        assert!(
            repo_action
                .blocked
                .as_deref()
                .is_some_and(|b| b.contains("encryptionConfiguration")),
            "{}",
            blocked.render_text()
        );

        // A repository holding an image is not deleted: destroy says what to do, and
        // deletes it once empty.
        ecr.put_image()
            .repository_name("shop/api")
            .image_tag("1.4.2")
            .image_manifest(MANIFEST)
            .send()
            .await
            .unwrap();
        let refused = destroy(&aws, &lock, changed.state, &ApplyOptions::default())
            .await
            .unwrap();
        let failure = format!("{:?}", refused.failed);
        assert!(
            failure.contains("still holds images") && failure.contains("batch-delete-image"),
            "{failure}"
        );
        assert!(refused.state.resources.contains_key("api-repo"));
        ecr.batch_delete_image()
            .repository_name("shop/api")
            .image_ids(
                aws_sdk_ecr::types::ImageIdentifier::builder()
                    .image_tag("1.4.2")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        let gone = destroy(&aws, &lock, refused.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:#?}", gone.failed);
        assert!(gone.state.resources.is_empty());
        let err = ecr
            .describe_repositories()
            .repository_names("shop/api")
            .send()
            .await
            .expect_err("the repository is gone");
        assert!(format!("{err:?}").contains("RepositoryNotFoundException"));
    });
}

/// A minimal Docker image manifest, for an image to exist in the repository.
const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,"digest":"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]}"#;

/// A topic with subscriptions, an alarm notifying it and a role allowed to publish to it;
/// `second` renames its sender and drops a subscription.
fn alerts_stack(second: bool) -> Stack {
    let mut stack = Stack::new("alerts").region("us-east-1");
    let mut topic = Topic::new("alerts", "app-alerts")
        .display_name(if second { "Shop alerts" } else { "App alerts" })
        .kms_key("alias/aws/sns")
        .subscribe(Subscription::email("oncall@example.com"))
        .tag("team", "shop");
    if !second {
        topic = topic.subscribe(Subscription::https("https://hooks.example.com/sns"));
    }
    let topic = stack.add(topic);
    let app =
        stack.add(Role::new("publisher", Principal::ecs_tasks()).description("Publishes events"));
    stack.grant(topic.grant_publish(&app)).unwrap();
    stack.add(
        Alarm::new(
            "errors",
            Metric::new("Shop", "Errors")
                .statistic(Statistic::Sum)
                .period(60),
            Comparison::GreaterThan,
            10.0,
            1,
        )
        .alarm_action(topic.arn()),
    );
    stack
}

#[test]
fn a_topic_with_subscriptions_is_notified_by_alarms_and_kept_in_line() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("alerts.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("us-east-1"))
            .await
            .unwrap();
        let c = sdk(&moto).await;
        let sns = aws_sdk_sns::Client::new(&c);
        let stack = alerts_stack(false);
        assert_eq!(validate(&stack), vec![]);
        let applied = crate::apply::apply_stack(&aws, &stack, &lock, State::empty("alerts")).await;
        let arn = applied.state.resources["alerts"].id.clone().unwrap();
        assert_eq!(arn, "arn:aws:sns:us-east-1:123456789012:app-alerts");

        let attrs = sns
            .get_topic_attributes()
            .topic_arn(&arn)
            .send()
            .await
            .unwrap();
        let attrs = attrs.attributes().unwrap();
        assert_eq!(attrs["DisplayName"], "App alerts");
        assert_eq!(attrs["KmsMasterKeyId"], "alias/aws/sns");
        let subs = sns
            .list_subscriptions_by_topic()
            .topic_arn(&arn)
            .send()
            .await
            .unwrap();
        let mut endpoints: Vec<(&str, &str)> = subs
            .subscriptions()
            .iter()
            .map(|s| (s.protocol().unwrap(), s.endpoint().unwrap()))
            .collect();
        endpoints.sort_unstable();
        assert_eq!(
            endpoints,
            [
                ("email", "oncall@example.com"),
                ("https", "https://hooks.example.com/sns")
            ]
        );
        let tags = sns
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap();
        assert!(tags
            .tags()
            .iter()
            .any(|t| t.key() == "team" && t.value() == "shop"));
        let alarms = aws_sdk_cloudwatch::Client::new(&c)
            .describe_alarms()
            .alarm_names("errors")
            .send()
            .await
            .unwrap();
        assert_eq!(
            alarms.metric_alarms()[0].alarm_actions(),
            std::slice::from_ref(&arn)
        );
        let document = grants_of(&c, "publisher").await;
        assert_eq!(document["Statement"][0]["Action"], "sns:Publish");
        assert_eq!(document["Statement"][0]["Resource"], arn.as_str());

        crate::apply::assert_refreshed_plan_is_empty(&aws, &stack, &applied.state).await;

        // Drift: the display name changed outside; apply puts it back.
        sns.set_topic_attributes()
            .topic_arn(&arn)
            .attribute_name("DisplayName")
            .attribute_value("Changed by hand")
            .send()
            .await
            .unwrap();
        let drift = crate::drift::live_plan(&aws, &stack, &applied.state).await;
        assert_eq!(drift.summary.update, 1, "{}", drift.render_text());
        let fixed = apply(&aws, &drift, &lock, applied.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(fixed.succeeded(), "{:#?}", fixed.failed);
        let attrs = sns
            .get_topic_attributes()
            .topic_arn(&arn)
            .send()
            .await
            .unwrap();
        assert_eq!(attrs.attributes().unwrap()["DisplayName"], "App alerts");

        // A new display name changes in place; the dropped subscription is removed.
        let v2 = alerts_stack(true);
        let change = crate::drift::live_plan(&aws, &v2, &fixed.state).await;
        assert_eq!(
            (
                change.summary.update,
                change.summary.delete,
                change.summary.replace
            ),
            (1, 1, 0),
            "{}",
            change.render_text()
        );
        let changed = apply(&aws, &change, &lock, fixed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        assert_eq!(
            changed.state.resources["alerts"].id.as_deref(),
            Some(arn.as_str())
        );
        let attrs = sns
            .get_topic_attributes()
            .topic_arn(&arn)
            .send()
            .await
            .unwrap();
        assert_eq!(attrs.attributes().unwrap()["DisplayName"], "Shop alerts");
        let subs = sns
            .list_subscriptions_by_topic()
            .topic_arn(&arn)
            .send()
            .await
            .unwrap();
        let protocols: Vec<_> = subs.subscriptions().iter().map(|s| s.protocol()).collect();
        assert_eq!(protocols, [Some("email")]);
        crate::apply::assert_refreshed_plan_is_empty(&aws, &v2, &changed.state).await;

        let gone = destroy(&aws, &lock, changed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:#?}", gone.failed);
        let topics = sns.list_topics().send().await.unwrap();
        assert!(topics.topics().is_empty(), "{topics:?}");
    });
}

/// A key with an alias, used by a log group and a topic and granted to a role;
/// `second` describes it differently.
fn keys_stack(second: bool) -> Stack {
    let mut stack = Stack::new("keys").region("us-east-1");
    let key = stack.add(
        KmsKey::new("data-key")
            .description(if second {
                "shop data (v2)"
            } else {
                "shop data"
            })
            .alias("alias/shop-data")
            .allow_cloudwatch_logs()
            .allow_service("sns.amazonaws.com")
            .tag("team", "shop"),
    );
    stack.add(
        LogGroup::new("logs", "/ecs/shop")
            .retention_days(30)
            .kms_key(key.arn()),
    );
    stack.add(Topic::new("events", "shop-events").kms_key(key.arn()));
    let reader =
        stack.add(Role::new("reader", Principal::ecs_tasks()).description("Reads shop data"));
    stack.grant(key.grant_decrypt(&reader)).unwrap();
    stack
}

#[test]
fn a_key_with_alias_and_rotation_encrypts_logs_and_topics_and_is_scheduled_for_deletion() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("keys.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("us-east-1"))
            .await
            .unwrap();
        let c = sdk(&moto).await;
        let kms = aws_sdk_kms::Client::new(&c);
        let stack = keys_stack(false);
        assert_eq!(validate(&stack), vec![]);
        let applied = crate::apply::apply_stack(&aws, &stack, &lock, State::empty("keys")).await;
        let key_id = applied.state.resources["data-key"].id.clone().unwrap();
        let key_arn = applied.state.resources["data-key"].attributes["arn"].clone();

        let meta = kms.describe_key().key_id(&key_id).send().await.unwrap();
        let meta = meta.key_metadata().unwrap();
        assert!(meta.enabled());
        assert_eq!(meta.description(), Some("shop data"));
        assert_eq!(meta.arn(), Some(key_arn.as_str()));
        let rotation = kms
            .get_key_rotation_status()
            .key_id(&key_id)
            .send()
            .await
            .unwrap();
        assert!(rotation.key_rotation_enabled());
        let by_alias = kms
            .describe_key()
            .key_id("alias/shop-data")
            .send()
            .await
            .unwrap();
        assert_eq!(by_alias.key_metadata().unwrap().key_id(), key_id);
        let policy = kms
            .get_key_policy()
            .key_id(&key_id)
            .policy_name("default")
            .send()
            .await
            .unwrap();
        let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
        let principals: Vec<String> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Principal"].to_string())
            .collect();
        assert!(
            principals.contains(&r#"{"AWS":"arn:aws:iam::123456789012:root"}"#.to_string())
                && principals
                    .contains(&r#"{"Service":"logs.us-east-1.amazonaws.com"}"#.to_string()),
            "{principals:?}"
        );
        let tags = kms
            .list_resource_tags()
            .key_id(&key_id)
            .send()
            .await
            .unwrap();
        assert!(tags
            .tags()
            .iter()
            .any(|t| t.tag_key() == "team" && t.tag_value() == "shop"));
        let groups = aws_sdk_cloudwatchlogs::Client::new(&c)
            .describe_log_groups()
            .log_group_name_prefix("/ecs/shop")
            .send()
            .await
            .unwrap();
        assert_eq!(groups.log_groups()[0].kms_key_id(), Some(key_arn.as_str()));
        let topic = aws_sdk_sns::Client::new(&c)
            .get_topic_attributes()
            .topic_arn("arn:aws:sns:us-east-1:123456789012:shop-events")
            .send()
            .await
            .unwrap();
        assert_eq!(topic.attributes().unwrap()["KmsMasterKeyId"], key_arn);
        let document = grants_of(&c, "reader").await;
        assert_eq!(document["Statement"][0]["Action"], "kms:Decrypt");
        assert_eq!(document["Statement"][0]["Resource"], key_arn.as_str());

        crate::apply::assert_refreshed_plan_is_empty(&aws, &stack, &applied.state).await;

        // Rotation turned off outside: the plan turns it on again.
        kms.disable_key_rotation()
            .key_id(&key_id)
            .send()
            .await
            .unwrap();
        let drift = crate::drift::live_plan(&aws, &stack, &applied.state).await;
        assert!(drift.has_changes(), "{}", drift.render_text());
        let fixed = apply(&aws, &drift, &lock, applied.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(fixed.succeeded(), "{:#?}", fixed.failed);
        let rotation = kms
            .get_key_rotation_status()
            .key_id(&key_id)
            .send()
            .await
            .unwrap();
        assert!(rotation.key_rotation_enabled());

        // A new description changes in place: the key (and what it encrypted) stays.
        let v2 = keys_stack(true);
        let change = crate::drift::live_plan(&aws, &v2, &fixed.state).await;
        assert_eq!(
            (change.summary.update, change.summary.replace),
            (1, 0),
            "{}",
            change.render_text()
        );
        let changed = apply(&aws, &change, &lock, fixed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        assert_eq!(
            changed.state.resources["data-key"].id.as_deref(),
            Some(key_id.as_str())
        );
        let meta = kms.describe_key().key_id(&key_id).send().await.unwrap();
        assert_eq!(
            meta.key_metadata().unwrap().description(),
            Some("shop data (v2)")
        );
        crate::apply::assert_refreshed_plan_is_empty(&aws, &v2, &changed.state).await;

        // Destroy schedules the key's deletion and removes its alias.
        let gone = destroy(&aws, &lock, changed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:#?}", gone.failed);
        let meta = kms.describe_key().key_id(&key_id).send().await.unwrap();
        assert_eq!(
            meta.key_metadata().unwrap().key_state(),
            Some(&aws_sdk_kms::types::KeyState::PendingDeletion)
        );
        let aliases = kms.list_aliases().send().await.unwrap();
        assert!(
            aliases
                .aliases()
                .iter()
                .all(|a| a.alias_name() != Some("alias/shop-data")),
            "{aliases:?}"
        );
    });
}

/// An internal ALB with its attributes set; `protected` turns deletion protection on,
/// `idle` is its idle timeout.
fn alb_stack(protected: bool, idle: u32) -> Stack {
    let mut stack = Stack::new("edge").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.12.0.0/16")));
    let a = stack.add(Subnet::private(
        "a",
        &vpc,
        cidr("10.12.1.0/24"),
        Az::US_EAST_1A,
    ));
    let b = stack.add(Subnet::private(
        "b",
        &vpc,
        cidr("10.12.2.0/24"),
        Az::US_EAST_1B,
    ));
    let sg = stack.add(SecurityGroup::new("alb-sg", &vpc).description("edge load balancer"));
    stack.add(
        LoadBalancer::application("alb", [&a, &b], [&sg])
            .scheme(Scheme::Internal)
            .deletion_protection(protected)
            .drop_invalid_header_fields(true)
            .idle_timeout_seconds(idle),
    );
    stack
}

#[test]
fn load_balancer_attributes_change_in_place_and_deletion_protection_blocks_removal() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("edge.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("us-east-1"))
            .await
            .unwrap();
        let c = sdk(&moto).await;
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&c);
        let stack = alb_stack(true, 120);
        assert_eq!(validate(&stack), vec![]);
        let applied = crate::apply::apply_stack(&aws, &stack, &lock, State::empty("edge")).await;
        let arn = applied.state.resources["alb"].id.clone().unwrap();
        let attributes = load_balancer_attributes(&c, &arn).await;
        assert_eq!(attributes["deletion_protection.enabled"], "true");
        assert_eq!(attributes["idle_timeout.timeout_seconds"], "120");
        assert_eq!(
            attributes["routing.http.drop_invalid_header_fields.enabled"],
            "true"
        );
        crate::apply::assert_refreshed_plan_is_empty(&aws, &stack, &applied.state).await;

        // A new idle timeout is an in-place change of the attributes, not of the ALB.
        let v2 = alb_stack(true, 300);
        let change = crate::drift::live_plan(&aws, &v2, &applied.state).await;
        assert_eq!(
            (change.summary.update, change.summary.replace),
            (1, 0),
            "{}",
            change.render_text()
        );
        let changed = apply(
            &aws,
            &change,
            &lock,
            applied.state,
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        let attributes = load_balancer_attributes(&c, &arn).await;
        assert_eq!(attributes["idle_timeout.timeout_seconds"], "300");

        // Removing the protected ALB from the stack is blocked at plan time.
        let empty = Stack::new("edge").region("us-east-1");
        let removal = plan(&empty, &changed.state).unwrap();
        let blocked: Vec<_> = removal
            .actions
            .iter()
            .filter_map(|a| a.blocked.as_deref())
            .collect();
        assert!(
            blocked.iter().any(|b| b.contains("deletion protection")),
            "{}",
            removal.render_text()
        );
        // Turned off first, the stack destroys cleanly.
        let off = plan(&alb_stack(false, 300), &changed.state).unwrap();
        let unprotected = apply(&aws, &off, &lock, changed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(unprotected.succeeded(), "{:#?}", unprotected.failed);
        let gone = destroy(&aws, &lock, unprotected.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:#?}", gone.failed);
        let lbs = elb.describe_load_balancers().send().await.unwrap();
        assert!(lbs.load_balancers().is_empty());
    });
}

/// An internal ALB behind a web ACL (two AWS managed rule groups and a rate limit of
/// `limit` requests per client) writing its access logs to a bucket of the stack.
fn shield_stack(limit: u64) -> Stack {
    let mut stack = Stack::new("shield").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.13.0.0/16")));
    let a = stack.add(Subnet::private(
        "a",
        &vpc,
        cidr("10.13.1.0/24"),
        Az::US_EAST_1A,
    ));
    let b = stack.add(Subnet::private(
        "b",
        &vpc,
        cidr("10.13.2.0/24"),
        Az::US_EAST_1B,
    ));
    let sg = stack.add(SecurityGroup::new("alb-sg", &vpc).description("shielded load balancer"));
    let logs = stack.add(Bucket::new("alb-logs", "shield-alb-logs-0042").deny_insecure_transport());
    let alb = stack.add(
        LoadBalancer::application("alb", [&a, &b], [&sg])
            .scheme(Scheme::Internal)
            .access_logs(AccessLogs::to(&logs).prefix("edge")),
    );
    stack.add(
        WebAcl::regional("web-acl", "shield-web-acl")
            .description("managed rules and a per-client rate limit")
            .rule(WafRule::managed(ManagedRuleGroup::Common))
            .rule(WafRule::managed(ManagedRuleGroup::KnownBadInputs).count_only())
            .rule(WafRule::rate_limit("per-client", limit))
            .protect(&alb),
    );
    stack
}

#[test]
fn a_web_acl_protects_its_load_balancer_whose_access_logs_reach_a_bucket_that_allows_them() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("shield.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("us-east-1"))
            .await
            .unwrap();
        let c = sdk(&moto).await;
        let waf = aws_sdk_wafv2::Client::new(&c);
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&c);
        let stack = shield_stack(2000);
        assert_eq!(validate(&stack), vec![]);
        let applied = crate::apply::apply_stack(&aws, &stack, &lock, State::empty("shield")).await;
        let acl_arn = applied.state.resources["web-acl"].attributes["arn"].clone();
        let alb_arn = applied.state.resources["alb"].id.clone().unwrap();
        let acl_id = applied.state.resources["web-acl"].attributes["web_acl_id"].clone();
        let rate_limit = |acl: &aws_sdk_wafv2::types::WebAcl| {
            acl.rules()
                .iter()
                .find_map(|r| r.statement()?.rate_based_statement().map(|s| s.limit()))
        };

        // The web ACL as AWS holds it, read independently.
        let got = waf
            .get_web_acl()
            .name("shield-web-acl")
            .scope(aws_sdk_wafv2::types::Scope::Regional)
            .id(&acl_id)
            .send()
            .await
            .unwrap();
        let acl = got.web_acl().unwrap();
        assert_eq!(acl.arn(), acl_arn);
        assert!(acl.default_action().unwrap().allow().is_some());
        let names: Vec<(&str, i32)> = acl
            .rules()
            .iter()
            .map(|r| (r.name(), r.priority()))
            .collect();
        assert_eq!(
            names,
            [
                ("AWS-AWSManagedRulesCommonRuleSet", 0),
                ("AWS-AWSManagedRulesKnownBadInputsRuleSet", 1),
                ("per-client", 2)
            ]
        );
        assert!(acl.rules()[1].override_action().unwrap().count().is_some());
        assert!(acl.rules()[0].override_action().unwrap().none().is_some());
        assert_eq!(rate_limit(acl), Some(2000));
        // It protects the load balancer.
        let protecting = waf
            .get_web_acl_for_resource()
            .resource_arn(&alb_arn)
            .send()
            .await
            .unwrap();
        assert_eq!(
            protecting.web_acl().map(|a| a.arn()),
            Some(acl_arn.as_str())
        );

        // Access logs go to the bucket, under the prefix, and its policy lets ELB write
        // there (us-east-1's ELB account, only under the prefix's AWSLogs/ACCOUNT).
        let attributes = load_balancer_attributes(&c, &alb_arn).await;
        assert_eq!(attributes["access_logs.s3.enabled"], "true");
        assert_eq!(attributes["access_logs.s3.bucket"], "shield-alb-logs-0042");
        assert_eq!(attributes["access_logs.s3.prefix"], "edge");
        let policy = crate::apply::s3_client(&c)
            .get_bucket_policy()
            .bucket("shield-alb-logs-0042")
            .send()
            .await
            .unwrap();
        let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
        let elb_statement = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == "AWSElbAccessLogs-alb")
            .expect("a statement for the load balancer's logs");
        assert_eq!(elb_statement["Effect"], "Allow");
        assert_eq!(
            elb_statement["Principal"]["AWS"],
            "arn:aws:iam::127311923021:root"
        );
        assert_eq!(elb_statement["Action"], "s3:PutObject");
        assert_eq!(
            elb_statement["Resource"],
            "arn:aws:s3:::shield-alb-logs-0042/edge/AWSLogs/123456789012/*"
        );
        crate::apply::assert_refreshed_plan_is_empty(&aws, &stack, &applied.state).await;

        // A new rate limit is an in-place UpdateWebACL: same ACL, same ARN.
        let v2 = shield_stack(1000);
        let change = crate::drift::live_plan(&aws, &v2, &applied.state).await;
        assert_eq!(
            (
                change.summary.update,
                change.summary.replace,
                change.summary.create
            ),
            (1, 0, 0),
            "{}",
            change.render_text()
        );
        assert!(change
            .actions
            .iter()
            .any(|a| a.address == "web-acl" && a.action == Action::Update));
        let changed = apply(
            &aws,
            &change,
            &lock,
            applied.state,
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        assert_eq!(
            changed.state.resources["web-acl"].attributes["arn"],
            acl_arn
        );
        let got = waf
            .get_web_acl()
            .name("shield-web-acl")
            .scope(aws_sdk_wafv2::types::Scope::Regional)
            .id(&acl_id)
            .send()
            .await
            .unwrap();
        assert_eq!(rate_limit(got.web_acl().unwrap()), Some(1000));
        crate::apply::assert_refreshed_plan_is_empty(&aws, &v2, &changed.state).await;

        // Blocking by default outside the stack is drift the next plan puts back.
        let acl = got.web_acl().unwrap();
        waf.update_web_acl()
            .name("shield-web-acl")
            .scope(aws_sdk_wafv2::types::Scope::Regional)
            .id(&acl_id)
            .lock_token(got.lock_token().unwrap())
            .default_action(
                aws_sdk_wafv2::types::DefaultAction::builder()
                    .block(aws_sdk_wafv2::types::BlockAction::builder().build())
                    .build(),
            )
            .set_rules(Some(acl.rules().to_vec()))
            .set_visibility_config(acl.visibility_config().cloned())
            .send()
            .await
            .unwrap();
        let drift = crate::drift::live_plan(&aws, &v2, &changed.state).await;
        assert_eq!(drift.summary.update, 1, "{}", drift.render_text());
        assert!(
            drift.render_text().contains("Block"),
            "{}",
            drift.render_text()
        );
        let repaired = apply(&aws, &drift, &lock, changed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(repaired.succeeded(), "{:#?}", repaired.failed);
        let got = waf.get_web_acl().arn(&acl_arn).send().await.unwrap();
        assert!(got
            .web_acl()
            .unwrap()
            .default_action()
            .unwrap()
            .allow()
            .is_some());
        crate::apply::assert_refreshed_plan_is_empty(&aws, &v2, &repaired.state).await;

        // Destroy removes the association, the ACL, the ALB and the bucket.
        let gone = destroy(&aws, &lock, repaired.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:#?}", gone.failed);
        let acls = waf
            .list_web_acls()
            .scope(aws_sdk_wafv2::types::Scope::Regional)
            .send()
            .await
            .unwrap();
        assert!(acls.web_acls().is_empty(), "{acls:?}");
        assert!(elb
            .describe_load_balancers()
            .send()
            .await
            .unwrap()
            .load_balancers()
            .is_empty());
        let buckets = crate::apply::s3_client(&c)
            .list_buckets()
            .send()
            .await
            .unwrap();
        assert!(buckets.buckets().is_empty(), "{buckets:?}");
    });
}

/// Secrets the stack creates: one generated, one read from a file, encrypted with a key
/// of the stack and readable by a task; `second` changes the description and the
/// recovery window.
fn vault_stack(second: bool, file: &std::path::Path) -> Stack {
    let mut stack = Stack::new("vault").region("us-east-1");
    let key = stack.add(KmsKey::new("secrets-key").deletion_window_days(7));
    let generated = stack.add(
        Secret::new(
            "db-password",
            "vault/db-password",
            SecretValue::generated(Password::new(24).exclude_punctuation()),
        )
        .description(if second {
            "rotated by hand"
        } else {
            "the app's DB password"
        })
        .encrypted_with(&key)
        .recovery_window_days(if second { 14 } else { 7 })
        .policy(
            Statement::allow(["secretsmanager:GetSecretValue"])
                .principal(Principal::Aws("arn:aws:iam::123456789012:root".into())),
        )
        .tag("team", "shop"),
    );
    let from_file = stack.add(
        Secret::new("api-key", "vault/api-key", SecretValue::from_file(file))
            .delete_without_recovery(),
    );
    let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
    let task = stack.add(
        TaskDefinition::fargate("app", Fargate::CPU_256_MEM_512)
            .execution_role(&exec)
            .container(
                Container::new("app", image("nginx:1.27"))
                    .secret("DB_PASSWORD", &generated)
                    .secret("API_KEY", &from_file),
            ),
    );
    stack.grant(generated.grant_read(&task)).unwrap();
    stack.grant(from_file.grant_read(&task)).unwrap();
    stack
}

#[test]
fn secrets_the_stack_creates_get_their_value_at_apply_and_never_show_it() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("api-key.txt");
    std::fs::write(&file, "Api-Key-From-File-91c2\n").unwrap();
    let state_path = dir.path().join("vault.state.json");
    let store = StateStore::new(&state_path);
    let lock = crate::ready(store.lock()).unwrap();
    // What is sent to Secrets Manager's DeleteSecret (moto only models the window).
    let deletes = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = deletes.clone();
    let proxy = crate::fault_proxy::FaultProxy::start(
        &moto.endpoint,
        std::sync::Arc::new(move |_, request: &str| {
            if request.contains("secretsmanager.DeleteSecret") {
                if let Some(body) = request.split("\r\n\r\n").nth(1) {
                    log.lock().unwrap().push(body.to_string());
                }
            }
            crate::fault_proxy::Fault::Pass
        }),
    );
    runtime().block_on(async {
        let mut cfg = config(&moto);
        cfg.endpoint_url = Some(proxy.endpoint.clone());
        let aws = Aws::connect(cfg, Some("us-east-1")).await.unwrap();
        let c = sdk(&moto).await;
        let sm = aws_sdk_secretsmanager::Client::new(&c);
        let stack = vault_stack(false, &file);
        assert_eq!(validate(&stack), vec![]);
        let planned = plan(&stack, &State::empty("vault")).unwrap();
        let applied = crate::apply::apply_stack(&aws, &stack, &lock, State::empty("vault")).await;

        // The values, read independently: generated as asked, and the file's contents.
        let password = sm
            .get_secret_value()
            .secret_id("vault/db-password")
            .send()
            .await
            .unwrap();
        let password = password.secret_string().unwrap().to_string();
        assert_eq!(password.len(), 24, "{password}");
        assert!(password.chars().all(|c| c.is_ascii_alphanumeric()));
        let api_key = sm
            .get_secret_value()
            .secret_id("vault/api-key")
            .send()
            .await
            .unwrap();
        assert_eq!(api_key.secret_string(), Some("Api-Key-From-File-91c2"));
        // Neither value is in the plan or the state.
        let saved = std::fs::read_to_string(&state_path).unwrap();
        let plan_json = serde_json::to_string(&planned).unwrap();
        for text in [&saved, &plan_json, &planned.render_text()] {
            assert!(!text.contains(&password) && !text.contains("Api-Key-From-File"));
        }
        assert!(
            planned.render_text().contains("generated at apply"),
            "{}",
            planned.render_text()
        );

        // Settings, read independently.
        let described = sm
            .describe_secret()
            .secret_id("vault/db-password")
            .send()
            .await
            .unwrap();
        assert_eq!(described.description(), Some("the app's DB password"));
        let key_arn = &applied.state.resources["secrets-key"].attributes["arn"];
        assert_eq!(described.kms_key_id(), Some(key_arn.as_str()));
        assert!(described
            .tags()
            .iter()
            .any(|t| t.key() == Some("team") && t.value() == Some("shop")));
        let recorded = &applied.state.resources["db-password"];
        assert_eq!(recorded.attributes["arn"], described.arn().unwrap());
        assert_eq!(recorded.deletion.window_days, Some(7));
        let policy = sm
            .get_resource_policy()
            .secret_id("vault/db-password")
            .send()
            .await
            .unwrap();
        let policy: serde_json::Value =
            serde_json::from_str(policy.resource_policy().unwrap()).unwrap();
        assert_eq!(
            policy["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::123456789012:root"
        );
        // The task's execution role reads both, and decrypts with the key.
        let document = grants_of(&c, "exec").await.to_string();
        for needed in [
            described.arn().unwrap(),
            api_key.arn().unwrap(),
            key_arn.as_str(),
            "kms:Decrypt",
        ] {
            assert!(document.contains(needed), "{needed} in {document}");
        }
        crate::apply::assert_refreshed_plan_is_empty(&aws, &stack, &applied.state).await;

        // Drift: the description is changed by hand; apply puts it back, in place.
        sm.update_secret()
            .secret_id("vault/db-password")
            .description("changed by hand")
            .send()
            .await
            .unwrap();
        let drift = crate::drift::live_plan(&aws, &stack, &applied.state).await;
        let action = drift
            .actions
            .iter()
            .find(|a| a.address == "db-password")
            .unwrap();
        assert_eq!(action.action, Action::Update, "{}", drift.render_text());
        let fixed = apply(&aws, &drift, &lock, applied.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(fixed.succeeded(), "{:#?}", fixed.failed);

        // A new description changes in place; a new recovery window only changes the
        // state. The value stays.
        let v2 = vault_stack(true, &file);
        let change = crate::drift::live_plan(&aws, &v2, &fixed.state).await;
        assert_eq!(change.summary.replace, 0, "{}", change.render_text());
        assert!(
            change
                .render_text()
                .contains("deletion: a 7-day window -> a 14-day window"),
            "{}",
            change.render_text()
        );
        let changed = apply(&aws, &change, &lock, fixed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        let described = sm
            .describe_secret()
            .secret_id("vault/db-password")
            .send()
            .await
            .unwrap();
        assert_eq!(described.description(), Some("rotated by hand"));
        assert_eq!(
            changed.state.resources["db-password"].deletion.window_days,
            Some(14)
        );
        let still = sm
            .get_secret_value()
            .secret_id("vault/db-password")
            .send()
            .await
            .unwrap();
        assert_eq!(still.secret_string(), Some(password.as_str()));
        crate::apply::assert_refreshed_plan_is_empty(&aws, &v2, &changed.state).await;

        // Destroy: the generated secret is kept recoverable for 14 days, the one with no
        // recovery window is gone at once.
        let gone = destroy(&aws, &lock, changed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:#?}", gone.failed);
        let mut sent: Vec<serde_json::Value> = deletes
            .lock()
            .unwrap()
            .iter()
            .map(|b| serde_json::from_str(b).unwrap())
            .collect();
        sent.sort_by_key(|b| b["SecretId"].to_string());
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert_eq!(sent[0]["ForceDeleteWithoutRecovery"], true, "{sent:?}");
        assert_eq!(sent[1]["RecoveryWindowInDays"], 14, "{sent:?}");
        let deleted = sm
            .describe_secret()
            .secret_id("vault/db-password")
            .send()
            .await
            .unwrap();
        assert!(deleted.deleted_date().is_some());
        let err = sm
            .describe_secret()
            .secret_id("vault/api-key")
            .send()
            .await
            .expect_err("deleted without recovery");
        assert!(format!("{err:?}").contains("ResourceNotFoundException"));

        // A new apply finds the name held by the deleted secret and says what to do.
        let again = plan(&vault_stack(false, &file), &State::empty("vault")).unwrap();
        let report = apply(
            &aws,
            &again,
            &lock,
            State::empty("vault"),
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        let failure = format!("{:?}", report.failed);
        assert!(
            failure.contains("scheduled for deletion") && failure.contains("restore-secret"),
            "{failure}"
        );
        destroy(&aws, &lock, report.state, &ApplyOptions::default())
            .await
            .unwrap();
    });
}

#[test]
fn a_secret_whose_value_cannot_be_read_stops_apply_before_anything_is_created() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("unset.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    let mut stack = Stack::new("unset").region("us-east-1");
    stack.add(Vpc::new("vpc", cidr("10.4.0.0/16")));
    stack.add(Secret::new(
        "token",
        "unset/token",
        SecretValue::from_env("ECS_IAC_TEST_VARIABLE_NEVER_SET"),
    ));
    stack.add(Secret::new(
        "cert",
        "unset/cert",
        SecretValue::from_file(dir.path().join("missing.pem")),
    ));
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("us-east-1"))
            .await
            .unwrap();
        let planned = plan(&stack, &State::empty("unset")).unwrap();
        let err = apply(
            &aws,
            &planned,
            &lock,
            State::empty("unset"),
            &ApplyOptions::default(),
        )
        .await
        .expect_err("preflight refuses");
        let text = err.to_string();
        for expected in [
            "token",
            "ECS_IAC_TEST_VARIABLE_NEVER_SET` is not set",
            "cert",
            "missing.pem",
            "SecretString",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        let c = sdk(&moto).await;
        let vpcs = aws_sdk_ec2::Client::new(&c)
            .describe_vpcs()
            .send()
            .await
            .unwrap();
        assert!(vpcs
            .vpcs()
            .iter()
            .all(|v| v.cidr_block() != Some("10.4.0.0/16")));
        assert!(crate::ready(store.load("unset"))
            .unwrap()
            .resources
            .is_empty());
    });
}

/// A bucket encrypted with a key of the stack, versioned, with lifecycle rules and a
/// TLS-only policy, read and written by a role; `second` changes the lifecycle and the
/// object ownership and lets a delete empty it.
fn bucket_stack(second: bool) -> Stack {
    let mut stack = Stack::new("store").region("eu-west-1");
    let key = stack.add(KmsKey::new("bucket-key"));
    let rule = BucketLifecycleRule::new("expire-tmp")
        .prefix("tmp/")
        .expire_after_days(if second { 14 } else { 7 });
    let bucket = Bucket::new("app-bucket", "store-app-bucket-0042")
        .encryption(BucketEncryption::kms(&key))
        .versioning(true)
        .lifecycle(rule)
        .lifecycle(
            BucketLifecycleRule::new("old-versions")
                .expire_noncurrent_after_days(30)
                .abort_incomplete_uploads_after_days(3),
        )
        .deny_insecure_transport()
        .deny_unencrypted_uploads()
        .object_ownership(if second {
            ObjectOwnership::BucketOwnerPreferred
        } else {
            ObjectOwnership::BucketOwnerEnforced
        })
        .tag("team", "shop");
    let bucket = stack.add(if second {
        bucket.empty_on_delete()
    } else {
        bucket
    });
    let app = stack.add(Role::new("app", Principal::ecs_tasks()));
    stack.grant(bucket.grant_read(&app)).unwrap();
    stack.grant(bucket.grant_write(&app)).unwrap();
    stack
}

#[test]
fn a_bucket_is_created_locked_down_kept_in_line_and_deleted_only_when_allowed_to_empty() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("store.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    runtime().block_on(async {
        let aws = Aws::connect(config(&moto), Some("eu-west-1"))
            .await
            .unwrap();
        let mut c = sdk(&moto).await.into_builder();
        c.set_region(Some(aws_config::Region::new("eu-west-1")));
        let c = c.build();
        let s3 = crate::apply::s3_client(&c);
        let stack = bucket_stack(false);
        assert_eq!(validate(&stack), vec![]);
        let applied = crate::apply::apply_stack(&aws, &stack, &lock, State::empty("store")).await;
        let bucket = "store-app-bucket-0042";

        // What S3 has, read independently.
        let location = s3
            .get_bucket_location()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        assert_eq!(
            location.location_constraint().map(|l| l.as_str()),
            Some("eu-west-1")
        );
        let block = s3
            .get_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        let block = block.public_access_block_configuration().unwrap();
        assert_eq!(
            (
                block.block_public_acls(),
                block.ignore_public_acls(),
                block.block_public_policy(),
                block.restrict_public_buckets()
            ),
            (Some(true), Some(true), Some(true), Some(true))
        );
        let key_arn = &applied.state.resources["bucket-key"].attributes["arn"];
        let encryption = s3
            .get_bucket_encryption()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        let rule = &encryption
            .server_side_encryption_configuration()
            .unwrap()
            .rules()[0];
        let default = rule.apply_server_side_encryption_by_default().unwrap();
        assert_eq!(default.sse_algorithm().as_str(), "aws:kms");
        assert_eq!(default.kms_master_key_id(), Some(key_arn.as_str()));
        // (moto's GetBucketVersioning answer has a root element the SDK refuses, so the
        // request that was sent is checked instead.)
        assert_eq!(
            applied.state.resources["app-bucket#versioning"].request["VersioningConfiguration"]
                ["Status"],
            "Enabled"
        );
        let lifecycle = s3
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        let tmp = lifecycle
            .rules()
            .iter()
            .find(|r| r.id() == Some("expire-tmp"))
            .unwrap();
        assert_eq!(tmp.expiration().and_then(|e| e.days()), Some(7));
        let policy = s3.get_bucket_policy().bucket(bucket).send().await.unwrap();
        let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
        let sids: Vec<_> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            sids,
            ["DenyInsecureTransport", "DenyUnencryptedObjectUploads"]
        );
        assert_eq!(
            policy["Statement"][1]["Condition"]["StringNotEquals"]
                ["s3:x-amz-server-side-encryption"],
            serde_json::json!(["aws:kms"])
        );
        let tags = s3.get_bucket_tagging().bucket(bucket).send().await.unwrap();
        assert!(tags
            .tag_set()
            .iter()
            .any(|t| t.key() == "team" && t.value() == "shop"));
        assert!(tags
            .tag_set()
            .iter()
            .any(|t| t.key() == "ecs-iac:address" && t.value() == "app-bucket"));
        let ownership = s3
            .get_bucket_ownership_controls()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        assert_eq!(
            ownership.ownership_controls().unwrap().rules()[0]
                .object_ownership()
                .as_str(),
            "BucketOwnerEnforced"
        );
        let recorded = &applied.state.resources["app-bucket"].attributes;
        assert_eq!(recorded["arn"], format!("arn:aws:s3:::{bucket}"));
        assert_eq!(
            recorded["regional_domain_name"],
            format!("{bucket}.s3.eu-west-1.amazonaws.com")
        );
        // The role reads and writes exactly this bucket, with its key.
        let document = grants_of(&c, "app").await.to_string();
        for needed in [
            "s3:ListBucket",
            "s3:GetObject",
            "s3:PutObject",
            &format!("arn:aws:s3:::{bucket}/*"),
            "kms:Decrypt",
            "kms:GenerateDataKey",
            key_arn.as_str(),
        ] {
            assert!(document.contains(needed), "{needed} in {document}");
        }
        crate::apply::assert_refreshed_plan_is_empty(&aws, &stack, &applied.state).await;

        // Drift: someone removes the public access block; apply puts it back.
        s3.delete_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        let drift = crate::drift::live_plan(&aws, &stack, &applied.state).await;
        let block = drift
            .actions
            .iter()
            .find(|a| a.address == "app-bucket#public-access-block")
            .unwrap();
        assert_eq!(block.action, Action::Create, "{}", drift.render_text());
        let fixed = apply(&aws, &drift, &lock, applied.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(fixed.succeeded(), "{:#?}", fixed.failed);
        assert!(s3
            .get_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .is_ok());

        // An object the stack did not write: a plain destroy refuses to delete it. (moto
        // enforces the TLS-only policy and is reached over plain HTTP: the policy is
        // lifted for the upload, and the next apply puts it back.)
        s3.delete_bucket_policy()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        s3.put_object()
            .bucket(bucket)
            .key("tmp/report.csv")
            .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
            .body(aws_sdk_s3::primitives::ByteStream::from_static(
                b"a,b\n1,2\n",
            ))
            .send()
            .await
            .unwrap();
        let refused = destroy(&aws, &lock, fixed.state.clone(), &ApplyOptions::default())
            .await
            .unwrap();
        let failure = format!("{:?}", refused.failed);
        assert!(
            failure.contains("still holds objects") && failure.contains("empty_on_delete"),
            "{failure}"
        );
        assert!(s3.head_bucket().bucket(bucket).send().await.is_ok());

        // Lifecycle and ownership change in place; emptying on delete is a state-only
        // change. The object stays.
        let v2 = bucket_stack(true);
        let change = crate::drift::live_plan(&aws, &v2, &refused.state).await;
        assert_eq!(change.summary.replace, 0, "{}", change.render_text());
        let text = change.render_text();
        assert!(text.contains("emptied first"), "{text}");
        let changed = apply(
            &aws,
            &change,
            &lock,
            refused.state,
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        let lifecycle = s3
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        let tmp = lifecycle
            .rules()
            .iter()
            .find(|r| r.id() == Some("expire-tmp"))
            .unwrap();
        assert_eq!(tmp.expiration().and_then(|e| e.days()), Some(14));
        let ownership = s3
            .get_bucket_ownership_controls()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        assert_eq!(
            ownership.ownership_controls().unwrap().rules()[0]
                .object_ownership()
                .as_str(),
            "BucketOwnerPreferred"
        );
        assert!(changed.state.resources["app-bucket"].deletion.empty_first);
        crate::apply::assert_refreshed_plan_is_empty(&aws, &v2, &changed.state).await;

        // Now destroy empties the bucket (every version) and deletes it.
        let gone = destroy(&aws, &lock, changed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:#?}", gone.failed);
        assert!(gone.state.resources.is_empty());
        let err = s3
            .head_bucket()
            .bucket(bucket)
            .send()
            .await
            .expect_err("the bucket is gone");
        assert!(format!("{err:?}").contains("NotFound"), "{err:?}");
    });
}

/// A multi-region trail with log file validation, a key of the stack and Insights,
/// delivering to a bucket of the stack; step 1 moves its logs under a prefix, step 2
/// also drops an Insights type.
fn audit_stack(step: u8) -> Stack {
    let mut stack = Stack::new("audit").region("us-east-1");
    let logs = stack.add(
        Bucket::new("audit-logs", format!("audit-logs-{ACCOUNT_ID}"))
            .deny_insecure_transport()
            .empty_on_delete(),
    );
    let key = stack.add(KmsKey::new("trail-key").description("audit logs"));
    let trail = Trail::new("trail", "app-trail", &logs)
        .kms_key(&key)
        .insight(InsightType::ApiCallRate)
        .tag("team", "security");
    let trail = if step >= 1 {
        trail.key_prefix("cloudtrail")
    } else {
        trail
    };
    stack.add(if step >= 2 {
        trail
    } else {
        trail.insight(InsightType::ApiErrorRate)
    });
    stack
}

#[test]
fn a_trail_delivers_to_its_bucket_with_the_policies_it_needs_and_is_kept_in_line() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path().join("audit.state.json"));
    let lock = crate::ready(store.lock()).unwrap();
    // What is sent as Insights selectors: moto appends them where AWS replaces them.
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = sent.clone();
    let proxy = crate::fault_proxy::FaultProxy::start(
        &moto.endpoint,
        std::sync::Arc::new(move |_, request: &str| {
            if request.contains("CloudTrail_20131101.PutInsightSelectors") {
                if let Some(body) = request.split("\r\n\r\n").nth(1) {
                    log.lock().unwrap().push(body.to_string());
                }
            }
            crate::fault_proxy::Fault::Pass
        }),
    );
    runtime().block_on(async {
        let mut cfg = config(&moto);
        cfg.endpoint_url = Some(proxy.endpoint.clone());
        let aws = Aws::connect(cfg, Some("us-east-1")).await.unwrap();
        let c = sdk(&moto).await;
        let ct = aws_sdk_cloudtrail::Client::new(&c);
        let stack = audit_stack(0);
        assert_eq!(validate(&stack), vec![]);
        let applied = crate::apply::apply_stack(&aws, &stack, &lock, State::empty("audit")).await;
        let bucket = format!("audit-logs-{}", aws.account_id);

        let trail = ct.get_trail().name("app-trail").send().await.unwrap();
        let trail = trail.trail().unwrap();
        assert_eq!(trail.s3_bucket_name(), Some(bucket.as_str()));
        assert_eq!(trail.is_multi_region_trail(), Some(true));
        assert_eq!(trail.log_file_validation_enabled(), Some(true));
        let key_arn = &applied.state.resources["trail-key"].attributes["arn"];
        assert_eq!(trail.kms_key_id(), Some(key_arn.as_str()));
        let status = ct
            .get_trail_status()
            .name("app-trail")
            .send()
            .await
            .unwrap();
        assert_eq!(status.is_logging(), Some(true));
        let insights = ct
            .get_insight_selectors()
            .trail_name("app-trail")
            .send()
            .await
            .unwrap();
        let mut kinds: Vec<_> = insights
            .insight_selectors()
            .iter()
            .map(|s| s.insight_type().unwrap().as_str().to_string())
            .collect();
        kinds.sort();
        assert_eq!(kinds, ["ApiCallRateInsight", "ApiErrorRateInsight"]);
        let trail_arn = trail.trail_arn().unwrap();
        let tags = ct
            .list_tags()
            .resource_id_list(trail_arn)
            .send()
            .await
            .unwrap();
        assert!(tags.resource_tag_list()[0]
            .tags_list()
            .iter()
            .any(|t| t.key() == "team" && t.value() == Some("security")));
        // The bucket policy lets exactly this trail write, the key policy lets it encrypt.
        let policy = crate::apply::s3_client(&c)
            .get_bucket_policy()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
        let write = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Sid"] == "AWSCloudTrailWrite-app-trail")
            .unwrap();
        assert_eq!(
            write["Resource"],
            format!("arn:aws:s3:::{bucket}/AWSLogs/{}/*", aws.account_id)
        );
        assert_eq!(
            write["Condition"]["StringEquals"]["aws:SourceArn"],
            serde_json::json!([trail_arn])
        );
        let key_policy = aws_sdk_kms::Client::new(&c)
            .get_key_policy()
            .key_id(key_arn)
            .policy_name("default")
            .send()
            .await
            .unwrap();
        assert!(key_policy
            .policy()
            .unwrap()
            .contains("AllowCloudTrailEncrypt-app-trail"));
        crate::apply::assert_refreshed_plan_is_empty(&aws, &stack, &applied.state).await;

        // Drift: logging stopped by hand; apply starts it again.
        ct.stop_logging().name("app-trail").send().await.unwrap();
        let drift = crate::drift::live_plan(&aws, &stack, &applied.state).await;
        let logging = drift
            .actions
            .iter()
            .find(|a| a.address == "trail#logging")
            .unwrap();
        assert_eq!(logging.action, Action::Create, "{}", drift.render_text());
        let fixed = apply(&aws, &drift, &lock, applied.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(fixed.succeeded(), "{:#?}", fixed.failed);
        let status = ct
            .get_trail_status()
            .name("app-trail")
            .send()
            .await
            .unwrap();
        assert_eq!(status.is_logging(), Some(true));

        // A key prefix changes in place (and the bucket policy follows it).
        let v2 = audit_stack(1);
        let change = crate::drift::live_plan(&aws, &v2, &fixed.state).await;
        assert_eq!(change.summary.replace, 0, "{}", change.render_text());
        let changed = apply(&aws, &change, &lock, fixed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        let trail = ct.get_trail().name("app-trail").send().await.unwrap();
        assert_eq!(trail.trail().unwrap().s3_key_prefix(), Some("cloudtrail"));
        crate::apply::assert_refreshed_plan_is_empty(&aws, &v2, &changed.state).await;

        // An Insights type goes: the selectors are sent again, without it.
        sent.lock().unwrap().clear();
        let v3 = audit_stack(2);
        let change = plan(&v3, &changed.state).unwrap();
        let insights = change
            .actions
            .iter()
            .find(|a| a.address == "trail#insights")
            .unwrap();
        assert_eq!(insights.action, Action::Update, "{}", change.render_text());
        let changed = apply(
            &aws,
            &change,
            &lock,
            changed.state,
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        let bodies: Vec<serde_json::Value> = sent
            .lock()
            .unwrap()
            .iter()
            .map(|b| serde_json::from_str(b).unwrap())
            .collect();
        assert_eq!(
            bodies,
            [serde_json::json!({
                "TrailName": "app-trail",
                "InsightSelectors": [{ "InsightType": "ApiCallRateInsight" }]
            })]
        );

        let gone = destroy(&aws, &lock, changed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:#?}", gone.failed);
        let err = ct
            .get_trail()
            .name("app-trail")
            .send()
            .await
            .expect_err("the trail is gone");
        assert!(format!("{err:?}").contains("TrailNotFound"), "{err:?}");
    });
}

/// An OpenSearch domain whose master password is generated into a secret at apply, with
/// an access policy for a role of the stack; `second` adds an instance.
fn search_stack(second: bool) -> Stack {
    let mut stack = Stack::new("search").region("us-east-1");
    let writer = stack.add(Role::new(
        "log-writer",
        Principal::service("lambda.amazonaws.com"),
    ));
    let admin = stack.add(
        Secret::new(
            "search-admin",
            "search/admin",
            SecretValue::generated(Password::new(24).exclude_characters("\"'\\/@")),
        )
        .delete_without_recovery(),
    );
    let key = stack.add(KmsKey::new("search-key"));
    stack.add(
        OpenSearchDomain::new("logs-domain", "app-logs", "OpenSearch_2.13")
            .instances("r6g.large.search", if second { 3 } else { 2 })
            .gp3_storage_gib(100)
            .kms_key(&key)
            .master_user(MasterUser::internal("admin", &admin))
            .access_policy(
                Statement::allow(["es:ESHttpPost", "es:ESHttpPut"])
                    .principal(Principal::Aws(writer.arn().to_string())),
            )
            .tag("team", "observability"),
    );
    stack
}

#[test]
fn an_opensearch_domain_gets_its_master_password_from_a_secret_and_changes_in_place() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let state_path = dir.path().join("search.state.json");
    let store = StateStore::new(&state_path);
    let lock = crate::ready(store.lock()).unwrap();
    // The CreateDomain request as sent: the one place the password may appear.
    let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = sent.clone();
    let proxy = crate::fault_proxy::FaultProxy::start(
        &moto.endpoint,
        std::sync::Arc::new(move |_, request: &str| {
            if request.starts_with("POST /2021-01-01/opensearch/domain ") {
                if let Some(body) = request.split("\r\n\r\n").nth(1) {
                    log.lock().unwrap().push(body.to_string());
                }
            }
            crate::fault_proxy::Fault::Pass
        }),
    );
    runtime().block_on(async {
        let mut cfg = config(&moto);
        cfg.endpoint_url = Some(proxy.endpoint.clone());
        let aws = Aws::connect(cfg, Some("us-east-1")).await.unwrap();
        let c = sdk(&moto).await;
        let search = aws_sdk_opensearch::Client::new(&c);
        let stack = search_stack(false);
        assert_eq!(validate(&stack), vec![]);
        let applied = crate::apply::apply_stack(&aws, &stack, &lock, State::empty("search")).await;

        let domain = search
            .describe_domain()
            .domain_name("app-logs")
            .send()
            .await
            .unwrap();
        let d = domain.domain_status().unwrap();
        assert_eq!(d.engine_version(), Some("OpenSearch_2.13"));
        let cluster = d.cluster_config().unwrap();
        assert_eq!(cluster.instance_count(), Some(2));
        assert_eq!(
            cluster.instance_type().map(|t| t.as_str()),
            Some("r6g.large.search")
        );
        assert_eq!(d.ebs_options().unwrap().volume_size(), Some(100));
        assert_eq!(
            d.node_to_node_encryption_options().unwrap().enabled(),
            Some(true)
        );
        let key_arn = &applied.state.resources["search-key"].attributes["arn"];
        assert_eq!(
            d.encryption_at_rest_options().unwrap().kms_key_id(),
            Some(key_arn.as_str())
        );
        assert_eq!(
            d.domain_endpoint_options().unwrap().enforce_https(),
            Some(true)
        );
        let policy: serde_json::Value = serde_json::from_str(d.access_policies().unwrap()).unwrap();
        let writer_arn = &applied.state.resources["log-writer"].attributes["arn"];
        assert_eq!(
            policy["Statement"][0]["Principal"]["AWS"],
            writer_arn.as_str()
        );
        assert_eq!(
            applied.state.resources["logs-domain"].attributes["endpoint"],
            d.endpoint().unwrap()
        );
        // The password went to OpenSearch as the secret's value, and nowhere else.
        let password = aws_sdk_secretsmanager::Client::new(&c)
            .get_secret_value()
            .secret_id("search/admin")
            .send()
            .await
            .unwrap()
            .secret_string()
            .unwrap()
            .to_string();
        let bodies = sent.lock().unwrap().clone();
        assert_eq!(bodies.len(), 1, "{bodies:?}");
        let body: serde_json::Value = serde_json::from_str(&bodies[0]).unwrap();
        assert_eq!(
            body["AdvancedSecurityOptions"]["MasterUserOptions"]["MasterUserPassword"],
            password.as_str()
        );
        assert!(!std::fs::read_to_string(&state_path)
            .unwrap()
            .contains(&password));
        crate::apply::assert_refreshed_plan_is_empty(&aws, &stack, &applied.state).await;

        // One more instance: in place.
        let v2 = search_stack(true);
        let change = crate::drift::live_plan(&aws, &v2, &applied.state).await;
        let action = change
            .actions
            .iter()
            .find(|a| a.address == "logs-domain")
            .unwrap();
        assert_eq!(action.action, Action::Update, "{}", change.render_text());
        let changed = apply(
            &aws,
            &change,
            &lock,
            applied.state,
            &ApplyOptions::default(),
        )
        .await
        .unwrap();
        assert!(changed.succeeded(), "{:#?}", changed.failed);
        let domain = search
            .describe_domain()
            .domain_name("app-logs")
            .send()
            .await
            .unwrap();
        assert_eq!(
            domain
                .domain_status()
                .unwrap()
                .cluster_config()
                .unwrap()
                .instance_count(),
            Some(3)
        );
        crate::apply::assert_refreshed_plan_is_empty(&aws, &v2, &changed.state).await;

        let gone = destroy(&aws, &lock, changed.state, &ApplyOptions::default())
            .await
            .unwrap();
        assert!(gone.succeeded(), "{:#?}", gone.failed);
        let err = search
            .describe_domain()
            .domain_name("app-logs")
            .send()
            .await
            .expect_err("the domain is gone");
        assert!(format!("{err:?}").contains("ResourceNotFound"), "{err:?}");
    });
}
