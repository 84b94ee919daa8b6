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

// One room per job: the rule catalog, the report and its formats, the secret
// heuristics, and the checks of each AWS service (named like `crate::resources`).
// This room runs the checks: the entry point, suppressions, stack-wide facts, the
// per-resource context and the dispatch to the service rooms.
mod catalog;
mod cloudtrail;
mod data;
mod ecr;
mod ecs;
mod elb;
mod iam;
mod kms;
mod logs;
mod network;
mod opensearch;
mod report;
mod s3;
mod secrets;
mod sns;

pub use catalog::LintRule;
pub use report::{Finding, LintFailed, LintReport, LintSummary};
pub use secrets::secret_like_name;

use crate::resources::*;
use crate::stack::{AnyResource, LintAllow, Meta, Ref, Stack};
use std::collections::{BTreeMap, BTreeSet};

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
            AnyResource::Subnet(s) if s.map_public_ip => self.subnet_public_ip(),
            AnyResource::DbInstance(db) => self.db_instance(db),
            AnyResource::ReplicationGroup(c) => self.cache(c),
            AnyResource::Role(role) if role.existing.is_none() => self.role(role),
            AnyResource::TaskDefinition(t) => self.task_definition(t),
            AnyResource::Service(s) => self.service(s),
            AnyResource::Cluster(c)
                if c.existing.is_none() && c.insights == ContainerInsights::Disabled =>
            {
                self.cluster_insights_disabled()
            }
            AnyResource::LogGroup(g) => self.log_group(g),
            AnyResource::Listener(l) if l.existing.is_none() => self.listener(l),
            AnyResource::Topic(t) if t.is_owned() && !t.is_encrypted() => self.topic_unencrypted(t),
            AnyResource::LoadBalancer(lb)
                if lb.is_owned() && lb.get_scheme() == Scheme::InternetFacing =>
            {
                self.internet_facing_load_balancer(lb)
            }
            AnyResource::OpenSearchDomain(d) => self.opensearch_domain(d),
            AnyResource::Trail(t) => self.trail(t),
            AnyResource::Bucket(b) => self.bucket(b),
            AnyResource::KmsKey(k) if k.is_owned() && !k.rotates() => self.key_no_rotation(),
            AnyResource::Repository(r) if r.is_owned() => self.repository(r),
            _ => {}
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
