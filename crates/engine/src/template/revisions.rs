//! Which published revision a code block is, without shipping the revisions' text (the author's
//! files carry no licence): each revision is known by fingerprints of its *normalised* text.
//!
//! Normalisation (so that what users change on installing, and what a re-save changes, does not
//! count): CRLF and CR become LF; a line whose first token is `$alertsizebackup` or `$debug` (the
//! first lines the installation doc tells users to edit) becomes that name alone; every ASCII
//! whitespace byte is removed; lines left empty are dropped.
//!
//! Fingerprints shipped per revision: the SHA-256 of the normalised text (identity), and the
//! SHA-256 of each normalised line, truncated to 64 bits (the list is what makes "nearest
//! revision" and "N lines differ" computable without the text: a Myers diff over line hashes).
//! The table below is generated from the published files by
//! `cargo test -p infobackup-engine --lib revision_table -- --ignored --nocapture` with `INFOBACKUP_PUBLISHED` set, and
//! a test checks it against them whenever they are there.

use crate::engine::Profile;

/// One published revision, by fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub profile: Profile,
    /// SHA-256 of the normalised block, hex.
    pub sha256: &'static str,
    /// SHA-256 of each normalised line, first 8 bytes, in order.
    pub lines: &'static [u64],
}

/// A normalised line and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the block as given.
    pub number: usize,
    /// The line as given (without its line end).
    pub text: String,
    pub hash: u64,
}

/// The block's lines that count, normalised and hashed.
pub fn normalised_lines(code: &str) -> Vec<Line> {
    let unified = code.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = Vec::new();
    for (i, text) in unified.split('\n').enumerate() {
        let n = normalise_line(text);
        if n.is_empty() {
            continue;
        }
        out.push(Line {
            number: i + 1,
            text: text.to_owned(),
            hash: line_hash(&n),
        });
    }
    out
}

fn normalise_line(line: &str) -> String {
    let t = line.trim_start();
    for name in ["$alertsizebackup", "$debug"] {
        if let Some(rest) = t.strip_prefix(name)
            && !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        {
            return name.to_owned();
        }
    }
    line.chars().filter(|c| !c.is_ascii_whitespace()).collect()
}

fn line_hash(normalised: &str) -> u64 {
    let d = sha256(normalised.as_bytes());
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// SHA-256 of the normalised block (its lines joined by LF), hex.
pub fn block_sha256(code: &str) -> String {
    let unified = code.replace("\r\n", "\n").replace('\r', "\n");
    let joined: Vec<String> = unified
        .split('\n')
        .map(normalise_line)
        .filter(|l| !l.is_empty())
        .collect();
    hex(&sha256(joined.join("\n").as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How a block relates to the published revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Identical up to the first-line edits and whitespace.
    Exact(Profile),
    /// Closest to `profile`, with `differ` normalised lines inserted or removed.
    Modified { profile: Profile, differ: usize },
}

impl Identity {
    pub fn profile(&self) -> Profile {
        match self {
            Identity::Exact(p) | Identity::Modified { profile: p, .. } => *p,
        }
    }
}

/// How many lines differ between two hash sequences: in each run of changes between equal
/// lines, the larger of the lines removed and the lines inserted (a line edited counts once).
pub fn lines_differ(a: &[u64], b: &[u64]) -> usize {
    let (mut total, mut del, mut ins) = (0, 0, 0);
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, a, b) {
        match op {
            similar::DiffOp::Equal { .. } => {
                total += del.max(ins);
                (del, ins) = (0, 0);
            }
            similar::DiffOp::Delete { old_len, .. } => del += old_len,
            similar::DiffOp::Insert { new_len, .. } => ins += new_len,
            similar::DiffOp::Replace { old_len, new_len, .. } => {
                del += old_len;
                ins += new_len;
            }
        }
    }
    total + del.max(ins)
}

/// Which revision `code` is, or which it is nearest to (ties: the newest).
pub fn identify(code: &str) -> Identity {
    let sha = block_sha256(code);
    if let Some(r) = REVISIONS.iter().find(|r| r.sha256 == sha) {
        return Identity::Exact(r.profile);
    }
    let ours: Vec<u64> = normalised_lines(code).iter().map(|l| l.hash).collect();
    let mut best = (usize::MAX, Profile::V2024_08);
    for r in REVISIONS.iter().rev() {
        let d = lines_differ(r.lines, &ours);
        if d < best.0 {
            best = (d, r.profile);
        }
    }
    Identity::Modified {
        profile: best.1,
        differ: best.0,
    }
}

/// The built-in profile of the revision nearest to `code`.
pub fn nearest_profile(code: &str) -> Profile {
    identify(code).profile()
}

/// The fingerprint of `r`.
pub fn revision(p: Profile) -> Option<&'static Revision> {
    REVISIONS.iter().find(|r| r.profile == p)
}

/// SHA-256 (FIPS 180-4).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for chunk in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// The source of `revision_table.rs`, computed from the published templates in `dir`.
pub fn table_source(dir: &std::path::Path) -> Result<String, crate::template::TemplateError> {
    let mut s = String::from(
        "// Generated from the published templates' normalised code blocks (see revisions.rs): hashes only.\n\n/// The published revisions, oldest first.\npub const REVISIONS: &[Revision] = &[\n",
    );
    for p in Profile::FAITHFUL {
        let path = dir.join(format!("info-backup-{}.json", p.as_str()));
        let loaded = crate::template::load(&path)?;
        let code = &loaded.block()?.code;
        let variant = format!("{p:?}");
        s.push_str(&format!(
            "    Revision {{\n        profile: Profile::{variant},\n        sha256: \"{}\",\n        lines: &[\n",
            block_sha256(code)
        ));
        for chunk in normalised_lines(code).chunks(4) {
            let hs: Vec<String> = chunk.iter().map(|l| format!("0x{:016x}", l.hash)).collect();
            s.push_str(&format!("            {},\n", hs.join(", ")));
        }
        s.push_str("        ],\n    },\n");
    }
    s.push_str("];\n");
    Ok(s)
}

include!("revision_table.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_fips_examples() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn first_line_edits_and_whitespace_do_not_count() {
        let a = "$alertsizebackup = 1024*1024*100; // taille\n$x = 1;\n\nif ($x) { f(); }\n";
        let b = "$alertsizebackup=524288000;\r\n  $x  =  1;\r\nif ($x) {\r\n f(); }\r\n";
        assert_eq!(
            block_sha256(a),
            block_sha256("$alertsizebackup = 1;\n$x=1;\nif($x){f();}")
        );
        assert_ne!(block_sha256(a), block_sha256(b), "a line break moved is a line changed");
        let la: Vec<u64> = normalised_lines(a).iter().map(|l| l.hash).collect();
        let lb: Vec<u64> = normalised_lines(b).iter().map(|l| l.hash).collect();
        assert_eq!(lines_differ(&la, &lb), 2);
        assert_eq!(normalised_lines(a)[2].number, 4);
    }

    /// Prints the table from the published files (see the module's doc).
    #[test]
    #[ignore = "generates crates/engine/src/template/revision_table.rs from INFOBACKUP_PUBLISHED"]
    fn revision_table() {
        let dir = std::path::PathBuf::from(std::env::var("INFOBACKUP_PUBLISHED").expect("INFOBACKUP_PUBLISHED"));
        println!("{}", table_source(&dir).expect("the published templates"));
    }
}
