//! References to things the stack does not own, written as literal ARNs in its requests:
//! certificates, managed policies, KMS keys, roles and secrets given by ARN. Apply reads
//! every one of them before its first change ([`external_references`] lists them), so a
//! missing one stops the run with nothing created.

use crate::kind::Kind;
use crate::plan::{Action, Plan};
use crate::requests::elbv2::{Certificate, CreateListener};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// What an external reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalKind {
    /// An ACM certificate (`acm:DescribeCertificate`).
    Certificate,
    /// An IAM managed policy (`iam:GetPolicy`).
    ManagedPolicy,
    /// A KMS key, by key or alias ARN (`kms:DescribeKey`).
    KmsKey,
    /// An IAM role (`iam:GetRole`).
    Role,
    /// A Secrets Manager secret (`secretsmanager:DescribeSecret`).
    Secret,
}

impl ExternalKind {
    /// How messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            ExternalKind::Certificate => "ACM certificate",
            ExternalKind::ManagedPolicy => "managed policy",
            ExternalKind::KmsKey => "KMS key",
            ExternalKind::Role => "IAM role",
            ExternalKind::Secret => "secret",
        }
    }
}

/// One thing the stack's requests name and do not create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalRef {
    /// What it is.
    pub kind: ExternalKind,
    /// Its ARN (or alias), as written.
    pub id: String,
    /// The node addresses and fields that use it, in plan order.
    pub used_by: Vec<(String, String)>,
}

/// Every literal ARN of a thing the stack does not own that the plan's creates and
/// updates send, once each. Values with placeholders come from the stack's own resources
/// and are not listed.
pub fn external_references(plan: &Plan) -> Vec<ExternalRef> {
    let mut found: BTreeMap<(ExternalKind, String), Vec<(String, String)>> = BTreeMap::new();
    let mut order: Vec<(ExternalKind, String)> = Vec::new();
    for a in &plan.actions {
        if matches!(a.action, Action::NoOp | Action::Delete | Action::Forget) {
            continue;
        }
        let Some(body) = &a.after else { continue };
        for (kind, path, id) in references_in(a.kind, body) {
            if id.contains("${") || id.is_empty() {
                continue;
            }
            let key = (kind, id);
            let users = found.entry(key.clone()).or_insert_with(|| {
                order.push(key.clone());
                Vec::new()
            });
            users.push((a.address.clone(), path));
        }
    }
    order
        .into_iter()
        .map(|key| {
            let used_by = found.remove(&key).unwrap_or_default();
            ExternalRef {
                kind: key.0,
                id: key.1,
                used_by,
            }
        })
        .collect()
}

/// The external references one request of `kind` makes: (kind, field path, id).
fn references_in(kind: Kind, body: &Value) -> Vec<(ExternalKind, String, String)> {
    let mut out = Vec::new();
    let text = |v: &Value| v.as_str().map(str::to_string);
    match kind {
        Kind::LISTENER => {
            let (field, member) = (
                CreateListener::FIELD.certificates,
                Certificate::FIELD.certificate_arn,
            );
            for (i, c) in array(body, field).iter().enumerate() {
                if let Some(arn) = c.get(member).and_then(text) {
                    if arn.starts_with("arn:") && arn.contains(":acm:") {
                        out.push((
                            ExternalKind::Certificate,
                            format!("{field}[{i}].{member}"),
                            arn,
                        ));
                    }
                }
            }
        }
        Kind::ROLE_POLICY_ATTACHMENT => {
            if let Some(arn) = body.get("PolicyArn").and_then(text) {
                out.push((ExternalKind::ManagedPolicy, "PolicyArn".into(), arn));
            }
        }
        Kind::LOG_GROUP => {
            if let Some(key) = body.get("kmsKeyId").and_then(text) {
                out.push((ExternalKind::KmsKey, "kmsKeyId".into(), key));
            }
        }
        Kind::TASK_DEFINITION => {
            for field in ["executionRoleArn", "taskRoleArn"] {
                if let Some(arn) = body.get(field).and_then(text) {
                    out.push((ExternalKind::Role, field.into(), arn));
                }
            }
            for (i, c) in array(body, "containerDefinitions").iter().enumerate() {
                for (j, s) in array(c, "secrets").iter().enumerate() {
                    let Some(from) = s.get("valueFrom").and_then(text) else {
                        continue;
                    };
                    if let Some(arn) = secret_arn(&from) {
                        out.push((
                            ExternalKind::Secret,
                            format!("containerDefinitions[{i}].secrets[{j}].valueFrom"),
                            arn,
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    out
}

fn array<'a>(body: &'a Value, field: &str) -> &'a [Value] {
    body.get(field)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The secret's ARN in a Secrets Manager `valueFrom` (`arn:…:secret:NAME-AbCdEf`, maybe
/// followed by `:KEY:STAGE:VERSION`); `None` for SSM parameters and placeholders.
fn secret_arn(value_from: &str) -> Option<String> {
    let parts: Vec<&str> = value_from.split(':').collect();
    (parts.len() >= 7 && parts[0] == "arn" && parts[2] == "secretsmanager" && parts[5] == "secret")
        .then(|| parts[..7].join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    #[test]
    fn literal_arns_are_listed_once_with_their_users() {
        let mut stack = Stack::new("t").region("us-east-1");
        let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
        let a = stack.add(Subnet::public(
            "a",
            &vpc,
            cidr("10.0.1.0/24"),
            Az::US_EAST_1A,
        ));
        let b = stack.add(Subnet::public(
            "b",
            &vpc,
            cidr("10.0.2.0/24"),
            Az::US_EAST_1B,
        ));
        let sg = stack.add(SecurityGroup::new("sg", &vpc));
        let alb = stack.add(LoadBalancer::application("alb", [&a, &b], [&sg]));
        let tg = stack.add(TargetGroup::new("tg", HttpProtocol::Http, 80, &vpc));
        let cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
        stack.add(Listener::https(
            "https",
            &alb,
            443,
            cert,
            ListenerAction::forward(&tg),
        ));
        let secret = stack.add(SecretRef::by_arn(
            "token",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf",
        ));
        let exec = stack.add(
            Role::new("exec", Principal::ecs_tasks())
                .managed_policy(ManagedPolicy::ecs_task_execution()),
        );
        stack.add(
            TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                .execution_role(&exec)
                .container(
                    Container::new("app", image("app:1"))
                        .secret("TOKEN", &secret)
                        .secret_key("USER", &secret, "user"),
                ),
        );
        stack
            .add(LogGroup::new("logs", "/x").kms_key("arn:aws:kms:us-east-1:123456789012:key/k-1"));
        let plan = crate::plan(&stack, &State::empty("t")).unwrap();
        let refs = external_references(&plan);
        let shown: Vec<(ExternalKind, &str, usize)> = refs
            .iter()
            .map(|r| (r.kind, r.id.as_str(), r.used_by.len()))
            .collect();
        assert!(
            shown.contains(&(ExternalKind::Certificate, cert, 1)),
            "{shown:?}"
        );
        assert!(shown.contains(&(
            ExternalKind::ManagedPolicy,
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            1
        )));
        assert!(shown.contains(&(
            ExternalKind::Secret,
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf",
            2
        )));
        assert!(shown.contains(&(
            ExternalKind::KmsKey,
            "arn:aws:kms:us-east-1:123456789012:key/k-1",
            1
        )));
        // The execution role is the stack's own (a placeholder): not listed.
        assert!(!shown.iter().any(|(k, ..)| *k == ExternalKind::Role));
        assert_eq!(secret_arn("arn:aws:ssm:us-east-1:1:parameter/x"), None);
    }
}
