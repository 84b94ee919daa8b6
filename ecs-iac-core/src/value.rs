//! Values known only after apply: typed attributes of resources ([`Attr`]) and text
//! composed of literals and attributes ([`Text`]).
//!
//! A reference gives its resource's attributes (`db.endpoint()`, `alb.dns_name()`,
//! `cache.primary_endpoint()`); they go wherever the stack takes a [`Text`]: container
//! environment values and command arguments, IAM statement resources and conditions,
//! tags, outputs. Using one is the dependency edge: the resource using it is created after
//! the one it comes from. `synth` shows the placeholder (`${db.address}`), `apply`
//! resolves it from the state, and a plan that replaces the source shows the value as
//! "(known after apply)" in everything that uses it.
//!
//! ```
//! use ecs_iac_core::prelude::*;
//! let mut stack = Stack::new("shop").region("us-east-1");
//! # let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
//! # let a = stack.add(Subnet::private("a", &vpc, cidr("10.0.1.0/24"), Az::US_EAST_1A));
//! # let b = stack.add(Subnet::private("b", &vpc, cidr("10.0.2.0/24"), Az::US_EAST_1B));
//! # let subnets = stack.add(DbSubnetGroup::new("db-subnets", [&a, &b]));
//! let db = stack.add(DbInstance::new("db", DbEngine::Postgres, DbInstanceClass::T3_SMALL, 20,
//!     &subnets, "shop", MasterPassword::ManagedBySecretsManager).db_name("shop"));
//! let url = text!("postgres://{}:{}/shop", db.endpoint(), db.port());
//! assert_eq!(url.to_string(), "postgres://${db.address}:${db.port}/shop");
//! let task = stack.add(TaskDefinition::fargate("web", Fargate::CPU_256_MEM_512)
//!     .container(Container::new("web", image("shop:1.0.0")).env("DATABASE_HOST", db.endpoint())));
//! let synth = synth(&stack).unwrap();
//! let web = synth.node("web").unwrap();
//! assert_eq!(web.body["containerDefinitions"][0]["environment"][0]["value"], "${db.address}");
//! assert!(web.depends_on.contains(&"db".to_string()));
//! ```

use crate::kind::AttrType;
use crate::reference::{AnyRef, Ref};
use std::fmt;
use std::marker::PhantomData;

/// The type of an ARN attribute (a marker: the value is a string at AWS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arn {}

/// What an attribute's value is, as Rust sees it: `String`, `u16` (ports) or [`Arn`].
pub trait AttrValue: sealed::Sealed + 'static {
    /// How the kind declares it ([`crate::kind::Attribute::ty`]).
    const TYPE: AttrType;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for String {}
    impl Sealed for u16 {}
    impl Sealed for super::Arn {}
}

impl AttrValue for String {
    const TYPE: AttrType = AttrType::Text;
}
impl AttrValue for u16 {
    const TYPE: AttrType = AttrType::Number;
}
impl AttrValue for Arn {
    const TYPE: AttrType = AttrType::Arn;
}

/// The placeholder for an attribute of a resource known only after apply:
/// `${address.attribute}`.
pub fn placeholder(address: &str, attribute: &str) -> String {
    format!("${{{address}.{attribute}}}")
}

/// One attribute of a resource of the stack, known after apply (an RDS endpoint, an ALB's
/// DNS name, an ARN). Typed by what it holds; use it wherever a [`Text`] goes.
pub struct Attr<T> {
    pub(crate) target: AnyRef,
    pub(crate) name: &'static str,
    _type: PhantomData<fn() -> T>,
}

impl<T> Clone for Attr<T> {
    fn clone(&self) -> Self {
        Attr {
            target: self.target.clone(),
            name: self.name,
            _type: PhantomData,
        }
    }
}

impl<T> PartialEq for Attr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.target == other.target && self.name == other.name
    }
}

impl<T> fmt::Debug for Attr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Attr({}.{})", self.target.name(), self.name)
    }
}

