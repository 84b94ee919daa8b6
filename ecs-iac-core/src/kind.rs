//! Resource kinds: every node of a plan has one, and everything that is static
//! knowledge about AWS for it lives here, in one exhaustive `match` ([`Kind::spec`]).
//!
//! A [`KindSpec`] says which API call creates the node, which fields change in place and
//! how ([`Updates`]), how a replacement runs ([`Replacement`]), whether the node holds
//! data ([`KindSpec::stateful`]), whether AWS can duplicate its create
//! ([`KindSpec::duplicable`]), how it takes tags ([`Tags`]) and which attributes the
//! state records. The planner ([`crate::plan()`]) and the executor (`ecs-iac-aws`) both
//! read it, so a plan only promises what apply does: a change the kind cannot make in
//! place is a replacement, with the field that forces it as its reason.
//!
//! Kinds are grouped by AWS service ([`Service`]): `Kind::Ec2(Ec2Kind::Vpc)`, also
//! spelled [`Kind::VPC`]. A provider module per service matches its own kind enum
//! exhaustively, so a new kind does not compile until every side answers for it.
//! Kinds serialize as `service.name` (`ec2.vpc`), as state files have always held them.
//!
//! # Adding a resource kind
//!
//! 1. Add a variant to the service's kind enum here (a new service: a new enum, a
//!    [`Service`] and a [`Kind`] variant), its `Kind::` constant, its entry in
//!    [`Kind::ALL`], and its [`KindSpec`] in [`Kind::spec`]: the compiler refuses until
//!    every question is answered.
//! 2. Add the resource (builder, `validate`, `lower`) in the service's module under
//!    `resources/`, and its variant in `stack.rs`'s `resource_kinds!` if it is a resource
//!    of its own (not a follow-up request such as `#ingress`).
//!    Define its request body once with `request!` in `requests/<service>.rs` (the AWS
//!    field names live there, `Type::FIELD.x` gives one as text); `lower` fills it and
//!    renders it with `Cx::push_request`, the provider reads it with `Req::decode`, and
//!    observe builds it from the describe answer.
//! 3. In `ecs-iac-aws/src/providers/<service>.rs`, answer the new variant in every
//!    operation's `match` (create, find, update, observe, wait_ready, delete; retag in
//!    `tags.rs`, where `tag_resource!` covers services with `TagResource` and
//!    `UntagResource`): the matches are exhaustive, so it does not compile until each is
//!    answered. A new service also needs its SDK crate, its client in `clients.rs` and an
//!    arm in `providers::dispatch!`. A new tag shape is a [`Tags`] variant, rendered in
//!    `lower.rs` and checked in `request_checks.rs`.
//!
//!    Settings AWS keeps beside the resource (a key's rotation, a repository's lifecycle
//!    policy, a load balancer's attributes) are follow-up nodes of their own
//!    (`KEY#rotation`, `REPO#lifecycle`, `ALB#attributes`), usually `Upsert` kinds whose
//!    delete puts AWS's default back.
//! 4. Tests: a failing and a passing validation case per rule, a synth snapshot, and a
//!    moto test of create, refresh, in-place update and delete. `tests/kinds.rs` checks
//!    that every field the kind renders plans as a replacement or an update the executor
//!    accepts, and that a `Modify` kind's provider sends its modify call.
//!
//! A resource the stack only refers to (`Vpc::existing`, `Role::existing`) is a kind of
//! its own, defined with `lookup(name, describe_call, attributes)`: a data source that
//! renders its describe request, is read before every apply (`preflight`), never
//! refreshed, changed or deleted, and is forgotten by `destroy`. Its builder reuses the
//! owned resource's type, so its reference goes wherever an owned one does; validation
//! reports settings that would change it (`E0014 existing-resource`). Its provider
//! answers `create` with the lookup (exactly one match, else an error naming the lookup)
//! and its other operations as not supported.
//!
//! The effects side is one module per AWS service with one exhaustive `match` per
//! operation (rather than a trait per kind): the SDK client, error mapping and shared
//! helpers of a service stay together, async functions need no boxing, and the
//! compiler checks each operation for every kind of the service.
//!
//! Why this room is long (about 2,100 lines): [`Kind::spec`] is one exhaustive `match` over
//! every kind, on purpose. Split by service, the answers for one kind would drift apart
//! again; kept whole, a reviewer reads all of a kind's static knowledge in one place and
//! the compiler refuses a kind with an unanswered question.

use crate::requests::application_autoscaling::{PutScalingPolicy, RegisterScalableTarget};
use crate::requests::cloudtrail::{CreateTrail, PutInsightSelectors, StartLogging};
use crate::requests::cloudwatch::PutMetricAlarm;
use crate::requests::ecr::{CreateRepository, PutLifecyclePolicy};
use crate::requests::ecs::{CreateCluster, CreateService};
use crate::requests::elasticache::CreateReplicationGroup;
use crate::requests::elbv2::{
    CreateListener, CreateLoadBalancer, CreateRule, CreateTargetGroup, ModifyLoadBalancerAttributes,
};
use crate::requests::iam::{CreateRole, PutRolePolicy};
use crate::requests::kms::{CreateAlias, CreateKey, EnableKeyRotation};
use crate::requests::logs::PutSubscriptionFilter;
use crate::requests::opensearch::CreateDomain;
use crate::requests::rds::CreateDbInstance;
use crate::requests::s3::{CreateBucket, PutBucketTagging};
use crate::requests::secretsmanager::{CreateSecret, PutResourcePolicy};
use crate::requests::sns::CreateTopic;
use crate::requests::wafv2::CreateWebAcl;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An AWS service, as the AWS SDK for Rust names its crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Service {
    /// Amazon EC2 (VPC networking).
    Ec2,
    /// Amazon ECS.
    Ecs,
    /// Elastic Load Balancing v2.
    Elbv2,
    /// Amazon RDS.
    Rds,
    /// Amazon ElastiCache.
    ElastiCache,
    /// AWS IAM.
    Iam,
    /// AWS Secrets Manager.
    SecretsManager,
    /// Amazon CloudWatch Logs.
    Logs,
    /// Amazon CloudWatch (alarms).
    CloudWatch,
    /// Application Auto Scaling.
    ApplicationAutoScaling,
    /// AWS Cloud Map.
    ServiceDiscovery,
    /// AWS Certificate Manager.
    Acm,
    /// AWS KMS.
    Kms,
    /// Amazon SNS.
    Sns,
    /// Amazon ECR.
    Ecr,
    /// Amazon S3.
    S3,
    /// AWS CloudTrail.
    CloudTrail,
    /// Amazon OpenSearch Service.
    OpenSearch,
    /// AWS WAF (v2).
    Wafv2,
}

impl Service {
    /// The calls that set and remove tags on an existing object of the service.
    pub const fn tag_calls(self) -> &'static str {
        match self {
            Service::Ec2 => "CreateTags, DeleteTags",
            Service::Elbv2 => "AddTags, RemoveTags",
            Service::Iam => "TagRole, UntagRole",
            Service::Rds | Service::ElastiCache => "AddTagsToResource, RemoveTagsFromResource",
            Service::Ecs
            | Service::SecretsManager
            | Service::Logs
            | Service::CloudWatch
            | Service::ApplicationAutoScaling
            | Service::ServiceDiscovery
            | Service::Kms
            | Service::Sns
            | Service::Ecr
            | Service::Wafv2 => "TagResource, UntagResource",
            Service::S3 => "PutBucketTagging",
            Service::CloudTrail | Service::OpenSearch => "AddTags, RemoveTags",
            Service::Acm => "AddTagsToCertificate, RemoveTagsFromCertificate",
        }
    }

    /// The SDK crate's service name (`ec2`, `elasticloadbalancingv2`), as operations show it.
    pub const fn sdk_name(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Ecs => "ecs",
            Service::Elbv2 => "elasticloadbalancingv2",
            Service::Rds => "rds",
            Service::ElastiCache => "elasticache",
            Service::Iam => "iam",
            Service::SecretsManager => "secretsmanager",
            Service::Logs => "logs",
            Service::CloudWatch => "cloudwatch",
            Service::ApplicationAutoScaling => "applicationautoscaling",
            Service::ServiceDiscovery => "servicediscovery",
            Service::Acm => "acm",
            Service::Kms => "kms",
            Service::Sns => "sns",
            Service::Ecr => "ecr",
            Service::S3 => "s3",
            Service::CloudTrail => "cloudtrail",
            Service::OpenSearch => "opensearch",
            Service::Wafv2 => "wafv2",
        }
    }
}

/// EC2 kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Ec2Kind {
    Vpc,
    VpcAttribute,
    Subnet,
    SubnetAttribute,
    InternetGateway,
    InternetGatewayAttachment,
    ElasticIp,
    NatGateway,
    RouteTable,
    Route,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupIngress,
    SecurityGroupEgress,
    SecurityGroupDefaultEgress,
    ExistingVpc,
    ExistingSubnet,
    ExistingSecurityGroup,
}

/// ECS kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum EcsKind {
    Cluster,
    TaskDefinition,
    Service,
    ExistingCluster,
}

/// Elastic Load Balancing v2 kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Elbv2Kind {
    LoadBalancer,
    LoadBalancerAttributes,
    TargetGroup,
    Listener,
    ListenerRule,
    ExistingLoadBalancer,
    ExistingListener,
}

/// RDS kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum RdsKind {
    DbSubnetGroup,
    DbInstance,
}

/// ElastiCache kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum ElastiCacheKind {
    CacheSubnetGroup,
    ReplicationGroup,
}

/// IAM kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum IamKind {
    Role,
    RolePolicy,
    RolePolicyAttachment,
    ExistingRole,
}

