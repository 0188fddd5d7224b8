//! Anonymisation of a user's log before it becomes a recorded case (`infobackup record`): every
//! personal value is replaced by a stable placeholder, every other byte is kept (line ends,
//! encoding, Latin-1 bytes, NUL bytes), so the recorded log still parses as the user's did.
//!
//! Redaction ([`super::redact`]) hides a secret behind `[redacted]` for a person to read;
//! anonymisation replaces each distinct value by a placeholder of its kind, numbered by first
//! appearance, so the same input always gives the same output and two different hosts stay
//! different:
//!
//! | what | where it is recognised | placeholder |
//! |---|---|---|
//! | Samba user and password | `-U "user%password"` (any quoting, `--user=`, `--username=`, wrapped over two lines), `//user:password@host` | `user-1`, `password-1` |
//! | API keys, tokens, secrets | JSON keys, `key=value`, `key: value` and PHP `print_r`'s `[key] => value` (`apikey`, `api_key`, `api`, `proapi`, `…token`, `…secret`), `Bearer` tokens | `apikey-1`, `secret-1` |
//! | other passwords and user names | the same shapes with keys ending in `password`, `passwd`, `pwd`, `username` | `password-1`, `user-1` |
//! | IPv4 addresses | anywhere, except loopback, `0.0.0.0`, netmasks and the documentation ranges | `192.0.2.1` … (documentation range) |
//! | IPv6 addresses | anywhere, except loopback and `2001:db8::/32` | `2001:db8::1` … |
//! | host names | `//host/share`, `\\host\share`, `scheme://host`, smbclient's `Domain=[…]`, names under a private suffix (`.local`, `.lan`, `.home`, `.box`, `.internal`, …) | `host-1` … |
//! | the box name | archive names `backup-<name>-<version>-<stamp>.tar.gz` (Jeedom's default names `Jeedom`, `Atlas`, `Luna`, `Smart` are kept) | `box-1` … |
//! | Unix user names | `/home/<user>/` | `user-1` … |
//! | e-mail addresses | anywhere | `user-1@example.invalid` … |
//!
//! Where a credential is, is read by [`super::scan::find`], the redactor's own reading (HTML-escaped
//! pastes included): a shape the redactor hides is anonymised too. A value a paste wrapped
//! across two lines gets its placeholder on the first line and the piece on the second is
//! removed (the line break stays).
//!
//! A password or API key once recognised is also replaced wherever else it appears (a password
//! echoed in another message), and so is a dotted host name (`nas.local`). User names, bare host
//! names and secrets that are a plain lower-case word are only replaced where they are
//! recognised: a user called `jeedom` or a share host called `backup` must not turn every
//! `jeedom` or `backup` of the log into a placeholder (the log would no longer parse).
//! Public hosts of the Jeedom ecosystem (`jeedom.com`, `jeedom.fr`, `github.com`, …) are kept.
//!
//! Known limits: a secret outside these shapes (a password typed in free text) is not found; a
//! version number that looks like an IPv4 address (`1.2.3.4`) is replaced.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::bytes::{Captures, Regex};

// Where credentials are is read by the scan the redactor uses: one reading, so the two cannot
// drift apart.
use super::scan::{self, Kind};

/// A kind of personal value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Password,
    User,
    ApiKey,
    Secret,
    Ipv4,
    Ipv6,
    Host,
    BoxName,
    Email,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Password,
        Category::User,
        Category::ApiKey,
        Category::Secret,
        Category::Ipv4,
        Category::Ipv6,
        Category::Host,
        Category::BoxName,
        Category::Email,
    ];

    /// A short name for a person (English; the CLI translates).
    pub fn name(self) -> &'static str {
        match self {
            Category::Password => "password",
            Category::User => "user name",
            Category::ApiKey => "API key",
            Category::Secret => "secret",
            Category::Ipv4 => "IPv4 address",
            Category::Ipv6 => "IPv6 address",
            Category::Host => "host name",
            Category::BoxName => "box name",
            Category::Email => "e-mail address",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The result: the anonymised bytes and how many distinct values of each kind were replaced.
/// The original values are not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anonymized {
    pub bytes: Vec<u8>,
    /// Distinct values replaced, per kind (kinds with none are absent).
    pub replaced: BTreeMap<Category, usize>,
}