impl<T: AttrValue> Attr<T> {
    /// The attribute `name` of `target`. The kind must declare it with type `T` (checked
    /// by the accessor tests; a name it does not declare is reported by validation).
    pub(crate) fn of<R>(target: &Ref<R>, name: &'static str) -> Attr<T> {
        Attr {
            target: target.erase(),
            name,
            _type: PhantomData,
        }
    }
}

impl<T> Attr<T> {
    /// The attribute `name` of the erased reference `target`.
    pub(crate) fn of_any(target: AnyRef, name: &'static str) -> Attr<T> {
        Attr {
            target,
            name,
            _type: PhantomData,
        }
    }

    /// The resource it belongs to.
    pub fn resource(&self) -> &AnyRef {
        &self.target
    }

    /// The attribute's name, as the state records it (`address`, `dns_name`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The placeholder it renders as, e.g. `${db.address}`.
    pub fn placeholder(&self) -> String {
        placeholder(self.target.name(), self.name)
    }
}

impl<T> fmt::Display for Attr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.placeholder())
    }
}

/// A string that may hold attributes known only after apply: a literal, an [`Attr`], or a
/// composition of both (`text!("postgres://{}:{}/app", db.endpoint(), db.port())`).
/// Renders with `${name.attribute}` placeholders; remembers the resources it names, so
/// using it makes the dependency edges.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Text {
    rendered: String,
    uses: Vec<(AnyRef, &'static str)>,
}

impl Text {
    /// A text from literal parts and attributes, in order.
    pub fn concat<I>(parts: I) -> Text
    where
        I: IntoIterator,
        I::Item: Into<Text>,
    {
        parts
            .into_iter()
            .fold(Text::default(), |acc, part| acc.then(part))
    }

    /// This text followed by `next`.
    #[must_use]
    pub fn then(mut self, next: impl Into<Text>) -> Text {
        let next = next.into();
        self.rendered.push_str(&next.rendered);
        self.uses.extend(next.uses);
        self
    }

    /// The text as it renders, with placeholders for the attributes it uses.
    pub fn as_str(&self) -> &str {
        &self.rendered
    }

    /// The attributes it uses, as (resource, attribute name) pairs.
    pub fn uses(&self) -> impl Iterator<Item = (&AnyRef, &'static str)> {
        self.uses.iter().map(|(r, a)| (r, *a))
    }

    /// True when it uses no attribute: its value is known before apply.
    pub fn is_known(&self) -> bool {
        self.uses.is_empty() && !self.rendered.contains("${")
    }

    /// For [`text!`]: a text rendered by `format!` from `parts`, keeping their uses.
    #[doc(hidden)]
    pub fn __formatted(rendered: String, parts: Vec<Text>) -> Text {
        Text {
            rendered,
            uses: parts.into_iter().flat_map(|p| p.uses).collect(),
        }
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.rendered
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text {
            rendered: s.to_string(),
            uses: Vec::new(),
        }
    }
}

impl From<String> for Text {
    fn from(rendered: String) -> Text {
        Text {
            rendered,
            uses: Vec::new(),
        }
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::from(s.as_str())
    }
}

impl From<&Text> for Text {
    fn from(t: &Text) -> Text {
        t.clone()
    }
}

impl<T> From<Attr<T>> for Text {
    fn from(a: Attr<T>) -> Text {
        Text {
            rendered: a.placeholder(),
            uses: vec![(a.target, a.name)],
        }
    }
}

impl<T> From<&Attr<T>> for Text {
    fn from(a: &Attr<T>) -> Text {
        Text::from(a.clone())
    }
}

macro_rules! text_from_display {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Text {
            fn from(v: $ty) -> Text {
                Text::from(v.to_string())
            }
        }
    )*};
}
text_from_display!(u16, u32, u64, i32, i64, char);

impl<T: Into<Text>> std::ops::Add<T> for Text {
    type Output = Text;

    fn add(self, rhs: T) -> Text {
        self.then(rhs)
    }
}

