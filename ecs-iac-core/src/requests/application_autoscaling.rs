//! Application Auto Scaling (scalable targets, policies) requests.
