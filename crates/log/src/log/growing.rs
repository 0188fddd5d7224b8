//! A log read again and again as it grows, parsed once: step 1→2 of the data flow for a replay.
//!
//! A replay shows the engine the same log at every trigger, each time a little longer: the
//! step's log is a prefix of the whole (`world::LogBytes`, views into one buffer). Parsing each
//! prefix from its first byte made a replay quadratic in the runs of the log. [`GrowingLog`]
//! keeps one [`Parser`] fed up to the bytes it was last shown and the items it completed; shown
//! a longer view of the same buffer, it feeds only the new bytes. The model of a prefix is then
//! the completed items plus what a copy of the parser gives when it finishes there (the open
//! run, a carried line): exactly [`super::parse`] of that prefix, since feeding in chunks
//! changes nothing (the parser's chunk tests).
//!
//! Shown other bytes (another buffer, or shorter ones), it starts again from the first byte.

use std::sync::Arc;

use bytes::Bytes;

use super::model::{LineRef, LogModel, LoggerLine, Run};
use super::parser::{LogItem, ModelBuilder, Parser};

/// Items the parser completed, shared with the views handed out (copied only when a view is
/// still alive as more items arrive).
#[derive(Debug, Clone, Default)]
struct Done {
    runs: Vec<Run>,
    loose: Vec<LoggerLine>,
    unknown: Vec<LineRef>,
}

impl Done {
    fn push(&mut self, item: LogItem) {
        match item {
            LogItem::Run(r) => self.runs.push(*r),
            LogItem::LooseLogger(l) => self.loose.push(l),
            LogItem::Unknown(u) => self.unknown.push(u),
        }
    }
}

/// One log's parse, kept across the triggers of a replay.
#[derive(Debug, Default)]
pub struct GrowingLog {
    /// The bytes last shown (held, so that their buffer cannot be freed and reused).
    bytes: Bytes,
    parser: Parser,
    done: Arc<Done>,
}

impl GrowingLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// The model of `bytes`, parsing only what was not parsed before when `bytes` extends the
    /// bytes of the last call (the same buffer, from the same first byte).
    pub fn view(&mut self, bytes: &Bytes) -> LogView {
        let extends =
            self.bytes.is_empty() || (bytes.as_ptr() == self.bytes.as_ptr() && bytes.len() >= self.bytes.len());
        if !extends {
            *self = GrowingLog::new();
        }
        if let Some(new) = bytes.get(self.bytes.len()..)
            && !new.is_empty()
        {
            let done = Arc::make_mut(&mut self.done);
            self.parser.feed(new, &mut |item| done.push(item));
        }
        self.bytes = bytes.clone();
        let mut tail = ModelBuilder::new();
        let info = self.parser.clone().finish(&mut |item| tail.push(item));
        LogView {
            done: Arc::clone(&self.done),
            tail: tail.finish(info),
        }
    }
}

/// The model of one prefix of a [`GrowingLog`]: the items completed before it, shared, and the
/// rest ([`LogView::tail`]: the runs still open there, and the facts about the whole text).
#[derive(Debug, Clone)]
pub struct LogView {
    done: Arc<Done>,
    tail: LogModel,
}

impl LogView {
    /// The runs, in input order (as [`LogModel::runs`]).
    pub fn runs(&self) -> impl DoubleEndedIterator<Item = &Run> {
        self.done.runs.iter().chain(self.tail.runs.iter())
    }

    /// Number of runs.
    pub fn run_count(&self) -> usize {
        self.done.runs.len() + self.tail.runs.len()
    }

    /// Run `i` (0-based, input order).
    pub fn run(&self, i: usize) -> Option<&Run> {
        match i.checked_sub(self.done.runs.len()) {
            None => self.done.runs.get(i),
            Some(k) => self.tail.runs.get(k),
        }
    }

    /// Every logger line, in runs or not, in input order (as [`LogModel::all_logger_lines`]).
    pub fn all_logger_lines(&self) -> Vec<&LoggerLine> {
        let mut all: Vec<&LoggerLine> = self
            .runs()
            .flat_map(|r| r.logger_lines.iter())
            .chain(self.done.loose.iter())
            .chain(self.tail.loose_logger_lines.iter())
            .collect();
        all.sort_by_key(|l| l.at.span.start);
        all
    }

    /// The items not completed before the prefix's end, with the facts about the whole text
    /// (`line_count`, `byte_count`, encoding…).
    pub fn tail(&self) -> &LogModel {
        &self.tail
    }

    /// The whole model (a copy of every item: for tests and small logs).
    pub fn to_model(&self) -> LogModel {
        let mut m = self.tail.clone();
        m.runs = self.done.runs.iter().chain(self.tail.runs.iter()).cloned().collect();
        m.loose_logger_lines = self
            .done
            .loose
            .iter()
            .chain(self.tail.loose_logger_lines.iter())
            .cloned()
            .collect();
        m.unknown = self
            .done
            .unknown
            .iter()
            .chain(self.tail.unknown.iter())
            .cloned()
            .collect();
        m
    }
}
