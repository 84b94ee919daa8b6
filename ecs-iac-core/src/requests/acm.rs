//! ACM requests: the lookups of certificates the stack uses.

use crate::request::request;

request! {
    /// `acm:DescribeCertificate`: a certificate by ARN.
    pub struct DescribeCertificate, DescribeCertificateFields {
        /// The certificate's ARN.
        certificate_arn: String = "CertificateArn",
    }
}

request! {
    /// `acm:SearchCertificates`: the issued certificate for a domain.
    pub struct SearchCertificates, SearchCertificatesFields {
        /// What the certificate must match.
        filter_statement: CertificateFilterStatement = "FilterStatement",
    }
}

request! {
    /// A filter statement: every statement of `And`, or one filter.
    pub struct CertificateFilterStatement, CertificateFilterStatementFields {
        /// Statements that must all match.
        and: Vec<CertificateFilterStatement> = "And",
        /// One filter.
        filter: CertificateFilter = "Filter",
    }
}

request! {
    /// A certificate filter: on the certificate's X.509 attributes or on ACM's metadata.
    pub struct CertificateFilter, CertificateFilterFields {
        /// On an X.509 attribute.
        x509_attribute_filter: X509AttributeFilter = "X509AttributeFilter",
        /// On ACM's metadata.
        acm_certificate_metadata_filter: AcmCertificateMetadataFilter = "AcmCertificateMetadataFilter",
    }
}

request! {
    /// A filter on an X.509 attribute.
    pub struct X509AttributeFilter, X509AttributeFilterFields {
        /// On the subject alternative names.
        subject_alternative_name: SubjectAlternativeNameFilter = "SubjectAlternativeName",
    }
}

request! {
    /// A filter on the subject alternative names.
    pub struct SubjectAlternativeNameFilter, SubjectAlternativeNameFilterFields {
        /// On a DNS name.
        dns_name: DnsNameFilter = "DnsName",
    }
}

request! {
    /// A DNS name and how it is compared.
    pub struct DnsNameFilter, DnsNameFilterFields {
        /// The domain (`api.example.com`, `*.example.com`).
        value: String = "Value",
        /// `EQUALS` or `CONTAINS`.
        comparison_operator: String = "ComparisonOperator",
    }
}

request! {
    /// A filter on ACM's metadata.
    pub struct AcmCertificateMetadataFilter, AcmCertificateMetadataFilterFields {
        /// `ISSUED`, …
        status: String = "Status",
    }
}
