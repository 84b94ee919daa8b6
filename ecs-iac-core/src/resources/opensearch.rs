//! OpenSearch Service domains: engine version, instances and storage, encryption at rest
//! and between nodes, HTTPS only, fine-grained access control whose master password
//! comes from a secret, and an access policy from typed statements.

use super::iam::{PolicyDocument, Statement};
use super::kms::KmsKey;
use super::secrets::Secret;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{
    placeholder, protection_setters, tag_setter, Cx, Protection, ResourceSpec, ACCOUNT_ID,
};
use crate::requests::opensearch::{
    AdvancedSecurityOptions, ClusterConfig, CreateDomain, CreateDomainFields,
    DomainEndpointOptions, EbsOptions, EncryptionAtRestOptions, MasterUserOptions,
    NodeToNodeEncryptionOptions,
};
use crate::stack::{Meta, Ref};
use crate::value::Attr;

/// The AWS names of a domain's request fields.
const DOMAIN: CreateDomainFields = CreateDomain::FIELD;

/// An OpenSearch Service domain. Encryption at rest and between nodes and HTTPS (TLS 1.2
/// or later) are on unless said otherwise. Its indices are data: a plan that would
/// replace or delete it is blocked unless `.allow_replacement()` / `.allow_destroy()`.
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let admin = stack.add(Secret::new(
///     "search-admin",
///     "shop/search-admin",
///     SecretValue::generated(Password::new(32).exclude_characters("\"'\\/@")),
/// ));
/// stack.add(
///     OpenSearchDomain::new("search", "shop-logs", "OpenSearch_2.13")
///         .instances("r6g.large.search", 2)
///         .gp3_storage_gib(100)
///         .master_user(MasterUser::internal("admin", &admin)),
/// );
/// let synth = synth(&stack).unwrap();
/// let body = &synth.node("search").unwrap().body;
/// assert_eq!(body["DomainEndpointOptions"]["EnforceHTTPS"], true);
/// assert_eq!(
///     body["AdvancedSecurityOptions"]["MasterUserOptions"]["MasterUserPassword"],
///     "${search-admin.secret_value}"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct OpenSearchDomain {
    pub(crate) meta: Meta,
    pub(crate) domain_name: String,
    pub(crate) engine_version: String,
    pub(crate) instance_type: String,
    pub(crate) instance_count: u32,
    pub(crate) volume_gib: u32,
    pub(crate) node_to_node_encryption: bool,
    pub(crate) encryption_at_rest: bool,
    pub(crate) kms_key: Option<Ref<KmsKey>>,
    pub(crate) enforce_https: bool,
    pub(crate) tls_policy: TlsPolicy,
    pub(crate) master_user: Option<MasterUser>,
    pub(crate) access_policy: PolicyDocument,
    pub(crate) protection: Protection,
}

/// The TLS versions a domain's endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsPolicy {
    /// TLS 1.2 or later, perfect forward secrecy ciphers only (the default here).
    Tls12Pfs,
    /// TLS 1.2 or later.
    Tls12,
    /// TLS 1.0 or later (AWS's default; lint reports it).
    Tls10,
}

impl TlsPolicy {
    fn as_str(self) -> &'static str {
        match self {
            TlsPolicy::Tls12Pfs => "Policy-Min-TLS-1-2-PFS-2023-10",
            TlsPolicy::Tls12 => "Policy-Min-TLS-1-2-2019-07",
            TlsPolicy::Tls10 => "Policy-Min-TLS-1-0-2019-07",
        }
    }
}

/// The master user of fine-grained access control.
#[derive(Debug, Clone)]
pub enum MasterUser {
    /// A user of the domain's internal user database, its password the value of a secret
    /// of the stack (read at apply, never planned or stored).
    Internal {
        /// The user name.
        name: String,
        /// The secret holding the password.
        password: Ref<Secret>,
    },
    /// A user of the internal database whose password is written in the code, as seed
    /// 002 does (`Password123!`): it ends up in plans and state. Lint reports it as an
    /// error (`L0609 opensearch-literal-password`); use [`MasterUser::Internal`].
    InternalWithLiteralPassword {
        /// The user name.
        name: String,
        /// The password.
        password: String,
    },
    /// An IAM principal (role or user ARN) as the master user.
    Iam(String),
}

impl MasterUser {
    /// An internal user whose password is the value of `password`.
    pub fn internal(name: impl Into<String>, password: &Ref<Secret>) -> MasterUser {
        MasterUser::Internal {
            name: name.into(),
            password: password.clone(),
        }
    }

    /// An IAM role or user (its ARN) as the master user.
    pub fn iam(principal_arn: impl Into<String>) -> MasterUser {
        MasterUser::Iam(principal_arn.into())
    }
}