impl Anonymized {
    /// Distinct values replaced, all kinds together.
    pub fn total(&self) -> usize {
        self.replaced.values().sum()
    }
}

/// The placeholders handed out so far: each distinct value keeps its first placeholder.
#[derive(Default)]
struct Book {
    /// (category, original) → placeholder
    map: BTreeMap<(Category, Vec<u8>), Vec<u8>>,
    counts: BTreeMap<Category, usize>,
    /// Values to replace everywhere once recognised (passwords, keys, hosts), with their
    /// placeholder.
    global: Vec<(Vec<u8>, Vec<u8>, bool)>,
    /// IPv4 addresses already in the text that are kept (documentation ranges): their numbers
    /// are not handed out.
    reserved_v4: Vec<Ipv4Addr>,
}

impl Book {
    fn placeholder(&mut self, cat: Category, original: &[u8]) -> Vec<u8> {
        if let Some(p) = self.map.get(&(cat, original.to_vec())) {
            return p.clone();
        }
        let n = self.counts.entry(cat).or_insert(0);
        *n += 1;
        let n = *n;
        let p: Vec<u8> = match cat {
            Category::Password => format!("password-{n}").into_bytes(),
            Category::User => format!("user-{n}").into_bytes(),
            Category::ApiKey => format!("apikey-{n}").into_bytes(),
            Category::Secret => format!("secret-{n}").into_bytes(),
            Category::Ipv4 => self.next_v4(n).into_bytes(),
            Category::Ipv6 => format!("2001:db8::{n:x}").into_bytes(),
            Category::Host => format!("host-{n}").into_bytes(),
            Category::BoxName => format!("box-{n}").into_bytes(),
            Category::Email => format!("user-{n}@example.invalid").into_bytes(),
        };
        self.map.insert((cat, original.to_vec()), p.clone());
        match cat {
            // A secret that is a plain lower-case word (`backup`) could be part of Jeedom's own
            // text: it is replaced only where it was recognised.
            Category::Password | Category::ApiKey | Category::Secret
                if original.len() >= super::MIN_SECRET_LEN && !original.iter().all(u8::is_ascii_lowercase) =>
            {
                self.global.push((original.to_vec(), p.clone(), false));
            }
            // Likewise a bare host name (`backup`, `nas`); a dotted name is distinctive.
            Category::Host if original.contains(&b'.') => self.global.push((original.to_vec(), p.clone(), true)),
            _ => {}
        }
        p
    }

    /// The n-th address of 192.0.2.0/24 (then 198.51.100.0/24, 203.0.113.0/24) not already
    /// used by an address the text keeps.
    fn next_v4(&mut self, n: usize) -> String {
        let pool = [[192u8, 0, 2], [198, 51, 100], [203, 0, 113]];
        let mut seen = 0usize;
        for net in pool {
            for host in 1u8..=254 {
                let ip = Ipv4Addr::new(net[0], net[1], net[2], host);
                if self.reserved_v4.contains(&ip) {
                    continue;
                }
                seen += 1;
                if seen == n {
                    return ip.to_string();
                }
            }
        }
        // More than 750 distinct addresses in one log: keep numbering in a reserved block.
        format!("240.0.{}.{}", (n / 250) % 250, n % 250 + 1)
    }
}

struct Patterns {
    email: Regex,
    unc_host: Regex,
    url_host: Regex,
    domain: Regex,
    private_host: Regex,
    ipv4: Regex,
    ipv6: Regex,
    archive: Regex,
    home: Regex,
}

