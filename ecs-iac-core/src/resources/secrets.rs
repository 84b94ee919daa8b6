//! Secrets Manager secrets: ones the stack creates ([`Secret::new`], with a value
//! generated or read at apply) and existing ones it reads ([`Secret::by_name`],
//! [`Secret::by_arn`]). A reference renders as an ARN; a secret's value never appears in
//! any output of this crate.

use super::iam::{PolicyDocument, Statement};
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::NodeBuilder;
use crate::lower::{placeholder, protection_setters, tag_setter, Cx, Protection, ResourceSpec};
use crate::requests::secretsmanager::{
    CreateSecret, CreateSecretFields, DescribeSecret, PutResourcePolicy, PutResourcePolicyFields,
};
use crate::stack::{Meta, Ref};
use crate::value::{Arn, Attr, Text};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The AWS names of a secret's request fields.
const SECRET: CreateSecretFields = CreateSecret::FIELD;
/// The AWS names of a secret policy's request fields.
const POLICY: PutResourcePolicyFields = PutResourcePolicy::FIELD;

/// A Secrets Manager secret.
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let api_key = stack.add(
///     Secret::new(
///         "api-key",
///         "shop/api-key",
///         SecretValue::generated(Password::new(40).exclude_punctuation()),
///     )
///     .description("The payment provider's API key")
///     .recovery_window_days(7),
/// );
/// let synth = synth(&stack).unwrap();
/// let node = synth.node("api-key").unwrap();
/// assert_eq!(node.body["Name"], "shop/api-key");
/// // The value is produced at apply: neither the request nor the plan holds it.
/// assert!(node.body.get("SecretString").is_none());
/// assert_eq!(node.protection.deletion.window_days, Some(7));
/// ```
#[derive(Debug, Clone)]
pub struct Secret {
    pub(crate) meta: Meta,
    pub(crate) secret_id: String,
    pub(crate) is_arn: bool,
    /// The customer managed key the secret is (to be) encrypted with, if any.
    pub(crate) kms_key: Option<Ref<super::KmsKey>>,
    /// For a secret the stack creates: where its value comes from.
    pub(crate) value: Option<SecretValue>,
    pub(crate) description: Option<String>,
    pub(crate) policy: PolicyDocument,
    pub(crate) protection: Protection,
}

/// The name this type had when the stack could only read secrets; `SecretRef::by_name`
/// and `SecretRef::by_arn` still work.
pub type SecretRef = Secret;

/// Where the value of a secret the stack creates comes from. It is produced at apply,
/// once, when the secret is created (later changes are the secret owner's: rotation or
/// `put-secret-value`); it is never in a plan, the state, a log or an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum SecretValue {
    /// A random password from Secrets Manager's `GetRandomPassword`.
    Generated(Password),
    /// The value of an environment variable of the process that applies.
    Env {
        /// The variable's name.
        variable: String,
    },
    /// The contents of a file (relative paths from the directory apply runs in). One
    /// trailing newline is dropped.
    File {
        /// The file.
        path: PathBuf,
    },
}

impl SecretValue {
    /// A random password generated at apply.
    pub fn generated(password: Password) -> SecretValue {
        SecretValue::Generated(password)
    }

    /// The value of the environment variable `variable` at apply: apply stops before
    /// changing anything when it is unset or empty.
    pub fn from_env(variable: impl Into<String>) -> SecretValue {
        SecretValue::Env {
            variable: variable.into(),
        }
    }

    /// The contents of the file at `path` at apply: apply stops before changing anything
    /// when it cannot be read or is empty.
    pub fn from_file(path: impl Into<PathBuf>) -> SecretValue {
        SecretValue::File { path: path.into() }
    }

    /// Where the value comes from, for people (never the value).
    pub fn describe(&self) -> String {
        match self {
            SecretValue::Generated(p) => {
                format!("a {}-character password generated at apply", p.length)
            }
            SecretValue::Env { variable } => {
                format!("the environment variable `{variable}` at apply")
            }
            SecretValue::File { path } => format!("the file `{}` at apply", path.display()),
        }
    }
}

/// How a generated password is made: the parameters of Secrets Manager's
/// `GetRandomPassword`. Every character class is included by default, and at least one
/// character of each included class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Password {
    /// Length, 1 to 4096.
    pub length: u16,
    /// Characters never used (e.g. `"@/\` that break connection strings).
    pub exclude_characters: String,
    /// No punctuation.
    pub exclude_punctuation: bool,
    /// No digits.
    pub exclude_numbers: bool,
    /// No upper-case letters.
    pub exclude_uppercase: bool,
    /// No lower-case letters.
    pub exclude_lowercase: bool,
    /// Spaces may be used.
    pub include_space: bool,
    /// At least one character of every included class.
    pub require_each_included_type: bool,
}

