//! Least-privilege grants derived from usage: say *who uses what*, and the stack writes
//! the IAM statement scoped to the exact ARN with the minimal actions, or the security
//! group rule on the exact port from the exact group (CDK's `grantRead` and
//! `connections.allowFrom`, with typed references instead of string tokens).
//!
//! | grant | what it adds |
//! |---|---|
//! | `secret.grant_read(&task)` | `secretsmanager:GetSecretValue` on the secret's ARN, to the task definition's **execution role** (the role ECS uses to inject `Container::secret`s) |
//! | `secret.grant_read_to(&role)` | the same, to any role (e.g. a task role whose application reads the secret itself) |
//! | `repo.grant_pull(&role)` | `ecr:BatchCheckLayerAvailability`, `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` on the repository's ARN, and `ecr:GetAuthorizationToken` (which has no resource) on `*` |
//! | `topic.grant_publish(&role)` | `sns:Publish` on the topic's ARN |
//! | `key.grant_decrypt(&role)` | `kms:Decrypt` on the key's ARN |
//! | `bucket.grant_read(&role)` | `s3:ListBucket` on the bucket's ARN and `s3:GetObject` on its objects (`ARN/*`); `kms:Decrypt` on the bucket's key if it has one of the stack |
//! | `bucket.grant_write(&role)` | `s3:PutObject` on its objects; `kms:GenerateDataKey` on the bucket's key if it has one of the stack |
//! | `log_group.grant_write(&role)` | `logs:CreateLogStream` and `logs:PutLogEvents` on `arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*` |
//! | `db.allow_from(&service)` | one ingress rule on the database's security group: TCP on the database's port (configured, or the engine's default 5432/3306), from the service's security group |
//! | `cache.allow_from(&service)` | the same for an ElastiCache replication group (port 6379 unless configured) |
//!
//! IAM grants of one role are merged into one inline policy, [`GRANTS_POLICY`]: one
//! statement per kind of access (`ReadSecrets`, then `WriteLogs`), resources sorted by
//! logical name, no duplicates, so granting twice changes nothing. The policy is a
//! `iam:PutRolePolicy` request `ROLE#policy:ecs-iac-grants`; task definitions using the
//! role wait for it, so tasks never start before they may read their secrets.
//!
//! Security group grants use the **first** security group of the database (or cache) and
//! the **first** one of the service, in the order they were added. When the service's
//! group restricts egress (it has `.egress(..)` rules or `.no_egress()`), the matching
//! egress rule to the database's group is added as well; with AWS's default allow-all
//! egress nothing is added there.
//!
//! A secret encrypted with a customer managed KMS key
//! (`SecretRef::by_name(..).encrypted_with(&key)`) also gets `kms:Decrypt` on that key
//! for the same role. Secrets under the default `aws/secretsmanager` key need nothing
//! more.
//!
//! ```
//! use ecs_iac_core::prelude::*;
//!
//! let mut stack = Stack::new("shop").region("us-east-1");
//! let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
//! let a = stack.add(Subnet::private("a", &vpc, cidr("10.0.1.0/24"), Az::US_EAST_1A));
//! let b = stack.add(Subnet::private("b", &vpc, cidr("10.0.2.0/24"), Az::US_EAST_1B));
//! let app_sg = stack.add(SecurityGroup::new("app-sg", &vpc));
//! let db_sg = stack.add(SecurityGroup::new("db-sg", &vpc).no_egress());
//! let db_url = stack.add(SecretRef::by_name("db-url", "shop/database-url"));
//! let logs = stack.add(LogGroup::new("logs", "/ecs/shop").retention_days(30));
//! let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
//! let task = stack.add(
//!     TaskDefinition::fargate("web", Fargate::CPU_256_MEM_512)
//!         .execution_role(&exec)
//!         .container(Container::new("web", image("shop:1.2.0")).port(8080)
//!             .secret("DATABASE_URL", &db_url)
//!             .logs(LogConfig::awslogs(&logs, "web"))),
//! );
//! let cluster = stack.add(Cluster::new("shop"));
//! let service = stack.add(
//!     Service::new("web-svc", &cluster, &task).subnets([&a, &b]).security_group(&app_sg),
//! );
//! let subnets = stack.add(DbSubnetGroup::new("db-subnets", [&a, &b]));
//! let db = stack.add(
//!     DbInstance::new("db", DbEngine::Postgres, DbInstanceClass::T3_SMALL, 20, &subnets,
//!         "shop", MasterPassword::ManagedBySecretsManager).security_group(&db_sg),
//! );
//!
//! stack.grant(db_url.grant_read(&task)).unwrap();
//! stack.grant(logs.grant_write(&exec)).unwrap();
//! stack.grant(db.allow_from(&service)).unwrap();
//!
//! let synth = synth(&stack).unwrap();
//! let policy = synth.node("exec#policy:ecs-iac-grants").unwrap();
//! let document: serde_json::Value =
//!     serde_json::from_str(policy.body["PolicyDocument"].as_str().unwrap()).unwrap();
//! assert_eq!(document["Statement"][0]["Action"], "secretsmanager:GetSecretValue");
//! assert_eq!(document["Statement"][0]["Resource"], "${db-url.arn}");
//! assert_eq!(
//!     document["Statement"][1]["Resource"],
//!     "arn:aws:logs:us-east-1:${aws.account_id}:log-group:/ecs/shop:*"
//! );
//! let ingress = synth.node("db-sg#ingress").unwrap();
//! assert_eq!(ingress.body["IpPermissions"][0]["FromPort"], 5432);
//! assert_eq!(ingress.body["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"], "${app-sg.id}");
//! ```