static PATTERNS: LazyLock<Option<Patterns>> = LazyLock::new(|| {
    Some(Patterns {
        email: Regex::new(r"(?-u)\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b").ok()?,
        unc_host: Regex::new(
            r"(?-u)(?P<pre>(?:^|[^:/A-Za-z0-9])//(?:[^/\s@]+@)?|\\\\)(?P<host>[A-Za-z0-9][A-Za-z0-9.\-_]*)(?P<post>[/\\])",
        )
        .ok()?,
        url_host: Regex::new(r"(?-u)(?P<pre>\b[a-zA-Z][a-zA-Z0-9+.\-]*://(?:[^/\s@]+@)?)(?P<host>[A-Za-z0-9][A-Za-z0-9.\-_]*)").ok()?,
        domain: Regex::new(r"(?-u)(?P<pre>\bDomain=\[)(?P<host>[^\]\s]+)(?P<post>\])").ok()?,
        private_host: Regex::new(
            r"(?i-u)\b[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:local|lan|home|internal|localdomain|intranet|box|home\.arpa|fritz\.box)\b",
        )
        .ok()?,
        // Maximal runs: a version number `1.2.3.4.5` or a time `03:27:01` is one run, then
        // parsed and left alone when it is not an address.
        ipv4: Regex::new(r"(?-u)[0-9]+(?:\.[0-9]+)+").ok()?,
        ipv6: Regex::new(r"(?-u)[0-9A-Za-z_.]*:[0-9A-Za-z_.]*:[0-9A-Za-z_.:]*").ok()?,
        archive: Regex::new(
            r"(?-u)(?P<pre>\bbackup-)(?P<name>[^/\\\s]+?)(?P<post>-[0-9]+(?:\.[0-9]+)+-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}h[0-9]{2}\.tar\.gz)",
        )
        .ok()?,
        home: Regex::new(r"(?-u)(?P<pre>/home/)(?P<user>[A-Za-z0-9._\-]+)(?P<post>/)").ok()?,
    })
});

/// Jeedom's own box names, not personal.
const DEFAULT_BOX_NAMES: [&str; 5] = ["Jeedom", "jeedom", "Atlas", "Luna", "Smart"];

/// Hosts that are public parts of the Jeedom ecosystem (or placeholders), kept.
const PUBLIC_HOST_SUFFIXES: [&str; 10] = [
    "jeedom.com",
    "jeedom.fr",
    "github.com",
    "githubusercontent.com",
    "debian.org",
    "raspberrypi.org",
    "raspberrypi.com",
    "example.com",
    "example.org",
    "example.invalid",
];

fn is_public_host(host: &[u8]) -> bool {
    let h = String::from_utf8_lossy(host).to_ascii_lowercase();
    h == "localhost"
        || h.starts_with("host-")
        || PUBLIC_HOST_SUFFIXES
            .iter()
            .any(|s| h == *s || h.ends_with(&format!(".{s}")))
}

fn keep_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback() || ip.is_unspecified() || ip.is_broadcast() || o[0] == 255 || ip.is_documentation() || o[0] == 240
}

/// A placeholder an earlier pass handed out (`user-1`, `password-2`, `apikey-1`, `secret-3`).
fn is_placeholder(v: &[u8]) -> bool {
    [&b"user-"[..], b"password-", b"apikey-", b"secret-"]
        .iter()
        .any(|prefix| {
            v.strip_prefix(*prefix)
                .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
        })
}

fn category(kind: Kind) -> Category {
    match kind {
        Kind::User => Category::User,
        Kind::Password => Category::Password,
        Kind::ApiKey => Category::ApiKey,
        Kind::Secret => Category::Secret,
    }
}

/// The text with every credential [`scan::find`] reads replaced by its placeholder.
fn credentials(text: &[u8], book: &mut Book) -> Vec<u8> {
    let found = scan::find(text);
    if found.is_empty() {
        return text.to_vec();
    }
    let mut edits: Vec<(std::ops::Range<usize>, Vec<u8>)> = Vec::new();
    for f in &found {
        let value: Vec<u8> = f
            .pieces
            .iter()
            .flat_map(|p| text.get(p.clone()).unwrap_or_default())
            .copied()
            .collect();
        if is_placeholder(&value) {
            continue;
        }
        let ph = book.placeholder(category(f.kind), &value);
        for (n, p) in f.pieces.iter().enumerate() {
            edits.push((p.clone(), if n == 0 { ph.clone() } else { Vec::new() }));
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = Vec::with_capacity(text.len());
    let mut copied = 0;
    for (r, with) in edits {
        if r.start < copied {
            continue;
        }
        out.extend_from_slice(text.get(copied..r.start).unwrap_or_default());
        out.extend_from_slice(&with);
        copied = r.end;
    }
    out.extend_from_slice(text.get(copied..).unwrap_or_default());
    out
}

/// A whole digits-and-dots run read as an IPv4 address (exactly four parts).
fn parse_v4(run: &[u8]) -> Option<Ipv4Addr> {
    std::str::from_utf8(run).ok()?.parse().ok()
}

fn cap<'t>(c: &Captures<'t>, name: &str) -> &'t [u8] {
    c.name(name).map_or(&b""[..], |m| m.as_bytes())
}

