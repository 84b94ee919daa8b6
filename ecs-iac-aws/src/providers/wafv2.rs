//! AWS WAF (v2): regional web ACLs the stack owns and their associations with load
//! balancers.
//!
//! WAF changes and deletes a web ACL under the lock token of its latest version: the
//! update and the delete read it with `GetWebACL` first, and read again when another
//! change got in between (`WAFOptimisticLockException`).

use super::{gone_is_deleted, not_supported, owned, request, response, Existing, Outcome, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_wafv2::types as waf;
use ecs_iac_core::kind::Wafv2Kind;
use serde_json::{json, Value};

sdk_err!(waf_err, aws_sdk_wafv2, "wafv2");

/// The error of a web ACL (or association) that does not exist.
const GONE: [&str; 1] = ["WAFNonexistentItemException"];
/// Another change got in between the read and the write.
const STALE_LOCK: [&str; 1] = ["WAFOptimisticLockException"];
/// Reads and writes tried before a lock conflict is reported.
const LOCK_ATTEMPTS: usize = 3;

/// `{"Allow": {}}`, `{"Block": {}}`, `{"Count": {}}` or `{"None": {}}`: the one key set.
fn action_name(action: Option<Req<'_>>) -> Option<&str> {
    action?.body.as_object()?.keys().next().map(String::as_str)
}

fn default_action(r: &Req<'_>) -> Result<waf::DefaultAction, ProviderError> {
    let action = match action_name(r.obj("DefaultAction")) {
        Some("Allow") => waf::DefaultAction::builder().allow(waf::AllowAction::builder().build()),
        Some("Block") => waf::DefaultAction::builder().block(waf::BlockAction::builder().build()),
        other => {
            return Err(request(
                r.address,
                "DefaultAction",
                format!("`Allow` or `Block` is required, not {other:?}"),
            ))
        }
    };
    Ok(action.build())
}

fn visibility(
    v: Option<Req<'_>>,
    field: &str,
    a: &str,
) -> Result<waf::VisibilityConfig, ProviderError> {
    let v = v.ok_or_else(|| request(a, field, "a visibility config is required"))?;
    waf::VisibilityConfig::builder()
        .set_sampled_requests_enabled(v.ob("SampledRequestsEnabled"))
        .set_cloud_watch_metrics_enabled(v.ob("CloudWatchMetricsEnabled"))
        .set_metric_name(v.os("MetricName"))
        .build()
        .map_err(|x| request(a, field, x))
}

/// The rule at `Rules[i]` as the SDK takes it: a managed rule group or a rate-based
/// statement, the two the library renders.
fn rule(r: &Req<'_>, i: usize) -> Result<waf::Rule, ProviderError> {
    let a = r.address;
    let at = |field: &str| format!("Rules[{i}].{field}");
    let statement = r
        .obj("Statement")
        .ok_or_else(|| request(a, &at("Statement"), "a statement is required"))?;
    let statement = if let Some(m) = statement.obj("ManagedRuleGroupStatement") {
        let overrides = m
            .arr("RuleActionOverrides")
            .iter()
            .map(|o| {
                waf::RuleActionOverride::builder()
                    .set_name(m.at(o).os("Name"))
                    .action_to_use(
                        waf::RuleAction::builder()
                            .count(waf::CountAction::builder().build())
                            .build(),
                    )
                    .build()
                    .map_err(|x| request(a, &at("Statement.ManagedRuleGroupStatement"), x))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let group = waf::ManagedRuleGroupStatement::builder()
            .vendor_name(m.s("VendorName")?)
            .name(m.s("Name")?)
            .set_rule_action_overrides((!overrides.is_empty()).then_some(overrides))
            .build()
            .map_err(|x| request(a, &at("Statement.ManagedRuleGroupStatement"), x))?;
        waf::Statement::builder()
            .managed_rule_group_statement(group)
            .build()
    } else if let Some(rate) = statement.obj("RateBasedStatement") {
        let limit = rate
            .body
            .get("Limit")
            .and_then(Value::as_i64)
            .ok_or_else(|| {
                request(
                    a,
                    &at("Statement.RateBasedStatement.Limit"),
                    "a limit is required",
                )
            })?;
        let rate = waf::RateBasedStatement::builder()
            .limit(limit)
            .set_evaluation_window_sec(rate.body.get("EvaluationWindowSec").and_then(Value::as_i64))
            .aggregate_key_type(waf::RateBasedStatementAggregateKeyType::from(
                rate.os("AggregateKeyType")
                    .unwrap_or_else(|| "IP".into())
                    .as_str(),
            ))
            .build()
            .map_err(|x| request(a, &at("Statement.RateBasedStatement"), x))?;
        waf::Statement::builder().rate_based_statement(rate).build()
    } else {
        return Err(request(
            a,
            &at("Statement"),
            "a `ManagedRuleGroupStatement` or `RateBasedStatement` is required",
        ));
    };
    let mut built = waf::Rule::builder()
        .name(r.s("Name")?)
        .priority(r.i("Priority")?)
        .statement(statement)
        .visibility_config(visibility(
            r.obj("VisibilityConfig"),
            &at("VisibilityConfig"),
            a,
        )?);
    match action_name(r.obj("OverrideAction")) {
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
    match action_name(r.obj("Action")) {
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
    built.build().map_err(|x| request(a, &at("Name"), x))
}

fn rules(r: &Req<'_>) -> Result<Vec<waf::Rule>, ProviderError> {
    r.arr("Rules")
        .iter()
        .enumerate()
        .map(|(i, x)| rule(&r.at(x), i))
        .collect()
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
    default_action: waf::DefaultAction,
    description: Option<String>,
    rules: Vec<waf::Rule>,
    visibility: waf::VisibilityConfig,
}

impl AclSettings {
    fn of(r: &Req<'_>, a: &str) -> Result<AclSettings, ProviderError> {
        Ok(AclSettings {
            default_action: default_action(r)?,
            description: r.os("Description"),
            rules: rules(r)?,
            visibility: visibility(r.obj("VisibilityConfig"), "VisibilityConfig", a)?,
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
            let name = r.s("Name")?;
            let settings = AclSettings::of(r, a)?;
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
                            "Name",
                            format!("web ACL `{name}` already exists and is not owned by this stack; import it or pick another name"),
                        )
                    })
                }
                Err(x) => Err(x),
            }
        }
        Wafv2Kind::WebAclAssociation => {
            let resource = r.s("ResourceArn")?;
            aws.c
                .wafv2
                .associate_web_acl()
                .web_acl_arn(r.s("WebACLArn")?)
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
    let settings = AclSettings::of(r, a)?;
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

/// The one action set in a `DefaultAction`, `RuleAction` or `OverrideAction`.
fn action_json(allow: bool, block: bool, count: bool, none: bool) -> Value {
    let key = if allow {
        "Allow"
    } else if block {
        "Block"
    } else if count {
        "Count"
    } else if none {
        "None"
    } else {
        return Value::Null;
    };
    json!({ key: {} })
}

fn visibility_json(v: Option<&waf::VisibilityConfig>) -> Value {
    v.map_or(Value::Null, |v| {
        json!({
            "SampledRequestsEnabled": v.sampled_requests_enabled(),
            "CloudWatchMetricsEnabled": v.cloud_watch_metrics_enabled(),
            "MetricName": v.metric_name(),
        })
    })
}

/// A rule in the request's shape; a statement of a type the library does not write
/// shows as its own key, so that the difference is drift.
fn rule_json(r: &waf::Rule) -> Value {
    let s = r.statement();
    let statement = if let Some(m) = s.and_then(|s| s.managed_rule_group_statement()) {
        let mut group = json!({ "VendorName": m.vendor_name(), "Name": m.name() });
        let overrides: Vec<Value> = m
            .rule_action_overrides()
            .iter()
            .map(|o| {
                let to = o.action_to_use();
                json!({
                    "Name": o.name(),
                    "ActionToUse": action_json(
                        to.is_some_and(|t| t.allow().is_some()),
                        to.is_some_and(|t| t.block().is_some()),
                        to.is_some_and(|t| t.count().is_some()),
                        false,
                    ),
                })
            })
            .collect();
        if !overrides.is_empty() {
            group["RuleActionOverrides"] = Value::Array(overrides);
        }
        json!({ "ManagedRuleGroupStatement": group })
    } else if let Some(rate) = s.and_then(|s| s.rate_based_statement()) {
        json!({ "RateBasedStatement": {
            "Limit": rate.limit(),
            // AWS's default window is five minutes.
            "EvaluationWindowSec": if rate.evaluation_window_sec() == 0 { 300 } else { rate.evaluation_window_sec() },
            "AggregateKeyType": rate.aggregate_key_type().as_str(),
        } })
    } else {
        json!({ "(a statement ecs-iac does not write)": {} })
    };
    let mut rule = json!({
        "Name": r.name(),
        "Priority": r.priority(),
        "Statement": statement,
        "VisibilityConfig": visibility_json(r.visibility_config()),
    });
    if let Some(o) = r.override_action() {
        rule["OverrideAction"] = action_json(false, false, o.count().is_some(), o.none().is_some());
    }
    if let Some(x) = r.action() {
        rule["Action"] = action_json(
            x.allow().is_some(),
            x.block().is_some(),
            x.count().is_some(),
            false,
        );
    }
    rule
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
            Ok(Some(json!({
                "Name": acl.name(),
                "Scope": "REGIONAL",
                "DefaultAction": action_json(
                    default.is_some_and(|d| d.allow().is_some()),
                    default.is_some_and(|d| d.block().is_some()),
                    false,
                    false,
                ),
                "Description": acl.description().filter(|d| !d.is_empty()),
                "Rules": rules.into_iter().map(rule_json).collect::<Vec<_>>(),
                "VisibilityConfig": visibility_json(acl.visibility_config()),
            })))
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
            Ok(out
                .web_acl()
                .map(|acl| json!({ "WebACLArn": acl.arn(), "ResourceArn": e.id })))
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
    let name = t.req.s("Name")?;
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
