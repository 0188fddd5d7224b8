//! Every conformance vector in `tests/data/conformance/` replays byte for byte with the faithful
//! profile of its revision. Data-driven: adding a vector is adding a file.

use std::path::{Path, PathBuf};

use infobackup::conformance::{self, Verdict};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance")
}

/// The vectors published with the scenario. Fewer means the folder went missing or was pruned.
const PUBLISHED_VECTORS: usize = 43;

#[test]
fn every_vector_replays_exactly() {
    let files = conformance::collect(&[vectors_dir()]).expect("the vectors folder is readable");
    assert!(files.len() >= PUBLISHED_VECTORS, "expected at least {PUBLISHED_VECTORS} vectors, found {}", files.len());
    let mut failures = Vec::new();
    for file in &files {
        match conformance::run_file(file) {
            Ok(r) => {
                if let Verdict::Fail { difference } = &r.verdict {
                    failures.push(format!("{}: {}\n{}", file.display(), difference.headline(), difference.detail()));
                }
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors fail:\n\n{}", failures.len(), files.len(), failures.join("\n\n"));
}
