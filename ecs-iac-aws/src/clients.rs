//! The AWS SDK clients of every service the engine uses.

use crate::config::EngineConfig;
use crate::error::{ConnectError, ProviderError};
use aws_config::SdkConfig;

/// One client per service.
#[derive(Debug, Clone)]
pub(crate) struct Clients {
    pub ec2: aws_sdk_ec2::Client,
    pub ecr: aws_sdk_ecr::Client,
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
    pub acm: aws_sdk_acm::Client,
    pub kms: aws_sdk_kms::Client,
    pub sns: aws_sdk_sns::Client,
    pub s3: aws_sdk_s3::Client,
    pub cloudtrail: aws_sdk_cloudtrail::Client,
    pub opensearch: aws_sdk_opensearch::Client,
    pub wafv2: aws_sdk_wafv2::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Clients {
    fn new(c: &SdkConfig) -> Clients {
        Clients {
            ec2: aws_sdk_ec2::Client::new(c),
            ecr: aws_sdk_ecr::Client::new(c),
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
            acm: aws_sdk_acm::Client::new(c),
            kms: aws_sdk_kms::Client::new(c),
            sns: aws_sdk_sns::Client::new(c),
            // A custom endpoint (an emulator, a VPC endpoint) is reached by path, not by
            // the bucket's own host name.
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(c)
                    .force_path_style(c.endpoint_url().is_some())
                    .build(),
            ),
            cloudtrail: aws_sdk_cloudtrail::Client::new(c),
            opensearch: aws_sdk_opensearch::Client::new(c),
            wafv2: aws_sdk_wafv2::Client::new(c),
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
    /// Set when the run is interrupted: every wait and retry loop stops at its next
    /// pause (see [`Aws::pause`]).
    pub(crate) cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Told what a resource waits for, at every pause.
    pub(crate) on_wait: WaitSink,
}

/// Receives `(address, what it waits for)` at every pause of a wait or retry loop.
#[derive(Clone, Default)]
pub(crate) struct WaitSink(Option<std::sync::Arc<WaitFn>>);

/// The function a [`WaitSink`] calls.
type WaitFn = dyn Fn(&str, &str) + Send + Sync;

impl WaitSink {
    /// A sink calling `f`.
    pub(crate) fn new(f: impl Fn(&str, &str) + Send + Sync + 'static) -> WaitSink {
        WaitSink(Some(std::sync::Arc::new(f)))
    }
}

impl std::fmt::Debug for WaitSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "WaitSink(..)"
        } else {
            "WaitSink(none)"
        })
    }
}

impl Aws {
    /// This connection for one run: its waits and retries stop when `cancel` is set, and
    /// tell `on_wait` what they wait for.
    pub(crate) fn for_run(
        &self,
        cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
        on_wait: WaitSink,
    ) -> Aws {
        Aws {
            cancel,
            on_wait,
            ..self.clone()
        }
    }

    /// Sleeps `duration` in short steps, or less when the run is interrupted: then it
    /// returns [`ProviderError::Interrupted`] naming what `address` was waiting for.
    pub(crate) async fn pause(
        &self,
        address: &str,
        waiting_for: &str,
        duration: std::time::Duration,
    ) -> Result<(), ProviderError> {
        const STEP: std::time::Duration = std::time::Duration::from_millis(100);
        let deadline = std::time::Instant::now() + duration;
        if let Some(tell) = &self.on_wait.0 {
            tell(address, waiting_for);
        }
        loop {
            if self.cancel.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(ProviderError::Interrupted {
                    address: address.to_string(),
                    waiting_for: waiting_for.to_string(),
                });
            }
            let now = std::time::Instant::now();
            if now >= deadline {
                return Ok(());
            }
            tokio::time::sleep(STEP.min(deadline - now)).await;
        }
    }

    /// Connects: loads credentials and region, and asks STS for the account id.
    /// `stack_region` is the region a stack pins, used when none is configured.
    pub async fn connect(
        config: EngineConfig,
        stack_region: Option<&str>,
    ) -> Result<Aws, ConnectError> {
        let retrying = config.sdk_config(stack_region, config.max_attempts).await;
        let once = config.sdk_config(stack_region, 1).await;
        let region = retrying
            .region()
            .map(ToString::to_string)
            .ok_or(ConnectError::NoRegion)?;
        let c = Clients::new(&retrying);
        let identity = c.sts.get_caller_identity().send().await.map_err(|e| {
            ConnectError::Identity(ProviderError::from_sdk(
                "(account)",
                "sts:GetCallerIdentity",
                e,
            ))
        })?;
        let account_id = identity
            .account()
            .map(str::to_string)
            .ok_or(ConnectError::NoAccount)?;
        Ok(Aws {
            c,
            once: Clients::new(&once),
            account_id,
            region,
            config,
            cancel: Default::default(),
            on_wait: WaitSink::default(),
        })
    }
}
