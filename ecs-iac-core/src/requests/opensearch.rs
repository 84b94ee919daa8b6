//! OpenSearch Service (domains) requests.
