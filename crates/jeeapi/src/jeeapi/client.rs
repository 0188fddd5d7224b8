//! The JSON-RPC client: reads (and, only when asked, writes) a Jeedom box through jeeApi, and
//! implements [`World`] so the engine can run against a mock session or a live box.

use std::time::{Duration, Instant};

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

use super::protocol::{self, ApiError, ApiKey, JEEAPI_PATH, PROAPI_PATH, excerpt, method};
use crate::world::{JeedomVersion, Listing, LocalFile, LogBytes, LogName, SambaListing, World, WorldError};

/// How the client learns the box's Jeedom version (which decides the log method and whether
/// `"ok"` may stand for an empty result).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Ask the box (`version`) once, on first need.
    Detect,
    /// Trust this version and never ask.
    Known(JeedomVersion),
}

/// Which call reads the virtual command's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VirtualRead {
    /// `cmd::byId` → `currentValue`.
    #[default]
    ById,
    /// `cmd::execCmd` → `value`.
    ExecCmd,
}

/// What the client talks to. Decides the replay hook and whether listings can be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A session of [`super::mock::JeedomMock`]: `enter_step` moves its timeline, listings and
    /// `NO_CLOUD_BACKUP` come from the mock's pro-API and control methods.
    MockSession,
    /// A real box: `enter_step` does nothing; listings and `NO_CLOUD_BACKUP` are
    /// [`WorldError::Unavailable`] (jeeApi has no method for them), so the caller falls back to
    /// the log.
    LiveBox,
}

/// Whether [`World::write_virtual`] reaches the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// Keep the written value in the client (later reads see it); never call `cmd::event`.
    Hold,
    /// Send it with `cmd::event`.
    Push,
}

/// Everything the client needs. Build it with [`ClientConfig::mock_session`] or
/// [`ClientConfig::live`] and adjust fields.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `http://host[:port]` (a trailing `/core/api/jeeApi.php` is accepted and removed).
    pub base_url: String,
    pub api_key: ApiKey,
    /// The pro API's key (`params.proapi`); the API key when `None`.
    pub pro_key: Option<ApiKey>,
    /// Id of the virtual `json` info command.
    pub virtual_cmd: u64,
    /// Timeout of each phase of a request (connect, send, wait for the answer, read it).
    pub timeout: Duration,
    pub dialect: Dialect,
    /// IANA time zone of the box (for `datetime` → local wall-clock time).
    pub tz: String,
    pub virtual_read: VirtualRead,
    pub writes: Writes,
    pub target: Target,
    /// Lines asked per `log::getDelta` page.
    pub log_page_lines: u32,
    /// Ask each config key and `NO_CLOUD_BACKUP` once and remember the answer. True for a mock
    /// session (a timeline's config is constant); false for a live box, whose config can change.
    pub cache_constants: bool,
    /// Time every request together may take, counted from the client's creation; each request's
    /// timeout is cut to what is left. `None` for a mock session; [`LIVE_DEADLINE`] for a box.
    pub deadline: Option<Duration>,
    /// Answer bytes accepted in all (every body together). `None` for a mock session;
    /// [`LIVE_MAX_BYTES`] for a box.
    pub max_total_bytes: Option<u64>,
}

/// A live box's whole read must end within this (`diagnose --timeout`).
pub const LIVE_DEADLINE: Duration = Duration::from_secs(60);
/// A live box may send this many answer bytes in all (64 MiB, the input limit of `diagnose`): a
/// backup log is a few MB; a box that keeps sending pages is stopped here.
pub const LIVE_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Same-origin redirects followed for one request (another origin's are never followed).
const MAX_SAME_ORIGIN_REDIRECTS: u32 = 5;

/// Lines asked per `log::get` page; Jeedom cuts the file to its last 500 lines first.
const LOG_GET_PAGE: u32 = 500;
/// A page count no real log reaches; beyond it the box is not making progress.
const MAX_LOG_PAGES: u32 = 100_000;
/// A `default` for `config::byKey` no real value equals, to tell "absent" from "0" on 4.5.
const ABSENT_SENTINEL: &str = "infobackup:absent:9f4c2e";
/// Largest answer body accepted.
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// The virtual command id the mock serves by default.
pub const MOCK_VIRTUAL_CMD: u64 = 4242;

impl ClientConfig {
    /// For a [`super::mock::JeedomMock`] session: version detected, writes pushed, 5 s timeout.
    pub fn mock_session(base_url: impl Into<String>, api_key: ApiKey) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            api_key,
            pro_key: None,
            virtual_cmd: MOCK_VIRTUAL_CMD,
            timeout: Duration::from_secs(5),
            dialect: Dialect::Detect,
            tz: crate::world::DEFAULT_TZ.to_owned(),
            virtual_read: VirtualRead::ById,
            writes: Writes::Push,
            target: Target::MockSession,
            log_page_lines: 10_000,
            cache_constants: true,
            deadline: None,
            max_total_bytes: None,
        }
    }

    /// For a real box: reads only (`writes: Hold`) until the caller sets `writes: Writes::Push`;
    /// listings reported unavailable; 10 s timeout per request, [`LIVE_DEADLINE`] for all of
    /// them, at most [`LIVE_MAX_BYTES`] received.
    pub fn live(base_url: impl Into<String>, api_key: ApiKey, virtual_cmd: u64) -> ClientConfig {
        ClientConfig {
            virtual_cmd,
            timeout: Duration::from_secs(10),
            writes: Writes::Hold,
            target: Target::LiveBox,
            cache_constants: false,
            deadline: Some(LIVE_DEADLINE),
            max_total_bytes: Some(LIVE_MAX_BYTES),
            ..ClientConfig::mock_session(base_url, api_key)
        }
    }
}

