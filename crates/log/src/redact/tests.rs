//! Tests of the redaction (and the secret shapes the anonymiser's tests plant too).

use super::*;

const PASS: &str = "S3cr3t-P4ss";
const USER: &str = "jeedom_bk";

fn hidden(text: &str) -> String {
    let out = redact_text(text);
    assert!(!out.contains(PASS), "password leaked: {out}");
    assert!(!out.contains(USER), "user leaked: {out}");
    assert_eq!(redact_text(&out), out, "not idempotent");
    out
}

/// Every shape of issue #14 a secret is written in, with `secret` planted in it: each text
/// holds the secret once (twice for the wrapped ones: a piece on each line).
pub(crate) fn shapes(secret: &str) -> Vec<String> {
    let s = secret;
    vec![
        format!("smbclient //nas/s -U \"jeedom%{s}\" -c 'put \"x\"' valeur retournée : 1"),
        format!("smbclient -U 'jeedom%{s}' -c ls"),
        format!("smbclient -U jeedom%{s} -c ls"),
        format!("smbclient -Ujeedom%{s}"),
        format!("smbclient //nas/s --username=\"jeedom%{s}\" -c ls"),
        format!("smbclient --username \"jeedom%{s}\" -c ls"),
        format!("smbclient --user=jeedom%{s} -c ls"),
        format!("{{\"message\":\"smbclient -U \\\"jeedom%{s}\\\" -c ls\"}}"),
        // A password holding `" -` (Jeedom does not escape it).
        format!("smbclient //nas/s -U \"u%ab\" -xyz{s}\" -c 'ls'"),
        format!("smbclient //nas/s -U \"u%ab\" -{s}\""),
        // Wrapped by a paste: the second line holds a space, a quote, a backslash, a control.
        format!("smbclient -U \"jeedom%correct horse\nbattery {s} staple\" -c ls"),
        format!("smbclient -U \"jeedom%correct {s}\nbattery staple\" -c ls"),
        format!("smbclient -U \"jeedom%abcdef\nq\"u\\o\u{1}te{s}\" -c ls"),
        format!("smbclient -U\n\"jeedom%{s}\" -c ls"),
        format!("smbclient --username\n\"jeedom%{s}\" -c ls"),
        format!("smbclient -U \"jeedom%{s}"),
        // URLs.
        format!("mount //jeedom:{s}@nas.local/backup failed"),
        format!("smb://user:pa/{s}@host/share"),
        format!("http://u:p@{s}@host/x"),
        // Keys, any case.
        format!("api_key: {s}"),
        format!("APIKEY={s}"),
        format!("GET /core/api/jeeApi.php?apikey={s}&type=cmd"),
        format!("Password: {s}"),
        format!("passwd={s}"),
        format!("{{\"password\":\"{s}\"}}"),
        format!("{{\"Password\" : \"{s}\", \"ip\":\"10.0.0.2\"}}"),
        format!("request={{\\\"samba::backup::password\\\":\\\"{s}\\\"}}"),
        format!("Details : Array ( [apikey] => {s} [type] => backup )"),
        format!("Authorization: Bearer {s}"),
        // Copied from a web page.
        format!("smbclient -U &quot;jeedom%{s}&quot; -c ls"),
        format!("smbclient -U &#34;jeedom%{s}&#34; -c ls"),
        format!("{{&quot;password&quot;:&quot;{s}&quot;}}"),
        format!("smbclient -U &#39;jeedom%{s}&#39; -c ls"),
    ]
}

#[test]
fn every_listed_shape_is_hidden() {
    let secret = "Pl4ntedS3cret";
    for text in shapes(secret) {
        for text in [text.clone(), format!("avant \"a\"\n{text}\napres 'b' \"c\"\n")] {
            let out = redact_text(&text);
            assert!(!out.contains(secret), "leaked: {text:?} → {out:?}");
            for n in 0..secret.len() - 7 {
                assert!(!out.contains(&secret[n..n + 8]), "partly leaked: {out:?}");
            }
            assert!(out.contains(MASK), "{out}");
            assert_eq!(redact_text(&out), out, "not idempotent: {text:?}");
            assert_eq!(out.lines().count(), text.lines().count(), "{out:?}");
        }
    }
}