impl Password {
    /// A password of `length` characters (1 to 4096) from every character class.
    pub fn new(length: u16) -> Password {
        Password {
            length,
            exclude_characters: String::new(),
            exclude_punctuation: false,
            exclude_numbers: false,
            exclude_uppercase: false,
            exclude_lowercase: false,
            include_space: false,
            require_each_included_type: true,
        }
    }

    /// Never uses these characters.
    #[must_use]
    pub fn exclude_characters(mut self, characters: impl Into<String>) -> Password {
        self.exclude_characters = characters.into();
        self
    }

    /// Letters and digits only.
    #[must_use]
    pub fn exclude_punctuation(mut self) -> Password {
        self.exclude_punctuation = true;
        self
    }

    /// No digits.
    #[must_use]
    pub fn exclude_numbers(mut self) -> Password {
        self.exclude_numbers = true;
        self
    }

    /// No upper-case letters.
    #[must_use]
    pub fn exclude_uppercase(mut self) -> Password {
        self.exclude_uppercase = true;
        self
    }

    /// No lower-case letters.
    #[must_use]
    pub fn exclude_lowercase(mut self) -> Password {
        self.exclude_lowercase = true;
        self
    }

    /// Spaces may be used.
    #[must_use]
    pub fn include_space(mut self) -> Password {
        self.include_space = true;
        self
    }

    /// Does not require a character of every included class.
    #[must_use]
    pub fn without_each_type_required(mut self) -> Password {
        self.require_each_included_type = false;
        self
    }

    /// What is wrong with the parameters, if anything.
    fn problem(&self) -> Option<String> {
        if !(1..=4096).contains(&self.length) {
            return Some(format!(
                "a {}-character password; Secrets Manager generates 1 to 4096 characters",
                self.length
            ));
        }
        if self.exclude_characters.chars().count() > 4096 {
            return Some("at most 4096 excluded characters".into());
        }
        let classes = [
            (!self.exclude_punctuation, "punctuation"),
            (!self.exclude_numbers, "digits"),
            (!self.exclude_uppercase, "upper-case"),
            (!self.exclude_lowercase, "lower-case"),
            (self.include_space, "space"),
        ];
        let included = classes.iter().filter(|(on, _)| *on).count();
        if included == 0 {
            return Some(
                "every character class is excluded: nothing is left to generate a password from"
                    .into(),
            );
        }
        if self.require_each_included_type && usize::from(self.length) < included {
            return Some(format!(
                "{} characters cannot hold one of each of the {included} included classes; make it longer or use `.without_each_type_required()`",
                self.length
            ));
        }
        None
    }
}

impl Secret {
    /// A secret the stack creates, named `secret_name` (e.g. `shop/api-key`), whose value
    /// is produced at apply from `value`. Encrypted with AWS's `aws/secretsmanager` key
    /// unless [`Secret::encrypted_with`] names another. Its value cannot be recreated:
    /// a plan that would replace or delete it is blocked unless `.allow_replacement()` /
    /// `.allow_destroy()`; a delete keeps it recoverable for the recovery window.
    pub fn new(
        name: impl Into<String>,
        secret_name: impl Into<String>,
        value: SecretValue,
    ) -> Secret {
        Secret {
            value: Some(value),
            ..Secret::by_name(name, secret_name)
        }
    }

    /// An existing secret by its name, e.g. `visitor-book/database-url`. Its ARN is
    /// resolved at apply. The stack does not own it.
    pub fn by_name(name: impl Into<String>, secret_name: impl Into<String>) -> Secret {
        Secret {
            meta: Meta::new(name),
            secret_id: secret_name.into(),
            is_arn: false,
            kms_key: None,
            value: None,
            description: None,
            policy: PolicyDocument::new(),
            protection: Protection::default(),
        }
    }

    /// An existing secret by its full ARN. The stack does not own it.
    pub fn by_arn(name: impl Into<String>, arn: impl Into<String>) -> Secret {
        Secret {
            is_arn: true,
            ..Secret::by_name(name, arn)
        }
    }

    /// The customer managed key the secret is encrypted with (a [`KmsKey`] of the stack,
    /// owned or existing): a secret the stack creates is created with it, and
    /// `grant_read` also grants `kms:Decrypt` on it, which reading the secret needs.
    /// Secrets under the default `aws/secretsmanager` key need nothing.
    ///
    /// [`KmsKey`]: super::KmsKey
    #[must_use]
    pub fn encrypted_with(mut self, key: &Ref<super::KmsKey>) -> Secret {
        self.kms_key = Some(key.clone());
        self
    }

