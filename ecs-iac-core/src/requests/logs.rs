//! CloudWatch Logs (log groups, subscription filters) requests.