/// Secrets Manager kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum SecretsManagerKind {
    /// A secret the stack reads but does not own.
    SecretRef,
    /// A secret the stack owns (its value is set at apply, never planned or stored).
    Secret,
    /// A secret's resource policy.
    ResourcePolicy,
}

/// CloudWatch Logs kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum LogsKind {
    LogGroup,
    RetentionPolicy,
    SubscriptionFilter,
}

/// CloudWatch kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum CloudWatchKind {
    Alarm,
}

/// Application Auto Scaling kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum ApplicationAutoScalingKind {
    ScalableTarget,
    ScalingPolicy,
}

/// Cloud Map kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum ServiceDiscoveryKind {
    HttpNamespace,
    ExistingNamespace,
}

/// AWS Certificate Manager kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum AcmKind {
    /// A certificate the stack uses, by ARN.
    ExistingCertificate,
    /// The issued certificate for a domain name.
    CertificateForDomain,
}

/// AWS KMS kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum KmsKind {
    /// A symmetric encryption key the stack owns.
    Key,
    /// Yearly automatic rotation of a key's material.
    KeyRotation,
    /// An alias naming a key the stack owns.
    Alias,
    /// A key the stack uses, by id, ARN or alias.
    ExistingKey,
}

/// Amazon SNS kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum SnsKind {
    /// A topic the stack owns.
    Topic,
    /// A subscription to a topic the stack owns.
    Subscription,
    /// A topic the stack notifies, by name or ARN.
    ExistingTopic,
}

/// Amazon ECR kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum EcrKind {
    /// A repository the stack owns.
    Repository,
    /// A repository's lifecycle policy.
    LifecyclePolicy,
    /// A repository the stack uses, by name.
    ExistingRepository,
}

/// Amazon S3 kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum S3Kind {
    /// A bucket the stack owns.
    Bucket,
    /// A bucket's tags.
    BucketTagging,
    /// A bucket's block-public-access settings.
    PublicAccessBlock,
    /// A bucket's default encryption.
    BucketEncryption,
    /// A bucket's versioning.
    BucketVersioning,
    /// A bucket's lifecycle rules.
    BucketLifecycle,
    /// A bucket's policy.
    BucketPolicy,
}

/// AWS CloudTrail kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum CloudTrailKind {
    /// A trail the stack owns.
    Trail,
    /// A trail's logging, started.
    TrailLogging,
    /// A trail's Insights selectors.
    InsightSelectors,
}

/// Amazon OpenSearch Service kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum OpenSearchKind {
    /// A domain the stack owns.
    Domain,
}

/// AWS WAF (v2) kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Wafv2Kind {
    /// A web ACL the stack owns.
    WebAcl,
    /// A web ACL in front of a resource (a load balancer).
    WebAclAssociation,
}

/// The kind of a node: one AWS object a request creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Kind {
    Ec2(Ec2Kind),
    Ecs(EcsKind),
    Elbv2(Elbv2Kind),
    Rds(RdsKind),
    ElastiCache(ElastiCacheKind),
    Iam(IamKind),
    SecretsManager(SecretsManagerKind),
    Logs(LogsKind),
    CloudWatch(CloudWatchKind),
    ApplicationAutoScaling(ApplicationAutoScalingKind),
    ServiceDiscovery(ServiceDiscoveryKind),
    Acm(AcmKind),
    Kms(KmsKind),
    Sns(SnsKind),
    Ecr(EcrKind),
    S3(S3Kind),
    CloudTrail(CloudTrailKind),
    OpenSearch(OpenSearchKind),
    Wafv2(Wafv2Kind),
}

/// How a kind's changed fields reach AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Updates {
    /// Nothing changes in place but tags (where [`KindSpec::retag`]): every other change
    /// replaces the node.
    Immutable,
    /// The create call creates or overwrites (`Put*`, `Modify*Attribute`): a change is
    /// the same call again, except for the `identity` fields, which name another object
    /// and so replace the node.
    Upsert {
        /// Fields that name the object.
        identity: &'static [&'static str],
    },
    /// A modify call changes exactly `fields`; every other field replaces the node.
    Modify {
        /// The call (or calls) that run, for people: `UpdateService`.
        call: &'static str,
        /// Top-level request fields the call changes.
        fields: &'static [&'static str],
    },
}

/// How a changed top-level field reaches AWS (see [`Kind::field_change`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldChange {
    /// The kind's modify call ([`Updates::Modify`]).
    Modify,
    /// The create call sent again ([`Updates::Upsert`]).
    Upsert,
    /// Tags set and removed on the existing object ([`KindSpec::retag`]).
    Retag,
    /// The node is replaced.
    Replace,
}

/// The order of a replacement's two halves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Replacement {
    /// Delete the old object, then create the new one (names are unique).
    DeleteThenCreate,
    /// Create the new object, move dependents to it, then delete the old one (immutable
    /// revisions, e.g. task definitions).
    CreateThenDelete,
}

/// How an API takes tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tags {
    /// No tags.
    None,
    /// EC2 `TagSpecifications` for a resource type, with a `Name` tag.
    Ec2(&'static str),
    /// `"Tags": [{"Key", "Value"}]` (RDS, IAM, ELBv2, ElastiCache, CloudWatch, Cloud Map).
    KeyValue,
    /// `"tags": [{"key", "value"}]` (ECS).
    Ecs,
    /// `"tags": [{"Key", "Value"}]` (ECR).
    LowerKeyValue,
    /// `"Tags": [{"TagKey", "TagValue"}]` (KMS).
    Kms,
    /// `[{"Key", "Value"}]` in the named field (`TagsList` of CloudTrail, `TagList` of
    /// OpenSearch).
    KeyValueList(&'static str),
    /// `"tags": {"key": "value"}` (CloudWatch Logs).
    LowerMap,
    /// `"Tags": {"key": "value"}` (Application Auto Scaling).
    Map,
}

impl Tags {
    /// The request field holding the tags.
    pub const fn field(self) -> Option<&'static str> {
        match self {
            Tags::None => None,
            Tags::Ec2(_) => Some("TagSpecifications"),
            Tags::KeyValue | Tags::Map | Tags::Kms => Some("Tags"),
            Tags::KeyValueList(field) => Some(field),
            Tags::Ecs | Tags::LowerMap | Tags::LowerKeyValue => Some("tags"),
        }
    }
}

/// Everything static about one kind. Every field must be answered: a new kind does not
/// compile until it is.
#[derive(Debug, Clone, Copy)]
pub struct KindSpec {
    /// `service.name`, as state files and messages show it.
    pub name: &'static str,
    /// The API call that creates the node.
    pub create: &'static str,
    /// The API call that deletes it (empty for what the stack only reads: it is
    /// forgotten, never deleted).
    pub delete: &'static str,
    /// What changes in place, and how.
    pub updates: Updates,
    /// How a replacement runs.
    pub replacement: Replacement,
    /// Holds data a replacement or a delete destroys (databases, caches, log groups):
    /// such plans are blocked unless the resource allows them.
    pub stateful: bool,
    /// Sending the create twice can make two objects (no unique name, no idempotency
    /// token AWS honours across runs): after an unknown outcome the engine waits for the
    /// first request to settle before sending it again.
    pub duplicable: bool,
    /// The object can be found by its ownership tags or unique name (for adoption after
    /// a crash, and `import`); other kinds are adopted by sending their create again.
    pub findable: bool,
    /// How the create call takes tags.
    pub tags: Tags,
    /// Tags change in place on the existing object.
    pub retag: bool,
    /// Attributes the state records, for placeholders (`${name.attribute}`) and the
    /// typed values references give ([`crate::value::Attr`]).
    pub attributes: &'static [Attribute],
    /// Read, never created, changed or deleted (a resource the stack does not own).
    pub data_source: bool,
}

/// What an attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrType {
    /// A string: an id, a name, a host name.
    Text,
    /// A number (a port), recorded as its decimal string.
    Number,
    /// An ARN.
    Arn,
}

/// One attribute a kind records in the state once AWS has answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attribute {
    /// The name placeholders use (`${db.address}`).
    pub name: &'static str,
    /// What it holds.
    #[serde(rename = "type")]
    pub ty: AttrType,
}

impl Attribute {
    const fn text(name: &'static str) -> Attribute {
        Attribute {
            name,
            ty: AttrType::Text,
        }
    }
    const fn arn(name: &'static str) -> Attribute {
        Attribute {
            name,
            ty: AttrType::Arn,
        }
    }
    const fn number(name: &'static str) -> Attribute {
        Attribute {
            name,
            ty: AttrType::Number,
        }
    }
}

