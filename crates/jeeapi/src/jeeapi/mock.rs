//! A mock Jeedom on `hyper`: one HTTP server serves any number of [`Timeline`]s at once, each
//! as a session keyed by its own generated API key, in the dialect of its Jeedom version (id 99999
//! on ≤ 4.4 errors, `"ok"` for empty results on 4.5, `log::getDelta` only on 4.4+, French
//! messages). It follows the timeline: the log, the listings and `datetime` are those of the
//! session's current step; the virtual is whatever the last `cmd::event` wrote.
//!
//! Beyond jeeApi it offers the pro API's listings (`/core/api/proApi.php`, `params.proapi`:
//! `backup::list`, `backup::listMarket`, `backup::listSamba`) and two control methods only a
//! replay session understands (`mock::enterStep`, `mock::noCloudBackup`). A session in
//! [`SessionMode::Live`] has neither, like a real box.
//!
//! Logs travel as JSON strings, i.e. text: a log byte that is not UTF-8 (a Latin-1 log) reaches
//! the client as U+FFFD, and the client's [`super::LogRead::caveat`] says so.
//!
//! Faults are injected per session or for the whole server ([`FaultRule`]). A request to any other
//! path or with another method is a stray: answered 404 and counted ([`JeedomMock::strays`]).
//!
//! The server answers whoever connects on 127.0.0.1 (`infobackup serve` runs for days), so it keeps
//! nothing per request (counters, and the first [`MAX_STRAYS`] strays) and every connection lives
//! under [`Limits`]: a body size, a connection count, and times for a request's head, its body and
//! a stalled write. It is built on hyper, not wiremock: wiremock keeps a copy of every request a
//! mock matched (whatever `disable_request_recording` says) and reads every body whole before
//! matching, which is what let a long `serve` grow without bound.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jiff::tz::AmbiguousOffset;
use serde_json::{Map, Value, json};

use super::client::{ClientConfig, MOCK_VIRTUAL_CMD};
use super::protocol::{self, ApiKey, JEEAPI_PATH, PROAPI_PATH, code, method, wire_result};
use crate::world::{JeedomVersion, LogName, Step, Timeline, format_at};

/// Jeedom's `maxLineLog`: `log::get` first cuts the file to this many last lines.
pub const MAX_LINE_LOG: usize = 500;
/// `log::getDelta`'s page size when the request has no `max`.
pub const DEFAULT_DELTA_MAX: usize = 200;

/// Why the mock could not start or take a timeline.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot start the mock's runtime: {0}")]
    Runtime(std::io::Error),
    #[error("the mock's start-up thread panicked")]
    StartupPanicked,
    #[error("the timeline has no steps")]
    NoSteps,
    #[error("time zone {tz:?}: {why}")]
    TimeZone { tz: String, why: String },
    #[error(
        "step {step} happens at {at}, a time that does not exist in {tz} (skipped by a daylight-saving \
         change): Jeedom's `datetime` cannot tell it"
    )]
    NonexistentTime { step: usize, at: String, tz: String },
    #[error("start step {start} is past the timeline's {len} steps")]
    StartStep { start: usize, len: usize },
}

// ---- faults -------------------------------------------------------------------------------------

/// One way the box can misbehave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer this late (past the client's timeout, it times out).
    Latency(Duration),
    /// HTTP 500 with an HTML body.
    Http500,
    /// HTTP 200 whose body is a PHP warning followed by the JSON: not JSON.
    NotJson,
    /// An answer whose `jsonrpc` is `"1.0"`.
    WrongJsonRpc,
    /// Code 2 even for the right key (as after the key was regenerated).
    WrongKey,
    /// Code 500, no such method (aim it with [`FaultRule::on`]).
    MissingMethod,
    /// The listing methods throw this message.
    ListingFails(String),
    /// Code 1: the JSON-RPC API is disabled.
    ApiDisabled,
}

/// A fault, the method it hits (all when `None`), and how many more times (always when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    pub fault: Fault,
    pub method: Option<String>,
    pub remaining: Option<u32>,
}

impl FaultRule {
    pub fn always(fault: Fault) -> FaultRule {
        FaultRule {
            fault,
            method: None,
            remaining: None,
        }
    }
    /// Only requests for `method`.
    pub fn on(mut self, method: &str) -> FaultRule {
        self.method = Some(method.to_owned());
        self
    }
    /// Only the next `n` matching requests.
    pub fn times(mut self, n: u32) -> FaultRule {
        self.remaining = Some(n);
        self
    }
}

/// Takes the faults that hit `method` from `rules`, consuming counted ones.
fn take_faults(rules: &mut Vec<FaultRule>, method: &str, out: &mut Vec<Fault>) {
    for r in rules.iter_mut() {
        if r.method.as_deref().is_some_and(|m| m != method) || r.remaining == Some(0) {
            continue;
        }
        if let Some(n) = &mut r.remaining {
            *n -= 1;
        }
        out.push(r.fault.clone());
    }
    rules.retain(|r| r.remaining != Some(0));
}

// ---- sessions -----------------------------------------------------------------------------------

/// What a session imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionMode {
    /// A replay: control methods and pro-API listings available.
    #[default]
    Replay,
    /// A real box: no control method, no listing; the timeline stays at its start step.
    Live,
}

