//! Typed request bodies: each kind's request is one struct, defined once with the AWS
//! field names, that the renderer (core), the provider (decoding it into the SDK builder)
//! and observe (building the refreshed body from a describe answer) share.
//!
//! `request!` defines the struct and a companion struct of the same
//! fields holding each field's AWS name, reachable as `CreateDbInstance::FIELD`, so the
//! few places that must name a field as text (validation diagnostics, lint paths, the
//! kind's in-place fields, AWS defaults) take it from the definition instead of writing
//! it again:
//!
//! ```
//! use ecs_iac_core::requests::rds::CreateDbInstance;
//!
//! let body = CreateDbInstance {
//!     db_instance_identifier: Some("orders".into()),
//!     backup_retention_period: Some(7),
//!     ..Default::default()
//! };
//! let json = serde_json::to_value(&body).unwrap();
//! assert_eq!(json["BackupRetentionPeriod"], 7);
//! assert!(json.get("Port").is_none()); // absent fields are left out
//! assert_eq!(CreateDbInstance::FIELD.backup_retention_period, "BackupRetentionPeriod");
//! ```
//!
//! Every field is optional: the core always renders what AWS requires, and the provider
//! reads a field the call cannot go without through `Req::required`, which names it
//! when it is missing (the SDK's operation builders do not check). Placeholders
//! (`${db.endpoint}`) are strings, so fields a placeholder can fill are `String`.
//! Documents with an open shape (IAM, KMS, bucket and access policies, the ECR lifecycle
//! policy) are the JSON text AWS takes, built where they are written; tags are added by
//! the kind's tag style, not held in the structs.

use std::collections::BTreeMap;

use serde_json::Value;

/// Defines a request body struct and its field-name companion.
///
/// ```text
/// request! {
///     /// `rds:CreateDBSubnetGroup`.
///     pub struct CreateDbSubnetGroup, CreateDbSubnetGroupFields {
///         /// The group's name.
///         db_subnet_group_name: String = "DBSubnetGroupName",
///         subnet_ids: Vec<String> = "SubnetIds",
///     }
/// }
/// ```
macro_rules! request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident, $fields:ident {
            $(
                $(#[$field_meta:meta])*
                $field:ident : $ty:ty = $aws:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        pub struct $name {
            $(
                $(#[$field_meta])*
                #[serde(rename = $aws, default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }

        #[doc = concat!("The AWS name of each field of [`", stringify!($name), "`].")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $fields {
            $(
                #[doc = concat!("`", $aws, "`")]
                pub $field: &'static str,
            )*
        }

        impl $name {
            /// The AWS name of each field, as written in the request body.
            pub const FIELD: $fields = $fields { $($field: $aws,)* };
        }

        impl $crate::request::IntoBody for $name {
            fn into_body(self) -> ::serde_json::Value {
                #[allow(unused_mut)]
                let mut body = ::serde_json::Map::new();
                $(
                    if let Some(value) = self.$field {
                        body.insert($aws.to_owned(), $crate::request::IntoBody::into_body(value));
                    }
                )*
                ::serde_json::Value::Object(body)
            }
        }
    };
}

pub(crate) use request;

/// A request, or a part of one, that becomes its JSON body by moving its strings into it.
///
/// The body equals `serde_json::to_value(&request)`: debug builds check it for every
/// request they render (`Cx::push_request`), so every test run does. Rendering is the hot
/// path of synth, and moving the request's strings
/// instead of copying them through the serializer keeps it as fast as writing the JSON by
/// hand. `request!` implements it for every request struct.
pub trait IntoBody {
    /// The JSON body AWS takes.
    fn into_body(self) -> Value;
}

impl IntoBody for String {
    fn into_body(self) -> Value {
        Value::String(self)
    }
}

macro_rules! into_body_as_from {
    ($($ty:ty),*) => {
        $(impl IntoBody for $ty {
            fn into_body(self) -> Value {
                Value::from(self)
            }
        })*
    };
}

into_body_as_from!(bool, i32, u32, i64, f64);

impl<T: IntoBody> IntoBody for Vec<T> {
    fn into_body(self) -> Value {
        Value::Array(self.into_iter().map(IntoBody::into_body).collect())
    }
}

impl<T: IntoBody> IntoBody for BTreeMap<String, T> {
    fn into_body(self) -> Value {
        Value::Object(
            self.into_iter()
                .map(|(key, value)| (key, value.into_body()))
                .collect(),
        )
    }
}
