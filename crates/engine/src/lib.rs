//! infobackup-engine: step 4 of the data flow, the scenario as a state machine ([`engine`]), the
//! `php:` profiles that run a code block in php ([`phprun`]) and the scenario template file
//! ([`template`]). One crate because the three need each other: a profile can be a template's
//! block run in php, and the template's lint replays through the engine. Depends on
//! infobackup-world, -php and -log (ARCHITECTURE.md, "Crates").

pub mod engine;
pub mod phprun;
pub mod template;

use infobackup_log::{log, redact};
use infobackup_php::php;
use infobackup_world::{Lang, Text, line_col, world};
