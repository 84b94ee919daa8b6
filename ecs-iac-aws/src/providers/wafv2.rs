//! AWS WAF (v2): regional web ACLs the stack owns and their associations with load
//! balancers.
//!
//! WAF changes and deletes a web ACL under the lock token of its latest version: the
//! update and the delete read it with `GetWebACL` first, and read again when another
//! change got in between (`WAFOptimisticLockException`).

use super::{
    gone_is_deleted, not_supported, observed, owned, request, response, Existing, Outcome, Target,
};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_wafv2::types as waf;
use ecs_iac_core::kind::Wafv2Kind;
use ecs_iac_core::requests::wafv2::{
    AssociateWebAcl, CreateWebAcl, CreateWebAclFields, Empty, ManagedRuleGroupStatement,
    RateBasedStatement, RuleActionOverride, Statement, VisibilityConfig, WafAction, WafRule,
};
use serde_json::Value;

sdk_err!(waf_err, aws_sdk_wafv2, "wafv2");

/// The error of a web ACL (or association) that does not exist.
const GONE: [&str; 1] = ["WAFNonexistentItemException"];
/// Another change got in between the read and the write.
const STALE_LOCK: [&str; 1] = ["WAFOptimisticLockException"];
/// Reads and writes tried before a lock conflict is reported.
const LOCK_ATTEMPTS: usize = 3;

/// The AWS names of a web ACL's request fields.
const ACL: CreateWebAclFields = CreateWebAcl::FIELD;

fn default_action(
    a: &str,
    action: Option<&WafAction>,
) -> Result<waf::DefaultAction, ProviderError> {
    let action = match action.and_then(WafAction::name) {
        Some("Allow") => waf::DefaultAction::builder().allow(waf::AllowAction::builder().build()),
        Some("Block") => waf::DefaultAction::builder().block(waf::BlockAction::builder().build()),
        other => {
            return Err(request(
                a,
                ACL.default_action,
                format!("`Allow` or `Block` is required, not {other:?}"),
            ))
        }
    };
    Ok(action.build())
}

fn visibility(
    v: Option<VisibilityConfig>,
    field: &str,
    a: &str,
) -> Result<waf::VisibilityConfig, ProviderError> {
    let v = v.ok_or_else(|| request(a, field, "a visibility config is required"))?;
    waf::VisibilityConfig::builder()
        .set_sampled_requests_enabled(v.sampled_requests_enabled)
        .set_cloud_watch_metrics_enabled(v.cloud_watch_metrics_enabled)
        .set_metric_name(v.metric_name)
        .build()
        .map_err(|x| request(a, field, x))
}

