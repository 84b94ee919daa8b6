//! KMS keys: owned symmetric keys (key policy, rotation, an alias) and existing ones the
//! stack only uses (found by key id, ARN or alias). Wherever a kind takes a key (log
//! groups, SNS topics, ECR repositories) it takes `key.arn()`.

use super::iam::{HasArn, Role};
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{protection_setters, tag_setter, Cx, Protection, ResourceSpec, ACCOUNT_ID};
use crate::requests::kms::{CreateAlias, CreateKey, DescribeKey, EnableKeyRotation};
use crate::stack::{Meta, Ref};
use crate::value::Attr;
use serde_json::json;

/// The KMS actions a service or role needs to encrypt and decrypt with a key.
const USE_ACTIONS: [&str; 5] = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
];

/// A KMS key.
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let key = stack.add(
///     KmsKey::new("logs-key")
///         .description("Encrypts the shop's logs")
///         .alias("alias/shop-logs")
///         .allow_cloudwatch_logs(),
/// );
/// stack.add(LogGroup::new("logs", "/ecs/shop").retention_days(30).kms_key(key.arn()));
/// let synth = synth(&stack).unwrap();
/// assert_eq!(synth.node("logs-key#rotation").unwrap().body["KeyId"], "${logs-key.id}");
/// assert_eq!(synth.node("logs-key#alias").unwrap().body["AliasName"], "alias/shop-logs");
/// assert_eq!(synth.node("logs").unwrap().body["kmsKeyId"], "${logs-key.arn}");
/// ```
#[derive(Debug, Clone)]
pub struct KmsKey {
    pub(crate) meta: Meta,
    /// For an existing key: its id, ARN or alias.
    pub(crate) existing: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) rotation: bool,
    pub(crate) alias: Option<String>,
    pub(crate) services: Vec<String>,
    pub(crate) logs_service: bool,
    pub(crate) roles: Vec<Ref<Role>>,
    pub(crate) protection: Protection,
}

impl KmsKey {
    /// A symmetric encryption key the stack owns, rotated yearly. Its key policy lets the
    /// account's IAM policies grant its use (AWS's default key policy) plus the services
    /// and roles allowed with [`KmsKey::allow_service`] and [`KmsKey::allow_role`]. What
    /// it encrypted is unreadable once it is gone: a plan that would replace or delete it
    /// is blocked unless `.allow_replacement()` / `.allow_destroy()`, and deleting it
    /// schedules the deletion (AWS's 30 days), which can be cancelled.
    pub fn new(name: impl Into<String>) -> KmsKey {
        KmsKey {
            meta: Meta::new(name),
            existing: None,
            description: None,
            rotation: true,
            alias: None,
            services: Vec::new(),
            logs_service: false,
            roles: Vec::new(),
            protection: Protection::default(),
        }
    }

    /// The key `key`: its id (`1234abcd-…`), its ARN, an alias (`alias/app-logs`) or an
    /// alias ARN. `DescribeKey` resolves an alias to the key it points at. Looked up
    /// before every apply, never changed, forgotten by `destroy`.
    pub fn existing(name: impl Into<String>, key: impl Into<String>) -> KmsKey {
        KmsKey {
            existing: Some(key.into()),
            ..KmsKey::new(name)
        }
    }

    /// What the key is for (at most 8192 characters).
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> KmsKey {
        self.description = Some(description.into());
        self
    }

    /// Yearly automatic rotation of the key material (on by default).
    #[must_use]
    pub fn rotation(mut self, enabled: bool) -> KmsKey {
        self.rotation = enabled;
        self
    }

    /// An alias naming the key (`alias/shop-logs`; `alias/aws/…` is AWS's).
    #[must_use]
    pub fn alias(mut self, alias: impl Into<String>) -> KmsKey {
        let alias = alias.into();
        self.alias = Some(if alias.starts_with("alias/") {
            alias
        } else {
            format!("alias/{alias}")
        });
        self
    }

    /// Lets an AWS service principal (`sns.amazonaws.com`, `cloudwatch.amazonaws.com`)
    /// encrypt and decrypt with the key.
    #[must_use]
    pub fn allow_service(mut self, service: impl Into<String>) -> KmsKey {
        self.services.push(service.into());
        self
    }

    /// Lets CloudWatch Logs of the stack's region (`logs.REGION.amazonaws.com`) use the
    /// key, as a log group encrypted with it requires.
    #[must_use]
    pub fn allow_cloudwatch_logs(mut self) -> KmsKey {
        self.logs_service = true;
        self
    }

    /// Lets a role of the stack encrypt and decrypt with the key through the key policy
    /// (without an IAM grant). For decrypting only, prefer `key.grant_decrypt(&role)`.
    #[must_use]
    pub fn allow_role(mut self, role: &Ref<Role>) -> KmsKey {
        self.roles.push(role.clone());
        self
    }

    /// How many days a deleted key can still be recovered (`cancel-key-deletion`) before
    /// AWS destroys it: 7 to 30 (AWS's default: 30). The state records it, so the delete
    /// uses it even after the key has left the stack.
    #[must_use]
    pub fn deletion_window_days(mut self, days: u8) -> KmsKey {
        self.protection.deletion.window_days = Some(days);
        self
    }

