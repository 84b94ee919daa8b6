//! A loopback HTTP proxy in front of moto that injects faults: 500s, 503 throttling, and
//! responses lost after the emulator did the work. One request per connection.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward it and relay the answer.
    Pass,
    /// Answer 500 without forwarding.
    ServerError,
    /// Answer 503 (throttled) without forwarding.
    Throttle,
    /// Forward it, then close the connection without answering.
    LoseResponse,
    /// Forward it and answer only after `SLOW` (past the client's attempt timeout).
    SlowResponse,
    /// Answer 400 without forwarding, with an error message that echoes the request
    /// body, as some AWS validation errors echo parameters.
    EchoError,
}

/// How late a slow response comes.
pub const SLOW: std::time::Duration = std::time::Duration::from_millis(1500);

pub type Decide = dyn Fn(usize, &str) -> Fault + Send + Sync;

pub struct FaultProxy {
    pub endpoint: String,
    pub injected: Arc<AtomicUsize>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream` (`host:port`);
    /// `decide(n, request)` picks the fault for the n-th request (head and body as text).
    pub fn start(upstream: &str, decide: Arc<Decide>) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let upstream = upstream.trim_start_matches("http://").to_string();
        let injected = Arc::new(AtomicUsize::new(0));
        let counter = Arc::new(AtomicUsize::new(0));
        let injected_in = injected.clone();
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (upstream, decide, counter, injected) = (
                    upstream.clone(),
                    decide.clone(),
                    counter.clone(),
                    injected_in.clone(),
                );
                thread::spawn(move || {
                    let _ = serve(conn, &upstream, &*decide, &counter, &injected);
                });
            }
        });
        FaultProxy {
            endpoint: format!("http://127.0.0.1:{port}"),
            injected,
        }
    }
}

/// Reads one HTTP request (head and body) from `conn`.
pub fn read_request(conn: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Ok(buf);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return Ok(buf);
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn serve(
    mut conn: TcpStream,
    upstream: &str,
    decide: &Decide,
    counter: &AtomicUsize,
    injected: &AtomicUsize,
) -> std::io::Result<()> {
    let request = read_request(&mut conn)?;
    if request.is_empty() {
        return Ok(());
    }
    let n = counter.fetch_add(1, Ordering::SeqCst);
    let fault = decide(n, &String::from_utf8_lossy(&request));
    if fault != Fault::Pass {
        injected.fetch_add(1, Ordering::SeqCst);
    }
    match fault {
        Fault::ServerError | Fault::Throttle => {
            let status = if fault == Fault::Throttle {
                "503 Service Unavailable"
            } else {
                "500 Internal Server Error"
            };
            let answer =
                format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            conn.write_all(answer.as_bytes())?;
        }
        Fault::EchoError => {
            let text = String::from_utf8_lossy(&request);
            let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
            let xml = format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>\
                 <Message>Invalid request: {}</Message></Error><RequestId>echo-1</RequestId></ErrorResponse>",
                body.replace('&', " ")
            );
            let answer = format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                xml.len()
            );
            conn.write_all(answer.as_bytes())?;
        }
        Fault::Pass | Fault::LoseResponse | Fault::SlowResponse => {
            let mut up = TcpStream::connect(upstream)?;
            up.write_all(&request)?;
            let mut response = Vec::new();
            up.read_to_end(&mut response)?;
            if fault == Fault::SlowResponse {
                thread::sleep(SLOW);
            }
            if fault != Fault::LoseResponse {
                conn.write_all(&response)?;
            }
        }
    }
    conn.shutdown(Shutdown::Both)
}

/// The AWS operation a request calls: `Action=` of query protocols, or the
/// `X-Amz-Target` header of JSON protocols.
pub fn operation(request: &str) -> String {
    request
        .split(['&', '\r', '\n'])
        .find_map(|part| part.strip_prefix("Action=").map(str::to_string))
        .or_else(|| {
            request.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .starts_with("x-amz-target:")
                    .then(|| l.rsplit('.').next().unwrap_or("").trim().to_string())
            })
        })
        .unwrap_or_default()
}

/// Loses the response of the first attempt of every distinct create call (by request
/// text), except the kinds named in `spare`.
pub fn lose_first_create_responses(spare: &'static [&'static str]) -> Arc<Decide> {
    let seen: Mutex<HashSet<String>> = Mutex::new(HashSet::new());
    Arc::new(move |_, request: &str| {
        let action = operation(request);
        let is_create = ["Create", "Register", "Allocate", "Put"]
            .iter()
            .any(|p| action.starts_with(p));
        if !is_create || spare.contains(&action.as_str()) {
            return Fault::Pass;
        }
        let body = request.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
        let first = seen
            .lock()
            .map(|mut s| s.insert(format!("{action}|{body}")))
            .unwrap_or(false);
        if first {
            Fault::LoseResponse
        } else {
            Fault::Pass
        }
    })
}

/// A proxy that passes everything and records each request's operation.
pub fn recording(moto: &crate::moto::Moto) -> (FaultProxy, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let decide: Arc<Decide> = Arc::new(move |_, request: &str| {
        if let Ok(mut log) = log.lock() {
            log.push(operation(request));
        }
        Fault::Pass
    });
    (FaultProxy::start(&moto.endpoint, decide), seen)
}

/// The operations that change something (everything but reads).
pub fn mutating(seen: &[String]) -> Vec<String> {
    seen.iter()
        .filter(|op| {
            !["Describe", "Get", "List", "Search"]
                .iter()
                .any(|read| op.starts_with(read))
        })
        .cloned()
        .collect()
}
