//! Cloud Map (namespaces, services) requests.
