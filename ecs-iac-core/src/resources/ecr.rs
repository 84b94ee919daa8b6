//! ECR repositories: owned ones (scan on push, tag immutability, encryption, a typed
//! lifecycle policy) and existing ones the stack only pulls from.

use super::iam::HasArn;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{protection_setters, tag_setter, Cx, Protection, ResourceSpec};
use crate::requests::ecr::{
    CreateRepository, CreateRepositoryFields, DescribeRepositories, EncryptionConfiguration,
    ImageScanningConfiguration, PutLifecyclePolicy,
};
use crate::stack::{Meta, Ref};
use crate::value::{Attr, Text};
use serde_json::json;

/// The AWS names of a repository's request fields.
const REPOSITORY: CreateRepositoryFields = CreateRepository::FIELD;

/// An ECR repository. Containers use its images with
/// [`Image::from_repository`](super::Image::from_repository); `repo.grant_pull(&role)`
/// lets a role pull them.
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let repo = stack.add(
///     Repository::new("api-repo", "shop/api")
///         .tag_mutability(TagMutability::Immutable)
///         .lifecycle(LifecycleRule::expire_untagged_after_days(14))
///         .lifecycle(LifecycleRule::keep_last(30)),
/// );
/// let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
/// stack.grant(repo.grant_pull(&exec)).unwrap();
/// let task = stack.add(
///     TaskDefinition::fargate("api", Fargate::CPU_256_MEM_512)
///         .execution_role(&exec)
///         .container(Container::new("api", Image::from_repository(&repo, "1.4.2"))),
/// );
/// let synth = synth(&stack).unwrap();
/// assert_eq!(synth.node("api-repo").unwrap().body["imageScanningConfiguration"]["scanOnPush"], true);
/// assert_eq!(
///     synth.node("api").unwrap().body["containerDefinitions"][0]["image"],
///     "${api-repo.uri}:1.4.2"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct Repository {
    pub(crate) meta: Meta,
    pub(crate) repository_name: String,
    pub(crate) existing: bool,
    pub(crate) scan_on_push: bool,
    pub(crate) tag_mutability: TagMutability,
    pub(crate) encryption: RepositoryEncryption,
    pub(crate) lifecycle: Vec<LifecycleRule>,
    pub(crate) protection: Protection,
}

/// Whether a pushed tag may later point at another image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagMutability {
    /// A tag can be pushed again (AWS's default): `latest` moves, and so may `1.4.2`.
    Mutable,
    /// A tag, once pushed, always names the same image.
    Immutable,
}

impl TagMutability {
    fn as_str(self) -> &'static str {
        match self {
            TagMutability::Mutable => "MUTABLE",
            TagMutability::Immutable => "IMMUTABLE",
        }
    }
}

/// How a repository's images are encrypted at rest.
#[derive(Debug, Clone, PartialEq)]
pub enum RepositoryEncryption {
    /// Amazon S3 managed keys (AWS's default).
    Aes256,
    /// AWS KMS: the `aws/ecr` managed key (`None`) or a customer managed key (its ARN,
    /// or `key.arn()`).
    Kms(Option<Text>),
}

/// One rule of a repository's lifecycle policy. Rules for untagged images are evaluated
/// before rules for any image, as ECR requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleRule {
    /// Expire untagged images this many days after they were pushed.
    ExpireUntaggedAfterDays(u32),
    /// Keep only the newest this many images (tagged or not); expire the rest.
    KeepLast(u32),
}

impl LifecycleRule {
    /// Expire untagged images `days` after they were pushed.
    pub fn expire_untagged_after_days(days: u32) -> LifecycleRule {
        LifecycleRule::ExpireUntaggedAfterDays(days)
    }

    /// Keep the newest `count` images; expire older ones.
    pub fn keep_last(count: u32) -> LifecycleRule {
        LifecycleRule::KeepLast(count)
    }

