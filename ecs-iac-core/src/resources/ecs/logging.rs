//! Where a container's logs go: awslogs or a FireLens router.

use crate::lower::{Cx, NodeBuilder};
use crate::requests::ecs::{LogConfiguration, LogConfigurationFields};
use crate::resources::logs::LogGroup;
use crate::stack::Ref;
use std::collections::BTreeMap;

/// The AWS names of a log configuration's fields.
const LC: LogConfigurationFields = LogConfiguration::FIELD;

/// Where a container's logs go.
#[derive(Debug, Clone)]
pub enum LogConfig {
    /// CloudWatch Logs through the awslogs driver.
    AwsLogs {
        /// The log group.
        group: Ref<LogGroup>,
        /// Stream prefix (`prefix/container/task-id`).
        stream_prefix: String,
    },
    /// FireLens (`awsfirelens` driver): options go to the task's log router.
    FireLens {
        /// Output plugin options, e.g. `Name=cloudwatch_logs`.
        options: BTreeMap<String, String>,
    },
}

impl LogConfig {
    /// awslogs to `group` with a stream prefix.
    pub fn awslogs(group: &Ref<LogGroup>, stream_prefix: impl Into<String>) -> LogConfig {
        LogConfig::AwsLogs {
            group: group.clone(),
            stream_prefix: stream_prefix.into(),
        }
    }

    /// FireLens with output plugin options.
    pub fn firelens<I, K, V>(options: I) -> LogConfig
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        LogConfig::FireLens {
            options: options
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    pub(super) fn render(
        &self,
        n: &mut NodeBuilder<'_>,
        cx: &Cx<'_>,
        path: &str,
    ) -> LogConfiguration {
        match self {
            LogConfig::AwsLogs {
                group,
                stream_prefix,
            } => {
                let name = n
                    .target(|| format!("{path}.{}.awslogs-group", LC.options), group)
                    .map(|g| g.log_group_name.clone())
                    .unwrap_or_default();
                let options = BTreeMap::from([
                    ("awslogs-group".to_string(), name),
                    ("awslogs-region".to_string(), cx.region()),
                    ("awslogs-stream-prefix".to_string(), stream_prefix.clone()),
                ]);
                LogConfiguration {
                    log_driver: Some("awslogs".into()),
                    options: Some(options),
                }
            }
            LogConfig::FireLens { options } => LogConfiguration {
                log_driver: Some("awsfirelens".into()),
                options: Some(options.clone()),
            },
        }
    }
}

/// A FireLens log router type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirelensType {
    /// Fluent Bit.
    FluentBit,
    /// Fluentd.
    Fluentd,
}
