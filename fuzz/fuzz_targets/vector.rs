//! A conformance vector is read or refused with a located error; one that reads is replayed
//! (the engine on an arbitrary timeline), and neither panics.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match infobackup::conformance::parse(text, Path::new("v.json")) {
        Ok(vector) => {
            if let Ok(verdict) = infobackup::conformance::check(&vector) {
                let _ = format!("{verdict:?}");
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