    fn count(self) -> u32 {
        match self {
            LifecycleRule::ExpireUntaggedAfterDays(n) | LifecycleRule::KeepLast(n) => n,
        }
    }

    /// The rule as ECR's lifecycle policy JSON has it, at `priority`.
    fn render(self, priority: usize) -> serde_json::Value {
        let (description, selection) = match self {
            LifecycleRule::ExpireUntaggedAfterDays(days) => (
                format!("Expire untagged images {days} days after push"),
                json!({
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": days,
                }),
            ),
            LifecycleRule::KeepLast(count) => (
                format!("Keep the newest {count} images"),
                json!({
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": count,
                }),
            ),
        };
        json!({
            "rulePriority": priority,
            "description": description,
            "selection": selection,
            "action": { "type": "expire" },
        })
    }
}

impl Repository {
    /// A repository the stack owns, named `repository_name` (`shop/api`): scan on push on,
    /// tags mutable and AES256 encryption (AWS's defaults) unless set otherwise. Its images
    /// are data: a plan that would replace or delete it is blocked unless
    /// `.allow_replacement()` / `.allow_destroy()`, and AWS refuses to delete it while it
    /// holds images.
    pub fn new(name: impl Into<String>, repository_name: impl Into<String>) -> Repository {
        Repository {
            meta: Meta::new(name),
            repository_name: repository_name.into(),
            existing: false,
            scan_on_push: true,
            tag_mutability: TagMutability::Mutable,
            encryption: RepositoryEncryption::Aes256,
            lifecycle: Vec::new(),
            protection: Protection::default(),
        }
    }

    /// An existing repository of the stack's account and region, named `repository_name`:
    /// looked up before every apply, never changed, forgotten by `destroy`.
    pub fn existing(name: impl Into<String>, repository_name: impl Into<String>) -> Repository {
        Repository {
            existing: true,
            ..Repository::new(name, repository_name)
        }
    }

    /// Scans each image for vulnerabilities when it is pushed (on by default).
    #[must_use]
    pub fn scan_on_push(mut self, enabled: bool) -> Repository {
        self.scan_on_push = enabled;
        self
    }

    /// Whether tags may be pushed again.
    #[must_use]
    pub fn tag_mutability(mut self, mutability: TagMutability) -> Repository {
        self.tag_mutability = mutability;
        self
    }

    /// How images are encrypted at rest (set when created: a change replaces the
    /// repository).
    #[must_use]
    pub fn encryption(mut self, encryption: RepositoryEncryption) -> Repository {
        self.encryption = encryption;
        self
    }

    /// Adds a lifecycle rule.
    #[must_use]
    pub fn lifecycle(mut self, rule: LifecycleRule) -> Repository {
        self.lifecycle.push(rule);
        self
    }

    /// The repository's AWS name.
    pub fn get_repository_name(&self) -> &str {
        &self.repository_name
    }

    /// Whether the stack owns it (not [`Repository::existing`]).
    pub fn is_owned(&self) -> bool {
        !self.existing
    }

    /// Whether pushed images are scanned.
    pub fn scans_on_push(&self) -> bool {
        self.scan_on_push
    }

    /// Whether tags may be pushed again.
    pub fn get_tag_mutability(&self) -> TagMutability {
        self.tag_mutability
    }

    /// The lifecycle policy's text: untagged rules first, then the others, each at the
    /// next priority.
    fn lifecycle_policy(&self) -> String {
        let mut rules: Vec<LifecycleRule> = self.lifecycle.clone();
        rules.sort_by_key(|r| matches!(r, LifecycleRule::KeepLast(_)));
        let rendered: Vec<_> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| r.render(i + 1))
            .collect();
        json!({ "rules": rendered }).to_string()
    }
}

