//! Security lint: rules in the spirit of tfsec, checkov and cdk-nag, run on the typed
//! stack. Separate from [`crate::validate`], which checks that AWS will *accept* a stack;
//! lint checks that it *should* be deployed.
//!
//! Every finding names its rule (a stable kebab-case id such as `sg-open-ingress` and a
//! code such as `L0101`), a severity, the resource address (its logical name, as in plans), the
//! request it is about (the node address, e.g. `alb-sg#ingress`), the field path inside
//! that request (`IpPermissions[0].IpRanges[0].CidrIp`), a message and a remediation.
//! Messages never quote an environment variable's or option's value.
//!
//! A finding is suppressed on one resource with a written reason:
//! `SecurityGroup::new(..).allow_lint("sg-open-ingress", "public ALB")`. Suppressed findings
//! stay in the report with their reason (SARIF `suppressions`) and do not count as failures.
//!
//! ```
//! use ecs_iac_core::prelude::*;
//! use ecs_iac_core::lint::LintRule;
//!
//! let mut stack = Stack::new("demo");
//! let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
//! stack.add(
//!     SecurityGroup::new("db-sg", &vpc)
//!         .ingress(Peer::any_ipv4(), Port::tcp(5432))
//!         .no_egress(),
//! );
//! stack.add(
//!     SecurityGroup::new("alb-sg", &vpc)
//!         .ingress_described(Peer::any_ipv4(), Port::tcp(8443), "admin UI")
//!         .no_egress()
//!         .allow_lint("sg-open-ingress", "the admin UI is protected by OIDC at the ALB"),
//! );
//! let report = lint(&stack);
//! let first = report.errors().next().unwrap();
//! assert_eq!(first.rule, LintRule::SgOpenIngressSensitivePort);
//! assert_eq!(first.address, "db-sg");
//! assert_eq!(first.request, "db-sg#ingress");
//! assert_eq!(first.path, "IpPermissions[0].IpRanges[0].CidrIp");
//! assert!(report.check().is_err()); // apply refuses
//! let suppressed = report.suppressed().next().unwrap();
//! assert_eq!(suppressed.suppressed.as_deref(), Some("the admin UI is protected by OIDC at the ALB"));
//! assert_eq!(report.to_sarif()["version"], "2.1.0");
//! ```

use crate::diagnostic::Severity;
use crate::net::{Port, Protocol};
use crate::resources::*;
use crate::stack::{AnyResource, LintAllow, Meta, Ref, Stack};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

macro_rules! lint_rules {
    ($($variant:ident = $code:literal, $id:literal, $severity:ident, $title:literal, $help:literal;)*) => {
        /// A lint rule. Each has a stable id (`sg-open-ingress`), a stable code (`L0101`),
        /// a severity, a one-line description and a remediation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum LintRule {
            $(#[doc = $title] $variant,)*
        }

        impl LintRule {
            /// Every rule, in code order.
            pub const ALL: &'static [LintRule] = &[$(LintRule::$variant,)*];

            /// The stable code, e.g. `L0101`.
            pub fn code(self) -> &'static str {
                match self { $(LintRule::$variant => $code,)* }
            }

            /// The stable kebab-case id, e.g. `sg-open-ingress`.
            pub fn id(self) -> &'static str {
                match self { $(LintRule::$variant => $id,)* }
            }

            /// The rule's name in PascalCase, e.g. `SgOpenIngress` (SARIF `name`).
            pub fn name(self) -> &'static str {
                match self { $(LintRule::$variant => stringify!($variant),)* }
            }

            /// The severity of its findings.
            pub fn severity(self) -> Severity {
                match self { $(LintRule::$variant => Severity::$severity,)* }
            }

            /// One line saying what the rule finds.
            pub fn description(self) -> &'static str {
                match self { $(LintRule::$variant => $title,)* }
            }

            /// What to do about a finding.
            pub fn remediation(self) -> &'static str {
                match self { $(LintRule::$variant => $help,)* }
            }
        }
    };
}

