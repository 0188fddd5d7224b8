//! infobackup: a scenario-simulation test harness for Jeedom's "Info backup" widget and scenario.
//!
//! Data flows one way, one module per step:
//!
//! ```text
//! log bytes ─▶ log ─▶ case ─▶ world::Timeline ─▶ engine ─▶ StepOutcome ─▶ widget ─▶ report
//!            (parsed runs) (inference)  │  World trait           (flags, evidence)  (tile)
//!                                       ├─ world::MemoryWorld         (in-process replay)
//!                                       └─ jeeapi::Client ──HTTP──▶ jeeapi mock, or a real box
//!                                          (via: which of the two a replay goes through)
//! ```
//!
//! The modules live in the workspace's crates (`crates/`), one crate per layer, so that a module
//! can only use the layers below it (ARCHITECTURE.md, "Crates"). This facade re-exports them
//! under their module names, so `infobackup::log::parse` and the rest keep their paths for the
//! command line, the tests, the benchmarks and the fuzz targets.

pub use infobackup_engine::{engine, phprun, template};
pub use infobackup_harness::{case, conformance, error_words, report, via, widget};
pub use infobackup_jeeapi::jeeapi;
pub use infobackup_log::{log, redact};
pub use infobackup_php::php;
pub use infobackup_world::{Lang, Text, world};