impl ResourceSpec for Repository {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static crate::limits::NameRule)> {
        Some((
            self.repository_name.clone(),
            &crate::limits::ECR_REPOSITORY_NAME,
        ))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.existing {
            let changed = !self.scan_on_push
                || self.tag_mutability != TagMutability::Mutable
                || self.encryption != RepositoryEncryption::Aes256
                || !self.lifecycle.is_empty()
                || self.protection != Protection::default();
            if changed {
                cx.error(
                    Rule::ExistingResource,
                    DescribeRepositories::FIELD.repository_names,
                    format!(
                        "`{}` is an existing repository: its settings are not the stack's to change; use `Repository::new` for one the stack owns",
                        self.meta.name
                    ),
                );
            }
            return;
        }
        for (i, rule) in self.lifecycle.iter().enumerate() {
            if rule.count() == 0 {
                cx.error(
                    Rule::RepositoryLifecycle,
                    format!(
                        "{}.rules[{i}].selection.countNumber",
                        PutLifecyclePolicy::FIELD.lifecycle_policy_text
                    ),
                    "a lifecycle rule counts at least 1 (day or image)".to_string(),
                );
            }
        }
        let mut seen = std::collections::HashSet::new();
        for rule in &self.lifecycle {
            if !seen.insert(std::mem::discriminant(rule)) {
                cx.error(
                    Rule::RepositoryLifecycle,
                    format!("{}.rules", PutLifecyclePolicy::FIELD.lifecycle_policy_text),
                    format!("two lifecycle rules of the same kind ({rule:?}): keep one"),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if self.existing {
            let n = cx.node("", Kind::EXISTING_REPOSITORY);
            let request = DescribeRepositories {
                repository_names: Some(vec![self.repository_name.clone()]),
            };
            cx.push_request(n, request);
            return;
        }
        let mut n = cx.node("", Kind::REPOSITORY).protection(self.protection);
        let encryption = match &self.encryption {
            RepositoryEncryption::Aes256 => EncryptionConfiguration {
                encryption_type: Some("AES256".into()),
                kms_key: None,
            },
            RepositoryEncryption::Kms(key) => {
                let path = format!(
                    "{}.{}",
                    REPOSITORY.encryption_configuration,
                    EncryptionConfiguration::FIELD.kms_key
                );
                EncryptionConfiguration {
                    encryption_type: Some("KMS".into()),
                    kms_key: key.as_ref().map(|k| n.text(&path, k)),
                }
            }
        };
        let request = CreateRepository {
            repository_name: Some(self.repository_name.clone()),
            image_tag_mutability: Some(self.tag_mutability.as_str().into()),
            image_scanning_configuration: Some(ImageScanningConfiguration {
                scan_on_push: Some(self.scan_on_push),
            }),
            encryption_configuration: Some(encryption),
        };
        cx.push_request(n, request);
        if !self.lifecycle.is_empty() {
            let n = cx.node("lifecycle", Kind::LIFECYCLE_POLICY);
            let request = PutLifecyclePolicy {
                repository_name: Some(self.repository_name.clone()),
                lifecycle_policy_text: Some(self.lifecycle_policy()),
            };
            cx.push_request(n, request);
        }
    }
}

tag_setter!(Repository);
protection_setters!(Repository);

impl HasArn for Repository {}

impl Ref<Repository> {
    /// The repository's name.
    pub fn repository_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }

    /// The repository URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`), without a tag.
    pub fn uri(&self) -> Attr<String> {
        Attr::of(self, "uri")
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::{Kind, LintRule, Rule};
    use serde_json::json;

    #[test]
    fn a_repository_renders_its_settings_and_a_lifecycle_policy_in_ecr_order() {
        let mut stack = Stack::new("s").region("eu-west-1");
        let key = stack.add(KmsKey::existing("key", "alias/ecr"));
        stack.add(
            Repository::new("repo", "shop/api")
                .tag_mutability(TagMutability::Immutable)
                .encryption(RepositoryEncryption::Kms(Some(key.arn().into())))
                .lifecycle(LifecycleRule::keep_last(30))
                .lifecycle(LifecycleRule::expire_untagged_after_days(7))
                .tag("team", "shop"),
        );
        assert_eq!(validate(&stack), vec![]);
        let s = synth(&stack).unwrap();
        let repo = s.node("repo").unwrap();
        assert_eq!(repo.kind, Kind::REPOSITORY);
        assert_eq!(repo.body["imageTagMutability"], "IMMUTABLE");
        assert_eq!(
            repo.body["encryptionConfiguration"],
            json!({"encryptionType": "KMS", "kmsKey": "${key.arn}"})
        );
        assert!(repo.depends_on.contains(&"key".to_string()));
        assert!(repo.body["tags"]
            .as_array()
            .unwrap()
            .contains(&json!({"Key": "team", "Value": "shop"})));
        let lifecycle = s.node("repo#lifecycle").unwrap();
        assert_eq!(lifecycle.kind, Kind::LIFECYCLE_POLICY);
        assert_eq!(lifecycle.depends_on, ["repo"]);
        let policy: serde_json::Value =
            serde_json::from_str(lifecycle.body["lifecyclePolicyText"].as_str().unwrap()).unwrap();
        let selections: Vec<_> = policy["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["rulePriority"].clone(),
                    r["selection"]["tagStatus"].clone(),
                )
            })
            .collect();
        assert_eq!(
            selections,
            [(json!(1), json!("untagged")), (json!(2), json!("any"))]
        );
        // A changed mutability or scan setting is an update; encryption replaces.
        assert!(!Kind::REPOSITORY.forces_replacement("imageTagMutability"));
        assert!(!Kind::REPOSITORY.forces_replacement("imageScanningConfiguration"));
        assert!(Kind::REPOSITORY.forces_replacement("encryptionConfiguration"));
        assert!(Kind::REPOSITORY.is_stateful());
    }