/// The rule at `Rules[i]` as the SDK takes it: a managed rule group or a rate-based
/// statement, the two the library renders.
fn rule(a: &str, r: WafRule, i: usize) -> Result<waf::Rule, ProviderError> {
    let f = WafRule::FIELD;
    let at = |field: &str| format!("{}[{i}].{field}", ACL.rules);
    let in_statement = |part: &str, field: Option<&str>| {
        let path = at(&format!("{}.{part}", f.statement));
        match field {
            Some(field) => format!("{path}.{field}"),
            None => path,
        }
    };
    let statement = r
        .statement
        .ok_or_else(|| request(a, &at(f.statement), "a statement is required"))?;
    let statement = if let Some(m) = statement.managed_rule_group_statement {
        let part = Statement::FIELD.managed_rule_group_statement;
        let group = ManagedRuleGroupStatement::FIELD;
        let overrides = m
            .rule_action_overrides
            .unwrap_or_default()
            .into_iter()
            .map(|o| {
                waf::RuleActionOverride::builder()
                    .set_name(o.name)
                    .action_to_use(
                        waf::RuleAction::builder()
                            .count(waf::CountAction::builder().build())
                            .build(),
                    )
                    .build()
                    .map_err(|x| request(a, &in_statement(part, None), x))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let vendor = m.vendor_name.ok_or_else(|| {
            request(
                a,
                &in_statement(part, Some(group.vendor_name)),
                "a value is required",
            )
        })?;
        let name = m.name.ok_or_else(|| {
            request(
                a,
                &in_statement(part, Some(group.name)),
                "a value is required",
            )
        })?;
        let group = waf::ManagedRuleGroupStatement::builder()
            .vendor_name(vendor)
            .name(name)
            .set_rule_action_overrides((!overrides.is_empty()).then_some(overrides))
            .build()
            .map_err(|x| request(a, &in_statement(part, None), x))?;
        waf::Statement::builder()
            .managed_rule_group_statement(group)
            .build()
    } else if let Some(rate) = statement.rate_based_statement {
        let part = Statement::FIELD.rate_based_statement;
        let limit = rate.limit.ok_or_else(|| {
            request(
                a,
                &in_statement(part, Some(RateBasedStatement::FIELD.limit)),
                "a limit is required",
            )
        })?;
        let rate = waf::RateBasedStatement::builder()
            .limit(limit)
            .set_evaluation_window_sec(rate.evaluation_window_sec)
            .aggregate_key_type(waf::RateBasedStatementAggregateKeyType::from(
                rate.aggregate_key_type
                    .unwrap_or_else(|| "IP".into())
                    .as_str(),
            ))
            .build()
            .map_err(|x| request(a, &in_statement(part, None), x))?;
        waf::Statement::builder().rate_based_statement(rate).build()
    } else {
        return Err(request(
            a,
            &at(f.statement),
            "a `ManagedRuleGroupStatement` or `RateBasedStatement` is required",
        ));
    };
    let name = r
        .name
        .ok_or_else(|| request(a, &at(f.name), "a value is required"))?;
    let priority = r
        .priority
        .ok_or_else(|| request(a, &at(f.priority), "a value is required"))?;
    let mut built = waf::Rule::builder()
        .name(name)
        .priority(priority)
        .statement(statement)
        .visibility_config(visibility(
            r.visibility_config,
            &at(f.visibility_config),
            a,
        )?);
    match r.override_action.as_ref().and_then(WafAction::name) {
        Some("Count") => {
            built = built.override_action(
                waf::OverrideAction::builder()
                    .count(waf::CountAction::builder().build())
                    .build(),
            )
        }
        Some(_) => {
            built = built.override_action(
                waf::OverrideAction::builder()
                    .none(waf::NoneAction::builder().build())
                    .build(),
            )
        }
        None => {}
    }
    match r.action.as_ref().and_then(WafAction::name) {
        Some("Count") => {
            built = built.action(
                waf::RuleAction::builder()
                    .count(waf::CountAction::builder().build())
                    .build(),
            )
        }
        Some("Block") => {
            built = built.action(
                waf::RuleAction::builder()
                    .block(waf::BlockAction::builder().build())
                    .build(),
            )
        }
        Some("Allow") => {
            built = built.action(
                waf::RuleAction::builder()
                    .allow(waf::AllowAction::builder().build())
                    .build(),
            )
        }
        _ => {}
    }
    built.build().map_err(|x| request(a, &at(f.name), x))
}

fn tags(r: &Req<'_>) -> Result<Vec<waf::Tag>, ProviderError> {
    r.tags("Tags")
        .into_iter()
        .map(|(k, v)| waf::Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|x| request(r.address, "Tags", x))
}

/// What `CreateWebACL` and `UpdateWebACL` both send, decoded once from the request.
struct AclSettings {
    name: Option<String>,
    default_action: waf::DefaultAction,
    description: Option<String>,
    rules: Vec<waf::Rule>,
    visibility: waf::VisibilityConfig,
}

impl AclSettings {
    fn of(r: &Req<'_>) -> Result<AclSettings, ProviderError> {
        let a = r.address;
        let q: CreateWebAcl = r.decode()?;
        Ok(AclSettings {
            name: q.name,
            default_action: default_action(a, q.default_action.as_ref())?,
            description: q.description,
            rules: q
                .rules
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, x)| rule(a, x, i))
                .collect::<Result<_, _>>()?,
            visibility: visibility(q.visibility_config, ACL.visibility_config, a)?,
        })
    }
}

fn acl_outcome(arn: &str, name: &str, id: &str) -> Outcome {
    Outcome::new(arn)
        .with("arn", arn)
        .with("name", name)
        .with("web_acl_id", id)
}