/// A configuration the client cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("Jeedom URL {0:?} must start with http:// or https://")]
    Scheme(String),
    #[error(
        "Jeedom URL {0:?}: this build has no TLS (built without the `https` feature); use the box's \
         local http:// address, or rebuild with `--features https`"
    )]
    NoTls(String),
    #[error("Jeedom URL {0:?} is not a URL: {1}")]
    BadUrl(String, String),
    #[error("unknown time zone {tz:?}: {why}")]
    TimeZone { tz: String, why: String },
    #[error("log page size must be at least 1 line")]
    PageSize,
}

/// How a log's text was obtained, and how faithful it is to the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogVia {
    /// `log::getDelta` (Jeedom 4.4+): the file's bytes in file order, exactly.
    GetDelta { calls: u32 },
    /// `log::get` (Jeedom ≤ 4.3): rebuilt from newest-first lines that Jeedom trimmed, without
    /// the empty lines, after cutting the file to its last 500 lines.
    Get { lines: usize },
}

/// A log as read from the box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRead {
    pub name: LogName,
    pub text: LogBytes,
    pub via: LogVia,
}

/// U+FFFD in UTF-8: what a byte that is not UTF-8 becomes on its way through JSON.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

impl LogRead {
    /// True when the text is the file byte for byte, as far as the client can tell: read in file
    /// order, and no U+FFFD (the mark of bytes that were not UTF-8, e.g. a Latin-1 log, which a
    /// JSON string cannot carry).
    pub fn is_exact(&self) -> bool {
        matches!(self.via, LogVia::GetDelta { .. }) && !self.has_replacement()
    }

    fn has_replacement(&self) -> bool {
        memchr::memmem::find(&self.text, REPLACEMENT).is_some()
    }

    /// What a reader of this text must know, when it may not be the exact file.
    pub fn caveat(&self) -> Option<&'static str> {
        match (&self.via, self.has_replacement()) {
            (LogVia::Get { .. }, _) => Some(
                "read with log::get (Jeedom ≤ 4.3): lines trimmed, empty lines dropped, and Jeedom \
                 first cut the file to its last 500 lines, so this text may differ from the file",
            ),
            (LogVia::GetDelta { .. }, true) => Some(
                "the text contains U+FFFD: the file probably holds bytes that are not UTF-8 (e.g. \
                 Latin-1), which the JSON answer could not carry",
            ),
            (LogVia::GetDelta { .. }, false) => None,
        }
    }
}

