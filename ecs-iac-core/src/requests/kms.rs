//! KMS (keys, aliases) requests.
