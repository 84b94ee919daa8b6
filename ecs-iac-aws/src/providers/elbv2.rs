//! Elastic Load Balancing v2: Application Load Balancers, target groups, listeners, rules.
//!
//! Why this room is long (about 830 lines): five kinds of one API, each decoded from its
//! typed request into the SDK's builders and rebuilt from describe answers for observe;
//! the action and condition shapes they share are converted here once.

use super::{not_supported, observed, owned, response, Existing, Outcome, Poll, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, HostHeaderConditionConfig,
    IpAddressType, LoadBalancerSchemeEnum, LoadBalancerStateEnum, LoadBalancerTypeEnum, Matcher,
    PathPatternConditionConfig, ProtocolEnum, RedirectActionConfig, RedirectActionStatusCodeEnum,
    RuleCondition, RulePriorityPair, Tag, TargetTypeEnum,
};
use ecs_iac_core::kind::Elbv2Kind;
use ecs_iac_core::requests::elbv2 as q;
use ecs_iac_core::requests::elbv2::{
    CreateListener, CreateListenerFields, CreateLoadBalancer, CreateLoadBalancerFields, CreateRule,
    CreateRuleFields, CreateTargetGroup, CreateTargetGroupFields, LoadBalancerAttribute,
    ModifyLoadBalancerAttributes,
};

/// The AWS names of a load balancer's request fields.
const LB: CreateLoadBalancerFields = CreateLoadBalancer::FIELD;
/// The AWS names of a target group's request fields.
const TG: CreateTargetGroupFields = CreateTargetGroup::FIELD;
/// The AWS names of a listener's request fields.
const LISTENER: CreateListenerFields = CreateListener::FIELD;
/// The AWS names of a listener rule's request fields.
const RULE: CreateRuleFields = CreateRule::FIELD;

sdk_err!(
    err,
    aws_sdk_elasticloadbalancingv2,
    "elasticloadbalancingv2"
);

fn tags(r: &Req<'_>) -> Result<Vec<Tag>, ProviderError> {
    Ok(r.tags("Tags")
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect())
}

/// The actions of a listener or rule request as the SDK's.
fn actions(actions: Option<Vec<q::Action>>) -> Vec<Action> {
    actions
        .unwrap_or_default()
        .into_iter()
        .map(|x| {
            let redirect = x.redirect_config.map(|c| {
                RedirectActionConfig::builder()
                    .set_protocol(c.protocol)
                    .set_port(c.port)
                    .set_status_code(
                        c.status_code
                            .map(|s| RedirectActionStatusCodeEnum::from(s.as_str())),
                    )
                    .build()
            });
            let fixed = x.fixed_response_config.map(|c| {
                FixedResponseActionConfig::builder()
                    .set_status_code(c.status_code)
                    .set_content_type(c.content_type)
                    .set_message_body(c.message_body)
                    .build()
            });
            Action::builder()
                .set_type(x.action_type.map(|t| ActionTypeEnum::from(t.as_str())))
                .set_target_group_arn(x.target_group_arn)
                .set_redirect_config(redirect)
                .set_fixed_response_config(fixed)
                .build()
        })
        .collect()
}

/// `app/<name>/<id>` from a load balancer ARN (the CloudWatch `LoadBalancer` dimension).
fn full_name(arn: &str) -> String {
    arn.split(":loadbalancer/")
        .nth(1)
        .unwrap_or(arn)
        .to_string()
}

/// A load balancer's id and attributes: ARN, ARN suffix, DNS name and the hosted zone of
/// that name.
pub(super) fn lb_outcome(
    lb: &aws_sdk_elasticloadbalancingv2::types::LoadBalancer,
) -> Option<Outcome> {
    let arn = lb.load_balancer_arn()?;
    Some(
        Outcome::new(arn)
            .with("arn", arn)
            .with("full_name", full_name(arn))
            .with("dns_name", lb.dns_name().unwrap_or_default())
            .with(
                "canonical_hosted_zone_id",
                lb.canonical_hosted_zone_id().unwrap_or_default(),
            ),
    )
}

