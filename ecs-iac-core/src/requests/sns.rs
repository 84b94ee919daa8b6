//! SNS requests.

use crate::request::request;

request! {
    /// `sns:CreateTopic`; `SetTopicAttributes` is sent from its attributes.
    pub struct CreateTopic, CreateTopicFields {
        /// The topic's name.
        name: String = "Name",
        /// The attributes the stack sets.
        attributes: TopicAttributes = "Attributes",
    }
}

request! {
    /// The topic attributes the stack sets (the others, such as the policy, are AWS's).
    pub struct TopicAttributes, TopicAttributesFields {
        /// The sender name of SMS and email notifications.
        display_name: String = "DisplayName",
        /// The KMS key messages are encrypted with.
        kms_master_key_id: String = "KmsMasterKeyId",
    }
}

impl TopicAttributes {
    /// Each attribute's name and value (`None` when unset), as `SetTopicAttributes` takes
    /// them one by one.
    pub fn entries(&self) -> [(&'static str, Option<&str>); 2] {
        let f = TopicAttributes::FIELD;
        [
            (f.display_name, self.display_name.as_deref()),
            (f.kms_master_key_id, self.kms_master_key_id.as_deref()),
        ]
    }
}

request! {
    /// `sns:Subscribe`.
    pub struct Subscribe, SubscribeFields {
        /// The topic's ARN.
        topic_arn: String = "TopicArn",
        /// `email`, `https`, `sqs` or `lambda`.
        protocol: String = "Protocol",
        /// The address, URL or ARN messages go to.
        endpoint: String = "Endpoint",
        /// The subscription's ARN in the answer, also while pending confirmation.
        return_subscription_arn: bool = "ReturnSubscriptionArn",
    }
}

request! {
    /// `sns:GetTopicAttributes`: the lookup of a topic the stack notifies.
    pub struct GetTopicAttributes, GetTopicAttributesFields {
        /// The topic's ARN.
        topic_arn: String = "TopicArn",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_attributes_list_each_attribute_by_its_aws_name() {
        let attributes = TopicAttributes {
            display_name: Some("Orders".into()),
            ..TopicAttributes::default()
        };
        assert_eq!(
            attributes.entries(),
            [("DisplayName", Some("Orders")), ("KmsMasterKeyId", None)]
        );
        let body = serde_json::to_value(CreateTopic {
            name: Some("orders".into()),
            attributes: Some(attributes),
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"Name": "orders", "Attributes": {"DisplayName": "Orders"}})
        );
    }
}
