//! Small bounded memos of the parser (part of step 1→2, log text → parsed run): a backup log
//! repeats the same lines and the same messages night after night, so the work done on a text
//! is remembered by its exact bytes and reused when the same text comes again.
//!
//! Both memos are direct-mapped tables of a fixed number of slots, indexed by a hash of the
//! text; a slot holds the text itself and a hit requires byte equality, so a memo can only
//! return what the computation would return for that very text. Texts longer than a bound are
//! not memoised, so memory stays bounded whatever the input.

use std::borrow::Cow;

use crate::redact;

/// A fast non-cryptographic hash of a short text (FxHash-style, 8 bytes at a time). The memos
/// only use it to pick a slot; equality is always checked on the bytes.
#[inline]
pub(super) fn hash(b: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        if let Some(dst) = w.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    // Multiplications only carry low bits upwards: mix the high bits down so that the low
    // bits, which pick the slot, depend on every byte.
    h ^= h >> 29;
    h = h.wrapping_mul(K);
    h ^ (h >> 32)
}

/// Slots of the message memo.
const MESSAGE_SLOTS: usize = 64;
/// Longest message text memoised.
const MESSAGE_MAX: usize = 1024;

#[derive(Debug, Default, Clone)]
struct MessageSlot {
    used: bool,
    hash: u64,
    text: String,
    /// The redacted text, when redaction changed it.
    redacted: Option<String>,
}

/// Remembers the redaction of recent message texts ([`redact::redact`] is a pure function of
/// its text): a nightly error message or PHP trace line is redacted once, not every night.
#[derive(Debug, Default)]
pub(super) struct MessageMemo {
    slots: Vec<MessageSlot>,
}

impl MessageMemo {
    /// `redact::redact(text)`, from the memo when the same text was redacted recently.
    pub(super) fn redact<'s>(&'s mut self, text: &'s str) -> Cow<'s, str> {
        if text.len() > MESSAGE_MAX {
            return redact::redact(text);
        }
        if self.slots.is_empty() {
            self.slots = vec![MessageSlot::default(); MESSAGE_SLOTS];
        }
        let h = hash(text.as_bytes());
        let Some(slot) = self.slots.get_mut(h as usize % MESSAGE_SLOTS) else {
            return redact::redact(text);
        };
        if !(slot.used && slot.hash == h && slot.text == text) {
            let r = redact::redact(text);
            slot.used = true;
            slot.hash = h;
            slot.text.clear();
            slot.text.push_str(text);
            match r {
                Cow::Borrowed(_) => slot.redacted = None,
                Cow::Owned(s) => slot.redacted = Some(s),
            }
        }
        match &slot.redacted {
            None => Cow::Borrowed(text),
            Some(r) => Cow::Borrowed(r.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_returns_what_redact_returns() {
        let mut m = MessageMemo::default();
        let texts = [
            "plain",
            "smbclient '//h/s' -U \"user%S3cr3t\" -c 'put x'",
            "apikey=abcdefABCDEF0123456789abcdef012345",
            "",
            "plain",
            "smbclient '//h/s' -U \"user%S3cr3t\" -c 'put x'",
        ];
        for _ in 0..3 {
            for t in texts {
                assert_eq!(m.redact(t), redact::redact(t), "{t:?}");
            }
        }
        // Colliding slots: many texts through few slots.
        for i in 0..500 {
            let t = format!("-U \"u{i}%p{i}\" x");
            assert_eq!(m.redact(&t), redact::redact(&t));
        }
    }

    #[test]
    fn hash_reads_every_byte() {
        assert_ne!(hash(b"abcdefgh1"), hash(b"abcdefgh2"));
        assert_ne!(hash(b"a"), hash(b"a\0"));
        assert_ne!(hash(b""), hash(b"\0"));
    }
}