use crate::net::Port;
use crate::resources::*;
use crate::stack::{AnyRef, Ref, Resource, Stack};
use crate::value::{Attr, Text};
use std::collections::BTreeMap;

/// The name of the inline policy holding every IAM grant of a role.
pub const GRANTS_POLICY: &str = "ecs-iac-grants";

/// A kind of access a role is granted on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Access {
    /// Read a secret's value.
    ReadSecret,
    /// Write events to a log group.
    WriteLogs,
    /// Pull images from an ECR repository.
    PullImages,
    /// Publish to an SNS topic.
    Publish,
    /// Decrypt with a KMS key.
    Decrypt,
    /// Encrypt new data with a KMS key.
    GenerateDataKey,
    /// List a bucket's objects.
    ListBucket,
    /// Read a bucket's objects.
    ReadObjects,
    /// Write a bucket's objects.
    WriteObjects,
}

impl Access {
    /// The minimal actions, sorted.
    fn actions(self) -> &'static [&'static str] {
        match self {
            Access::ReadSecret => &["secretsmanager:GetSecretValue"],
            Access::WriteLogs => &["logs:CreateLogStream", "logs:PutLogEvents"],
            Access::PullImages => &[
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
            ],
            Access::Publish => &["sns:Publish"],
            Access::Decrypt => &["kms:Decrypt"],
            Access::GenerateDataKey => &["kms:GenerateDataKey"],
            Access::ListBucket => &["s3:ListBucket"],
            Access::ReadObjects => &["s3:GetObject"],
            Access::WriteObjects => &["s3:PutObject"],
        }
    }

    fn sid(self) -> &'static str {
        match self {
            Access::ReadSecret => "ReadSecrets",
            Access::WriteLogs => "WriteLogs",
            Access::PullImages => "PullImages",
            Access::Publish => "PublishToTopics",
            Access::Decrypt => "DecryptWithKeys",
            Access::GenerateDataKey => "EncryptWithKeys",
            Access::ListBucket => "ListBuckets",
            Access::ReadObjects => "ReadObjects",
            Access::WriteObjects => "WriteObjects",
        }
    }
}

/// One IAM grant held by a role: `access` to the ARN held in `target`'s attribute
/// `attribute` (`arn`, or e.g. an RDS instance's `master_user_secret_arn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoleGrant {
    pub access: Access,
    pub target: AnyRef,
    pub attribute: &'static str,
}

/// The pseudo-attribute of a grant on a bucket's objects (`ARN/*`).
const OBJECTS: &str = "objects";