    /// Whether the stack owns it (not [`KmsKey::existing`]).
    pub fn is_owned(&self) -> bool {
        self.existing.is_none()
    }

    /// Whether the key material rotates yearly.
    pub fn rotates(&self) -> bool {
        self.rotation
    }

    /// The key policy: the account root (so IAM policies can grant use), then each
    /// allowed service and role.
    fn policy(&self, cx: &Cx<'_>, node: &mut crate::lower::NodeBuilder<'_>) -> String {
        let mut statements = vec![json!({
            "Sid": "EnableIamPolicies",
            "Effect": "Allow",
            "Principal": { "AWS": format!("arn:{}:iam::{ACCOUNT_ID}:root", cx.partition()) },
            "Action": "kms:*",
            "Resource": "*",
        })];
        let mut services = self.services.clone();
        if self.logs_service {
            services.push(format!("logs.{}.amazonaws.com", cx.region()));
        }
        for service in services {
            statements.push(json!({
                "Sid": format!("AllowService{}", service.split('.').next().unwrap_or_default()),
                "Effect": "Allow",
                "Principal": { "Service": service },
                "Action": USE_ACTIONS,
                "Resource": "*",
            }));
        }
        for (i, role) in self.roles.iter().enumerate() {
            node.target(
                &format!("{}.Statement[roles][{i}]", CreateKey::FIELD.policy),
                role,
            );
            let arn = crate::lower::placeholder(role.name(), "arn");
            statements.push(json!({
                "Sid": format!("AllowRole{i}"),
                "Effect": "Allow",
                "Principal": { "AWS": arn },
                "Action": USE_ACTIONS,
                "Resource": "*",
            }));
        }
        // What the stack's trails need to encrypt their logs with the key.
        for trail in cx.stack.resources().filter_map(|r| match r {
            crate::stack::AnyResource::Trail(t) if t.encrypts_with(&self.meta.name) => Some(t),
            _ => None,
        }) {
            let source = trail.arn_in(cx);
            statements.push(json!({
                "Sid": format!("AllowCloudTrailEncrypt-{}", trail.trail_name()),
                "Effect": "Allow",
                "Principal": { "Service": "cloudtrail.amazonaws.com" },
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": { "aws:SourceArn": source },
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": format!(
                            "arn:{}:cloudtrail:*:{ACCOUNT_ID}:trail/*",
                            cx.partition()
                        ),
                    },
                },
            }));
            statements.push(json!({
                "Sid": format!("AllowCloudTrailDescribe-{}", trail.trail_name()),
                "Effect": "Allow",
                "Principal": { "Service": "cloudtrail.amazonaws.com" },
                "Action": "kms:DescribeKey",
                "Resource": "*",
            }));
        }
        json!({ "Version": "2012-10-17", "Statement": statements }).to_string()
    }
}