#[test]
fn samba_wrapper_line_double_quotes() {
    let line = format!(
        "Erreur sur timeout 7200 smbclient //192.168.1.20/backups -U \"{USER}%{PASS}\" -c 'put x' valeur retournée : 1. Détails : NT_STATUS_LOGON_FAILURE"
    );
    let out = hidden(&line);
    assert!(out.contains(r#"-U "[redacted]%[redacted]" -c 'put x'"#), "{out}");
    assert!(
        out.contains("//192.168.1.20/backups"),
        "hosts are not secrets here: {out}"
    );
    assert!(out.contains("NT_STATUS_LOGON_FAILURE"));
}

#[test]
fn samba_user_single_quotes_no_quotes_and_escaped() {
    assert!(hidden(&format!("smbclient -U '{USER}%{PASS}' -c ls")).contains("-U '[redacted]%[redacted]' -c ls"));
    assert!(hidden(&format!("smbclient -U {USER}%{PASS} -c ls")).contains("-U [redacted]%[redacted] -c ls"));
    assert!(hidden(&format!("smbclient -U{USER}%{PASS}")).ends_with("-U[redacted]%[redacted]"));
    assert!(hidden(&format!("smbclient --user={USER}%{PASS}")).ends_with("--user=[redacted]%[redacted]"));
    assert!(hidden(&format!("smbclient --username {USER}%{PASS}")).ends_with("--username [redacted]%[redacted]"));
    let json = format!(r#"{{"message":"smbclient -U \"{USER}%{PASS}\" -c ls"}}"#);
    assert!(hidden(&json).contains(r#"-U \"[redacted]%[redacted]\" -c ls"#));
    assert!(hidden(&format!("smbclient -U \"{USER}\" -c ls")).contains("-U \"[redacted]\" -c ls"));
}

/// Issue #14, 1: `--username=` was read as `--user` by the anonymiser; both now read the
/// options through [`scan::SAMBA_FLAGS`].
#[test]
fn username_with_equals() {
    assert_eq!(
        redact_text(r#"smbclient //nas/s --username="jeedom%Mot2Passe-42" -c ls"#),
        r#"smbclient //nas/s --username="[redacted]%[redacted]" -c ls"#
    );
}

/// Jeedom does not escape the password it puts between double quotes: one holding a `"` (or
/// `" -x`) closes the quote early. The value runs to the last quote before the next option.
#[test]
fn a_password_holding_a_double_quote_is_hidden_whole() {
    let line = r#"smbclient //nas/s -U "jeedom%Pl"anted123" -c 'cd "jeedom";put "x"' valeur retournée : 1"#;
    let out = redact_text(line);
    assert_eq!(
        out,
        r#"smbclient //nas/s -U "[redacted]%[redacted]" -c 'cd "jeedom";put "x"' valeur retournée : 1"#
    );
    assert_eq!(
        redact_text(r#"smbclient -U "u%ab" -xyz" -c 'ls'"#),
        r#"smbclient -U "[redacted]%[redacted]" -c 'ls'"#
    );
    assert_eq!(redact_text(r#"-U "u%ab" -xyz""#), r#"-U "[redacted]%[redacted]""#);
    assert_eq!(
        redact_text(r#"-U "jeedom%pw" failed"#),
        r#"-U "[redacted]%[redacted]" failed"#
    );
}

/// Issue #14, 2: a value wrapped across two lines, the second holding a space.
#[test]
fn a_wrapped_value_with_a_space_is_hidden_on_both_lines() {
    let t = "smbclient -U \"jeedom%correct horse\nbattery staple\" -c ls\nSend backup Samba...OK \"x\"\n";
    assert_eq!(
        redact_text(t),
        "smbclient -U \"[redacted]%[redacted]\n[redacted]\" -c ls\nSend backup Samba...OK \"x\"\n"
    );
    // Alone on its line (a one-line quote), the second half is a known secret of the text.
    let secrets = wrapped_secrets(t);
    assert!(secrets.contains(&"battery staple".to_owned()), "{secrets:?}");
}

#[test]
fn other_dash_u_options_are_left_alone() {
    assert_eq!(redact_text("tar -U -czf a.tgz"), "tar -U -czf a.tgz");
    assert_eq!(redact_text("Backing up database...OK"), "Backing up database...OK");
    assert!(matches!(redact("no secret here"), Cow::Borrowed(_)));
    assert!(matches!(
        redact("backup-Ubuntu-4.4 at 03:27:01 id=12"),
        Cow::Borrowed(_)
    ));
}

#[test]
fn share_credentials() {
    let out = hidden(&format!("mount //{USER}:{PASS}@nas.local/backup failed"));
    assert_eq!(out, "mount //[redacted]:[redacted]@nas.local/backup failed");
    assert_eq!(
        redact_text("smb://user:pa/ss@host/share"),
        "smb://[redacted]:[redacted]@host/share"
    );
    assert_eq!(redact_text("http://u:p@ss@host"), "http://[redacted]:[redacted]@host");
}

#[test]
fn api_keys_in_bodies_and_urls() {
    let key = "AbCdEfGhIjKlMnOpQrStUvWx";
    let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"apikey":"{key}"}}}}"#);
    let out = redact_text(&body);
    assert!(out.contains(r#""apikey":"[redacted]""#), "{out}");
    let out = redact_text(&format!(r#"{{"params":{{"api" : "{key}"}}}}"#));
    assert!(!out.contains(key), "{out}");
    let out = redact_text(&format!(r#"request={{\"params\":{{\"apikey\":\"{key}\"}}}}"#));
    assert!(!out.contains(key), "{out}");
    let url = format!("http://jeedom.local/core/api/jeeApi.php?apikey={key}&type=cmd&id=12");
    assert_eq!(
        redact_text(&url),
        "http://jeedom.local/core/api/jeeApi.php?apikey=[redacted]&type=cmd&id=12"
    );
    let out = redact_text(&format!(
        r#"{{"samba::backup::password":"{PASS}","samba::backup::ip":"10.0.0.2"}}"#
    ));
    assert!(!out.contains(PASS) && out.contains("10.0.0.2"), "{out}");
    assert_eq!(
        redact_text(r#"{"Password" : 1234, "a": 1}"#),
        r#"{"Password" : [redacted], "a": 1}"#
    );
    assert_eq!(redact_text("API_KEY: AbCd0123 then"), "API_KEY: [redacted] then");
    assert_eq!(
        redact_text("Authorization: Bearer eyJhbGci.x"),
        "Authorization: Bearer [redacted]"
    );
    // `api` alone before a `:` is prose, not a key.
    assert_eq!(redact_text("Erreur api: timeout"), "Erreur api: timeout");
}

#[test]
fn print_r_dumps() {
    let out = redact_text("Array ( [apikey] => AbCdEf0123 [type] => backup )");
    assert_eq!(out, "Array ( [apikey] => [redacted] [type] => backup )");
    assert_eq!(redact_text("[password] => [type] => x"), "[password] => [type] => x");
    assert_eq!(redact_text("[name] => Jeedom"), "[name] => Jeedom");
}

#[test]
fn punctuation_after_a_query_value_is_kept() {
    assert_eq!(
        redact_text("GET http://h/?apikey=AbCd0123: refused"),
        "GET http://h/?apikey=[redacted]: refused"
    );
    assert_eq!(redact_text("(password=pw:12.34)."), "(password=[redacted]).");
    assert_eq!(redact_text("api=k"), "api=[redacted]");
}

#[test]
fn html_escaped_text_is_read_unescaped_and_kept_escaped() {
    assert_eq!(
        redact_text("smbclient -U &quot;jeedom%S3cret&quot; -c &#39;ls&#39; &amp; ok"),
        "smbclient -U &quot;[redacted]%[redacted]&quot; -c &#39;ls&#39; &amp; ok"
    );
    assert_eq!(
        redact_text("{&#34;password&#34;:&#34;S3&amp;cret&#34;}"),
        "{&#34;password&#34;:&#34;[redacted]&#34;}"
    );
}

#[test]
fn known_secrets_and_their_cut_pieces() {
    let key = "my-api-key-0123456789abcdefghij";
    let r = Redactor::new()
        .with_secret(key)
        .and_then(|r| r.with_secret("0123"))
        .unwrap_or_default();
    assert_eq!(
        r.redact(&format!("key {key} then 0123")),
        "key [redacted] then [redacted]"
    );
    assert_eq!(Redactor::new().with_secret("abc"), Err(SecretTooShort(3)));
    // A shortening cut the key: the piece before the `…` (or after a leading one) is hidden.
    assert_eq!(r.redact("la ligne : my-api-key-012…"), "la ligne : [redacted]…");
    assert_eq!(r.redact("…89abcdefghij fin"), "…[redacted] fin");
    assert_eq!(r.redact("x my-a... y"), "x [redacted]... y");
    assert_eq!(
        r.redact("cle my-api-k … 456789abcdefghij fin"),
        "cle [redacted] … [redacted] fin"
    );
    // Three bytes are not enough to tell.
    assert_eq!(r.redact("my-…"), "my-…");
}

/// A whole pasted log in one call: normal lines with quotes around a Samba error line (and
/// around cut values whose closing quote is gone) come out byte-identical.
#[test]
fn multi_line_text_keeps_normal_lines_byte_identical() {
    let normal = [
        "[2024-08-12 03:00:01] Début de la sauvegarde \"quotidienne\" dans '/var/www/html/backup'",
        "Envoi de \"backup-Jeedom-4.4.19-2024-08-12-03h00.tar.gz\" (212 Mo) vers 'samba'",
        "{\"result\":\"ok\",\"message\":\"Nom d'utilisateur : \\\"x\\\"\"}",
        "Fin de l'envoi : \"OK\" ; durée 'courte' ; user=\"admin\"",
    ];
    let secret_lines = [
        format!(
            "Erreur sur timeout 7200 smbclient //192.168.1.20/backups -U \"{USER}%{PASS}\" -c 'put x' valeur retournée : 1. Détails : NT_STATUS_LOGON_FAILURE"
        ),
        format!("smbclient //nas/backups -U \"{USER}%{PASS}"),
        format!("smbclient -U '{USER}%{PASS}"),
        format!("{{\"params\":{{\"apikey\":\"{PASS}"),
        format!("request={{\\\"samba::backup::password\\\":\\\"{PASS}"),
    ];
    for eol in ["\n", "\r\n"] {
        for secret in &secret_lines {
            let lines: Vec<&str> = normal[..2]
                .iter()
                .copied()
                .chain([secret.as_str()])
                .chain(normal[2..].iter().copied())
                .collect();
            let text = lines.join(eol) + eol;
            let out = redact_text(&text);
            assert!(!out.contains(PASS), "{out}");
            let got: Vec<&str> = out.split(eol).collect();
            assert_eq!(got.len(), lines.len() + 1, "line count changed:\n{out}");
            for (n, want) in normal.iter().enumerate() {
                let at = if n < 2 { n } else { n + 1 };
                assert_eq!(got[at], *want, "line {} garbled by {secret:?}", at + 1);
            }
            assert!(got[2].contains(MASK), "{}", got[2]);
        }
    }
    // A shortened line of redacted text keeps its tail: redaction is idempotent.
    for t in [
        "smbclient //h/s -U \"[redacted]%[redacted]...",
        "-U '[redacted]…",
        "{\"apikey\":\"[redacted]...",
    ] {
        assert_eq!(redact_text(t), t);
    }
    assert_eq!(redact_text("-U \"[redacted]%hunter2..."), "-U \"[redacted]%[redacted]");
    assert_eq!(redact_text("-U \"[redacted]hunter2\""), "-U \"[redacted]\"");
}

#[test]
fn wrapped_values_are_hidden_in_a_whole_text() {
    for text in [
        format!("ligne \"a\"\nsmbclient //h/s -U\n\"{USER}%{PASS}\" -c ls\nligne \"b\"\n"),
        format!("ligne \"a\"\nsmbclient //h/s -U \"{USER}%S3cr3t-\nP4ss\" -c ls\nligne \"b\"\n"),
        format!("ligne \"a\"\r\nsmbclient -U\r\n{USER}%{PASS} -c ls\r\nligne \"b\"\r\n"),
    ] {
        let out = hidden(&text);
        assert!(
            out.starts_with("ligne \"a\"") && out.trim_end().ends_with("ligne \"b\""),
            "{out}"
        );
    }
    for eol in ["\n", "\r\n", "\r"] {
        let text = format!("smbclient //h/s --username{eol}\"{USER}%{PASS}\" -c ls{eol}");
        assert_eq!(
            hidden(&text),
            format!("smbclient //h/s --username{eol}\"[redacted]%[redacted]\" -c ls{eol}")
        );
    }
}

/// Issue #14, 5: lines made of one hostile shape repeated were quadratic (248 kB of `-U "` took
/// 17.5 s). The time is measured by `benches/redact.rs`; here, that they finish with the right
/// output (a quadratic scan would take minutes at this size in a debug build).
#[test]
fn hostile_lines_redact_right() {
    let n = 60_000;
    for (unit, want_same) in [
        ("-U \"", true),
        ("--username=", true),
        ("://a:", true),
        ("-U \"a ", false),
    ] {
        let line = unit.repeat(n);
        let out = redact_text(&line);
        assert_eq!(out == line, want_same, "{unit}");
    }
    let line = "apikey=".repeat(n);
    assert_eq!(redact_text(&line), "apikey=[redacted]");
    let line = format!("{} -U \"jeedom%{PASS}\" -c ls", "--username=\"".repeat(n));
    assert!(!redact_text(&line).contains(PASS));
    let line = "\"password\":\"".repeat(n);
    let out = redact_text(&line);
    assert_eq!(redact_text(&out), out);
}

mod props {
    use proptest::prelude::*;

    use super::super::{MASK, anonymize, redact_text};

    /// Pieces of the shapes and of what sits around them in a pasted log.
    const FRAGMENTS: &[&str] = &[
        "-U",
        "--user",
        "--username",
        "=",
        " ",
        "\t",
        "\"",
        "'",
        "\\\"",
        "\\",
        "%",
        "\n",
        "\r\n",
        ":",
        ": ",
        "@",
        "//",
        "smb://",
        "[apikey]",
        "[password]",
        " => ",
        "\"password\":\"",
        "?apikey=",
        "api_key",
        "Password",
        "Bearer ",
        "&quot;",
        "&#34;",
        "&amp;",
        "-c",
        " -c ls",
        "[redacted]",
        "é",
        "…",
        "...",
        "\u{a0}",
        "(",
        ")",
        ";",
        "&",
        "#",
        ",",
        ".",
        "[2025-09-10 03:29:44][ERROR] : ",
        "Send backup Samba...",
        "OK",
    ];

    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            6 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
            2 => "[a-zA-Z0-9%_.-]{1,12}",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn redaction_is_idempotent_and_keeps_line_count(t in text()) {
            let once = redact_text(&t);
            prop_assert_eq!(redact_text(&once), once.clone());
            prop_assert_eq!(once.split('\n').count(), t.split('\n').count());
        }

        /// A planted secret in any listed shape, surrounded by random log text, never survives
        /// redaction nor anonymisation.
        #[test]
        fn a_planted_secret_never_survives(
            before in text(),
            after in text(),
            shape in 0..super::shapes("x").len(),
            secret in "[A-Za-z0-9]{10,16}",
        ) {
            let planted = super::shapes(&secret).swap_remove(shape);
            let t = format!("{before}\n{planted}\n{after}");
            prop_assume!(!before.contains(&secret) && !after.contains(&secret));
            let out = redact_text(&t);
            prop_assert!(!out.contains(&secret), "redaction leaked {:?}", out);
            prop_assert!(out.contains(MASK));
            let anon = anonymize(t.as_bytes()).bytes;
            let anon = String::from_utf8_lossy(&anon);
            prop_assert!(!anon.contains(&secret), "anonymisation leaked {:?}", anon);
        }
    }
}

/// A sentence quoting a shortened Samba line ends with its own `"`: that quote is not the
/// value's (the `-c '…"x"'` between them holds quotes), so the command stays readable.
#[test]
fn a_quoted_sentence_keeps_its_command() {
    let t =
        r#"upload: FAILED "Erreur smbclient //192.0.2.20/s -U "[redacted]%[redacted]" -c 'cd "jeedom";put "backup…""#;
    assert_eq!(redact_text(t), t);
}
