//! ACM (certificates) requests.
