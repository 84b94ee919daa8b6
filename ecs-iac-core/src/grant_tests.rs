//! Least-privilege grants: the exact statements, ARNs, actions, ports and source groups
//! they render to, merged and deduplicated.

use crate::grant::GRANTS_POLICY;
use crate::lint::{lint, LintRule};
use crate::prelude::*;
use crate::{GrantError, Rule};
use serde_json::{json, Value};

struct Fixture {
    stack: Stack,
    a: Ref<Subnet>,
    b: Ref<Subnet>,
    app_sg: Ref<SecurityGroup>,
    db_sg: Ref<SecurityGroup>,
    exec: Ref<Role>,
    task_role: Ref<Role>,
    logs: Ref<LogGroup>,
    db_url: Ref<SecretRef>,
    api_key: Ref<SecretRef>,
    task: Ref<TaskDefinition>,
    service: Ref<Service>,
}

const API_KEY_ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf";

fn fixture(restrict_app_egress: bool) -> Fixture {
    let mut stack = Stack::new("g").region("us-east-1");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
    let a = stack.add(Subnet::private(
        "a",
        &vpc,
        cidr("10.0.1.0/24"),
        Az::US_EAST_1A,
    ));
    let b = stack.add(Subnet::private(
        "b",
        &vpc,
        cidr("10.0.2.0/24"),
        Az::US_EAST_1B,
    ));
    let app_sg = SecurityGroup::new("app-sg", &vpc);
    let app_sg = stack.add(if restrict_app_egress {
        app_sg.egress(Peer::any_ipv4(), Port::tcp(443))
    } else {
        app_sg
    });
    let other_sg = stack.add(SecurityGroup::new("other-sg", &vpc));
    let db_sg = stack.add(SecurityGroup::new("db-sg", &vpc).no_egress());
    let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
    let task_role = stack.add(Role::new("task-role", Principal::ecs_tasks()));
    let logs = stack.add(LogGroup::new("logs", "/ecs/g").retention_days(30));
    // Added in reverse name order, to show statements sort resources by name.
    let db_url = stack.add(SecretRef::by_name("z-db-url", "g/database-url"));
    let api_key = stack.add(SecretRef::by_arn("api-key", API_KEY_ARN));
    let task = stack.add(
        TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
            .execution_role(&exec)
            .task_role(&task_role)
            .container(
                Container::new("app", image("app:1.0.0"))
                    .port(8080)
                    .secret("DATABASE_URL", &db_url)
                    .secret("API_KEY", &api_key)
                    .logs(LogConfig::awslogs(&logs, "app")),
            ),
    );
    let cluster = stack.add(Cluster::new("cluster"));
    let service = stack.add(
        Service::new("svc", &cluster, &task)
            .subnets([&a, &b])
            .security_group(&app_sg)
            .security_group(&other_sg),
    );
    Fixture {
        stack,
        a,
        b,
        app_sg,
        db_sg,
        exec,
        task_role,
        logs,
        db_url,
        api_key,
        task,
        service,
    }
}

/// The parsed policy document of the grants policy of `role`.
fn grants_policy(stack: &Stack, role: &str) -> Value {
    let synth = synth(stack).unwrap();
    let node = synth
        .node(&format!("{role}#policy:{GRANTS_POLICY}"))
        .unwrap_or_else(|| panic!("no grants policy on {role}"));
    assert_eq!(node.operation.to_string(), "iam:PutRolePolicy");
    assert_eq!(node.body["PolicyName"], GRANTS_POLICY);
    assert_eq!(node.body["RoleName"], role);
    serde_json::from_str(node.body["PolicyDocument"].as_str().unwrap()).unwrap()
}

