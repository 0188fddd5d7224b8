//! infobackup-harness: recorded cases and the one inference stage ([`case`]), conformance
//! vectors ([`conformance`]), the replay path ([`via`]), the tile ([`widget`]) and every report
//! ([`report`]). The top library crate: it may use every other one, and none uses it
//! (ARCHITECTURE.md, "Crates").

pub mod case;
pub mod conformance;
pub mod error_words;
pub mod report;
pub mod via;
pub mod widget;

use infobackup_engine::{engine, phprun, template};
use infobackup_jeeapi::jeeapi;
use infobackup_log::{log, redact};
use infobackup_php::php;
use infobackup_world::{Lang, Text, line_col, world};
