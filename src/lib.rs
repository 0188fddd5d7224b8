//! infobackup: a scenario-simulation test harness for Jeedom's "Info backup" widget and scenario.
//!
//! Data flows one way, one module per step:
//!
//! ```text
//! log bytes ──▶ log (parsed runs) ──▶ world (Timeline, World) ──▶ engine (profiles, evidence)
//!                      │                  ▲        ▲                      │
//!                      └─▶ case (manifests, inference)  jeeapi (mock + client)
//!                                                                         ▼
//!                                             widget (tile view) ──▶ report (check, diagnose)
//! ```
//!
//! See ARCHITECTURE.md for the code map and the invariants each module keeps.

pub mod case;
pub mod conformance;
pub mod engine;
pub mod jeeapi;
pub mod log;
pub mod php;
pub mod redact;
pub mod report;
pub mod via;
pub mod widget;
pub mod world;

/// The language of every sentence the tool writes for a person. French is Jeedom's community
/// language and the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(clap::ValueEnum)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// Picks the sentence in this language.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}