/// How to serve a timeline.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// Serve this Jeedom dialect instead of the timeline's.
    pub dialect: Option<JeedomVersion>,
    pub mode: SessionMode,
    pub faults: Vec<FaultRule>,
    /// Id of the virtual command (default [`MOCK_VIRTUAL_CMD`]).
    pub virtual_cmd: Option<u64>,
    /// The step the session starts at (default 0).
    pub start_step: usize,
    /// The release `version` announces (default: the dialect's, e.g. `4.4.20`): any text, so a
    /// test can play a box of a Jeedom the scenario is not published for (`4.6.1`, `4.1.5`).
    pub release: Option<String>,
}

struct Session {
    timeline: Arc<Timeline>,
    dialect: JeedomVersion,
    /// What `version` announces, when not the dialect's release.
    release: Option<String>,
    mode: SessionMode,
    step: usize,
    /// Unix seconds of each step.
    epochs: Vec<i64>,
    virtual_value: String,
    virtual_cmd: u64,
    faults: Vec<FaultRule>,
    events: u64,
}

impl Session {
    fn current(&self) -> Option<&Step> {
        self.timeline.steps.get(self.step)
    }
}

/// A request nothing but the catch-all matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    pub method: String,
    pub path: String,
    pub body_len: usize,
}

#[derive(Default)]
struct State {
    sessions: HashMap<String, Session>,
    faults: Vec<FaultRule>,
    strays: Vec<Stray>,
    served: u64,
    counts: Counts,
    /// Dialect of answers given before a session is known (4.4 when `None`).
    default_dialect: Option<JeedomVersion>,
}

struct Shared {
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data; keep serving.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What the server did besides answering: every figure is a counter, so memory stays flat
/// however long it runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests that matched no route (all of them, beyond the [`MAX_STRAYS`] kept).
    pub strays: u64,
    /// Connections closed at once because [`Limits::max_connections`] were open.
    pub refused_connections: u64,
    /// Requests whose body was larger than [`Limits::max_body`] (answered with a JSON-RPC error,
    /// the body never held).
    pub too_large: u64,
    /// Requests whose body did not arrive within [`Limits::body_timeout`].
    pub body_timeouts: u64,
}

/// The limits every connection lives under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body, in bytes (1 MiB). A larger one is answered with a JSON-RPC error
    /// (HTTP 413) without being held: refused on its `Content-Length`, or as soon as more has
    /// arrived.
    pub max_body: usize,
    /// Connections open at once (256). One more is answered 503 and closed.
    pub max_connections: usize,
    /// Time for a request's head (method, path, headers) to arrive, and for a kept-alive
    /// connection's next request to begin (10 s): an idle or slow connection is closed after it.
    pub header_timeout: Duration,
    /// Time for a request's body to arrive once its head has (10 s).
    pub body_timeout: Duration,
    /// Time an answer may wait for a client that does not read it (10 s).
    pub write_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 1024 * 1024,
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
        }
    }
}

/// The mock server. Dropping it stops the server.
pub struct JeedomMock {
    address: SocketAddr,
    shared: Arc<Shared>,
    /// Dropped with the mock: the server's loop sees it and ends, closing every connection.
    _stop: tokio::sync::watch::Sender<()>,
}

impl std::fmt::Debug for JeedomMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JeedomMock")
            .field("uri", &self.uri())
            .finish_non_exhaustive()
    }
}

impl JeedomMock {
    /// Starts an isolated server on a free loopback port.
    pub async fn start() -> Result<JeedomMock, MockError> {
        Self::start_on(0).await
    }

    /// Starts on `127.0.0.1:port` (0: any free port).
    pub async fn start_on(port: u16) -> Result<JeedomMock, MockError> {
        Self::start_blocking(port)
    }

    /// Starts from synchronous code, inside or outside a tokio runtime: the server runs on its own
    /// thread with its own runtime, with the default [`Limits`].
    pub fn start_blocking(port: u16) -> Result<JeedomMock, MockError> {
        Self::start_with(port, Limits::default())
    }

