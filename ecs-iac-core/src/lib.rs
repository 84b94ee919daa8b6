//! The pure core of ecs-iac: typed AWS resources, validation, plans and API request
//! rendering. No I/O, no AWS SDK, no clock: every function here is a pure function of its
//! inputs, so it is fast and snapshot-testable. `ecs-iac-aws` sends what this crate renders.
//!
//! Besides [`validate()`] (will AWS accept it?) there is [`lint()`] (should it be deployed?):
//! security rules with ids, severities, request paths, remediations and suppressions with
//! written reasons, rendered as text, JSON or SARIF; see [`lint`](mod@lint). And
//! [`Stack::grant`] derives least-privilege IAM statements and security group rules from
//! usage; see [`grant`](mod@grant).
//!
//! Plans compare the stack with the state ([`plan_synth`]) and, after a refresh, with
//! what the live account holds ([`plan_refreshed`], [`refresh`]): drift shows field by
//! field, every side normalized first ([`normalize()`]) so that AWS's reordering and
//! defaults are no change. Change paths name list elements by identity
//! (`containerDefinitions[app].environment[LOG_LEVEL].value`). Stateful resources
//! (databases, caches, log groups) are protected: replacing or deleting one is blocked
//! unless the resource allows it ([`Plan::blocked`]); an explicit destroy
//! ([`plan_destroy`]) is not.
//!
//! ```
//! use ecs_iac_core::prelude::*;
//!
//! let mut stack = Stack::new("demo").region("us-east-1");
//! let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
//! let a = stack.add(Subnet::private("app-a", &vpc, cidr("10.0.1.0/24"), Az::US_EAST_1A));
//! let sg = stack.add(SecurityGroup::new("app-sg", &vpc).ingress(Peer::cidr(cidr("10.0.0.0/16")), Port::tcp(8080)));
//! let cluster = stack.add(Cluster::new("demo"));
//! let task = stack.add(TaskDefinition::fargate("web-task", Fargate::CPU_256_MEM_512)
//!     .container(Container::new("web", image("nginx:1.27")).port(8080)));
//! stack.add(Service::new("web", &cluster, &task).subnets([&a]).security_group(&sg));
//!
//! assert!(validate(&stack).iter().all(|d| !d.is_error()));
//! let plan = plan(&stack, &State::empty("demo")).unwrap();
//! assert_eq!(plan.summary.create, plan.actions.len());
//! let synth = synth(&stack).unwrap();
//! let service = synth.node("web").unwrap();
//! assert_eq!(service.operation.to_string(), "ecs:CreateService");
//! assert_eq!(service.body["taskDefinition"], "${web-task.arn}");
//! ```

pub mod backend;
pub mod diagnostic;
mod diff;
pub mod external;
pub mod grant;
pub mod graph;
pub mod kind;
pub mod limits;
pub mod lint;
pub mod lower;
pub mod net;
pub mod normalize;
pub mod output;
pub mod plan;
mod reference;
pub mod refresh;
pub mod request;
mod request_checks;
pub mod requests;
pub mod resolve;
pub mod resources;
pub mod stack;
pub mod state;
pub mod synth;
pub mod value;

#[cfg(test)]
mod grant_tests;
#[cfg(test)]
mod lint_tests;
#[cfg(test)]
mod rule_tests;

pub use backend::{BackendError, S3Backend, StateBackend};
pub use diagnostic::{Diagnostic, Invalid, Rule, Severity};
pub use external::{external_references, ExternalKind, ExternalRef};
pub use grant::{Grant, GrantError, GRANTS_POLICY};
pub use kind::{AttrType, Attribute, FieldChange, Kind, KindSpec, Replacement, Service, Updates};
pub use lint::{lint, Finding, LintFailed, LintReport, LintRule, LintSummary};
pub use lower::{Node, Operation, Protection, ACCOUNT_ID, ADDRESS_TAG, REGION, STACK_TAG};
pub use normalize::normalize;
pub use output::{InputError, OutputChange, OutputSpec, OutputValue, PlannedOutput, StackOutputs};
pub use plan::{
    plan, plan_destroy, plan_destroy_refreshed, plan_refreshed, plan_synth, Action, Change, Plan,
    PlannedAction, Reason, Summary,
};
pub use refresh::{Observation, Observed};
pub use stack::{AnyRef, AnyResource, Ref, Resource, Stack};
pub use state::{ResourceState, ResourceStatus, State, StateError, STATE_FORMAT_VERSION};
pub use synth::{synth, validate, ManifestEntry, Synth, SynthFile};
pub use value::{Arn, Attr, AttrValue, Text};

/// Everything a stack definition needs, for `use ecs_iac_core::prelude::*`.
pub mod prelude {
    pub use crate::net::{cidr, Az, Cidr, Port, Protocol};
    pub use crate::resources::*;
    pub use crate::{
        lint, plan, synth, text, validate, Arn, Attr, Diagnostic, Grant, GrantError, LintReport,
        LintRule, Plan, Ref, S3Backend, Severity, Stack, State, StateBackend, Text, ACCOUNT_ID,
        REGION,
    };
}