impl OpenSearchDomain {
    /// A domain named `domain_name` (3 to 28 lower-case letters, digits and `-`, starting
    /// with a letter) running `engine_version` (`OpenSearch_2.13`), on one
    /// `t3.small.search` instance with 10 GiB of gp3 storage until said otherwise.
    pub fn new(
        name: impl Into<String>,
        domain_name: impl Into<String>,
        engine_version: impl Into<String>,
    ) -> OpenSearchDomain {
        OpenSearchDomain {
            meta: Meta::new(name),
            domain_name: domain_name.into(),
            engine_version: engine_version.into(),
            instance_type: "t3.small.search".into(),
            instance_count: 1,
            volume_gib: 10,
            node_to_node_encryption: true,
            encryption_at_rest: true,
            kms_key: None,
            enforce_https: true,
            tls_policy: TlsPolicy::Tls12Pfs,
            master_user: None,
            access_policy: PolicyDocument::new(),
            protection: Protection::default(),
        }
    }

    /// The data nodes: `count` instances of `instance_type` (`r6g.large.search`).
    #[must_use]
    pub fn instances(mut self, instance_type: impl Into<String>, count: u32) -> OpenSearchDomain {
        self.instance_type = instance_type.into();
        self.instance_count = count;
        self
    }

    /// Each node's gp3 EBS volume, in GiB.
    #[must_use]
    pub fn gp3_storage_gib(mut self, size: u32) -> OpenSearchDomain {
        self.volume_gib = size;
        self
    }

    /// Encryption of traffic between nodes (on by default; fine-grained access control
    /// needs it).
    #[must_use]
    pub fn node_to_node_encryption(mut self, enabled: bool) -> OpenSearchDomain {
        self.node_to_node_encryption = enabled;
        self
    }

    /// Encryption of data at rest (on by default, with AWS's key).
    #[must_use]
    pub fn encryption_at_rest(mut self, enabled: bool) -> OpenSearchDomain {
        self.encryption_at_rest = enabled;
        self
    }

    /// Encrypts data at rest with a key of the stack.
    #[must_use]
    pub fn kms_key(mut self, key: &Ref<KmsKey>) -> OpenSearchDomain {
        self.kms_key = Some(key.clone());
        self.encryption_at_rest = true;
        self
    }

    /// Whether the endpoint refuses plain HTTP (on by default) and the TLS versions it
    /// accepts.
    #[must_use]
    pub fn https(mut self, enforce: bool, policy: TlsPolicy) -> OpenSearchDomain {
        self.enforce_https = enforce;
        self.tls_policy = policy;
        self
    }

    /// Turns on fine-grained access control with this master user.
    #[must_use]
    pub fn master_user(mut self, user: MasterUser) -> OpenSearchDomain {
        self.master_user = Some(user);
        self
    }

    /// Adds a statement to the domain's access policy (each names its principal; one
    /// without resources covers the domain's indices, `DOMAIN_ARN/*`).
    #[must_use]
    pub fn access_policy(mut self, statement: Statement) -> OpenSearchDomain {
        self.access_policy = self.access_policy.statement(statement);
        self
    }

    /// The domain's name.
    pub fn domain_name(&self) -> &str {
        &self.domain_name
    }

    /// Whether data at rest is encrypted.
    pub fn encrypts_at_rest(&self) -> bool {
        self.encryption_at_rest
    }

    /// Whether traffic between nodes is encrypted.
    pub fn encrypts_between_nodes(&self) -> bool {
        self.node_to_node_encryption
    }

    /// Whether the endpoint takes HTTPS only, with TLS 1.2 or later.
    pub fn requires_modern_https(&self) -> bool {
        self.enforce_https && self.tls_policy != TlsPolicy::Tls10
    }

    /// Whether the master password is written in the code.
    pub fn has_literal_password(&self) -> bool {
        matches!(
            self.master_user,
            Some(MasterUser::InternalWithLiteralPassword { .. })
        )
    }

    fn arn_in(&self, cx: &Cx<'_>) -> String {
        format!(
            "arn:{}:es:{}:{ACCOUNT_ID}:domain/{}",
            cx.partition(),
            cx.region(),
            self.domain_name
        )
    }
}

