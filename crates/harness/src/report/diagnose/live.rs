//! Live mode of `diagnose` (`--jeedom-url`): reads a box through the JSON-RPC client, read-only,
//! into the facts a diagnosis shows ([`Live`]) and, unless a log is given beside the address, a
//! case of the box's own logs. Writes nothing: the one write (`--push`) is the caller's, after the
//! diagnosis, through [`LiveBox::client`]. The command line reads the key and prints; this module
//! does the reading.

use std::time::Duration;

use crate::case::Case;
use crate::jeeapi::{ApiError, ApiKey, Client, ClientConfig, ConfigError, LogVia, Writes};
use crate::redact::Redactor;
use crate::report::diagnose::{self, Live};
use crate::widget;
use crate::world::{JeedomVersion, LogName};

/// How to reach the box.
#[derive(Debug)]
pub struct LiveOptions<'a> {
    /// The box's address, as given (it may hold credentials: shown only redacted).
    pub url: &'a str,
    pub key: ApiKey,
    /// The virtual command's id: its value and tile are read when given, and it is what a push
    /// writes.
    pub cmd: Option<u64>,
    /// Configure the client to allow the one write (`--push`); nothing is written here.
    pub push: bool,
    /// The box's time zone, when not the client's default.
    pub tz: Option<&'a str>,
    /// The whole read's deadline.
    pub timeout: Duration,
}

/// A box the client can talk to (nothing read yet).
#[derive(Debug)]
pub struct LiveBox {
    /// The client, to push with afterwards (it writes only when `push` was set).
    pub client: Client,
    /// The address with the key and any credentials removed.
    pub shown_url: String,
    /// Redacts the key wherever a text of the box would show it.
    pub redactor: Redactor,
    /// The virtual command's id, when given.
    cmd: Option<u64>,
}

/// What live mode read.
#[derive(Debug)]
pub struct LiveRead {
    pub live: Live,
    /// The box's version, when it parses as one (`live.version` holds the text as the box said it).
    pub version: Option<JeedomVersion>,
    /// Whether Samba uploads are on, when both of its config keys have a value.
    pub samba: Option<bool>,
    /// The box's logs (`log/backup`, and `log/update`, `log/cron_execution` when not empty), when
    /// asked for.
    pub case: Option<Case>,
}

/// What live mode was doing when a read failed (worded in either language by the harness's
/// `error_words`; English here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Reading {
    /// Setting up the client for the address (nothing sent yet).
    #[error("cannot use this address")]
    Address,
    #[error("reading the version")]
    Version,
    #[error("reading the config key {0}")]
    ConfigKey(&'static str),
    #[error("reading the virtual command")]
    VirtualCommand,
    #[error("reading log/{}", .0.as_str())]
    Log(LogName),
}