    /// Starts on `127.0.0.1:port` with the given limits.
    pub fn start_with(port: u16, limits: Limits) -> Result<JeedomMock, MockError> {
        let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|source| MockError::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| MockError::Bind { port, source })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| MockError::Bind { port, source })?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(MockError::Runtime)?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
        });
        let (stop, stopped) = tokio::sync::watch::channel(());
        let server = Arc::new(server::Server::new(shared.clone(), limits));
        std::thread::Builder::new()
            .name("jeedom-mock".into())
            .spawn(move || rt.block_on(server::run(listener, server, stopped)))
            .map_err(MockError::Runtime)?;
        Ok(JeedomMock {
            address,
            shared,
            _stop: stop,
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The jeeApi URL.
    pub fn jeeapi_url(&self) -> String {
        format!("{}{JEEAPI_PATH}", self.uri())
    }

    /// Serves `timeline` under a new generated key. The session ends when the handle drops.
    pub fn register(&self, timeline: Arc<Timeline>, opts: SessionOptions) -> Result<MockSession, MockError> {
        if timeline.steps.is_empty() {
            return Err(MockError::NoSteps);
        }
        if opts.start_step >= timeline.steps.len() {
            return Err(MockError::StartStep {
                start: opts.start_step,
                len: timeline.steps.len(),
            });
        }
        let tz = jiff::tz::TimeZone::get(&timeline.tz).map_err(|e| MockError::TimeZone {
            tz: timeline.tz.clone(),
            why: e.to_string(),
        })?;
        let mut epochs = Vec::with_capacity(timeline.steps.len());
        for (i, s) in timeline.steps.iter().enumerate() {
            let amb = tz.to_ambiguous_timestamp(s.at);
            let nonexistent = || MockError::NonexistentTime {
                step: i + 1,
                at: format_at(s.at),
                tz: timeline.tz.clone(),
            };
            if matches!(amb.offset(), AmbiguousOffset::Gap { .. }) {
                return Err(nonexistent());
            }
            // In a fold (clocks set back) the box's clock passes twice; the first pass reads back
            // as the same local time.
            let ts = amb.earlier().map_err(|_| nonexistent())?;
            epochs.push(ts.as_second());
        }
        let key = generate_key();
        let session = Session {
            dialect: opts.dialect.unwrap_or(timeline.jeedom),
            release: opts.release,
            mode: opts.mode,
            step: opts.start_step,
            epochs,
            virtual_value: timeline.initial_virtual.clone(),
            virtual_cmd: opts.virtual_cmd.unwrap_or(MOCK_VIRTUAL_CMD),
            faults: opts.faults,
            events: 0,
            timeline: timeline.clone(),
        };
        let mode = session.mode;
        let virtual_cmd = session.virtual_cmd;
        self.shared.lock().sessions.insert(key.expose().to_owned(), session);
        Ok(MockSession {
            key,
            shared: self.shared.clone(),
            uri: self.uri(),
            tz: timeline.tz.clone(),
            mode,
            virtual_cmd,
        })
    }

    /// A fault for every request to this server, whatever the key.
    pub fn add_fault(&self, rule: FaultRule) {
        self.shared.lock().faults.push(rule);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Requests that matched no route, the first 1000 (tests assert there are none).
    pub fn strays(&self) -> Vec<Stray> {
        self.shared.lock().strays.clone()
    }

    /// Requests answered on the jeeApi and pro-API routes.
    pub fn served(&self) -> u64 {
        self.shared.lock().served
    }

    /// What the server refused or dropped, and the strays it saw.
    pub fn counts(&self) -> Counts {
        self.shared.lock().counts
    }

    pub fn session_count(&self) -> usize {
        self.shared.lock().sessions.len()
    }

    /// The dialect used for answers given before a session is known (bad key, ping).
    pub fn set_default_dialect(&self, v: JeedomVersion) {
        self.shared.lock().default_dialect = Some(v);
    }
}

/// A registered timeline. Dropping it ends the session (its key stops working).
pub struct MockSession {
    key: ApiKey,
    shared: Arc<Shared>,
    uri: String,
    tz: String,
    mode: SessionMode,
    virtual_cmd: u64,
}

impl std::fmt::Debug for MockSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockSession")
            .field("uri", &self.uri)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl MockSession {
    pub fn key(&self) -> &ApiKey {
        &self.key
    }

    /// A client configuration for this session: a replay session pushes writes and drives the
    /// timeline; a live one is [`ClientConfig::live`].
    pub fn client_config(&self) -> ClientConfig {
        let mut c = match self.mode {
            SessionMode::Replay => ClientConfig::mock_session(self.uri.clone(), self.key.clone()),
            SessionMode::Live => ClientConfig::live(self.uri.clone(), self.key.clone(), self.virtual_cmd),
        };
        c.virtual_cmd = self.virtual_cmd;
        c.tz = self.tz.clone();
        c
    }

    fn with<T>(&self, f: impl FnOnce(&mut Session) -> T) -> Option<T> {
        self.shared.lock().sessions.get_mut(self.key.expose()).map(f)
    }

    /// The virtual's value as the mock holds it.
    pub fn virtual_value(&self) -> Option<String> {
        self.with(|s| s.virtual_value.clone())
    }

    /// The current step (0-based).
    pub fn step(&self) -> Option<usize> {
        self.with(|s| s.step)
    }

    /// How many `cmd::event` calls the session took.
    pub fn events(&self) -> Option<u64> {
        self.with(|s| s.events)
    }

    pub fn add_fault(&self, rule: FaultRule) {
        self.with(|s| s.faults.push(rule));
    }

    pub fn clear_faults(&self) {
        self.with(|s| s.faults.clear());
    }
}

impl Drop for MockSession {
    fn drop(&mut self) {
        self.shared.lock().sessions.remove(self.key.expose());
    }
}

/// A fresh 40-character alphanumeric key (Jeedom's own are 32 or 64), from the process's random
/// hashing keys and a counter: unpredictable enough for a mock, and no clock read.
pub fn generate_key() -> ApiKey {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(40);
    while out.len() < 40 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut x = h.finish();
        for _ in 0..10 {
            let i = usize::try_from(x % 62).unwrap_or(0);
            out.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'A')));
            x /= 62;
        }
    }
    // 40 alphanumeric characters always pass the key rules.
    ApiKey::new(out).unwrap_or_else(|_| unreachable!("a generated key is 40 alphanumeric characters"))
}

// ---- answering ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Jee,
    Pro,
}

/// How many stray requests the mock remembers.
pub const MAX_STRAYS: usize = 1000;