/// Composes a [`Text`] like `format!`, keeping the attributes it uses:
/// `text!("postgres://{}:{}/{}", db.endpoint(), db.port(), "app")`. Each argument is
/// anything that converts into a `Text` (a `&str`, a `String`, a number, an [`Attr`]).
#[macro_export]
macro_rules! text {
    ($fmt:literal $(, $arg:expr)* $(,)?) => {{
        let parts: ::std::vec::Vec<$crate::value::Text> =
            ::std::vec![$($crate::value::Text::from($arg)),*];
        #[allow(unused_mut, unused_variables)]
        let mut each = parts.iter();
        $crate::value::Text::__formatted(
            ::std::format!($fmt $(, {
                let _ = ::std::stringify!($arg);
                each.next().map($crate::value::Text::as_str).unwrap_or_default()
            })*),
            parts,
        )
    }};
}

impl<R> Ref<R> {
    /// The AWS id of the resource (a VPC id, a security group id, an ARN for kinds whose
    /// id is their ARN), known after apply.
    pub fn id(&self) -> Attr<String> {
        Attr::of(self, "id")
    }
}

impl<R: crate::resources::HasArn> Ref<R> {
    /// The resource's ARN, known after apply.
    pub fn arn(&self) -> Attr<Arn> {
        Attr::of(self, "arn")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// Every typed accessor names an attribute its kind declares, with the same type.
    fn declared<T: AttrValue>(a: Attr<T>) {
        let spec = a.target.kind().spec();
        let attribute = spec
            .attribute(a.name)
            .unwrap_or_else(|| panic!("{} does not declare `{}`", spec.name, a.name));
        assert_eq!(attribute.ty, T::TYPE, "{}.{}", spec.name, a.name);
    }

    #[test]
    fn every_accessor_names_a_declared_attribute_of_its_type() {
        let mut stack = Stack::new("t").region("us-east-1");
        let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
        let a = stack.add(Subnet::private(
            "a",
            &vpc,
            cidr("10.0.1.0/24"),
            Az::US_EAST_1A,
        ));
        let b = stack.add(Subnet::private(
            "b",
            &vpc,
            cidr("10.0.2.0/24"),
            Az::US_EAST_1B,
        ));
        let sg = stack.add(SecurityGroup::new("sg", &vpc));
        let db_subnets = stack.add(DbSubnetGroup::new("dbs", [&a, &b]));
        let db = stack.add(DbInstance::new(
            "db",
            DbEngine::Postgres,
            DbInstanceClass::T3_SMALL,
            20,
            &db_subnets,
            "admin",
            MasterPassword::ManagedBySecretsManager,
        ));
        let cache_subnets = stack.add(CacheSubnetGroup::new("cs", [&a, &b]));
        let cache = stack.add(ReplicationGroup::new(
            "cache",
            CacheEngine::Redis,
            "cache.t3.micro",
            &cache_subnets,
        ));
        let alb = stack.add(LoadBalancer::application("alb", [&a, &b], [&sg]));
        let tg = stack.add(TargetGroup::new("tg", HttpProtocol::Http, 80, &vpc));
        let cluster = stack.add(Cluster::new("c"));
        let role = stack.add(Role::new("r", Principal::ecs_tasks()));
        let logs = stack.add(LogGroup::new("l", "/x"));
        let task = stack.add(
            TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512)
                .container(Container::new("app", image("app:1"))),
        );
        let service = stack.add(Service::new("svc", &cluster, &task));
        let secret = stack.add(SecretRef::by_name("s", "t/s"));

        declared(vpc.id());
        declared(a.id());
        declared(sg.id());
        declared(db.id());
        declared(db.arn());
        declared(db.endpoint());
        declared(db.port());
        declared(db.master_secret_arn());
        declared(cache.arn());
        declared(cache.primary_endpoint());
        declared(cache.reader_endpoint());
        declared(cache.port());
        declared(alb.arn());
        declared(alb.dns_name());
        declared(alb.canonical_hosted_zone_id());
        declared(alb.arn_suffix());
        declared(tg.arn());
        declared(tg.arn_suffix());
        declared(cluster.arn());
        declared(cluster.cluster_name());
        declared(role.arn());
        declared(role.role_name());
        declared(logs.arn());
        declared(logs.log_group_name());
        declared(task.arn());
        declared(task.family());
        declared(task.revision());
        declared(service.arn());
        declared(service.service_name());
        declared(secret.arn());
        declared(secret.secret_name());
    }

