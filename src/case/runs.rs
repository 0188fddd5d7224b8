//! What inference needs to know about each backup run of a case's logs, extracted from the log
//! model (`crate::log`). Keeping this small view separate means the rest of the case module does
//! not depend on the shape of the whole log model.

use jiff::civil::DateTime;

use crate::world::{JeedomVersion, LogName};

/// One backup run found in one of the case's logs, with the byte offsets inference cuts at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// The log it was written to.
    pub log: LogName,
    /// The case file it was read from.
    pub file: String,
    /// Offset of the run's first byte in its file.
    pub start_offset: usize,
    /// Offset just after the run's last line.
    pub end_offset: usize,
    /// Banner time and its line.
    pub start: Option<(DateTime, u32)>,
    /// Offset just after the begin-event line (where `begin_backup` fires), and that line.
    pub begin_event: Option<(usize, u32)>,
    /// The archive the run named.
    pub archive: Option<ArchiveInfo>,
    /// Seconds the run says it took, and the line.
    pub duration: Option<(u32, u32)>,
    pub end: RunEndInfo,
    /// The Samba upload: succeeded?, and the line of `Send backup Samba`.
    pub samba: Option<(bool, u32)>,
    /// The Market upload: succeeded?, and its line.
    pub market: Option<(bool, u32)>,
    /// The Jeedom generation the wording shows, when it tells one apart, with a line.
    pub generation: Option<(JeedomVersion, u32)>,
    /// The latest logger time inside the run, with its line.
    pub last_time: Option<(DateTime, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveInfo {
    pub file_name: String,
    /// The full path as printed (`/var/www/html/core/php/../../backup/…`).
    pub path: String,
    /// The Jeedom version in the name (`4.4.20`), when the name has the usual shape.
    pub version: Option<String>,
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEndInfo {
    Success { line: u32 },
    Failed { line: u32 },
    Unterminated,
}

/// The runs of one log file, in file order.
pub fn extract(_log: LogName, _file: &str, _bytes: &[u8]) -> Vec<RunInfo> {
    // Filled from `crate::log::parse` once the log model lands on main.
    Vec::new()
}