impl ResourceSpec for OpenSearchDomain {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let name = &self.domain_name;
        let fine = (3..=28).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !fine {
            cx.error(
                Rule::AwsName,
                DOMAIN.domain_name,
                format!("`{name}` is not a domain name OpenSearch Service accepts: 3 to 28 lower-case letters, digits and `-`, starting with a letter"),
            );
        }
        let version_fine = ["OpenSearch_", "Elasticsearch_"].iter().any(|p| {
            self.engine_version
                .strip_prefix(p)
                .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
        });
        if !version_fine {
            cx.error(
                Rule::AwsString,
                DOMAIN.engine_version,
                format!(
                    "`{}` is not an engine version: `OpenSearch_2.13` or `Elasticsearch_7.10`",
                    self.engine_version
                ),
            );
        }
        if !self.instance_type.ends_with(".search") {
            cx.error(
                Rule::AwsString,
                format!("{}.{}", DOMAIN.cluster_config, ClusterConfig::FIELD.instance_type),
                format!("`{}` is not an OpenSearch instance type (they end in `.search`, e.g. `r6g.large.search`)", self.instance_type),
            );
        }
        if self.instance_count == 0 || self.volume_gib == 0 {
            cx.error(
                Rule::AwsString,
                format!(
                    "{}.{}",
                    DOMAIN.cluster_config,
                    ClusterConfig::FIELD.instance_count
                ),
                "a domain has at least one instance and 1 GiB of storage per instance",
            );
        }
        if self.master_user.is_some()
            && !(self.enforce_https && self.node_to_node_encryption && self.encryption_at_rest)
        {
            cx.error(
                Rule::AwsString,
                DOMAIN.advanced_security_options,
                "fine-grained access control needs HTTPS enforced, node-to-node encryption and encryption at rest",
            );
        }
        if let Some(MasterUser::InternalWithLiteralPassword { password, .. }) = &self.master_user {
            if password.chars().count() < 8 {
                cx.error(
                    Rule::AwsString,
                    master_password_path(),
                    "a master password has at least 8 characters",
                );
            }
        }
        self.access_policy
            .require_principals(cx, DOMAIN.access_policies);
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx
            .node("", Kind::OPENSEARCH_DOMAIN)
            .protection(self.protection);
        let kms_key_id = self.kms_key.as_ref().map(|k| {
            let path = format!(
                "{}.{}",
                DOMAIN.encryption_at_rest_options,
                EncryptionAtRestOptions::FIELD.kms_key_id
            );
            n.target(&path, k);
            placeholder(k.name(), "arn")
        });
        let security = self.master_user.as_ref().map(|user| {
            let options = match user {
                MasterUser::Internal { name, password } => {
                    let value = n
                        .target(&master_password_path(), password)
                        .map(Secret::value_placeholder)
                        .unwrap_or_default();
                    MasterUserOptions {
                        master_user_name: Some(name.clone()),
                        master_user_password: Some(value),
                        master_user_arn: None,
                    }
                }
                MasterUser::InternalWithLiteralPassword { name, password } => MasterUserOptions {
                    master_user_name: Some(name.clone()),
                    master_user_password: Some(password.clone()),
                    master_user_arn: None,
                },
                MasterUser::Iam(arn) => MasterUserOptions {
                    master_user_arn: Some(arn.clone()),
                    ..MasterUserOptions::default()
                },
            };
            AdvancedSecurityOptions {
                enabled: Some(true),
                internal_user_database_enabled: Some(!matches!(user, MasterUser::Iam(_))),
                master_user_options: Some(options),
            }
        });
        let arn = self.arn_in(cx);
        let mut document = PolicyDocument::new();
        for statement in &self.access_policy.statements {
            let mut statement = statement.clone();
            if statement.resources.is_empty() {
                statement = statement.resource(format!("{arn}/*"));
            }
            document = document.statement(statement);
        }
        let access_policies = (!document.statements.is_empty())
            .then(|| document.render(cx, &mut n, DOMAIN.access_policies));
        let request = CreateDomain {
            domain_name: Some(self.domain_name.clone()),
            engine_version: Some(self.engine_version.clone()),
            cluster_config: Some(ClusterConfig {
                instance_type: Some(self.instance_type.clone()),
                instance_count: Some(self.instance_count),
            }),
            ebs_options: Some(EbsOptions {
                ebs_enabled: Some(true),
                volume_type: Some("gp3".into()),
                volume_size: Some(self.volume_gib),
            }),
            node_to_node_encryption_options: Some(NodeToNodeEncryptionOptions {
                enabled: Some(self.node_to_node_encryption),
            }),
            encryption_at_rest_options: Some(EncryptionAtRestOptions {
                enabled: Some(self.encryption_at_rest),
                kms_key_id,
            }),
            domain_endpoint_options: Some(DomainEndpointOptions {
                enforce_https: Some(self.enforce_https),
                tls_security_policy: Some(self.tls_policy.as_str().into()),
            }),
            advanced_security_options: security,
            access_policies,
        };
        cx.push_request(n, request);
    }
}

/// `AdvancedSecurityOptions.MasterUserOptions.MasterUserPassword`.
pub(crate) fn master_password_path() -> String {
    format!(
        "{}.{}.{}",
        DOMAIN.advanced_security_options,
        AdvancedSecurityOptions::FIELD.master_user_options,
        MasterUserOptions::FIELD.master_user_password
    )
}

tag_setter!(OpenSearchDomain);
protection_setters!(OpenSearchDomain);

impl super::iam::HasArn for OpenSearchDomain {}

impl Ref<OpenSearchDomain> {
    /// The domain's HTTPS endpoint host name (`search-NAME-ID.REGION.es.amazonaws.com`).
    pub fn endpoint(&self) -> Attr<String> {
        Attr::of(self, "endpoint")
    }
}
