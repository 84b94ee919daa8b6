//! OpenSearch checks: literal master passwords, missing encryption and weak HTTPS.

use super::{LintRule, Lx};
use crate::resources::*;

impl Lx<'_> {
    /// A domain: master password, encryption and HTTPS settings.
    pub(super) fn opensearch_domain(&mut self, d: &OpenSearchDomain) {
        let name = d.domain_name();
        if d.has_literal_password() {
            self.emit(
                LintRule::OpenSearchLiteralPassword,
                "",
                "AdvancedSecurityOptions.MasterUserOptions.MasterUserPassword",
                format!("domain `{name}` has its master password in the code"),
            );
        }
        if !d.encrypts_at_rest() || !d.encrypts_between_nodes() {
            self.emit(
                LintRule::OpenSearchUnencrypted,
                "",
                if d.encrypts_at_rest() {
                    "NodeToNodeEncryptionOptions.Enabled"
                } else {
                    "EncryptionAtRestOptions.Enabled"
                },
                format!("domain `{name}` stores or moves data unencrypted"),
            );
        }
        if !d.requires_modern_https() {
            self.emit(
                LintRule::OpenSearchWeakHttps,
                "",
                "DomainEndpointOptions",
                format!("domain `{name}` accepts plain HTTP or TLS older than 1.2"),
            );
        }
    }
}
