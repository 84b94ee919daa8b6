//! Ctrl-C and SIGTERM while a run is in progress.

/// Interrupt signals as they come: Ctrl-C (SIGINT), and SIGTERM on Unix, which stops a
/// run exactly like the first Ctrl-C. Never, when the caller handles signals itself.
pub(super) struct Interrupts {
    enabled: bool,
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Interrupts {
    /// Installs the handlers at once (before any work starts), when `enabled`.
    pub(super) fn new(enabled: bool) -> Interrupts {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = enabled
                .then(|| {
                    Some((
                        signal(SignalKind::interrupt()).ok()?,
                        signal(SignalKind::terminate()).ok()?,
                    ))
                })
                .flatten();
            if enabled && signals.is_none() {
                tracing::warn!("could not install the SIGINT/SIGTERM handlers");
            }
            Interrupts { enabled, signals }
        }
        #[cfg(not(unix))]
        Interrupts { enabled }
    }

    /// The next interrupt.
    pub(super) async fn next(&mut self) {
        if !self.enabled {
            return std::future::pending().await;
        }
        #[cfg(unix)]
        match &mut self.signals {
            Some((interrupt, terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            }
            None => std::future::pending().await,
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