lint_rules! {
    SgOpenIngress = "L0101", "sg-open-ingress", Warning,
        "A security group allows ingress from anywhere (0.0.0.0/0 or ::/0), other than HTTP/HTTPS (80/443) on a load balancer's group.",
        "Allow the port only from the security groups that need it (`Peer::group(&alb_sg)`) or a known CIDR block, and expose services through a load balancer on 80/443.";
    SgOpenIngressSensitivePort = "L0102", "sg-open-ingress-sensitive-port", Error,
        "A security group allows ingress from anywhere on a database, cache or administration port (5432, 3306, 6379, 27017, 22, 3389, ...), or on any port of a group guarding a database or cache.",
        "Never expose these ports to the internet: allow them only from the clients' security group, e.g. `stack.grant(db.allow_from(&service))`.";
    SgEgressAll = "L0103", "sg-egress-all", Note,
        "A security group allows all outbound traffic to anywhere (AWS's default egress rule is kept, or an all-traffic rule to 0.0.0.0/0 or ::/0 is given).",
        "Where the destinations are known, list them with `.egress(peer, port)` (which revokes the default rule), or use `.no_egress()` for groups that never connect out.";
    SgRuleNoDescription = "L0104", "sg-rule-no-description", Note,
        "A security group ingress rule has no description.",
        "Say why the rule exists with `.ingress_described(peer, port, \"why\")`, so reviews and audits can tell intended rules from leftovers.";
    SubnetPublicIpOnLaunch = "L0105", "subnet-public-ip-on-launch", Warning,
        "A subnet gives every network interface launched in it a public IPv4 address.",
        "Remove `.map_public_ip(true)`: load balancers and NAT gateways get public addresses without it, and nothing else should.";
    RdsPublicAccess = "L0201", "rds-public-access", Error,
        "An RDS instance is publicly accessible.",
        "Remove `.publicly_accessible(true)` and reach the database from inside the VPC (tasks, or Session Manager port forwarding).";
    RdsPublicSubnet = "L0202", "rds-public-subnet", Warning,
        "An RDS instance's subnet group includes a public subnet.",
        "Put databases in isolated or private subnets (`Subnet::isolated`) so that one setting cannot expose them.";
    RdsStorageUnencrypted = "L0203", "rds-storage-unencrypted", Error,
        "An RDS instance's storage is not encrypted at rest.",
        "Remove `.storage_encrypted(false)` (encryption is on by default); an existing instance needs a snapshot, an encrypted copy and a restore.";
    RdsBackupsDisabled = "L0204", "rds-backups-disabled", Warning,
        "An RDS instance keeps no automated backups (retention 0 days).",
        "Keep backups with `.backup_retention_days(7)` or more (up to 35).";
    RdsNoDeletionProtection = "L0205", "rds-no-deletion-protection", Warning,
        "An RDS instance has no deletion protection.",
        "Add `.deletion_protection(true)`, and turn it off deliberately before destroying the database.";
    CachePublicSubnet = "L0211", "cache-public-subnet", Warning,
        "An ElastiCache replication group's subnet group includes a public subnet.",
        "Put caches in isolated or private subnets.";
    CacheAtRestUnencrypted = "L0212", "cache-at-rest-unencrypted", Error,
        "An ElastiCache replication group does not encrypt data at rest.",
        "Remove `.at_rest_encryption(false)` (on by default); it can only be chosen when the group is created.";
    CacheInTransitUnencrypted = "L0213", "cache-in-transit-unencrypted", Error,
        "An ElastiCache replication group does not encrypt traffic in transit (no TLS).",
        "Remove `.transit_encryption(false)` (on by default) and connect with TLS.";
    CacheNoAuth = "L0214", "cache-no-auth", Warning,
        "An ElastiCache replication group has no AUTH token: any client that reaches the port can run any command.",
        "Add `.auth_token(&secret)` with a token kept in Secrets Manager (it needs transit encryption).";
    IamWildcardAction = "L0301", "iam-wildcard-action", Error,
        "An IAM policy allows every action (`*`) or every action of a service (`s3:*`).",
        "List the actions the workload calls. `stack.grant(...)` writes scoped statements for secrets and log groups.";
    IamWildcardResource = "L0302", "iam-wildcard-resource", Warning,
        "An IAM policy allows actions that support resource-level permissions on every resource (`*`).",
        "Name the resources: `Statement::resource_of(&secret)`, or an ARN pattern limited to the stack's resources.";
    IamPassRoleWildcard = "L0303", "iam-passrole-wildcard", Error,
        "An IAM policy allows `iam:PassRole` on every role, so its holder can hand any role (admin ones included) to a service it controls.",
        "Allow `iam:PassRole` only on the ARNs of the roles actually passed, with an `iam:PassedToService` condition.";
    IamTrustWildcard = "L0304", "iam-trust-wildcard", Error,
        "An IAM role's trust policy lets anyone (`*`) assume it.",
        "Trust exactly the principal that assumes the role, e.g. `Principal::ecs_tasks()`, with an `aws:SourceAccount` condition.";
    IamTrustAccount = "L0305", "iam-trust-account", Warning,
        "An IAM role trusts a whole AWS account without conditions: every principal there allowed `sts:AssumeRole` can assume it.",
        "Trust the specific role ARN, or add a condition such as `.trust_condition(\"StringEquals\", \"aws:PrincipalArn\", [arn])` or an external id.";
    IamAdminPolicy = "L0306", "iam-admin-policy", Error,
        "An IAM role has an administrator-level managed policy (AdministratorAccess, PowerUserAccess, IAMFullAccess).",
        "Replace it with an inline policy of the actions and resources the workload uses; `stack.grant(...)` covers secrets and logs.";
    IamFullAccessPolicy = "L0307", "iam-full-access-policy", Warning,
        "An IAM role has an AWS managed `*FullAccess` policy, which allows every action of a service on every resource.",
        "Replace it with a policy naming the actions and resources used.";
    TaskRoleIsExecutionRole = "L0308", "task-role-is-execution-role", Warning,
        "A task definition uses one role as both task role and execution role, so the application gets ECS's permissions (image pulls, every injected secret).",
        "Use two roles: an execution role for ECS (pull, logs, secrets) and a task role with only what the application calls.";
    ContainerPrivileged = "L0401", "container-privileged", Error,
        "A container runs privileged (root on the host).",
        "Remove `.privileged(true)`; Fargate refuses it anyway.";
    ContainerRootUser = "L0402", "container-root-user", Warning,
        "A container is set to run as root (`user` is `root` or `0`).",
        "Run as an unprivileged user, e.g. `.user(\"1000:1000\")`, and make the image work without root.";
    ContainerUserUnset = "L0403", "container-user-unset", Note,
        "A container sets no `user`, so it runs as the image's USER, which is root for most images.",
        "State the user in the task definition: `.user(\"1000:1000\")` or the image's non-root user.";
    ContainerWritableRootFs = "L0404", "container-writable-root-fs", Warning,
        "A container's root filesystem is writable.",
        "Add `.readonly_root_filesystem(true)` and mount a task volume (`.volume(..)`, `.mount(..)`) where the app writes.";
    EnvSecret = "L0405", "env-secret", Error,
        "A plaintext environment variable's name looks like a secret (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, JWT, ...); its value is readable in the task definition, the plan and the state.",
        "Keep the value in Secrets Manager and inject it with `.secret(\"NAME\", &secret)` plus `stack.grant(secret.grant_read(&task))`. If the value is not secret, rename the variable or suppress with a reason.";
    EnvCredentialsInUrl = "L0406", "env-credentials-in-url", Error,
        "A plaintext environment variable holds a URL with a password in it (`scheme://user:password@host`).",
        "Inject the whole URL from Secrets Manager with `.secret(\"NAME\", &secret)`.";
    CommandSecretArg = "L0407", "command-secret-arg", Warning,
        "A container command, entry point or health check passes a secret-looking option (`--password=...`, `TOKEN=...`) in plaintext.",
        "Read the value from an environment variable injected with `.secret(...)` instead of writing it into the command.";
    LogOptionSecret = "L0408", "log-option-secret", Error,
        "A log configuration option whose name looks like a secret (apikey, token, password, license key, ...) is passed in plaintext.",
        "Keep the value out of the task definition: inject it into the log router with `.secret(...)` and reference the environment variable from its configuration.";
    ContainerNoLogs = "L0409", "container-no-logs", Warning,
        "A container has no log configuration, so its output is lost.",
        "Add `.logs(LogConfig::awslogs(&log_group, \"prefix\"))` (or FireLens).";
    ImageLatest = "L0410", "image-latest", Warning,
        "A container image uses the `latest` tag or no tag, so what runs can change without a deployment.",
        "Pin a version tag (`app:1.4.2`) or, better, a digest (`app@sha256:...`).";
    ContainerNoHealthCheck = "L0411", "container-no-health-check", Warning,
        "An essential container has no health check, so ECS cannot replace it when it hangs.",
        "Add `.health_check(HealthCheck::cmd_shell(\"curl -f http://localhost:8080/health || exit 1\"))`.";
    ServicePublicIp = "L0501", "service-public-ip", Warning,
        "A service gives its tasks public IP addresses (useless, and a sign of a mistake, in private subnets).",
        "Run tasks in private subnets with `.assign_public_ip(false)`, reach the internet through NAT or VPC endpoints, and expose them through a load balancer.";
    ServiceNoCircuitBreaker = "L0502", "service-no-circuit-breaker", Warning,
        "A service has no deployment circuit breaker, so a broken deployment keeps replacing tasks forever.",
        "Add `.circuit_breaker(CircuitBreaker::OnWithRollback)` to stop and roll back failed deployments.";
    ServiceExecEnabled = "L0503", "service-exec-enabled", Note,
        "A service enables ECS Exec: whoever may call `ecs:ExecuteCommand` on it gets a shell in its containers.",
        "Enable it only where needed, restrict `ecs:ExecuteCommand` in IAM and log the sessions; suppress with a reason when intended.";
    ServiceConnectNoTls = "L0504", "service-connect-no-tls", Note,
        "A Service Connect service has no TLS, so the proxies do not encrypt traffic between services.",
        "Add `.tls(private_ca_arn, &role)` to the `ServiceConnectService`, or encrypt in the application.";
    ClusterInsightsDisabled = "L0505", "cluster-insights-disabled", Warning,
        "A cluster has Container Insights turned off.",
        "Add `.container_insights(ContainerInsights::Enabled)`.";
    LogGroupNoRetention = "L0506", "log-group-no-retention", Warning,
        "A log group has no retention, so its events are kept (and billed) forever.",
        "Add `.retention_days(30)`, or what your retention policy requires.";
    LogGroupUnencrypted = "L0507", "log-group-unencrypted", Note,
        "A log group is not encrypted with a customer managed KMS key (CloudWatch Logs still encrypts it with a key AWS owns).",
        "Add `.kms_key(arn)` when logs may hold sensitive data; the key policy must allow CloudWatch Logs to use it.";
    HttpListenerNoRedirect = "L0508", "http-listener-no-redirect", Error,
        "An internet-facing load balancer has an HTTP listener that does not redirect to HTTPS.",
        "Make the HTTP listener's default action `ListenerAction::RedirectToHttps` and serve on an HTTPS listener.";
    ListenerWeakTls = "L0509", "listener-weak-tls", Warning,
        "An HTTPS listener uses a TLS policy that still allows TLS 1.0 or 1.1.",
        "Use `ELBSecurityPolicy-TLS13-1-2-2021-06` (the default here) or another TLS 1.2+ policy.";
    RepositoryNoScanOnPush = "L0601", "ecr-no-scan-on-push", Warning,
        "An ECR repository does not scan images for vulnerabilities when they are pushed.",
        "Leave `.scan_on_push(true)` (the default), or scan with Amazon Inspector's enhanced scanning.";
    RepositoryMutableTags = "L0602", "ecr-mutable-tags", Warning,
        "An ECR repository lets a tag be pushed again, so the image a task runs can change under the same tag.",
        "Add `.tag_mutability(TagMutability::Immutable)` and deploy by version tag or digest.";
    TopicUnencrypted = "L0603", "sns-unencrypted", Note,
        "An SNS topic does not encrypt its messages at rest.",
        "Add `.kms_key(\"alias/aws/sns\")`, or a customer managed key whose policy lets the publishers (e.g. `cloudwatch.amazonaws.com`) use it.";
    KeyNoRotation = "L0604", "kms-no-rotation", Warning,
        "A customer managed KMS key does not rotate its key material.",
        "Leave `.rotation(true)` (the default): KMS rotates the material yearly and keeps old versions for decryption.";
    BucketPublicAccess = "L0605", "s3-public-access", Error,
        "An S3 bucket turns off one of the four block-public-access settings, so a policy or ACL can make it public.",
        "Leave `.public_access_block(PublicAccessBlock::ALL)` (the default); serve public content through CloudFront with origin access control instead.";
    BucketNoTlsPolicy = "L0606", "s3-no-tls-policy", Warning,
        "An S3 bucket's policy does not deny requests made without TLS.",
        "Add `.deny_insecure_transport()`: it denies every request with `aws:SecureTransport` false.";
    TrailNoLogValidation = "L0607", "cloudtrail-no-log-validation", Warning,
        "A CloudTrail trail does not write digest files, so a changed or deleted log file goes unnoticed.",
        "Leave `.log_file_validation(true)` (the default) and check logs with `aws cloudtrail validate-logs`.";
    TrailSingleRegion = "L0608", "cloudtrail-single-region", Warning,
        "A CloudTrail trail records one region only: activity in the others is not audited.",
        "Leave `.multi_region(true)` (the default).";
    OpenSearchLiteralPassword = "L0609", "opensearch-literal-password", Error,
        "An OpenSearch domain's master password is written in the code, so it is in every plan, state file and review.",
        "Use `MasterUser::internal(name, &secret)` with a `Secret::new(.., SecretValue::generated(..))`: the value is read at apply only.";
    OpenSearchUnencrypted = "L0610", "opensearch-unencrypted", Error,
        "An OpenSearch domain does not encrypt data at rest or traffic between its nodes.",
        "Leave `.encryption_at_rest(true)` and `.node_to_node_encryption(true)` (the defaults); add `.kms_key(&key)` for a key of your own.";
    OpenSearchWeakHttps = "L0611", "opensearch-weak-https", Error,
        "An OpenSearch domain accepts plain HTTP or TLS older than 1.2.",
        "Leave `.https(true, TlsPolicy::Tls12Pfs)` (the default).";
    AlbWithoutWebAcl = "L0612", "alb-no-web-acl", Warning,
        "An internet-facing Application Load Balancer has no web ACL, so nothing filters common exploits or floods before they reach the services.",
        "Put a `WebAcl::regional(..)` with `WafRule::managed(ManagedRuleGroup::Common)`, `KnownBadInputs` and a `WafRule::rate_limit(..)` in front of it: `.protect(&alb)`.";
    SuppressionUnknownRule = "L0901", "suppression-unknown-rule", Error,
        "An `allow_lint` names a rule that does not exist, or one of the suppression rules, which cannot be suppressed.",
        "Use a rule id from `LintRule::ALL` (e.g. `sg-open-ingress`) or its code (e.g. `L0101`).";
    SuppressionWithoutReason = "L0902", "suppression-without-reason", Error,
        "An `allow_lint` has an empty reason, so it suppresses nothing.",
        "Write down why the finding is acceptable: `.allow_lint(\"sg-open-ingress\", \"public ALB\")`.";
    SuppressionUnused = "L0903", "suppression-unused", Note,
        "An `allow_lint` suppresses a rule that finds nothing on this resource.",
        "Remove the stale suppression so that it cannot hide a future finding.";
}