impl ResourceSpec for KmsKey {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if let Some(key) = &self.existing {
            if key.is_empty() || key.len() > 2048 || key == "alias/" {
                cx.error(
                    Rule::AwsString,
                    DescribeKey::FIELD.key_id,
                    "a key is named by its id, ARN or `alias/NAME`; this one is empty or longer than 2048 characters",
                );
            }
            let changed = self.description.is_some()
                || !self.rotation
                || self.alias.is_some()
                || !self.services.is_empty()
                || self.logs_service
                || !self.roles.is_empty()
                || self.protection != Protection::default();
            if changed {
                cx.error(
                    Rule::ExistingResource,
                    DescribeKey::FIELD.key_id,
                    format!(
                        "`{}` is an existing key: its policy, alias and rotation are not the stack's to change; use `KmsKey::new` for one the stack owns",
                        self.meta.name
                    ),
                );
            }
            return;
        }
        if let Some(d) = &self.description {
            if d.chars().count() > 8192 {
                cx.error(
                    Rule::AwsString,
                    CreateKey::FIELD.description,
                    "a key description has at most 8192 characters".to_string(),
                );
            }
        }
        if let Some(days) = self.protection.deletion.window_days {
            if !(7..=30).contains(&days) {
                cx.error(
                    Rule::AwsString,
                    "PendingWindowInDays",
                    format!("a {days}-day deletion window; KMS waits 7 to 30 days before deleting a key"),
                );
            }
        }
        if let Some(alias) = &self.alias {
            let name = &alias["alias/".len()..];
            let fine = !name.is_empty()
                && alias.len() <= 256
                && !name.starts_with("aws/")
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'));
            if !fine {
                cx.error(
                    Rule::AwsName,
                    CreateAlias::FIELD.alias_name,
                    format!("`{alias}` is not an alias KMS accepts: `alias/` then letters, digits, `/`, `_` and `-` (at most 256 in all), not `alias/aws/…`"),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if let Some(key) = &self.existing {
            let n = cx.node("", Kind::EXISTING_KMS_KEY);
            let request = DescribeKey {
                key_id: Some(key.clone()),
            };
            cx.push_request(n, request);
            return;
        }
        let mut n = cx.node("", Kind::KMS_KEY).protection(self.protection);
        let policy = self.policy(cx, &mut n);
        let request = CreateKey {
            description: self.description.clone(),
            key_usage: Some("ENCRYPT_DECRYPT".into()),
            key_spec: Some("SYMMETRIC_DEFAULT".into()),
            policy: Some(policy),
        };
        cx.push_request(n, request);
        let key_id = crate::lower::placeholder(&self.meta.name, "id");
        if self.rotation {
            let n = cx.node("rotation", Kind::KEY_ROTATION);
            let request = EnableKeyRotation {
                key_id: Some(key_id.clone()),
            };
            cx.push_request(n, request);
        }
        if let Some(alias) = &self.alias {
            let n = cx.node("alias", Kind::KMS_ALIAS);
            let request = CreateAlias {
                alias_name: Some(alias.clone()),
                target_key_id: Some(key_id),
            };
            cx.push_request(n, request);
        }
    }
}

tag_setter!(KmsKey);
protection_setters!(KmsKey);

impl HasArn for KmsKey {}

impl Ref<KmsKey> {
    /// The key id (`1234abcd-12ab-34cd-56ef-1234567890ab`), also for an alias.
    pub fn key_id(&self) -> Attr<String> {
        Attr::of(self, "id")
    }
}

/// A key's policy text as the request has it, for tests.
#[cfg(test)]
fn policy_of(body: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(body["Policy"].as_str().unwrap_or("null")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::policy_of;
    use crate::prelude::*;
    use crate::{Kind, LintRule, Rule};

    #[test]
    fn a_key_renders_its_policy_rotation_and_alias() {
        let mut stack = Stack::new("s").region("eu-west-1");
        let app = stack.add(Role::new("app", Principal::ecs_tasks()));
        let key = stack.add(
            KmsKey::new("key")
                .description("app data")
                .alias("app-data")
                .allow_cloudwatch_logs()
                .allow_service("sns.amazonaws.com")
                .allow_role(&app)
                .tag("team", "shop"),
        );
        stack.add(Topic::new("t", "t").kms_key(key.arn()));
        assert_eq!(validate(&stack), vec![]);
        let s = synth(&stack).unwrap();
        let node = s.node("key").unwrap();
        assert_eq!(node.kind, Kind::KMS_KEY);
        assert_eq!(node.body["Tags"][0]["TagKey"], "ecs-iac:address");
        assert!(node.depends_on.contains(&"app".to_string()));
        let policy = policy_of(&node.body);
        let principals: Vec<_> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Principal"].clone())
            .collect();
        assert_eq!(
            principals,
            [
                serde_json::json!({"AWS": "arn:aws:iam::${aws.account_id}:root"}),
                serde_json::json!({"Service": "sns.amazonaws.com"}),
                serde_json::json!({"Service": "logs.eu-west-1.amazonaws.com"}),
                serde_json::json!({"AWS": "${app.arn}"}),
            ]
        );
        assert_eq!(
            s.node("key#alias").unwrap().body["AliasName"],
            "alias/app-data"
        );
        assert_eq!(s.node("key#rotation").unwrap().kind, Kind::KEY_ROTATION);
        assert_eq!(
            s.node("t").unwrap().body["Attributes"]["KmsMasterKeyId"],
            "${key.arn}"
        );
        // Description and policy change in place; the alias moves in place.
        assert!(!Kind::KMS_KEY.forces_replacement("Policy"));
        assert!(Kind::KMS_KEY.forces_replacement("KeySpec"));
        assert!(!Kind::KMS_ALIAS.forces_replacement("TargetKeyId"));
        assert!(Kind::KMS_KEY.is_stateful());
    }

    #[test]
    fn bad_aliases_and_settings_on_an_existing_key_are_errors_and_lint_wants_rotation() {
        let mut stack = Stack::new("s");
        stack.add(KmsKey::new("aws-alias").alias("alias/aws/logs"));
        stack.add(KmsKey::new("bad-alias").alias("has space"));
        stack.add(KmsKey::existing("theirs", "alias/platform").rotation(false));
        stack.add(KmsKey::new("static").rotation(false));
        let found: Vec<_> = validate(&stack)
            .into_iter()
            .map(|d| (d.rule, d.address))
            .collect();
        for (rule, address) in [
            (Rule::AwsName, "aws-alias"),
            (Rule::AwsName, "bad-alias"),
            (Rule::ExistingResource, "theirs"),
        ] {
            assert!(found.contains(&(rule, address.to_string())), "{found:?}");
        }
        assert!(!found.iter().any(|(_, a)| a == "static"), "{found:?}");
        let mut clean = Stack::new("c");
        clean.add(KmsKey::new("static").rotation(false));
        clean.add(KmsKey::new("rotating"));
        let flagged: Vec<_> = lint(&clean)
            .findings
            .into_iter()
            .filter(|f| f.rule == LintRule::KeyNoRotation)
            .map(|f| f.address)
            .collect();
        assert_eq!(flagged, ["static"]);
    }
}
