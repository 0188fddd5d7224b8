//! Redaction: a secret planted in any listed shape, on its own line between arbitrary text,
//! never survives; and a known secret (the API key) never survives anywhere. Never a panic.
//!
//! Input: byte 0 picks the shape, bytes 1..=12 the secret's letters, the rest is split in two
//! (the text before and after the planted line).
#![no_main]

use infobackup::redact::Redactor;
use libfuzzer_sys::fuzz_target;

/// The shapes of issue 14 (`{S}` is the secret): Samba credentials, URL passwords, keyed values.
pub const SHAPES: &[&str] = &[
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
    // "Zq7" and 12 letters: 15 characters that no placeholder or context spells by chance.
    let mut secret = String::from("Zq7");
    for i in 0..12 {
        let b = letters.get(i).copied().unwrap_or(i as u8);
        secret.push(char::from(ALNUM[usize::from(b) % ALNUM.len()]));
    }
    let text = String::from_utf8_lossy(rest);
    let cut = text
        .char_indices()
        .map(|(i, _)| i)
        .nth(text.chars().count() / 2)
        .unwrap_or(text.len());
    let (before, after) = text.split_at(cut);
    // The fuzzer learns the secret and may copy it into the context: a secret in the open there
    // is not a planted one.
    if text.contains(&secret) {
        return;
    }
    let shape = SHAPES[usize::from(pick) % SHAPES.len()];
    let planted = format!("{before}\n{}\n{after}", shape.replace("{S}", &secret));
    let shown = Redactor::new().redact(&planted);
    assert!(
        !shown.contains(&secret),
        "shape {} leaks: {shape}",
        usize::from(pick) % SHAPES.len()
    );
    // A known secret, anywhere, even glued to other text.
    let glued = format!("{before}{secret}{after}");
    let r = Redactor::new().with_secret(&secret).expect("long enough");
    let shown = r.redact(&glued);
    assert!(!shown.contains(&secret), "a known secret survives");
});
