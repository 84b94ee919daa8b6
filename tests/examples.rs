//! The examples reproduce their seeds: spot checks of the values the seeds set.

use crate::{fintech, visitor_book};
use ecs_iac::{synth, validate, Synth};
use serde_json::{json, Value};

fn body(synth: &Synth, address: &str) -> Value {
    synth
        .node(address)
        .map(|n| n.body.clone())
        .unwrap_or_else(|| panic!("no node {address}"))
}

#[test]
fn both_examples_validate_without_any_diagnostic() {
    assert_eq!(validate(&visitor_book::stack()), vec![]);
    assert_eq!(validate(&fintech::stack()), vec![]);
}

#[test]
fn visitor_book_matches_seed_002() {
    let s = synth(&visitor_book::stack()).unwrap();
    assert_eq!(body(&s, "app-vpc")["CidrBlock"], "10.0.0.0/16");
    for (name, block, az) in [
        ("public-subnet-1", "10.0.1.0/24", "us-east-1a"),
        ("public-subnet-2", "10.0.2.0/24", "us-east-1b"),
        ("private-app-subnet-1", "10.0.3.0/24", "us-east-1a"),
        ("private-app-subnet-2", "10.0.4.0/24", "us-east-1b"),
        ("private-db-subnet-1", "10.0.5.0/24", "us-east-1a"),
        ("private-db-subnet-2", "10.0.6.0/24", "us-east-1b"),
    ] {
        let b = body(&s, name);
        assert_eq!(
            (b["CidrBlock"].as_str(), b["AvailabilityZone"].as_str()),
            (Some(block), Some(az)),
            "{name}"
        );
    }
    let db = body(&s, "app-postgres");
    assert_eq!(db["DBInstanceClass"], "db.t3.small");
    assert_eq!(db["Engine"], "postgres");
    assert_eq!(db["AllocatedStorage"], 20);
    assert_eq!(db["MultiAZ"], true);
    assert_eq!(db["StorageEncrypted"], true);
    assert_eq!(db["BackupRetentionPeriod"], 7);
    assert_eq!(db["PubliclyAccessible"], false);
    assert_eq!(db["ManageMasterUserPassword"], true);
    assert!(db.get("MasterUserPassword").is_none());

    let task = body(&s, "app-task");
    assert_eq!(
        (
            task["family"].as_str(),
            task["cpu"].as_str(),
            task["memory"].as_str()
        ),
        (Some("app-task"), Some("512"), Some("1024"))
    );
    let c = &task["containerDefinitions"][0];
    assert_eq!(c["portMappings"][0]["containerPort"], 8000);
    assert_eq!(
        c["secrets"],
        json!([
            { "name": "DB_USER", "valueFrom": "${app-postgres.master_user_secret_arn}:username::" },
            { "name": "DB_PASSWORD", "valueFrom": "${app-postgres.master_user_secret_arn}:password::" },
        ])
    );
    assert_eq!(
        c["environment"][0],
        json!({ "name": "DB_HOST", "value": "${app-postgres.address}" })
    );
    assert!(s
        .node("app-task")
        .is_some_and(|n| n.depends_on.contains(&"app-postgres".to_string())));
    assert_eq!(
        c["logConfiguration"]["options"]["awslogs-group"],
        "/ecs/visitor-book"
    );
    assert_eq!(body(&s, "app-logs#retention")["retentionInDays"], 30);

    let tg = body(&s, "app-tg");
    assert_eq!(tg["TargetType"], "ip");
    assert_eq!(tg["HealthCheckPath"], "/health");
    assert_eq!(
        [
            &tg["HealthCheckIntervalSeconds"],
            &tg["HealthCheckTimeoutSeconds"],
            &tg["HealthyThresholdCount"],
            &tg["UnhealthyThresholdCount"]
        ],
        [&json!(30), &json!(5), &json!(2), &json!(2)]
    );
    assert_eq!(body(&s, "app-https-listener")["Protocol"], "HTTPS");
    assert_eq!(
        body(&s, "app-http-listener")["DefaultActions"][0]["Type"],
        "redirect"
    );

    let svc = body(&s, "app-service");
    assert_eq!(svc["desiredCount"], 2);
    assert_eq!(svc["healthCheckGracePeriodSeconds"], 60);
    assert_eq!(svc["enableExecuteCommand"], true);
    assert_eq!(
        svc["deploymentConfiguration"],
        json!({ "deploymentCircuitBreaker": { "enable": true, "rollback": true }, "maximumPercent": 200, "minimumHealthyPercent": 100 })
    );
    let scaling = body(&s, "app-service-scaling");
    assert_eq!(
        (
            scaling["MinCapacity"].as_u64(),
            scaling["MaxCapacity"].as_u64()
        ),
        (Some(2), Some(10))
    );
    assert_eq!(scaling["ResourceId"], "service/app-cluster/app-service");
    let policy = body(&s, "app-cpu-scaling")["TargetTrackingScalingPolicyConfiguration"].clone();
    assert_eq!(policy["TargetValue"], 70.0);
    assert_eq!(
        (
            policy["ScaleOutCooldown"].as_u64(),
            policy["ScaleInCooldown"].as_u64()
        ),
        (Some(60), Some(60))
    );

    // Security group chain ALB 80/443 → app 8000 → DB 5432.
    let alb_in = body(&s, "alb-sg#ingress")["IpPermissions"].clone();
    assert_eq!(
        (
            alb_in[0]["FromPort"].as_u64(),
            alb_in[1]["FromPort"].as_u64()
        ),
        (Some(443), Some(80))
    );
    assert_eq!(
        body(&s, "alb-sg#egress")["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"],
        "${ecs-sg.id}"
    );
    assert_eq!(
        body(&s, "ecs-sg#ingress")["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"],
        "${alb-sg.id}"
    );
    assert_eq!(
        body(&s, "rds-sg#ingress")["IpPermissions"][0]["FromPort"],
        5432
    );
    assert!(s.node("rds-sg#default-egress").is_some() && s.node("rds-sg#egress").is_none());

    let high_cpu = body(&s, "ecs-high-cpu");
    assert_eq!(
        (
            high_cpu["Threshold"].as_f64(),
            high_cpu["EvaluationPeriods"].as_u64()
        ),
        (Some(85.0), Some(3))
    );
    assert_eq!(body(&s, "api-high-error-rate")["Threshold"], 10.0);
}

