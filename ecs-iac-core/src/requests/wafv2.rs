//! WAFv2 (web ACLs and their associations) requests.