#[test]
fn grant_read_adds_get_secret_value_on_the_exact_arn_to_the_execution_role() {
    let mut f = fixture(false);
    f.stack.grant(f.db_url.grant_read(&f.task)).unwrap();
    assert_eq!(
        grants_policy(&f.stack, "exec"),
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "ReadSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "${z-db-url.arn}",
            }],
        })
    );
    let synth = synth(&f.stack).unwrap();
    // The task role got nothing; the policy waits for the secret's lookup.
    assert!(synth
        .node(&format!("task-role#policy:{GRANTS_POLICY}"))
        .is_none());
    let policy = synth.node(&format!("exec#policy:{GRANTS_POLICY}")).unwrap();
    assert_eq!(policy.depends_on, ["exec", "z-db-url"]);
    // The task definition is registered after the grant exists.
    let task = synth.node("task").unwrap();
    assert!(task
        .depends_on
        .contains(&format!("exec#policy:{GRANTS_POLICY}")));
    let position = |a: &str| synth.nodes.iter().position(|n| n.address == a).unwrap();
    assert!(position(&format!("exec#policy:{GRANTS_POLICY}")) < position("task"));
}

#[test]
fn grants_merge_into_one_policy_per_role_sorted_and_without_duplicates() {
    let mut f = fixture(false);
    for _ in 0..2 {
        f.stack.grant(f.db_url.grant_read(&f.task)).unwrap();
        f.stack.grant(f.api_key.grant_read(&f.task)).unwrap();
        f.stack.grant(f.logs.grant_write(&f.exec)).unwrap();
        f.stack.grant(f.api_key.grant_read_to(&f.exec)).unwrap();
    }
    f.stack.grant(f.logs.grant_write(&f.task_role)).unwrap();
    let exec = f.stack.get(&f.exec).unwrap();
    assert_eq!(exec.grants.len(), 3);
    assert_eq!(
        grants_policy(&f.stack, "exec"),
        json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadSecrets",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": [API_KEY_ARN, "${z-db-url.arn}"],
                },
                {
                    "Sid": "WriteLogs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": "arn:aws:logs:us-east-1:${aws.account_id}:log-group:/ecs/g:*",
                },
            ],
        })
    );
    assert_eq!(
        grants_policy(&f.stack, "task-role")["Statement"],
        json!([{
            "Sid": "WriteLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:aws:logs:us-east-1:${aws.account_id}:log-group:/ecs/g:*",
        }])
    );
    // Granting in another order renders the same bytes.
    let mut g = fixture(false);
    g.stack.grant(g.logs.grant_write(&g.task_role)).unwrap();
    g.stack.grant(g.logs.grant_write(&g.exec)).unwrap();
    g.stack.grant(g.api_key.grant_read(&g.task)).unwrap();
    g.stack.grant(g.db_url.grant_read(&g.task)).unwrap();
    assert_eq!(synth(&f.stack).unwrap(), synth(&g.stack).unwrap());
    // Scoped grants are lint-clean IAM.
    let report = lint(&f.stack);
    for rule in [
        LintRule::IamWildcardAction,
        LintRule::IamWildcardResource,
        LintRule::IamPassRoleWildcard,
    ] {
        assert_eq!(report.of(rule).count(), 0, "{rule}");
    }
    assert!(validate(&f.stack).iter().all(|d| !d.is_error()));
}

#[test]
fn db_allow_from_adds_one_rule_on_the_db_port_from_the_service_group() {
    let mut f = fixture(false);
    let subnets = f.stack.add(DbSubnetGroup::new("db-subnets", [&f.a, &f.b]));
    let second = f.stack.add(SecurityGroup::new("db-sg-2", &{
        let sg = f.stack.get(&f.db_sg).unwrap();
        sg.vpc().clone()
    }));
    let db = f.stack.add(
        DbInstance::new(
            "db",
            DbEngine::Postgres,
            DbInstanceClass::T3_SMALL,
            20,
            &subnets,
            "app",
            MasterPassword::ManagedBySecretsManager,
        )
        .security_group(&f.db_sg)
        .security_group(&second),
    );
    f.stack.grant(db.allow_from(&f.service)).unwrap();
    f.stack.grant(db.allow_from(&f.service)).unwrap();
    let synth = synth(&f.stack).unwrap();
    let ingress = synth.node("db-sg#ingress").unwrap();
    assert_eq!(
        ingress.body,
        json!({
            "GroupId": "${db-sg.id}",
            "IpPermissions": [{
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "UserIdGroupPairs": [{
                    "GroupId": "${app-sg.id}",
                    "Description": "ecs-iac grant: db from service svc",
                }],
            }],
        })
    );
    assert_eq!(ingress.depends_on, ["app-sg", "db-sg"]);
    // Only the first group of each side; the service keeps AWS's default egress.
    assert!(synth.node("db-sg-2#ingress").is_none());
    assert!(synth.node("app-sg#egress").is_none());
    assert!(synth.node("other-sg#ingress").is_none());
    assert!(validate(&f.stack).iter().all(|d| !d.is_error()));
}

