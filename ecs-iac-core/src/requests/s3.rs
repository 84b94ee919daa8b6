//! S3 (buckets and their settings) requests.