/// The grants policy of a role: one statement per kind of access, resources sorted by
/// logical name and deduplicated. `None` when the role has no grants.
pub(crate) fn grants_document(grants: &[RoleGrant]) -> Option<PolicyDocument> {
    if grants.is_empty() {
        return None;
    }
    type Key = (String, usize, &'static str);
    let mut by_access: BTreeMap<Access, BTreeMap<Key, &RoleGrant>> = BTreeMap::new();
    for g in grants {
        by_access.entry(g.access).or_default().insert(
            (g.target.name().to_string(), g.target.index, g.attribute),
            g,
        );
    }
    let mut document = PolicyDocument::new();
    if by_access.contains_key(&Access::PullImages) {
        // A registry login token is not scoped to a repository.
        document = document.statement(
            Statement::allow(["ecr:GetAuthorizationToken"])
                .sid("EcrLogin")
                .resource("*"),
        );
    }
    for (access, targets) in by_access {
        let mut statement = Statement::allow(access.actions().iter().copied()).sid(access.sid());
        statement
            .resources
            .extend(targets.into_values().map(|g| match g.attribute {
                "arn" => PolicyResource::Of(g.target.clone()),
                // A bucket's objects.
                OBJECTS => PolicyResource::Arn(Text::from(format!(
                    "{}/*",
                    crate::lower::placeholder(g.target.name(), "arn")
                ))),
                attribute => PolicyResource::Arn(Text::from(Attr::<crate::value::Arn>::of_any(
                    g.target.clone(),
                    attribute,
                ))),
            }));
        document = document.statement(statement);
    }
    Some(document)
}

/// Who reads a secret.
#[derive(Debug, Clone)]
enum Reader {
    /// The execution role of a task definition.
    Execution(Ref<TaskDefinition>),
    /// A role.
    Role(Ref<Role>),
}

#[derive(Debug, Clone)]
enum GrantKind {
    ReadSecret {
        secret: SecretSource,
        reader: Reader,
    },
    WriteLogs {
        group: Ref<LogGroup>,
        role: Ref<Role>,
    },
    PullImages {
        repository: Ref<Repository>,
        role: Ref<Role>,
    },
    Publish {
        topic: Ref<Topic>,
        role: Ref<Role>,
    },
    Decrypt {
        key: Ref<KmsKey>,
        role: Ref<Role>,
    },
    Objects {
        bucket: Ref<Bucket>,
        role: Ref<Role>,
        write: bool,
    },
    DbFrom {
        db: Ref<DbInstance>,
        service: Ref<Service>,
    },
    CacheFrom {
        cache: Ref<ReplicationGroup>,
        service: Ref<Service>,
    },
}

/// A least-privilege permission derived from how one resource uses another. Build it
/// from the used resource's reference (`secret.grant_read(&task)`,
/// `log_group.grant_write(&role)`, `db.allow_from(&service)`,
/// `cache.allow_from(&service)`) and apply it with [`Stack::grant`]. See the
/// [module docs](crate::grant) for what each renders to.
#[derive(Debug, Clone)]
#[must_use = "a grant does nothing until it is passed to `Stack::grant`"]
pub struct Grant(GrantKind);

/// Why a grant cannot be applied. Nothing is changed when it fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GrantError {
    /// A reference is not from this stack.
    #[error("{kind} `{name}` is not in stack `{stack}`; add it with `stack.add(...)` and pass the reference it returns")]
    UnknownReference {
        /// The stack's name.
        stack: String,
        /// The referenced kind, e.g. `ecs.task_definition`.
        kind: crate::kind::Kind,
        /// The referenced logical name.
        name: String,
    },
    /// `grant_read` to a task definition without an execution role.
    #[error("{address}: the task definition has no execution role to read secret `{secret}` with; add `.execution_role(&role)` first")]
    NoExecutionRole {
        /// The task definition's address.
        address: String,
        /// The secret's logical name.
        secret: String,
    },
    /// `allow_from` where the database, cache or service has no security group.
    #[error(
        "{address}: it has no security group to {purpose}; add `.security_group(&group)` first"
    )]
    NoSecurityGroup {
        /// The address of the resource without a group.
        address: String,
        /// What the group was needed for.
        purpose: &'static str,
    },
    /// `allow_from` to a database whose engine has no known default port and no port set.
    #[error("{address}: engine `{engine}` has no known default port; set `.port(...)`")]
    UnknownPort {
        /// The database's address.
        address: String,
        /// The engine name.
        engine: String,
    },
}

