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

use std::cell::RefCell;
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
                        // A float that is not a number renders as `null`: left out, as an
                        // unset field is.
                        let value = $crate::request::IntoBody::into_body(value);
                        if !value.is_null() {
                            body.insert($aws.to_owned(), value);
                        }
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
/// The body equals `serde_json::to_value(&request)` without `null` members (a float that
/// is not a number is left out like an unset field); debug builds check it for every
/// request they render (`Cx::push_request`), so every test run does. Rendering is the hot
/// path of synth: moving the request's strings instead of copying them through the
/// serializer, and leaving nulls out as the body is built instead of in a second walk,
/// keeps it as fast as writing the JSON by hand. `request!` implements it for every
/// request struct.
pub trait IntoBody {
    /// The JSON body AWS takes.
    fn into_body(self) -> Value;
}

thread_local! {
    /// While [`render`] runs: the strings `into_body` moved that may hold a placeholder.
    static PLACEHOLDER_TEXTS: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

impl IntoBody for String {
    fn into_body(self) -> Value {
        // Every string of a body passes here, still in cache: noting the few with a `$`
        // spares synth a second walk of every body to find its placeholders.
        if self.contains('$') {
            PLACEHOLDER_TEXTS.with_borrow_mut(|texts| {
                if let Some(texts) = texts {
                    texts.push(self.clone());
                }
            });
        }
        Value::String(self)
    }
}

/// A request's body, and a copy of each string in it that may hold a `${...}`
/// placeholder: every string value that passed through [`IntoBody`] for `String` (every
/// impl routes its strings there), in the order they were rendered. Map keys are not
/// noted (the tag keys a user writes are, by `Cx::push`).
pub(crate) fn render<R: IntoBody>(request: R) -> (Value, Vec<String>) {
    let outer = PLACEHOLDER_TEXTS.replace(Some(Vec::new()));
    let body = request.into_body();
    let texts = PLACEHOLDER_TEXTS.replace(outer).unwrap_or_default();
    (body, texts)
}

/// `{"Key": key, "Value": value}`, each string through [`IntoBody`] (so that a
/// placeholder in it is noted): the pair S3 tags and load balancer attributes take.
pub(crate) fn key_value(key: String, value: String) -> Value {
    let mut pair = serde_json::Map::new();
    pair.insert("Key".into(), key.into_body());
    pair.insert("Value".into(), value.into_body());
    Value::Object(pair)
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
                .filter(|(_, value)| !value.is_null())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::IntoBody;
    use crate::requests::cloudwatch::{Dimension, PutMetricAlarm};
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn bodies_move_set_fields_under_their_aws_names_and_leave_out_unset_ones() {
        let alarm = PutMetricAlarm {
            alarm_name: Some("cpu".into()),
            threshold: Some(80.5),
            period: Some(60),
            dimensions: Some(vec![Dimension {
                name: Some("ServiceName".into()),
                value: Some("${web.name}".into()),
            }]),
            ..PutMetricAlarm::default()
        };
        let expected = json!({
            "AlarmName": "cpu",
            "Threshold": 80.5,
            "Period": 60,
            "Dimensions": [{"Name": "ServiceName", "Value": "${web.name}"}],
        });
        assert_eq!(serde_json::to_value(&alarm).unwrap(), expected);
        assert_eq!(alarm.into_body(), expected);
    }

    #[test]
    fn rendering_notes_every_string_that_holds_a_placeholder() {
        let alarm = PutMetricAlarm {
            alarm_name: Some("cpu".into()),
            alarm_actions: Some(vec!["${topic.arn}".into(), "arn:plain".into()]),
            dimensions: Some(vec![Dimension {
                name: Some("ServiceName".into()),
                value: Some("${web.name}/x".into()),
            }]),
            ..PutMetricAlarm::default()
        };
        let (body, texts) = super::render(alarm.clone());
        assert_eq!(body, alarm.into_body());
        let mut texts = texts;
        texts.sort();
        assert_eq!(texts, ["${topic.arn}", "${web.name}/x"]);
        // Outside `render`, nothing is noted (and nothing accumulates).
        let (_, none) = super::render(PutMetricAlarm::default());
        assert!(none.is_empty());
    }

    #[test]
    fn a_float_that_is_not_a_number_is_left_out_as_an_unset_field_is() {
        let alarm = PutMetricAlarm {
            alarm_name: Some("cpu".into()),
            threshold: Some(f64::NAN),
            ..PutMetricAlarm::default()
        };
        assert_eq!(alarm.into_body(), json!({"AlarmName": "cpu"}));
        let map = BTreeMap::from([("a".to_string(), f64::NAN), ("b".to_string(), 1.0)]);
        assert_eq!(map.into_body(), json!({"b": 1.0}));
    }
}
