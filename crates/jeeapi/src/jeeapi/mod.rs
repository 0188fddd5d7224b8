//! Jeedom's JSON-RPC API (`/core/api/jeeApi.php`), the HTTP side of step 3 of the data flow
//! (log text → parsed run → **Jeedom world** → engine → state → views): the world the engine
//! reads, reached over HTTP instead of from memory.
//!
//! - [`protocol`]: the envelope, error codes, the secret [`ApiKey`], typed [`ApiError`]s.
//! - [`client`]: [`Client`], a blocking JSON-RPC client (ureq) that implements
//!   [`crate::world::World`] against a mock session or a live box (read-only unless told to push).
//! - [`mock`]: [`JeedomMock`], a hyper server that serves any number of
//!   [`crate::world::Timeline`]s at once in each Jeedom version's dialect, with fault injection.
//!
//! Architecture invariant: the API key never reaches a message, a log line or a snapshot;
//! [`ApiKey`] prints `***` and errors quote server text with the key scrubbed out.

pub mod client;
pub mod mock;
pub mod protocol;

pub use client::{Client, ClientConfig, ConfigError, Dialect, LogRead, LogVia, Target, VirtualRead, Writes};
pub use mock::{Fault, FaultRule, JeedomMock, MockError, MockSession, SessionMode, SessionOptions};
pub use protocol::{ApiError, ApiKey, KeyError};

use std::sync::Arc;
use std::time::Duration;

use crate::engine::{ProfileConfig, Replay};
use crate::world::{JeedomVersion, Timeline, WorldError};

/// How a timeline is replayed over HTTP.
#[derive(Debug, Clone)]
pub struct HttpReplayOptions {
    /// Serve another Jeedom dialect than the timeline's (≤ 4.3 reads the log with `log::get`,
    /// which is lossy: results may then differ from the in-process replay).
    pub dialect: Option<JeedomVersion>,
    pub virtual_read: VirtualRead,
    pub timeout: Duration,
    /// Faults the session starts with.
    pub faults: Vec<FaultRule>,
}

impl Default for HttpReplayOptions {
    fn default() -> Self {
        HttpReplayOptions {
            dialect: None,
            virtual_read: VirtualRead::ById,
            timeout: Duration::from_secs(5),
            faults: Vec::new(),
        }
    }
}

/// Why a replay over HTTP could not run.
#[derive(Debug, thiserror::Error)]
pub enum HttpReplayError {
    #[error("the mock refused the timeline: {0}")]
    Mock(#[from] MockError),
    #[error("client configuration: {0}")]
    Client(#[from] ConfigError),
    #[error(transparent)]
    World(#[from] WorldError),
}

/// Replays timelines through the JSON-RPC client against one mock, reusing kept-alive
/// connections from one replay to the next. One per thread.
pub struct HttpReplayer<'m> {
    mock: &'m JeedomMock,
    opts: HttpReplayOptions,
    agent: ureq::Agent,
}

impl<'m> HttpReplayer<'m> {
    pub fn new(mock: &'m JeedomMock, opts: HttpReplayOptions) -> HttpReplayer<'m> {
        let agent = client::new_agent(opts.timeout);
        HttpReplayer { mock, opts, agent }
    }

    /// Registers a session (its own key), runs [`crate::engine::replay`] with a [`Client`] as
    /// the world, and ends the session.
    pub fn replay(&self, timeline: &Arc<Timeline>, config: &ProfileConfig) -> Result<Replay, HttpReplayError> {
        let opts = &self.opts;
        let session_opts = SessionOptions {
            dialect: opts.dialect,
            faults: opts.faults.clone(),
            ..SessionOptions::default()
        };
        let session = self.mock.register(timeline.clone(), session_opts)?;
        let mut cfg = session.client_config();
        cfg.virtual_read = opts.virtual_read;
        cfg.timeout = opts.timeout;
        cfg.dialect = Dialect::Known(opts.dialect.unwrap_or(timeline.jeedom));
        let mut client = Client::with_agent(cfg, self.agent.clone())?;
        Ok(crate::engine::replay(timeline, config, &mut client)?)
    }
}

/// Replays `timeline` with `config` through the JSON-RPC client against `mock` (one-shot
/// [`HttpReplayer`]). Many replays may share one mock, from many threads.
pub fn replay_http(
    mock: &JeedomMock,
    timeline: &Arc<Timeline>,
    config: &ProfileConfig,
    opts: &HttpReplayOptions,
) -> Result<Replay, HttpReplayError> {
    HttpReplayer::new(mock, opts.clone()).replay(timeline, config)
}
