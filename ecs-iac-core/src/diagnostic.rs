//! Validation diagnostics: every problem found in a stack, with where it is and what to do.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::fmt;

/// How bad a diagnostic or lint finding is. Validation errors stop `plan`/`synth`;
/// unsuppressed lint errors make [`crate::lint::LintReport::check`] fail (apply refuses).
/// Warnings and notes are reported only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The stack cannot be deployed as written (validation), or must not be (lint).
    Error,
    /// The stack deploys, but probably not as intended.
    Warning,
    /// Worth knowing; often a deliberate choice. Only lint rules use it.
    Note,
}

impl Severity {
    /// `error`, `warning` or `note` (also SARIF's `level` values).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rules {
    ($($variant:ident = $code:literal, $name:literal, $severity:ident, $doc:literal;)*) => {
        /// A validation rule. Each has a stable code (`E0201`) and a stable name
        /// (`fargate-cpu-memory`) that tools can match on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Rule {
            $(#[doc = $doc] $variant,)*
        }

        impl Rule {
            /// Every rule, in code order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable code, e.g. `E0201`.
            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* }
            }

            /// The stable kebab-case name, e.g. `fargate-cpu-memory`.
            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)* }
            }

            /// The severity findings of this rule have.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)* }
            }

            /// One line describing what the rule checks.
            pub fn description(self) -> &'static str {
                match self { $(Rule::$variant => $doc,)* }
            }
        }
    };
}

rules! {
    InvalidName = "E0001", "invalid-name", Error, "A logical or stack name is empty, too long or uses characters other than letters, digits, `-`, `_` and `/`.";
    DuplicateName = "E0002", "duplicate-name", Error, "Two resources share a logical name, or two resources of one kind share an AWS name.";
    UnknownReference = "E0003", "unknown-reference", Error, "A resource refers to a resource that is not part of this stack.";
    DependencyCycle = "E0004", "dependency-cycle", Error, "Resources depend on each other in a cycle, so no creation order exists.";
    UnknownAttribute = "E0005", "unknown-attribute", Error, "A placeholder (`${name.attribute}`) names a resource the stack does not have, or an attribute its kind does not record.";
    AwsName = "E0010", "aws-name", Error, "An AWS resource name breaks the length or character limits AWS documents for it.";
    AwsString = "E0011", "aws-string", Error, "A description, tag, image or variable name breaks the length or character set AWS documents for it, or is empty where AWS needs a value.";
    DuplicateEntry = "E0012", "duplicate-entry", Error, "A list AWS requires unique (environment or secret names, port names, path patterns) holds the same entry twice.";
    ExistingResource = "E0014", "existing-resource", Error, "A resource the stack does not own (`::existing`) is given settings that would change it: rules on a security group, DNS settings of a VPC, public IPs of a subnet.";
    Arn = "E0013", "arn", Error, "An ARN-typed field holds something that is not an ARN of the right service and resource type.";
    CidrMalformed = "E0101", "cidr-malformed", Error, "A CIDR block is not a valid IPv4 network like `10.0.0.0/16` (or, for an IPv6 peer, an IPv6 network like `::/0`).";
    CidrSize = "E0102", "cidr-size", Error, "A VPC or subnet CIDR block is outside the /16 to /28 sizes AWS allows.";
    CidrOverlap = "E0103", "cidr-overlap", Error, "Two subnets of one VPC have overlapping CIDR blocks.";
    SubnetOutsideVpc = "E0104", "subnet-outside-vpc", Error, "A subnet's CIDR block is not inside its VPC's CIDR block.";
    PortRange = "E0105", "port-range", Error, "A port is 0 or a port range runs backwards.";
    SubnetGroupAzs = "E0106", "subnet-group-azs", Error, "A DB subnet group or a load balancer has subnets in fewer than two Availability Zones.";
    CacheSubnetGroupAzs = "W0108", "cache-subnet-group-azs", Warning, "A cache subnet group has subnets in one Availability Zone only, so a replica cannot fail over to another zone.";
    MultiAzNeedsTwoAzs = "E0107", "multi-az", Error, "Multi-AZ is enabled but the placement cannot span two Availability Zones.";
    RouteLocal = "E0110", "route-local", Error, "A route's destination is the VPC's own CIDR block, or inside it through an internet gateway: the local route AWS puts in every route table already covers it, and AWS refuses the route.";
    AzRegion = "E0109", "az-region", Error, "An Availability Zone belongs to another region than the one the stack is pinned to.";
    FargateCpuMemory = "E0201", "fargate-cpu-memory", Error, "The task's CPU and memory are not a combination Fargate supports.";
    ContainerExceedsTask = "E0202", "container-exceeds-task", Error, "Containers reserve more CPU or memory than their task has.";
    DuplicatePort = "E0203", "duplicate-port", Error, "Two port mappings in one awsvpc task use the same container port and protocol.";
    ExecutionRoleRequired = "E0204", "execution-role-required", Error, "The task pulls secrets or writes awslogs but has no execution role.";
    HealthCheckBounds = "E0205", "health-check-bounds", Error, "A health check interval, timeout, retry count or threshold is outside AWS's bounds.";
    ContainerReference = "E0206", "container-reference", Error, "A reference to a container, port or volume names one the task definition does not have.";
    EssentialContainer = "E0207", "essential-container", Error, "A task definition has no containers, or none marked essential.";
    FargateUnsupported = "E0208", "fargate-unsupported", Error, "A container setting that Fargate does not support.";
    AutoscalingCapacity = "E0301", "autoscaling-capacity", Error, "Autoscaling minimum is above maximum, or the service's desired count is outside them.";
    LogRetention = "E0302", "log-retention", Error, "A log group retention is not one of the values CloudWatch Logs accepts.";
    ListenerCertificate = "E0303", "listener-certificate", Error, "An HTTPS listener has no certificate, or an HTTP listener has one.";
    TargetType = "E0304", "target-type", Error, "An awsvpc service is attached to a target group whose target type is not `ip`.";
    AlarmSettings = "E0305", "alarm-settings", Error, "An alarm period or evaluation period count is not one CloudWatch accepts.";
    ServiceNetwork = "E0306", "service-network", Error, "A Fargate service has no subnets to place its tasks in.";
    ServiceSecurityGroups = "W0307", "service-security-groups", Warning, "An awsvpc service has no security groups and will get the VPC's default group.";
    ListenerRulePriority = "E0308", "listener-rule-priority", Error, "A listener rule priority is outside 1..=50000 or used twice on one listener.";
    DeploymentPercent = "E0309", "deployment-percent", Error, "Deployment percentages allow no progress (maximum below 100 or minimum above maximum).";
    DbStorage = "E0401", "db-storage", Error, "RDS allocated storage or backup retention is outside the bounds AWS documents.";
    CacheSettings = "E0402", "cache-settings", Error, "An ElastiCache replication group has replicas, failover, multi-AZ or auth settings AWS rejects.";
    LoadBalancerAttributes = "E0310", "load-balancer-attributes", Error, "A load balancer attribute is outside what AWS accepts: an idle timeout outside 1 to 4000 seconds, or access logs with a bad prefix, to a bucket without SSE-S3, or in a stack without a pinned region.";
    RepositoryLifecycle = "E0501", "repository-lifecycle", Error, "An ECR lifecycle rule counts 0 days or images, or two rules of a repository's lifecycle policy select the same images.";
    SecretSettings = "E0502", "secret-settings", Error, "A secret's generated password, value source or recovery window is outside what Secrets Manager accepts (length 1 to 4096, some character class left, a named variable or file, 7 to 30 days).";
    WebAclSettings = "E0504", "web-acl-settings", Error, "A web ACL's description, metric name, rule names, rate limit, evaluation window, capacity or protected load balancers are outside what AWS WAF accepts.";
    BucketSettings = "E0503", "bucket-settings", Error, "An S3 lifecycle rule does nothing, counts 0 days, moves objects to a class sooner than S3 allows or expires them before they move, or a bucket has more than 1000 rules.";
    PolicyPrincipal = "E0015", "policy-principal", Error, "A resource policy statement names no principal, or a role's (identity) policy statement names one: AWS refuses both.";
    VpcMismatch = "E0403", "vpc-mismatch", Error, "Resources that must share a VPC (subnets, security groups, target groups) are in different VPCs.";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.name())
    }
}

