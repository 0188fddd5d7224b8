//! Reading an accepted insta snapshot (`.snap`) the way insta compares it, so `check` and
//! `cargo test` agree on "matches": the body after the `---` metadata block, trailing whitespace
//! trimmed, CRLF read as LF.

use std::path::{Path, PathBuf};

/// The snapshot file of one (case, profile): `<dir>/<case>@<profile>.snap`.
pub fn snap_path(dir: &Path, case: &str, profile: &str) -> PathBuf {
    dir.join(format!("{}.snap", snap_name(case, profile)))
}

/// The insta snapshot name of one (case, profile). A profile file's path separators become `_`.
pub fn snap_name(case: &str, profile: &str) -> String {
    let profile: String = profile
        .chars()
        .map(|c| if matches!(c, '/' | '\\') { '_' } else { c })
        .collect();
    format!("{case}@{profile}")
}

/// The body of a `.snap` file, or `None` when the file does not exist.
pub fn read_body(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(body_of(&String::from_utf8_lossy(&bytes)))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The body of a snapshot file's text (everything after the metadata block).
pub fn body_of(text: &str) -> String {
    let mut lines = text.lines();
    let mut first = lines.clone();
    if first.next().map(str::trim_end) == Some("---") {
        lines.next();
        for l in lines.by_ref() {
            if l.trim_end() == "---" {
                break;
            }
        }
    }
    lines.collect::<Vec<_>>().join("\n")
}

/// What insta compares: trailing whitespace trimmed, CRLF read as LF.
pub fn normalize(body: &str) -> String {
    body.trim_end().replace("\r\n", "\n")
}

/// Whether an accepted body and a fresh one match as insta would say.
pub fn matches(accepted: &str, fresh: &str) -> bool {
    normalize(accepted) == normalize(fresh)
}

/// The first differing line with a little context, for a person reading a CI log.
pub fn first_difference(accepted: &str, fresh: &str, context: usize) -> String {
    let acc = normalize(accepted);
    let new = normalize(fresh);
    let a: Vec<&str> = acc.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let Some(i) = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i)) else {
        return String::new();
    };
    let mut out = format!("first difference at line {}:\n", i + 1);
    for l in a.iter().take(i).skip(i.saturating_sub(context)) {
        out.push_str("  ");
        out.push_str(l);
        out.push('\n');
    }
    for l in a.iter().skip(i).take(context.max(1)) {
        out.push_str("- ");
        out.push_str(l);
        out.push('\n');
    }
    for l in b.iter().skip(i).take(context.max(1)) {
        out.push_str("+ ");
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_follows_the_metadata_block() {
        let file = "---\nsource: tests/integration/cases.rs\nexpression: body\n---\ncase: x\r\nline 2\n\n";
        assert_eq!(body_of(file), "case: x\nline 2\n");
        assert!(matches(&body_of(file), "case: x\nline 2"));
        assert!(!matches(&body_of(file), "case: x\nline 3"));
        assert_eq!(body_of("no header\n"), "no header");
    }

    #[test]
    fn a_difference_is_quoted_with_context() {
        let d = first_difference("a\nb\nc\nd", "a\nb\nX\nd", 1);
        assert_eq!(d, "first difference at line 3:\n  b\n- c\n+ X\n");
        assert_eq!(first_difference("a", "a\n", 2), "");
    }

    #[test]
    fn names_are_case_at_profile() {
        assert_eq!(
            snap_path(Path::new("s"), "4.4-x", "v2024-08"),
            PathBuf::from("s/4.4-x@v2024-08.snap")
        );
        assert_eq!(snap_name("c", "p/q.toml"), "c@p_q.toml");
    }
}
