//! Where a replay's world comes from, the seam between steps 3 and 4 of the data flow (log text →
//! parsed run → **Jeedom world → engine** → state → views): in process, over the timeline in
//! memory, or through the JSON-RPC client against a mock Jeedom ([`crate::jeeapi`]). `check`,
//! `conformance` and the snapshot suite all replay through a [`Via`], so `--via http` changes the
//! path the engine's reads and writes take and nothing else.

use std::sync::Arc;

use crate::engine::{self, ProfileConfig, Replay};
use crate::jeeapi::{HttpReplayError, HttpReplayOptions, HttpReplayer, JeedomMock, MockError};
use crate::world::{Timeline, WorldError};

/// The replay path, as `--via` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViaKind {
    /// In process, over the timeline in memory.
    #[default]
    Memory,
    /// Through the JSON-RPC client against one mock Jeedom on 127.0.0.1.
    Http,
}

impl ViaKind {
    /// The name in `--via` and in JSON summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            ViaKind::Memory => "memory",
            ViaKind::Http => "http",
        }
    }

    /// The mock a run through this path needs: one server for the whole run (none in memory).
    pub fn start_mock(self) -> Result<Option<JeedomMock>, MockError> {
        match self {
            ViaKind::Memory => Ok(None),
            ViaKind::Http => JeedomMock::start_blocking(0).map(Some),
        }
    }
}

/// Replays timelines in memory, or over HTTP against a mock (each timeline registered as its own
/// session, served in its own Jeedom version's dialect).
pub enum Via<'m> {
    Memory,
    Http {
        mock: &'m JeedomMock,
        replayer: HttpReplayer<'m>,
    },
}

impl std::fmt::Debug for Via<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Via({})", self.describe())
    }
}

/// Why a replay through a [`Via`] could not run.
#[derive(Debug, thiserror::Error)]
pub enum ViaError {
    #[error(transparent)]
    World(#[from] WorldError),
    #[error("through the mock JSON-RPC API: {0}")]
    Http(#[from] HttpReplayError),
}

impl<'m> Via<'m> {
    /// Over HTTP when a mock is given (see [`ViaKind::start_mock`]), in memory otherwise.
    pub fn new(mock: Option<&'m JeedomMock>) -> Via<'m> {
        match mock {
            Some(mock) => Via::http(mock, HttpReplayOptions::default()),
            None => Via::Memory,
        }
    }

    /// Over HTTP through `mock` (`opts.dialect: None` serves each timeline in its own dialect).
    pub fn http(mock: &'m JeedomMock, opts: HttpReplayOptions) -> Via<'m> {
        Via::Http {
            mock,
            replayer: HttpReplayer::new(mock, opts),
        }
    }

    pub fn kind(&self) -> ViaKind {
        match self {
            Via::Memory => ViaKind::Memory,
            Via::Http { .. } => ViaKind::Http,
        }
    }

    /// For a header: `in process` or `mock JSON-RPC at http://127.0.0.1:PORT`. Never a key.
    pub fn describe(&self) -> String {
        match self {
            Via::Memory => "in process".to_owned(),
            Via::Http { mock, .. } => format!("mock JSON-RPC at {}", mock.uri()),
        }
    }

    /// [`Via::describe`] in `lang`, for a report's header.
    pub fn describe_in(&self, lang: crate::Lang) -> String {
        match (self, lang) {
            (_, crate::Lang::En) => self.describe(),
            (Via::Memory, crate::Lang::Fr) => "dans le processus".to_owned(),
            (Via::Http { mock, .. }, crate::Lang::Fr) => format!("API JSON-RPC simulée sur {}", mock.uri()),
        }
    }

    /// Replays `timeline` with `config` along this path.
    pub fn replay(&self, timeline: &Timeline, config: &ProfileConfig) -> Result<Replay, ViaError> {
        match self {
            Via::Memory => Ok(engine::replay_in_memory(timeline, config)?),
            Via::Http { replayer, .. } => Ok(replayer.replay(&Arc::new(timeline.clone()), config)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance;
    use crate::engine::Profile;
    use crate::jeeapi::{Fault, FaultRule};

    fn vector(name: &str) -> conformance::Vector {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/conformance");
        conformance::load(&dir.join(name)).expect("a published vector")
    }

    #[test]
    fn both_paths_give_the_same_replay_and_say_which_they_are() {
        let mock = ViaKind::Http.start_mock().unwrap().expect("a mock for http");
        assert!(ViaKind::Memory.start_mock().unwrap().is_none());
        let (memory, http) = (Via::new(None), Via::new(Some(&mock)));
        assert_eq!((memory.kind(), http.kind()), (ViaKind::Memory, ViaKind::Http));
        assert_eq!(http.describe(), format!("mock JSON-RPC at {}", mock.uri()));
        let v = vector("v2024-08.local-ok-samba-ok.json");
        let config = ProfileConfig::builtin(Profile::V2024_08);
        let a = memory.replay(&v.case, &config).unwrap();
        let b = http.replay(&v.case, &config).unwrap();
        assert_eq!(a, b);
        assert!(mock.served() > 0, "the HTTP path went through the mock");
        assert_eq!(mock.session_count(), 0, "each replay's session ends with it");
    }

    #[test]
    fn a_transport_failure_is_an_error_not_a_crash() {
        let mock = JeedomMock::start_blocking(0).unwrap();
        mock.add_fault(FaultRule::always(Fault::Http500));
        let v = vector("v2024-08.local-ok-samba-ok.json");
        let e = Via::new(Some(&mock))
            .replay(&v.case, &ProfileConfig::builtin(Profile::V2024_08))
            .unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("through the mock JSON-RPC API: "), "{text}");
        assert!(text.contains(&mock.uri()) && text.contains("HTTP 500"), "{text}");
    }
}