/// The JSON-RPC client. One per thread; cheap to create (connections are kept alive).
pub struct Client {
    config: ClientConfig,
    agent: ureq::Agent,
    jeeapi_url: String,
    proapi_url: String,
    tz: TimeZone,
    next_id: i64,
    version: Option<JeedomVersion>,
    held_virtual: Option<String>,
    last_log: Option<LogRead>,
    config_cache: std::collections::HashMap<String, String>,
    no_cloud_cache: Option<bool>,
    /// When the deadline started.
    started: Instant,
    /// Answer bytes received so far.
    received: u64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.jeeapi_url)
            .field("target", &self.config.target)
            .field("writes", &self.config.writes)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, ConfigError> {
        let agent = new_agent(config.timeout);
        Client::with_agent(config, agent)
    }

    /// A client that shares `agent`'s kept-alive connections (its timeout must be the config's).
    pub(crate) fn with_agent(config: ClientConfig, agent: ureq::Agent) -> Result<Client, ConfigError> {
        let mut base = config.base_url.trim().trim_end_matches('/').to_owned();
        if let Some(stripped) = base.strip_suffix(JEEAPI_PATH) {
            base = stripped.to_owned();
        }
        let lower = base.to_ascii_lowercase();
        if lower.starts_with("https://") {
            if !cfg!(feature = "https") {
                return Err(ConfigError::NoTls(base));
            }
        } else if !lower.starts_with("http://") {
            return Err(ConfigError::Scheme(base));
        }
        if let Err(e) = base.parse::<ureq::http::Uri>() {
            return Err(ConfigError::BadUrl(base, e.to_string()));
        }
        if config.log_page_lines == 0 {
            return Err(ConfigError::PageSize);
        }
        let tz = TimeZone::get(&config.tz).map_err(|e| ConfigError::TimeZone {
            tz: config.tz.clone(),
            why: e.to_string(),
        })?;
        let version = match config.dialect {
            Dialect::Known(v) => Some(v),
            Dialect::Detect => None,
        };
        Ok(Client {
            jeeapi_url: format!("{base}{JEEAPI_PATH}"),
            proapi_url: format!("{base}{PROAPI_PATH}"),
            agent,
            tz,
            next_id: 0,
            version,
            held_virtual: None,
            last_log: None,
            config_cache: std::collections::HashMap::new(),
            no_cloud_cache: None,
            started: Instant::now(),
            received: 0,
            config,
        })
    }

    /// True when the API key would travel in clear over a network: `http://` to a host that is
    /// not this machine (`localhost`, `127.0.0.0/8`, `::1`).
    pub fn key_crosses_network_in_clear(&self) -> bool {
        let Ok(uri) = self.jeeapi_url.parse::<ureq::http::Uri>() else {
            return false;
        };
        uri.scheme_str() == Some("http") && !uri.host().is_some_and(is_loopback)
    }

    /// Time left before the deadline (`None`: no deadline).
    fn time_left(&self, method: &str) -> Result<Option<Duration>, ApiError> {
        let Some(deadline) = self.config.deadline else {
            return Ok(None);
        };
        match deadline.checked_sub(self.started.elapsed()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ => Err(ApiError::Deadline {
                method: method.to_owned(),
                after: deadline,
            }),
        }
    }

    /// The configuration (named so it does not hide [`World::config`]).
    pub fn settings(&self) -> &ClientConfig {
        &self.config
    }

    /// The last log read through [`World::log`] or [`Client::read_log`], with how it was read.
    pub fn last_log(&self) -> Option<&LogRead> {
        self.last_log.as_ref()
    }

    /// The value written with `writes: Hold` and not sent to the box.
    pub fn held_virtual(&self) -> Option<&str> {
        self.held_virtual.as_deref()
    }

    // ---- the wire ------------------------------------------------------------------------------

    fn fresh_id(&mut self) -> i64 {
        self.next_id += 1;
        if self.next_id == protocol::ERROR_ID_UP_TO_4_4 {
            self.next_id += 1;
        }
        self.next_id
    }

    /// Calls a jeeApi method with the API key; `params` gets `apikey`.
    pub fn call(&mut self, method: &str, params: Map<String, Value>) -> Result<Value, ApiError> {
        let url = self.jeeapi_url.clone();
        let key = self.config.api_key.clone();
        self.call_at(&url, "apikey", &key, method, params)
    }

    /// Calls a pro-API method; `params` gets `proapi`.
    pub fn call_pro(&mut self, method: &str, params: Map<String, Value>) -> Result<Value, ApiError> {
        let url = self.proapi_url.clone();
        let key = self
            .config
            .pro_key
            .clone()
            .unwrap_or_else(|| self.config.api_key.clone());
        self.call_at(&url, "proapi", &key, method, params)
    }

    fn call_at(
        &mut self,
        url: &str,
        key_field: &str,
        key: &ApiKey,
        method: &str,
        mut params: Map<String, Value>,
    ) -> Result<Value, ApiError> {
        let id = self.fresh_id();
        params.insert(key_field.to_owned(), Value::String(key.expose().to_owned()));
        let body = protocol::request_body(id, method, Value::Object(params));
        let bytes = serde_json::to_vec(&body).map_err(|e| ApiError::Malformed {
            method: method.to_owned(),
            why: format!("request not encodable: {e}"),
        })?;
        let mut target = url.to_owned();
        let mut hops = 0;
        let (status, raw) = loop {
            let left = self.time_left(method)?;
            let mut request = self.agent.post(&target).content_type("application/json");
            if let Some(left) = left {
                // The whole call (connect, send, answer, body) within what is left. Only with a
                // deadline (a live box): ureq then resolves the name on a thread of its own, too
                // slow for thousands of replays against the mock, fine for a dozen calls.
                request = request.config().timeout_global(Some(left)).build();
            }
            let answer = request.send(&bytes[..]);
            let timeout = left.map_or(self.config.timeout, |l| l.min(self.config.timeout));
            let mut response = answer.map_err(|e| self.transport_error(method, &target, timeout, key, e))?;
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                let location = response
                    .headers()
                    .get(ureq::http::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                match same_origin_target(&target, &location) {
                    Ok(next) if hops < MAX_SAME_ORIGIN_REDIRECTS => {
                        hops += 1;
                        target = next;
                        continue;
                    }
                    Ok(_) => {}
                    Err(to) => {
                        return Err(ApiError::Redirect {
                            method: method.to_owned(),
                            url: target,
                            to: key.scrub(&to),
                        });
                    }
                }
            }
            let limit = match self.config.max_total_bytes {
                Some(total) => total.saturating_sub(self.received).min(MAX_BODY),
                None => MAX_BODY,
            };
            let raw = response.body_mut().with_config().limit(limit).read_to_vec();
            let raw = match raw {
                Ok(raw) => raw,
                Err(ureq::Error::BodyExceedsLimit(_)) if self.config.max_total_bytes.is_some() => {
                    return Err(ApiError::TooMuchData {
                        method: method.to_owned(),
                        limit: self.config.max_total_bytes.unwrap_or(MAX_BODY),
                    });
                }
                Err(e) => return Err(self.transport_error(method, &target, timeout, key, e)),
            };
            self.received = self.received.saturating_add(raw.len() as u64);
            break (status, raw);
        };
        let url = target.as_str();
        let text = String::from_utf8_lossy(&raw);
        if status != 200 {
            return Err(ApiError::HttpStatus {
                method: method.to_owned(),
                url: url.to_owned(),
                status,
                excerpt: excerpt(&key.scrub(&text), 200),
            });
        }
        let value: Value = serde_json::from_slice(&raw).map_err(|e| ApiError::NotJson {
            method: method.to_owned(),
            url: url.to_owned(),
            reason: e.to_string(),
            excerpt: excerpt(&key.scrub(&text), 200),
        })?;
        protocol::decode_answer(method, id, value, Some(key))
    }

    /// A transport error; a timeout that ends at the deadline is said as the deadline.
    fn transport_error(&self, method: &str, url: &str, timeout: Duration, key: &ApiKey, e: ureq::Error) -> ApiError {
        let e = transport_error(method, url, timeout, key, e);
        match (&e, self.config.deadline) {
            (ApiError::Timeout { .. }, Some(deadline)) if self.started.elapsed() >= deadline => ApiError::Deadline {
                method: method.to_owned(),
                after: deadline,
            },
            _ => e,
        }
    }

    // ---- typed methods -------------------------------------------------------------------------

    /// `ping` → `"pong"`.
    pub fn ping(&mut self) -> Result<(), ApiError> {
        match self.call(method::PING, Map::new())? {
            Value::String(s) if s == "pong" => Ok(()),
            other => Err(self.unexpected(method::PING, "\"pong\"", &other)),
        }
    }

    /// `version`: the release text, e.g. `4.4.20`.
    pub fn version_text(&mut self) -> Result<String, ApiError> {
        match self.call(method::VERSION, Map::new())? {
            Value::String(s) => Ok(s),
            other => Err(self.unexpected(method::VERSION, "a version string", &other)),
        }
    }

    /// The box's Jeedom generation: given in the config, or asked once.
    pub fn jeedom_version(&mut self) -> Result<JeedomVersion, ApiError> {
        if let Some(v) = self.version {
            return Ok(v);
        }
        let text = self.version_text()?;
        let v = text.parse::<JeedomVersion>().map_err(|e| ApiError::UnexpectedResult {
            method: method::VERSION.to_owned(),
            why: e.to_string(),
        })?;
        self.version = Some(v);
        Ok(v)
    }

    /// `datetime` → the box's local wall-clock time in the configured zone (whole seconds).
    pub fn box_now(&mut self) -> Result<DateTime, ApiError> {
        let v = self.call(method::DATETIME, Map::new())?;
        let secs = match &v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        let Some(secs) = secs.filter(|s| s.is_finite()) else {
            return Err(self.unexpected(method::DATETIME, "seconds since 1970", &v));
        };
        // Truncation to whole seconds is intended: the scenario works to the minute.
        #[allow(clippy::cast_possible_truncation)]
        let whole = secs.floor() as i64;
        let ts = jiff::Timestamp::from_second(whole).map_err(|e| ApiError::UnexpectedResult {
            method: method::DATETIME.to_owned(),
            why: format!("{secs} is not a time: {e}"),
        })?;
        Ok(ts.to_zoned_datetime(self.tz.clone()).datetime())
    }

    fn by_key(&mut self, key: &str, default: &str) -> Result<String, ApiError> {
        let mut p = Map::new();
        p.insert("key".into(), json!(key));
        p.insert("plugin".into(), json!("core"));
        p.insert("default".into(), json!(default));
        let v = self.call(method::CONFIG_BY_KEY, p)?;
        Ok(php_string(&v))
    }

    /// `config::byKey` of a core key, as the scenario's PHP would read it (`""` when never saved).
    ///
    /// Jeedom 4.5 answers `"ok"` for both `""` and `"0"`. When it does, the client asks again with
    /// a default no real value equals: that default coming back means the key is absent (`""`);
    /// `"ok"` again means a stored `"0"`. Residual ambiguity: a key literally stored as `"ok"`
    /// reads as `"0"` on 4.5, and a key absent from the database whose `default.config.ini` value
    /// is `"0"` reads as `""`.
    pub fn config_value(&mut self, key: &str) -> Result<String, ApiError> {
        let first = self.by_key(key, "")?;
        if first != "ok" || self.jeedom_version()? < JeedomVersion::V4_5 {
            return Ok(first);
        }
        let probe = self.by_key(key, ABSENT_SENTINEL)?;
        Ok(match probe.as_str() {
            ABSENT_SENTINEL => String::new(),
            "ok" => "0".to_owned(),
            _ => probe,
        })
    }

    /// The whole text of a log: `log::getDelta` pages in file order on 4.4+, `log::get` (newest
    /// first, reversed back) on older boxes.
    pub fn read_log(&mut self, name: LogName) -> Result<LogRead, ApiError> {
        let read = if self.jeedom_version()? >= JeedomVersion::V4_4 {
            self.read_log_delta(name)?
        } else {
            self.read_log_get(name)?
        };
        self.last_log = Some(read.clone());
        Ok(read)
    }

    fn read_log_delta(&mut self, name: LogName) -> Result<LogRead, ApiError> {
        let mut text = String::new();
        let mut position: u64 = 0;
        let mut line: u64 = 0;
        let mut calls = 0;
        loop {
            calls += 1;
            if calls > MAX_LOG_PAGES {
                return Err(ApiError::UnexpectedResult {
                    method: method::LOG_GET_DELTA.to_owned(),
                    why: format!(
                        "still not at the end of log {} after {MAX_LOG_PAGES} pages",
                        name.as_str()
                    ),
                });
            }
            let mut p = Map::new();
            p.insert("log".into(), json!(name.as_str()));
            p.insert("position".into(), json!(position));
            p.insert("search".into(), json!(""));
            p.insert("colored".into(), json!(false));
            p.insert("numbered".into(), json!(false));
            p.insert("numStart".into(), json!(line));
            p.insert("max".into(), json!(self.config.log_page_lines));
            let v = self.call(method::LOG_GET_DELTA, p)?;
            let Value::Object(o) = &v else {
                // A missing log: `false` (`"ok"` on 4.5).
                if protocol::is_empty_result(&v) || v == json!("ok") {
                    break;
                }
                return Err(self.unexpected(method::LOG_GET_DELTA, "{position, line, logText}", &v));
            };
            let chunk = match o.get("logText") {
                Some(Value::String(s)) => s.as_str(),
                Some(Value::Null) | None => "",
                Some(other) => return Err(self.unexpected(method::LOG_GET_DELTA, "logText as a string", other)),
            };
            let next = o.get("position").and_then(as_u64);
            if chunk.is_empty() {
                break;
            }
            let Some(next) = next.filter(|n| *n > position) else {
                return Err(ApiError::UnexpectedResult {
                    method: method::LOG_GET_DELTA.to_owned(),
                    why: format!("text returned but position did not move past {position}"),
                });
            };
            text.push_str(chunk);
            position = next;
            line = o.get("line").and_then(as_u64).unwrap_or(line);
        }
        Ok(LogRead {
            name,
            text: LogBytes::from(text.into_bytes()),
            via: LogVia::GetDelta { calls },
        })
    }

    fn read_log_get(&mut self, name: LogName) -> Result<LogRead, ApiError> {
        let mut lines: Vec<String> = Vec::new();
        let mut start: u64 = 0;
        for _ in 0..MAX_LOG_PAGES {
            let mut p = Map::new();
            p.insert("log".into(), json!(name.as_str()));
            p.insert("start".into(), json!(start));
            p.insert("nbLine".into(), json!(LOG_GET_PAGE));
            let v = self.call(method::LOG_GET, p)?;
            let page = match v {
                Value::Array(a) => a,
                other if protocol::is_empty_result(&other) || other == json!("ok") => Vec::new(),
                other => return Err(self.unexpected(method::LOG_GET, "an array of lines", &other)),
            };
            if page.is_empty() {
                break;
            }
            // Each page is newest first.
            for l in page.into_iter().rev() {
                lines.push(php_string(&l));
            }
            start += u64::from(LOG_GET_PAGE);
        }
        let mut text = lines.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        Ok(LogRead {
            name,
            text: LogBytes::from(text.into_bytes()),
            via: LogVia::Get { lines: lines.len() },
        })
    }

    /// The virtual command's value on the box (ignores a held write).
    pub fn remote_virtual(&mut self) -> Result<String, ApiError> {
        let mut p = Map::new();
        p.insert("id".into(), json!(self.config.virtual_cmd));
        match self.config.virtual_read {
            VirtualRead::ById => {
                let v = self.call(method::CMD_BY_ID, p)?;
                match &v {
                    Value::Object(o) => Ok(o.get("currentValue").map(php_string).unwrap_or_default()),
                    _ => Err(self.unexpected(method::CMD_BY_ID, "the command object", &v)),
                }
            }
            VirtualRead::ExecCmd => {
                p.insert("options".into(), json!({}));
                let v = self.call(method::CMD_EXEC, p)?;
                match &v {
                    Value::Object(o) => Ok(o.get("value").map(php_string).unwrap_or_default()),
                    _ => Err(self.unexpected(method::CMD_EXEC, "{value, collectDate}", &v)),
                }
            }
        }
    }

    /// `cmd::event` on the virtual command. Refused unless the config says `writes: Push`.
    pub fn push_virtual(&mut self, value: &str) -> Result<(), ApiError> {
        if self.config.writes != Writes::Push {
            return Err(ApiError::WriteRefused(
                "this client only reads (writes: Hold); writing to a box needs an explicit push".into(),
            ));
        }
        let mut p = Map::new();
        p.insert("id".into(), json!(self.config.virtual_cmd));
        p.insert("value".into(), json!(value));
        self.call(method::CMD_EVENT, p)?;
        Ok(())
    }

    fn live_unavailable(what: &'static str) -> ApiError {
        ApiError::Unavailable {
            what,
            why: "jeeApi has no method that lists backup files (only Jeedom's pro API and the UI's \
                  own AJAX endpoint do); fall back to what the backup log shows and mark those facts \
                  as inferred"
                .into(),
        }
    }

    /// Pro API `backup::list`: files in the local backup folder with sizes.
    pub fn list_local(&mut self) -> Result<Vec<LocalFile>, ApiError> {
        if self.config.target == Target::LiveBox {
            return Err(Self::live_unavailable("the local backup folder listing"));
        }
        let v = self.listing_call(method::BACKUP_LIST, "the local backup folder listing")?;
        let mut files = Vec::new();
        for item in self.listing_items(method::BACKUP_LIST, v)? {
            let name = item.get("name").and_then(Value::as_str);
            let size = item.get("size").and_then(as_u64);
            match (name, size) {
                (Some(name), Some(size)) => files.push(LocalFile {
                    name: name.to_owned(),
                    size,
                }),
                _ => return Err(self.unexpected(method::BACKUP_LIST, "{name, size} entries", &item)),
            }
        }
        Ok(files)
    }

    /// Pro API `backup::listMarket`: names of the backups on the Market cloud.
    pub fn list_market(&mut self) -> Result<Vec<String>, ApiError> {
        if self.config.target == Target::LiveBox {
            return Err(Self::live_unavailable("the Market backup listing"));
        }
        let v = self.listing_call(method::BACKUP_LIST_MARKET, "the Market backup listing")?;
        self.names(
            method::BACKUP_LIST_MARKET,
            self.listing_items(method::BACKUP_LIST_MARKET, v)?,
        )
    }

    /// Pro API `backup::listSamba`: the share's backups newest first, or the message listing threw
    /// (`Ok(Err(_))`, what the scenario sees as an exception). Transport failures stay `Err`.
    pub fn list_samba(&mut self) -> Result<SambaListing, ApiError> {
        if self.config.target == Target::LiveBox {
            return Err(Self::live_unavailable("the Samba share listing"));
        }
        match self.listing_call(method::BACKUP_LIST_SAMBA, "the Samba share listing") {
            Ok(v) => Ok(Ok(Listing::from(self.names(
                method::BACKUP_LIST_SAMBA,
                self.listing_items(method::BACKUP_LIST_SAMBA, v)?,
            )?))),
            Err(ApiError::Jeedom { message, .. }) => Ok(Err(message)),
            Err(e) => Err(e),
        }
    }

    fn listing_call(&mut self, name: &str, what: &'static str) -> Result<Value, ApiError> {
        match self.call_pro(name, Map::new()) {
            Err(ApiError::UnknownMethod { .. }) => Err(ApiError::Unavailable {
                what,
                why: format!("this box's pro API has no {name} method; fall back to what the log shows"),
            }),
            other => other,
        }
    }

    /// Mock control: move the mock session's timeline to step `index` (0-based).
    pub fn mock_enter_step(&mut self, index: usize) -> Result<(), ApiError> {
        let mut p = Map::new();
        p.insert("step".into(), json!(index));
        self.call(method::MOCK_ENTER_STEP, p)?;
        Ok(())
    }

    /// Mock control: the session's `NO_CLOUD_BACKUP`.
    pub fn mock_no_cloud_backup(&mut self) -> Result<bool, ApiError> {
        match self.call(method::MOCK_NO_CLOUD_BACKUP, Map::new())? {
            Value::Bool(b) => Ok(b),
            // 4.5 dialect: `false` travels as "ok".
            Value::String(s) if s == "ok" => Ok(false),
            other => Err(self.unexpected(method::MOCK_NO_CLOUD_BACKUP, "a boolean", &other)),
        }
    }

    /// A result of the wrong shape, quoted with the keys scrubbed out (a result can quote a
    /// logged request URL, key included).
    fn unexpected(&self, method: &str, expected: &str, got: &Value) -> ApiError {
        let mut text = self.config.api_key.scrub(&got.to_string());
        if let Some(pro) = &self.config.pro_key {
            text = pro.scrub(&text);
        }
        ApiError::UnexpectedResult {
            method: method.to_owned(),
            why: format!("expected {expected}, got {}", excerpt(&text, 120)),
        }
    }

    /// A listing result: an array, or an empty one that 4.5 sent as `"ok"` (or older ones as
    /// `false`/`null`).
    fn listing_items(&self, method: &str, v: Value) -> Result<Vec<Value>, ApiError> {
        match v {
            Value::Array(a) => Ok(a),
            Value::String(s) if s == "ok" => Ok(Vec::new()),
            other if protocol::is_empty_result(&other) => Ok(Vec::new()),
            other => Err(self.unexpected(method, "an array", &other)),
        }
    }

    fn names(&self, method: &str, items: Vec<Value>) -> Result<Vec<String>, ApiError> {
        items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                other => Err(self.unexpected(method, "file names", &other)),
            })
            .collect()
    }
}

