//! infobackup-log: step 1 of the data flow, log bytes → typed runs ([`log`]), and the secret
//! redaction every output passes through ([`redact`]). The two are one crate because each reads
//! the other: the parser redacts the lines it quotes, and the redactor reads HTML-escaped text
//! through the log's decoder. Depends only on infobackup-world (ARCHITECTURE.md, "Crates").

pub mod log;
pub mod redact;

use infobackup_world::{Lang, world};