/// `targetgroup/<name>/<id>` from a target group ARN (the CloudWatch `TargetGroup`
/// dimension).
fn target_group_suffix(arn: &str) -> String {
    arn.find("targetgroup/")
        .map(|i| arn[i..].to_string())
        .unwrap_or_else(|| arn.to_string())
}

fn target_group_outcome(arn: &str) -> Outcome {
    Outcome::new(arn)
        .with("arn", arn)
        .with("full_name", target_group_suffix(arn))
}

/// The certificates of a listener request; `None` when it has none.
fn listener_certificates(certificates: Option<Vec<q::Certificate>>) -> Option<Vec<Certificate>> {
    let certificates: Vec<Certificate> = certificates
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            Certificate::builder()
                .set_certificate_arn(c.certificate_arn)
                .build()
        })
        .collect();
    (!certificates.is_empty()).then_some(certificates)
}

/// The path and host conditions of a listener rule request.
fn rule_conditions(conditions: Option<Vec<q::RuleCondition>>) -> Vec<RuleCondition> {
    conditions
        .unwrap_or_default()
        .into_iter()
        .map(|x| {
            let paths = x.path_pattern_config.map(|p| {
                PathPatternConditionConfig::builder()
                    .set_values(Some(p.values.unwrap_or_default()))
                    .build()
            });
            let hosts = x.host_header_config.map(|p| {
                HostHeaderConditionConfig::builder()
                    .set_values(Some(p.values.unwrap_or_default()))
                    .build()
            });
            RuleCondition::builder()
                .set_field(x.field)
                .set_path_pattern_config(paths)
                .set_host_header_config(hosts)
                .build()
        })
        .collect()
}

/// The health check matcher of a target group request.
fn matcher(matcher: Option<q::Matcher>) -> Option<Matcher> {
    matcher.map(|m| Matcher::builder().set_http_code(m.http_code).build())
}

/// An HTTP protocol of a request (`HTTP`, `HTTPS`).
fn protocol(protocol: Option<String>) -> Option<ProtocolEnum> {
    protocol.map(|p| ProtocolEnum::from(p.as_str()))
}

