//! ECS Service Connect: the services a service exposes in its namespace.

use super::*;
use crate::resources::iam::Role;
use crate::resources::servicediscovery::Namespace;
use crate::stack::Ref;

/// One service exposed through Service Connect.
#[derive(Debug, Clone)]
pub struct ServiceConnectService {
    pub(crate) port_name: String,
    pub(super) discovery_name: Option<String>,
    pub(super) aliases: Vec<(u16, Option<String>)>,
    pub(crate) tls: Option<(String, Ref<Role>)>,
}

impl ServiceConnectService {
    /// Exposes the task's port mapping named `port_name`.
    pub fn new(port_name: impl Into<String>) -> ServiceConnectService {
        ServiceConnectService {
            port_name: port_name.into(),
            discovery_name: None,
            aliases: Vec::new(),
            tls: None,
        }
    }

    /// The Cloud Map discovery name (defaults to the port name).
    #[must_use]
    pub fn discovery_name(mut self, name: impl Into<String>) -> ServiceConnectService {
        self.discovery_name = Some(name.into());
        self
    }

    /// A client alias: clients connect to `dns_name:port` (dns name defaults to the discovery name).
    #[must_use]
    pub fn client_alias(mut self, port: u16, dns_name: Option<&str>) -> ServiceConnectService {
        self.aliases.push((port, dns_name.map(str::to_string)));
        self
    }

    /// TLS between Service Connect proxies, with certificates from an AWS Private CA and
    /// the infrastructure role ECS uses to issue them.
    #[must_use]
    pub fn tls(
        mut self,
        private_ca_arn: impl Into<String>,
        role: &Ref<Role>,
    ) -> ServiceConnectService {
        self.tls = Some((private_ca_arn.into(), role.clone()));
        self
    }
}

/// Service Connect settings of a service.
#[derive(Debug, Clone)]
pub struct ServiceConnect {
    pub(super) namespace: Ref<Namespace>,
    pub(crate) services: Vec<ServiceConnectService>,
    pub(crate) logs: Option<LogConfig>,
}

impl ServiceConnect {
    /// Joins `namespace` as a client; add [`ServiceConnect::service`] to serve too.
    pub fn new(namespace: &Ref<Namespace>) -> ServiceConnect {
        ServiceConnect {
            namespace: namespace.clone(),
            services: Vec::new(),
            logs: None,
        }
    }

    /// Exposes a port of the task.
    #[must_use]
    pub fn service(mut self, service: ServiceConnectService) -> ServiceConnect {
        self.services.push(service);
        self
    }

    /// Logs of the Service Connect proxy.
    #[must_use]
    pub fn logs(mut self, config: LogConfig) -> ServiceConnect {
        self.logs = Some(config);
        self
    }
}