/// One answer, before it becomes HTTP.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

/// The HTTP side: accepting under the connection cap, hyper's HTTP/1.1 with the head timeout,
/// the bounded body, the stalled-write timeout, and routing to [`answer`].
mod server {
    use std::convert::Infallible;
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use bytes::Bytes;
    use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
    use hyper::body::Incoming;
    use hyper::{Method, Request, Response, StatusCode, header};
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    use tokio::sync::Semaphore;

    use super::*;

    pub(super) struct Server {
        shared: Arc<Shared>,
        limits: Limits,
        connections: Arc<Semaphore>,
    }

    impl Server {
        pub(super) fn new(shared: Arc<Shared>, limits: Limits) -> Server {
            Server {
                connections: Arc::new(Semaphore::new(limits.max_connections)),
                shared,
                limits,
            }
        }
    }

    /// What a client past the connection cap reads before the connection closes.
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 95\r\nConnection: close\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32000,\"message\":\"Too many connections, try again\"}}";

    pub(super) async fn run(listener: TcpListener, server: Arc<Server>, mut stop: tokio::sync::watch::Receiver<()>) {
        let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
            return;
        };
        loop {
            let stream = tokio::select! {
                biased;
                _ = stop.changed() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    // Out of file descriptors or a connection reset before accept: wait a little
                    // rather than spin.
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                },
            };
            let Ok(permit) = server.connections.clone().try_acquire_owned() else {
                server.shared.lock().counts.refused_connections += 1;
                let _ = stream.try_write(BUSY);
                continue;
            };
            let server = server.clone();
            tokio::spawn(async move {
                let _permit = permit;
                let io = TokioIo::new(StallTimeout::new(stream, server.limits.write_timeout));
                let header_timeout = server.limits.header_timeout;
                let service = hyper::service::service_fn(move |request| {
                    let server = server.clone();
                    async move { Ok::<_, Infallible>(server.handle(request).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .serve_connection(io, service)
                    .await;
            });
        }
    }

    impl Server {
        async fn handle(&self, request: Request<Incoming>) -> Response<Full<Bytes>> {
            let endpoint = match (request.method(), request.uri().path()) {
                (&Method::POST, JEEAPI_PATH) => Some(Endpoint::Jee),
                (&Method::POST, PROAPI_PATH) => Some(Endpoint::Pro),
                _ => None,
            };
            let declared = request
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            if declared.is_some_and(|n| n > self.limits.max_body as u64) {
                return self.too_large();
            }
            let content_type = request
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let (method, path) = (request.method().to_string(), request.uri().path().to_owned());
            let limited = Limited::new(request.into_body(), self.limits.max_body).collect();
            let body = match tokio::time::timeout(self.limits.body_timeout, limited).await {
                Ok(Ok(collected)) => collected.to_bytes(),
                Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => return self.too_large(),
                // The client went away mid-body: nobody reads this answer.
                Ok(Err(_)) => return closing(StatusCode::BAD_REQUEST, Vec::new(), "text/plain"),
                Err(_) => {
                    self.shared.lock().counts.body_timeouts += 1;
                    return closing(StatusCode::REQUEST_TIMEOUT, Vec::new(), "text/plain");
                }
            };
            let Some(endpoint) = endpoint else {
                let mut state = self.shared.lock();
                state.counts.strays += 1;
                // A long-running `serve` that receives junk must not grow without bound: the
                // first strays are what a test or a person needs to see.
                if state.strays.len() < MAX_STRAYS {
                    state.strays.push(Stray {
                        method,
                        path,
                        body_len: body.len(),
                    });
                }
                return response(StatusCode::NOT_FOUND, b"<h1>404 Not Found</h1>".to_vec(), "text/html");
            };
            let reply = {
                let mut state = self.shared.lock();
                state.served += 1;
                answer(&mut state, endpoint, &content_type, &body)
            };
            if let Some(d) = reply.delay {
                tokio::time::sleep(d).await;
            }
            let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response(status, reply.body, reply.content_type)
        }

        fn too_large(&self) -> Response<Full<Bytes>> {
            self.shared.lock().counts.too_large += 1;
            let body = json!({"jsonrpc": "2.0", "id": null, "error": {
                "code": code::INVALID_REQUEST,
                "message": format!("Requête trop grande : plus de {} octets", self.limits.max_body),
            }});
            closing(
                StatusCode::PAYLOAD_TOO_LARGE,
                serde_json::to_vec(&body).unwrap_or_default(),
                "application/json",
            )
        }
    }

    fn response(status: StatusCode, body: Vec<u8>, content_type: &'static str) -> Response<Full<Bytes>> {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = status;
        r.headers_mut()
            .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(content_type));
        r
    }

    /// An answer after which the connection closes (the rest of the request is not read).
    fn closing(status: StatusCode, body: Vec<u8>, content_type: &'static str) -> Response<Full<Bytes>> {
        let mut r = response(status, body, content_type);
        r.headers_mut()
            .insert(header::CONNECTION, header::HeaderValue::from_static("close"));
        r
    }

    /// A stream whose writes fail with `TimedOut` once one has waited `limit` for the client to
    /// read (the kernel's buffer full): a client that never reads its answer does not hold a
    /// connection forever. Reads pass through (hyper times the head; the body is timed above).
    struct StallTimeout<S> {
        inner: S,
        limit: Duration,
        stalled: Option<Pin<Box<tokio::time::Sleep>>>,
    }

    impl<S> StallTimeout<S> {
        fn new(inner: S, limit: Duration) -> Self {
            StallTimeout {
                inner,
                limit,
                stalled: None,
            }
        }

        /// After the inner stream said `Pending`: `Ready(Err)` once the stall has lasted too long.
        fn check_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            let limit = self.limit;
            let sleep = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
            match sleep.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the client did not read its answer",
                ))),
                Poll::Pending => Poll::Pending,
            }
        }

        fn progress<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
            match poll {
                Poll::Pending => match self.check_stall(cx) {
                    Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                    _ => Poll::Pending,
                },
                ready => {
                    self.stalled = None;
                    ready
                }
            }
        }
    }

    impl<S: AsyncRead + Unpin> AsyncRead for StallTimeout<S> {
        fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.inner).poll_read(cx, buf)
        }
    }

    impl<S: AsyncWrite + Unpin> AsyncWrite for StallTimeout<S> {
        fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
            let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
            self.progress(cx, poll)
        }
        fn poll_write_vectored(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
            self.progress(cx, poll)
        }
        fn is_write_vectored(&self) -> bool {
            self.inner.is_write_vectored()
        }
        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            let poll = Pin::new(&mut self.inner).poll_flush(cx);
            self.progress(cx, poll)
        }
        fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
            self.progress(cx, poll)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use tokio::io::AsyncWriteExt;

        #[tokio::test]
        async fn a_write_nobody_reads_times_out() {
            let (near, _far) = tokio::io::duplex(64);
            let mut s = StallTimeout::new(near, Duration::from_millis(100));
            let t = std::time::Instant::now();
            let e = s.write_all(&[0u8; 4096]).await.unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::TimedOut);
            assert!(t.elapsed() < Duration::from_secs(2));
        }

        #[tokio::test]
        async fn a_write_that_is_read_goes_through() {
            let (near, mut far) = tokio::io::duplex(64);
            let reader = tokio::spawn(async move {
                let mut got = Vec::new();
                tokio::io::AsyncReadExt::read_to_end(&mut far, &mut got)
                    .await
                    .map(|_| got.len())
            });
            let mut s = StallTimeout::new(near, Duration::from_millis(100));
            s.write_all(&[0u8; 4096]).await.unwrap();
            s.shutdown().await.unwrap();
            drop(s);
            assert_eq!(reader.await.unwrap().unwrap(), 4096);
        }

        #[test]
        fn the_busy_answer_says_its_length() {
            let text = std::str::from_utf8(BUSY).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())), "{text}");
            assert!(serde_json::from_str::<Value>(body).is_ok());
        }
    }
}

