//! Secrets Manager (secrets) requests.