/// Changes a load balancer's security groups, subnets and IP address type, a target
/// group's health check, a listener's protocol, port, certificate,
/// TLS policy and default actions, or a listener rule's conditions, actions and priority,
/// in place. Each call sets state, so sending it twice is harmless.
pub(super) async fn update(
    aws: &Aws,
    k: Elbv2Kind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r, c) = (t.address, &t.req, &aws.c.elbv2);
    match k {
        Elbv2Kind::ExistingLoadBalancer | Elbv2Kind::ExistingListener => {
            return Err(not_supported(a, t.kind, "modify"));
        }
        Elbv2Kind::LoadBalancerAttributes => return create(aws, k, t).await,
        Elbv2Kind::LoadBalancer => {
            let q: CreateLoadBalancer = r.decode()?;
            let changed = |field: &str| t.changed.iter().any(|c| c == field);
            if changed(LB.security_groups) {
                c.set_security_groups()
                    .load_balancer_arn(e.id)
                    .set_security_groups(Some(q.security_groups.unwrap_or_default()))
                    .send()
                    .await
                    .map_err(err(a, "SetSecurityGroups"))?;
            }
            if changed(LB.subnets) {
                c.set_subnets()
                    .load_balancer_arn(e.id)
                    .set_subnets(Some(q.subnets.unwrap_or_default()))
                    .send()
                    .await
                    .map_err(err(a, "SetSubnets"))?;
            }
            if changed(LB.ip_address_type) {
                let ip = r.required(q.ip_address_type, LB.ip_address_type)?;
                c.set_ip_address_type()
                    .load_balancer_arn(e.id)
                    .ip_address_type(IpAddressType::from(ip.as_str()))
                    .send()
                    .await
                    .map_err(err(a, "SetIpAddressType"))?;
            }
        }
        Elbv2Kind::TargetGroup => {
            let q: CreateTargetGroup = r.decode()?;
            c.modify_target_group()
                .target_group_arn(e.id)
                .set_health_check_enabled(q.health_check_enabled)
                .set_health_check_protocol(protocol(q.health_check_protocol))
                .set_health_check_port(q.health_check_port)
                .set_health_check_path(q.health_check_path)
                .set_health_check_interval_seconds(q.health_check_interval_seconds)
                .set_health_check_timeout_seconds(q.health_check_timeout_seconds)
                .set_healthy_threshold_count(q.healthy_threshold_count)
                .set_unhealthy_threshold_count(q.unhealthy_threshold_count)
                .set_matcher(matcher(q.matcher))
                .send()
                .await
                .map_err(err(a, "ModifyTargetGroup"))?;
        }
        Elbv2Kind::Listener => {
            let q: CreateListener = r.decode()?;
            c.modify_listener()
                .listener_arn(e.id)
                .set_protocol(protocol(q.protocol))
                .set_port(q.port)
                .set_certificates(listener_certificates(q.certificates))
                .set_ssl_policy(q.ssl_policy)
                .set_default_actions(Some(actions(q.default_actions)))
                .send()
                .await
                .map_err(err(a, "ModifyListener"))?;
        }
        Elbv2Kind::ListenerRule => {
            let q: CreateRule = r.decode()?;
            let priority = r.required(q.priority, RULE.priority)?;
            c.modify_rule()
                .rule_arn(e.id)
                .set_conditions(Some(rule_conditions(q.conditions)))
                .set_actions(Some(actions(q.actions)))
                .send()
                .await
                .map_err(err(a, "ModifyRule"))?;
            let current = c
                .describe_rules()
                .rule_arns(e.id)
                .send()
                .await
                .map_err(err(a, "DescribeRules"))?;
            let unchanged = current
                .rules()
                .first()
                .and_then(|x| x.priority())
                .is_some_and(|p| p == priority.to_string());
            if !unchanged {
                c.set_rule_priorities()
                    .rule_priorities(
                        RulePriorityPair::builder()
                            .rule_arn(e.id)
                            .priority(priority)
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(err(a, "SetRulePriorities"))?;
            }
        }
    }
    Ok(e.unchanged())
}

