//! Cloud Map (namespaces, services) requests.

use crate::request::request;

request! {
    /// `servicediscovery:CreateHttpNamespace`.
    pub struct CreateHttpNamespace, CreateHttpNamespaceFields {
        /// The namespace's name.
        name: String = "Name",
        /// A description.
        description: String = "Description",
    }
}

request! {
    /// `servicediscovery:ListNamespaces`: the lookup of a namespace the stack does not own.
    pub struct ListNamespaces, ListNamespacesFields {
        /// The filters (one, on the name).
        filters: Vec<NamespaceFilter> = "Filters",
    }
}

request! {
    /// A filter of `ListNamespaces`.
    pub struct NamespaceFilter, NamespaceFilterFields {
        /// `NAME`.
        name: String = "Name",
        /// The values compared.
        values: Vec<String> = "Values",
        /// `EQ`.
        condition: String = "Condition",
    }
}
