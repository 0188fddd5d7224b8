//! Redaction: a secret planted in any listed shape, on its own line between arbitrary text,
//! never survives; and a known secret (the API key) never survives anywhere. Never a panic.
//!
//! Input: see `planted::plant`.
#![no_main]

use infobackup::redact::Redactor;
use libfuzzer_sys::fuzz_target;

#[path = "planted.rs"]
mod planted;

fuzz_target!(|data: &[u8]| {
    let Some(p) = planted::plant(data) else {
        return;
    };
    let planted = String::from_utf8_lossy(&p.text()).into_owned();
    let shown = Redactor::new().redact(&planted);
    assert!(
        !shown.contains(&p.secret),
        "shape {} leaks: {}",
        p.shape,
        planted::SHAPES[p.shape]
    );
    // A known secret, anywhere, even glued to other text.
    let glued = format!(
        "{}{}{}",
        String::from_utf8_lossy(p.before),
        p.secret,
        String::from_utf8_lossy(p.after)
    );
    let r = Redactor::new().with_secret(&p.secret).expect("long enough");
    assert!(!r.redact(&glued).contains(&p.secret), "a known secret survives");
});