/// What AWS has now for a target group (its health check) or a load balancer or
/// listener (that it exists); `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: Elbv2Kind,
    e: &Existing<'_>,
    applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let (c, a) = (&aws.c.elbv2, e.address);
    let gone = |x: &ProviderError| {
        x.is(&[
            "TargetGroupNotFound",
            "LoadBalancerNotFound",
            "ListenerNotFound",
            "RuleNotFound",
        ])
    };
    let seen = match k {
        // Looked up before every apply, never refreshed.
        Elbv2Kind::ExistingLoadBalancer | Elbv2Kind::ExistingListener => {
            return Err(not_supported(a, e.kind, "refresh"));
        }
        // The attributes the stack sets, in its order, as AWS has them now.
        Elbv2Kind::LoadBalancerAttributes => c
            .describe_load_balancer_attributes()
            .load_balancer_arn(e.id)
            .send()
            .await
            .map_err(err(a, "DescribeLoadBalancerAttributes"))
            .and_then(|out| {
                let keys = serde_json::from_value::<ModifyLoadBalancerAttributes>(applied.clone())
                    .ok()
                    .and_then(|applied| applied.attributes)
                    .unwrap_or_default();
                let seen: Vec<LoadBalancerAttribute> = keys
                    .into_iter()
                    .filter_map(|k| {
                        let value = out
                            .attributes()
                            .iter()
                            .find(|x| x.key() == Some(k.key.as_str()))?
                            .value()?;
                        Some(LoadBalancerAttribute {
                            key: k.key,
                            value: value.to_string(),
                        })
                    })
                    .collect();
                let now = ModifyLoadBalancerAttributes {
                    load_balancer_arn: Some(e.id.to_string()),
                    attributes: Some(seen),
                };
                observed(a, &now).map(Some)
            }),
        Elbv2Kind::TargetGroup => c
            .describe_target_groups()
            .target_group_arns(e.id)
            .send()
            .await
            .map_err(err(a, "DescribeTargetGroups"))
            .and_then(|out| {
                out.target_groups()
                    .first()
                    .map(|g| {
                        let now = CreateTargetGroup {
                            health_check_path: g.health_check_path().map(str::to_string),
                            health_check_interval_seconds: g.health_check_interval_seconds(),
                            health_check_timeout_seconds: g.health_check_timeout_seconds(),
                            healthy_threshold_count: g.healthy_threshold_count(),
                            unhealthy_threshold_count: g.unhealthy_threshold_count(),
                            ..Default::default()
                        };
                        observed(a, &now)
                    })
                    .transpose()
            }),
        Elbv2Kind::LoadBalancer => c
            .describe_load_balancers()
            .load_balancer_arns(e.id)
            .send()
            .await
            .map_err(err(a, "DescribeLoadBalancers"))
            .and_then(|out| {
                out.load_balancers()
                    .first()
                    .map(|lb| {
                        let subnets: Vec<String> = lb
                            .availability_zones()
                            .iter()
                            .filter_map(|z| z.subnet_id())
                            .map(str::to_string)
                            .collect();
                        let now = CreateLoadBalancer {
                            security_groups: Some(lb.security_groups().to_vec()),
                            subnets: Some(subnets),
                            ip_address_type: lb.ip_address_type().map(|t| t.as_str().to_string()),
                            ..Default::default()
                        };
                        observed(a, &now)
                    })
                    .transpose()
            }),
        Elbv2Kind::ListenerRule => c
            .describe_rules()
            .rule_arns(e.id)
            .send()
            .await
            .map_err(err(a, "DescribeRules"))
            // That it exists: its settings are not compared.
            .and_then(|out| {
                out.rules()
                    .first()
                    .map(|_| observed(a, &CreateRule::default()))
                    .transpose()
            }),
        Elbv2Kind::Listener => c
            .describe_listeners()
            .listener_arns(e.id)
            .send()
            .await
            .map_err(err(a, "DescribeListeners"))
            // That it exists: its settings are not compared.
            .and_then(|out| {
                out.listeners()
                    .first()
                    .map(|_| observed(a, &CreateListener::default()))
                    .transpose()
            }),
    };
    match seen {
        Err(x) if gone(&x) => Ok(None),
        other => other,
    }
}