impl LintRule {
    /// The rule with this id (`sg-open-ingress`) or code (`L0101`, any case).
    pub fn from_id(id: &str) -> Option<LintRule> {
        let id = id.trim();
        LintRule::ALL
            .iter()
            .copied()
            .find(|r| r.id() == id || r.code().eq_ignore_ascii_case(id))
    }

    /// Whether `allow_lint` can suppress it (the suppression rules cannot be).
    pub fn suppressible(self) -> bool {
        !matches!(
            self,
            LintRule::SuppressionUnknownRule
                | LintRule::SuppressionWithoutReason
                | LintRule::SuppressionUnused
        )
    }
}

impl fmt::Display for LintRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.id())
    }
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which rule found it.
    pub rule: LintRule,
    /// The rule's severity.
    pub severity: Severity,
    /// The resource address: its logical name, as plans and state write it.
    pub address: String,
    /// The request (node address) the path points into, e.g. `alb-sg#ingress`. For
    /// suppression findings, the resource's logical name.
    pub request: String,
    /// The field, as a path into the rendered request, e.g.
    /// `containerDefinitions[1].environment[3].name`. For settings AWS applies by default
    /// and the request leaves out, the field that would change it. For suppression
    /// findings, `allow_lint[i]` (the i-th `allow_lint` of the resource).
    pub path: String,
    /// What is wrong. Never holds an environment variable's or option's value.
    pub message: String,
    /// The reason of the `allow_lint` that suppressed it, `None` when it is active.
    pub suppressed: Option<String>,
}

impl Finding {
    /// What to do about it (the rule's remediation).
    pub fn remediation(&self) -> &'static str {
        self.rule.remediation()
    }

    /// True when it is not suppressed.
    pub fn is_active(&self) -> bool {
        self.suppressed.is_none()
    }

    /// True for an unsuppressed error: apply refuses a stack with one.
    pub fn is_failure(&self) -> bool {
        self.is_active() && self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.suppressed.is_some() {
            f.write_str("suppressed ")?;
        }
        write!(
            f,
            "{}[{} {}]: {}",
            self.severity,
            self.rule.code(),
            self.rule.id(),
            self.request
        )?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Finding", 9)?;
        s.serialize_field("code", self.rule.code())?;
        s.serialize_field("rule", self.rule.id())?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("address", &self.address)?;
        s.serialize_field("request", &self.request)?;
        s.serialize_field("path", &self.path)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("remediation", self.rule.remediation())?;
        s.serialize_field(
            "suppressed",
            &self.suppressed.as_ref().map(|r| json!({ "reason": r })),
        )?;
        s.end()
    }
}

/// Counts of a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LintSummary {
    /// Unsuppressed errors.
    pub errors: usize,
    /// Unsuppressed warnings.
    pub warnings: usize,
    /// Unsuppressed notes.
    pub notes: usize,
    /// Suppressed findings of any severity.
    pub suppressed: usize,
}

/// Every lint finding of a stack, suppressed ones included, in a deterministic order:
/// resources in the order they were added, findings of one resource by rule code, then
/// the problems of the resource's own suppressions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintReport {
    /// The stack's name.
    pub stack: String,
    /// The findings.
    pub findings: Vec<Finding>,
}

/// The error of [`LintReport::check`]: the unsuppressed error-severity findings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lint found {} unsuppressed error(s); first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
pub struct LintFailed(pub Vec<Finding>);

impl LintReport {
    /// Findings that are not suppressed.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_active())
    }

    /// Suppressed findings, each with its reason.
    pub fn suppressed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_active())
    }

    /// Unsuppressed error-severity findings: the ones apply refuses on.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_failure())
    }

    /// True when any unsuppressed finding is an error.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// `Ok` when no unsuppressed error remains; apply calls this before changing anything.
    pub fn check(&self) -> Result<(), LintFailed> {
        let errors: Vec<Finding> = self.errors().cloned().collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(LintFailed(errors))
        }
    }

    /// Counts by severity, and of suppressed findings.
    pub fn summary(&self) -> LintSummary {
        let mut s = LintSummary::default();
        for f in &self.findings {
            match (&f.suppressed, f.severity) {
                (Some(_), _) => s.suppressed += 1,
                (None, Severity::Error) => s.errors += 1,
                (None, Severity::Warning) => s.warnings += 1,
                (None, Severity::Note) => s.notes += 1,
            }
        }
        s
    }

    /// Findings with the given rule.
    pub fn of(&self, rule: LintRule) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule == rule)
    }

    /// Human-readable text: active findings with their remediation, then suppressed ones
    /// with their reasons, then a summary line.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for f in self.active() {
            out.push_str(&format!("{f}\n  help: {}\n", f.remediation()));
        }
        for f in self.suppressed() {
            out.push_str(&format!(
                "{f}\n  reason: {}\n",
                f.suppressed.as_deref().unwrap_or_default()
            ));
        }
        let s = self.summary();
        out.push_str(&format!(
            "lint `{}`: {} error(s), {} warning(s), {} note(s), {} suppressed\n",
            self.stack, s.errors, s.warnings, s.notes, s.suppressed
        ));
        out
    }

    /// JSON: `{ stack, summary, findings: [{ code, rule, severity, address, request, path,
    /// message, remediation, suppressed: { reason } | null }] }`.
    pub fn to_json(&self) -> Value {
        json!({
            "stack": self.stack,
            "summary": self.summary(),
            "findings": self.findings,
        })
    }

    /// SARIF 2.1.0, one run. `rules` lists every rule in code order (so `ruleIndex` is
    /// stable across runs); each result has a logical location for the resource
    /// (`fullyQualifiedName` = address) and one for the field (`request` + path).
    /// Suppressed results carry `suppressions: [{ kind: "inSource", justification }]`,
    /// active ones an empty `suppressions` array.
    pub fn to_sarif(&self) -> Value {
        let rules: Vec<Value> = LintRule::ALL
            .iter()
            .map(|r| {
                json!({
                    "id": r.id(),
                    "name": r.name(),
                    "shortDescription": { "text": r.description() },
                    "fullDescription": { "text": format!("{} {}", r.description(), r.remediation()) },
                    "help": { "text": r.remediation() },
                    "defaultConfiguration": { "level": r.severity().as_str() },
                    "properties": { "code": r.code(), "tags": ["security", "ecs-iac"] },
                })
            })
            .collect();
        let results: Vec<Value> = self
            .findings
            .iter()
            .map(|f| {
                let index = LintRule::ALL
                    .iter()
                    .position(|r| *r == f.rule)
                    .unwrap_or_default();
                let field = if f.path.is_empty() {
                    f.request.clone()
                } else {
                    format!("{}.{}", f.request, f.path)
                };
                let suppressions: Vec<Value> = f
                    .suppressed
                    .iter()
                    .map(|reason| json!({ "kind": "inSource", "justification": reason }))
                    .collect();
                json!({
                    "ruleId": f.rule.id(),
                    "ruleIndex": index,
                    "level": f.severity.as_str(),
                    "message": { "text": f.message },
                    "locations": [{
                        "logicalLocations": [
                            { "name": f.address, "fullyQualifiedName": f.address, "kind": "resource" },
                            { "name": f.path, "fullyQualifiedName": field, "kind": "property" },
                        ],
                    }],
                    "partialFingerprints": {
                        "ecsIacFinding/v1": format!("{}|{}/{}|{}|{}", f.rule.id(), self.stack, f.address, f.request, f.path),
                    },
                    "suppressions": suppressions,
                    "properties": { "code": f.rule.code(), "request": f.request, "path": f.path },
                })
            })
            .collect();
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "ecs-iac",
                        "version": env!("CARGO_PKG_VERSION"),
                        "semanticVersion": env!("CARGO_PKG_VERSION"),
                        "rules": rules,
                    },
                },
                "automationDetails": { "id": format!("ecs-iac/lint/{}/", self.stack) },
                "results": results,
            }],
        })
    }
}