/// The AWS id every kind records.
const ID: Attribute = Attribute::text("id");
/// The ARN.
const ARN: Attribute = Attribute::arn("arn");
/// The AWS name (where it differs from the id, or is the id under a clearer name).
const NAME: Attribute = Attribute::text("name");
// Attributes of one or a few kinds.
const CIDR: Attribute = Attribute::text("cidr");
const AVAILABILITY_ZONE: Attribute = Attribute::text("availability_zone");
const ADDRESS: Attribute = Attribute::text("address");
const ALLOCATION_ID: Attribute = Attribute::text("allocation_id");
const CANONICAL_HOSTED_ZONE_ID: Attribute = Attribute::text("canonical_hosted_zone_id");
const DESTINATION: Attribute = Attribute::text("destination");
const DNS_NAME: Attribute = Attribute::text("dns_name");
const DOMAIN_NAME: Attribute = Attribute::text("domain_name");
const LOAD_BALANCER_ARN: Attribute = Attribute::arn("load_balancer_arn");
const URI: Attribute = Attribute::text("uri");
const FAMILY: Attribute = Attribute::text("family");
const FULL_NAME: Attribute = Attribute::text("full_name");
const GROUP_ID: Attribute = Attribute::text("group_id");
const INTERNET_GATEWAY_ID: Attribute = Attribute::text("internet_gateway_id");
const MASTER_USER_SECRET_ARN: Attribute = Attribute::arn("master_user_secret_arn");
const POLICY_ARN: Attribute = Attribute::arn("policy_arn");
const POLICY_NAME: Attribute = Attribute::text("policy_name");
const PORT: Attribute = Attribute::number("port");
const PRIMARY_ENDPOINT: Attribute = Attribute::text("primary_endpoint");
const PUBLIC_IP: Attribute = Attribute::text("public_ip");
const ENDPOINT: Attribute = Attribute::text("endpoint");
const DOMAIN_ID: Attribute = Attribute::text("domain_id");
const WEB_ACL_ID: Attribute = Attribute::text("web_acl_id");
const REGIONAL_DOMAIN_NAME: Attribute = Attribute::text("regional_domain_name");
const READER_ENDPOINT: Attribute = Attribute::text("reader_endpoint");
const RESOURCE_ID: Attribute = Attribute::text("resource_id");
const REVISION: Attribute = Attribute::number("revision");
const ROLE_NAME: Attribute = Attribute::text("role_name");
const ROUTE_TABLE_ID: Attribute = Attribute::text("route_table_id");
const RULE_IDS: Attribute = Attribute::text("rule_ids");
const SCALABLE_DIMENSION: Attribute = Attribute::text("scalable_dimension");
const SERVICE_NAMESPACE: Attribute = Attribute::text("service_namespace");
const VPC_ID: Attribute = Attribute::text("vpc_id");

impl KindSpec {
    /// The declared attribute `name`, if the kind records one.
    pub fn attribute(&self, name: &str) -> Option<Attribute> {
        self.attributes.iter().copied().find(|a| a.name == name)
    }
}

/// Every field forces replacement.
const NO_FIELDS: &[&str] = &[];

impl Kind {
    /// A VPC.
    pub const VPC: Kind = Kind::Ec2(Ec2Kind::Vpc);
    /// A VPC attribute (DNS support, DNS hostnames).
    pub const VPC_ATTRIBUTE: Kind = Kind::Ec2(Ec2Kind::VpcAttribute);
    /// A subnet.
    pub const SUBNET: Kind = Kind::Ec2(Ec2Kind::Subnet);
    /// A subnet attribute (public IPs on launch).
    pub const SUBNET_ATTRIBUTE: Kind = Kind::Ec2(Ec2Kind::SubnetAttribute);
    /// An internet gateway.
    pub const INTERNET_GATEWAY: Kind = Kind::Ec2(Ec2Kind::InternetGateway);
    /// An internet gateway's attachment to a VPC.
    pub const INTERNET_GATEWAY_ATTACHMENT: Kind = Kind::Ec2(Ec2Kind::InternetGatewayAttachment);
    /// An Elastic IP.
    pub const ELASTIC_IP: Kind = Kind::Ec2(Ec2Kind::ElasticIp);
    /// A NAT gateway.
    pub const NAT_GATEWAY: Kind = Kind::Ec2(Ec2Kind::NatGateway);
    /// A route table.
    pub const ROUTE_TABLE: Kind = Kind::Ec2(Ec2Kind::RouteTable);
    /// A route.
    pub const ROUTE: Kind = Kind::Ec2(Ec2Kind::Route);
    /// A route table's association with a subnet.
    pub const ROUTE_TABLE_ASSOCIATION: Kind = Kind::Ec2(Ec2Kind::RouteTableAssociation);
    /// A security group.
    pub const SECURITY_GROUP: Kind = Kind::Ec2(Ec2Kind::SecurityGroup);
    /// A security group's ingress rules.
    pub const SECURITY_GROUP_INGRESS: Kind = Kind::Ec2(Ec2Kind::SecurityGroupIngress);
    /// A security group's egress rules.
    pub const SECURITY_GROUP_EGRESS: Kind = Kind::Ec2(Ec2Kind::SecurityGroupEgress);
    /// The removal of a new security group's default egress rule.
    pub const SECURITY_GROUP_DEFAULT_EGRESS: Kind = Kind::Ec2(Ec2Kind::SecurityGroupDefaultEgress);
    /// A VPC the stack does not own, looked up by id or tags.
    pub const EXISTING_VPC: Kind = Kind::Ec2(Ec2Kind::ExistingVpc);
    /// A subnet the stack does not own, looked up by id or tags.
    pub const EXISTING_SUBNET: Kind = Kind::Ec2(Ec2Kind::ExistingSubnet);
    /// A security group the stack does not own, looked up by id, name or tags.
    pub const EXISTING_SECURITY_GROUP: Kind = Kind::Ec2(Ec2Kind::ExistingSecurityGroup);
    /// An ECS cluster.
    pub const CLUSTER: Kind = Kind::Ecs(EcsKind::Cluster);
    /// An ECS task definition revision.
    pub const TASK_DEFINITION: Kind = Kind::Ecs(EcsKind::TaskDefinition);
    /// An ECS service.
    pub const SERVICE: Kind = Kind::Ecs(EcsKind::Service);
    /// A load balancer.
    pub const LOAD_BALANCER: Kind = Kind::Elbv2(Elbv2Kind::LoadBalancer);
    /// A load balancer's attributes (deletion protection, idle timeout, header handling).
    pub const LOAD_BALANCER_ATTRIBUTES: Kind = Kind::Elbv2(Elbv2Kind::LoadBalancerAttributes);
    /// A target group.
    pub const TARGET_GROUP: Kind = Kind::Elbv2(Elbv2Kind::TargetGroup);
    /// A listener.
    pub const LISTENER: Kind = Kind::Elbv2(Elbv2Kind::Listener);
    /// A listener rule.
    pub const LISTENER_RULE: Kind = Kind::Elbv2(Elbv2Kind::ListenerRule);
    /// An RDS DB subnet group.
    pub const DB_SUBNET_GROUP: Kind = Kind::Rds(RdsKind::DbSubnetGroup);
    /// An RDS DB instance.
    pub const DB_INSTANCE: Kind = Kind::Rds(RdsKind::DbInstance);
    /// An ElastiCache subnet group.
    pub const CACHE_SUBNET_GROUP: Kind = Kind::ElastiCache(ElastiCacheKind::CacheSubnetGroup);
    /// An ElastiCache replication group.
    pub const REPLICATION_GROUP: Kind = Kind::ElastiCache(ElastiCacheKind::ReplicationGroup);
    /// An IAM role.
    pub const ROLE: Kind = Kind::Iam(IamKind::Role);
    /// An inline policy of a role.
    pub const ROLE_POLICY: Kind = Kind::Iam(IamKind::RolePolicy);
    /// A managed policy attached to a role.
    pub const ROLE_POLICY_ATTACHMENT: Kind = Kind::Iam(IamKind::RolePolicyAttachment);
    /// An IAM role the stack does not own, looked up by name or ARN.
    pub const EXISTING_ROLE: Kind = Kind::Iam(IamKind::ExistingRole);
    /// A Secrets Manager secret the stack reads.
    pub const SECRET_REF: Kind = Kind::SecretsManager(SecretsManagerKind::SecretRef);
    /// A Secrets Manager secret the stack owns.
    pub const SECRET: Kind = Kind::SecretsManager(SecretsManagerKind::Secret);
    /// A secret's resource policy.
    pub const SECRET_POLICY: Kind = Kind::SecretsManager(SecretsManagerKind::ResourcePolicy);
    /// A log group.
    pub const LOG_GROUP: Kind = Kind::Logs(LogsKind::LogGroup);
    /// A log group's retention.
    pub const RETENTION_POLICY: Kind = Kind::Logs(LogsKind::RetentionPolicy);
    /// A log group's subscription filter.
    pub const SUBSCRIPTION_FILTER: Kind = Kind::Logs(LogsKind::SubscriptionFilter);
    /// A CloudWatch metric alarm.
    pub const ALARM: Kind = Kind::CloudWatch(CloudWatchKind::Alarm);
    /// An Application Auto Scaling scalable target.
    pub const SCALABLE_TARGET: Kind =
        Kind::ApplicationAutoScaling(ApplicationAutoScalingKind::ScalableTarget);
    /// An Application Auto Scaling policy.
    pub const SCALING_POLICY: Kind =
        Kind::ApplicationAutoScaling(ApplicationAutoScalingKind::ScalingPolicy);
    /// A Cloud Map HTTP namespace.
    pub const HTTP_NAMESPACE: Kind = Kind::ServiceDiscovery(ServiceDiscoveryKind::HttpNamespace);
    /// A Cloud Map namespace the stack uses but does not own.
    pub const EXISTING_NAMESPACE: Kind =
        Kind::ServiceDiscovery(ServiceDiscoveryKind::ExistingNamespace);
    /// An ECS cluster the stack uses but does not own.
    pub const EXISTING_CLUSTER: Kind = Kind::Ecs(EcsKind::ExistingCluster);
    /// A load balancer the stack uses but does not own.
    pub const EXISTING_LOAD_BALANCER: Kind = Kind::Elbv2(Elbv2Kind::ExistingLoadBalancer);
    /// A listener the stack adds rules to but does not own.
    pub const EXISTING_LISTENER: Kind = Kind::Elbv2(Elbv2Kind::ExistingListener);
    /// An ACM certificate the stack uses, by ARN.
    pub const EXISTING_CERTIFICATE: Kind = Kind::Acm(AcmKind::ExistingCertificate);
    /// The issued ACM certificate for a domain name.
    pub const CERTIFICATE_FOR_DOMAIN: Kind = Kind::Acm(AcmKind::CertificateForDomain);
    /// A KMS key the stack owns.
    pub const KMS_KEY: Kind = Kind::Kms(KmsKind::Key);
    /// A KMS key's automatic rotation.
    pub const KEY_ROTATION: Kind = Kind::Kms(KmsKind::KeyRotation);
    /// A KMS alias.
    pub const KMS_ALIAS: Kind = Kind::Kms(KmsKind::Alias);
    /// A KMS key the stack uses but does not own.
    pub const EXISTING_KMS_KEY: Kind = Kind::Kms(KmsKind::ExistingKey);
    /// An SNS topic the stack uses but does not own.
    pub const EXISTING_TOPIC: Kind = Kind::Sns(SnsKind::ExistingTopic);
    /// An SNS topic the stack owns.
    pub const TOPIC: Kind = Kind::Sns(SnsKind::Topic);
    /// A subscription to an SNS topic.
    pub const SUBSCRIPTION: Kind = Kind::Sns(SnsKind::Subscription);
    /// An ECR repository the stack uses but does not own.
    pub const EXISTING_REPOSITORY: Kind = Kind::Ecr(EcrKind::ExistingRepository);
    /// An ECR repository the stack owns.
    pub const REPOSITORY: Kind = Kind::Ecr(EcrKind::Repository);
    /// An ECR repository's lifecycle policy.
    pub const LIFECYCLE_POLICY: Kind = Kind::Ecr(EcrKind::LifecyclePolicy);