impl Ref<SecretRef> {
    /// Lets the task definition `task` inject this secret (`Container::secret`): adds
    /// `secretsmanager:GetSecretValue` on exactly this secret's ARN to the task
    /// definition's **execution role**, the role ECS uses to fetch secrets when a task
    /// starts. Apply it with [`Stack::grant`]. For a secret
    /// [`encrypted_with`](SecretRef::encrypted_with) a customer managed key, it adds
    /// `kms:Decrypt` on that key too.
    ///
    /// ```
    /// # use ecs_iac_core::prelude::*;
    /// let mut stack = Stack::new("s");
    /// let secret = stack.add(SecretRef::by_arn("token", "arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf"));
    /// let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
    /// let task = stack.add(TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
    ///     .execution_role(&exec)
    ///     .container(Container::new("app", image("app:1")).secret("TOKEN", &secret)));
    /// stack.grant(secret.grant_read(&task)).unwrap();
    /// let synth = synth(&stack).unwrap();
    /// let doc = synth.node("exec#policy:ecs-iac-grants").unwrap().body["PolicyDocument"].as_str().unwrap().to_string();
    /// assert!(doc.contains(r#""Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf""#));
    /// ```
    pub fn grant_read(&self, task: &Ref<TaskDefinition>) -> Grant {
        Grant(GrantKind::ReadSecret {
            secret: self.into(),
            reader: Reader::Execution(task.clone()),
        })
    }

    /// Lets `role` read this secret's value itself (e.g. a task role whose application
    /// calls `GetSecretValue`): `secretsmanager:GetSecretValue` on exactly this secret's
    /// ARN. Apply it with [`Stack::grant`].
    pub fn grant_read_to(&self, role: &Ref<Role>) -> Grant {
        Grant(GrantKind::ReadSecret {
            secret: self.into(),
            reader: Reader::Role(role.clone()),
        })
    }
}

impl ManagedSecret {
    /// Lets the task definition `task` inject keys of this secret
    /// (`Container::secret_key`): `secretsmanager:GetSecretValue` on exactly its ARN (known
    /// after apply) for the task definition's **execution role**. Apply it with
    /// [`Stack::grant`]. RDS encrypts it with the `aws/secretsmanager` key unless told
    /// otherwise, which needs no `kms:Decrypt` grant.
    ///
    /// ```
    /// # use ecs_iac_core::prelude::*;
    /// let mut stack = Stack::new("s").region("us-east-1");
    /// # let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
    /// # let a = stack.add(Subnet::private("a", &vpc, cidr("10.0.1.0/24"), Az::US_EAST_1A));
    /// # let b = stack.add(Subnet::private("b", &vpc, cidr("10.0.2.0/24"), Az::US_EAST_1B));
    /// # let subnets = stack.add(DbSubnetGroup::new("db-subnets", [&a, &b]));
    /// let db = stack.add(DbInstance::new("db", DbEngine::Postgres, DbInstanceClass::T3_SMALL,
    ///     20, &subnets, "app", MasterPassword::ManagedBySecretsManager));
    /// let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
    /// let master = db.master_secret();
    /// let task = stack.add(TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
    ///     .execution_role(&exec)
    ///     .container(Container::new("app", image("app:1"))
    ///         .secret_key("DB_USER", &master, "username")
    ///         .secret_key("DB_PASSWORD", &master, "password")));
    /// stack.grant(master.grant_read(&task)).unwrap();
    /// let synth = synth(&stack).unwrap();
    /// let secrets = &synth.node("task").unwrap().body["containerDefinitions"][0]["secrets"];
    /// assert_eq!(secrets[1]["valueFrom"], "${db.master_user_secret_arn}:password::");
    /// let doc = synth.node("exec#policy:ecs-iac-grants").unwrap().body["PolicyDocument"].as_str().unwrap().to_string();
    /// assert!(doc.contains(r#""Resource":"${db.master_user_secret_arn}""#));
    /// ```
    pub fn grant_read(&self, task: &Ref<TaskDefinition>) -> Grant {
        Grant(GrantKind::ReadSecret {
            secret: self.into(),
            reader: Reader::Execution(task.clone()),
        })
    }