/// Lints a stack: every security finding, with suppressions applied. Pure; works on
/// stacks that do not validate too (references that do not resolve are skipped).
pub fn lint(stack: &Stack) -> LintReport {
    let facts = Facts::new(stack);
    let mut findings = Vec::new();
    for (index, entry) in stack.entries.iter().enumerate() {
        let resource = &entry.resource;
        let meta = resource.spec().meta();
        let mut lx = Lx {
            stack,
            facts: &facts,
            meta,
            index,
            findings: Vec::new(),
        };
        lx.check(resource);
        let mut own = lx.findings;
        own.sort_by_key(|f| f.rule);
        let address = meta.name.clone();
        let problems = apply_suppressions(&address, meta, &mut own);
        findings.extend(own);
        findings.extend(problems);
    }
    LintReport {
        stack: stack.name.clone(),
        findings,
    }
}

/// Marks findings suppressed by the resource's `allow_lint`s; returns the problems of the
/// suppressions themselves.
fn apply_suppressions(address: &str, meta: &Meta, findings: &mut [Finding]) -> Vec<Finding> {
    let mut problems = Vec::new();
    let mut problem = |k: usize, rule: LintRule, message: String| {
        problems.push(Finding {
            rule,
            severity: rule.severity(),
            address: address.to_string(),
            request: meta.name.clone(),
            path: format!("allow_lint[{k}]"),
            message,
            suppressed: None,
        });
    };
    // The rule each usable suppression names.
    let mut usable: Vec<Option<LintRule>> = Vec::with_capacity(meta.lint_allow.len());
    for (k, LintAllow { rule, reason }) in meta.lint_allow.iter().enumerate() {
        let named = LintRule::from_id(rule);
        match named {
            None => problem(
                k,
                LintRule::SuppressionUnknownRule,
                format!("`{rule}` is not a lint rule id or code (ids look like `sg-open-ingress`, codes like `L0101`); nothing is suppressed"),
            ),
            Some(r) if !r.suppressible() => problem(
                k,
                LintRule::SuppressionUnknownRule,
                format!("`{}` reports problems of suppressions and cannot itself be suppressed", r.id()),
            ),
            Some(r) if reason.trim().is_empty() => problem(
                k,
                LintRule::SuppressionWithoutReason,
                format!("the suppression of `{}` has no reason, so it suppresses nothing; write down why the finding is acceptable", r.id()),
            ),
            Some(_) => {}
        }
        usable.push(named.filter(|r| r.suppressible() && !reason.trim().is_empty()));
    }
    let mut used = vec![false; usable.len()];
    for f in findings.iter_mut() {
        if let Some(k) = usable.iter().position(|r| *r == Some(f.rule)) {
            f.suppressed = Some(meta.lint_allow[k].reason.trim().to_string());
            used[k] = true;
        }
    }
    for (k, rule) in usable.iter().enumerate() {
        if let (Some(rule), false) = (rule, used[k]) {
            problem(
                k,
                LintRule::SuppressionUnused,
                format!(
                    "`{}` finds nothing on this resource; remove the suppression",
                    rule.id()
                ),
            );
        }
    }
    problems
}

/// Well-known ports that must never be open to the internet.
const SENSITIVE_PORTS: &[(u16, &str)] = &[
    (20, "FTP data"),
    (21, "FTP"),
    (22, "SSH"),
    (23, "Telnet"),
    (445, "SMB"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2049, "NFS"),
    (2375, "Docker API"),
    (2376, "Docker API"),
    (2379, "etcd"),
    (3306, "MySQL/MariaDB"),
    (3389, "RDP"),
    (5432, "PostgreSQL"),
    (5601, "Kibana"),
    (5672, "AMQP"),
    (5900, "VNC"),
    (5984, "CouchDB"),
    (6379, "Redis/Valkey"),
    (9042, "Cassandra"),
    (9092, "Kafka"),
    (9200, "Elasticsearch"),
    (9300, "Elasticsearch"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
    (27018, "MongoDB"),
    (27019, "MongoDB"),
];

/// Actions that do not support resource-level permissions, so `Resource: "*"` is the only
/// possible value. From the Service Authorization Reference:
/// <https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html>
const NO_RESOURCE_LEVEL_ACTIONS: &[&str] = &[
    "ecr:GetAuthorizationToken",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
    "cloudwatch:PutMetricData",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "sts:GetCallerIdentity",
    "ec2:Describe*",
    "ecs:DiscoverPollEndpoint",
    "servicediscovery:DiscoverInstances",
    "secretsmanager:GetRandomPassword",
    "secretsmanager:ListSecrets",
    "s3:ListAllMyBuckets",
];

/// Administrator-level AWS managed policies.
const ADMIN_POLICIES: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/// Stack-wide facts the rules need, computed once.
struct Facts {
    /// Security group index -> load balancers using it.
    lb_groups: BTreeSet<usize>,
    /// Security group index -> the databases and caches it guards (name, port).
    data_groups: BTreeMap<usize, Vec<(String, u16)>>,
    /// Ports of the stack's databases and caches, with what they are.
    data_ports: BTreeMap<u16, String>,
    /// Role index -> task definitions using it as their task role.
    task_roles: BTreeMap<usize, Vec<String>>,
}

impl Facts {
    fn new(stack: &Stack) -> Facts {
        let mut facts = Facts {
            lb_groups: BTreeSet::new(),
            data_groups: BTreeMap::new(),
            data_ports: BTreeMap::new(),
            task_roles: BTreeMap::new(),
        };
        for r in stack.resources() {
            match r {
                AnyResource::LoadBalancer(lb) => {
                    facts.lb_groups.extend(
                        lb.security_groups
                            .iter()
                            .filter(|g| stack.get(*g).is_some())
                            .map(|g| g.index),
                    );
                }
                AnyResource::DbInstance(db) => {
                    if let Some(port) = db.effective_port() {
                        let groups = local(stack, &db.security_groups);
                        facts.note_data(&db.meta.name, port, &groups, "database");
                    }
                }
                AnyResource::ReplicationGroup(c) => {
                    let groups = local(stack, &c.security_groups);
                    facts.note_data(&c.meta.name, c.port, &groups, "cache");
                }
                AnyResource::TaskDefinition(t) => {
                    if let Some(role) = t.task_role.as_ref().filter(|r| stack.get(*r).is_some()) {
                        facts
                            .task_roles
                            .entry(role.index)
                            .or_default()
                            .push(t.meta.name.clone());
                    }
                }
                _ => {}
            }
        }
        facts
    }

    fn note_data(&mut self, name: &str, port: u16, groups: &[Ref<SecurityGroup>], what: &str) {
        self.data_ports
            .entry(port)
            .or_insert_with(|| format!("{what} `{name}`"));
        for g in groups {
            self.data_groups
                .entry(g.index)
                .or_default()
                .push((name.to_string(), port));
        }
    }
}

/// The references that resolve in `stack` (others belong to another stack).
fn local(stack: &Stack, groups: &[Ref<SecurityGroup>]) -> Vec<Ref<SecurityGroup>> {
    groups
        .iter()
        .filter(|g| stack.get(*g).is_some())
        .cloned()
        .collect()
}

/// Context for linting one resource.
struct Lx<'a> {
    stack: &'a Stack,
    facts: &'a Facts,
    meta: &'a Meta,
    /// The resource's index in the stack.
    index: usize,
    findings: Vec<Finding>,
}

impl<'a> Lx<'a> {
    /// Reports a finding on `part` of this resource (`""` for its main request).
    fn emit(&mut self, rule: LintRule, part: &str, path: impl Into<String>, message: String) {
        let request = if part.is_empty() {
            self.meta.name.clone()
        } else {
            format!("{}#{part}", self.meta.name)
        };
        self.findings.push(Finding {
            rule,
            severity: rule.severity(),
            address: self.meta.name.clone(),
            request,
            path: path.into(),
            message,
            suppressed: None,
        });
    }

