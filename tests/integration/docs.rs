//! The facts the code relies on live in `docs/` (see `docs/README.md`), not in a folder a clone
//! does not have: no file under `src/`, `crates/`, `tests/` or `benches/` may point at the old spec folder,
//! and every reference to a page of `docs/` (and to one of its sections) must resolve, as must
//! the links between the pages themselves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, recursively, in name order.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn code_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["src", "crates", "tests", "benches"] {
        files(&repo().join(dir), &mut out);
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The pages of `docs/` (path relative to the repository) and the anchors of their headings.
fn pages() -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let mut all = Vec::new();
    files(&repo().join("docs"), &mut all);
    for p in all.iter().filter(|p| p.extension().is_some_and(|e| e == "md")) {
        let text = std::fs::read_to_string(p).unwrap();
        let anchors = text
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| slug(l.trim_start_matches('#')))
            .collect();
        let rel = p.strip_prefix(repo()).unwrap().to_string_lossy().replace('\\', "/");
        out.insert(rel, anchors);
    }
    out
}

/// `docs/<page>.md` and `docs/<page>.md#<anchor>` references in a text (a leading `../` is
/// allowed; `foo/docs/…` or `rustdocs/…` are not references to this folder).
fn doc_refs(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("docs/") {
        let before = &text.as_bytes()[..at];
        match before.last() {
            Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.') => continue,
            Some(b'/') if !before.ends_with(b"../") => continue,
            _ => {}
        }
        let tail: String = text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '#'))
            .collect();
        let tail = tail.trim_end_matches('.');
        let (page, anchor) = match tail.split_once('#') {
            Some((p, a)) => (p, Some(a.to_owned())),
            None => (tail, None),
        };
        if page.ends_with(".md") {
            out.push((page.to_owned(), anchor));
        }
    }
    out
}

fn check(pages: &BTreeMap<String, BTreeSet<String>>, page: &str, anchor: Option<&str>) -> Result<(), String> {
    let Some(anchors) = pages.get(page) else {
        return Err(format!("{page} does not exist"));
    };
    match anchor {
        Some(a) if !anchors.contains(a) => Err(format!("{page} has no section #{a}")),
        _ => Ok(()),
    }
}

#[test]
fn no_file_points_at_the_spec_folder_outside_the_repo() {
    let needle = concat!("shared", "/spec");
    let offenders: Vec<String> = code_files()
        .into_iter()
        .filter(|p| {
            let bytes = std::fs::read(p).unwrap();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
        .map(|p| p.strip_prefix(repo()).unwrap().display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "these files refer to {needle}, which a clone does not have; point at docs/ instead:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn every_docs_reference_in_the_code_resolves() {
    let pages = pages();
    let mut seen = 0;
    let mut broken = Vec::new();
    let mut sources = code_files();
    sources.extend(["README.md", "ARCHITECTURE.md"].map(|f| repo().join(f)));
    for p in sources
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs" || e == "md"))
    {
        let Ok(text) = std::fs::read_to_string(p) else { continue };
        for (page, anchor) in doc_refs(&text) {
            seen += 1;
            if let Err(e) = check(&pages, &page, anchor.as_deref()) {
                broken.push(format!("{}: {e}", p.strip_prefix(repo()).unwrap().display()));
            }
        }
    }
    assert!(
        seen >= 5,
        "only {seen} references to docs/ found: is the scanner broken?"
    );
    assert!(broken.is_empty(), "broken references to docs/:\n{}", broken.join("\n"));
}

#[test]
fn links_between_the_pages_resolve() {
    let pages = pages();
    assert!(pages.contains_key("docs/README.md") && pages.contains_key("docs/scenario.md"));
    let mut broken = Vec::new();
    for page in pages.keys() {
        let text = std::fs::read_to_string(repo().join(page)).unwrap();
        for (at, _) in text.match_indices("](") {
            let target = text[at + 2..].split(')').next().unwrap_or("");
            if target.contains("://") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target, None),
            };
            let resolved = if file.is_empty() {
                page.clone()
            } else if let Some(up) = file.strip_prefix("../") {
                up.to_owned()
            } else {
                format!("docs/{file}")
            };
            let result = if resolved.starts_with("docs/") {
                check(&pages, &resolved, anchor)
            } else if repo().join(&resolved).exists() {
                Ok(())
            } else {
                Err(format!("{resolved} does not exist"))
            };
            if let Err(e) = result {
                broken.push(format!("{page}: link {target}: {e}"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links in docs/:\n{}", broken.join("\n"));
}

#[test]
fn the_reference_scanner_reads_what_it_should() {
    // Built at run time, so that this file holds no reference to a page that does not exist.
    let d = "docs/";
    let refs = doc_refs(&format!("see `{d}a.md#b-c`, ../{d}d.md. not rust{d}e.md nor x/{d}f.md"));
    assert_eq!(
        refs,
        vec![(format!("{d}a.md"), Some("b-c".to_owned())), (format!("{d}d.md"), None)]
    );
    assert_eq!(slug(" The virtual's JSON"), "the-virtuals-json");
    assert_eq!(slug("end_backup"), "end_backup");
}
