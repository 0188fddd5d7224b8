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
    /// Its position among the runs of its file (0-based), as the log model lists them.
    pub index: usize,
    /// Offset of the run's first byte in its file.
    pub start_offset: usize,
    /// Offset just after the run's last line.
    pub end_offset: usize,
    /// Banner time and its line.
    pub start: Option<(DateTime, u32)>,
    /// Offset just after the begin-event label (where `begin_backup` fires, before its `OK`),
    /// and its line.
    pub begin_event: Option<(usize, u32)>,
    /// Offset just after the banner, when the run still has it.
    pub banner_end: Option<usize>,
    /// The archive the run named.
    pub archive: Option<ArchiveInfo>,
    /// Seconds the run says it took, and the line.
    pub duration: Option<(u32, u32)>,
    pub end: RunEndInfo,
    /// The Samba upload: succeeded?, and the line of `Send backup Samba`.
    pub samba: Option<(bool, u32)>,
    /// The Samba upload's failure message (redacted) and its line, when it failed with one.
    pub samba_failure: Option<(String, u32)>,
    /// The Market upload: succeeded?, and its line.
    pub market: Option<(bool, u32)>,
    /// The Jeedom generation the wording shows, when it tells one apart, with a line.
    pub generation: Option<(JeedomVersion, u32)>,
    /// File names the size limit deleted from the backup folder (`Delete: <path>`).
    pub deleted: Vec<String>,
    /// The time of the run's first logger line, with its line.
    pub first_time: Option<(DateTime, u32)>,
    /// The time of the run's last logger line, with its line.
    pub last_time: Option<(DateTime, u32)>,
    /// The latest time among the run's logger lines.
    pub latest_time: Option<DateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveInfo {
    pub file_name: String,
    /// The full path as printed (`/var/www/html/core/php/../../backup/…`).
    pub path: String,
    /// The Jeedom version in the name (`4.4.20`), when the name has the usual shape.
    pub version: Option<String>,
    /// The minute the name carries (`…-2025-09-10-03h27.tar.gz`).
    pub stamp_time: Option<DateTime>,
    pub line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEndInfo {
    Success { line: u32 },
    Failed { line: u32 },
    Unterminated,
}

/// The runs of one log file, in file order, from the log model.
pub fn extract(log: LogName, file: &str, bytes: &[u8]) -> Vec<RunInfo> {
    let model = crate::log::parse(bytes);
    let offset = |o: u64| usize::try_from(o).unwrap_or(usize::MAX).min(bytes.len());
    model
        .runs
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let start_offset = offset(r.span.start);
            let span_end = offset(r.span.end);
            // A run ends after its last line's line end, unless the log was reflowed onto one
            // line (then the next run starts on the same line).
            let end_offset = if model.reflowed || span_end == 0 || bytes.get(span_end - 1) == Some(&b'\n') {
                span_end
            } else {
                super::cut::line_end(bytes, span_end - 1)
            };
            let upload = |repo: crate::log::Repo| {
                r.uploads
                    .iter()
                    .find(|u| u.repo == repo)
                    .map(|u| (matches!(u.outcome, crate::log::UploadOutcome::Ok), u.at.line))
            };
            RunInfo {
                log,
                file: file.to_owned(),
                index,
                start_offset,
                end_offset,
                start: r.start.as_ref().map(|(dt, at)| (*dt, at.line)),
                // begin_backup runs after the label is echoed and before its `OK`.
                begin_event: r
                    .steps
                    .iter()
                    .find(|s| s.kind == crate::log::StepKind::BeginEvent)
                    .map(|s| (offset(s.at.span.end), s.at.line)),
                banner_end: r.start.as_ref().map(|(_, at)| offset(at.span.end)),
                archive: r.archive.as_ref().map(|a| ArchiveInfo {
                    file_name: a.file_name.clone(),
                    path: a.path.clone(),
                    version: a.version.as_deref().map(str::to_owned),
                    stamp_time: a.stamp_time(),
                    line: a.at.line,
                }),
                duration: r.duration.as_ref().map(|(s, at)| (*s, at.line)),
                end: match &r.end {
                    crate::log::RunEnd::Success { at, .. } => RunEndInfo::Success { line: at.line },
                    crate::log::RunEnd::Failed { at, .. } => RunEndInfo::Failed { line: at.line },
                    crate::log::RunEnd::Unterminated => RunEndInfo::Unterminated,
                },
                samba: upload(crate::log::Repo::Samba),
                samba_failure: r
                    .uploads
                    .iter()
                    .find(|u| u.repo == crate::log::Repo::Samba)
                    .and_then(|u| match &u.outcome {
                        crate::log::UploadOutcome::Failed { message } => {
                            Some((message.clone(), u.failure_at.as_ref().map_or(u.at.line, |a| a.line)))
                        }
                        _ => None,
                    }),
                market: upload(crate::log::Repo::Market),
                generation: r.generation.exact().map(|v| (v, r.lines.first)),
                deleted: r
                    .deletions
                    .iter()
                    .map(|d| d.path.rsplit('/').next().unwrap_or(&d.path).to_owned())
                    .collect(),
                first_time: r.logger_lines.first().map(|l| (l.time, l.at.line)),
                last_time: r.logger_lines.last().map(|l| (l.time, l.at.line)),
                latest_time: r.logger_lines.iter().map(|l| l.time).max(),
            }
        })
        .collect()
}