pub(super) async fn create(
    aws: &Aws,
    k: Elbv2Kind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    // No SDK retries here: after a transient error the engine looks the resource up by
    // name (or port, or priority) and tags before trying again.
    let (c, a, r) = (&aws.once.elbv2, t.address, &t.req);
    match k {
        Elbv2Kind::ExistingLoadBalancer => super::lookups::load_balancer(aws, t, lb_outcome).await,
        Elbv2Kind::LoadBalancerAttributes => {
            let q: ModifyLoadBalancerAttributes = r.decode()?;
            let arn = r.required(
                q.load_balancer_arn,
                ModifyLoadBalancerAttributes::FIELD.load_balancer_arn,
            )?;
            let pairs = q
                .attributes
                .unwrap_or_default()
                .into_iter()
                .map(|x| (x.key, x.value))
                .collect();
            modify_attributes(aws, a, &arn, pairs).await?;
            Ok(Outcome::new(&arn))
        }
        Elbv2Kind::ExistingListener => super::lookups::listener(aws, t).await,
        Elbv2Kind::LoadBalancer => {
            let q: CreateLoadBalancer = r.decode()?;
            let out = c
                .create_load_balancer()
                .name(r.required(q.name, LB.name)?)
                .set_subnets(Some(q.subnets.unwrap_or_default()))
                .set_security_groups(Some(q.security_groups.unwrap_or_default()))
                .set_scheme(q.scheme.map(|s| LoadBalancerSchemeEnum::from(s.as_str())))
                .set_type(
                    q.load_balancer_type
                        .map(|s| LoadBalancerTypeEnum::from(s.as_str())),
                )
                .set_ip_address_type(q.ip_address_type.map(|s| IpAddressType::from(s.as_str())))
                .set_tags(Some(tags(r)?))
                .send()
                .await
                .map_err(err(a, "CreateLoadBalancer"));
            let out = match out {
                Ok(out) => out,
                // It exists: adopt it when this stack owns it (AWS itself answers with the
                // existing one for identical settings).
                Err(e) if e.is(&["DuplicateLoadBalancerName"]) => {
                    return adopt_existing(aws, k, t, e).await
                }
                Err(e) => return Err(e),
            };
            let lb = out.load_balancers().first().ok_or_else(|| {
                response(
                    a,
                    "elasticloadbalancingv2:CreateLoadBalancer",
                    "LoadBalancers",
                )
            })?;
            lb_outcome(lb).ok_or_else(|| {
                response(
                    a,
                    "elasticloadbalancingv2:CreateLoadBalancer",
                    "LoadBalancerArn",
                )
            })
        }
        Elbv2Kind::TargetGroup => {
            let q: CreateTargetGroup = r.decode()?;
            let out = c
                .create_target_group()
                .name(r.required(q.name, TG.name)?)
                .set_protocol(protocol(q.protocol))
                .set_port(q.port)
                .set_vpc_id(q.vpc_id)
                .set_target_type(q.target_type.map(|p| TargetTypeEnum::from(p.as_str())))
                .set_health_check_enabled(q.health_check_enabled)
                .set_health_check_protocol(protocol(q.health_check_protocol))
                .set_health_check_port(q.health_check_port)
                .set_health_check_path(q.health_check_path)
                .set_health_check_interval_seconds(q.health_check_interval_seconds)
                .set_health_check_timeout_seconds(q.health_check_timeout_seconds)
                .set_healthy_threshold_count(q.healthy_threshold_count)
                .set_unhealthy_threshold_count(q.unhealthy_threshold_count)
                .set_matcher(matcher(q.matcher))
                .set_tags(Some(tags(r)?))
                .send()
                .await
                .map_err(err(a, "CreateTargetGroup"));
            let out = match out {
                Ok(out) => out,
                // It exists: adopt it when this stack owns it (AWS itself answers with the
                // existing one for identical settings).
                Err(e) if e.is(&["DuplicateTargetGroupName"]) => {
                    return adopt_existing(aws, k, t, e).await
                }
                Err(e) => return Err(e),
            };
            let arn = out
                .target_groups()
                .first()
                .and_then(|g| g.target_group_arn())
                .ok_or_else(|| {
                    response(
                        a,
                        "elasticloadbalancingv2:CreateTargetGroup",
                        "TargetGroupArn",
                    )
                })?;
            Ok(target_group_outcome(arn))
        }
        Elbv2Kind::Listener => {
            let q: CreateListener = r.decode()?;
            let out = c
                .create_listener()
                .load_balancer_arn(r.required(q.load_balancer_arn, LISTENER.load_balancer_arn)?)
                .set_protocol(protocol(q.protocol))
                .set_port(q.port)
                .set_certificates(listener_certificates(q.certificates))
                .set_ssl_policy(q.ssl_policy)
                .set_default_actions(Some(actions(q.default_actions)))
                .set_tags(Some(tags(r)?))
                .send()
                .await
                .map_err(err(a, "CreateListener"));
            let out = match out {
                Ok(out) => out,
                // It exists: adopt it when this stack owns it (AWS itself answers with the
                // existing one for identical settings).
                Err(e) if e.is(&["DuplicateListener"]) => {
                    return adopt_existing(aws, k, t, e).await
                }
                Err(e) => return Err(e),
            };
            let arn = out
                .listeners()
                .first()
                .and_then(|l| l.listener_arn())
                .ok_or_else(|| {
                    response(a, "elasticloadbalancingv2:CreateListener", "ListenerArn")
                })?;
            Ok(Outcome::new(arn).with("arn", arn))
        }
        Elbv2Kind::ListenerRule => {
            let q: CreateRule = r.decode()?;
            let res = aws
                .once
                .elbv2
                .create_rule()
                .listener_arn(r.required(q.listener_arn, RULE.listener_arn)?)
                .priority(r.required(q.priority, RULE.priority)?)
                .set_conditions(Some(rule_conditions(q.conditions)))
                .set_actions(Some(actions(q.actions)))
                .set_tags(Some(tags(r)?))
                .send()
                .await
                .map_err(err(a, "CreateRule"));
            match res {
                Ok(out) => {
                    let arn = out
                        .rules()
                        .first()
                        .and_then(|x| x.rule_arn())
                        .ok_or_else(|| {
                            response(a, "elasticloadbalancingv2:CreateRule", "RuleArn")
                        })?;
                    Ok(Outcome::new(arn).with("arn", arn))
                }
                Err(e) if e.is(&["PriorityInUse"]) => find(aws, k, t).await?.ok_or(e),
                Err(e) => Err(e),
            }
        }
    }
}