pub(super) async fn create(
    aws: &Aws,
    k: Wafv2Kind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        Wafv2Kind::WebAcl => {
            let mut settings = AclSettings::of(r)?;
            let name = r.required(settings.name.take(), ACL.name)?;
            let out = aws
                .once
                .wafv2
                .create_web_acl()
                .name(&name)
                .scope(waf::Scope::Regional)
                .default_action(settings.default_action)
                .set_description(settings.description)
                .set_rules(Some(settings.rules))
                .visibility_config(settings.visibility)
                .set_tags(Some(tags(r)?))
                .send()
                .await
                .map_err(waf_err(a, "CreateWebACL"));
            match out {
                Ok(out) => {
                    let summary = out
                        .summary()
                        .ok_or_else(|| response(a, "wafv2:CreateWebACL", "Summary"))?;
                    let arn = summary
                        .arn()
                        .ok_or_else(|| response(a, "wafv2:CreateWebACL", "Summary.ARN"))?;
                    let id = summary
                        .id()
                        .ok_or_else(|| response(a, "wafv2:CreateWebACL", "Summary.Id"))?;
                    Ok(acl_outcome(arn, &name, id))
                }
                Err(x) if x.is(&["WAFDuplicateItemException"]) => {
                    find(aws, k, t).await?.ok_or_else(|| {
                        request(
                            a,
                            ACL.name,
                            format!("web ACL `{name}` already exists and is not owned by this stack; import it or pick another name"),
                        )
                    })
                }
                Err(x) => Err(x),
            }
        }
        Wafv2Kind::WebAclAssociation => {
            let q: AssociateWebAcl = r.decode()?;
            let f = AssociateWebAcl::FIELD;
            let resource = r.required(q.resource_arn, f.resource_arn)?;
            aws.c
                .wafv2
                .associate_web_acl()
                .web_acl_arn(r.required(q.web_acl_arn, f.web_acl_arn)?)
                .resource_arn(&resource)
                .send()
                .await
                .map_err(waf_err(a, "AssociateWebACL"))?;
            Ok(Outcome::new(resource))
        }
    }
}

/// The web ACL with this ARN as it is now, with the lock token a change needs; `None`
/// when it is gone.
async fn current(
    aws: &Aws,
    a: &str,
    arn: &str,
) -> Result<Option<(waf::WebAcl, String)>, ProviderError> {
    let out = match aws
        .c
        .wafv2
        .get_web_acl()
        .arn(arn)
        .send()
        .await
        .map_err(waf_err(a, "GetWebACL"))
    {
        Err(x) if x.is(&GONE) => return Ok(None),
        other => other?,
    };
    let token = out
        .lock_token()
        .ok_or_else(|| response(a, "wafv2:GetWebACL", "LockToken"))?
        .to_string();
    let acl = out
        .web_acl()
        .cloned()
        .ok_or_else(|| response(a, "wafv2:GetWebACL", "WebACL"))?;
    Ok(Some((acl, token)))
}

/// Sends the whole web ACL again (`UpdateWebACL` replaces its rules, default action,
/// description and visibility config).
pub(super) async fn update(
    aws: &Aws,
    k: Wafv2Kind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    if k != Wafv2Kind::WebAcl {
        return Err(not_supported(a, t.kind, "modify"));
    }
    let settings = AclSettings::of(r)?;
    let mut attempt = 1;
    loop {
        let Some((acl, token)) = current(aws, a, e.id).await? else {
            return Err(request(
                a,
                "id",
                format!(
                    "web ACL `{}` is gone; refresh and apply again to create it",
                    e.id
                ),
            ));
        };
        let sent = aws
            .c
            .wafv2
            .update_web_acl()
            .name(acl.name())
            .id(acl.id())
            .scope(waf::Scope::Regional)
            .lock_token(token)
            .default_action(settings.default_action.clone())
            // UpdateWebACL replaces the whole ACL: no description clears it (WAF refuses
            // an empty one).
            .set_description(settings.description.clone())
            .set_rules(Some(settings.rules.clone()))
            .visibility_config(settings.visibility.clone())
            .send()
            .await
            .map_err(waf_err(a, "UpdateWebACL"));
        match sent {
            Err(x) if x.is(&STALE_LOCK) && attempt < LOCK_ATTEMPTS => attempt += 1,
            other => {
                other?;
                return Ok(e.unchanged());
            }
        }
    }
}

