//! AWS's documented limits, as data, each with the page it came from.
//!
//! Validation rules read these tables; nothing else in the crate hard-codes a limit.

/// Fargate task CPU units and the memory (MiB) each allows.
///
/// Source: <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size>
pub const FARGATE_SIZES: &[(u32, MemoryOptions)] = &[
    (256, MemoryOptions::List(&[512, 1024, 2048])),
    (
        512,
        MemoryOptions::Range {
            min: 1024,
            max: 4096,
            step: 1024,
        },
    ),
    (
        1024,
        MemoryOptions::Range {
            min: 2048,
            max: 8192,
            step: 1024,
        },
    ),
    (
        2048,
        MemoryOptions::Range {
            min: 4096,
            max: 16384,
            step: 1024,
        },
    ),
    (
        4096,
        MemoryOptions::Range {
            min: 8192,
            max: 30720,
            step: 1024,
        },
    ),
    (
        8192,
        MemoryOptions::Range {
            min: 16384,
            max: 61440,
            step: 4096,
        },
    ),
    (
        16384,
        MemoryOptions::Range {
            min: 32768,
            max: 122880,
            step: 8192,
        },
    ),
];

/// The memory values one Fargate CPU size accepts.
#[derive(Debug, Clone, Copy)]
pub enum MemoryOptions {
    /// Exactly these values.
    List(&'static [u32]),
    /// From `min` to `max` in steps of `step`.
    Range {
        /// Smallest memory in MiB.
        min: u32,
        /// Largest memory in MiB.
        max: u32,
        /// Increment in MiB.
        step: u32,
    },
}

impl MemoryOptions {
    /// Whether `memory` (MiB) is one of the options.
    pub fn allows(self, memory: u32) -> bool {
        match self {
            MemoryOptions::List(values) => values.contains(&memory),
            MemoryOptions::Range { min, max, step } => {
                (min..=max).contains(&memory) && (memory - min).is_multiple_of(step)
            }
        }
    }

    /// Human description, e.g. `2048-8192 MiB in steps of 1024`.
    pub fn describe(self) -> String {
        match self {
            MemoryOptions::List(values) => {
                let v: Vec<String> = values.iter().map(u32::to_string).collect();
                format!("{} MiB", v.join(", "))
            }
            MemoryOptions::Range { min, max, step } => {
                format!("{min}-{max} MiB in steps of {step}")
            }
        }
    }
}

/// The memory options for a Fargate CPU size, or `None` when the CPU size does not exist.
pub fn fargate_memory_options(cpu: u32) -> Option<MemoryOptions> {
    FARGATE_SIZES
        .iter()
        .find(|(c, _)| *c == cpu)
        .map(|(_, options)| *options)
}

/// Inclusive bounds of one numeric setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The field's name in the AWS API.
    pub field: &'static str,
    /// Smallest allowed value.
    pub min: u32,
    /// Largest allowed value.
    pub max: u32,
}

impl Bounds {
    /// Whether `value` is inside the bounds.
    pub fn contains(self, value: u32) -> bool {
        (self.min..=self.max).contains(&value)
    }
}

/// Container health check bounds (seconds, count).
///
/// Source: <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html>
pub mod container_health_check {
    use super::Bounds;
    /// `interval`: 5-300 seconds.
    pub const INTERVAL: Bounds = Bounds {
        field: crate::requests::ecs::HealthCheck::FIELD.interval,
        min: 5,
        max: 300,
    };
    /// `timeout`: 2-60 seconds.
    pub const TIMEOUT: Bounds = Bounds {
        field: crate::requests::ecs::HealthCheck::FIELD.timeout,
        min: 2,
        max: 60,
    };
    /// `retries`: 1-10.
    pub const RETRIES: Bounds = Bounds {
        field: crate::requests::ecs::HealthCheck::FIELD.retries,
        min: 1,
        max: 10,
    };
    /// `startPeriod`: 0-300 seconds.
    pub const START_PERIOD: Bounds = Bounds {
        field: crate::requests::ecs::HealthCheck::FIELD.start_period,
        min: 0,
        max: 300,
    };
}

/// Target group health check bounds.
///
/// Source: <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>
pub mod target_group_health_check {
    use super::Bounds;
    use crate::requests::elbv2::CreateTargetGroup;
    /// `HealthCheckIntervalSeconds`: 5-300.
    pub const INTERVAL: Bounds = Bounds {
        field: CreateTargetGroup::FIELD.health_check_interval_seconds,
        min: 5,
        max: 300,
    };
    /// `HealthCheckTimeoutSeconds`: 2-120.
    pub const TIMEOUT: Bounds = Bounds {
        field: CreateTargetGroup::FIELD.health_check_timeout_seconds,
        min: 2,
        max: 120,
    };
    /// `HealthyThresholdCount`: 2-10.
    pub const HEALTHY: Bounds = Bounds {
        field: CreateTargetGroup::FIELD.healthy_threshold_count,
        min: 2,
        max: 10,
    };
    /// `UnhealthyThresholdCount`: 2-10.
    pub const UNHEALTHY: Bounds = Bounds {
        field: CreateTargetGroup::FIELD.unhealthy_threshold_count,
        min: 2,
        max: 10,
    };
}

