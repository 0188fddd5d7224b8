//! `infobackup scenario FILE`: templates and blocks this project writes itself, then the
//! published templates (through `INFOBACKUP_PUBLISHED`).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{infobackup_en, published, require_php};

/// A small template of our own with the published scenario's shape: tag → code → event.
fn template(code: &str) -> Value {
    json!({
        "name": "Ours", "isActive": "1", "mode": "provoke",
        "trigger": ["#begin_backup#", "#end_backup#", "#begin_update#"],
        "elements": [
            {"type": "action", "order": "0", "subElements": [{"type": "action", "subtype": "action", "order": "0", "expressions": [
                {"type": "action", "expression": "tag", "order": "0",
                 "options": {"enable": "1", "background": "0", "name": "lastSave", "value": "#[A][B][json]#"}},
                {"type": "element", "expression": "7", "order": "1", "options": [], "element": {"type": "code", "subElements": [
                    {"type": "code", "subtype": "action", "options": {"enable": "1"}, "expressions": [
                        {"type": "code", "expression": code, "options": [], "order": "0"}]}]}},
                {"type": "action", "expression": "event", "order": "2",
                 "options": {"enable": "1", "background": "0", "cmd": "#[A][B][json]#", "value": "\"tag(json)\""}}]}]}]
    })
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn scenario_json(path: &Path) -> (Option<i32>, Value) {
    let out = infobackup_en()
        .env_remove("INFOBACKUP_PUBLISHED")
        .args(["scenario", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), v)
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_template_of_our_own_is_read_and_its_chain_named() {
    if !require_php() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "ours.json",
        &template("$alertsizebackup = 1024*1024*500;\n$a = 1;\n"),
    );
    let (code, v) = scenario_json(&p);
    assert_eq!(v["chain"]["tag_reads"], "#[A][B][json]#");
    assert_eq!(v["chain"]["same_command"], true);
    assert_eq!(v["syntax"]["status"], "ok");
    assert_eq!(v["min_size"], 524_288_000u64);
    // Not a published revision: a finding, with a diff of hash-only lines.
    assert_eq!(v["revision"]["exact"], false);
    assert_eq!(codes(&v), ["modified"]);
    assert!(
        v["revision"]["diff"]
            .as_str()
            .unwrap()
            .contains("only its hash is shipped")
    );
    assert_eq!(code, Some(1));
}

#[test]
fn findings_name_what_the_tile_then_misses_and_where() {
    if !require_php() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut t = template("$alertsizebackup = 100 * MB;\nif ( {\n");
    t["trigger"] = json!(["#begin_backup#", "#begin_update#"]);
    t["elements"][0]["subElements"][0]["expressions"][2]["options"]["cmd"] = json!("#[A][C][json]#");
    t["elements"][0]["subElements"][0]["expressions"][2]["options"]["background"] = json!("1");
    let p = write(dir.path(), "broken.json", &t);
    let (code, v) = scenario_json(&p);
    assert_eq!(code, Some(1));
    let c = codes(&v);
    for expected in ["missing-trigger", "chain", "background", "syntax", "min-size"] {
        assert!(c.iter().any(|x| x == expected), "{expected} in {c:?}");
    }
    let text = v.to_string();
    assert!(
        text.contains("trigger #end_backup# is missing: nothing checks the archive"),
        "{text}"
    );
    assert!(
        text.contains("the tag reads #[A][B][json]# but the event writes #[A][C][json]#"),
        "{text}"
    );
    assert!(text.contains("cannot read the minimum size"), "{text}");
    assert!(text.contains("assumed 100 MB"), "{text}");
    // php -l's line is the block's line (2), with the JSON pointer of the block.
    assert!(
        text.contains(
            "/elements/0/subElements/0/expressions/1/element/subElements/0/expressions/0/expression (line 2)"
        ),
        "{text}"
    );
}

#[test]
fn a_file_that_is_not_a_scenario_is_exit_2_naming_the_file_and_the_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "not.json", &json!({"name": "x", "elements": {"a": 1}}));
    let out = infobackup_en().arg("scenario").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not.json: not a Jeedom scenario template: at /elements: expected a list"),
        "{err}"
    );
    let out = infobackup_en()
        .args(["scenario", "no/such/file.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn published_block(dir: &Path, rev: &str) -> String {
    let loaded = infobackup::template::load(&dir.join(format!("info-backup-{rev}.json"))).unwrap();
    loaded.block().unwrap().code.clone()
}

#[test]
fn published_templates_are_identified_and_an_edit_is_a_diff_against_the_nearest() {
    let Some(dir) = published() else { return };
    if !require_php() {
        return;
    }
    for rev in ["v2022-01", "v2023-03", "v2024-08"] {
        let (code, v) = scenario_json(&dir.join(format!("info-backup-{rev}.json")));
        assert_eq!(v["revision"]["identity"], format!("{rev}, minimum size 100 MB"), "{v}");
        assert_eq!((code, codes(&v).len()), (Some(0), 0), "{v}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let block = published_block(&dir, "v2024-08");
    // The installation edit, re-saved with CRLF and other spacing: still the revision.
    let edited = block
        .replacen("1024*1024*100", "1024 * 1024 * 500", 1)
        .replace('\n', "\r\n");
    let p = tmp.path().join("edited.php");
    std::fs::write(&p, &edited).unwrap();
    let (code, v) = scenario_json(&p);
    assert_eq!(v["revision"]["identity"], "v2024-08, minimum size 500 MB");
    assert_eq!(code, Some(0));
    // One rule changed: modified, one line, and with --published the diff shows both lines.
    let rule = "count($out[0]) >= 1";
    let changed = edited.replace(rule, "count($out[0]) >= 2");
    let p = tmp.path().join("changed.php");
    std::fs::write(&p, &changed).unwrap();
    let (code, v) = scenario_json(&p);
    assert_eq!(code, Some(1));
    assert_eq!(v["revision"]["identity"], "modified from v2024-08 (1 line differs)");
    let out = infobackup_en()
        .args(["scenario", "--published"])
        .arg(&dir)
        .arg(&p)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("-    $errorLog = ( count($out[0]) >= 1) ? 1 : 0;"),
        "{text}"
    );
    assert!(
        text.contains("+    $errorLog = ( count($out[0]) >= 2) ? 1 : 0;"),
        "{text}"
    );
    assert!(!text.contains("only its hash"), "{text}");
}

#[test]
fn the_shipped_fingerprints_are_those_of_the_published_files() {
    let Some(dir) = published() else { return };
    let table = infobackup::template::revisions::table_source(&dir).unwrap();
    let shipped =
        std::fs::read_to_string(crate::support::repo().join("crates/engine/src/template/revision_table.rs")).unwrap();
    assert_eq!(
        shipped, table,
        "regenerate crates/engine/src/template/revision_table.rs (see revisions.rs)"
    );
}