impl World for Client {
    fn enter_step(&mut self, index: usize) -> Result<(), WorldError> {
        match self.config.target {
            Target::MockSession => Ok(self.mock_enter_step(index)?),
            Target::LiveBox => Ok(()),
        }
    }
    fn now(&mut self) -> Result<DateTime, WorldError> {
        Ok(self.box_now()?)
    }
    fn read_virtual(&mut self) -> Result<String, WorldError> {
        match &self.held_virtual {
            Some(v) => Ok(v.clone()),
            None => Ok(self.remote_virtual()?),
        }
    }
    fn write_virtual(&mut self, value: &str) -> Result<(), WorldError> {
        match self.config.writes {
            Writes::Push => Ok(self.push_virtual(value)?),
            Writes::Hold => {
                self.held_virtual = Some(value.to_owned());
                Ok(())
            }
        }
    }
    fn config(&mut self, key: &str) -> Result<String, WorldError> {
        if let Some(v) = self.config_cache.get(key) {
            return Ok(v.clone());
        }
        let v = self.config_value(key)?;
        if self.config.cache_constants {
            self.config_cache.insert(key.to_owned(), v.clone());
        }
        Ok(v)
    }
    fn log(&mut self, name: LogName) -> Result<LogBytes, WorldError> {
        Ok(self.read_log(name)?.text)
    }
    fn local_files(&mut self) -> Result<Listing<LocalFile>, WorldError> {
        Ok(Listing::from(self.list_local()?))
    }
    fn samba_listing(&mut self) -> Result<SambaListing, WorldError> {
        Ok(self.list_samba()?)
    }
    fn no_cloud_backup(&mut self) -> Result<bool, WorldError> {
        match self.config.target {
            Target::MockSession => {
                if let Some(b) = self.no_cloud_cache {
                    return Ok(b);
                }
                let b = self.mock_no_cloud_backup()?;
                if self.config.cache_constants {
                    self.no_cloud_cache = Some(b);
                }
                Ok(b)
            }
            Target::LiveBox => Err(WorldError::Unavailable {
                what: "NO_CLOUD_BACKUP",
                why: "it is a PHP global that exists only inside the backup process of a core \
                      update; jeeApi cannot read it: infer it from the log (a backup printed into \
                      log/update ran under an update)"
                    .into(),
            }),
        }
    }
}