/// The `retentionInDays` values CloudWatch Logs accepts.
///
/// Source: <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html>
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// RDS allocated storage (GiB) per storage type, for the PostgreSQL/MySQL/MariaDB engines.
///
/// Source: <https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html>
pub fn rds_storage_bounds(storage_type: &str) -> Bounds {
    match storage_type {
        "standard" => Bounds {
            field: "AllocatedStorage",
            min: 5,
            max: 3072,
        },
        _ => Bounds {
            field: "AllocatedStorage",
            min: 20,
            max: 65536,
        },
    }
}

/// RDS `BackupRetentionPeriod`: 0-35 days.
///
/// Source: <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html>
pub const RDS_BACKUP_RETENTION: Bounds = Bounds {
    field: crate::requests::rds::CreateDbInstance::FIELD.backup_retention_period,
    min: 0,
    max: 35,
};

/// ElastiCache replicas per shard: 0-5.
///
/// Source: <https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html>
pub const CACHE_REPLICAS: Bounds = Bounds {
    field: "NumCacheClusters",
    min: 0,
    max: 5,
};

/// Listener rule priority: 1-50000.
///
/// Source: <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html>
pub const LISTENER_RULE_PRIORITY: Bounds = Bounds {
    field: crate::requests::elbv2::CreateRule::FIELD.priority,
    min: 1,
    max: 50000,
};

/// A character set an AWS name may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Letters, digits and hyphens.
    AlnumHyphen,
    /// Letters, digits, hyphens and underscores.
    AlnumHyphenUnderscore,
    /// IAM names: letters, digits and `+=,.@_-`.
    Iam,
    /// Log group names: letters, digits and `_-/.#`.
    LogGroup,
    /// Any printable ASCII (security group names, alarm names).
    Printable,
    /// EC2 descriptions (security groups and their rules): letters, digits, spaces and
    /// `._-:/()#,@[]+=&;{}!$*`.
    Ec2Description,
    /// Tag keys and values: letters, digits and spaces in any language, and `_.:/=+-@`.
    Tag,
    /// ECR repository names: lower-case letters, digits and `._-/`.
    EcrRepository,
    /// SNS topic names: letters, digits, `-`, `_` (and `.` of a `.fifo` suffix).
    SnsTopic,
    /// Secrets Manager secret names: letters, digits and `/_+=.@-`.
    SecretName,
}

impl Charset {
    fn allows(self, c: char) -> bool {
        match self {
            Charset::AlnumHyphen => c.is_ascii_alphanumeric() || c == '-',
            Charset::AlnumHyphenUnderscore => c.is_ascii_alphanumeric() || c == '-' || c == '_',
            Charset::Iam => c.is_ascii_alphanumeric() || "+=,.@_-".contains(c),
            Charset::LogGroup => c.is_ascii_alphanumeric() || "_-/.#".contains(c),
            Charset::Printable => (' '..='~').contains(&c),
            Charset::Ec2Description => {
                c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=&;{}!$*".contains(c)
            }
            Charset::Tag => c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c),
            Charset::EcrRepository => {
                c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c)
            }
            Charset::SnsTopic => c.is_ascii_alphanumeric() || "-_.".contains(c),
            Charset::SecretName => c.is_ascii_alphanumeric() || "/_+=.@-".contains(c),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Charset::AlnumHyphen => "letters, digits and hyphens",
            Charset::AlnumHyphenUnderscore => "letters, digits, hyphens and underscores",
            Charset::Iam => "letters, digits and +=,.@_-",
            Charset::LogGroup => "letters, digits and _-/.#",
            Charset::Printable => "printable ASCII characters",
            Charset::Ec2Description => "letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
            Charset::Tag => "letters, digits, spaces and _.:/=+-@",
            Charset::EcrRepository => "lower-case letters, digits and ._-/",
            Charset::SnsTopic => "letters, digits, - and _ (and a .fifo suffix)",
            Charset::SecretName => "letters, digits and /_+=.@-",
        }
    }
}

/// The naming rule of one AWS name field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRule {
    /// The API field the name goes in.
    pub field: &'static str,
    /// Maximum length.
    pub max_len: usize,
    /// Allowed characters.
    pub charset: Charset,
    /// Must start with a letter.
    pub starts_with_letter: bool,
    /// Must not start or end with a hyphen (and must not contain `--`).
    pub no_edge_hyphen: bool,
    /// Where the rule comes from.
    pub source: &'static str,
}

