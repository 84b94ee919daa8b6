//! CloudWatch metrics and metric alarms.

use super::ecs::{Cluster, Service};
use super::elb::LoadBalancer;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, NameRule};
use crate::lower::{tag_setter, Cx, NodeBuilder, ResourceSpec};
use crate::requests::cloudwatch::{Dimension, PutMetricAlarm, PutMetricAlarmFields};
use crate::stack::{Meta, Ref};
use crate::value::Text;

/// The AWS names of an alarm's request fields.
const ALARM: PutMetricAlarmFields = PutMetricAlarm::FIELD;

/// A statistic of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// Average.
    Average,
    /// Sum.
    Sum,
    /// Minimum.
    Minimum,
    /// Maximum.
    Maximum,
    /// Sample count.
    SampleCount,
}

impl Statistic {
    fn as_str(self) -> &'static str {
        match self {
            Statistic::Average => "Average",
            Statistic::Sum => "Sum",
            Statistic::Minimum => "Minimum",
            Statistic::Maximum => "Maximum",
            Statistic::SampleCount => "SampleCount",
        }
    }
}

#[derive(Debug, Clone)]
enum DimensionValue {
    Literal(Text),
    LoadBalancer(Ref<LoadBalancer>),
    ClusterOf(Ref<Service>),
    Service(Ref<Service>),
}

/// A CloudWatch metric with statistic and period.
#[derive(Debug, Clone)]
pub struct Metric {
    namespace: String,
    name: String,
    statistic: Statistic,
    period: u32,
    dimensions: Vec<(String, DimensionValue)>,
}

impl Metric {
    /// Any metric; statistic Average over 300 s unless set.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Metric {
        Metric {
            namespace: namespace.into(),
            name: name.into(),
            statistic: Statistic::Average,
            period: 300,
            dimensions: Vec::new(),
        }
    }

    /// A metric of an Application Load Balancer (`AWS/ApplicationELB`, dimension `LoadBalancer`).
    pub fn load_balancer(load_balancer: &Ref<LoadBalancer>, name: impl Into<String>) -> Metric {
        let mut m = Metric::new("AWS/ApplicationELB", name);
        m.dimensions.push((
            "LoadBalancer".into(),
            DimensionValue::LoadBalancer(load_balancer.clone()),
        ));
        m
    }

    /// A metric of an ECS service (`AWS/ECS`, dimensions `ClusterName` and `ServiceName`).
    pub fn ecs_service(service: &Ref<Service>, name: impl Into<String>) -> Metric {
        let mut m = Metric::new("AWS/ECS", name);
        m.dimensions.push((
            "ClusterName".into(),
            DimensionValue::ClusterOf(service.clone()),
        ));
        m.dimensions.push((
            "ServiceName".into(),
            DimensionValue::Service(service.clone()),
        ));
        m
    }

    /// The statistic.
    #[must_use]
    pub fn statistic(mut self, statistic: Statistic) -> Metric {
        self.statistic = statistic;
        self
    }

    /// The period in seconds (10, 30 or a multiple of 60).
    #[must_use]
    pub fn period(mut self, seconds: u32) -> Metric {
        self.period = seconds;
        self
    }

    /// A dimension: a literal, or a value known after apply (`tg.arn_suffix()`).
    #[must_use]
    pub fn dimension(mut self, name: impl Into<String>, value: impl Into<Text>) -> Metric {
        self.dimensions
            .push((name.into(), DimensionValue::Literal(value.into())));
        self
    }

    fn render_dimensions(&self, n: &mut NodeBuilder<'_>, cx: &Cx<'_>) -> Vec<Dimension> {
        self.dimensions
            .iter()
            .enumerate()
            .map(|(i, (name, value))| {
                let path = format!("{}[{i}].{}", ALARM.dimensions, Dimension::FIELD.value);
                let value = match value {
                    DimensionValue::Literal(v) => n.text(&path, v),
                    DimensionValue::LoadBalancer(lb) => n.attr(&path, lb, "full_name"),
                    DimensionValue::ClusterOf(s) => n
                        .target(&path, s)
                        .and_then(|s| cx.get(s.cluster()))
                        .map(Cluster::cluster_name)
                        .unwrap_or_default(),
                    DimensionValue::Service(s) => n
                        .target(&path, s)
                        .map(Service::service_name)
                        .unwrap_or_default(),
                };
                Dimension {
                    name: Some(name.clone()),
                    value: Some(value),
                }
            })
            .collect()
    }
}