// ---- helpers ------------------------------------------------------------------------------------

/// An HTTP agent that hands every status back to the client, with `timeout` on each phase of a
/// request (connect, send, wait for the answer, read it). Not a global timeout: with one, ureq
/// resolves the host on a freshly spawned thread for every request, which costs more than the
/// whole loopback round trip.
pub(crate) fn new_agent(timeout: Duration) -> ureq::Agent {
    let t = Some(timeout);
    ureq::Agent::config_builder()
        .timeout_connect(t)
        .timeout_send_request(t)
        .timeout_send_body(t)
        .timeout_recv_response(t)
        .timeout_recv_body(t)
        .http_status_as_error(false)
        // Redirects are followed by `call_at`, and only within the same origin: ureq would resend
        // the key to wherever a 307 points.
        .max_redirects(0)
        .build()
        .into()
}

/// `localhost`, `127.0.0.0/8` and `::1`: this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The origin of a URL: scheme, host (lower case) and port (the scheme's default when absent).
fn origin(uri: &ureq::http::Uri) -> Option<(String, String, u16)> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri.port_u16().unwrap_or(if scheme == "https" { 443 } else { 80 });
    Some((scheme, host, port))
}

/// Where a redirect from `from` to `location` leads: `Ok(url)` when it stays on `from`'s origin
/// (a path, or an absolute URL with the same scheme, host and port); `Err(origin)` otherwise,
/// naming only the other origin (`scheme://host:port`), never its path or query.
fn same_origin_target(from: &str, location: &str) -> Result<String, String> {
    let from_uri = from
        .parse::<ureq::http::Uri>()
        .map_err(|_| "an unreadable address".to_owned())?;
    let location = location.trim();
    if location.is_empty() {
        return Err("nowhere (a redirect without a Location)".to_owned());
    }
    if location.starts_with('/') && !location.starts_with("//") {
        let authority = from_uri.authority().map(|a| a.as_str()).unwrap_or("");
        let scheme = from_uri.scheme_str().unwrap_or("http");
        return Ok(format!("{scheme}://{authority}{location}"));
    }
    let Ok(to_uri) = location.parse::<ureq::http::Uri>() else {
        return Err("an unreadable address".to_owned());
    };
    match (origin(&from_uri), origin(&to_uri)) {
        (Some(a), Some(b)) if a == b => Ok(location.to_owned()),
        (_, Some((scheme, host, port))) => Err(format!("{scheme}://{host}:{port}")),
        // A relative path without a leading slash, or a scheme-relative `//host`: not followed.
        _ => Err("an address relative to the page (not followed)".to_owned()),
    }
}

