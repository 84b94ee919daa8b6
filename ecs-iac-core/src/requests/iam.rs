//! IAM (roles, policies, instance profiles) requests.

use crate::request::request;

request! {
    /// `iam:CreateRole`; `UpdateAssumeRolePolicy` and `UpdateRole` are sent from the same
    /// body.
    pub struct CreateRole, CreateRoleFields {
        /// The role's name.
        role_name: String = "RoleName",
        /// The trust policy, as JSON text.
        assume_role_policy_document: String = "AssumeRolePolicyDocument",
        /// A description.
        description: String = "Description",
        /// The path (`/` by default).
        path: String = "Path",
        /// Maximum session duration in seconds (3600-43200).
        max_session_duration: i32 = "MaxSessionDuration",
    }
}

request! {
    /// `iam:PutRolePolicy`: an inline policy of a role.
    pub struct PutRolePolicy, PutRolePolicyFields {
        /// The role's name.
        role_name: String = "RoleName",
        /// The policy's name.
        policy_name: String = "PolicyName",
        /// The policy, as JSON text.
        policy_document: String = "PolicyDocument",
    }
}

request! {
    /// `iam:AttachRolePolicy`: a managed policy attached to a role.
    pub struct AttachRolePolicy, AttachRolePolicyFields {
        /// The role's name.
        role_name: String = "RoleName",
        /// The managed policy's ARN.
        policy_arn: String = "PolicyArn",
    }
}

request! {
    /// `iam:GetRole`: the lookup of a role the stack does not own.
    pub struct GetRole, GetRoleFields {
        /// The role's name.
        role_name: String = "RoleName",
    }
}
