//! CloudTrail (trails) requests.
