//! The toolchain the project promises: `rust-version` in Cargo.toml must be at least the
//! `rust_version` every locked dependency declares, so "Rust 1.xx or newer" in README.md is true.

use std::process::Command;

use serde_json::Value;

/// `(major, minor, patch)` of a `rust-version` string such as `1.88` or `1.89.0`.
fn parse_version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.trim().split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    Some((major, minor, patch))
}

#[test]
fn rust_version_covers_every_locked_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let packages = meta["packages"].as_array().expect("a package list");

    let ours = packages
        .iter()
        .find(|p| p["name"] == "infobackup")
        .and_then(|p| p["rust_version"].as_str())
        .expect("Cargo.toml declares rust-version");
    let ours = parse_version(ours).expect("rust-version is a version");

    let newer: Vec<String> = packages
        .iter()
        .filter(|p| p["name"] != "infobackup")
        .filter_map(|p| {
            let declared = p["rust_version"].as_str()?;
            let version = parse_version(declared)?;
            (version > ours).then(|| format!("{} {} needs {declared}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        newer.is_empty(),
        "rust-version {ours:?} is older than what these locked dependencies need: {newer:#?}"
    );

    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let promise = format!("Rust {}.{} or newer", ours.0, ours.1);
    assert!(readme.contains(&promise), "README.md should say \"{promise}\"");
}

#[test]
fn versions_parse_as_cargo_writes_them() {
    assert_eq!(parse_version("1.89"), Some((1, 89, 0)));
    assert_eq!(parse_version("1.88.0"), Some((1, 88, 0)));
    assert_eq!(parse_version("one"), None);
    assert!(parse_version("1.89").unwrap() > parse_version("1.88.9").unwrap());
}
