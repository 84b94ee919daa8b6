//! SNS (topics, subscriptions) requests.