    fn check(&mut self, resource: &'a AnyResource) {
        match resource {
            // A group the stack does not own is not the stack's to lint.
            AnyResource::SecurityGroup(sg) if sg.existing.is_none() => self.security_group(sg),
            AnyResource::Subnet(s) if s.map_public_ip => self.emit(
                LintRule::SubnetPublicIpOnLaunch,
                "map-public-ip",
                "MapPublicIpOnLaunch.Value",
                "every network interface launched in this subnet gets a public IPv4 address".into(),
            ),
            AnyResource::DbInstance(db) => self.db_instance(db),
            AnyResource::ReplicationGroup(c) => self.cache(c),
            AnyResource::Role(role) if role.existing.is_none() => self.role(role),
            AnyResource::TaskDefinition(t) => self.task_definition(t),
            AnyResource::Service(s) => self.service(s),
            AnyResource::Cluster(c)
                if c.existing.is_none() && c.insights == ContainerInsights::Disabled =>
            {
                self.emit(
                    LintRule::ClusterInsightsDisabled,
                    "",
                    "settings[0].value",
                    "Container Insights is disabled; task and service metrics are not collected"
                        .into(),
                )
            }
            AnyResource::LogGroup(g) => {
                if g.retention_days.is_none() {
                    self.emit(
                        LintRule::LogGroupNoRetention,
                        "retention",
                        "retentionInDays",
                        format!(
                            "log group `{}` has no retention; its events never expire",
                            g.log_group_name
                        ),
                    );
                }
                if g.kms_key_arn.is_none() {
                    self.emit(
                        LintRule::LogGroupUnencrypted,
                        "",
                        "kmsKeyId",
                        format!(
                            "log group `{}` has no customer managed KMS key",
                            g.log_group_name
                        ),
                    );
                }
            }
            AnyResource::Listener(l) if l.existing.is_none() => self.listener(l),
            AnyResource::Topic(t) if t.is_owned() && !t.is_encrypted() => self.emit(
                LintRule::TopicUnencrypted,
                "",
                "Attributes.KmsMasterKeyId",
                format!("topic `{}` stores messages unencrypted", t.topic_name()),
            ),
            AnyResource::LoadBalancer(lb)
                if lb.is_owned()
                    && lb.get_scheme() == Scheme::InternetFacing
                    && !self.stack.resources().any(
                        |r| matches!(r, AnyResource::WebAcl(acl) if acl.protects(&lb.meta.name)),
                    ) =>
            {
                self.emit(
                    LintRule::AlbWithoutWebAcl,
                    "",
                    "Scheme",
                    format!(
                        "internet-facing load balancer `{}` has no web ACL",
                        lb.meta.name
                    ),
                );
            }
            AnyResource::OpenSearchDomain(d) => {
                let name = d.domain_name();
                if d.has_literal_password() {
                    self.emit(
                        LintRule::OpenSearchLiteralPassword,
                        "",
                        "AdvancedSecurityOptions.MasterUserOptions.MasterUserPassword",
                        format!("domain `{name}` has its master password in the code"),
                    );
                }
                if !d.encrypts_at_rest() || !d.encrypts_between_nodes() {
                    self.emit(
                        LintRule::OpenSearchUnencrypted,
                        "",
                        if d.encrypts_at_rest() {
                            "NodeToNodeEncryptionOptions.Enabled"
                        } else {
                            "EncryptionAtRestOptions.Enabled"
                        },
                        format!("domain `{name}` stores or moves data unencrypted"),
                    );
                }
                if !d.requires_modern_https() {
                    self.emit(
                        LintRule::OpenSearchWeakHttps,
                        "",
                        "DomainEndpointOptions",
                        format!("domain `{name}` accepts plain HTTP or TLS older than 1.2"),
                    );
                }
            }
            AnyResource::Trail(t) => {
                if !t.validates_log_files() {
                    self.emit(
                        LintRule::TrailNoLogValidation,
                        "",
                        "EnableLogFileValidation",
                        format!("trail `{}` does not validate its log files", t.trail_name()),
                    );
                }
                if !t.is_multi_region() {
                    self.emit(
                        LintRule::TrailSingleRegion,
                        "",
                        "IsMultiRegionTrail",
                        format!("trail `{}` records one region only", t.trail_name()),
                    );
                }
            }
            AnyResource::Bucket(b) => {
                if !b.blocks_public_access() {
                    self.emit(
                        LintRule::BucketPublicAccess,
                        "public-access-block",
                        "PublicAccessBlockConfiguration",
                        format!(
                            "bucket `{}` does not block all public access",
                            b.bucket_name()
                        ),
                    );
                }
                if !b.requires_tls() {
                    self.emit(
                        LintRule::BucketNoTlsPolicy,
                        "",
                        "Policy",
                        format!("bucket `{}` accepts requests without TLS", b.bucket_name()),
                    );
                }
            }
            AnyResource::KmsKey(k) if k.is_owned() && !k.rotates() => self.emit(
                LintRule::KeyNoRotation,
                "",
                "rotation",
                "the key's material never rotates".into(),
            ),
            AnyResource::Repository(r) if r.is_owned() => {
                if !r.scans_on_push() {
                    self.emit(
                        LintRule::RepositoryNoScanOnPush,
                        "",
                        "imageScanningConfiguration.scanOnPush",
                        format!(
                            "repository `{}` does not scan images on push",
                            r.get_repository_name()
                        ),
                    );
                }
                if r.get_tag_mutability() == TagMutability::Mutable {
                    self.emit(
                        LintRule::RepositoryMutableTags,
                        "",
                        "imageTagMutability",
                        format!(
                            "repository `{}` has mutable tags: pushing `1.4.2` again replaces the image tasks run",
                            r.get_repository_name()
                        ),
                    );
                }
            }
            _ => {}
        }
    }

    fn security_group(&mut self, sg: &SecurityGroup) {
        let on_lb = self.facts.lb_groups.contains(&self.index);
        let guards = self
            .facts
            .data_groups
            .get(&self.index)
            .cloned()
            .unwrap_or_default();
        for (i, rule) in sg.ingress.iter().enumerate() {
            let range = match &rule.peer {
                Peer::Ipv4(_) => "IpRanges",
                Peer::Ipv6(_) => "Ipv6Ranges",
                Peer::Group(_) | Peer::Itself => "UserIdGroupPairs",
            };
            if rule
                .description
                .as_deref()
                .is_none_or(|d| d.trim().is_empty())
            {
                self.emit(
                    LintRule::SgRuleNoDescription,
                    "ingress",
                    format!("IpPermissions[{i}].{range}[0].Description"),
                    format!("ingress rule {i} ({}) has no description", rule.port),
                );
            }
            let Some((field, anywhere)) = open_to_world(&rule.peer) else {
                continue;
            };
            let path = format!("IpPermissions[{i}].{range}[0].{field}");
            // Exposed ports by number: the guarded stores first, then well-known ports,
            // then the ports of the stack's other databases and caches.
            let mut exposed: BTreeMap<u16, String> = BTreeMap::new();
            for (name, port) in &guards {
                if rule.port.covers(*port) {
                    exposed
                        .entry(*port)
                        .or_insert_with(|| format!("{port} (guards `{name}`)"));
                }
            }
            for (port, what) in SENSITIVE_PORTS {
                if rule.port.covers(*port) {
                    exposed
                        .entry(*port)
                        .or_insert_with(|| format!("{port} ({what})"));
                }
            }
            for (port, what) in &self.facts.data_ports {
                if rule.port.covers(*port) {
                    exposed
                        .entry(*port)
                        .or_insert_with(|| format!("{port} ({what})"));
                }
            }
            let mut exposed: Vec<String> = exposed.into_values().collect();
            if let (true, Some((name, _))) = (exposed.is_empty(), guards.first()) {
                if rule.port.protocol != Protocol::Icmp {
                    exposed.push(format!("a group guarding `{name}`"));
                }
            }
            if !exposed.is_empty() {
                let more = if exposed.len() > 4 {
                    format!(" and {} more", exposed.len() - 4)
                } else {
                    String::new()
                };
                exposed.truncate(4);
                self.emit(
                    LintRule::SgOpenIngressSensitivePort,
                    "ingress",
                    path,
                    format!(
                        "{} is open to {anywhere}, exposing {}{more}",
                        rule.port,
                        exposed.join(", ")
                    ),
                );
            } else if !(on_lb && is_web_port(&rule.port)) {
                let context = if on_lb {
                    "; a load balancer's group should be open to the internet on 80/443 only"
                } else {
                    ""
                };
                self.emit(
                    LintRule::SgOpenIngress,
                    "ingress",
                    path,
                    format!("{} is open to {anywhere}{context}", rule.port),
                );
            }
        }
        if !sg.restrict_egress {
            self.emit(
                LintRule::SgEgressAll,
                "",
                "IpPermissionsEgress",
                "AWS's default egress rule (all traffic to 0.0.0.0/0) is kept".into(),
            );
        }
        for (i, rule) in sg.egress.iter().enumerate() {
            if let Some((field, anywhere)) = open_to_world(&rule.peer) {
                if rule.port.protocol == Protocol::All
                    || (rule.port.from == 0 && rule.port.to == 65535)
                {
                    let range = if field == "CidrIp" {
                        "IpRanges"
                    } else {
                        "Ipv6Ranges"
                    };
                    self.emit(
                        LintRule::SgEgressAll,
                        "egress",
                        format!("IpPermissions[{i}].{range}[0].{field}"),
                        format!("egress rule {i} allows {} to {anywhere}", rule.port),
                    );
                }
            }
        }
    }