    /// Lets `role` read this secret's value itself: `secretsmanager:GetSecretValue` on
    /// exactly its ARN. Apply it with [`Stack::grant`].
    pub fn grant_read_to(&self, role: &Ref<Role>) -> Grant {
        Grant(GrantKind::ReadSecret {
            secret: self.into(),
            reader: Reader::Role(role.clone()),
        })
    }
}

impl Ref<LogGroup> {
    /// Lets `role` write to this log group: `logs:CreateLogStream` and
    /// `logs:PutLogEvents` on `arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*` (the group's
    /// streams). Apply it with [`Stack::grant`].
    ///
    /// ```
    /// # use ecs_iac_core::prelude::*;
    /// let mut stack = Stack::new("s").region("eu-west-1");
    /// let logs = stack.add(LogGroup::new("logs", "/ecs/app").retention_days(30));
    /// let role = stack.add(Role::new("app-role", Principal::ecs_tasks()));
    /// stack.grant(logs.grant_write(&role)).unwrap();
    /// stack.grant(logs.grant_write(&role)).unwrap(); // idempotent
    /// let synth = synth(&stack).unwrap();
    /// let doc: serde_json::Value = serde_json::from_str(
    ///     synth.node("app-role#policy:ecs-iac-grants").unwrap().body["PolicyDocument"].as_str().unwrap(),
    /// ).unwrap();
    /// assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
    /// assert_eq!(doc["Statement"][0]["Action"], serde_json::json!(["logs:CreateLogStream", "logs:PutLogEvents"]));
    /// assert_eq!(doc["Statement"][0]["Resource"], "arn:aws:logs:eu-west-1:${aws.account_id}:log-group:/ecs/app:*");
    /// ```
    pub fn grant_write(&self, role: &Ref<Role>) -> Grant {
        Grant(GrantKind::WriteLogs {
            group: self.clone(),
            role: role.clone(),
        })
    }
}

impl Ref<Repository> {
    /// Lets `role` pull this repository's images (a task definition's execution role
    /// pulls them): `ecr:BatchCheckLayerAvailability`, `ecr:BatchGetImage` and
    /// `ecr:GetDownloadUrlForLayer` on exactly the repository's ARN, and
    /// `ecr:GetAuthorizationToken`, which AWS only grants on `*`. Apply it with
    /// [`Stack::grant`].
    ///
    /// ```
    /// # use ecs_iac_core::prelude::*;
    /// let mut stack = Stack::new("s").region("eu-west-1");
    /// let repo = stack.add(Repository::new("repo", "shop/api"));
    /// let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
    /// stack.grant(repo.grant_pull(&exec)).unwrap();
    /// let synth = synth(&stack).unwrap();
    /// let policy = &synth.node("exec#policy:ecs-iac-grants").unwrap().body["PolicyDocument"];
    /// let document: serde_json::Value = serde_json::from_str(policy.as_str().unwrap()).unwrap();
    /// assert_eq!(document["Statement"][0]["Action"], "ecr:GetAuthorizationToken");
    /// assert_eq!(document["Statement"][0]["Resource"], "*");
    /// assert_eq!(document["Statement"][1]["Resource"], "${repo.arn}");
    /// ```
    pub fn grant_pull(&self, role: &Ref<Role>) -> Grant {
        Grant(GrantKind::PullImages {
            repository: self.clone(),
            role: role.clone(),
        })
    }
}

impl Ref<KmsKey> {
    /// Lets `role` decrypt with this key: `kms:Decrypt` on exactly its ARN (e.g. an
    /// execution role reading secrets the key encrypts). Apply it with [`Stack::grant`].
    /// The key policy must let IAM policies grant its use, as the policy of a
    /// [`KmsKey::new`] key does.
    ///
    /// ```
    /// # use ecs_iac_core::prelude::*;
    /// let mut stack = Stack::new("s").region("eu-west-1");
    /// let key = stack.add(KmsKey::new("secrets-key"));
    /// let exec = stack.add(Role::new("exec", Principal::ecs_tasks()));
    /// stack.grant(key.grant_decrypt(&exec)).unwrap();
    /// let synth = synth(&stack).unwrap();
    /// let policy = &synth.node("exec#policy:ecs-iac-grants").unwrap().body["PolicyDocument"];
    /// let document: serde_json::Value = serde_json::from_str(policy.as_str().unwrap()).unwrap();
    /// assert_eq!(document["Statement"][0]["Action"], "kms:Decrypt");
    /// assert_eq!(document["Statement"][0]["Resource"], "${secrets-key.arn}");
    /// ```
    pub fn grant_decrypt(&self, role: &Ref<Role>) -> Grant {
        Grant(GrantKind::Decrypt {
            key: self.clone(),
            role: role.clone(),
        })
    }
}