    /// An S3 bucket.
    pub const BUCKET: Kind = Kind::S3(S3Kind::Bucket);
    /// An S3 bucket's tags.
    pub const BUCKET_TAGGING: Kind = Kind::S3(S3Kind::BucketTagging);
    /// An S3 bucket's block-public-access settings.
    pub const PUBLIC_ACCESS_BLOCK: Kind = Kind::S3(S3Kind::PublicAccessBlock);
    /// An S3 bucket's default encryption.
    pub const BUCKET_ENCRYPTION: Kind = Kind::S3(S3Kind::BucketEncryption);
    /// An S3 bucket's versioning.
    pub const BUCKET_VERSIONING: Kind = Kind::S3(S3Kind::BucketVersioning);
    /// An S3 bucket's lifecycle rules.
    pub const BUCKET_LIFECYCLE: Kind = Kind::S3(S3Kind::BucketLifecycle);
    /// An S3 bucket's policy.
    pub const BUCKET_POLICY: Kind = Kind::S3(S3Kind::BucketPolicy);

    /// A CloudTrail trail.
    pub const TRAIL: Kind = Kind::CloudTrail(CloudTrailKind::Trail);
    /// A trail's logging.
    pub const TRAIL_LOGGING: Kind = Kind::CloudTrail(CloudTrailKind::TrailLogging);
    /// A trail's Insights selectors.
    pub const INSIGHT_SELECTORS: Kind = Kind::CloudTrail(CloudTrailKind::InsightSelectors);

    /// An OpenSearch Service domain.
    pub const OPENSEARCH_DOMAIN: Kind = Kind::OpenSearch(OpenSearchKind::Domain);

    /// A WAF web ACL.
    pub const WEB_ACL: Kind = Kind::Wafv2(Wafv2Kind::WebAcl);
    /// A WAF web ACL's association with a resource.
    pub const WEB_ACL_ASSOCIATION: Kind = Kind::Wafv2(Wafv2Kind::WebAclAssociation);