async fn adopt_existing(
    aws: &Aws,
    k: Elbv2Kind,
    t: &Target<'_>,
    conflict: ProviderError,
) -> Result<Outcome, ProviderError> {
    match find(aws, k, t).await? {
        Some(found) => Ok(found),
        None => Err(ProviderError::Request {
            address: t.address.into(),
            // What names it: the name, or a listener's port.
            field: match k {
                Elbv2Kind::TargetGroup => TG.name,
                Elbv2Kind::Listener => LISTENER.port,
                _ => LB.name,
            }
            .into(),
            problem: format!(
                "{conflict}; it is not owned by this stack: rename it here or remove it"
            ),
        }),
    }
}

async fn is_owned(aws: &Aws, t: &Target<'_>, arn: &str) -> Result<bool, ProviderError> {
    let out = aws
        .c
        .elbv2
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .map_err(err(t.address, "DescribeTags"))?;
    Ok(out.tag_descriptions().iter().any(|d| {
        owned(
            d.tags().iter().filter_map(|x| Some((x.key()?, x.value()?))),
            t.stack,
            t.address,
        )
    }))
}

pub(super) async fn find(
    aws: &Aws,
    k: Elbv2Kind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    let (c, a, r) = (&aws.c.elbv2, t.address, &t.req);
    let found = match k {
        Elbv2Kind::ExistingLoadBalancer
        | Elbv2Kind::ExistingListener
        | Elbv2Kind::LoadBalancerAttributes => return Ok(None),
        Elbv2Kind::LoadBalancer => match c
            .describe_load_balancers()
            .names(r.required(r.decode::<CreateLoadBalancer>()?.name, LB.name)?)
            .send()
            .await
            .map_err(err(a, "DescribeLoadBalancers"))
        {
            Ok(out) => out.load_balancers().first().and_then(lb_outcome),
            Err(e) if e.is(&["LoadBalancerNotFound"]) => None,
            Err(e) => return Err(e),
        },
        Elbv2Kind::TargetGroup => match c
            .describe_target_groups()
            .names(r.required(r.decode::<CreateTargetGroup>()?.name, TG.name)?)
            .send()
            .await
            .map_err(err(a, "DescribeTargetGroups"))
        {
            Ok(out) => out
                .target_groups()
                .first()
                .and_then(|g| g.target_group_arn())
                .map(target_group_outcome),
            Err(e) if e.is(&["TargetGroupNotFound"]) => None,
            Err(e) => return Err(e),
        },
        Elbv2Kind::Listener => {
            let q: CreateListener = r.decode()?;
            let out = c
                .describe_listeners()
                .load_balancer_arn(r.required(q.load_balancer_arn, LISTENER.load_balancer_arn)?)
                .send()
                .await
                .map_err(err(a, "DescribeListeners"))?;
            out.listeners()
                .iter()
                .find(|l| l.port() == q.port)
                .and_then(|l| l.listener_arn())
                .map(|arn| Outcome::new(arn).with("arn", arn))
        }
        Elbv2Kind::ListenerRule => {
            let q: CreateRule = r.decode()?;
            let out = c
                .describe_rules()
                .listener_arn(r.required(q.listener_arn, RULE.listener_arn)?)
                .send()
                .await
                .map_err(err(a, "DescribeRules"))?;
            let priority = q.priority.map(|p| p.to_string());
            out.rules()
                .iter()
                .find(|x| x.priority().map(str::to_string) == priority)
                .and_then(|x| x.rule_arn())
                .map(|arn| Outcome::new(arn).with("arn", arn))
        }
    };
    match found {
        Some(o) if is_owned(aws, t, &o.id).await? => Ok(Some(o)),
        _ => Ok(None),
    }
}