impl Ref<Bucket> {
    /// Lets `role` read the bucket: `s3:ListBucket` on it and `s3:GetObject` on its
    /// objects, plus `kms:Decrypt` on its key when it is encrypted with a key of the
    /// stack. Apply it with [`Stack::grant`].
    ///
    /// ```
    /// # use ecs_iac_core::prelude::*;
    /// let mut stack = Stack::new("s").region("eu-west-1");
    /// let bucket = stack.add(Bucket::new("assets", "shop-assets-0042"));
    /// let app = stack.add(Role::new("app", Principal::ecs_tasks()));
    /// stack.grant(bucket.grant_read(&app)).unwrap();
    /// let synth = synth(&stack).unwrap();
    /// let policy = &synth.node("app#policy:ecs-iac-grants").unwrap().body["PolicyDocument"];
    /// let document: serde_json::Value = serde_json::from_str(policy.as_str().unwrap()).unwrap();
    /// assert_eq!(document["Statement"][0]["Action"], "s3:ListBucket");
    /// assert_eq!(document["Statement"][0]["Resource"], "${assets.arn}");
    /// assert_eq!(document["Statement"][1]["Action"], "s3:GetObject");
    /// assert_eq!(document["Statement"][1]["Resource"], "${assets.arn}/*");
    /// ```
    pub fn grant_read(&self, role: &Ref<Role>) -> Grant {
        Grant(GrantKind::Objects {
            bucket: self.clone(),
            role: role.clone(),
            write: false,
        })
    }

    /// Lets `role` write objects to the bucket: `s3:PutObject` on its objects, plus
    /// `kms:GenerateDataKey` on its key when it is encrypted with a key of the stack.
    /// Apply it with [`Stack::grant`].
    pub fn grant_write(&self, role: &Ref<Role>) -> Grant {
        Grant(GrantKind::Objects {
            bucket: self.clone(),
            role: role.clone(),
            write: true,
        })
    }
}

impl Ref<Topic> {
    /// Lets `role` publish to this topic: `sns:Publish` on exactly its ARN. Apply it with
    /// [`Stack::grant`]. (A topic encrypted with a customer managed key also needs
    /// `kms:GenerateDataKey` and `kms:Decrypt` on that key.)
    ///
    /// ```
    /// # use ecs_iac_core::prelude::*;
    /// let mut stack = Stack::new("s").region("eu-west-1");
    /// let topic = stack.add(Topic::new("events", "order-events"));
    /// let app = stack.add(Role::new("app", Principal::ecs_tasks()));
    /// stack.grant(topic.grant_publish(&app)).unwrap();
    /// let synth = synth(&stack).unwrap();
    /// let policy = &synth.node("app#policy:ecs-iac-grants").unwrap().body["PolicyDocument"];
    /// let document: serde_json::Value = serde_json::from_str(policy.as_str().unwrap()).unwrap();
    /// assert_eq!(document["Statement"][0]["Action"], "sns:Publish");
    /// assert_eq!(document["Statement"][0]["Resource"], "${events.arn}");
    /// ```
    pub fn grant_publish(&self, role: &Ref<Role>) -> Grant {
        Grant(GrantKind::Publish {
            topic: self.clone(),
            role: role.clone(),
        })
    }
}

impl Ref<DbInstance> {
    /// Lets the tasks of `service` connect to this database: one ingress rule on the
    /// database's first security group, TCP on exactly the database's port (the
    /// configured one, else the engine's default: 5432 PostgreSQL, 3306 MySQL/MariaDB),
    /// from exactly the service's first security group. Apply it with [`Stack::grant`].
    pub fn allow_from(&self, service: &Ref<Service>) -> Grant {
        Grant(GrantKind::DbFrom {
            db: self.clone(),
            service: service.clone(),
        })
    }
}

