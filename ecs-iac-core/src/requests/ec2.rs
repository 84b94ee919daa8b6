//! EC2 (VPC, subnets, route tables, routes, gateways, security groups, endpoints, …) requests.
