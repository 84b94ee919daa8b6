//! CloudWatch requests: metric alarms.

use crate::request::request;

request! {
    /// `cloudwatch:PutMetricAlarm` (creates or replaces).
    pub struct PutMetricAlarm, PutMetricAlarmFields {
        /// The alarm's name.
        alarm_name: String = "AlarmName",
        /// A description.
        alarm_description: String = "AlarmDescription",
        /// The metric's namespace (`AWS/ApplicationELB`, …).
        namespace: String = "Namespace",
        /// The metric's name.
        metric_name: String = "MetricName",
        /// `Average`, `Sum`, …
        statistic: String = "Statistic",
        /// Seconds per data point.
        period: i32 = "Period",
        /// The value compared with.
        threshold: f64 = "Threshold",
        /// `GreaterThanThreshold`, …
        comparison_operator: String = "ComparisonOperator",
        /// Data points that must breach.
        evaluation_periods: i32 = "EvaluationPeriods",
        /// The metric's dimensions.
        dimensions: Vec<Dimension> = "Dimensions",
        /// ARNs notified on alarm (placeholders until resolved).
        alarm_actions: Vec<String> = "AlarmActions",
        /// `missing`, `notBreaching`, `breaching` or `ignore`.
        treat_missing_data: String = "TreatMissingData",
    }
}

request! {
    /// A metric dimension.
    pub struct Dimension, DimensionFields {
        /// Its name (`LoadBalancer`, …).
        name: String = "Name",
        /// Its value (a placeholder until resolved).
        value: String = "Value",
    }
}