    /// The public subnets of a subnet list, by name.
    fn public_subnets(&self, subnets: &[Ref<Subnet>]) -> Vec<&'a str> {
        subnets
            .iter()
            .filter_map(|s| self.stack.get(s).map(|x| (s, x)))
            .filter(|(_, x)| x.tier == SubnetTier::Public)
            .map(|(_, x)| x.meta.name.as_str())
            .collect()
    }

    fn db_instance(&mut self, db: &DbInstance) {
        if db.publicly_accessible {
            self.emit(
                LintRule::RdsPublicAccess,
                "",
                "PubliclyAccessible",
                format!(
                    "database `{}` gets a public DNS name and address",
                    db.meta.name
                ),
            );
        }
        if let Some(group) = self.stack.get(&db.subnet_group) {
            let public = self.public_subnets(&group.subnets);
            if !public.is_empty() {
                self.emit(
                    LintRule::RdsPublicSubnet,
                    "",
                    "DBSubnetGroupName",
                    format!(
                        "subnet group `{}` includes public subnet(s) {}",
                        group.meta.name,
                        quoted(&public)
                    ),
                );
            }
        }
        if !db.storage_encrypted {
            self.emit(
                LintRule::RdsStorageUnencrypted,
                "",
                "StorageEncrypted",
                "storage, snapshots and backups are not encrypted at rest".into(),
            );
        }
        if db.backup_retention == 0 {
            self.emit(
                LintRule::RdsBackupsDisabled,
                "",
                "BackupRetentionPeriod",
                "automated backups are off (retention 0 days); no point-in-time recovery".into(),
            );
        }
        if !db.deletion_protection {
            self.emit(
                LintRule::RdsNoDeletionProtection,
                "",
                "DeletionProtection",
                "deletion protection is off; a destroy or a replacement deletes the database"
                    .into(),
            );
        }
    }

    fn cache(&mut self, c: &ReplicationGroup) {
        if let Some(group) = self.stack.get(&c.subnet_group) {
            let public = self.public_subnets(&group.subnets);
            if !public.is_empty() {
                self.emit(
                    LintRule::CachePublicSubnet,
                    "",
                    "CacheSubnetGroupName",
                    format!(
                        "subnet group `{}` includes public subnet(s) {}",
                        group.meta.name,
                        quoted(&public)
                    ),
                );
            }
        }
        if !c.at_rest_encryption {
            self.emit(
                LintRule::CacheAtRestUnencrypted,
                "",
                "AtRestEncryptionEnabled",
                "data and backups are not encrypted at rest".into(),
            );
        }
        if !c.transit_encryption {
            self.emit(
                LintRule::CacheInTransitUnencrypted,
                "",
                "TransitEncryptionEnabled",
                "clients connect without TLS".into(),
            );
        }
        if c.auth_token.is_none() {
            self.emit(
                LintRule::CacheNoAuth,
                "",
                "AuthToken",
                "no AUTH token: whoever reaches the port can run any command".into(),
            );
        }
    }

    fn role(&mut self, role: &Role) {
        for (i, principal) in role.trust.iter().enumerate() {
            let path = format!("AssumeRolePolicyDocument.Statement[{i}].Principal");
            match principal {
                Principal::Any => self.emit(
                    LintRule::IamTrustWildcard,
                    "",
                    path,
                    "anyone (`*`) may assume this role".into(),
                ),
                Principal::Aws(a) if a.trim() == "*" => self.emit(
                    LintRule::IamTrustWildcard,
                    "",
                    format!("{path}.AWS"),
                    "any AWS principal (`*`) may assume this role".into(),
                ),
                Principal::Aws(a) if is_account(a) && role.trust_conditions.is_empty() => self
                    .emit(
                        LintRule::IamTrustAccount,
                        "",
                        format!("{path}.AWS"),
                        format!("every principal of account `{a}` allowed sts:AssumeRole may assume this role; there is no trust condition"),
                    ),
                _ => {}
            }
        }
        let used_by = self
            .facts
            .task_roles
            .get(&self.index)
            .map(|tasks| {
                let more = match tasks.len() {
                    n if n > 3 => format!(" and {} more", n - 3),
                    _ => String::new(),
                };
                format!(
                    " (task role of {}{more})",
                    quoted(&tasks[..tasks.len().min(3)])
                )
            })
            .unwrap_or_default();
        for policy in &role.managed {
            let short = policy.short_name();
            let part = format!("attachment:{short}");
            if ADMIN_POLICIES.iter().any(|a| a.eq_ignore_ascii_case(short)) {
                self.emit(
                    LintRule::IamAdminPolicy,
                    &part,
                    "PolicyArn",
                    format!("role has the administrator-level policy `{short}`{used_by}"),
                );
            } else if policy.as_arn().starts_with("arn:aws:iam::aws:policy/")
                && short.ends_with("FullAccess")
            {
                self.emit(
                    LintRule::IamFullAccessPolicy,
                    &part,
                    "PolicyArn",
                    format!("role has the AWS managed policy `{short}`, every action of a service on every resource{used_by}"),
                );
            }
        }
        for (name, document) in &role.inline {
            let part = format!("policy:{name}");
            for (si, s) in document.statements.iter().enumerate() {
                if s.effect != Effect::Allow {
                    continue;
                }
                let base = format!("PolicyDocument.Statement[{si}]");
                let action_path = |j: usize| {
                    if s.actions.len() == 1 {
                        format!("{base}.Action")
                    } else {
                        format!("{base}.Action[{j}]")
                    }
                };
                let resource_path = |k: usize| {
                    if s.resources.len() == 1 {
                        format!("{base}.Resource")
                    } else {
                        format!("{base}.Resource[{k}]")
                    }
                };
                for (j, action) in s.actions.iter().enumerate() {
                    let action = action.trim();
                    if action == "*" || action.ends_with(":*") {
                        self.emit(
                            LintRule::IamWildcardAction,
                            &part,
                            action_path(j),
                            format!("inline policy `{name}` allows `{action}`{used_by}"),
                        );
                    }
                }
                let wildcard = s
                    .resources
                    .iter()
                    .position(|r| matches!(r, PolicyResource::Arn(a) if a.as_str().trim() == "*"));
                if let Some(k) = wildcard {
                    let scoped: Vec<&str> = s
                        .actions
                        .iter()
                        .map(|a| a.trim())
                        .filter(|a| !NO_RESOURCE_LEVEL_ACTIONS.iter().any(|p| glob(p, a)))
                        .collect();
                    if !scoped.is_empty() {
                        self.emit(
                            LintRule::IamWildcardResource,
                            &part,
                            resource_path(k),
                            format!(
                                "inline policy `{name}` allows {} on every resource{used_by}",
                                quoted(&scoped)
                            ),
                        );
                    }
                }
                let any_role = s.resources.iter().position(|r| match r {
                    PolicyResource::Arn(a) => {
                        let a = a.as_str().trim();
                        a == "*" || a.ends_with(":role/*") || a.ends_with(":*")
                    }
                    PolicyResource::Of(_) => false,
                });
                let passes = s
                    .actions
                    .iter()
                    .position(|a| glob(a.trim(), "iam:PassRole"));
                if let (Some(j), Some(_)) = (passes, any_role) {
                    self.emit(LintRule::IamPassRoleWildcard, &part, action_path(j), {
                        let action = s.actions[j].trim();
                        let via = if action.eq_ignore_ascii_case("iam:PassRole") {
                            String::new()
                        } else {
                            " (which includes iam:PassRole)".to_string()
                        };
                        format!(
                            "inline policy `{name}` allows `{action}`{via} on every role{used_by}"
                        )
                    });
                }
            }
        }
    }

    fn task_definition(&mut self, t: &TaskDefinition) {
        if let (Some(task), Some(exec)) = (&t.task_role, &t.execution_role) {
            if task == exec {
                self.emit(
                    LintRule::TaskRoleIsExecutionRole,
                    "",
                    "taskRoleArn",
                    format!(
                        "role `{}` is both the task role and the execution role",
                        task.name()
                    ),
                );
            }
        }
        for (i, c) in t.containers.iter().enumerate() {
            let base = format!("containerDefinitions[{i}]");
            let who = format!("container `{}`", c.name);
            if c.privileged {
                self.emit(
                    LintRule::ContainerPrivileged,
                    "",
                    format!("{base}.privileged"),
                    format!("{who} runs privileged"),
                );
            }
            match c.user.as_deref().map(str::trim) {
                None | Some("") => self.emit(
                    LintRule::ContainerUserUnset,
                    "",
                    format!("{base}.user"),
                    format!("{who} sets no user; it runs as the image's USER (root unless the image says otherwise)"),
                ),
                Some(u) if is_root_user(u) => self.emit(
                    LintRule::ContainerRootUser,
                    "",
                    format!("{base}.user"),
                    format!("{who} runs as root"),
                ),
                Some(_) => {}
            }
            if c.readonly_root_filesystem != Some(true) {
                self.emit(
                    LintRule::ContainerWritableRootFs,
                    "",
                    format!("{base}.readonlyRootFilesystem"),
                    format!("{who} can write to its root filesystem"),
                );
            }
            for (j, (name, value)) in c.environment.iter().enumerate() {
                if secret_like_name(name) {
                    self.emit(
                        LintRule::EnvSecret,
                        "",
                        format!("{base}.environment[{j}].name"),
                        format!("{who}: environment variable `{name}` looks like a secret but its value is plaintext in the task definition (visible to ecs:DescribeTaskDefinition, the plan and the state); the value is not shown here"),
                    );
                } else if url_has_password(value.as_str()) {
                    self.emit(
                        LintRule::EnvCredentialsInUrl,
                        "",
                        format!("{base}.environment[{j}].value"),
                        format!("{who}: environment variable `{name}` holds a URL with a password in plaintext; the value is not shown here"),
                    );
                }
            }
            let commands = [("command", &c.command), ("entryPoint", &c.entry_point)];
            for (field, args) in commands {
                for k in secret_args(args) {
                    self.emit(
                        LintRule::CommandSecretArg,
                        "",
                        format!("{base}.{field}[{k}]"),
                        format!("{who}: {field} argument {k} passes a secret-looking option in plaintext; the value is not shown here"),
                    );
                }
            }
            if let Some(h) = &c.health_check {
                for k in secret_args(&h.command) {
                    self.emit(
                        LintRule::CommandSecretArg,
                        "",
                        format!("{base}.healthCheck.command[{k}]"),
                        format!("{who}: health check argument {k} passes a secret-looking option in plaintext; the value is not shown here"),
                    );
                }
            }
            match &c.logging {
                None => self.emit(
                    LintRule::ContainerNoLogs,
                    "",
                    format!("{base}.logConfiguration"),
                    format!("{who} has no log configuration; its output is lost"),
                ),
                Some(config) => {
                    self.log_options(config, &format!("{base}.logConfiguration"), &who);
                }
            }
            if let Some(why) = unpinned_image(&c.image) {
                self.emit(
                    LintRule::ImageLatest,
                    "",
                    format!("{base}.image"),
                    format!("{who}: image `{}` {why}", image_text(&c.image)),
                );
            }
            if c.essential && c.health_check.is_none() {
                self.emit(
                    LintRule::ContainerNoHealthCheck,
                    "",
                    format!("{base}.healthCheck"),
                    format!("essential {who} has no health check"),
                );
            }
        }
    }

    fn log_options(&mut self, config: &LogConfig, path: &str, who: &str) {
        if let LogConfig::FireLens { options } = config {
            for key in options.keys().filter(|k| secret_like_name(k)) {
                self.emit(
                    LintRule::LogOptionSecret,
                    "",
                    format!("{path}.options.{key}"),
                    format!("{who}: log option `{key}` looks like a secret but is plaintext in the request; the value is not shown here"),
                );
            }
        }
    }

    fn service(&mut self, s: &Service) {
        if s.assign_public_ip {
            let private: Vec<&str> = s
                .subnets
                .iter()
                .filter_map(|r| self.stack.get(r))
                .filter(|x| x.tier != SubnetTier::Public)
                .map(|x| x.meta.name.as_str())
                .collect();
            let message = if private.is_empty() {
                "tasks get public IP addresses and are reachable from the internet as far as their security groups allow".to_string()
            } else {
                format!("tasks get public IP addresses but run in non-public subnet(s) {} without an internet gateway route: the address is useless and signals a mistake", quoted(&private))
            };
            self.emit(
                LintRule::ServicePublicIp,
                "",
                "networkConfiguration.awsvpcConfiguration.assignPublicIp",
                message,
            );
        }
        if s.circuit_breaker == crate::resources::CircuitBreaker::Off {
            self.emit(
                LintRule::ServiceNoCircuitBreaker,
                "",
                "deploymentConfiguration.deploymentCircuitBreaker.enable",
                "no deployment circuit breaker: failed deployments are neither stopped nor rolled back".into(),
            );
        }
        if s.execute_command {
            self.emit(
                LintRule::ServiceExecEnabled,
                "",
                "enableExecuteCommand",
                "ECS Exec is enabled: `ecs:ExecuteCommand` gives a shell in the service's containers".into(),
            );
        }
        if let Some(sc) = &s.service_connect {
            for (i, svc) in sc.services.iter().enumerate() {
                if svc.tls.is_none() {
                    self.emit(
                        LintRule::ServiceConnectNoTls,
                        "",
                        format!("serviceConnectConfiguration.services[{i}].tls"),
                        format!(
                            "Service Connect port `{}` is served without TLS",
                            svc.port_name
                        ),
                    );
                }
            }
            if let Some(logs) = &sc.logs {
                self.log_options(
                    logs,
                    "serviceConnectConfiguration.logConfiguration",
                    "the Service Connect proxy",
                );
            }
        }
    }

    fn listener(&mut self, l: &Listener) {
        let internet_facing = self
            .stack
            .get(&l.load_balancer)
            .is_some_and(|lb| lb.scheme == Scheme::InternetFacing);
        if l.protocol == HttpProtocol::Http
            && internet_facing
            && !matches!(l.default_action, ListenerAction::RedirectToHttps)
        {
            self.emit(
                LintRule::HttpListenerNoRedirect,
                "",
                "DefaultActions[0].Type",
                format!(
                    "HTTP listener on port {} of internet-facing `{}` serves plaintext instead of redirecting to HTTPS",
                    l.port,
                    l.load_balancer.name()
                ),
            );
        }
        if l.protocol == HttpProtocol::Https {
            if let Some(policy) = &l.ssl_policy {
                if !(policy.contains("TLS13")
                    || policy.contains("TLS-1-2")
                    || policy.contains("FS-1-2"))
                {
                    self.emit(
                        LintRule::ListenerWeakTls,
                        "",
                        "SslPolicy",
                        format!("TLS policy `{policy}` allows TLS versions below 1.2"),
                    );
                }
            }
        }
    }
}