fn transport_error(method: &str, url: &str, timeout: Duration, key: &ApiKey, e: ureq::Error) -> ApiError {
    let (method, url) = (method.to_owned(), url.to_owned());
    match e {
        ureq::Error::Timeout(_) => ApiError::Timeout {
            method,
            url,
            after: timeout,
        },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => ApiError::Timeout {
            method,
            url,
            after: timeout,
        },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => ApiError::Refused { method, url },
        ureq::Error::ConnectionFailed => ApiError::Refused { method, url },
        other => ApiError::Transport {
            method,
            url,
            message: key.scrub(&other.to_string()),
        },
    }
}

/// A JSON value as PHP's string conversion gives it (`null` and `false` → `""`, `true` → `"1"`).
fn php_string(v: &Value) -> String {
    match v {
        Value::Null | Value::Bool(false) => String::new(),
        Value::Bool(true) => "1".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiKey {
        ApiKey::new("0123456789abcdef0123").unwrap()
    }

    #[test]
    fn config_urls_are_checked_and_normalised() {
        let c = Client::new(ClientConfig::mock_session(
            "http://box.local/core/api/jeeApi.php/",
            key(),
        ))
        .unwrap();
        assert_eq!(c.jeeapi_url, "http://box.local/core/api/jeeApi.php");
        assert_eq!(c.proapi_url, "http://box.local/core/api/proApi.php");
        let e = Client::new(ClientConfig::mock_session("ftp://box.local", key())).unwrap_err();
        assert!(matches!(e, ConfigError::Scheme(_)));
        let https = Client::new(ClientConfig::mock_session("HTTPS://box.local:8443", key()));
        if cfg!(feature = "https") {
            assert_eq!(https.unwrap().jeeapi_url, "HTTPS://box.local:8443/core/api/jeeApi.php");
        } else {
            assert!(matches!(https, Err(ConfigError::NoTls(_))));
        }
        let e = Client::new(ClientConfig::mock_session("http://box local", key())).unwrap_err();
        assert!(matches!(e, ConfigError::BadUrl(..)), "{e}");
        let mut bad_tz = ClientConfig::mock_session("http://x", key());
        bad_tz.tz = "Mars/Olympus".into();
        assert!(matches!(Client::new(bad_tz), Err(ConfigError::TimeZone { .. })));
    }

    #[test]
    fn live_config_never_pushes_by_default() {
        let c = ClientConfig::live("http://x", key(), 12);
        assert_eq!(c.writes, Writes::Hold);
        assert_eq!(c.target, Target::LiveBox);
        assert_eq!(c.virtual_cmd, 12);
        let mut client = Client::new(c).unwrap();
        assert!(matches!(client.push_virtual("x"), Err(ApiError::WriteRefused(_))));
        // Held, never sent: no server is listening at http://x and no error comes back.
        client.write_virtual("held").unwrap();
        assert_eq!(client.read_virtual().unwrap(), "held");
        assert!(matches!(client.local_files(), Err(WorldError::Unavailable { .. })));
        assert!(matches!(client.samba_listing(), Err(WorldError::Unavailable { .. })));
        assert!(matches!(client.no_cloud_backup(), Err(WorldError::Unavailable { .. })));
        assert!(client.enter_step(3).is_ok());
    }

    #[test]
    fn the_key_in_clear_over_a_network_is_told() {
        let crosses = |url: &str| {
            Client::new(ClientConfig::live(url, key(), 1))
                .unwrap()
                .key_crosses_network_in_clear()
        };
        assert!(crosses("http://192.168.1.20"));
        assert!(crosses("http://jeedom.local:8080/"));
        assert!(!crosses("http://127.0.0.1:8080"));
        assert!(!crosses("http://127.1.2.3"));
        assert!(!crosses("http://LOCALHOST/core/api/jeeApi.php"));
        assert!(!crosses("http://[::1]:80"));
        if cfg!(feature = "https") {
            assert!(!crosses("https://192.168.1.20"));
        }
    }

    #[test]
    fn redirects_stay_on_their_origin() {
        let from = "http://box.local/core/api/jeeApi.php";
        assert_eq!(
            same_origin_target(from, "/jeedom/core/api/jeeApi.php"),
            Ok("http://box.local/jeedom/core/api/jeeApi.php".to_owned())
        );
        assert_eq!(
            same_origin_target(from, "http://BOX.local:80/x"),
            Ok("http://BOX.local:80/x".to_owned())
        );
        assert_eq!(
            same_origin_target(from, "https://box.local/core/api/jeeApi.php?apikey=x"),
            Err("https://box.local:443".to_owned())
        );
        assert_eq!(
            same_origin_target(from, "http://evil.example:8080/steal?k=1"),
            Err("http://evil.example:8080".to_owned())
        );
        assert!(same_origin_target(from, "//evil.example/x").is_err());
        assert!(same_origin_target(from, "").is_err());
    }

    #[test]
    fn live_reads_have_a_deadline_and_a_byte_cap() {
        let c = ClientConfig::live("http://x", key(), 1);
        assert_eq!(c.deadline, Some(Duration::from_secs(60)));
        assert_eq!(c.max_total_bytes, Some(64 * 1024 * 1024));
        let m = ClientConfig::mock_session("http://x", key());
        assert_eq!((m.deadline, m.max_total_bytes), (None, None));
    }

    #[test]
    fn php_strings() {
        assert_eq!(php_string(&json!(null)), "");
        assert_eq!(php_string(&json!(false)), "");
        assert_eq!(php_string(&json!(true)), "1");
        assert_eq!(php_string(&json!(12)), "12");
        assert_eq!(php_string(&json!("a")), "a");
    }
    /// A wiremock box answering `ping` twice: first HTTP 500, then HTTP 200, each with `body`'s
    /// text (not JSON) as `application/json`.
    async fn box_answering_ping_twice(first: String, second: String) -> wiremock::MockServer {
        use wiremock::matchers::{body_partial_json, method as http_method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        // Mounted first, so it answers first; then spent, so the second one answers.
        for (status, body) in [(500, first), (200, second)] {
            Mock::given(http_method("POST"))
                .and(path(JEEAPI_PATH))
                .and(body_partial_json(json!({"method": "ping"})))
                .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
                .up_to_n_times(1)
                .expect(1)
                .mount(&server)
                .await;
        }
        server
    }

    #[tokio::test]
    async fn a_key_cut_by_the_excerpt_is_not_half_shown() {
        let secret = key();
        // The box echoes the request; the 200-character excerpt ends in the middle of the key.
        let cut = |before: &str| format!("{before}{}{}", "x".repeat(190 - before.len()), secret.expose());
        let server = box_answering_ping_twice(cut(""), cut("<br/>")).await;
        let mut client = Client::new(ClientConfig::mock_session(server.uri(), secret.clone())).unwrap();
        let (e500, not_json) = (client.ping().unwrap_err(), client.ping().unwrap_err());
        assert!(matches!(e500, ApiError::HttpStatus { .. }), "{e500}");
        assert!(matches!(not_json, ApiError::NotJson { .. }), "{not_json}");
        for e in [e500, not_json] {
            let shown = e.to_string();
            assert!(
                !shown.contains(&secret.expose()[..8]),
                "a piece of the key is shown: {shown}"
            );
            assert!(shown.contains("***"), "{shown}");
        }
    }

    /// Answers every JSON-RPC request with `result`, under the request's own id.
    struct Echoing {
        result: Value,
    }

    impl wiremock::Respond for Echoing {
        fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            wiremock::ResponseTemplate::new(200)
                .set_body_json(json!({"jsonrpc": "2.0", "id": body["id"], "result": self.result}))
        }
    }

    #[tokio::test]
    async fn a_key_inside_an_unexpected_result_is_scrubbed() {
        use wiremock::matchers::{body_partial_json, method as http_method, path};
        use wiremock::{Mock, MockServer};
        let secret = key();
        // A log line that logged a request URL, answered in a shape the client does not expect
        // (an object where `log::get` gives lines and `backup::list` gives files).
        let result = json!({"line": format!("GET /core/api/jeeApi.php?apikey={}", secret.expose())});
        let server = MockServer::start().await;
        for (at, rpc) in [(JEEAPI_PATH, method::LOG_GET), (PROAPI_PATH, method::BACKUP_LIST)] {
            Mock::given(http_method("POST"))
                .and(path(at))
                .and(body_partial_json(json!({"method": rpc})))
                .respond_with(Echoing { result: result.clone() })
                .expect(1)
                .mount(&server)
                .await;
        }
        let mut config = ClientConfig::mock_session(server.uri(), secret.clone());
        config.dialect = Dialect::Known(JeedomVersion::V4_2);
        let mut client = Client::new(config).unwrap();
        let e = client.read_log(LogName::Backup).unwrap_err();
        assert!(matches!(e, ApiError::UnexpectedResult { .. }), "{e}");
        assert!(!e.to_string().contains(secret.expose()), "the key is shown: {e}");
        let e = client.list_local().unwrap_err();
        assert!(!e.to_string().contains(secret.expose()), "the key is shown: {e}");
    }
}