impl Ref<ReplicationGroup> {
    /// Lets the tasks of `service` connect to this cache: one ingress rule on the
    /// cache's first security group, TCP on exactly its port (6379 unless configured),
    /// from exactly the service's first security group. Apply it with [`Stack::grant`].
    pub fn allow_from(&self, service: &Ref<Service>) -> Grant {
        Grant(GrantKind::CacheFrom {
            cache: self.clone(),
            service: service.clone(),
        })
    }
}

impl Stack {
    fn address_of<T: Resource>(&self, r: &Ref<T>) -> String {
        r.name().to_string()
    }

    /// The resource behind `r`, or the error naming it.
    fn need<T: Resource>(&self, r: &Ref<T>) -> Result<&T, GrantError> {
        self.get(r).ok_or_else(|| GrantError::UnknownReference {
            stack: self.name.clone(),
            kind: T::KIND,
            name: r.name().to_string(),
        })
    }

    /// Applies a least-privilege grant (see [`crate::grant`]): adds the scoped IAM
    /// statement to the role's [`GRANTS_POLICY`] inline policy, or the security group
    /// rule(s) on the exact port from the exact group. Granting the same thing twice
    /// changes nothing. On error nothing is changed.
    ///
    /// ```
    /// # use ecs_iac_core::prelude::*;
    /// let mut stack = Stack::new("s");
    /// let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
    /// let a = stack.add(Subnet::private("a", &vpc, cidr("10.0.1.0/24"), Az::US_EAST_1A));
    /// let b = stack.add(Subnet::private("b", &vpc, cidr("10.0.2.0/24"), Az::US_EAST_1B));
    /// let app_sg = stack.add(SecurityGroup::new("app-sg", &vpc));
    /// let cache_sg = stack.add(SecurityGroup::new("cache-sg", &vpc).no_egress());
    /// let cluster = stack.add(Cluster::new("c"));
    /// let task = stack.add(TaskDefinition::fargate("t", Fargate::CPU_256_MEM_512)
    ///     .container(Container::new("app", image("app:1"))));
    /// let service = stack.add(Service::new("svc", &cluster, &task).subnets([&a]).security_group(&app_sg));
    /// let group = stack.add(CacheSubnetGroup::new("cache-subnets", [&a, &b]));
    /// let cache = stack.add(ReplicationGroup::new("redis", CacheEngine::Valkey, "cache.t4g.micro", &group)
    ///     .security_group(&cache_sg));
    /// stack.grant(cache.allow_from(&service)).unwrap();
    /// let synth = synth(&stack).unwrap();
    /// let rule = &synth.node("cache-sg#ingress").unwrap().body["IpPermissions"][0];
    /// assert_eq!((rule["FromPort"].as_u64(), rule["ToPort"].as_u64()), (Some(6379), Some(6379)));
    /// assert_eq!(rule["UserIdGroupPairs"][0]["GroupId"], "${app-sg.id}");
    /// ```
    pub fn grant(&mut self, grant: Grant) -> Result<(), GrantError> {
        match grant.0 {
            GrantKind::ReadSecret { secret, reader } => {
                let (target, attribute) = match &secret {
                    SecretSource::Secret(r) => {
                        self.need(r)?;
                        (r.erase(), "arn")
                    }
                    SecretSource::Managed(m) => {
                        let arn = m.arn();
                        let r = arn.resource();
                        if self.resolve(r).is_none() {
                            return Err(GrantError::UnknownReference {
                                stack: self.name.clone(),
                                kind: r.kind(),
                                name: r.name().to_string(),
                            });
                        }
                        (r.clone(), arn.name())
                    }
                };
                let key = match &secret {
                    SecretSource::Secret(r) => self.need(r)?.kms_key.clone(),
                    SecretSource::Managed(_) => None,
                };
                let role = match reader {
                    Reader::Role(role) => role,
                    Reader::Execution(task) => {
                        self.need(&task)?.execution_role.clone().ok_or_else(|| {
                            GrantError::NoExecutionRole {
                                address: self.address_of(&task),
                                secret: secret.owner(),
                            }
                        })?
                    }
                };
                if let Some(key) = key {
                    self.need(&key)?;
                    self.grant_role(&role, Access::Decrypt, key.erase(), "arn")?;
                }
                self.grant_role(&role, Access::ReadSecret, target, attribute)
            }
            GrantKind::WriteLogs { group, role } => {
                self.need(&group)?;
                self.grant_role(&role, Access::WriteLogs, group.erase(), "arn")
            }
            GrantKind::PullImages { repository, role } => {
                self.need(&repository)?;
                self.grant_role(&role, Access::PullImages, repository.erase(), "arn")
            }
            GrantKind::Publish { topic, role } => {
                self.need(&topic)?;
                self.grant_role(&role, Access::Publish, topic.erase(), "arn")
            }
            GrantKind::Decrypt { key, role } => {
                self.need(&key)?;
                self.grant_role(&role, Access::Decrypt, key.erase(), "arn")
            }
            GrantKind::Objects {
                bucket,
                role,
                write,
            } => {
                let key = match &self.need(&bucket)?.encryption {
                    BucketEncryption::Kms(key) => Some(key.clone()),
                    _ => None,
                };
                if let Some(key) = key {
                    self.need(&key)?;
                    let access = if write {
                        Access::GenerateDataKey
                    } else {
                        Access::Decrypt
                    };
                    self.grant_role(&role, access, key.erase(), "arn")?;
                }
                if write {
                    self.grant_role(&role, Access::WriteObjects, bucket.erase(), OBJECTS)
                } else {
                    self.grant_role(&role, Access::ListBucket, bucket.erase(), "arn")?;
                    self.grant_role(&role, Access::ReadObjects, bucket.erase(), OBJECTS)
                }
            }
            GrantKind::DbFrom { db, service } => {
                let d = self.need(&db)?;
                let port = d.effective_port().ok_or_else(|| GrantError::UnknownPort {
                    address: self.address_of(&db),
                    engine: d.engine.as_str().to_string(),
                })?;
                let groups = d.security_groups.clone();
                self.allow_group(&db.erase(), &groups, port, &service)
            }
            GrantKind::CacheFrom { cache, service } => {
                let c = self.need(&cache)?;
                let (port, groups) = (c.port, c.security_groups.clone());
                self.allow_group(&cache.erase(), &groups, port, &service)
            }
        }
    }