#[test]
fn allow_from_adds_egress_when_the_service_group_restricts_it_and_uses_the_configured_port() {
    let mut f = fixture(true);
    let subnets = f.stack.add(DbSubnetGroup::new("db-subnets", [&f.a, &f.b]));
    let db = f.stack.add(
        DbInstance::new(
            "db",
            DbEngine::MySql,
            DbInstanceClass::T3_SMALL,
            20,
            &subnets,
            "app",
            MasterPassword::ManagedBySecretsManager,
        )
        .port(6033)
        .security_group(&f.db_sg),
    );
    f.stack.grant(db.allow_from(&f.service)).unwrap();
    f.stack.grant(db.allow_from(&f.service)).unwrap();
    let synth = synth(&f.stack).unwrap();
    let rule = &synth.node("db-sg#ingress").unwrap().body["IpPermissions"];
    assert_eq!(rule.as_array().unwrap().len(), 1);
    assert_eq!(rule[0]["FromPort"], 6033);
    assert_eq!(rule[0]["ToPort"], 6033);
    let egress = &synth.node("app-sg#egress").unwrap().body["IpPermissions"];
    assert_eq!(egress.as_array().unwrap().len(), 2);
    assert_eq!(egress[0]["IpRanges"][0]["CidrIp"], "0.0.0.0/0");
    assert_eq!(
        egress[1],
        json!({
            "IpProtocol": "tcp",
            "FromPort": 6033,
            "ToPort": 6033,
            "UserIdGroupPairs": [{
                "GroupId": "${db-sg.id}",
                "Description": "ecs-iac grant: db from service svc",
            }],
        })
    );
}

#[test]
fn cache_allow_from_uses_6379_or_the_configured_port() {
    for (port, expected) in [(None, 6379), (Some(6380), 6380)] {
        let mut f = fixture(false);
        let group = f
            .stack
            .add(CacheSubnetGroup::new("cache-subnets", [&f.a, &f.b]));
        let mut cache =
            ReplicationGroup::new("redis", CacheEngine::Valkey, "cache.t4g.micro", &group)
                .security_group(&f.db_sg);
        if let Some(p) = port {
            cache = cache.port(p);
        }
        let cache = f.stack.add(cache);
        f.stack.grant(cache.allow_from(&f.service)).unwrap();
        let synth = synth(&f.stack).unwrap();
        let rule = &synth.node("db-sg#ingress").unwrap().body["IpPermissions"][0];
        assert_eq!(rule["FromPort"], expected);
        assert_eq!(rule["ToPort"], expected);
        assert_eq!(rule["IpProtocol"], "tcp");
        assert_eq!(rule["UserIdGroupPairs"][0]["GroupId"], "${app-sg.id}");
    }
}