impl NameRule {
    /// `None` when `name` follows the rule, otherwise what is wrong with it.
    pub fn check(&self, name: &str) -> Option<String> {
        if name.is_empty() {
            return Some(format!("{} must not be empty", self.field));
        }
        let len = name.chars().count();
        if len > self.max_len {
            return Some(format!(
                "{} `{name}` is {len} characters; AWS allows at most {} ({})",
                self.field, self.max_len, self.source
            ));
        }
        if let Some(bad) = name.chars().find(|c| !self.charset.allows(*c)) {
            return Some(format!(
                "{} `{name}` contains `{bad}`; AWS allows only {} ({})",
                self.field,
                self.charset.describe(),
                self.source
            ));
        }
        if self.starts_with_letter && !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Some(format!("{} `{name}` must start with a letter", self.field));
        }
        if self.no_edge_hyphen && (name.starts_with('-') || name.ends_with('-')) {
            return Some(format!(
                "{} `{name}` must not start or end with a hyphen",
                self.field
            ));
        }
        None
    }
}

const fn rule(
    field: &'static str,
    max_len: usize,
    charset: Charset,
    source: &'static str,
) -> NameRule {
    NameRule {
        field,
        max_len,
        charset,
        starts_with_letter: false,
        no_edge_hyphen: false,
        source,
    }
}

/// ECS cluster name. <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html>
pub const ECS_CLUSTER_NAME: NameRule = rule(
    crate::requests::ecs::CreateCluster::FIELD.cluster_name,
    255,
    Charset::AlnumHyphenUnderscore,
    "ECS CreateCluster",
);
/// ECS service name. <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html>
pub const ECS_SERVICE_NAME: NameRule = rule(
    "serviceName",
    255,
    Charset::AlnumHyphenUnderscore,
    "ECS CreateService",
);
/// Task definition family. <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html>
pub const ECS_FAMILY: NameRule = rule(
    crate::requests::ecs::RegisterTaskDefinition::FIELD.family,
    255,
    Charset::AlnumHyphenUnderscore,
    "ECS RegisterTaskDefinition",
);
/// Container name. <https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html>
pub const ECS_CONTAINER_NAME: NameRule = rule(
    crate::requests::ecs::ContainerDefinition::FIELD.name,
    255,
    Charset::AlnumHyphenUnderscore,
    "ECS ContainerDefinition",
);
/// Load balancer name. <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html>
pub const LOAD_BALANCER_NAME: NameRule = NameRule {
    no_edge_hyphen: true,
    ..rule(
        crate::requests::elbv2::CreateLoadBalancer::FIELD.name,
        32,
        Charset::AlnumHyphen,
        "ELBv2 CreateLoadBalancer",
    )
};
/// Target group name. <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html>
pub const TARGET_GROUP_NAME: NameRule = NameRule {
    no_edge_hyphen: true,
    ..rule(
        crate::requests::elbv2::CreateTargetGroup::FIELD.name,
        32,
        Charset::AlnumHyphen,
        "ELBv2 CreateTargetGroup",
    )
};
/// IAM role name. <https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html>
pub const IAM_ROLE_NAME: NameRule = rule(
    crate::requests::iam::CreateRole::FIELD.role_name,
    64,
    Charset::Iam,
    "IAM CreateRole",
);
/// IAM inline policy name. <https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html>
pub const IAM_POLICY_NAME: NameRule = rule(
    crate::requests::iam::PutRolePolicy::FIELD.policy_name,
    128,
    Charset::Iam,
    "IAM PutRolePolicy",
);
/// Log group name. <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html>
pub const LOG_GROUP_NAME: NameRule = rule(
    crate::requests::logs::CreateLogGroup::FIELD.log_group_name,
    512,
    Charset::LogGroup,
    "CloudWatch Logs CreateLogGroup",
);
/// ECR repository name. <https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html>
pub const ECR_REPOSITORY_NAME: NameRule = rule(
    crate::requests::ecr::CreateRepository::FIELD.repository_name,
    256,
    Charset::EcrRepository,
    "ECR CreateRepository",
);
/// Secret name. <https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html>
pub const SECRET_NAME: NameRule = rule(
    crate::requests::secretsmanager::CreateSecret::FIELD.name,
    512,
    Charset::SecretName,
    "Secrets Manager CreateSecret",
);
/// SNS topic name. <https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html>
pub const SNS_TOPIC_NAME: NameRule = rule(
    crate::requests::sns::CreateTopic::FIELD.name,
    256,
    Charset::SnsTopic,
    "SNS CreateTopic",
);
/// DB instance identifier. <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html>
pub const DB_INSTANCE_ID: NameRule = NameRule {
    starts_with_letter: true,
    no_edge_hyphen: true,
    ..rule(
        "DBInstanceIdentifier",
        63,
        Charset::AlnumHyphen,
        "RDS CreateDBInstance",
    )
};
/// DB subnet group name. <https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html>
pub const DB_SUBNET_GROUP_NAME: NameRule = rule(
    "DBSubnetGroupName",
    255,
    Charset::Printable,
    "RDS CreateDBSubnetGroup",
);
/// Replication group id. <https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html>
pub const REPLICATION_GROUP_ID: NameRule = NameRule {
    starts_with_letter: true,
    no_edge_hyphen: true,
    ..rule(
        "ReplicationGroupId",
        40,
        Charset::AlnumHyphen,
        "ElastiCache CreateReplicationGroup",
    )
};
/// Cache subnet group name. <https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html>
pub const CACHE_SUBNET_GROUP_NAME: NameRule = rule(
    "CacheSubnetGroupName",
    255,
    Charset::AlnumHyphen,
    "ElastiCache CreateCacheSubnetGroup",
);
/// Security group name. <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html>
pub const SECURITY_GROUP_NAME: NameRule = rule(
    crate::requests::ec2::CreateSecurityGroup::FIELD.group_name,
    255,
    Charset::Printable,
    "EC2 CreateSecurityGroup",
);
/// The ARN format every ARN-typed field is checked against (`arn` rule).
pub const ARN_FORMAT: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html";
/// Routes more specific than the local route, and which targets they may have
/// (`route-local` rule).
pub const LOCAL_ROUTE: &str =
    "https://docs.aws.amazon.com/vpc/latest/userguide/route-table-options.html#route-tables-local-route";