    #[test]
    fn texts_compose_and_keep_what_they_use() {
        let mut stack = Stack::new("t");
        let logs = stack.add(LogGroup::new("logs", "/x"));
        let role = stack.add(Role::new("role", Principal::ecs_tasks()));
        let joined = Text::from("group=") + logs.log_group_name() + ";role=" + role.arn();
        assert_eq!(joined.as_str(), "group=${logs.name};role=${role.arn}");
        let names: Vec<_> = joined.uses().map(|(r, a)| (r.name(), a)).collect();
        assert_eq!(names, [("logs", "name"), ("role", "arn")]);
        assert!(!joined.is_known());
        let formatted = crate::text!("{}:{}/{}", logs.log_group_name(), 8080u16, "x");
        assert_eq!(formatted.as_str(), "${logs.name}:8080/x");
        assert_eq!(formatted.uses().count(), 1);
        let concat = Text::concat([Text::from("a"), role.role_name().into(), "c".into()]);
        assert_eq!(concat.to_string(), "a${role.name}c");
        assert!(Text::from("literal").is_known());
    }
}

#[cfg(test)]
mod propagation {
    use crate::prelude::*;
    use crate::{plan_synth, Action};

    fn stack(engine: DbEngine) -> Stack {
        let mut stack = Stack::new("t").region("us-east-1");
        let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
        let a = stack.add(Subnet::private(
            "a",
            &vpc,
            cidr("10.0.1.0/24"),
            Az::US_EAST_1A,
        ));
        let b = stack.add(Subnet::private(
            "b",
            &vpc,
            cidr("10.0.2.0/24"),
            Az::US_EAST_1B,
        ));
        let subnets = stack.add(DbSubnetGroup::new("dbs", [&a, &b]));
        let db = stack.add(
            DbInstance::new(
                "db",
                engine,
                DbInstanceClass::T3_SMALL,
                20,
                &subnets,
                "app",
                MasterPassword::ManagedBySecretsManager,
            )
            .allow_replacement(),
        );
        stack.add(
            TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512).container(
                Container::new("app", image("app:1"))
                    .env("DB", text!("{}:{}", db.endpoint(), db.port())),
            ),
        );
        stack.output("db", db.endpoint());
        stack
    }

    /// A replaced database gets a new endpoint: the task definition using it is replaced
    /// too (its environment value is known only after apply), and so is the output.
    #[test]
    fn a_replacement_propagates_to_what_uses_its_attributes() {
        let before = synth(&stack(DbEngine::Postgres)).unwrap();
        let mut state = State::empty("t");
        for n in &before.nodes {
            let mut entry = crate::state::applied_entry(n);
            if n.address == "db" {
                entry
                    .attributes
                    .insert("address".to_string(), "old.example".to_string());
                entry
                    .attributes
                    .insert("port".to_string(), "5432".to_string());
            }
            state.resources.insert(n.address.clone(), entry);
        }
        let first = plan_synth(before, &State::empty("t"));
        state.outputs = crate::output::resolved(&first.outputs, &state, None, None);
        assert_eq!(state.outputs["db"].value, "old.example");
        let plan = plan_synth(synth(&stack(DbEngine::MySql)).unwrap(), &state);
        let action = |a: &str| plan.actions.iter().find(|x| x.address == a).unwrap();
        assert!(action("db").action.is_replace());
        let task = action("task");
        assert_eq!(
            task.action,
            Action::CreateThenDelete,
            "{}",
            plan.render_text()
        );
        assert!(
            task.changes
                .iter()
                .any(|c| c.path.ends_with("environment[DB].value")
                    && c.after == Some(serde_json::json!("(known after apply)"))),
            "{:#?}",
            task.changes
        );
        let output = &plan.outputs[0];
        assert_eq!(
            (output.before.as_deref(), output.after.as_deref()),
            (Some("old.example"), None)
        );
    }
}
