//! CloudWatch (alarms) requests.
