//! IAM (roles, policies, instance profiles) requests.
