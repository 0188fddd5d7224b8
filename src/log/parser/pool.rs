//! The storage of finished runs, reused for the texts of later ones (part of step 1→2, log
//! text → parsed run).
//!
//! A run holds a few texts (messages, the archive path, deletions) and lists of line
//! references (an upload's noise). When the consumer is done with a run (a lending consumer
//! always is, an owning one may give it back with `Parser::recycle`), those are taken out
//! before the run's storage is reused, and the next run's texts are copied into them: a
//! stream of runs then costs no allocation per text. The pool keeps buffers up to a total size
//! (runs come back in batches: all the runs of a slice of input at once), none of them large,
//! so memory stays bounded whatever the input.

use crate::log::model::{LineRef, Run, RunEnd, UploadOutcome};

/// Most bytes of capacity kept, strings and lists together.
const KEPT_BYTES: usize = 1 << 20;
/// Largest string kept (bytes of capacity): a rare long message is not held on to.
const STRING_LARGEST: usize = 1024;
/// Largest list kept (capacity).
const REFS_LARGEST: usize = 64;

/// Buffers taken from finished runs.
#[derive(Debug, Default)]
pub(super) struct Pool {
    strings: Vec<String>,
    refs: Vec<Vec<LineRef>>,
    /// Capacity held by `strings` and `refs`, in bytes.
    bytes: usize,
}

impl Pool {
    /// `text` as an owned string, in a kept buffer when there is one.
    #[inline]
    pub(super) fn copy(&mut self, text: &str) -> String {
        match self.strings.pop() {
            Some(mut s) => {
                self.bytes = self.bytes.saturating_sub(s.capacity());
                s.clear();
                s.push_str(text);
                s
            }
            None => text.to_owned(),
        }
    }

    /// An empty list of line references, with the room of a kept one when there is one.
    #[inline]
    pub(super) fn refs(&mut self) -> Vec<LineRef> {
        let v = self.refs.pop().unwrap_or_default();
        self.bytes = self.bytes.saturating_sub(v.capacity() * size_of::<LineRef>());
        v
    }

    /// Whether a buffer of `size` bytes is worth keeping and fits.
    fn room_for(&mut self, size: usize, largest: usize) -> bool {
        let fits = size > 0 && size <= largest && self.bytes + size <= KEPT_BYTES;
        if fits {
            self.bytes += size;
        }
        fits
    }

    fn keep(&mut self, mut s: String) {
        if self.room_for(s.capacity(), STRING_LARGEST) {
            s.clear();
            self.strings.push(s);
        }
    }

    fn keep_refs(&mut self, mut v: Vec<LineRef>) {
        if self.room_for(v.capacity() * size_of::<LineRef>(), REFS_LARGEST * size_of::<LineRef>()) {
            v.clear();
            self.refs.push(v);
        }
    }

    /// Takes the texts and lists out of a run the consumer is done with, leaving empty ones
    /// (no allocation to free): the run's lists themselves are cleared when it is reused.
    pub(super) fn take_from(&mut self, r: &mut Run) {
        let take = std::mem::take::<String>;
        if let Some(a) = r.archive.as_mut() {
            self.keep(take(&mut a.path));
            self.keep(take(&mut a.file_name));
        }
        for d in &mut r.remote_deletions {
            self.keep(take(&mut d.detail));
            if let Some(name) = d.file_name.take() {
                self.keep(name);
            }
        }
        for d in &mut r.deletions {
            self.keep(take(&mut d.path));
        }
        for l in &mut r.logger_lines {
            self.keep(take(&mut l.message));
        }
        for u in &mut r.uploads {
            if let UploadOutcome::Failed { message } = &mut u.outcome {
                self.keep(take(message));
            }
            self.keep_refs(std::mem::take(&mut u.noise));
        }
        if let RunEnd::Failed { message, details, .. } = &mut r.end {
            message
                .take()
                .into_iter()
                .chain(details.take())
                .for_each(|s| self.keep(s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_the_text_whatever_buffer_they_reuse() {
        let mut p = Pool::default();
        p.keep("a much longer text than the next one".to_owned());
        p.keep(String::with_capacity(2));
        for text in ["", "é", "a much longer text than the buffer it lands in", "x"] {
            assert_eq!(p.copy(text), text);
        }
        assert_eq!(p.copy("again"), "again", "an empty pool allocates");
    }

    #[test]
    fn keeps_small_buffers_up_to_a_total_size() {
        let mut p = Pool::default();
        p.keep(String::with_capacity(STRING_LARGEST + 1));
        p.keep(String::new());
        p.keep_refs(Vec::with_capacity(REFS_LARGEST + 1));
        assert!(
            p.strings.is_empty() && p.refs.is_empty(),
            "large buffers and empty ones are not kept"
        );
        for _ in 0..KEPT_BYTES / STRING_LARGEST + 10 {
            p.keep(String::with_capacity(STRING_LARGEST));
            p.keep_refs(Vec::with_capacity(REFS_LARGEST));
        }
        let held = |p: &Pool| {
            p.strings.iter().map(String::capacity).sum::<usize>()
                + p.refs
                    .iter()
                    .map(|v| v.capacity() * size_of::<LineRef>())
                    .sum::<usize>()
        };
        assert_eq!(held(&p), p.bytes);
        assert!(
            p.bytes <= KEPT_BYTES && p.bytes + STRING_LARGEST > KEPT_BYTES,
            "{}",
            p.bytes
        );
        assert!(p.strings.iter().all(String::is_empty) && p.refs().is_empty());
        let _ = p.copy("x");
        assert_eq!(held(&p), p.bytes, "taking a buffer frees its room");
    }
}
