//! Anonymisation for `record`: a secret planted in any listed shape, on its own line between
//! arbitrary bytes, never survives in the recorded log. Never a panic.
//!
//! Input: see `planted::plant`.
#![no_main]

use infobackup::redact::anonymize;
use libfuzzer_sys::fuzz_target;

#[path = "planted.rs"]
mod planted;

fuzz_target!(|data: &[u8]| {
    let Some(p) = planted::plant(data) else {
        return;
    };
    let out = anonymize(&p.text());
    assert!(
        !planted::contains(&out.bytes, p.secret.as_bytes()),
        "shape {} survives anonymisation: {}",
        p.shape,
        planted::SHAPES[p.shape]
    );
});
