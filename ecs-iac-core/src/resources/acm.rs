//! ACM certificates the stack uses: by ARN, or the issued certificate for a domain name.
//! The stack does not request or own certificates; it reads them before every apply.

use super::iam::HasArn;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{allow_lint_setter, Cx, ResourceSpec};
use crate::requests::acm::{
    AcmCertificateMetadataFilter, CertificateFilter, CertificateFilterStatement,
    DescribeCertificate, DnsNameFilter, SearchCertificates, SubjectAlternativeNameFilter,
    X509AttributeFilter,
};
use crate::stack::{Meta, Ref};
use crate::value::Attr;

/// An existing ACM certificate (for an HTTPS listener: `cert.arn()`).
#[derive(Debug, Clone)]
pub struct Certificate {
    pub(crate) meta: Meta,
    pub(crate) lookup: CertificateLookup,
}

/// How a [`Certificate`] is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertificateLookup {
    /// `DescribeCertificate` by ARN.
    Arn(String),
    /// `SearchCertificates`: the issued certificate whose names include the domain.
    Domain(String),
}

impl Certificate {
    /// The certificate with this ARN (`arn:aws:acm:REGION:ACCOUNT:certificate/ID`).
    pub fn existing(name: impl Into<String>, arn: impl Into<String>) -> Certificate {
        Certificate {
            meta: Meta::new(name),
            lookup: CertificateLookup::Arn(arn.into()),
        }
    }

    /// The issued certificate of the stack's region whose subject alternative names
    /// include `domain` (`api.example.com`, or `*.example.com` for a wildcard). Exactly
    /// one must match: a second one (a renewal imported beside the old) is an error
    /// naming both ARNs.
    pub fn for_domain(name: impl Into<String>, domain: impl Into<String>) -> Certificate {
        Certificate {
            meta: Meta::new(name),
            lookup: CertificateLookup::Domain(domain.into()),
        }
    }
}

impl ResourceSpec for Certificate {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if let CertificateLookup::Domain(domain) = &self.lookup {
            let fine = !domain.is_empty()
                && domain.len() <= 253
                && domain
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '*'));
            if !fine {
                cx.error(
                    Rule::AwsString,
                    SearchCertificates::FIELD.filter_statement,
                    format!("`{domain}` is not a domain name (letters, digits, `-`, `.`, a leading `*.`; at most 253 characters)"),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        match &self.lookup {
            CertificateLookup::Arn(arn) => {
                let n = cx.node("", Kind::EXISTING_CERTIFICATE);
                let request = DescribeCertificate {
                    certificate_arn: Some(arn.clone()),
                };
                cx.push_request(n, request);
            }
            CertificateLookup::Domain(domain) => {
                let n = cx.node("", Kind::CERTIFICATE_FOR_DOMAIN);
                let san = X509AttributeFilter {
                    subject_alternative_name: Some(SubjectAlternativeNameFilter {
                        dns_name: Some(DnsNameFilter {
                            value: Some(domain.clone()),
                            comparison_operator: Some("EQUALS".into()),
                        }),
                    }),
                };
                let filter = |filter: CertificateFilter| CertificateFilterStatement {
                    filter: Some(filter),
                    ..Default::default()
                };
                let request = SearchCertificates {
                    filter_statement: Some(CertificateFilterStatement {
                        and: Some(vec![
                            filter(CertificateFilter {
                                x509_attribute_filter: Some(san),
                                ..Default::default()
                            }),
                            filter(CertificateFilter {
                                acm_certificate_metadata_filter: Some(
                                    AcmCertificateMetadataFilter {
                                        status: Some("ISSUED".into()),
                                    },
                                ),
                                ..Default::default()
                            }),
                        ]),
                        ..Default::default()
                    }),
                };
                cx.push_request(n, request);
            }
        }
    }
}

allow_lint_setter!(Certificate);

impl HasArn for Certificate {}

impl Ref<Certificate> {
    /// The certificate's primary domain name.
    pub fn domain_name(&self) -> Attr<String> {
        Attr::of(self, "domain_name")
    }
}