fn replace_all(text: Vec<u8>, re: &Regex, mut f: impl FnMut(&Captures<'_>) -> Vec<u8>) -> Vec<u8> {
    if !re.is_match(&text) {
        return text;
    }
    re.replace_all(&text, |c: &Captures<'_>| f(c)).into_owned()
}

/// Replaces every occurrence of `needle` (as a whole token when `word` is set: not preceded or
/// followed by a letter, digit, `-`, `_` or `.` followed by a letter or digit).
fn replace_literal(text: &[u8], needle: &[u8], with: &[u8], word: bool) -> Vec<u8> {
    if needle.is_empty() {
        return text.to_vec();
    }
    let finder = memchr::memmem::Finder::new(needle);
    let mut out = Vec::with_capacity(text.len());
    let mut from = 0usize;
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    while let Some(i) = text.get(from..).and_then(|rest| finder.find(rest)) {
        let at = from + i;
        let end = at + needle.len();
        let before_ok = at == 0 || text.get(at - 1).is_none_or(|b| !is_word(*b));
        let after_ok = match text.get(end) {
            None => true,
            Some(b) if is_word(*b) => false,
            Some(b'.') => text.get(end + 1).is_none_or(|b| !b.is_ascii_alphanumeric()),
            Some(_) => true,
        };
        out.extend_from_slice(text.get(from..at).unwrap_or(b""));
        if !word || (before_ok && after_ok) {
            out.extend_from_slice(with);
        } else {
            out.extend_from_slice(needle);
        }
        from = end;
    }
    out.extend_from_slice(text.get(from..).unwrap_or(b""));
    out
}

/// Anonymises a log (see the module doc). Never fails: at worst nothing matched.
pub fn anonymize(input: &[u8]) -> Anonymized {
    let Some(p) = PATTERNS.as_ref() else {
        // The patterns are constants; should the regex crate ever refuse one, keep nothing
        // rather than leak.
        return Anonymized {
            bytes: Vec::new(),
            replaced: BTreeMap::new(),
        };
    };
    let mut book = Book::default();
    // Addresses the text keeps are reserved so that no placeholder collides with one.
    for m in p.ipv4.find_iter(input) {
        if let Some(ip) = parse_v4(m.as_bytes())
            && ip.is_documentation()
            && !book.reserved_v4.contains(&ip)
        {
            book.reserved_v4.push(ip);
        }
    }
    let mut text = input.to_vec();

    // 1. Credentials, as the redactor reads them ([`scan::find`]). A value a paste wrapped over
    // two lines gets its placeholder in its first piece; the other pieces are emptied (their
    // line breaks are kept).
    text = credentials(&text, &mut book);
    text = replace_all(text, &p.home, |c| {
        let user = book.placeholder(Category::User, cap(c, "user"));
        [cap(c, "pre"), &user, cap(c, "post")].concat()
    });

    // 2. Host names, before IP addresses so `//192.0.2.20/` is left to the address pass.
    let host_ph = |book: &mut Book, host: &[u8]| -> Vec<u8> {
        let is_ip = std::str::from_utf8(host).is_ok_and(|s| s.parse::<Ipv4Addr>().is_ok());
        if is_ip || is_public_host(host) {
            host.to_vec()
        } else {
            book.placeholder(Category::Host, host)
        }
    };
    text = replace_all(text, &p.unc_host, |c| {
        let h = host_ph(&mut book, cap(c, "host"));
        [cap(c, "pre"), &h, cap(c, "post")].concat()
    });
    text = replace_all(text, &p.url_host, |c| {
        let h = host_ph(&mut book, cap(c, "host"));
        [cap(c, "pre"), &h].concat()
    });
    text = replace_all(text, &p.domain, |c| {
        let host = cap(c, "host");
        let h = if host.eq_ignore_ascii_case(b"WORKGROUP") {
            host.to_vec()
        } else {
            host_ph(&mut book, host)
        };
        [cap(c, "pre"), &h, cap(c, "post")].concat()
    });
    text = replace_all(text, &p.private_host, |c| {
        let host = c.get(0).map_or(&b""[..], |m| m.as_bytes());
        host_ph(&mut book, host)
    });

    text = replace_all(text, &p.email, |c| {
        book.placeholder(Category::Email, c.get(0).map_or(&b""[..], |m| m.as_bytes()))
    });

    // 3. IP addresses.
    text = replace_all(text, &p.ipv4, |c| {
        let whole = c.get(0).map_or(&b""[..], |m| m.as_bytes());
        match parse_v4(whole) {
            Some(ip) if !keep_v4(ip) => book.placeholder(Category::Ipv4, whole),
            _ => whole.to_vec(),
        }
    });
    text = replace_all(text, &p.ipv6, |c| {
        let whole = c.get(0).map_or(&b""[..], |m| m.as_bytes());
        // A sentence's final dot is not part of the address.
        let dots = whole.iter().rev().take_while(|b| **b == b'.').count();
        let (run, tail) = whole.split_at(whole.len() - dots);
        let ip = std::str::from_utf8(run).ok().and_then(|s| s.parse::<Ipv6Addr>().ok());
        match ip {
            Some(ip) if !ip.is_loopback() && !ip.is_unspecified() && ip.segments()[0..2] != [0x2001, 0xdb8] => {
                [&book.placeholder(Category::Ipv6, run)[..], tail].concat()
            }
            _ => whole.to_vec(),
        }
    });

    // 4. The box name in archive names.
    text = replace_all(text, &p.archive, |c| {
        let name = cap(c, "name");
        let keep = DEFAULT_BOX_NAMES.iter().any(|d| d.as_bytes() == name) || name.starts_with(b"box-");
        let n = if keep {
            name.to_vec()
        } else {
            book.placeholder(Category::BoxName, name)
        };
        [cap(c, "pre"), &n, cap(c, "post")].concat()
    });

    // 5. Recognised secrets and hosts wherever else they appear. Longest first, so a value
    // containing another is replaced whole.
    let mut global = std::mem::take(&mut book.global);
    global.sort_by_key(|(v, _, _)| std::cmp::Reverse(v.len()));
    for (value, ph, word) in &global {
        if memchr::memmem::find(&text, value).is_some() {
            text = replace_literal(&text, value, ph, *word);
        }
    }
    Anonymized {
        bytes: text,
        replaced: book.counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anon(s: &str) -> String {
        String::from_utf8(anonymize(s.as_bytes()).bytes).unwrap()
    }

    #[test]
    fn samba_credentials_hosts_and_addresses() {
        let line = "Send backup Samba...[2025-09-10 03:29:44][ERROR] : Erreur sur timeout 7200 smbclient //192.168.1.20/sauvegardes -U \"bob%Hunter22!\" -c 'put \"backup-Maison_Dupont-4.4.20-2025-09-10-03h27.tar.gz\"' valeur retournée : 1. Détails : Connection to nas-dupont.local failed (Error NT_STATUS_HOST_UNREACHABLE)\n";
        let out = anonymize(line.as_bytes());
        let text = String::from_utf8(out.bytes.clone()).unwrap();
        assert_eq!(
            text,
            "Send backup Samba...[2025-09-10 03:29:44][ERROR] : Erreur sur timeout 7200 smbclient //192.0.2.1/sauvegardes -U \"user-1%password-1\" -c 'put \"backup-box-1-4.4.20-2025-09-10-03h27.tar.gz\"' valeur retournée : 1. Détails : Connection to host-1 failed (Error NT_STATUS_HOST_UNREACHABLE)\n"
        );
        assert_eq!(out.replaced.get(&Category::Password), Some(&1));
        assert_eq!(out.replaced.get(&Category::User), Some(&1));
        assert_eq!(out.replaced.get(&Category::Ipv4), Some(&1));
        assert_eq!(out.replaced.get(&Category::Host), Some(&1));
        assert_eq!(out.replaced.get(&Category::BoxName), Some(&1));
    }

    #[test]
    fn wrapped_or_cut_credentials_are_replaced_and_lines_kept() {
        // The break after the flag, inside the quotes, or a cut end.
        assert_eq!(
            anon("smbclient -U\n\"bob_user%Hunter22!\" -c ls\n"),
            "smbclient -U\n\"user-1%password-1\" -c ls\n"
        );
        assert_eq!(
            anon("smbclient -U \"bob_user%Hun\nter22!\" -c ls\nOK\n"),
            "smbclient -U \"user-1%password-1\n\" -c ls\nOK\n"
        );
        assert_eq!(anon("smbclient -U \"bob_user%Hun"), "smbclient -U \"user-1%password-1");
        // An unterminated quote in the middle of the text does not swallow the next line: the
        // value is cut at its line's end.
        let t = "-U \"bob\nSend backup Samba...OK\n\"";
        assert_eq!(anon(t), "-U \"user-1\nSend backup Samba...OK\n\"");
        // Issue #14, 2: the second line holds a space (and a quote, a backslash).
        assert_eq!(
            anon("smbclient -U \"jeedom%correct horse\nbattery \"sta\\ple\" -c ls\nOK\n"),
            "smbclient -U \"user-1%password-1\n\" -c ls\nOK\n"
        );
    }

    /// Issue #14, 1: `--username=` was read as `--user` with the value `name=…`, and the
    /// password was kept.
    #[test]
    fn username_with_equals() {
        assert_eq!(
            anon(r#"smbclient //192.0.2.20/s --username="jeedom%Mot2Passe-42" -c ls"#),
            r#"smbclient //192.0.2.20/s --username="user-1%password-1" -c ls"#
        );
    }

    /// Every shape the redactor hides is anonymised too.
    #[test]
    fn every_listed_shape_is_anonymised() {
        let secret = "Pl4ntedS3cret";
        for text in crate::redact::tests::shapes(secret) {
            let out = anon(&text);
            assert!(!out.contains(secret), "leaked: {text:?} → {out:?}");
            assert_eq!(out.lines().count(), text.lines().count(), "{out:?}");
        }
        assert_eq!(
            anon("Authorization: Bearer AbCd0123 and api_key: QwEr0123"),
            "Authorization: Bearer secret-1 and api_key: apikey-1"
        );
        assert_eq!(
            anon("smbclient -U &quot;jeedom%Hunter22&quot; -c ls"),
            "smbclient -U &quot;user-1%password-1&quot; -c ls"
        );
    }

    #[test]
    fn a_cut_json_value_stays_on_its_line() {
        // The closing quote is gone: the value is replaced up to the end of its line, and the
        // lines below (with their own quotes) are kept byte for byte.
        for eol in ["\n", "\r\n"] {
            let t = format!("{{\"apikey\":\"AbCdEfGh12{eol}Envoi de \"x\" : \"OK\"{eol}");
            assert_eq!(
                anon(&t),
                format!("{{\"apikey\":\"apikey-1{eol}Envoi de \"x\" : \"OK\"{eol}")
            );
            let t = format!("request={{\\\"password\\\":\\\"Hunter22{eol}\"a\": \"b\"{eol}");
            assert_eq!(
                anon(&t),
                format!("request={{\\\"password\\\":\\\"password-1{eol}\"a\": \"b\"{eol}")
            );
        }
        // A key with its value on the next line is not a value (nothing to replace).
        let t = "{\"password\":\n\"Envoi\" OK\n";
        assert_eq!(anon(t), t);
    }

    #[test]
    fn placeholders_are_stable_and_distinct() {
        let t = "a 10.0.0.5 b 10.0.0.6 c 10.0.0.5 //nas/x //nas2/y //nas/z";
        assert_eq!(
            anon(t),
            "a 192.0.2.1 b 192.0.2.2 c 192.0.2.1 //host-1/x //host-2/y //host-1/z"
        );
        assert_eq!(anon(t), anon(t));
    }

    #[test]
    fn a_password_is_replaced_wherever_it_appears_again() {
        let t = "smbclient -U 'u%S3cr3tPlanted' -c ls\nretry with S3cr3tPlanted failed\n";
        assert_eq!(
            anon(t),
            "smbclient -U 'user-1%password-1' -c ls\nretry with password-1 failed\n"
        );
    }

    #[test]
    fn user_names_are_replaced_only_where_recognised() {
        let t = "smbclient -U jeedom%longpassword -c 'cd \"jeedom\"'\n";
        assert_eq!(anon(t), "smbclient -U user-1%password-1 -c 'cd \"jeedom\"'\n");
    }

    #[test]
    fn every_other_byte_is_kept() {
        let raw: &[u8] =
            b"V\xe9rification des droits...OK\r\nSend backup Samba...\x00OK\r\nsmbclient //10.1.2.3/s -U \"a%bcdef\"\r";
        let out = anonymize(raw).bytes;
        assert_eq!(&out[..], &b"V\xe9rification des droits...OK\r\nSend backup Samba...\x00OK\r\nsmbclient //192.0.2.1/s -U \"user-1%password-1\"\r"[..]);
    }

    #[test]
    fn what_is_not_personal_is_kept() {
        for t in [
            "Backup name: /var/www/html/core/php/../../backup/backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz",
            "Start of Jeedom backup at 2025-09-10 03:27:01 03:27:01",
            "https://market.jeedom.com/core/api/x and 127.0.0.1 and 255.255.255.0 and 192.0.2.9",
            "Domain=[WORKGROUP] OS=[Windows 6.1] Server=[Samba 4.17.12-Debian]",
            "tar -U -czf a.tgz",
            "Limiting backup size to 500 Mb...",
        ] {
            assert_eq!(anon(t), t);
        }
    }

    #[test]
    fn kept_documentation_addresses_are_not_reused() {
        assert_eq!(anon("192.0.2.1 then 10.0.0.1"), "192.0.2.1 then 192.0.2.2");
    }

    #[test]
    fn keys_tokens_emails_homes_and_ipv6() {
        let t = r#"GET http://jeedom.maison/core/api/jeeApi.php?apikey=AbCdEfGhIjKlMnOp&id=1 {"samba::backup::password":"pw-12345","token":"tok-98765"} mail jean.dupont@free.fr /home/jdupont/x fe80::1ff:fe23:4567:890a. samba::backup::x"#;
        let out = anon(t);
        for secret in [
            "AbCdEfGhIjKlMnOp",
            "pw-12345",
            "tok-98765",
            "jean.dupont",
            "jdupont",
            "fe80::",
            "jeedom.maison",
        ] {
            assert!(!out.contains(secret), "{secret} leaked: {out}");
        }
        assert!(out.contains("apikey=apikey-1"), "{out}");
        assert!(out.contains(r#""samba::backup::password":"password-1""#), "{out}");
        assert!(out.contains(r#""token":"secret-1""#), "{out}");
        assert!(out.contains("user-1@example.invalid"), "{out}");
        assert!(out.contains("/home/user-1/x"), "{out}");
        assert!(out.contains("2001:db8::1. samba::backup::x"), "{out}");
        assert!(out.contains("http://host-1/core"), "{out}");
    }

    /// A password holding a `"` (Jeedom does not escape it) is replaced whole.
    #[test]
    fn a_password_holding_a_double_quote_is_replaced_whole() {
        let t = r#"smbclient //192.0.2.20/s -U "jeedom%Pl"anted123" -c 'cd "jeedom"'"#;
        assert_eq!(
            anon(t),
            r#"smbclient //192.0.2.20/s -U "user-1%password-1" -c 'cd "jeedom"'"#
        );
    }

    /// Punctuation after a key's value is the sentence's, kept byte for byte.
    #[test]
    fn punctuation_after_a_query_value_is_kept() {
        assert_eq!(
            anon("GET /api?apikey=AbCd0123: refused."),
            "GET /api?apikey=apikey-1: refused."
        );
    }

    /// A PHP `print_r` dump and a plugin's `api_key=` are replaced, like the JSON and query
    /// forms.
    #[test]
    fn print_r_dumps_and_api_key_spellings() {
        let out = anon("Details : Array ( [apikey] => AbCdEf0123456789 [type] => backup ) api_key=QwErTy0123456789");
        assert_eq!(
            out,
            "Details : Array ( [apikey] => apikey-1 [type] => backup ) api_key=apikey-2"
        );
        assert_eq!(
            anon("    [samba::backup::password] => pw-12345\n"),
            "    [samba::backup::password] => password-1\n"
        );
    }

    #[test]
    fn times_are_not_addresses() {
        let t = "[2025-09-10 03:29:44][ERROR] : at 03:29:44 or 12:00:00:00";
        assert_eq!(anon(t), t);
    }
}