#[test]
fn grants_that_cannot_apply_say_why_and_change_nothing() {
    let mut f = fixture(false);
    let bare = f.stack.add(
        TaskDefinition::fargate("bare", Fargate::CPU_256_MEM_512)
            .container(Container::new("app", image("app:1"))),
    );
    let before = synth(&f.stack).unwrap();
    assert_eq!(
        f.stack.grant(f.db_url.grant_read(&bare)).unwrap_err(),
        GrantError::NoExecutionRole {
            address: "bare".into(),
            secret: "z-db-url".into()
        }
    );
    let mut other = Stack::new("other");
    let foreign = other.add(SecretRef::by_name("s", "s"));
    let err = f.stack.grant(foreign.grant_read(&f.task)).unwrap_err();
    assert!(matches!(err, GrantError::UnknownReference { .. }));
    assert!(err.to_string().contains("not in stack `g`"));

    let subnets = f.stack.add(DbSubnetGroup::new("db-subnets", [&f.a, &f.b]));
    let no_group = f.stack.add(DbInstance::new(
        "db",
        DbEngine::Postgres,
        DbInstanceClass::T3_SMALL,
        20,
        &subnets,
        "app",
        MasterPassword::ManagedBySecretsManager,
    ));
    let err = f.stack.grant(no_group.allow_from(&f.service)).unwrap_err();
    assert!(matches!(err, GrantError::NoSecurityGroup { ref address, .. } if address == "db"));
    let odd = f.stack.add(
        DbInstance::new(
            "odd",
            DbEngine::Other("sqlserver-ex".into()),
            DbInstanceClass::T3_SMALL,
            20,
            &subnets,
            "app",
            MasterPassword::ManagedBySecretsManager,
        )
        .security_group(&f.db_sg),
    );
    assert!(matches!(
        f.stack.grant(odd.allow_from(&f.service)).unwrap_err(),
        GrantError::UnknownPort { .. }
    ));
    let cluster = f.stack.add(Cluster::new("c2"));
    let lonely = f
        .stack
        .add(Service::new("lonely", &cluster, &f.task).subnets([&f.a]));
    let with_group = f.stack.add(
        DbInstance::new(
            "db2",
            DbEngine::Postgres,
            DbInstanceClass::T3_SMALL,
            20,
            &subnets,
            "app",
            MasterPassword::ManagedBySecretsManager,
        )
        .security_group(&f.db_sg),
    );
    let err = f.stack.grant(with_group.allow_from(&lonely)).unwrap_err();
    assert!(matches!(err, GrantError::NoSecurityGroup { ref address, .. } if address == "lonely"));
    // None of the failed grants changed a request that existed before.
    let after = synth(&f.stack).unwrap();
    for node in &before.nodes {
        assert_eq!(after.node(&node.address), Some(node), "{}", node.address);
    }
    assert!(after.node("db-sg#ingress").is_none());
}

#[test]
fn the_grants_policy_name_is_reserved_once_a_role_has_grants() {
    let mut f = fixture(false);
    let exec = f.exec.clone();
    f.stack.modify(&exec, |r| {
        r.inline_policy(GRANTS_POLICY, PolicyDocument::new())
    });
    assert!(validate(&f.stack).is_empty());
    f.stack.grant(f.db_url.grant_read(&f.task)).unwrap();
    let d = validate(&f.stack);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].rule, Rule::DuplicateName);
    assert_eq!(d[0].path, "inlinePolicies[0].PolicyName");
}

#[test]
fn grants_show_in_the_plan_as_their_own_request() {
    let mut f = fixture(false);
    let before = plan(&f.stack, &State::empty("g")).unwrap();
    f.stack.grant(f.db_url.grant_read(&f.task)).unwrap();
    let after = plan(&f.stack, &State::empty("g")).unwrap();
    assert_eq!(after.actions.len(), before.actions.len() + 1);
    assert!(after
        .actions
        .iter()
        .any(|a| a.address == format!("exec#policy:{GRANTS_POLICY}")));
    let _ = (&f.app_sg, &f.api_key);
}

#[test]
fn reading_a_secret_under_a_customer_key_also_grants_decrypt_on_that_key() {
    let mut stack = Stack::new("g").region("us-east-1");
    let key = stack.add(KmsKey::existing("secrets-key", "alias/platform-secrets"));
    let secret = stack.add(SecretRef::by_name("token", "g/token").encrypted_with(&key));
    let plain = stack.add(SecretRef::by_name("plain", "g/plain"));
    let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
    let task = stack.add(
        TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
            .execution_role(&exec)
            .container(
                Container::new("app", image("app:1.0.0"))
                    .secret("TOKEN", &secret)
                    .secret("PLAIN", &plain),
            ),
    );
    stack.grant(secret.grant_read(&task)).unwrap();
    stack.grant(plain.grant_read(&task)).unwrap();
    assert_eq!(
        grants_policy(&stack, "exec"),
        json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadSecrets",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": ["${plain.arn}", "${token.arn}"],
                },
                {
                    "Sid": "DecryptWithKeys",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": "${secrets-key.arn}",
                },
            ],
        })
    );
}
