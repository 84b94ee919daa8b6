//! The AWS SDK clients of every service the engine uses.

use crate::config::EngineConfig;
use crate::error::ProviderError;
use aws_config::SdkConfig;

/// One client per service.
#[derive(Debug, Clone)]
pub(crate) struct Clients {
    pub ec2: aws_sdk_ec2::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub iam: aws_sdk_iam::Client,
    pub rds: aws_sdk_rds::Client,
    pub elasticache: aws_sdk_elasticache::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub autoscaling: aws_sdk_applicationautoscaling::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub discovery: aws_sdk_servicediscovery::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Clients {
    fn new(c: &SdkConfig) -> Clients {
        Clients {
            ec2: aws_sdk_ec2::Client::new(c),
            ecs: aws_sdk_ecs::Client::new(c),
            iam: aws_sdk_iam::Client::new(c),
            rds: aws_sdk_rds::Client::new(c),
            elasticache: aws_sdk_elasticache::Client::new(c),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::new(c),
            autoscaling: aws_sdk_applicationautoscaling::Client::new(c),
            logs: aws_sdk_cloudwatchlogs::Client::new(c),
            cloudwatch: aws_sdk_cloudwatch::Client::new(c),
            secrets: aws_sdk_secretsmanager::Client::new(c),
            discovery: aws_sdk_servicediscovery::Client::new(c),
            sts: aws_sdk_sts::Client::new(c),
        }
    }
}

/// A connection to one AWS account and region.
#[derive(Debug, Clone)]
pub struct Aws {
    /// Clients that retry throttling and transient errors (reads, deletes, idempotent calls).
    pub(crate) c: Clients,
    /// Clients that never retry on their own: creates, which the engine retries itself
    /// after looking the resource up by its tags.
    pub(crate) once: Clients,
    /// The account id (from STS).
    pub account_id: String,
    /// The region calls go to.
    pub region: String,
    /// The engine settings.
    pub config: EngineConfig,
}

impl Aws {
    /// Connects: loads credentials and region, and asks STS for the account id.
    /// `stack_region` is the region a stack pins, used when none is configured.
    pub async fn connect(
        config: EngineConfig,
        stack_region: Option<&str>,
    ) -> Result<Aws, ProviderError> {
        let retrying = config.sdk_config(stack_region, config.max_attempts).await;
        let once = config.sdk_config(stack_region, 1).await;
        let region =
            retrying
                .region()
                .map(ToString::to_string)
                .ok_or_else(|| ProviderError::Request {
                    address: "(config)".into(),
                    field: "region".into(),
                    problem:
                        "no region: set AWS_REGION, a profile region, or pin one with Stack::region"
                            .into(),
                })?;
        let c = Clients::new(&retrying);
        let identity = c
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| ProviderError::from_sdk("(account)", "sts:GetCallerIdentity", e))?;
        let account_id =
            identity
                .account()
                .map(str::to_string)
                .ok_or_else(|| ProviderError::Response {
                    address: "(account)".into(),
                    operation: "sts:GetCallerIdentity".into(),
                    field: "Account".into(),
                })?;
        Ok(Aws {
            c,
            once: Clients::new(&once),
            account_id,
            region,
            config,
        })
    }
}