/// How the metric compares with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `>`.
    GreaterThan,
    /// `>=`.
    GreaterThanOrEqual,
    /// `<`.
    LessThan,
    /// `<=`.
    LessThanOrEqual,
}

impl Comparison {
    fn as_str(self) -> &'static str {
        match self {
            Comparison::GreaterThan => "GreaterThanThreshold",
            Comparison::GreaterThanOrEqual => "GreaterThanOrEqualToThreshold",
            Comparison::LessThan => "LessThanThreshold",
            Comparison::LessThanOrEqual => "LessThanOrEqualToThreshold",
        }
    }
}

/// A CloudWatch metric alarm; its AWS name is the logical name.
#[derive(Debug, Clone)]
pub struct Alarm {
    pub(crate) meta: Meta,
    pub(crate) metric: Metric,
    pub(crate) comparison: Comparison,
    pub(crate) threshold: f64,
    pub(crate) evaluation_periods: u32,
    pub(crate) description: Option<String>,
    pub(crate) actions: Vec<String>,
    pub(crate) treat_missing_data: Option<String>,
}

impl Alarm {
    /// Alarms when `metric` compares with `threshold` for `evaluation_periods` periods.
    pub fn new(
        name: impl Into<String>,
        metric: Metric,
        comparison: Comparison,
        threshold: f64,
        evaluation_periods: u32,
    ) -> Alarm {
        Alarm {
            meta: Meta::new(name),
            metric,
            comparison,
            threshold,
            evaluation_periods,
            description: None,
            actions: Vec::new(),
            treat_missing_data: None,
        }
    }

    /// A description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Alarm {
        self.description = Some(description.into());
        self
    }

    /// An action ARN (e.g. an SNS topic) run when the alarm fires.
    #[must_use]
    pub fn alarm_action(mut self, arn: impl Into<Text>) -> Alarm {
        self.actions.push(arn.into().to_string());
        self
    }

    /// `breaching`, `notBreaching`, `ignore` or `missing`.
    #[must_use]
    pub fn treat_missing_data(mut self, how: impl Into<String>) -> Alarm {
        self.treat_missing_data = Some(how.into());
        self
    }
}

impl ResourceSpec for Alarm {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.meta.name.clone(), &limits::ALARM_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let p = self.metric.period;
        if !(p == 10 || p == 30 || (p >= 60 && p.is_multiple_of(60))) {
            cx.error(
                Rule::AlarmSettings,
                ALARM.period,
                format!("{p} s; CloudWatch alarms take 10, 30 or a multiple of 60"),
            );
        }
        if self.evaluation_periods == 0 {
            cx.error(
                Rule::AlarmSettings,
                ALARM.evaluation_periods,
                "at least one evaluation period is needed",
            );
        }
        if u64::from(p) * u64::from(self.evaluation_periods) > 86_400 {
            cx.error(
                Rule::AlarmSettings,
                ALARM.evaluation_periods,
                "period × evaluation periods must not exceed one day",
            );
        }
        if let Some(t) = &self.treat_missing_data {
            if !["breaching", "notBreaching", "ignore", "missing"].contains(&t.as_str()) {
                cx.error(
                    Rule::AlarmSettings,
                    ALARM.treat_missing_data,
                    format!("`{t}` is not breaching, notBreaching, ignore or missing"),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::ALARM);
        let dimensions = self.metric.render_dimensions(&mut n, cx);
        let request = PutMetricAlarm {
            alarm_name: Some(self.meta.name.clone()),
            alarm_description: self.description.clone(),
            namespace: Some(self.metric.namespace.clone()),
            metric_name: Some(self.metric.name.clone()),
            statistic: Some(self.metric.statistic.as_str().to_string()),
            period: i32::try_from(self.metric.period).ok(),
            threshold: Some(self.threshold),
            comparison_operator: Some(self.comparison.as_str().to_string()),
            evaluation_periods: i32::try_from(self.evaluation_periods).ok(),
            dimensions: Some(dimensions),
            alarm_actions: (!self.actions.is_empty()).then(|| self.actions.clone()),
            treat_missing_data: self.treat_missing_data.clone(),
        };
        cx.push_request(n, request);
    }
}

tag_setter!(Alarm);
