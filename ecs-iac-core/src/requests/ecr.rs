//! ECR (repositories) requests.
