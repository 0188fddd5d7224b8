//! The cause of a run's failures, quoted (part of the diagnosis, step 6 of the data flow): the
//! specific lines Jeedom and the commands it ran printed, not only Jeedom's generic wrapper. For
//! a failed step, what the command printed between the step's label and the failure (the
//! `mysqldump: Got error: 2002: …` line above `Backing up database failed. Check mysqldump
//! installation`), the logger's error lines, then the wrapper itself; for a failed upload, the
//! logger's error lines and every line of the `/!\ … /!\` message (4.5 keeps an exception's line
//! breaks); for the archive step, each `tar:` line, an error or a harmless warning.

use super::{LogSource, Quote, QuoteKind, quote};
use crate::log::{Run, RunEnd, StepKind, StepResult, UploadOutcome};
use crate::redact::Redactor;

/// What tar prints for a file it could not read whole, but which leaves a usable archive
/// (tar's exit code is not checked by Jeedom either).
const TAR_WARNINGS: [&str; 6] = [
    "file changed as we read it",
    "socket ignored",
    "Removing leading",
    "file removed before we read it",
    "Ignoring unknown extended header keyword",
    "in the future",
];

/// Where a wrapper's own details start, to cut a long line around them.
const DETAILS: [&str; 4] = ["Détails : ", "Details : ", "[ERROR]", "ERROR"];
const DETAILS_OR_SIGN: [&str; 3] = ["Détails : ", "Details : ", "/!\\"];

/// Whether a `tar:` line is a harmless warning rather than an error.
pub fn tar_warning(text: &str) -> bool {
    TAR_WARNINGS.iter().any(|w| text.contains(w))
}

/// The lines that say why the run (or one of its uploads) failed, in log order, each once; and
/// tar's lines of the archive step, marked as errors or harmless warnings.
pub fn cause_quotes(src: &LogSource, run: &Run, redactor: &Redactor) -> Vec<Quote> {
    let mut out: Vec<Quote> = Vec::new();
    let mut push = |q: Option<Quote>| {
        if let Some(q) = q
            && !out.iter().any(|o| o.line == q.line)
        {
            out.push(q);
        }
    };
    let text_of = |at: &crate::log::LineRef| at.text(&src.bytes).map(|t| t.trim().to_owned());
    // A logger line, marked at the details a wrapper gives (`… Détails : NT_STATUS_…`) when it
    // gives some: a long line is cut around its mark.
    let logger = |line: u32| {
        let what = super::logger_quote(src, line, redactor)?.what;
        quote(src, line, &DETAILS, what, redactor).or_else(|| super::logger_quote(src, line, redactor))
    };
    // What each command printed inside its step.
    for s in &run.steps {
        let failed = matches!(s.result, StepResult::Failed { .. } | StepResult::Nok);
        let archive = s.kind == StepKind::Archive;
        if !failed && !archive {
            continue;
        }
        for piece in &s.output {
            let Some(text) = text_of(piece).filter(|t| !t.is_empty()) else {
                continue;
            };
            let what = if text.starts_with("tar:") || (archive && !failed) {
                QuoteKind::Tar {
                    warning: tar_warning(&text),
                }
            } else {
                QuoteKind::Printed { step: s.kind.clone() }
            };
            push(quote(src, piece.line, &[text.as_str()], what, redactor));
        }
    }
    // The logger's errors and the wrapper of a failed run.
    if let RunEnd::Failed { at, .. } = &run.end {
        for l in run.errors().filter(|l| l.at.line <= at.line) {
            push(logger(l.at.line));
        }
        push(quote(
            src,
            at.line,
            &super::FAILURE_NEEDLES,
            QuoteKind::RunFailed,
            redactor,
        ));
    }
    // Failed uploads: the logger's errors inside the upload, and every line of the message.
    for u in &run.uploads {
        let (UploadOutcome::Failed { .. }, Some(f)) = (&u.outcome, &u.failure_at) else {
            continue;
        };
        let last = u.ok_at.as_ref().map_or(f.line, |o| o.line.max(f.line));
        let repo = u.repo.as_str().to_owned();
        for l in run.errors().filter(|l| l.at.line >= u.at.line && l.at.line <= last) {
            push(logger(l.at.line));
        }
        for line in f.line..=last {
            let needles: &[&str] = if line == f.line { &DETAILS_OR_SIGN } else { &[] };
            push(quote(
                src,
                line,
                needles,
                QuoteKind::UploadFailed { repo: repo.clone() },
                redactor,
            ));
        }
    }
    out.sort_by_key(|q| q.line);
    out
}
