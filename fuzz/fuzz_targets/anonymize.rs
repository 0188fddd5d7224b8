//! Anonymisation for `record`: a secret planted in any listed shape, on its own line between
//! arbitrary bytes, never survives in the recorded log. Never a panic.
//!
//! Input: byte 0 picks the shape, bytes 1..=12 the secret's letters, the rest is split in two.
#![no_main]

use infobackup::redact::anonymize;
use libfuzzer_sys::fuzz_target;

/// The same shapes as the `redact` target.
const SHAPES: &[&str] = &[
    r#"smbclient //nas/backup -U "jeedom%{S}" -c ls"#,
    "smbclient //nas/backup -U jeedom%{S} -c ls",
    r#"smbclient //nas/backup --user="jeedom%{S}" -c ls"#,
    r#"smbclient //nas/backup --username="jeedom%{S}" -c ls"#,
    "mount http://admin:{S}@192.168.1.2/share",
    "GET /core/api/jeeApi.php?apikey={S}&type=cmd",
    "api_key: {S}",
    "Authorization: Bearer {S}",
    "password: {S}",
    "passwd={S}",
    r#"{"password":"{S}","user":"jeedom"}"#,
    r#"{"apikey": "{S}"}"#,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (letters, rest) = rest.split_at(rest.len().min(12));
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut secret = b"Zq7".to_vec();
    for i in 0..12 {
        let b = letters.get(i).copied().unwrap_or(i as u8);
        secret.push(ALNUM[usize::from(b) % ALNUM.len()]);
    }
    // The fuzzer learns the secret and may copy it into the context: not a planted one then.
    if rest.windows(secret.len()).any(|w| w == secret.as_slice()) {
        return;
    }
    let (before, after) = rest.split_at(rest.len() / 2);
    let n = usize::from(pick) % SHAPES.len();
    let line = SHAPES[n].replace("{S}", std::str::from_utf8(&secret).unwrap_or(""));
    let mut input = before.to_vec();
    input.push(b'\n');
    input.extend_from_slice(line.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(after);
    let out = anonymize(&input);
    assert!(
        !out.bytes.windows(secret.len()).any(|w| w == secret.as_slice()),
        "shape {n} survives anonymisation: {}",
        SHAPES[n]
    );
});
