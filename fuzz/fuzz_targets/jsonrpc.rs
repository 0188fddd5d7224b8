//! The client's decoding of a JSON-RPC answer: never a panic, and the API key never appears in an
//! error (a box may echo it anywhere in its answer). `@K` in the input stands for the key.
#![no_main]

use infobackup::jeeapi::ApiKey;
use infobackup::jeeapi::protocol::{decode_answer, excerpt};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "FuzzKey0123456789abcdefABCDEF";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.replace("@K", KEY);
    let key = ApiKey::new(KEY).expect("a valid key");
    // What the client quotes of an answer that is not JSON or not HTTP 200.
    // Cut anywhere, it shows no piece of a whole key the text held (a piece the text holds
    // alone is not the key).
    let quoted = excerpt(&key.scrub(&text), 200);
    if !text.replace(KEY, "").contains(&KEY[..8]) {
        assert!(
            !quoted.contains(&KEY[..8]),
            "an excerpt shows a piece of the key: {quoted}"
        );
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return;
    };
    for id in [1, 99_999] {
        if let Err(e) = decode_answer("log::getDelta", id, value.clone(), Some(&key)) {
            let shown = e.to_string();
            assert!(!shown.contains(KEY), "an error shows the key: {shown}");
        }
    }
});