#[test]
fn fintech_matches_seed_000() {
    let s = synth(&fintech::stack()).unwrap();
    let expected = [
        ("api-gateway", Some(3030), "512", "1024"),
        ("user-service", Some(8081), "256", "512"),
        ("transaction-service", Some(4002), "256", "512"),
        ("llm-service", Some(8000), "512", "1024"),
        ("rag-service", Some(8001), "512", "1024"),
        ("tools-service", Some(8002), "256", "512"),
        ("frontend", Some(80), "256", "512"),
        ("model-registry", Some(8050), "256", "512"),
        ("model-retrain", None, "512", "1024"),
        ("mock-external-api", Some(4005), "256", "512"),
    ];
    for (name, port, cpu, memory) in expected {
        let task = body(&s, &format!("fake-fintech-{name}"));
        assert_eq!(
            (task["cpu"].as_str(), task["memory"].as_str()),
            (Some(cpu), Some(memory)),
            "{name}"
        );
        let app = &task["containerDefinitions"][0];
        let sidecar = &task["containerDefinitions"][1];
        assert_eq!(sidecar["name"], "filebeat", "{name}");
        assert_eq!(sidecar["essential"], false);
        assert_eq!(
            app["logConfiguration"]["options"]["awslogs-group"],
            format!("/ecs/fake-fintech/{name}")
        );
        match port {
            Some(p) => {
                assert_eq!(app["portMappings"][0]["containerPort"], p, "{name}");
                let check = app["healthCheck"]["command"][1]
                    .as_str()
                    .unwrap_or_default();
                assert!(
                    check.contains(&format!("localhost:{p}/health")),
                    "{name}: {check}"
                );
            }
            None => assert!(app.get("portMappings").is_none()),
        }
        let svc = body(&s, name);
        assert_eq!(svc["desiredCount"], 2);
        assert_eq!(svc["cluster"], "fake-fintech-cluster");
        assert_eq!(
            svc["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"],
            "ENABLED"
        );
    }
    let llm = body(&s, "fake-fintech-llm-service");
    let secrets: Vec<&str> = llm["containerDefinitions"][0]["secrets"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(secrets, ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]);
    // OWASP-LLM-08, faithfully over-privileged.
    let policy = body(&s, "fake-fintech-ecs-task-role#policy:over-privileged")["PolicyDocument"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        policy.contains("\"s3:*\"") && policy.contains("\"Resource\":\"*\""),
        "{policy}"
    );
}