pub(super) async fn delete(aws: &Aws, k: Elbv2Kind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (c, a, id) = (&aws.c.elbv2, e.address, e.id);
    let gone = [
        "LoadBalancerNotFound",
        "TargetGroupNotFound",
        "ListenerNotFound",
        "RuleNotFound",
    ];
    let res = match k {
        // Not owned: forgetting it is all a destroy does.
        Elbv2Kind::ExistingLoadBalancer | Elbv2Kind::ExistingListener => Ok(()),
        // Back to AWS's defaults; deletion protection stays as it is (the plan refuses to
        // remove it while it is on).
        Elbv2Kind::LoadBalancerAttributes => {
            let defaults = vec![
                ("idle_timeout.timeout_seconds".to_string(), "60".to_string()),
                (
                    "routing.http.drop_invalid_header_fields.enabled".to_string(),
                    "false".to_string(),
                ),
                ("access_logs.s3.enabled".to_string(), "false".to_string()),
            ];
            modify_attributes(aws, a, id, defaults).await
        }
        Elbv2Kind::LoadBalancer => {
            match c
                .delete_load_balancer()
                .load_balancer_arn(id)
                .send()
                .await
                .map(drop)
                .map_err(err(a, "DeleteLoadBalancer"))
            {
                Err(x) if x.is(&gone) => return Ok(()),
                other => other?,
            }
            // Its network interfaces hold the subnets and security groups until it is gone.
            return aws
                .poll(a, "load balancer deletion", || async {
                    match c
                        .describe_load_balancers()
                        .load_balancer_arns(id)
                        .send()
                        .await
                        .map_err(err(a, "DescribeLoadBalancers"))
                    {
                        Err(x) if x.is(&gone) => Ok(Poll::Ready),
                        Err(x) => Err(x),
                        Ok(out) => Ok(
                            match out
                                .load_balancers()
                                .first()
                                .and_then(|l| l.state())
                                .and_then(|s| s.code())
                            {
                                None => Poll::Ready,
                                Some(LoadBalancerStateEnum::Failed) => Poll::Ready,
                                Some(s) => Poll::Pending(format!("{} (deleting)", s.as_str())),
                            },
                        ),
                    }
                })
                .await;
        }
        Elbv2Kind::TargetGroup => c
            .delete_target_group()
            .target_group_arn(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteTargetGroup")),
        Elbv2Kind::Listener => c
            .delete_listener()
            .listener_arn(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteListener")),
        Elbv2Kind::ListenerRule => c
            .delete_rule()
            .rule_arn(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteRule")),
    };
    match res {
        Err(x) if x.is(&gone) => Ok(()),
        other => other,
    }
}

/// Sets the load balancer's attributes `pairs`.
async fn modify_attributes(
    aws: &Aws,
    address: &str,
    arn: &str,
    pairs: Vec<(String, String)>,
) -> Result<(), ProviderError> {
    use aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute;
    let attributes = pairs
        .into_iter()
        .map(|(k, v)| LoadBalancerAttribute::builder().key(k).value(v).build())
        .collect();
    aws.c
        .elbv2
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .set_attributes(Some(attributes))
        .send()
        .await
        .map(drop)
        .map_err(err(address, "ModifyLoadBalancerAttributes"))
}

/// Load balancers, target groups, listeners and rules are usable once created.
pub(super) async fn wait_ready(
    _aws: &Aws,
    _k: Elbv2Kind,
    _t: &Target<'_>,
    _o: &mut Outcome,
) -> Result<(), ProviderError> {
    Ok(())
}