    /// Every kind.
    pub const ALL: &'static [Kind] = &[
        Kind::VPC,
        Kind::VPC_ATTRIBUTE,
        Kind::SUBNET,
        Kind::SUBNET_ATTRIBUTE,
        Kind::INTERNET_GATEWAY,
        Kind::INTERNET_GATEWAY_ATTACHMENT,
        Kind::ELASTIC_IP,
        Kind::NAT_GATEWAY,
        Kind::ROUTE_TABLE,
        Kind::ROUTE,
        Kind::ROUTE_TABLE_ASSOCIATION,
        Kind::SECURITY_GROUP,
        Kind::SECURITY_GROUP_INGRESS,
        Kind::SECURITY_GROUP_EGRESS,
        Kind::SECURITY_GROUP_DEFAULT_EGRESS,
        Kind::EXISTING_VPC,
        Kind::EXISTING_SUBNET,
        Kind::EXISTING_SECURITY_GROUP,
        Kind::CLUSTER,
        Kind::TASK_DEFINITION,
        Kind::SERVICE,
        Kind::LOAD_BALANCER,
        Kind::LOAD_BALANCER_ATTRIBUTES,
        Kind::TARGET_GROUP,
        Kind::LISTENER,
        Kind::LISTENER_RULE,
        Kind::DB_SUBNET_GROUP,
        Kind::DB_INSTANCE,
        Kind::CACHE_SUBNET_GROUP,
        Kind::REPLICATION_GROUP,
        Kind::ROLE,
        Kind::ROLE_POLICY,
        Kind::ROLE_POLICY_ATTACHMENT,
        Kind::EXISTING_ROLE,
        Kind::SECRET_REF,
        Kind::SECRET,
        Kind::SECRET_POLICY,
        Kind::LOG_GROUP,
        Kind::RETENTION_POLICY,
        Kind::SUBSCRIPTION_FILTER,
        Kind::ALARM,
        Kind::SCALABLE_TARGET,
        Kind::SCALING_POLICY,
        Kind::HTTP_NAMESPACE,
        Kind::EXISTING_NAMESPACE,
        Kind::EXISTING_CLUSTER,
        Kind::EXISTING_LOAD_BALANCER,
        Kind::EXISTING_LISTENER,
        Kind::EXISTING_CERTIFICATE,
        Kind::CERTIFICATE_FOR_DOMAIN,
        Kind::EXISTING_KMS_KEY,
        Kind::KMS_KEY,
        Kind::KEY_ROTATION,
        Kind::KMS_ALIAS,
        Kind::EXISTING_TOPIC,
        Kind::TOPIC,
        Kind::SUBSCRIPTION,
        Kind::EXISTING_REPOSITORY,
        Kind::REPOSITORY,
        Kind::LIFECYCLE_POLICY,
        Kind::BUCKET,
        Kind::BUCKET_TAGGING,
        Kind::PUBLIC_ACCESS_BLOCK,
        Kind::BUCKET_ENCRYPTION,
        Kind::BUCKET_VERSIONING,
        Kind::BUCKET_LIFECYCLE,
        Kind::BUCKET_POLICY,
        Kind::TRAIL,
        Kind::TRAIL_LOGGING,
        Kind::INSIGHT_SELECTORS,
        Kind::OPENSEARCH_DOMAIN,
        Kind::WEB_ACL,
        Kind::WEB_ACL_ASSOCIATION,
    ];

    /// The AWS service.
    pub const fn service(self) -> Service {
        match self {
            Kind::Ec2(_) => Service::Ec2,
            Kind::Ecs(_) => Service::Ecs,
            Kind::Elbv2(_) => Service::Elbv2,
            Kind::Rds(_) => Service::Rds,
            Kind::ElastiCache(_) => Service::ElastiCache,
            Kind::Iam(_) => Service::Iam,
            Kind::SecretsManager(_) => Service::SecretsManager,
            Kind::Logs(_) => Service::Logs,
            Kind::CloudWatch(_) => Service::CloudWatch,
            Kind::ApplicationAutoScaling(_) => Service::ApplicationAutoScaling,
            Kind::ServiceDiscovery(_) => Service::ServiceDiscovery,
            Kind::Acm(_) => Service::Acm,
            Kind::Kms(_) => Service::Kms,
            Kind::Sns(_) => Service::Sns,
            Kind::Ecr(_) => Service::Ecr,
            Kind::S3(_) => Service::S3,
            Kind::CloudTrail(_) => Service::CloudTrail,
            Kind::OpenSearch(_) => Service::OpenSearch,
            Kind::Wafv2(_) => Service::Wafv2,
        }
    }

    /// `service.name`, e.g. `ec2.vpc`.
    pub const fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The kind named `name` (`ec2.vpc`).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// The API call that creates nodes of this kind.
    pub const fn create_operation(self) -> Operation {
        Operation {
            service: self.service().sdk_name(),
            action: self.spec().create,
        }
    }

    /// The API call that deletes nodes of this kind; `None` for what the stack only
    /// reads (it is forgotten).
    pub fn delete_operation(self) -> Option<Operation> {
        let delete = self.spec().delete;
        (!delete.is_empty()).then(|| Operation {
            service: self.service().sdk_name(),
            action: delete,
        })
    }

    /// The calls an in-place change of the fields whose [`FieldChange`]s are `modes`
    /// makes, for people: `ecs:UpdateService`, `ec2:CreateTags, ec2:DeleteTags`.
    pub fn update_calls(self, modes: impl IntoIterator<Item = FieldChange>) -> String {
        let service = self.service().sdk_name();
        let spec = self.spec();
        let mut calls: Vec<String> = Vec::new();
        for mode in modes {
            let names: &str = match (mode, spec.updates) {
                (FieldChange::Modify, Updates::Modify { call, .. }) => call,
                (FieldChange::Upsert, _) => spec.create,
                (FieldChange::Retag, _) => self.service().tag_calls(),
                _ => continue,
            };
            for name in names.split(", ") {
                let call = format!("{service}:{name}");
                if !calls.contains(&call) {
                    calls.push(call);
                }
            }
        }
        calls.join(", ")
    }

    /// Whether nodes of this kind hold data ([`KindSpec::stateful`]).
    pub const fn is_stateful(self) -> bool {
        self.spec().stateful
    }

    /// How a change of the top-level request field `field` reaches AWS.
    pub fn field_change(self, field: &str) -> FieldChange {
        let spec = self.spec();
        if spec.tags.field() == Some(field) {
            return if spec.retag {
                FieldChange::Retag
            } else {
                FieldChange::Replace
            };
        }
        match spec.updates {
            Updates::Immutable => FieldChange::Replace,
            Updates::Upsert { identity } if identity.contains(&field) => FieldChange::Replace,
            Updates::Upsert { .. } => FieldChange::Upsert,
            Updates::Modify { fields, .. } if fields.contains(&field) => FieldChange::Modify,
            Updates::Modify { .. } => FieldChange::Replace,
        }
    }

    /// Whether a change of the top-level request field `field` replaces the node.
    pub fn forces_replacement(self, field: &str) -> bool {
        self.field_change(field) == FieldChange::Replace
    }

    /// Everything static about this kind.
    pub const fn spec(self) -> &'static KindSpec {
        match self {
            Kind::Ec2(k) => ec2(k),
            Kind::Ecs(k) => match k {
                EcsKind::Cluster => &KindSpec {
                    name: "ecs.cluster",
                    create: "CreateCluster",
                    delete: "DeleteCluster",
                    updates: Updates::Modify {
                        call: "UpdateCluster, PutClusterCapacityProviders",
                        fields: &[
                            CreateCluster::FIELD.settings,
                            CreateCluster::FIELD.service_connect_defaults,
                            CreateCluster::FIELD.capacity_providers,
                            CreateCluster::FIELD.default_capacity_provider_strategy,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: false,
                    tags: Tags::Ecs,
                    retag: true,
                    attributes: &[ID, ARN, NAME],
                    data_source: false,
                },
                EcsKind::TaskDefinition => &KindSpec {
                    name: "ecs.task_definition",
                    create: "RegisterTaskDefinition",
                    delete: "DeregisterTaskDefinition",
                    updates: Updates::Immutable,
                    replacement: Replacement::CreateThenDelete,
                    stateful: false,
                    duplicable: true,
                    findable: true,
                    tags: Tags::Ecs,
                    retag: false,
                    attributes: &[ID, ARN, FAMILY, REVISION],
                    data_source: false,
                },
                EcsKind::Service => &KindSpec {
                    name: "ecs.service",
                    create: "CreateService",
                    delete: "DeleteService",
                    updates: Updates::Modify {
                        call: "UpdateService",
                        fields: &[
                            CreateService::FIELD.task_definition,
                            CreateService::FIELD.desired_count,
                            CreateService::FIELD.capacity_provider_strategy,
                            CreateService::FIELD.platform_version,
                            CreateService::FIELD.network_configuration,
                            CreateService::FIELD.health_check_grace_period_seconds,
                            CreateService::FIELD.deployment_configuration,
                            CreateService::FIELD.enable_execute_command,
                            CreateService::FIELD.enable_ecs_managed_tags,
                            CreateService::FIELD.propagate_tags,
                            CreateService::FIELD.service_connect_configuration,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: true,
                    tags: Tags::Ecs,
                    retag: true,
                    attributes: &[ID, ARN, NAME],
                    data_source: false,
                },
                EcsKind::ExistingCluster => {
                    &const { lookup("ecs.existing_cluster", "DescribeClusters", &[ID, ARN, NAME]) }
                }
            },
            Kind::Elbv2(k) => match k {
                Elbv2Kind::LoadBalancerAttributes => &KindSpec {
                    name: "elbv2.load_balancer_attributes",
                    create: "ModifyLoadBalancerAttributes",
                    // Puts the attributes back to AWS's defaults (deletion protection
                    // excepted: turning it off is the stack's explicit step).
                    delete: "ModifyLoadBalancerAttributes",
                    updates: Updates::Upsert {
                        identity: &[ModifyLoadBalancerAttributes::FIELD.load_balancer_arn],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: false,
                    tags: Tags::None,
                    retag: false,
                    attributes: &[ID],
                    data_source: false,
                },
                Elbv2Kind::LoadBalancer => &KindSpec {
                    name: "elbv2.load_balancer",
                    create: "CreateLoadBalancer",
                    delete: "DeleteLoadBalancer",
                    updates: Updates::Modify {
                        call: "SetSecurityGroups, SetSubnets, SetIpAddressType",
                        fields: &[
                            CreateLoadBalancer::FIELD.security_groups,
                            CreateLoadBalancer::FIELD.subnets,
                            CreateLoadBalancer::FIELD.ip_address_type,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: true,
                    tags: Tags::KeyValue,
                    retag: true,
                    attributes: &[ID, ARN, FULL_NAME, DNS_NAME, CANONICAL_HOSTED_ZONE_ID],
                    data_source: false,
                },
                Elbv2Kind::TargetGroup => &KindSpec {
                    name: "elbv2.target_group",
                    create: "CreateTargetGroup",
                    delete: "DeleteTargetGroup",
                    updates: Updates::Modify {
                        call: "ModifyTargetGroup",
                        fields: &[
                            CreateTargetGroup::FIELD.health_check_enabled,
                            CreateTargetGroup::FIELD.health_check_protocol,
                            CreateTargetGroup::FIELD.health_check_port,
                            CreateTargetGroup::FIELD.health_check_path,
                            CreateTargetGroup::FIELD.health_check_interval_seconds,
                            CreateTargetGroup::FIELD.health_check_timeout_seconds,
                            CreateTargetGroup::FIELD.healthy_threshold_count,
                            CreateTargetGroup::FIELD.unhealthy_threshold_count,
                            CreateTargetGroup::FIELD.matcher,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: true,
                    tags: Tags::KeyValue,
                    retag: true,
                    attributes: &[ID, ARN, FULL_NAME],
                    data_source: false,
                },
                Elbv2Kind::Listener => &KindSpec {
                    name: "elbv2.listener",
                    create: "CreateListener",
                    delete: "DeleteListener",
                    updates: Updates::Modify {
                        call: "ModifyListener",
                        fields: &[
                            CreateListener::FIELD.protocol,
                            CreateListener::FIELD.port,
                            CreateListener::FIELD.certificates,
                            CreateListener::FIELD.ssl_policy,
                            CreateListener::FIELD.default_actions,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: true,
                    tags: Tags::KeyValue,
                    retag: true,
                    attributes: &[ID, ARN],
                    data_source: false,
                },
                Elbv2Kind::ListenerRule => &KindSpec {
                    name: "elbv2.listener_rule",
                    create: "CreateRule",
                    delete: "DeleteRule",
                    updates: Updates::Modify {
                        call: "ModifyRule, SetRulePriorities",
                        fields: &[
                            CreateRule::FIELD.conditions,
                            CreateRule::FIELD.actions,
                            CreateRule::FIELD.priority,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: true,
                    tags: Tags::KeyValue,
                    retag: true,
                    attributes: &[ID, ARN],
                    data_source: false,
                },
                Elbv2Kind::ExistingLoadBalancer => {
                    &const {
                        lookup(
                            "elbv2.existing_load_balancer",
                            "DescribeLoadBalancers",
                            &[ID, ARN, FULL_NAME, DNS_NAME, CANONICAL_HOSTED_ZONE_ID],
                        )
                    }
                }
                Elbv2Kind::ExistingListener => {
                    &const {
                        lookup(
                            "elbv2.existing_listener",
                            "DescribeListeners",
                            &[ID, ARN, LOAD_BALANCER_ARN, PORT],
                        )
                    }
                }
            },
            Kind::Rds(k) => match k {
                RdsKind::DbSubnetGroup => &KindSpec {
                    name: "rds.db_subnet_group",
                    create: "CreateDBSubnetGroup",
                    delete: "DeleteDBSubnetGroup",
                    updates: Updates::Modify {
                        call: "ModifyDBSubnetGroup",
                        fields: &["SubnetIds", "DBSubnetGroupDescription"],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: true,
                    tags: Tags::KeyValue,
                    retag: true,
                    attributes: &[ID, ARN],
                    data_source: false,
                },
                RdsKind::DbInstance => &KindSpec {
                    name: "rds.db_instance",
                    create: "CreateDBInstance",
                    delete: "DeleteDBInstance",
                    updates: Updates::Modify {
                        call: "ModifyDBInstance",
                        fields: &[
                            CreateDbInstance::FIELD.db_instance_class,
                            CreateDbInstance::FIELD.allocated_storage,
                            CreateDbInstance::FIELD.storage_type,
                            CreateDbInstance::FIELD.engine_version,
                            CreateDbInstance::FIELD.multi_az,
                            CreateDbInstance::FIELD.backup_retention_period,
                            CreateDbInstance::FIELD.deletion_protection,
                            CreateDbInstance::FIELD.publicly_accessible,
                            CreateDbInstance::FIELD.vpc_security_group_ids,
                            CreateDbInstance::FIELD.db_parameter_group_name,
                            CreateDbInstance::FIELD.manage_master_user_password,
                            CreateDbInstance::FIELD.port,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: true,
                    duplicable: false,
                    findable: true,
                    tags: Tags::KeyValue,
                    retag: true,
                    attributes: &[ID, ARN, ADDRESS, PORT, MASTER_USER_SECRET_ARN],
                    data_source: false,
                },
            },
            Kind::ElastiCache(k) => match k {
                ElastiCacheKind::CacheSubnetGroup => &KindSpec {
                    name: "elasticache.cache_subnet_group",
                    create: "CreateCacheSubnetGroup",
                    delete: "DeleteCacheSubnetGroup",
                    updates: Updates::Modify {
                        call: "ModifyCacheSubnetGroup",
                        fields: &["SubnetIds", "CacheSubnetGroupDescription"],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: false,
                    tags: Tags::KeyValue,
                    retag: false,
                    attributes: &[ID],
                    data_source: false,
                },
                ElastiCacheKind::ReplicationGroup => &KindSpec {
                    name: "elasticache.replication_group",
                    create: "CreateReplicationGroup",
                    delete: "DeleteReplicationGroup",
                    updates: Updates::Modify {
                        call: "ModifyReplicationGroup",
                        fields: &[
                            CreateReplicationGroup::FIELD.replication_group_description,
                            CreateReplicationGroup::FIELD.cache_node_type,
                            CreateReplicationGroup::FIELD.engine_version,
                            CreateReplicationGroup::FIELD.automatic_failover_enabled,
                            CreateReplicationGroup::FIELD.multi_az_enabled,
                            CreateReplicationGroup::FIELD.security_group_ids,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: true,
                    duplicable: false,
                    findable: true,
                    tags: Tags::KeyValue,
                    retag: false,
                    attributes: &[ID, ARN, PRIMARY_ENDPOINT, READER_ENDPOINT, PORT],
                    data_source: false,
                },
            },
            Kind::Iam(k) => match k {
                IamKind::Role => &KindSpec {
                    name: "iam.role",
                    create: "CreateRole",
                    delete: "DeleteRole",
                    updates: Updates::Modify {
                        call: "UpdateAssumeRolePolicy, UpdateRole",
                        fields: &[
                            CreateRole::FIELD.assume_role_policy_document,
                            CreateRole::FIELD.description,
                            CreateRole::FIELD.max_session_duration,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: true,
                    tags: Tags::KeyValue,
                    retag: true,
                    attributes: &[ID, ARN, NAME],
                    data_source: false,
                },
                IamKind::RolePolicy => &KindSpec {
                    name: "iam.role_policy",
                    create: "PutRolePolicy",
                    delete: "DeleteRolePolicy",
                    updates: Updates::Upsert {
                        identity: &[
                            PutRolePolicy::FIELD.role_name,
                            PutRolePolicy::FIELD.policy_name,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: false,
                    tags: Tags::None,
                    retag: false,
                    attributes: &[ID, ROLE_NAME, POLICY_NAME],
                    data_source: false,
                },
                IamKind::ExistingRole => {
                    &const { lookup("iam.existing_role", "GetRole", &[ID, ARN, NAME]) }
                }
                IamKind::RolePolicyAttachment => &KindSpec {
                    name: "iam.role_policy_attachment",
                    create: "AttachRolePolicy",
                    delete: "DetachRolePolicy",
                    updates: Updates::Immutable,
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: false,
                    tags: Tags::None,
                    retag: false,
                    attributes: &[ID, ROLE_NAME, POLICY_ARN],
                    data_source: false,
                },
            },
            Kind::SecretsManager(SecretsManagerKind::SecretRef) => {
                &const {
                    lookup(
                        "secretsmanager.secret_ref",
                        "DescribeSecret",
                        &[ID, ARN, NAME],
                    )
                }
            }
            Kind::SecretsManager(SecretsManagerKind::Secret) => &KindSpec {
                name: "secretsmanager.secret",
                create: "CreateSecret",
                // With the recovery window the stack sets (AWS's default: 30 days).
                delete: "DeleteSecret",
                updates: Updates::Modify {
                    call: "UpdateSecret",
                    fields: &[
                        CreateSecret::FIELD.description,
                        CreateSecret::FIELD.kms_key_id,
                    ],
                },
                replacement: Replacement::DeleteThenCreate,
                // Its value is generated or read once: a new secret has another one.
                stateful: true,
                // Names are unique in an account and region.
                duplicable: false,
                findable: true,
                tags: Tags::KeyValue,
                retag: true,
                attributes: &[ID, ARN, NAME],
                data_source: false,
            },
            Kind::SecretsManager(SecretsManagerKind::ResourcePolicy) => &KindSpec {
                name: "secretsmanager.resource_policy",
                create: "PutResourcePolicy",
                delete: "DeleteResourcePolicy",
                updates: Updates::Upsert {
                    identity: &[PutResourcePolicy::FIELD.secret_id],
                },
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: false,
                tags: Tags::None,
                retag: false,
                attributes: &[ID],
                data_source: false,
            },
            Kind::Logs(k) => match k {
                LogsKind::LogGroup => &KindSpec {
                    name: "logs.log_group",
                    create: "CreateLogGroup",
                    delete: "DeleteLogGroup",
                    updates: Updates::Immutable,
                    replacement: Replacement::DeleteThenCreate,
                    stateful: true,
                    duplicable: false,
                    findable: true,
                    tags: Tags::LowerMap,
                    retag: true,
                    attributes: &[ID, ARN, NAME],
                    data_source: false,
                },
                LogsKind::SubscriptionFilter => &KindSpec {
                    name: "logs.subscription_filter",
                    // Creates or overwrites the filter of that name.
                    create: "PutSubscriptionFilter",
                    delete: "DeleteSubscriptionFilter",
                    updates: Updates::Upsert {
                        identity: &[
                            PutSubscriptionFilter::FIELD.log_group_name,
                            PutSubscriptionFilter::FIELD.filter_name,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: false,
                    tags: Tags::None,
                    retag: false,
                    attributes: &[ID],
                    data_source: false,
                },
                LogsKind::RetentionPolicy => &KindSpec {
                    name: "logs.retention_policy",
                    create: "PutRetentionPolicy",
                    delete: "DeleteRetentionPolicy",
                    updates: Updates::Upsert {
                        identity: NO_FIELDS,
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: false,
                    tags: Tags::None,
                    retag: false,
                    attributes: &[ID],
                    data_source: false,
                },
            },
            Kind::CloudWatch(CloudWatchKind::Alarm) => &KindSpec {
                name: "cloudwatch.alarm",
                create: "PutMetricAlarm",
                delete: "DeleteAlarms",
                updates: Updates::Upsert {
                    identity: &[PutMetricAlarm::FIELD.alarm_name],
                },
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: false,
                tags: Tags::KeyValue,
                retag: true,
                attributes: &[ID, ARN],
                data_source: false,
            },
            Kind::ApplicationAutoScaling(k) => match k {
                ApplicationAutoScalingKind::ScalableTarget => &KindSpec {
                    name: "application_autoscaling.scalable_target",
                    create: "RegisterScalableTarget",
                    delete: "DeregisterScalableTarget",
                    updates: Updates::Upsert {
                        identity: &[
                            RegisterScalableTarget::FIELD.resource_id,
                            RegisterScalableTarget::FIELD.service_namespace,
                            RegisterScalableTarget::FIELD.scalable_dimension,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: false,
                    tags: Tags::Map,
                    retag: true,
                    attributes: &[ID, ARN, SERVICE_NAMESPACE, SCALABLE_DIMENSION],
                    data_source: false,
                },
                ApplicationAutoScalingKind::ScalingPolicy => &KindSpec {
                    name: "application_autoscaling.scaling_policy",
                    create: "PutScalingPolicy",
                    delete: "DeleteScalingPolicy",
                    updates: Updates::Upsert {
                        identity: &[
                            PutScalingPolicy::FIELD.policy_name,
                            PutScalingPolicy::FIELD.resource_id,
                            PutScalingPolicy::FIELD.service_namespace,
                            PutScalingPolicy::FIELD.scalable_dimension,
                        ],
                    },
                    replacement: Replacement::DeleteThenCreate,
                    stateful: false,
                    duplicable: false,
                    findable: false,
                    tags: Tags::None,
                    retag: false,
                    attributes: &[
                        ID,
                        ARN,
                        POLICY_NAME,
                        RESOURCE_ID,
                        SERVICE_NAMESPACE,
                        SCALABLE_DIMENSION,
                    ],
                    data_source: false,
                },
            },
            Kind::ServiceDiscovery(ServiceDiscoveryKind::HttpNamespace) => &KindSpec {
                name: "servicediscovery.http_namespace",
                create: "CreateHttpNamespace",
                delete: "DeleteNamespace",
                updates: Updates::Immutable,
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: true,
                tags: Tags::KeyValue,
                retag: true,
                attributes: &[ID, ARN],
                data_source: false,
            },
            Kind::ServiceDiscovery(ServiceDiscoveryKind::ExistingNamespace) => {
                &const {
                    lookup(
                        "servicediscovery.existing_namespace",
                        "ListNamespaces",
                        &[ID, ARN, NAME],
                    )
                }
            }
            Kind::Acm(AcmKind::ExistingCertificate) => {
                &const {
                    lookup(
                        "acm.existing_certificate",
                        "DescribeCertificate",
                        &[ID, ARN, DOMAIN_NAME],
                    )
                }
            }
            Kind::Acm(AcmKind::CertificateForDomain) => {
                &const {
                    lookup(
                        "acm.certificate_for_domain",
                        "SearchCertificates",
                        &[ID, ARN, DOMAIN_NAME],
                    )
                }
            }
            Kind::Kms(KmsKind::Key) => &KindSpec {
                name: "kms.key",
                create: "CreateKey",
                // Deletion is scheduled (7 to 30 days), never immediate.
                delete: "ScheduleKeyDeletion",
                updates: Updates::Modify {
                    call: "UpdateKeyDescription, PutKeyPolicy",
                    fields: &[CreateKey::FIELD.description, CreateKey::FIELD.policy],
                },
                replacement: Replacement::DeleteThenCreate,
                // What it encrypted cannot be read without it.
                stateful: true,
                // No idempotency token: a lost response is found by tags.
                duplicable: true,
                findable: true,
                tags: Tags::Kms,
                retag: true,
                attributes: &[ID, ARN],
                data_source: false,
            },
            Kind::Kms(KmsKind::KeyRotation) => &KindSpec {
                name: "kms.key_rotation",
                create: "EnableKeyRotation",
                delete: "DisableKeyRotation",
                updates: Updates::Upsert {
                    identity: &[EnableKeyRotation::FIELD.key_id],
                },
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: false,
                tags: Tags::None,
                retag: false,
                attributes: &[ID],
                data_source: false,
            },
            Kind::Kms(KmsKind::Alias) => &KindSpec {
                name: "kms.alias",
                create: "CreateAlias",
                delete: "DeleteAlias",
                updates: Updates::Modify {
                    call: "UpdateAlias",
                    fields: &[CreateAlias::FIELD.target_key_id],
                },
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: false,
                tags: Tags::None,
                retag: false,
                attributes: &[ID, ARN],
                data_source: false,
            },
            Kind::Kms(KmsKind::ExistingKey) => {
                &const { lookup("kms.existing_key", "DescribeKey", &[ID, ARN]) }
            }
            Kind::Sns(SnsKind::Topic) => &KindSpec {
                name: "sns.topic",
                // Idempotent by name: a second call returns the topic's ARN.
                create: "CreateTopic",
                delete: "DeleteTopic",
                updates: Updates::Modify {
                    call: "SetTopicAttributes",
                    fields: &[CreateTopic::FIELD.attributes],
                },
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: true,
                tags: Tags::KeyValue,
                retag: true,
                attributes: &[ID, ARN, NAME],
                data_source: false,
            },
            Kind::Sns(SnsKind::Subscription) => &KindSpec {
                name: "sns.subscription",
                // Idempotent by topic, protocol and endpoint.
                create: "Subscribe",
                delete: "Unsubscribe",
                updates: Updates::Immutable,
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: false,
                tags: Tags::None,
                retag: false,
                attributes: &[ID, ARN],
                data_source: false,
            },
            Kind::Sns(SnsKind::ExistingTopic) => {
                &const { lookup("sns.existing_topic", "GetTopicAttributes", &[ID, ARN, NAME]) }
            }
            Kind::Ecr(EcrKind::Repository) => &KindSpec {
                name: "ecr.repository",
                create: "CreateRepository",
                delete: "DeleteRepository",
                updates: Updates::Modify {
                    call: "PutImageTagMutability, PutImageScanningConfiguration",
                    fields: &[
                        CreateRepository::FIELD.image_tag_mutability,
                        CreateRepository::FIELD.image_scanning_configuration,
                    ],
                },
                replacement: Replacement::DeleteThenCreate,
                // Its images are data.
                stateful: true,
                duplicable: false,
                findable: true,
                tags: Tags::LowerKeyValue,
                retag: true,
                attributes: &[ID, ARN, NAME, URI],
                data_source: false,
            },
            Kind::Ecr(EcrKind::LifecyclePolicy) => &KindSpec {
                name: "ecr.lifecycle_policy",
                create: "PutLifecyclePolicy",
                delete: "DeleteLifecyclePolicy",
                updates: Updates::Upsert {
                    identity: &[PutLifecyclePolicy::FIELD.repository_name],
                },
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: false,
                tags: Tags::None,
                retag: false,
                attributes: &[ID],
                data_source: false,
            },
            Kind::Ecr(EcrKind::ExistingRepository) => {
                &const {
                    lookup(
                        "ecr.existing_repository",
                        "DescribeRepositories",
                        &[ID, ARN, NAME, URI],
                    )
                }
            }
            Kind::S3(S3Kind::Bucket) => &KindSpec {
                name: "s3.bucket",
                create: "CreateBucket",
                delete: "DeleteBucket",
                updates: Updates::Modify {
                    call: "PutBucketOwnershipControls",
                    fields: &[CreateBucket::FIELD.object_ownership],
                },
                replacement: Replacement::DeleteThenCreate,
                // Its objects are data.
                stateful: true,
                // Names are unique across AWS.
                duplicable: false,
                findable: true,
                // The ownership tags go in `CreateBucketConfiguration.Tags`; the tag set
                // is the `#tags` node's.
                tags: Tags::None,
                retag: false,
                attributes: &[ID, ARN, NAME, REGIONAL_DOMAIN_NAME],
                data_source: false,
            },
            Kind::S3(S3Kind::BucketTagging) => {
                &const {
                    bucket_setting(
                        "s3.bucket_tagging",
                        "PutBucketTagging",
                        "DeleteBucketTagging",
                    )
                }
            }
            Kind::S3(S3Kind::PublicAccessBlock) => {
                &const {
                    bucket_setting(
                        "s3.public_access_block",
                        "PutPublicAccessBlock",
                        "DeletePublicAccessBlock",
                    )
                }
            }
            Kind::S3(S3Kind::BucketEncryption) => {
                &const {
                    bucket_setting(
                        "s3.bucket_encryption",
                        "PutBucketEncryption",
                        // Back to SSE-S3, which S3 applies to every bucket.
                        "DeleteBucketEncryption",
                    )
                }
            }
            Kind::S3(S3Kind::BucketVersioning) => {
                &const {
                    bucket_setting(
                        "s3.bucket_versioning",
                        "PutBucketVersioning",
                        // A versioned bucket can only be suspended.
                        "PutBucketVersioning",
                    )
                }
            }
            Kind::S3(S3Kind::BucketLifecycle) => {
                &const {
                    bucket_setting(
                        "s3.bucket_lifecycle",
                        "PutBucketLifecycleConfiguration",
                        "DeleteBucketLifecycle",
                    )
                }
            }
            Kind::S3(S3Kind::BucketPolicy) => {
                &const { bucket_setting("s3.bucket_policy", "PutBucketPolicy", "DeleteBucketPolicy") }
            }
            Kind::CloudTrail(CloudTrailKind::Trail) => &KindSpec {
                name: "cloudtrail.trail",
                create: "CreateTrail",
                delete: "DeleteTrail",
                updates: Updates::Modify {
                    call: "UpdateTrail",
                    fields: &[
                        CreateTrail::FIELD.s3_bucket_name,
                        CreateTrail::FIELD.s3_key_prefix,
                        CreateTrail::FIELD.is_multi_region_trail,
                        CreateTrail::FIELD.enable_log_file_validation,
                        CreateTrail::FIELD.include_global_service_events,
                        CreateTrail::FIELD.kms_key_id,
                    ],
                },
                replacement: Replacement::DeleteThenCreate,
                // The logs are the bucket's; a trail holds none.
                stateful: false,
                // Names are unique in an account and region.
                duplicable: false,
                findable: true,
                tags: Tags::KeyValueList("TagsList"),
                retag: true,
                attributes: &[ID, ARN, NAME],
                data_source: false,
            },
            Kind::CloudTrail(CloudTrailKind::TrailLogging) => &KindSpec {
                name: "cloudtrail.trail_logging",
                create: "StartLogging",
                delete: "StopLogging",
                updates: Updates::Upsert {
                    identity: &[StartLogging::FIELD.name],
                },
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: false,
                tags: Tags::None,
                retag: false,
                attributes: &[ID],
                data_source: false,
            },
            Kind::CloudTrail(CloudTrailKind::InsightSelectors) => &KindSpec {
                name: "cloudtrail.insight_selectors",
                create: "PutInsightSelectors",
                // The same call with no selectors.
                delete: "PutInsightSelectors",
                updates: Updates::Upsert {
                    identity: &[PutInsightSelectors::FIELD.trail_name],
                },
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                duplicable: false,
                findable: false,
                tags: Tags::None,
                retag: false,
                attributes: &[ID],
                data_source: false,
            },
            Kind::OpenSearch(OpenSearchKind::Domain) => &KindSpec {
                name: "opensearch.domain",
                create: "CreateDomain",
                delete: "DeleteDomain",
                updates: Updates::Modify {
                    call: "UpdateDomainConfig",
                    fields: &[
                        CreateDomain::FIELD.cluster_config,
                        CreateDomain::FIELD.ebs_options,
                        CreateDomain::FIELD.access_policies,
                        CreateDomain::FIELD.domain_endpoint_options,
                        CreateDomain::FIELD.advanced_security_options,
                        CreateDomain::FIELD.node_to_node_encryption_options,
                        CreateDomain::FIELD.encryption_at_rest_options,
                    ],
                },
                replacement: Replacement::DeleteThenCreate,
                // Its indices are data.
                stateful: true,
                // Names are unique in an account and region.
                duplicable: false,
                findable: true,
                tags: Tags::KeyValueList("TagList"),
                retag: true,
                attributes: &[ID, ARN, NAME, ENDPOINT, DOMAIN_ID],
                data_source: false,
            },
            Kind::Wafv2(Wafv2Kind::WebAcl) => &KindSpec {
                name: "wafv2.web_acl",
                create: "CreateWebACL",
                delete: "DeleteWebACL",
                updates: Updates::Modify {
                    // Sends the whole ACL, under the lock token GetWebACL gives.
                    call: "UpdateWebACL",
                    fields: &[
                        CreateWebAcl::FIELD.default_action,
                        CreateWebAcl::FIELD.description,
                        CreateWebAcl::FIELD.rules,
                        CreateWebAcl::FIELD.visibility_config,
                    ],
                },
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                // Names are unique in a scope, account and region.
                duplicable: false,
                findable: true,
                tags: Tags::KeyValue,
                retag: true,
                attributes: &[ID, ARN, NAME, WEB_ACL_ID],
                data_source: false,
            },
            Kind::Wafv2(Wafv2Kind::WebAclAssociation) => &KindSpec {
                name: "wafv2.web_acl_association",
                create: "AssociateWebACL",
                delete: "DisassociateWebACL",
                // Another web ACL or resource is another association.
                updates: Updates::Immutable,
                replacement: Replacement::DeleteThenCreate,
                stateful: false,
                // Associating again is harmless.
                duplicable: false,
                findable: false,
                tags: Tags::None,
                retag: false,
                attributes: &[ID],
                data_source: false,
            },
        }
    }
}

/// A bucket setting S3 keeps beside the bucket: put again to change, removed (or, for
/// versioning, suspended) by its delete call.
const fn bucket_setting(
    name: &'static str,
    create: &'static str,
    delete: &'static str,
) -> KindSpec {
    KindSpec {
        name,
        create,
        delete,
        updates: Updates::Upsert {
            // Every setting's request names the bucket the same way.
            identity: &[PutBucketTagging::FIELD.bucket],
        },
        replacement: Replacement::DeleteThenCreate,
        stateful: false,
        duplicable: false,
        findable: false,
        tags: Tags::None,
        retag: false,
        attributes: &[ID],
        data_source: false,
    }
}

/// A `&'static` reference to a spec built by a `const fn`.
macro_rules! promote {
    ($spec:expr) => {{
        const SPEC: KindSpec = $spec;
        &SPEC
    }};
}

/// The EC2 kinds' specs.
const fn ec2(k: Ec2Kind) -> &'static KindSpec {
    /// An EC2 object AWS can duplicate, found by its ownership tags, changed only in tags.
    const fn tagged(
        name: &'static str,
        create: &'static str,
        delete: &'static str,
        tags: &'static str,
    ) -> KindSpec {
        KindSpec {
            name,
            create,
            delete,
            updates: Updates::Immutable,
            replacement: Replacement::DeleteThenCreate,
            stateful: false,
            duplicable: true,
            findable: true,
            tags: Tags::Ec2(tags),
            retag: true,
            attributes: &[ID],
            data_source: false,
        }
    }
    /// An untagged EC2 relation (attachment, association, attribute, rule set).
    const fn relation(
        name: &'static str,
        create: &'static str,
        delete: &'static str,
        updates: Updates,
        attributes: &'static [Attribute],
    ) -> KindSpec {
        KindSpec {
            name,
            create,
            delete,
            updates,
            replacement: Replacement::DeleteThenCreate,
            stateful: false,
            duplicable: false,
            findable: false,
            tags: Tags::None,
            retag: false,
            attributes,
            data_source: false,
        }
    }
    use crate::requests::ec2::{CreateRoute, SecurityGroupRules};
    const RULES: &[&str] = &[SecurityGroupRules::FIELD.ip_permissions];
    match k {
        Ec2Kind::Vpc => promote!(tagged("ec2.vpc", "CreateVpc", "DeleteVpc", "vpc")),
        Ec2Kind::Subnet => promote!(tagged(
            "ec2.subnet",
            "CreateSubnet",
            "DeleteSubnet",
            "subnet"
        )),
        Ec2Kind::InternetGateway => promote!(tagged(
            "ec2.internet_gateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "internet-gateway",
        )),
        Ec2Kind::ElasticIp => promote!(KindSpec {
            attributes: &[ID, ALLOCATION_ID, PUBLIC_IP],
            ..tagged(
                "ec2.elastic_ip",
                "AllocateAddress",
                "ReleaseAddress",
                "elastic-ip"
            )
        }),
        Ec2Kind::NatGateway => {
            promote!(tagged(
                "ec2.nat_gateway",
                "CreateNatGateway",
                "DeleteNatGateway",
                "natgateway"
            ))
        }
        Ec2Kind::RouteTable => {
            promote!(tagged(
                "ec2.route_table",
                "CreateRouteTable",
                "DeleteRouteTable",
                "route-table"
            ))
        }
        Ec2Kind::SecurityGroup => promote!(KindSpec {
            // A group name is unique in its VPC: a second create is refused, not duplicated.
            duplicable: false,
            ..tagged(
                "ec2.security_group",
                "CreateSecurityGroup",
                "DeleteSecurityGroup",
                "security-group",
            )
        }),
        Ec2Kind::VpcAttribute => promote!(relation(
            "ec2.vpc_attribute",
            "ModifyVpcAttribute",
            "ModifyVpcAttribute",
            Updates::Upsert {
                identity: NO_FIELDS
            },
            &[ID],
        )),
        Ec2Kind::SubnetAttribute => promote!(relation(
            "ec2.subnet_attribute",
            "ModifySubnetAttribute",
            "ModifySubnetAttribute",
            Updates::Upsert {
                identity: NO_FIELDS
            },
            &[ID],
        )),
        Ec2Kind::InternetGatewayAttachment => promote!(relation(
            "ec2.internet_gateway_attachment",
            "AttachInternetGateway",
            "DetachInternetGateway",
            Updates::Immutable,
            &[ID, INTERNET_GATEWAY_ID, VPC_ID],
        )),
        Ec2Kind::Route => promote!(relation(
            "ec2.route",
            "CreateRoute",
            "DeleteRoute",
            Updates::Modify {
                call: "ReplaceRoute",
                fields: &[
                    CreateRoute::FIELD.gateway_id,
                    CreateRoute::FIELD.nat_gateway_id
                ],
            },
            &[ID, ROUTE_TABLE_ID, DESTINATION],
        )),
        Ec2Kind::RouteTableAssociation => promote!(relation(
            "ec2.route_table_association",
            "AssociateRouteTable",
            "DisassociateRouteTable",
            Updates::Immutable,
            &[ID],
        )),
        Ec2Kind::SecurityGroupIngress => promote!(relation(
            "ec2.security_group_ingress",
            "AuthorizeSecurityGroupIngress",
            "RevokeSecurityGroupIngress",
            Updates::Modify {
                call: "RevokeSecurityGroupIngress, AuthorizeSecurityGroupIngress",
                fields: RULES,
            },
            &[ID, GROUP_ID, RULE_IDS],
        )),
        Ec2Kind::SecurityGroupEgress => promote!(relation(
            "ec2.security_group_egress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupEgress",
            Updates::Modify {
                call: "RevokeSecurityGroupEgress, AuthorizeSecurityGroupEgress",
                fields: RULES,
            },
            &[ID, GROUP_ID, RULE_IDS],
        )),
        Ec2Kind::SecurityGroupDefaultEgress => promote!(relation(
            "ec2.security_group_default_egress",
            "RevokeSecurityGroupEgress",
            "AuthorizeSecurityGroupEgress",
            Updates::Immutable,
            &[ID, GROUP_ID],
        )),
        Ec2Kind::ExistingVpc => promote!(lookup("ec2.existing_vpc", "DescribeVpcs", &[ID, CIDR])),
        Ec2Kind::ExistingSubnet => promote!(lookup(
            "ec2.existing_subnet",
            "DescribeSubnets",
            &[ID, CIDR, VPC_ID, AVAILABILITY_ZONE]
        )),
        Ec2Kind::ExistingSecurityGroup => promote!(lookup(
            "ec2.existing_security_group",
            "DescribeSecurityGroups",
            &[ID, NAME, VPC_ID]
        )),
    }
}

/// A resource the stack does not own, read by `describe` on every plan against the
/// account and every apply; never changed or deleted (destroy forgets it).
const fn lookup(
    name: &'static str,
    describe: &'static str,
    attributes: &'static [Attribute],
) -> KindSpec {
    KindSpec {
        name,
        create: describe,
        delete: "",
        updates: Updates::Upsert {
            identity: NO_FIELDS,
        },
        replacement: Replacement::DeleteThenCreate,
        stateful: false,
        duplicable: false,
        findable: false,
        tags: Tags::None,
        retag: false,
        attributes,
        data_source: true,
    }
}

/// An AWS API operation, e.g. `ecs:RegisterTaskDefinition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Operation {
    /// The service, as the AWS SDK for Rust names its crate (`ecs`, `ec2`, `elasticloadbalancingv2`).
    pub service: &'static str,
    /// The API action, e.g. `CreateService`.
    pub action: &'static str,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service, self.action)
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        let name = String::deserialize(d)?;
        Kind::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown resource kind `{name}` (this ecs-iac knows {})",
                Kind::ALL.len()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_once_with_a_unique_name() {
        let mut names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "a kind is listed twice");
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.as_str()), Some(*k));
            let service = k.as_str().split('.').next().unwrap_or_default();
            assert!(
                k.service()
                    .sdk_name()
                    .replace("applicationautoscaling", "application_autoscaling")
                    .replace("elasticloadbalancingv2", "elbv2")
                    == service,
                "{k} is filed under {:?}",
                k.service()
            );
        }
    }

    #[test]
    fn kinds_serialize_as_their_names() {
        let json = serde_json::to_string(&Kind::VPC).unwrap_or_default();
        assert_eq!(json, "\"ec2.vpc\"");
        let back: Kind = serde_json::from_str("\"ecs.task_definition\"").unwrap_or(Kind::VPC);
        assert_eq!(back, Kind::TASK_DEFINITION);
        let err = serde_json::from_str::<Kind>("\"ec2.nope\"").map(|_| ());
        assert!(err.is_err_and(|e| e.to_string().contains("unknown resource kind `ec2.nope`")));
    }

    #[test]
    fn fields_change_as_the_kind_says() {
        assert_eq!(
            Kind::SERVICE.field_change("desiredCount"),
            FieldChange::Modify
        );
        assert_eq!(
            Kind::SERVICE.field_change("serviceName"),
            FieldChange::Replace
        );
        assert_eq!(Kind::SERVICE.field_change("tags"), FieldChange::Retag);
        assert_eq!(
            Kind::SUBNET.field_change("TagSpecifications"),
            FieldChange::Retag
        );
        assert_eq!(Kind::SUBNET.field_change("CidrBlock"), FieldChange::Replace);
        assert_eq!(Kind::ALARM.field_change("Threshold"), FieldChange::Upsert);
        assert_eq!(Kind::ALARM.field_change("AlarmName"), FieldChange::Replace);
        assert_eq!(
            Kind::LOAD_BALANCER.field_change("SecurityGroups"),
            FieldChange::Modify
        );
        assert_eq!(Kind::ROUTE.field_change("GatewayId"), FieldChange::Modify);
        assert_eq!(Kind::CLUSTER.field_change("settings"), FieldChange::Modify);
    }

    #[test]
    fn tagless_kinds_do_not_retag_and_modify_kinds_name_their_fields() {
        for k in Kind::ALL {
            let spec = k.spec();
            if spec.tags == Tags::None {
                assert!(!spec.retag, "{k} retags without tags");
            }
            if let Updates::Modify { fields, call } = spec.updates {
                assert!(!fields.is_empty() && !call.is_empty(), "{k}");
            }
            assert!(spec.attribute("id").is_some(), "{k} records no id");
        }
    }
}