    fn grant_role(
        &mut self,
        role: &Ref<Role>,
        access: Access,
        target: AnyRef,
        attribute: &'static str,
    ) -> Result<(), GrantError> {
        self.need(role)?;
        let grant = RoleGrant {
            access,
            target,
            attribute,
        };
        self.modify(role, |mut r| {
            if !r.grants.contains(&grant) {
                r.grants.push(grant);
            }
            r
        });
        Ok(())
    }

    fn allow_group(
        &mut self,
        target: &AnyRef,
        groups: &[Ref<SecurityGroup>],
        port: u16,
        service: &Ref<Service>,
    ) -> Result<(), GrantError> {
        let target_group = groups.first().cloned().ok_or(GrantError::NoSecurityGroup {
            address: target.name().to_string(),
            purpose: "allow the service in",
        })?;
        self.need(&target_group)?;
        let source = self
            .need(service)?
            .security_groups
            .first()
            .cloned()
            .ok_or_else(|| GrantError::NoSecurityGroup {
                address: self.address_of(service),
                purpose: "name as the source of the connection",
            })?;
        let restricted = self.need(&source)?.restrict_egress;
        let port = Port::tcp(port);
        let description = format!(
            "ecs-iac grant: {} from service {}",
            target.name(),
            service.name()
        );
        let (from, to) = (source.clone(), target_group.clone());
        self.modify(&target_group, |g| {
            if g.ingress.iter().any(|r| r.is_from_group(&from, &port)) {
                g
            } else {
                g.ingress_described(Peer::group(&from), port, description.clone())
            }
        });
        if restricted {
            self.modify(&source, |g| {
                if g.egress.iter().any(|r| r.is_from_group(&to, &port)) {
                    g
                } else {
                    g.egress_described(Peer::group(&to), port, description)
                }
            });
        }
        Ok(())
    }
}
