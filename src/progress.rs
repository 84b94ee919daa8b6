//! Progress of `apply` and `destroy`: a live line per resource in work on a terminal
//! (indicatif), one line per event otherwise, JSON lines for tools, or failures only.
//!
//! The engine reports events from many tasks at once; they go through a channel to one
//! rendering thread, which alone owns the display and ticks the live lines itself.

use crate::aws::Event;
use ecs_iac_core::Action;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A live spinner line per resource in work; finished ones scroll above.
    Live,
    /// One line per start, finish and failure.
    Lines,
    /// Failures only.
    Quiet,
    /// One JSON object per event.
    Json,
}

/// Where the lines go.
pub(crate) enum Output {
    /// A terminal-like target for the live display.
    Live(ProgressDrawTarget),
    /// A plain writer.
    Plain(Box<dyn Write + Send>),
}

/// A running progress display. [`Progress::finish`] waits until every event is shown.
pub(crate) struct Progress {
    sender: mpsc::Sender<Event>,
    renderer: Option<JoinHandle<()>>,
}

/// How often live lines are redrawn (spinner and elapsed time).
const TICK: Duration = Duration::from_millis(120);

impl Progress {
    /// Starts a display of `mode` on standard error.
    pub(crate) fn to_stderr(mode: Mode, adopting: bool) -> Progress {
        let output = match mode {
            Mode::Live => Output::Live(ProgressDrawTarget::stderr()),
            // JSON lines are data for the tool that reads stdout.
            Mode::Json => Output::Plain(Box::new(std::io::stdout())),
            _ => Output::Plain(Box::new(std::io::stderr())),
        };
        Progress::start_with(mode, output, adopting)
    }

    /// Starts a display of `mode` on `output`.
    #[cfg(test)]
    pub(crate) fn start(mode: Mode, output: Output) -> Progress {
        Progress::start_with(mode, output, false)
    }

    /// Starts a display of `mode` on `output`; `adopting` (state recovery) says "adopt"
    /// where a run says "create", since nothing is created.
    pub(crate) fn start_with(mode: Mode, output: Output, adopting: bool) -> Progress {
        let (sender, events) = mpsc::channel::<Event>();
        let renderer = std::thread::spawn(move || match output {
            Output::Live(target) => render_live(&events, target, adopting),
            Output::Plain(mut out) => {
                for event in events {
                    if let Some(line) = plain_line(mode, &event, adopting) {
                        let _ = writeln!(out, "{line}");
                    }
                }
                let _ = out.flush();
            }
        });
        Progress {
            sender,
            renderer: Some(renderer),
        }
    }

    /// The callback the engine reports events to.
    pub(crate) fn sink(&self) -> Arc<dyn Fn(&Event) + Send + Sync> {
        let sender = self.sender.clone();
        Arc::new(move |event: &Event| {
            let _ = sender.send(event.clone());
        })
    }