/// A Jeedom error, before the envelope.
struct RpcError {
    code: i64,
    message: String,
}

fn err(code: i64, message: impl Into<String>) -> RpcError {
    RpcError {
        code,
        message: message.into(),
    }
}

fn unknown_method(m: &str) -> RpcError {
    err(code::UNKNOWN_METHOD, format!("Aucune méthode correspondante : {m}"))
}

fn release(v: JeedomVersion) -> &'static str {
    match v {
        JeedomVersion::V2 => "2.4.6",
        JeedomVersion::V3 => "3.3.39",
        JeedomVersion::V4_2 => "4.2.21",
        JeedomVersion::V4_3 => "4.3.22",
        JeedomVersion::V4_4 => "4.4.20",
        JeedomVersion::V4_5 => "4.5.3",
    }
}

/// Decodes `request=<url-encoded JSON>` from a form body.
fn form_request(body: &[u8]) -> Option<Vec<u8>> {
    body.split(|b| *b == b'&')
        .find_map(|pair| pair.strip_prefix(b"request=").map(percent_decode))
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    out
}

fn json_reply(body: &Value, delay: Option<Duration>) -> Reply {
    Reply {
        status: 200,
        content_type: "application/json",
        body: serde_json::to_vec(body).unwrap_or_default(),
        delay,
    }
}

