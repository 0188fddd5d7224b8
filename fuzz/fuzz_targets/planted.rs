//! What the `redact` and `anonymize` targets share: the secret shapes of issue 14 (`{S}` is the
//! secret: Samba credentials, URL passwords, keyed values) and how an input becomes a secret
//! planted on its own line between two pieces of arbitrary bytes.

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

/// One input read as a planted secret.
pub struct Planted<'a> {
    /// "Zq7" and 12 letters: 15 characters that no placeholder or context spells by chance.
    pub secret: String,
    /// Index into [`SHAPES`].
    pub shape: usize,
    pub before: &'a [u8],
    pub after: &'a [u8],
}

impl Planted<'_> {
    /// The shape's line with the secret in it.
    pub fn line(&self) -> String {
        SHAPES[self.shape].replace("{S}", &self.secret)
    }

    /// The context, the planted line, the context.
    pub fn text(&self) -> Vec<u8> {
        let mut out = self.before.to_vec();
        out.push(b'\n');
        out.extend_from_slice(self.line().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(self.after);
        out
    }
}

/// Byte 0 picks the shape, bytes 1..=12 the secret's letters, the rest is split in two (the
/// text before and after the planted line). `None` for an empty input, or when the fuzzer has
/// learnt the secret and copied it into the context (a secret in the open there is not a
/// planted one).
pub fn plant(data: &[u8]) -> Option<Planted<'_>> {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let (&pick, rest) = data.split_first()?;
    let (letters, rest) = rest.split_at(rest.len().min(12));
    let mut secret = String::from("Zq7");
    for i in 0..12u8 {
        let b = letters.get(usize::from(i)).copied().unwrap_or(i);
        secret.push(char::from(ALNUM[usize::from(b) % ALNUM.len()]));
    }
    if contains(rest, secret.as_bytes()) {
        return None;
    }
    let (before, after) = rest.split_at(rest.len() / 2);
    Some(Planted {
        secret,
        shape: usize::from(pick) % SHAPES.len(),
        before,
        after,
    })
}

/// Whether `needle` stands in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