    /// What the secret is for (at most 2048 characters).
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Secret {
        self.description = Some(description.into());
        self
    }

    /// How long a deleted secret stays recoverable (`restore-secret`): 7 to 30 days
    /// (AWS's default: 30). The state records it, so the delete uses it even after the
    /// secret has left the stack.
    #[must_use]
    pub fn recovery_window_days(mut self, days: u8) -> Secret {
        self.protection.deletion.window_days = Some(days);
        self
    }

    /// Deletes the secret at once, with no recovery window (`ForceDeleteWithoutRecovery`),
    /// so its name is free again at once: for short-lived stacks.
    #[must_use]
    pub fn delete_without_recovery(mut self) -> Secret {
        self.protection.deletion.window_days = Some(0);
        self
    }

    /// Adds a statement to the secret's resource policy (each names its principal), e.g.
    /// letting another account's role read it. Secrets Manager refuses a policy that
    /// grants broad access to the public (`BlockPublicPolicy`).
    #[must_use]
    pub fn policy(mut self, statement: Statement) -> Secret {
        self.policy = self.policy.statement(statement);
        self
    }

    /// Whether the stack creates the secret (not `by_name` / `by_arn`).
    pub fn is_owned(&self) -> bool {
        self.value.is_some()
    }

    /// The ARN as it renders: the literal ARN, or the `${name.arn}` placeholder.
    pub fn arn(&self) -> String {
        if self.is_arn {
            self.secret_id.clone()
        } else {
            placeholder(&self.meta.name, "arn")
        }
    }

    /// The placeholder of the secret's value, resolved in memory at apply only.
    pub(crate) fn value_placeholder(&self) -> String {
        placeholder(&self.meta.name, "secret_value")
    }
}

impl ResourceSpec for Secret {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static crate::limits::NameRule)> {
        self.is_owned()
            .then(|| (self.secret_id.clone(), &crate::limits::SECRET_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let Some(value) = &self.value else {
            let changed = self.description.is_some()
                || !self.policy.statements.is_empty()
                || self.protection != Protection::default()
                || !self.meta.tags.is_empty();
            if changed {
                cx.error(
                    Rule::ExistingResource,
                    DescribeSecret::FIELD.secret_id,
                    format!(
                        "`{}` is an existing secret: its description, policy, tags and deletion are not the stack's to change; use `Secret::new` for one the stack creates",
                        self.meta.name
                    ),
                );
            }
            return;
        };
        if self.secret_id.starts_with("arn:") {
            cx.error(
                Rule::AwsName,
                SECRET.name,
                "a secret the stack creates is named, not given an ARN (AWS makes the ARN)",
            );
        }
        if let Some(d) = &self.description {
            if d.chars().count() > 2048 {
                cx.error(
                    Rule::AwsString,
                    SECRET.description,
                    "a secret description has at most 2048 characters",
                );
            }
        }
        let problem = match value {
            SecretValue::Generated(p) => p.problem(),
            SecretValue::Env { variable } => (variable.is_empty()
                || variable.contains(['=', '\0']))
            .then(|| format!("`{variable}` is not an environment variable name")),
            SecretValue::File { path } => path
                .as_os_str()
                .is_empty()
                .then(|| "the file to read the value from is not named".to_string()),
        };
        if let Some(problem) = problem {
            cx.error(Rule::SecretSettings, SECRET.secret_string, problem);
        }
        if let Some(days) = self.protection.deletion.window_days {
            if days != 0 && !(7..=30).contains(&days) {
                cx.error(
                    Rule::SecretSettings,
                    "RecoveryWindowInDays",
                    format!("a {days}-day recovery window; Secrets Manager keeps a deleted secret 7 to 30 days (or use `.delete_without_recovery()`)"),
                );
            }
        }
        self.policy.require_principals(cx, POLICY.resource_policy);
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let Some(value) = &self.value else {
            let n = cx.node("", Kind::SECRET_REF);
            let request = DescribeSecret {
                secret_id: Some(self.secret_id.clone()),
            };
            cx.push_request(n, request);
            return;
        };
        let mut n = cx
            .node("", Kind::SECRET)
            .protection(self.protection)
            .initial_value(value.clone());
        let kms_key_id = self.kms_key.as_ref().map(|k| {
            n.target(SECRET.kms_key_id, k);
            placeholder(k.name(), "arn")
        });
        let request = CreateSecret {
            name: Some(self.secret_id.clone()),
            description: self.description.clone(),
            kms_key_id,
            secret_string: None,
        };
        cx.push_request(n, request);
        if !self.policy.statements.is_empty() {
            let mut n = cx.node("policy", Kind::SECRET_POLICY);
            let policy = self.policy.render(cx, &mut n, POLICY.resource_policy);
            let request = PutResourcePolicy {
                secret_id: Some(placeholder(&self.meta.name, "arn")),
                resource_policy: Some(policy),
                block_public_policy: Some(true),
            };
            cx.push_request(n, request);
        }
    }
}

tag_setter!(Secret);
protection_setters!(Secret);

impl super::iam::HasArn for Secret {}

/// Where a container secret (or a grant to read one) comes from: a [`SecretRef`], or a
/// secret AWS manages for a resource of the stack ([`ManagedSecret`], e.g. an RDS
/// instance's master user secret).
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// A secret the stack refers to.
    Secret(Ref<SecretRef>),
    /// A secret AWS created and manages for a resource of the stack.
    Managed(ManagedSecret),
}

