//! A case manifest (`case.toml`) is read or refused with a located error, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = infobackup::case::manifest::parse(Path::new("case.toml"), text) {
        // The message is built (it quotes the source): that must not panic either.
        let _ = e.to_string();
    }
});
