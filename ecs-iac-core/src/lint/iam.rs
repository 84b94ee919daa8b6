//! IAM checks: role trust policies, managed policy attachments and inline policy
//! statements.

use super::{quoted, LintRule, Lx};
use crate::requests::iam::AttachRolePolicy;
use crate::resources::*;

impl Lx<'_> {
    pub(super) fn role(&mut self, role: &Role) {
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
                    AttachRolePolicy::FIELD.policy_arn,
                    format!("role has the administrator-level policy `{short}`{used_by}"),
                );
            } else if policy.as_arn().starts_with("arn:aws:iam::aws:policy/")
                && short.ends_with("FullAccess")
            {
                self.emit(
                    LintRule::IamFullAccessPolicy,
                    &part,
                    AttachRolePolicy::FIELD.policy_arn,
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
}

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

/// A 12-digit account id or an account root ARN.
fn is_account(principal: &str) -> bool {
    let p = principal.trim();
    (p.len() == 12 && p.chars().all(|c| c.is_ascii_digit()))
        || (p.starts_with("arn:") && p.ends_with(":root"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ecs::{is_root_user, unpinned_image};

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