impl From<&Ref<SecretRef>> for SecretSource {
    fn from(r: &Ref<SecretRef>) -> SecretSource {
        SecretSource::Secret(r.clone())
    }
}

impl From<Ref<SecretRef>> for SecretSource {
    fn from(r: Ref<SecretRef>) -> SecretSource {
        SecretSource::Secret(r)
    }
}

impl From<&ManagedSecret> for SecretSource {
    fn from(m: &ManagedSecret) -> SecretSource {
        SecretSource::Managed(m.clone())
    }
}

impl From<ManagedSecret> for SecretSource {
    fn from(m: ManagedSecret) -> SecretSource {
        SecretSource::Managed(m)
    }
}

impl SecretSource {
    /// The secret's ARN as it renders (literal, or placeholder), recording the edge and
    /// reporting a reference to another stack, or a managed secret the resource does not
    /// have, at `path`.
    pub(crate) fn render(
        &self,
        n: &mut NodeBuilder<'_>,
        cx: &Cx<'_>,
        path: impl Fn() -> String,
    ) -> String {
        match self {
            SecretSource::Secret(secret) => n
                .target(path, secret)
                .map(SecretRef::arn)
                .unwrap_or_default(),
            SecretSource::Managed(m) => {
                if let Some(problem) = m.problem(cx) {
                    n.report(Rule::UnknownAttribute, path(), problem);
                }
                n.text(path, &Text::from(m.arn()))
            }
        }
    }

    /// The logical name of the resource the secret belongs to.
    pub(crate) fn owner(&self) -> String {
        match self {
            SecretSource::Secret(r) => r.name().to_string(),
            SecretSource::Managed(m) => m.arn().resource().name().to_string(),
        }
    }
}

/// A secret AWS created and manages for a resource of the stack (today: an RDS
/// instance's master user secret, from `Ref::<DbInstance>::master_secret`). Its ARN is
/// known after apply; the stack never sees its value.
#[derive(Clone)]
pub struct ManagedSecret {
    arn: Attr<Arn>,
    /// Why the secret will never exist, judged from the owner's settings in the stack.
    problem: std::sync::Arc<ProblemCheck>,
}

/// Says why a managed secret will never exist, from its owner's settings in the stack.
type ProblemCheck = dyn Fn(&Cx<'_>) -> Option<String> + Send + Sync;

impl std::fmt::Debug for ManagedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagedSecret")
            .field("arn", &self.arn)
            .finish_non_exhaustive()
    }
}

impl ManagedSecret {
    /// The secret behind the attribute `arn` of its owner; `problem` says why the owner
    /// will not have one (its settings do not let AWS manage the secret).
    pub(crate) fn new(
        arn: Attr<Arn>,
        problem: impl Fn(&Cx<'_>) -> Option<String> + Send + Sync + 'static,
    ) -> ManagedSecret {
        ManagedSecret {
            arn,
            problem: std::sync::Arc::new(problem),
        }
    }

    /// The secret's ARN, known after apply.
    pub fn arn(&self) -> Attr<Arn> {
        self.arn.clone()
    }

    /// Why the secret will never exist, `None` when it will.
    pub(crate) fn problem(&self, cx: &Cx<'_>) -> Option<String> {
        (self.problem)(cx)
    }
}

impl Ref<Secret> {
    /// The secret's name in Secrets Manager.
    pub fn secret_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::{Action, Kind, Rule};