    #[test]
    fn bad_lifecycle_rules_and_settings_on_an_existing_repository_are_errors() {
        let mut stack = Stack::new("s");
        stack.add(
            Repository::new("repo", "shop/api")
                .lifecycle(LifecycleRule::keep_last(0))
                .lifecycle(LifecycleRule::keep_last(5)),
        );
        stack.add(Repository::existing("theirs", "platform/app").scan_on_push(false));
        stack.add(Repository::new("bad-name", "Shop/API"));
        let found: Vec<_> = validate(&stack)
            .into_iter()
            .map(|d| (d.rule, d.address, d.path))
            .collect();
        let has = |rule: Rule, address: &str, path: &str| {
            found
                .iter()
                .any(|(r, a, p)| *r == rule && a == address && p == path)
        };
        assert!(
            has(
                Rule::RepositoryLifecycle,
                "repo",
                "lifecyclePolicyText.rules[0].selection.countNumber"
            ),
            "{found:?}"
        );
        assert!(
            has(
                Rule::RepositoryLifecycle,
                "repo",
                "lifecyclePolicyText.rules"
            ),
            "{found:?}"
        );
        assert!(
            has(Rule::ExistingResource, "theirs", "repositoryNames"),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|(r, a, _)| *r == Rule::AwsName && a == "bad-name"),
            "{found:?}"
        );
    }

    #[test]
    fn lint_flags_repositories_without_scanning_or_with_mutable_tags() {
        let mut stack = Stack::new("s");
        stack.add(Repository::new("loose", "loose").scan_on_push(false));
        stack.add(Repository::new("tight", "tight").tag_mutability(TagMutability::Immutable));
        stack.add(Repository::existing("theirs", "theirs"));
        let findings: Vec<_> = lint(&stack)
            .findings
            .into_iter()
            .filter(|f| {
                matches!(
                    f.rule,
                    LintRule::RepositoryNoScanOnPush | LintRule::RepositoryMutableTags
                )
            })
            .map(|f| (f.rule, f.address))
            .collect();
        assert_eq!(
            findings,
            [
                (LintRule::RepositoryNoScanOnPush, "loose".to_string()),
                (LintRule::RepositoryMutableTags, "loose".to_string()),
            ]
        );
    }
}
