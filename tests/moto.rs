//! A local moto server per test, started from the project venv, stopped on drop.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The moto version the project pins (scripts/test.sh installs it).
pub const MOTO_VERSION: &str = "5.2.5";

pub struct Moto {
    child: Child,
    pub endpoint: String,
    // Tests against moto run one at a time: on a 2-core machine, parallel servers and
    // applies make timings (and the kill test's in-flight window) unpredictable.
    _serial: std::sync::MutexGuard<'static, ()>,
}

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// moto_server's own start-up, with werkzeug serving one request at a time.
const ONE_AT_A_TIME: &str = "\
import sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication, MotoRequestHandler, create_backend_app)
run_simple('127.0.0.1', int(sys.argv[1]), DomainDispatcherApplication(create_backend_app),
           threaded=False, request_handler=MotoRequestHandler)
";

fn venv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin")
}

impl Moto {
    /// Starts moto_server on a free loopback port. Fails (never skips) when moto is not
    /// installed, saying how to install it.
    pub fn start() -> Moto {
        Moto::launch(false)
    }

    /// Starts a moto_server that answers one request at a time. moto checks S3's
    /// conditions (`If-None-Match: *`) and then writes, without a lock between the two, so
    /// two conditional writes on parallel threads can both succeed; S3 itself decides them
    /// atomically. Tests of racing writers use this server so that moto decides like S3.
    pub fn start_one_request_at_a_time() -> Moto {
        Moto::launch(true)
    }

    fn launch(one_at_a_time: bool) -> Moto {
        let serial = SERIAL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bin = venv().join("moto_server");
        assert!(
            bin.exists(),
            "moto_server is not installed at {}. Install it with `bash scripts/test.sh` (which sets up .venv), \
             or: python3 -m venv .venv && .venv/bin/pip install 'moto[server]=={MOTO_VERSION}'",
            bin.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut command = if one_at_a_time {
            let mut c = Command::new(venv().join("python"));
            c.args(["-c", ONE_AT_A_TIME, &port.to_string()]);
            c
        } else {
            let mut c = Command::new(&bin);
            c.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
            c
        };
        let child = command
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .env("MOTO_ECS_SERVICE_RUNNING", "2")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not listen on port {port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            _serial: serial,
        }
    }

    /// Creates what the examples expect to exist (a certificate and the secrets);
    /// returns the certificate ARN.
    pub fn seed(&self) -> String {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/moto_seed.py");
        let out = Command::new(venv().join("python"))
            .arg(script)
            .arg(&self.endpoint)
            .output()
            .expect("moto_seed.py runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "moto_seed.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        text.lines()
            .find_map(|l| l.strip_prefix("CERTIFICATE_ARN="))
            .map(str::to_string)
            .expect("a certificate ARN")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