    fn owned() -> Secret {
        Secret::new("token", "shop/token", SecretValue::from_env("SHOP_TOKEN"))
    }

    #[test]
    fn an_owned_secret_renders_its_key_and_policy_and_plans_no_value() {
        let mut stack = Stack::new("s").region("eu-west-1");
        let key = stack.add(KmsKey::new("key"));
        stack.add(
            owned().encrypted_with(&key).policy(
                Statement::allow(["secretsmanager:GetSecretValue"])
                    .principal(Principal::Aws("arn:aws:iam::123456789012:root".into())),
            ),
        );
        assert_eq!(validate(&stack), vec![]);
        let s = synth(&stack).unwrap();
        let node = s.node("token").unwrap();
        assert_eq!(node.kind, Kind::SECRET);
        assert_eq!(node.body["KmsKeyId"], "${key.arn}");
        assert!(node.depends_on.contains(&"key".to_string()));
        let policy = s.node("token#policy").unwrap();
        assert_eq!(policy.body["SecretId"], "${token.arn}");
        assert_eq!(policy.body["BlockPublicPolicy"], true);
        let document: serde_json::Value =
            serde_json::from_str(policy.body["ResourcePolicy"].as_str().unwrap()).unwrap();
        assert_eq!(
            document["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::123456789012:root"
        );
        assert_eq!(document["Statement"][0]["Resource"], "*");
        let planned = plan(&stack, &State::empty("s")).unwrap();
        let create = planned
            .actions
            .iter()
            .find(|a| a.address == "token")
            .unwrap();
        assert_eq!(create.action, Action::Create);
        assert_eq!(
            create.initial_value,
            Some(SecretValue::from_env("SHOP_TOKEN"))
        );
        assert!(create.after.as_ref().unwrap().get("SecretString").is_none());
        assert!(planned
            .render_text()
            .contains("SecretString = (the environment variable `SHOP_TOKEN` at apply)"));
        assert!(Kind::SECRET.is_stateful());
        assert!(!Kind::SECRET.forces_replacement("Description"));
        assert!(Kind::SECRET.forces_replacement("Name"));
    }

    #[test]
    fn settings_on_an_existing_secret_and_principals_in_a_role_policy_are_errors() {
        let mut stack = Stack::new("s");
        stack.add(Secret::by_name("theirs", "shared/token").description("not ours"));
        stack.add(owned().policy(Statement::allow(["secretsmanager:GetSecretValue"])));
        stack.add(
            Role::new("app", Principal::ecs_tasks()).inline_policy(
                "read",
                PolicyDocument::new().statement(
                    Statement::allow(["s3:GetObject"])
                        .principal(Principal::Any)
                        .resource("*"),
                ),
            ),
        );
        let found: Vec<_> = validate(&stack)
            .into_iter()
            .map(|d| (d.rule, d.address, d.path))
            .collect();
        for expected in [
            (Rule::ExistingResource, "theirs", "SecretId"),
            (
                Rule::PolicyPrincipal,
                "token",
                "ResourcePolicy.Statement[0].Principal",
            ),
            (
                Rule::PolicyPrincipal,
                "app",
                "inlinePolicies[0].Statement[0].Principal",
            ),
        ] {
            let expected = (expected.0, expected.1.to_string(), expected.2.to_string());
            assert!(found.contains(&expected), "{expected:?} in {found:?}");
        }
    }

    #[test]
    fn a_changed_recovery_window_is_a_state_only_change() {
        let mut stack = Stack::new("s");
        stack.add(owned().recovery_window_days(7));
        let synth = synth(&stack).unwrap();
        let mut state = State::empty("s");
        for n in &synth.nodes {
            state.resources.insert(
                n.address.clone(),
                crate::ResourceState {
                    kind: n.kind,
                    operation: n.operation.to_string(),
                    status: crate::ResourceStatus::Created,
                    id: Some("arn:aws:secretsmanager:eu-west-1:1:secret:shop/token-AbCdEf".into()),
                    attributes: Default::default(),
                    request: n.body.clone(),
                    depends_on: n.depends_on.clone(),
                    pending_since: None,
                    allow_destroy: false,
                    deletion: Default::default(),
                },
            );
        }
        let planned = crate::plan_synth(synth, &state);
        let action = &planned.actions[0];
        assert_eq!(action.action, Action::NoOp);
        assert!(action.state_only);
        assert_eq!(action.deletion.window_days, Some(7));
        assert!(planned
            .render_text()
            .contains("deletion: AWS's default window -> a 7-day window"));
        // Nothing to produce: the secret exists.
        assert_eq!(action.initial_value, None);
    }
}
