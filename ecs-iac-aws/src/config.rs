//! Engine settings and the AWS SDK configuration built from them.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// How the engine talks to AWS. Credentials, profile and region come from the standard
/// AWS chain (environment, profile, SSO, instance metadata).
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Send every call here instead of AWS (e.g. a local emulator). `AWS_ENDPOINT_URL`
    /// is honoured too.
    pub endpoint_url: Option<String>,
    /// Region override.
    pub region: Option<String>,
    /// Fixed credentials (access key id, secret access key) instead of the AWS chain, for
    /// emulators and tests. Never logged.
    pub static_credentials: Option<(String, String)>,
    /// How many resources are worked on at once.
    pub parallelism: usize,
    /// Deadline of one SDK call, retries included.
    pub operation_timeout: Duration,
    /// Deadline of one attempt of an SDK call.
    pub attempt_timeout: Duration,
    /// Attempts per SDK call on throttling and transient errors (reads and deletes).
    pub max_attempts: u32,
    /// Attempts per create; between attempts the engine looks the resource up by its
    /// ownership tags, so a lost response never creates a duplicate.
    pub create_attempts: u32,
    /// First backoff between create attempts (doubles each time).
    pub create_backoff: Duration,
    /// How long a create whose outcome is unknown (the process was killed after sending
    /// it, or the call timed out without an answer) may still be in flight at AWS or not
    /// yet visible to describe calls (EC2 is eventually consistent). Before creating such
    /// a resource again, the engine keeps looking it up by its ownership tags until this
    /// much time has passed since the first request was sent.
    pub create_settle: Duration,
    /// Apply RDS and ElastiCache modifications now instead of in the next maintenance
    /// window (AWS's `ApplyImmediately`; AWS's default is the window).
    pub apply_immediately: bool,
    /// Keep the resources a create-before-destroy replacement supersedes (old task
    /// definition revisions stay registered) instead of deleting them after the apply.
    pub keep_replaced: bool,
    /// Time between readiness polls.
    pub poll_interval: Duration,
    /// Deadline for one resource to become ready (or to be gone, on delete).
    pub wait_deadline: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            endpoint_url: None,
            region: None,
            static_credentials: None,
            parallelism: 8,
            operation_timeout: Duration::from_secs(60),
            attempt_timeout: Duration::from_secs(20),
            max_attempts: 6,
            create_attempts: 5,
            create_backoff: Duration::from_millis(500),
            create_settle: Duration::from_secs(30),
            apply_immediately: false,
            keep_replaced: false,
            poll_interval: Duration::from_secs(5),
            wait_deadline: Duration::from_secs(45 * 60),
        }
    }
}

impl EngineConfig {
    /// The SDK configuration, with `attempts` attempts per call.
    pub(crate) async fn sdk_config(&self, region: Option<&str>, attempts: u32) -> SdkConfig {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(attempts.max(1))
                    .with_initial_backoff(Duration::from_millis(200))
                    .with_max_backoff(Duration::from_secs(10)),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(self.operation_timeout)
                    .operation_attempt_timeout(self.attempt_timeout)
                    .connect_timeout(Duration::from_secs(5))
                    .build(),
            );
        if let Some(region) = self.region.as_deref().or(region) {
            loader = loader.region(Region::new(region.to_string()));
        }
        if let Some((key, secret)) = &self.static_credentials {
            loader = loader.credentials_provider(aws_sdk_sts::config::Credentials::new(
                key.clone(),
                secret.clone(),
                None,
                None,
                "ecs-iac-static",
            ));
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url.clone());
        }
        loader.load().await
    }
}
