//! Load balancer checks: listeners (HTTP redirects, TLS policies) and internet-facing
//! load balancers without a web ACL.

use super::{LintRule, Lx};
use crate::requests::elbv2::{Action, CreateListener, CreateLoadBalancer};
use crate::resources::*;
use crate::stack::AnyResource;

impl Lx<'_> {
    pub(super) fn listener(&mut self, l: &Listener) {
        let internet_facing = self
            .stack
            .get(&l.load_balancer)
            .is_some_and(|lb| lb.scheme == Scheme::InternetFacing);
        if l.protocol == HttpProtocol::Http
            && internet_facing
            && !matches!(l.default_action, ListenerAction::RedirectToHttps)
        {
            self.emit(
                LintRule::HttpListenerNoRedirect,
                "",
                format!(
                    "{}[0].{}",
                    CreateListener::FIELD.default_actions,
                    Action::FIELD.action_type
                ),
                format!(
                    "HTTP listener on port {} of internet-facing `{}` serves plaintext instead of redirecting to HTTPS",
                    l.port,
                    l.load_balancer.name()
                ),
            );
        }
        if l.protocol == HttpProtocol::Https {
            if let Some(policy) = &l.ssl_policy {
                if !(policy.contains("TLS13")
                    || policy.contains("TLS-1-2")
                    || policy.contains("FS-1-2"))
                {
                    self.emit(
                        LintRule::ListenerWeakTls,
                        "",
                        CreateListener::FIELD.ssl_policy,
                        format!("TLS policy `{policy}` allows TLS versions below 1.2"),
                    );
                }
            }
        }
    }

    /// An internet-facing load balancer of the stack: a web ACL should protect it.
    pub(super) fn internet_facing_load_balancer(&mut self, lb: &LoadBalancer) {
        if !self
            .stack
            .resources()
            .any(|r| matches!(r, AnyResource::WebAcl(acl) if acl.protects(&lb.meta.name)))
        {
            self.emit(
                LintRule::AlbWithoutWebAcl,
                "",
                CreateLoadBalancer::FIELD.scheme,
                format!(
                    "internet-facing load balancer `{}` has no web ACL",
                    lb.meta.name
                ),
            );
        }
    }
}
