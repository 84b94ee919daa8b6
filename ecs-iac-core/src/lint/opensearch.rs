//! OpenSearch checks: literal master passwords, missing encryption and weak HTTPS.

use super::{LintRule, Lx};
use crate::requests::opensearch::{
    CreateDomain, CreateDomainFields, EncryptionAtRestOptions, NodeToNodeEncryptionOptions,
};
use crate::resources::*;

/// The AWS names of a domain's request fields.
const DOMAIN: CreateDomainFields = CreateDomain::FIELD;

impl Lx<'_> {
    /// A domain: master password, encryption and HTTPS settings.
    pub(super) fn opensearch_domain(&mut self, d: &OpenSearchDomain) {
        let name = d.domain_name();
        if d.has_literal_password() {
            self.emit(
                LintRule::OpenSearchLiteralPassword,
                "",
                crate::resources::opensearch::master_password_path(),
                format!("domain `{name}` has its master password in the code"),
            );
        }
        if !d.encrypts_at_rest() || !d.encrypts_between_nodes() {
            self.emit(
                LintRule::OpenSearchUnencrypted,
                "",
                if d.encrypts_at_rest() {
                    format!(
                        "{}.{}",
                        DOMAIN.node_to_node_encryption_options,
                        NodeToNodeEncryptionOptions::FIELD.enabled
                    )
                } else {
                    format!(
                        "{}.{}",
                        DOMAIN.encryption_at_rest_options,
                        EncryptionAtRestOptions::FIELD.enabled
                    )
                },
                format!("domain `{name}` stores or moves data unencrypted"),
            );
        }
        if !d.requires_modern_https() {
            self.emit(
                LintRule::OpenSearchWeakHttps,
                "",
                DOMAIN.domain_endpoint_options,
                format!("domain `{name}` accepts plain HTTP or TLS older than 1.2"),
            );
        }
    }
}