/// `` `a`, `b` `` for messages.
fn quoted<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The range field and a description, when the peer is the whole internet.
fn open_to_world(peer: &Peer) -> Option<(&'static str, &'static str)> {
    match peer {
        Peer::Ipv4(block) if block.net().is_some_and(|n| n.prefix_len() == 0) => {
            Some(("CidrIp", "0.0.0.0/0"))
        }
        Peer::Ipv6(block) if block.trim().ends_with("/0") => Some(("CidrIpv6", "::/0")),
        _ => None,
    }
}

fn is_web_port(port: &Port) -> bool {
    port.protocol == Protocol::Tcp && port.from == port.to && (port.from == 80 || port.from == 443)
}

trait Covers {
    fn covers(&self, port: u16) -> bool;
}

impl Covers for Port {
    /// TCP or UDP traffic to `port` is allowed by this rule.
    fn covers(&self, port: u16) -> bool {
        match self.protocol {
            Protocol::All => true,
            Protocol::Tcp | Protocol::Udp => (self.from..=self.to).contains(&port),
            Protocol::Icmp => false,
        }
    }
}

/// A 12-digit account id or an account root ARN.
fn is_account(principal: &str) -> bool {
    let p = principal.trim();
    (p.len() == 12 && p.chars().all(|c| c.is_ascii_digit()))
        || (p.starts_with("arn:") && p.ends_with(":root"))
}

fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default().trim();
    name == "root" || name == "0"
}

/// IAM-style wildcard match (`*` any run, `?` one character), case-insensitive.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Why the image is not pinned, `None` when it has a version tag or a digest.
fn unpinned_image(image: &Image) -> Option<&'static str> {
    let tag = match image {
        Image::Ecr { tag, .. } | Image::Repository { tag, .. } => tag.trim().to_string(),
        Image::Uri(uri) => {
            if uri.contains('@') {
                return None;
            }
            let last = uri.rsplit('/').next().unwrap_or(uri);
            last.split_once(':')
                .map(|(_, tag)| tag.trim().to_string())
                .unwrap_or_default()
        }
    };
    if tag.is_empty() {
        Some("has no tag, so it means `latest`")
    } else if tag.eq_ignore_ascii_case("latest") {
        Some("uses the mutable `latest` tag")
    } else {
        None
    }
}

fn image_text(image: &Image) -> String {
    match image {
        Image::Uri(u) => u.clone(),
        Image::Ecr { repository, tag } => format!("{repository}:{tag} (ECR)"),
        Image::Repository { repository, tag } => format!("{}:{tag} (ECR)", repository.name()),
    }
}

/// The upper-case words of a variable name: split at `_`, `-`, `.`, spaces and camelCase
/// boundaries (`apiKey` -> `API`, `KEY`; `JWTSecret` -> `JWT`, `SECRET`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Words that make a name secret on their own.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "JWT",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "APIKEY",
    "PRIVATEKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "AUTHTOKEN",
    "APITOKEN",
];

/// Words that make a following `KEY` secret (`API_KEY`, `PRIVATE_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "ACCESS",
    "SECRET",
    "PRIVATE",
    "SIGNING",
    "ENCRYPTION",
    "MASTER",
    "LICENSE",
    "SESSION",
    "HMAC",
    "AUTH",
    "SSH",
    "TLS",
    "SSL",
    "CLIENT",
    "JWT",
    "ADMIN",
    "SERVICE",
    "WEBHOOK",
];