/// The whole request → answer function of the mock.
fn answer(state: &mut State, endpoint: Endpoint, content_type: &str, body: &[u8]) -> Reply {
    // Like jeeApi.php: the form field `request` first, else the raw body.
    let form = if content_type.starts_with("application/x-www-form-urlencoded") {
        form_request(body)
    } else {
        None
    };
    let raw_body = form.is_none();
    let request_bytes = form.unwrap_or_else(|| body.to_vec());
    let request: Option<Value> = serde_json::from_slice(&request_bytes).ok();
    let Some(Value::Object(request)) = request else {
        let e = json!({"jsonrpc": "2.0", "id": protocol::ERROR_ID_UP_TO_4_4,
                       "error": {"code": code::INVALID_REQUEST, "message": "Requête invalide"}});
        return json_reply(&e, None);
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let rpc_method = request.get("method").and_then(Value::as_str).unwrap_or("").to_owned();
    let params = match request.get("params") {
        Some(Value::Object(p)) => p.clone(),
        _ => Map::new(),
    };
    let key_field = match endpoint {
        Endpoint::Jee => params.get("apikey").or_else(|| params.get("api")),
        Endpoint::Pro => params.get("proapi"),
    };
    let key = key_field.and_then(Value::as_str).map(str::to_owned);

    // Faults: the server's, then the session's.
    let mut faults = Vec::new();
    take_faults(&mut state.faults, &rpc_method, &mut faults);
    let default_dialect = state.default_dialect.unwrap_or(JeedomVersion::V4_4);
    let session = key.as_deref().and_then(|k| state.sessions.get_mut(k));
    let dialect = session.as_ref().map_or(default_dialect, |s| s.dialect);
    let mut session = session;
    if let Some(s) = session.as_deref_mut() {
        take_faults(&mut s.faults, &rpc_method, &mut faults);
    }
    let mut delay = None;
    let mut wrong_jsonrpc = false;
    let mut forced: Option<RpcError> = None;
    let mut listing_fails: Option<String> = None;
    for f in faults {
        match f {
            Fault::Latency(d) => delay = Some(delay.unwrap_or_default() + d),
            Fault::Http500 => {
                return Reply {
                    status: 500,
                    content_type: "text/html",
                    body: b"<html><body><h1>500 Internal Server Error</h1></body></html>".to_vec(),
                    delay,
                };
            }
            Fault::NotJson => {
                let mut b = b"<br />\n<b>Warning</b>:  Undefined array key \"x\" in <b>/var/www/html/core/api/jeeApi.php</b> on line <b>42</b><br />\n".to_vec();
                b.extend_from_slice(br#"{"jsonrpc":"2.0","id":1,"result":"ok"}"#);
                return Reply {
                    status: 200,
                    content_type: "text/html; charset=UTF-8",
                    body: b,
                    delay,
                };
            }
            Fault::WrongJsonRpc => wrong_jsonrpc = true,
            Fault::WrongKey => {
                forced.get_or_insert(err(
                    code::WRONG_KEY,
                    "Vous n'êtes pas autorisé à effectuer cette action (clé API invalide)",
                ));
            }
            Fault::MissingMethod => {
                forced.get_or_insert(unknown_method(&rpc_method));
            }
            Fault::ApiDisabled => {
                forced.get_or_insert(err(
                    code::NOT_ALLOWED,
                    "Vous n'êtes pas autorisé à effectuer cette action (JSON-RPC désactivé)",
                ));
            }
            Fault::ListingFails(m) => listing_fails = Some(m),
        }
    }

    let outcome: Result<Value, RpcError> = match forced {
        Some(e) => Err(e),
        None => dispatch(
            endpoint,
            &request,
            &rpc_method,
            &params,
            key.as_deref(),
            session,
            listing_fails,
        ),
    };
    let jsonrpc = if wrong_jsonrpc { "1.0" } else { "2.0" };
    let envelope = match outcome {
        Ok(result) => json!({"jsonrpc": jsonrpc, "id": id, "result": wire_result(dialect, result)}),
        Err(e) => {
            let id = if raw_body && dialect <= JeedomVersion::V4_4 {
                json!(protocol::ERROR_ID_UP_TO_4_4)
            } else {
                id
            };
            json!({"jsonrpc": jsonrpc, "id": id, "error": {"code": e.code, "message": e.message}})
        }
    };
    json_reply(&envelope, delay)
}

fn dispatch(
    endpoint: Endpoint,
    request: &Map<String, Value>,
    rpc_method: &str,
    params: &Map<String, Value>,
    key: Option<&str>,
    session: Option<&mut Session>,
    listing_fails: Option<String>,
) -> Result<Value, RpcError> {
    match request.get("jsonrpc") {
        Some(Value::String(v)) if v == "2.0" => {}
        other => {
            let found = other.map_or_else(|| "absente".to_owned(), Value::to_string);
            return Err(err(
                code::NOT_ALLOWED,
                format!("Requête invalide. Version JSON-RPC invalide : {found}"),
            ));
        }
    }
    if endpoint == Endpoint::Jee && rpc_method == method::PING {
        return Ok(json!("pong"));
    }
    if key.is_none_or(str::is_empty) {
        return Err(err(
            code::NOT_ALLOWED,
            "Vous n'êtes pas autorisé à effectuer cette action",
        ));
    }
    let Some(s) = session else {
        return Err(err(
            code::WRONG_KEY,
            "Vous n'êtes pas autorisé à effectuer cette action (clé API invalide)",
        ));
    };
    match endpoint {
        Endpoint::Jee => jee_method(s, rpc_method, params),
        Endpoint::Pro => pro_method(s, rpc_method, listing_fails),
    }
}

fn param_str<'a>(params: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    params.get(name).and_then(Value::as_str)
}

fn param_u64(params: &Map<String, Value>, name: &str) -> Option<u64> {
    match params.get(name)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn param_bool(params: &Map<String, Value>, name: &str) -> Option<bool> {
    match params.get(name)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => Some(n.as_u64() != Some(0)),
        Value::String(s) => Some(!(s.is_empty() || s == "0" || s == "false")),
        _ => None,
    }
}

fn log_name(params: &Map<String, Value>) -> Option<LogName> {
    match param_str(params, "log")? {
        "backup" => Some(LogName::Backup),
        "update" => Some(LogName::Update),
        "cron_execution" => Some(LogName::CronExecution),
        _ => None,
    }
}

fn jee_method(s: &mut Session, m: &str, params: &Map<String, Value>) -> Result<Value, RpcError> {
    let replay = s.mode == SessionMode::Replay;
    let step = s
        .current()
        .ok_or_else(|| err(code::INVALID_REQUEST, "Étape courante absente"))?;
    match m {
        method::VERSION => Ok(json!(s.release.as_deref().unwrap_or(release(s.dialect)))),
        method::DATETIME => {
            let secs = s.epochs.get(s.step).copied().unwrap_or_default();
            #[allow(clippy::cast_precision_loss)]
            Ok(json!(secs as f64))
        }
        "jeedom::isOk" => Ok(json!(true)),
        method::CONFIG_BY_KEY => {
            let key = param_str(params, "key").unwrap_or("");
            let plugin = param_str(params, "plugin").unwrap_or("core");
            let default = params.get("default").map_or(String::new(), |d| match d {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            let stored = if plugin == "core" {
                s.timeline.config.get(key).filter(|v| !v.is_empty())
            } else {
                None
            };
            Ok(json!(stored.cloned().unwrap_or(default)))
        }
        "log::list" => Ok(json!(step.logs.keys().map(|k| k.as_str()).collect::<Vec<_>>())),
        method::LOG_GET => {
            let Some(bytes) = log_name(params).and_then(|n| step.logs.get(&n)) else {
                return Ok(json!(false));
            };
            let start = usize::try_from(param_u64(params, "start").unwrap_or(0)).unwrap_or(usize::MAX);
            let nb = usize::try_from(param_u64(params, "nbLine").unwrap_or(u64::MAX)).unwrap_or(usize::MAX);
            Ok(json!(log_get(bytes, start, nb)))
        }
        method::LOG_GET_DELTA if s.dialect >= JeedomVersion::V4_4 => {
            let Some(bytes) = log_name(params).and_then(|n| step.logs.get(&n)) else {
                return Ok(json!({"position": 0, "line": 0, "logText": ""}));
            };
            Ok(log_get_delta(bytes, params))
        }
        "log::getLastLine" if s.dialect >= JeedomVersion::V4_4 => {
            let text = log_name(params)
                .map(|n| String::from_utf8_lossy(step.log(n)).into_owned())
                .unwrap_or_default();
            Ok(json!(
                text.lines().map(str::trim).rfind(|l| !l.is_empty()).unwrap_or("")
            ))
        }
        method::CMD_BY_ID | method::CMD_EXEC | method::CMD_EVENT => {
            let id = param_u64(params, "id");
            if id != Some(s.virtual_cmd) {
                let shown = params.get("id").map_or_else(String::new, |v| match v {
                    Value::String(t) => t.clone(),
                    other => other.to_string(),
                });
                let c = if m == method::CMD_BY_ID {
                    code::UNKNOWN_CMD
                } else {
                    code::UNKNOWN_CMD_OR_SCENARIO
                };
                return Err(err(c, format!("Commande introuvable : {shown}")));
            }
            let collect = format_at(step.at);
            match m {
                method::CMD_BY_ID => Ok(json!({
                    "id": s.virtual_cmd.to_string(), "logicalId": "", "generic_type": null,
                    "eqType": "virtual", "name": "json", "order": "0", "type": "info",
                    "subType": "string", "isHistorized": "0", "unite": "", "isVisible": "1",
                    "currentValue": s.virtual_value,
                })),
                method::CMD_EXEC => Ok(json!({"value": s.virtual_value, "collectDate": collect})),
                _ => {
                    let value = match params.get("value") {
                        Some(Value::String(v)) => v.clone(),
                        Some(Value::Null) | None => String::new(),
                        Some(other) => other.to_string(),
                    };
                    s.virtual_value = value;
                    s.events += 1;
                    Ok(json!("ok"))
                }
            }
        }
        method::MOCK_ENTER_STEP if replay => {
            let len = s.timeline.steps.len();
            match param_u64(params, "step").and_then(|i| usize::try_from(i).ok()) {
                Some(i) if i < len => {
                    s.step = i;
                    Ok(json!("ok"))
                }
                other => Err(err(
                    code::INVALID_REQUEST,
                    format!(
                        "Étape inconnue : {} (la chronologie en compte {len})",
                        other.map_or("absente".into(), |i| i.to_string())
                    ),
                )),
            }
        }
        method::MOCK_NO_CLOUD_BACKUP if replay => Ok(json!(s.timeline.no_cloud_backup)),
        other => Err(unknown_method(other)),
    }
}

fn pro_method(s: &mut Session, m: &str, listing_fails: Option<String>) -> Result<Value, RpcError> {
    if s.mode == SessionMode::Live {
        return Err(unknown_method(m));
    }
    let step = s
        .current()
        .ok_or_else(|| err(code::INVALID_REQUEST, "Étape courante absente"))?;
    let listing = matches!(
        m,
        method::BACKUP_LIST | method::BACKUP_LIST_MARKET | method::BACKUP_LIST_SAMBA
    );
    if let (true, Some(message)) = (listing, listing_fails) {
        return Err(err(code::THREW, message));
    }
    match m {
        method::BACKUP_LIST => Ok(Value::Array(
            step.local
                .iter()
                .map(|f| json!({"name": f.name, "size": f.size}))
                .collect(),
        )),
        method::BACKUP_LIST_MARKET => Ok(json!([])),
        method::BACKUP_LIST_SAMBA => match &step.samba {
            Ok(names) => Ok(json!(names)),
            Err(message) => Err(err(code::THREW, message.clone())),
        },
        other => Err(unknown_method(other)),
    }
}

/// PHP's `trim` character set.
fn php_trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\n', '\r', '\0', '\u{0B}'])
}

/// `log::get`: cut to the last 500 lines, read `nb` lines from `start`, trim, drop empty ones,
/// newest first.
fn log_get(bytes: &[u8], start: usize, nb: usize) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    let kept = lines.get(lines.len().saturating_sub(MAX_LINE_LOG)..).unwrap_or(&[]);
    let mut page: Vec<String> = kept
        .iter()
        .skip(start)
        .take(nb)
        .map(|l| php_trim(l))
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    page.reverse();
    page
}

/// `log::getDelta`: up to `max` lines in file order from byte `position`, with Jeedom's defaults
/// for missing parameters (`numbered` true, `max` 200).
fn log_get_delta(bytes: &[u8], params: &Map<String, Value>) -> Value {
    let len = bytes.len() as u64;
    let mut position = param_u64(params, "position").unwrap_or(0);
    if position > len {
        // The file was truncated since: start again.
        position = 0;
    }
    let search = param_str(params, "search").unwrap_or("").to_lowercase();
    let numbered = param_bool(params, "numbered").unwrap_or(true);
    let num_start = param_u64(params, "numStart").unwrap_or(0);
    let max = param_u64(params, "max").map_or(DEFAULT_DELTA_MAX, |m| usize::try_from(m).unwrap_or(usize::MAX));
    let mut text = String::new();
    let mut pos = usize::try_from(position).unwrap_or(0);
    let mut line = num_start;
    let mut taken = 0;
    while taken < max {
        let Some(rest) = bytes.get(pos..).filter(|r| !r.is_empty()) else {
            break;
        };
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let raw = rest.get(..end).unwrap_or(rest);
        let l = String::from_utf8_lossy(raw);
        if search.is_empty() || l.to_lowercase().contains(&search) {
            if numbered {
                text.push_str(&format!("{line:>5}|"));
            }
            text.push_str(&l);
        }
        pos += end;
        line = line.saturating_add(1);
        taken += 1;
    }
    json!({"position": pos, "line": line, "logText": text})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_get_is_newest_first_trimmed_and_cut() {
        let page = log_get(b"a\n\n  b  \nc", 0, 100);
        assert_eq!(page, vec!["c", "b", "a"]);
        let long: String = (0..600).map(|i| format!("l{i}\n")).collect();
        let page = log_get(long.as_bytes(), 0, 1000);
        assert_eq!(page.len(), MAX_LINE_LOG);
        assert_eq!(page.first().map(String::as_str), Some("l599"));
        assert_eq!(page.last().map(String::as_str), Some("l100"));
    }

    #[test]
    fn log_get_delta_pages_in_file_order_and_has_jeedom_defaults() {
        let p = |v: Value| v.as_object().cloned().unwrap_or_default();
        let bytes = b"one\ntwo\nthree";
        let all = log_get_delta(bytes, &p(json!({"numbered": false, "max": 2})));
        assert_eq!(all, json!({"position": 8, "line": 2, "logText": "one\ntwo\n"}));
        let rest = log_get_delta(
            bytes,
            &p(json!({"numbered": false, "max": 2, "position": 8, "numStart": 2})),
        );
        assert_eq!(rest, json!({"position": 13, "line": 3, "logText": "three"}));
        let numbered = log_get_delta(bytes, &p(json!({})));
        assert_eq!(numbered["logText"], json!("    0|one\n    1|two\n    2|three"));
    }

    #[test]
    fn log_get_delta_survives_a_huge_num_start() {
        // `infobackup serve` answers whoever asks: a request's numbers must not overflow.
        let p = json!({"numbered": false, "numStart": u64::MAX});
        let page = log_get_delta(b"one\ntwo\n", p.as_object().unwrap_or(&Map::new()));
        assert_eq!(page, json!({"position": 8, "line": u64::MAX, "logText": "one\ntwo\n"}));
    }

    #[test]
    fn form_bodies_decode() {
        assert_eq!(
            form_request(b"x=1&request=%7B%22a%22%3A+1%7D"),
            Some(b"{\"a\": 1}".to_vec())
        );
        assert_eq!(form_request(b"x=1"), None);
        // Like PHP's urldecode, `%` must be followed by two hex digits (no sign); `+` is a space.
        assert_eq!(percent_decode(b"%+1%-a%4"), b"% 1%-a%4".to_vec());
    }

    #[test]
    fn generated_keys_are_long_and_distinct() {
        let a = generate_key();
        let b = generate_key();
        assert_eq!(a.expose().len(), 40);
        assert_ne!(a, b);
        assert!(a.expose().chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn counted_faults_run_out() {
        let mut rules = vec![FaultRule::always(Fault::Http500).on("version").times(1)];
        let mut out = Vec::new();
        take_faults(&mut rules, "datetime", &mut out);
        assert!(out.is_empty());
        take_faults(&mut rules, "version", &mut out);
        assert_eq!(out, vec![Fault::Http500]);
        assert!(rules.is_empty());
    }
}