/// The one action set in a `DefaultAction`, `RuleAction` or `OverrideAction`; `None`
/// when none is.
fn action(allow: bool, block: bool, count: bool, none: bool) -> Option<WafAction> {
    let set = |on: bool| on.then_some(Empty {});
    let action = WafAction {
        allow: set(allow),
        block: set(block && !allow),
        count: set(count && !allow && !block),
        none: set(none && !allow && !block && !count),
    };
    action.name().map(|_| action)
}

fn visibility_request(v: Option<&waf::VisibilityConfig>) -> Option<VisibilityConfig> {
    v.map(|v| VisibilityConfig {
        sampled_requests_enabled: Some(v.sampled_requests_enabled()),
        cloud_watch_metrics_enabled: Some(v.cloud_watch_metrics_enabled()),
        metric_name: Some(v.metric_name().to_string()),
    })
}

/// A rule in the request's shape; a statement of a type the library does not write
/// shows as its own key, so that the difference is drift.
fn rule_request(r: &waf::Rule) -> WafRule {
    let s = r.statement();
    let statement = if let Some(m) = s.and_then(|s| s.managed_rule_group_statement()) {
        let overrides: Vec<RuleActionOverride> = m
            .rule_action_overrides()
            .iter()
            .map(|o| {
                let to = o.action_to_use();
                RuleActionOverride {
                    name: Some(o.name().to_string()),
                    action_to_use: action(
                        to.is_some_and(|t| t.allow().is_some()),
                        to.is_some_and(|t| t.block().is_some()),
                        to.is_some_and(|t| t.count().is_some()),
                        false,
                    ),
                }
            })
            .collect();
        Statement {
            managed_rule_group_statement: Some(ManagedRuleGroupStatement {
                vendor_name: Some(m.vendor_name().to_string()),
                name: Some(m.name().to_string()),
                rule_action_overrides: (!overrides.is_empty()).then_some(overrides),
            }),
            ..Default::default()
        }
    } else if let Some(rate) = s.and_then(|s| s.rate_based_statement()) {
        Statement {
            rate_based_statement: Some(RateBasedStatement {
                limit: Some(rate.limit()),
                // AWS's default window is five minutes.
                evaluation_window_sec: Some(if rate.evaluation_window_sec() == 0 {
                    300
                } else {
                    rate.evaluation_window_sec()
                }),
                aggregate_key_type: Some(rate.aggregate_key_type().as_str().to_string()),
            }),
            ..Default::default()
        }
    } else {
        Statement {
            unknown: Some(Empty {}),
            ..Default::default()
        }
    };
    WafRule {
        name: Some(r.name().to_string()),
        priority: Some(r.priority()),
        statement: Some(statement),
        override_action: r
            .override_action()
            .and_then(|o| action(false, false, o.count().is_some(), o.none().is_some())),
        action: r.action().and_then(|x| {
            action(
                x.allow().is_some(),
                x.block().is_some(),
                x.count().is_some(),
                false,
            )
        }),
        visibility_config: visibility_request(r.visibility_config()),
    }
}

/// What WAF has now, in the request's shape; `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: Wafv2Kind,
    e: &Existing<'_>,
    _applied: &Value,
) -> Result<Option<Value>, ProviderError> {
    let a = e.address;
    match k {
        Wafv2Kind::WebAcl => {
            let Some((acl, _)) = current(aws, a, e.id).await? else {
                return Ok(None);
            };
            let default = acl.default_action();
            let mut rules: Vec<&waf::Rule> = acl.rules().iter().collect();
            rules.sort_by_key(|r| r.priority());
            let now = CreateWebAcl {
                name: Some(acl.name().to_string()),
                scope: Some("REGIONAL".into()),
                default_action: action(
                    default.is_some_and(|d| d.allow().is_some()),
                    default.is_some_and(|d| d.block().is_some()),
                    false,
                    false,
                ),
                description: acl
                    .description()
                    .filter(|d| !d.is_empty())
                    .map(str::to_string),
                rules: Some(rules.into_iter().map(rule_request).collect()),
                visibility_config: visibility_request(acl.visibility_config()),
            };
            observed(a, &now).map(Some)
        }
        Wafv2Kind::WebAclAssociation => {
            let out = match aws
                .c
                .wafv2
                .get_web_acl_for_resource()
                .resource_arn(e.id)
                .send()
                .await
                .map_err(waf_err(a, "GetWebACLForResource"))
            {
                Err(x) if x.is(&GONE) => return Ok(None),
                other => other?,
            };
            out.web_acl()
                .map(|acl| {
                    let now = AssociateWebAcl {
                        web_acl_arn: Some(acl.arn().to_string()),
                        resource_arn: Some(e.id.to_string()),
                    };
                    observed(a, &now)
                })
                .transpose()
        }
    }
}