/// Words after the secret word that make the name about the secret rather than the secret
/// itself (`SECRET_ARN`, `PASSWORD_MIN_LENGTH`, `JWT_ISSUER`, `API_KEY_HEADER`).
const NOT_SECRET_AFTER: &[&str] = &[
    "ARN",
    "NAME",
    "ID",
    "PATH",
    "FILE",
    "DIR",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "LENGTH",
    "LEN",
    "MIN",
    "MAX",
    "SIZE",
    "TIMEOUT",
    "ENABLED",
    "DISABLED",
    "ENABLE",
    "HEADER",
    "TYPE",
    "ALGORITHM",
    "ALG",
    "ISSUER",
    "AUDIENCE",
    "VERSION",
    "REGION",
    "FORMAT",
    "POLICY",
    "ROTATION",
    "LIFETIME",
    "DURATION",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "COUNT",
    "LIMIT",
    "PREFIX",
    "FIELD",
    "PARAM",
    "INTERVAL",
    "PUBLIC",
    "PUB",
    "CERT",
    "CERTIFICATE",
    "REQUIRED",
    "MODE",
    "MANAGER",
    "STORE",
    "PROVIDER",
    "LOCATION",
    "REF",
];

/// Words before the secret word that make the name a setting (`MAX_TOKENS`, `MIN_PASSWORD`).
const NOT_SECRET_BEFORE: &[&str] = &["MAX", "MIN", "NUM", "COUNT", "LIMIT", "NO", "USE"];

/// Whether a variable or option name looks like it holds a secret. Only the name is
/// looked at; see [`LintRule::EnvSecret`].
pub fn secret_like_name(name: &str) -> bool {
    let w = words(name);
    if w.len() == 1 && (w[0] == "PWD" || w[0] == "OLDPWD") {
        return false;
    }
    let is_secret = |p: usize| {
        SECRET_WORDS.contains(&w[p].as_str())
            || ((w[p] == "KEY" || w[p] == "KEYS")
                && p > 0
                && KEY_QUALIFIERS.contains(&w[p - 1].as_str()))
    };
    let hits: Vec<usize> = (0..w.len()).filter(|p| is_secret(*p)).collect();
    let (Some(&first), Some(&last)) = (hits.first(), hits.last()) else {
        return false;
    };
    !w[last + 1..]
        .iter()
        .any(|x| NOT_SECRET_AFTER.contains(&x.as_str()))
        && !w[..first]
            .iter()
            .any(|x| NOT_SECRET_BEFORE.contains(&x.as_str()))
}

/// Whether a value is a URL with a password in its user info (`scheme://user:pw@host`).
/// A password that starts with `$` is taken as a reference the application expands.
fn url_has_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return false;
    };
    userinfo
        .split_once(':')
        .is_some_and(|(_, password)| !password.is_empty() && !password.starts_with('$'))
}

/// Indexes of arguments that pass a secret-looking option with a literal value:
/// `--password=x`, `TOKEN=x`, or `--password x` (within one argument or across two),
/// also inside a `CMD-SHELL` string.
fn secret_args<S: AsRef<str>>(args: &[S]) -> Vec<usize> {
    let literal = |v: &str| !v.is_empty() && !v.starts_with('$');
    let mut out = Vec::new();
    let mut pending_flag = false;
    for (k, arg) in args.iter().enumerate() {
        let mut hit = false;
        let tokens: Vec<&str> = arg.as_ref().split_whitespace().collect();
        for (t, token) in tokens.iter().enumerate() {
            if pending_flag && t == 0 && literal(token) && !token.starts_with('-') {
                hit = true;
            }
            let flag = token.trim_start_matches('-');
            if let Some((name, value)) = flag.split_once('=') {
                if secret_like_name(name) && literal(value) {
                    hit = true;
                }
            } else if token.starts_with('-') && secret_like_name(flag) {
                match tokens.get(t + 1) {
                    Some(next) if literal(next) && !next.starts_with('-') => hit = true,
                    _ => {}
                }
            }
        }
        pending_flag = tokens.len() == 1
            && tokens[0].starts_with('-')
            && !tokens[0].contains('=')
            && secret_like_name(tokens[0].trim_start_matches('-'));
        if hit {
            out.push(k);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_codes_are_unique_and_kebab_case() {
        let mut ids: Vec<_> = LintRule::ALL.iter().map(|r| r.id()).collect();
        let mut codes: Vec<_> = LintRule::ALL.iter().map(|r| r.code()).collect();
        ids.sort_unstable();
        codes.sort_unstable();
        let n = ids.len();
        ids.dedup();
        codes.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(codes.len(), n);
        assert!(n >= 25, "{n} rules");
        for r in LintRule::ALL {
            assert!(
                r.id()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{r}"
            );
            assert_eq!(LintRule::from_id(r.id()), Some(*r));
            assert_eq!(LintRule::from_id(&r.code().to_lowercase()), Some(*r));
            assert!(!r.description().is_empty() && !r.remediation().is_empty());
        }
        assert_eq!(LintRule::from_id("no-such-rule"), None);
    }

    #[test]
    fn secret_names() {
        for name in [
            "PASSWORD",
            "DB_PASSWORD",
            "db_pass",
            "SMTP_PASSWD",
            "JWT_SECRET",
            "JWT",
            "OAUTH_CLIENT_SECRET",
            "OPENAI_API_KEY",
            "apiKey",
            "x-api-key",
            "GITHUB_TOKEN",
            "AUTH_TOKEN",
            "PRIVATE_KEY",
            "SSH_PRIVATE_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "SECRET_KEY_BASE",
            "STRIPE_SECRET_KEY",
            "JWTSecret",
            "licenseKey",
            "HTTP_Passwd",
            "splunk-token",
            "DATABASE_CREDENTIALS",
            "DB_PWD",
        ] {
            assert!(secret_like_name(name), "{name} should look secret");
        }
        for name in [
            "PWD",
            "SECRET_ARN",
            "SECRET_NAME",
            "PASSWORD_MIN_LENGTH",
            "JWT_ISSUER",
            "JWT_EXPIRES_IN",
            "API_KEY_HEADER",
            "TOKEN_URL",
            "MAX_TOKENS",
            "MAX_TOKEN",
            "TOKENIZER",
            "RECAPTCHA_SITE_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "CACHE_KEY_PREFIX",
            "SERVICE_NAME",
            "DATABASE_URL",
            "AWS_ACCESS_KEY_ID",
            "PASSWORD_FILE",
            "BYPASS_CACHE",
            "JWT_PUBLIC_KEY",
            "SECRETS_MANAGER_ENDPOINT",
        ] {
            assert!(!secret_like_name(name), "{name} should not look secret");
        }
    }

    #[test]
    fn urls_with_passwords() {
        assert!(url_has_password("postgres://app:hunter2@db:5432/app"));
        assert!(url_has_password("redis://:tok@cache:6379"));
        assert!(!url_has_password("postgres://app@db:5432/app"));
        assert!(!url_has_password("https://example.com/a:b@c"));
        assert!(!url_has_password("http://user-service:8081"));
        assert!(!url_has_password("postgres://app:${DB_PASSWORD}@db/app"));
        assert!(!url_has_password("not a url"));
    }

    #[test]
    fn secret_arguments() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            secret_args(&args(&["app", "--password=x", "--port=1"])),
            [1]
        );
        assert_eq!(secret_args(&args(&["app", "--token", "abc"])), [2]);
        assert_eq!(
            secret_args(&args(&["CMD-SHELL", "curl -H x --api-key abc localhost"])),
            [1]
        );
        assert_eq!(
            secret_args(&args(&["CMD-SHELL", "DB_PASSWORD=x ./check"])),
            [1]
        );
        assert!(secret_args(&args(&["app", "--password-file", "/run/pw"])).is_empty());
        assert!(secret_args(&args(&["app", "--password=$DB_PASSWORD"])).is_empty());
        assert!(secret_args(&args(&["app", "--max-tokens=5"])).is_empty());
    }

    #[test]
    fn globs_and_images() {
        assert!(glob("ec2:Describe*", "ec2:DescribeInstances"));
        assert!(glob("*", "iam:PassRole"));
        assert!(glob("iam:Pass*", "iam:passrole"));
        assert!(glob("iam:*", "iam:PassRole"));
        assert!(!glob("iam:Get*", "iam:PassRole"));
        assert!(!glob("s3:GetObject", "s3:GetObjectAcl"));
        assert_eq!(unpinned_image(&image("nginx:1.27")), None);
        assert!(unpinned_image(&image("nginx")).is_some());
        assert!(unpinned_image(&image("nginx:latest")).is_some());
        assert!(unpinned_image(&image("registry.local:5000/team/app")).is_some());
        assert_eq!(
            unpinned_image(&image("registry.local:5000/team/app:2")),
            None
        );
        assert_eq!(unpinned_image(&image("app@sha256:0123456789abcdef")), None);
        assert!(unpinned_image(&Image::ecr("app", "latest")).is_some());
        assert_eq!(unpinned_image(&Image::ecr("app", "1.0")), None);
        assert!(is_root_user("0:0") && is_root_user("root") && !is_root_user("1000"));
        assert!(is_account("123456789012") && is_account("arn:aws:iam::123456789012:root"));
        assert!(!is_account("arn:aws:iam::123456789012:role/deployer"));
    }
}
