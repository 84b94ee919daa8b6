//! Reading fields of a resolved request body, with errors that name the resource and field.

use crate::error::ProviderError;
use serde_json::Value;

/// A resolved request of one resource.
#[derive(Debug, Clone, Copy)]
pub struct Req<'a> {
    /// Resource address, for errors.
    pub address: &'a str,
    /// The request body.
    pub body: &'a Value,
}

impl<'a> Req<'a> {
    fn missing(&self, field: &str, problem: &str) -> ProviderError {
        ProviderError::Request {
            address: self.address.to_string(),
            field: field.to_string(),
            problem: problem.to_string(),
        }
    }

    /// The body as a typed request ([`ecs_iac_core::request`]). A field of the wrong type
    /// fails with its path (`deploymentConfiguration.maximumPercent`).
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, ProviderError> {
        serde_path_to_error::deserialize(self.body).map_err(|e| ProviderError::Request {
            address: self.address.to_string(),
            field: e.path().to_string(),
            problem: e.inner().to_string(),
        })
    }

    /// The field `field` as a typed request part (`None` when absent); a wrong shape fails
    /// with its path.
    pub fn decode_field<T: serde::de::DeserializeOwned>(
        &self,
        field: &str,
    ) -> Result<Option<T>, ProviderError> {
        let Some(value) = self.body.get(field) else {
            return Ok(None);
        };
        serde_path_to_error::deserialize(value)
            .map(Some)
            .map_err(|e| ProviderError::Request {
                address: self.address.to_string(),
                field: match e.path().to_string().as_str() {
                    "." => field.to_string(),
                    path if path.starts_with('[') => format!("{field}{path}"),
                    path => format!("{field}.{path}"),
                },
                problem: e.inner().to_string(),
            })
    }

    /// A field the request must have (`value`, named `field`), or an error naming it.
    pub fn required<T>(&self, value: Option<T>, field: &str) -> Result<T, ProviderError> {
        value.ok_or_else(|| self.missing(field, "a value is required"))
    }

    /// `[{"Key", "Value"}]` tags (or `{"key": "value"}` maps, or lower-case pairs).
    pub fn tags(&self, field: &str) -> Vec<(String, String)> {
        match self.body.get(field) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|t| {
                    let k = t.get("Key").or_else(|| t.get("key"));
                    let k = k.or_else(|| t.get("TagKey"))?.as_str()?;
                    let v = t.get("Value").or_else(|| t.get("value"));
                    let v = v.or_else(|| t.get("TagValue"))?.as_str()?;
                    Some((k.to_string(), v.to_string()))
                })
                .collect(),
            Some(Value::Object(map)) => map
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The resource tags of a create request, in whichever field its API has them
    /// (`TagSpecifications[0].Tags`, `Tags` or `tags`).
    pub fn resource_tags(&self) -> Vec<(String, String)> {
        if self.body.get("TagSpecifications").is_some() {
            self.ec2_tags()
        } else if self.body.get("Tags").is_some() {
            self.tags("Tags")
        } else if self.body.get("TagsList").is_some() {
            self.tags("TagsList")
        } else if self.body.get("TagList").is_some() {
            self.tags("TagList")
        } else {
            self.tags("tags")
        }
    }

    /// EC2 `TagSpecifications[0].Tags`.
    pub fn ec2_tags(&self) -> Vec<(String, String)> {
        let first = self.body.pointer("/TagSpecifications/0");
        first
            .map(|body| {
                Req {
                    address: self.address,
                    body,
                }
                .tags("Tags")
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecs_iac_core::requests::ecs::CreateService;
    use serde_json::json;

    #[test]
    fn a_typed_request_decodes_and_a_wrong_field_is_named_by_its_path() {
        let body = json!({
            "serviceName": "web",
            "desiredCount": 2,
            "deploymentConfiguration": {"maximumPercent": 200},
            "Tags": [{"key": "a", "value": "b"}],
        });
        let r = Req {
            address: "web",
            body: &body,
        };
        let q: CreateService = r.decode().unwrap();
        assert_eq!(q.service_name.as_deref(), Some("web"));
        assert_eq!(q.desired_count, Some(2));
        assert_eq!(
            q.deployment_configuration.unwrap().maximum_percent,
            Some(200)
        );
        assert_eq!(q.cluster, None);

        let body = json!({"deploymentConfiguration": {"maximumPercent": "lots"}});
        let r = Req {
            address: "web",
            body: &body,
        };
        let Err(ProviderError::Request { address, field, .. }) = r.decode::<CreateService>() else {
            panic!("a string where a number belongs must fail");
        };
        assert_eq!(address, "web");
        assert_eq!(field, "deploymentConfiguration.maximumPercent");
        assert_eq!(
            r.required(None::<String>, CreateService::FIELD.service_name)
                .unwrap_err()
                .to_string(),
            "web: request field `serviceName`: a value is required"
        );
    }

    #[test]
    fn a_field_decodes_alone_and_its_errors_start_at_the_field() {
        use ecs_iac_core::requests::ecs::CapacityProviderStrategyItem as Item;
        let body = json!({"strategy": [{"capacityProvider": "FARGATE", "weight": 1}]});
        let r = Req {
            address: "cluster",
            body: &body,
        };
        let items: Option<Vec<Item>> = r.decode_field("strategy").unwrap();
        assert_eq!(items.unwrap()[0].weight, Some(1));
        assert_eq!(r.decode_field::<Vec<Item>>("absent").unwrap(), None);

        let body = json!({"strategy": [{"weight": "heavy"}], "name": 3});
        let r = Req {
            address: "cluster",
            body: &body,
        };
        let field = |e: ProviderError| match e {
            ProviderError::Request { field, .. } => field,
            other => panic!("{other}"),
        };
        let e = r.decode_field::<Vec<Item>>("strategy").unwrap_err();
        assert_eq!(field(e), "strategy[0].weight");
        let e = r.decode_field::<String>("name").unwrap_err();
        assert_eq!(field(e), "name");
    }
}
