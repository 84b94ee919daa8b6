//! Where a container's logs go: awslogs or a FireLens router.

use crate::lower::{Cx, NodeBuilder};
use crate::resources::logs::LogGroup;
use crate::stack::Ref;
use serde_json::{json, Value};
use std::collections::BTreeMap;

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

    pub(super) fn render(&self, n: &mut NodeBuilder<'_>, cx: &Cx<'_>, path: &str) -> Value {
        match self {
            LogConfig::AwsLogs {
                group,
                stream_prefix,
            } => {
                let name = n
                    .target(|| format!("{path}.options.awslogs-group"), group)
                    .map(|g| g.log_group_name.clone())
                    .unwrap_or_default();
                json!({
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": name,
                        "awslogs-region": cx.region(),
                        "awslogs-stream-prefix": stream_prefix,
                    },
                })
            }
            LogConfig::FireLens { options } => {
                json!({ "logDriver": "awsfirelens", "options": options })
            }
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