/// The web ACL of this stack and address: the regional one with the request's name,
/// if its tags say it is ours.
pub(super) async fn find(
    aws: &Aws,
    k: Wafv2Kind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != Wafv2Kind::WebAcl {
        return Ok(None);
    }
    let (a, c) = (t.address, &aws.c.wafv2);
    let q: CreateWebAcl = t.req.decode()?;
    let name = t.req.required(q.name, ACL.name)?;
    let mut marker: Option<String> = None;
    loop {
        let page = c
            .list_web_acls()
            .scope(waf::Scope::Regional)
            .set_next_marker(marker.take())
            .limit(100)
            .send()
            .await
            .map_err(waf_err(a, "ListWebACLs"))?;
        if let Some(acl) = page
            .web_acls()
            .iter()
            .find(|s| s.name() == Some(name.as_str()))
        {
            let (Some(arn), Some(id)) = (acl.arn(), acl.id()) else {
                return Err(response(a, "wafv2:ListWebACLs", "WebACLs[].ARN"));
            };
            let tags = c
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await
                .map_err(waf_err(a, "ListTagsForResource"))?;
            let ours = owned(
                tags.tag_info_for_resource()
                    .map(|i| i.tag_list())
                    .unwrap_or_default()
                    .iter()
                    .map(|t| (t.key(), t.value())),
                t.stack,
                t.address,
            );
            return Ok(ours.then(|| acl_outcome(arn, &name, id)));
        }
        match page.next_marker().filter(|m| !m.is_empty()) {
            Some(next) if !page.web_acls().is_empty() => marker = Some(next.to_string()),
            _ => return Ok(None),
        }
    }
}

/// Deletes a web ACL (under its current lock token) or takes it off a resource.
pub(super) async fn delete(aws: &Aws, k: Wafv2Kind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let a = e.address;
    match k {
        Wafv2Kind::WebAcl => {
            let mut attempt = 1;
            loop {
                let Some((acl, token)) = current(aws, a, e.id).await? else {
                    return Ok(());
                };
                let res = aws
                    .c
                    .wafv2
                    .delete_web_acl()
                    .name(acl.name())
                    .id(acl.id())
                    .scope(waf::Scope::Regional)
                    .lock_token(token)
                    .send()
                    .await
                    .map(drop)
                    .map_err(waf_err(a, "DeleteWebACL"));
                match res {
                    Err(x) if x.is(&STALE_LOCK) && attempt < LOCK_ATTEMPTS => attempt += 1,
                    Err(x) if x.is(&GONE) => return Ok(()),
                    other => return gone_is_deleted(other),
                }
            }
        }
        Wafv2Kind::WebAclAssociation => {
            let res = aws
                .c
                .wafv2
                .disassociate_web_acl()
                .resource_arn(e.id)
                .send()
                .await
                .map(drop)
                .map_err(waf_err(a, "DisassociateWebACL"));
            match res {
                Err(x) if x.is(&GONE) => Ok(()),
                other => gone_is_deleted(other),
            }
        }
    }
}

/// Usable once the call returns (WAF propagates changes within seconds).
pub(super) async fn wait_ready(
    _aws: &Aws,
    _k: Wafv2Kind,
    _t: &Target<'_>,
    _o: &mut Outcome,
) -> Result<(), ProviderError> {
    Ok(())
}