/// One problem found by [`crate::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Which rule found it.
    pub rule: Rule,
    /// How bad it is.
    pub severity: Severity,
    /// The resource address: its logical name, as plans and state write it. Empty for a
    /// problem of the stack itself (its name).
    pub address: String,
    /// The field, as a path into the rendered request, e.g. `containerDefinitions[0].memory`.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic with the rule's default severity.
    pub fn new(
        rule: Rule,
        address: impl Into<String>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity(),
            address: address.into(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// True for error severity.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = self.severity.as_str();
        write!(f, "{level}[{} {}]: ", self.rule.code(), self.rule.name())?;
        if !self.address.is_empty() {
            f.write_str(&self.address)?;
            if !self.path.is_empty() {
                write!(f, " at {}", self.path)?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl Serialize for Diagnostic {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Diagnostic", 6)?;
        s.serialize_field("code", self.rule.code())?;
        s.serialize_field("rule", self.rule.name())?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("address", &self.address)?;
        s.serialize_field("path", &self.path)?;
        s.serialize_field("message", &self.message)?;
        s.end()
    }
}

/// The error of `plan` and `synth` when validation found errors: all diagnostics, not
/// just the first.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the stack has {} error(s); first: {}", errors(.0), first_error(.0))]
pub struct Invalid(pub Vec<Diagnostic>);

fn errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics.iter().filter(|d| d.is_error()).count()
}

fn first_error(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .find(|d| d.is_error())
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique() {
        let mut codes: Vec<_> = Rule::ALL.iter().map(|r| r.code()).collect();
        let mut names: Vec<_> = Rule::ALL.iter().map(|r| r.name()).collect();
        codes.sort_unstable();
        names.sort_unstable();
        let (n_codes, n_names) = (codes.len(), names.len());
        codes.dedup();
        names.dedup();
        assert_eq!(codes.len(), n_codes);
        assert_eq!(names.len(), n_names);
    }

    #[test]
    fn display_names_rule_address_and_path() {
        let d = Diagnostic::new(Rule::FargateCpuMemory, "task", "memory", "pick 1024");
        assert_eq!(
            d.to_string(),
            "error[E0201 fargate-cpu-memory]: task at memory: pick 1024"
        );
        let stack = Diagnostic::new(Rule::InvalidName, "", "", "stack name `a b` ...");
        assert_eq!(
            stack.to_string(),
            "error[E0001 invalid-name]: stack name `a b` ..."
        );
    }
}