/// A failed read, named with the (redacted) address and what was being read.
#[derive(Debug, thiserror::Error)]
#[error("--jeedom-url {url}: {what}")]
pub struct LiveError {
    pub url: String,
    pub what: Reading,
    /// Boxed: an API error is large, and this travels up every `?`.
    #[source]
    pub source: Box<LiveCause>,
}

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum LiveCause {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl LiveBox {
    /// Sets up the client for `opts` (read-only unless `push`); reads nothing yet.
    pub fn connect(opts: LiveOptions<'_>) -> Result<LiveBox, LiveError> {
        let redactor = Redactor::new().with_secret(opts.key.expose()).unwrap_or_default();
        let shown_url = redactor.redact(opts.url).into_owned();
        let mut config = ClientConfig::live(opts.url, opts.key, opts.cmd.unwrap_or(0));
        if let Some(tz) = opts.tz {
            config.tz = tz.to_owned();
        }
        // Read-only unless the user asked for the one write, and even then nothing is written
        // before the diagnosis is done (the caller pushes).
        config.writes = if opts.push { Writes::Push } else { Writes::Hold };
        config.deadline = Some(opts.timeout);
        match Client::new(config) {
            Ok(client) => Ok(LiveBox {
                client,
                shown_url,
                redactor,
                cmd: opts.cmd,
            }),
            Err(e) => Err(LiveError {
                url: shown_url,
                what: Reading::Address,
                source: Box::new(e.into()),
            }),
        }
    }

    fn error(&self, what: Reading, e: impl Into<LiveCause>) -> LiveError {
        LiveError {
            url: self.shown_url.clone(),
            what,
            source: Box::new(e.into()),
        }
    }

    /// Reads the version, the Samba keys, the virtual (when a command id was given), what jeeApi
    /// cannot list, the box's clock and, when `read_logs`, its logs.
    pub fn read(&mut self, read_logs: bool) -> Result<LiveRead, LiveError> {
        let mut live = Live {
            url: self.shown_url.clone(),
            version: None,
            virtual_value: None,
            tile: None,
            config: Vec::new(),
            unavailable: Vec::new(),
            log_caveat: None,
            now: None,
        };
        let version_text = self
            .client
            .version_text()
            .map_err(|e| self.error(Reading::Version, e))?;
        live.version = Some(version_text.clone());
        let version = version_text
            .trim()
            .trim_start_matches(['v', 'V'])
            .parse::<JeedomVersion>()
            .ok();
        let mut samba = Vec::new();
        for k in ["samba::enable", "samba::cloudUpload"] {
            let v = self
                .client
                .config_value(k)
                .map_err(|e| self.error(Reading::ConfigKey(k), e))?;
            live.config.push((k.to_owned(), v.clone()));
            samba.push(v);
        }
        let samba = samba
            .iter()
            .all(|v| !v.is_empty())
            .then(|| samba.iter().all(|v| v != "0"));
        if self.cmd.is_some() {
            let value = self
                .client
                .remote_virtual()
                .map_err(|e| self.error(Reading::VirtualCommand, e))?;
            live.tile = Some(widget::view(&value));
            live.virtual_value = Some(value);
        }
        // What jeeApi cannot give, said rather than guessed.
        if self.client.list_local().is_err() {
            live.unavailable.push(diagnose::UNAVAILABLE_LOCAL.to_owned());
        }
        if self.client.list_samba().is_err() {
            live.unavailable.push(diagnose::UNAVAILABLE_SAMBA.to_owned());
        }
        live.now = self.client.box_now().ok();
        let case = if read_logs {
            Some(self.read_logs(&mut live)?)
        } else {
            None
        };
        Ok(LiveRead {
            live,
            version,
            samba,
            case,
        })
    }

    fn read_logs(&mut self, live: &mut Live) -> Result<Case, LiveError> {
        let read = self
            .client
            .read_log(LogName::Backup)
            .map_err(|e| self.error(Reading::Log(LogName::Backup), e))?;
        live.log_caveat = match (&read.via, read.is_exact()) {
            (LogVia::Get { .. }, _) => Some(diagnose::CAVEAT_LOG_GET.to_owned()),
            (_, false) => Some(diagnose::CAVEAT_NOT_UTF8.to_owned()),
            _ => None,
        };
        let mut case = Case::from_log("log/backup", LogName::Backup, "log/backup", read.text.clone());
        // The other logs a backup prints into (strict reads them): absent or empty on most
        // boxes, and then left out.
        for name in [LogName::Update, LogName::CronExecution] {
            let text = match self.client.read_log(name) {
                Ok(r) => r.text,
                // The box answered an error (no such log): an absent log reads empty.
                Err(ApiError::Jeedom { .. } | ApiError::NotFound { .. }) => continue,
                Err(e) => return Err(self.error(Reading::Log(name), e)),
            };
            if !text.is_empty() {
                let file = format!("log/{}", name.as_str());
                case.logs.insert(name, file.clone());
                case.files.insert(file, text);
            }
        }
        Ok(case)
    }
}