/// Regions and their Availability Zones (`az-region` rule).
pub const AVAILABILITY_ZONES: &str =
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html";
/// Container definitions: environment, secret and port mapping names (`duplicate-entry`).
pub const CONTAINER_DEFINITION: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html";
/// Listener rule conditions: path patterns and host names (`duplicate-entry`).
pub const RULE_CONDITIONS: &str =
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RuleCondition.html";

/// Security group description. <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html>
pub const SECURITY_GROUP_DESCRIPTION: NameRule = rule(
    "Description",
    255,
    Charset::Ec2Description,
    "EC2 CreateSecurityGroup",
);
/// Security group rule description. <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html>
pub const RULE_DESCRIPTION: NameRule = rule(
    "Description",
    255,
    Charset::Ec2Description,
    "EC2 IpRange, Ipv6Range, UserIdGroupPair",
);
/// Tag key (the `aws:` prefix is AWS's own). <https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html>
pub const TAG_KEY: NameRule = rule("tag key", 128, Charset::Tag, "AWS tagging");
/// Tag value (may be empty). <https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html>
pub const TAG_VALUE: NameRule = rule("tag value", 256, Charset::Tag, "AWS tagging");

/// Alarm name. <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html>
pub const ALARM_NAME: NameRule = rule(
    crate::requests::cloudwatch::PutMetricAlarm::FIELD.alarm_name,
    255,
    Charset::Printable,
    "CloudWatch PutMetricAlarm",
);
/// Scaling policy name. <https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html>
pub const SCALING_POLICY_NAME: NameRule = rule(
    crate::requests::application_autoscaling::PutScalingPolicy::FIELD.policy_name,
    256,
    Charset::Printable,
    "Application Auto Scaling PutScalingPolicy",
);
/// Cloud Map namespace name. <https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateHttpNamespace.html>
pub const NAMESPACE_NAME: NameRule = rule(
    crate::requests::servicediscovery::CreateHttpNamespace::FIELD.name,
    1024,
    Charset::LogGroup,
    "Cloud Map CreateHttpNamespace",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_table_matches_the_documented_pairs() {
        let ok = |cpu, mem| fargate_memory_options(cpu).is_some_and(|m| m.allows(mem));
        assert!(ok(256, 512) && ok(256, 2048) && !ok(256, 3072));
        assert!(ok(512, 1024) && ok(512, 4096) && !ok(512, 512));
        assert!(ok(4096, 30720) && !ok(4096, 31744));
        assert!(ok(8192, 20480) && !ok(8192, 17408));
        assert!(!ok(300, 1024));
    }

    #[test]
    fn name_rules_check_length_charset_and_edges() {
        assert_eq!(TARGET_GROUP_NAME.check("app-tg"), None);
        assert!(TARGET_GROUP_NAME.check(&"a".repeat(33)).is_some());
        assert!(TARGET_GROUP_NAME.check("app_tg").is_some());
        assert!(TARGET_GROUP_NAME.check("-app").is_some());
        assert!(DB_INSTANCE_ID.check("1db").is_some());
        assert_eq!(LOG_GROUP_NAME.check("/ecs/visitor-book"), None);
    }
}