    /// Waits until every event sent so far is shown, then stops the display.
    pub(crate) fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        // Closing our sender ends the renderer once the engine's clones are dropped too.
        let (closed, _) = mpsc::channel();
        drop(std::mem::replace(&mut self.sender, closed));
        if let Some(renderer) = self.renderer.take() {
            let _ = renderer.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The verb shown for an action.
pub(crate) fn verb(action: Action, adopting: bool) -> &'static str {
    match action {
        Action::Create if adopting => "adopt",
        Action::Create => "create",
        Action::Update => "update",
        Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
        Action::Delete => "delete",
        Action::Forget => "forget",
        Action::Read => "read",
        Action::NoOp => "keep",
    }
}

fn seconds(millis: u128) -> f64 {
    millis as f64 / 1000.0
}

/// The line a plain display prints for `event`, if any.
fn plain_line(mode: Mode, event: &Event, adopting: bool) -> Option<String> {
    match (mode, event) {
        (Mode::Json, event) => serde_json::to_string(event).ok(),
        (Mode::Quiet, Event::Started { .. } | Event::Finished { .. }) => None,
        // Waits are shown on the live line; plain output says what it waited for when
        // it is interrupted or fails.
        (_, Event::Waiting { .. }) => None,
        (_, Event::Started { address, action }) => {
            Some(format!("  {} {address}: started", verb(*action, adopting)))
        }
        (_, event) => Some(finished_line(event, adopting)),
    }
}

/// The permanent line of a finished or failed resource.
fn finished_line(event: &Event, adopting: bool) -> String {
    match event {
        Event::Started { address, action } => format!("  {} {address}", verb(*action, adopting)),
        Event::Finished {
            address,
            action,
            millis,
        } => format!("  ✓ {} {address} ({:.1}s)", verb(*action, adopting), seconds(*millis)),
        Event::Failed {
            address,
            action,
            error,
        } => format!("  ✗ {} {address}: FAILED: {error}", verb(*action, adopting)),
        Event::Interrupted {
            address,
            action,
            waiting_for,
        } => format!(
            "  ⏸ {} {address}: interrupted while waiting for {waiting_for}; the next apply picks it up",
            verb(*action, adopting)
        ),
        Event::Waiting { address, message } => format!("  … {address}: {message}"),
        Event::Stopping {
            in_flight,
            abandoned: false,
        } => format!(
            "  ■ interrupted: no new work starts; waiting for {} in flight to stop ({}); interrupt again to abandon them",
            in_flight.len(),
            in_flight.join(", ")
        ),
        Event::Stopping {
            in_flight,
            abandoned: true,
        } => format!(
            "  ■ interrupted again: abandoned {} ({}); the next apply picks them up",
            in_flight.len(),
            in_flight.join(", ")
        ),
    }
}

fn render_live(events: &mpsc::Receiver<Event>, target: ProgressDrawTarget, adopting: bool) {
    let lines = MultiProgress::with_draw_target(target);
    let template = if colors_on_stderr() {
        "  {spinner:.cyan} {prefix} ({elapsed}) {wide_msg}"
    } else {
        "  {spinner} {prefix} ({elapsed}) {wide_msg}"
    };
    let style =
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner());
    let mut in_work: BTreeMap<String, ProgressBar> = BTreeMap::new();
    loop {
        match events.recv_timeout(TICK) {
            Ok(Event::Started { address, action }) => {
                let bar = lines.add(ProgressBar::new_spinner().with_style(style.clone()));
                bar.set_prefix(format!("{} {address}", verb(action, adopting)));
                bar.tick();
                in_work.insert(address, bar);
            }
            Ok(Event::Waiting { address, message }) => {
                if let Some(bar) = in_work.get(&address) {
                    bar.set_message(message);
                    bar.tick();
                }
            }
            Ok(event @ Event::Stopping { .. }) => {
                let _ = lines.println(finished_line(&event, adopting));
            }
            Ok(event) => {
                let address = match &event {
                    Event::Started { address, .. }
                    | Event::Finished { address, .. }
                    | Event::Failed { address, .. }
                    | Event::Interrupted { address, .. }
                    | Event::Waiting { address, .. } => address.clone(),
                    Event::Stopping { .. } => String::new(),
                };
                if let Some(bar) = in_work.remove(&address) {
                    bar.finish_and_clear();
                    lines.remove(&bar);
                }
                let _ = lines.println(finished_line(&event, adopting));
            }
            Err(RecvTimeoutError::Timeout) => in_work.values().for_each(ProgressBar::tick),
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    for bar in in_work.values() {
        bar.finish_and_clear();
    }
    let _ = lines.clear();
}

/// Whether stderr may carry ANSI colors: it is a terminal and `NO_COLOR` is unset or
/// empty (no-color.org).
pub(crate) fn colors_on_stderr() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::{InMemoryTerm, TermLike};
    use std::sync::Mutex;

    fn events() -> Vec<Event> {
        vec![
            Event::Started {
                address: "app-vpc".into(),
                action: Action::Create,
            },
            Event::Started {
                address: "app-logs".into(),
                action: Action::Create,
            },
            Event::Finished {
                address: "app-vpc".into(),
                action: Action::Create,
                millis: 1300,
            },
            Event::Failed {
                address: "app-logs".into(),
                action: Action::Create,
                error: "logs:CreateLogGroup failed: AccessDenied".into(),
            },
        ]
    }

    #[test]
    fn live_display_leaves_one_line_per_finished_resource() {
        let term = InMemoryTerm::new(20, 100);
        let progress = Progress::start(
            Mode::Live,
            Output::Live(ProgressDrawTarget::term_like(Box::new(term.clone()))),
        );
        let sink = progress.sink();
        events()[..2].iter().for_each(|e| sink(e));
        std::thread::sleep(TICK * 3);
        // While both are in work, each has a live line.
        let live = term.contents();
        assert!(live.contains("create app-vpc"), "{live}");
        assert!(live.contains("create app-logs"), "{live}");
        events()[2..].iter().for_each(|e| sink(e));
        drop(sink);
        progress.finish();
        let shown = term.contents();
        assert!(shown.contains("✓ create app-vpc (1.3s)"), "{shown}");
        assert!(
            shown.contains("✗ create app-logs: FAILED: logs:CreateLogGroup failed: AccessDenied"),
            "{shown}"
        );
        assert_eq!(shown.lines().filter(|l| !l.trim().is_empty()).count(), 2);
        assert_eq!(term.height(), 20);
    }

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn plain(mode: Mode) -> String {
        let buffer = Buffer::default();
        let progress = Progress::start(mode, Output::Plain(Box::new(buffer.clone())));
        let sink = progress.sink();
        events().iter().for_each(|e| sink(e));
        drop(sink);
        progress.finish();
        let bytes = buffer.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn plain_quiet_and_json_modes() {
        assert_eq!(
            plain(Mode::Lines),
            "  create app-vpc: started\n  create app-logs: started\n  ✓ create app-vpc (1.3s)\n  \
             ✗ create app-logs: FAILED: logs:CreateLogGroup failed: AccessDenied\n"
        );
        assert_eq!(
            plain(Mode::Quiet),
            "  ✗ create app-logs: FAILED: logs:CreateLogGroup failed: AccessDenied\n"
        );
        let json = plain(Mode::Json);
        let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
        assert_eq!(first["event"], "started");
        assert_eq!(first["address"], "app-vpc");
        assert_eq!(json.lines().count(), 4);
    }
}
