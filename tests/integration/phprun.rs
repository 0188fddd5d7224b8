//! `php:` profiles: the scenario's own code block run under php-cli. Small blocks this project
//! writes itself, then the published templates (through `INFOBACKUP_PUBLISHED`) against the Rust
//! profiles of the same revision, case by case and trigger by trigger.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use infobackup::case::{Case, Overrides, ProfileRef};
use infobackup::conformance::{self, Verdict};
use infobackup::engine::{self, Profile, Replay};
use infobackup::phprun;
use infobackup::report::run;
use infobackup::world::Timeline;

use crate::support::{infobackup, infobackup_en, published, repo, require_php};

/// Writes `code` as a bare block in a temporary folder.
fn block(dir: &Path, name: &str, code: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, code).unwrap();
    p
}

fn timeline(json: &str) -> Timeline {
    serde_json::from_str(json).expect("a timeline")
}

fn replay(path: &Path, t: &Timeline) -> Replay {
    let config = phprun::profile(path).expect("the block loads");
    engine::replay_in_memory(t, &config).expect("the replay runs")
}

const TWO_TRIGGERS: &str = r#"{"jeedom":"4.4","initial_virtual":"before","config":{"backup::path":"backup"},
    "steps":[{"trigger":"begin_backup","at":"2025-03-30 02:02:33"},
             {"trigger":"end_backup","at":"2025-09-10 03:30:33","log":"[2025-09-10 03:29:40][ERROR] : x\n",
              "local":{"b-2025-09-10-03h27.tar.gz":1234,"notes.txt":5,".hidden.gz":7},"samba_error":"bad credentials"}]}"#;

#[test]
fn a_block_of_our_own_sets_tags_the_virtual_and_log_lines() {
    if !require_php() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = block(
        dir.path(),
        "fixed.php",
        "$tags = $scenario->getTags();\n$scenario->setLog('seen ' . $tags['#lastSave#'] . ' by ' . $scenario->getRealTrigger());\n$tags['#action#'] = 'fixed';\n$tags['#n#'] = 3;\n$tags['#json#'] = '{\"a\":1}';\n$scenario->setTags($tags);\n",
    );
    let r = replay(&p, &timeline(TWO_TRIGGERS));
    let s = &r.steps[0];
    assert_eq!(s.virtual_value, r#"{"a":1}"#);
    assert_eq!(s.tags.get("#action#").map(String::as_str), Some("fixed"));
    assert_eq!(s.tags.get("#n#").map(String::as_str), Some("3"));
    assert_eq!(s.tags.get("#lastSave#").map(String::as_str), Some("before"));
    assert!(
        !s.tags.contains_key("#json#"),
        "the event's tag is the virtual, not a tag"
    );
    assert_eq!(s.scenario_log, vec!["seen before by begin_backup"]);
    // The virtual carries over: the second trigger's #lastSave# is the first one's event.
    assert_eq!(r.steps[1].scenario_log, vec![r#"seen {"a":1} by end_backup"#]);
    assert_eq!(r.profile, format!("php:{}", p.display()));
}

#[test]
fn the_clock_and_the_files_come_from_the_timeline() {
    if !require_php() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = block(
        dir.path(),
        "world.php",
        r#"$scenario->setLog(date('Y-m-d H:i:s') . ' ' . date('T') . ' ' . (time() - strtotime('2025-03-30 03:02:33')));
$scenario->setLog(date('Y-m-d', strtotime('tomorrow')));
$dir = calculPath(config::byKey('backup::path'));
foreach (glob($dir . '/*.gz') as $f) { $scenario->setLog(basename($f) . ' ' . filesize($f)); }
$scenario->setLog(var_export(file_exists($dir . '/notes.txt'), true));
$scenario->setLog(trim(file_get_contents('/var/www/html/log/backup')));
$scenario->setLog(sizeFormat(5690831258));
require_once('/var/www/html/core/repo/samba.repo.php');
$s = new repo_samba();
$s->backup_list();
$scenario->setLog('not reached');
"#,
    );
    let r = replay(&p, &timeline(TWO_TRIGGERS));
    // 02:02:33 does not exist in Paris that night: date() still shows the wall clock, time() is
    // the instant it resolves to (03:02:33 CEST), as Jeedom's box lives it.
    assert_eq!(r.steps[0].scenario_log[0], "2025-03-30 02:02:33 CEST 0");
    assert_eq!(r.steps[0].scenario_log[1], "2025-03-31");
    assert_eq!(
        &r.steps[1].scenario_log[2..],
        [
            "b-2025-09-10-03h27.tar.gz 1234",
            "true",
            "[2025-09-10 03:29:40][ERROR] : x",
            "5.3 GB"
        ]
    );
    assert_eq!(r.steps[1].crash.as_deref(), Some("Exception: bad credentials"));
    assert_eq!(r.steps[1].virtual_value, "", "a block that threw leaves tag json unset");
}

#[test]
fn the_sandbox_refuses_processes_and_host_files_and_reports_warnings() {
    if !require_php() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = block(
        dir.path(),
        "escape.php",
        "$x = @file_get_contents('/etc/passwd');\n$scenario->setLog(var_export($x, true));\n$y = $undefined + 1;\necho 'hello';\n$scenario->setLog(var_export(getenv('PATH'), true));\n",
    );
    let t = timeline(TWO_TRIGGERS);
    let r = replay(&p, &t);
    let s = &r.steps[0];
    assert_eq!(s.scenario_log, vec!["false"]);
    assert_eq!(
        s.crash.as_deref(),
        Some("Error: Call to undefined function getenv()"),
        "getenv is disabled"
    );
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("Undefined variable $undefined on line 3 of the block")),
        "{:?}",
        s.notes
    );
    assert!(s.notes.iter().any(|n| n == "the block printed: hello"), "{:?}", s.notes);
    let p = block(dir.path(), "exec.php", "exec('id');\n");
    assert_eq!(
        replay(&p, &t).steps[0].crash.as_deref(),
        Some("Error: Call to undefined function exec()")
    );
}

#[test]
fn a_block_that_loops_is_stopped_with_a_clear_error_and_the_next_run_works() {
    if !require_php() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = block(
        dir.path(),
        "loop.php",
        "if ($scenario->getRealTrigger() == 'begin_backup') { while (true) { usleep(1000); } }\n$t = $scenario->getTags(); $t['#json#'] = 'ok'; $scenario->setTags($t);\n",
    );
    let program = phprun::program_with_timeout(&p, Duration::from_secs(1)).unwrap();
    let config = phprun::profile_of(program);
    let t = timeline(TWO_TRIGGERS);
    let e = engine::replay_in_memory(&t, &config).unwrap_err().to_string();
    assert!(
        e.contains("loop.php: trigger 1 (begin_backup at 2025-03-30 02:02:33)"),
        "{e}"
    );
    assert!(e.contains("did not finish in time and was stopped"), "{e}");
    // The next replay starts a new php process.
    let mut one = t.clone();
    one.steps.remove(0);
    let r = engine::replay_in_memory(&one, &config).unwrap();
    assert_eq!(r.steps[0].virtual_value, "ok");
}

#[test]
fn functions_a_block_declares_survive_every_trigger() {
    if !require_php() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = block(
        dir.path(),
        "declares.php",
        "function twice($x) { return 2 * $x; }\n$t = $scenario->getTags(); $t['#json#'] = (string) twice(21); $scenario->setTags($t);\n",
    );
    let r = replay(&p, &timeline(TWO_TRIGGERS));
    assert_eq!(
        r.steps.iter().map(|s| s.virtual_value.as_str()).collect::<Vec<_>>(),
        ["42", "42"]
    );
}

#[test]
fn jeedom_4_5_has_no_trigger_accessor_but_a_trigger_tag() {
    if !require_php() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = block(
        dir.path(),
        "trigger.php",
        "$t = $scenario->getTags();\n$scenario->setLog(var_export(method_exists('scenario', 'getRealTrigger'), true) . ' ' . ($t['#trigger#'] ?? '-'));\n$scenario->getRealTrigger();\n",
    );
    let t45 = timeline(&TWO_TRIGGERS.replace("\"4.4\"", "\"4.5\""));
    let r = replay(&p, &t45);
    assert_eq!(r.steps[0].scenario_log, vec!["false begin_backup"]);
    assert_eq!(
        r.steps[0].crash.as_deref(),
        Some("Error: Call to undefined method scenario::getRealTrigger()")
    );
    let r = replay(&p, &timeline(TWO_TRIGGERS));
    assert_eq!(r.steps[0].scenario_log, vec!["true -"]);
    assert_eq!(r.steps[0].crash, None);
}

#[test]
fn without_php_a_php_profile_is_an_exit_2_error_naming_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let p = block(dir.path(), "b.php", "$a = 1;\n");
    let out = infobackup_en()
        .env("INFOBACKUP_PHP", dir.path().join("no-such-php"))
        .args(["conformance", "--profile"])
        .arg(format!("php:{}", p.display()))
        .arg("tests/data/conformance")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("install the Debian package php-cli"), "{err}");
    let out = infobackup_en()
        .args([
            "conformance",
            "--profile",
            "php:no/such/file.json",
            "tests/data/conformance",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.json: no such file or folder"));
}

// ---- the published templates -----------------------------------------------------------------

fn published_template(dir: &Path, p: Profile) -> PathBuf {
    dir.join(format!("info-backup-{}.json", p.as_str()))
}

#[test]
fn published_templates_pass_every_vector_of_their_revision() {
    let Some(dir) = published() else { return };
    if !require_php() {
        return;
    }
    let files = conformance::collect(&[repo().join("tests/data/conformance")]).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in &files {
        let v = conformance::load(f).unwrap();
        let config = phprun::profile(&published_template(&dir, v.code)).unwrap();
        match conformance::check_with(&v, &config).unwrap() {
            Verdict::Pass => checked += 1,
            Verdict::Fail { difference } => failures.push(format!("{}: {}", f.display(), difference.headline())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 43, "{checked}");
}

/// Every case × trigger of `scenarios/`, for each published revision: the virtual, the tags and
/// the crash agree byte for byte between the Rust profile and the template run by php.
#[test]
fn published_templates_agree_with_the_rust_profiles_on_every_case_and_trigger() {
    let Some(dir) = published() else { return };
    if !require_php() {
        return;
    }
    let mut disagreements = Vec::new();
    let mut triggers = 0;
    for case_dir in infobackup::case::corpus_dirs(&repo().join("scenarios")).unwrap() {
        let resolved = Case::load(&case_dir)
            .and_then(|c| c.resolve(&Overrides::default()))
            .unwrap();
        for rev in Profile::FAITHFUL {
            let path = published_template(&dir, rev);
            let rust = run::config_for(&resolved, &ProfileRef::Builtin(rev.as_str().into())).unwrap();
            let php = run::config_for(
                &resolved,
                &ProfileRef::Php {
                    name: format!("php:{}", path.display()),
                    path: path.clone(),
                },
            )
            .unwrap();
            let a = engine::replay_in_memory(&resolved.timeline, &rust).unwrap();
            let b = engine::replay_in_memory(&resolved.timeline, &php).unwrap();
            for (x, y) in a.steps.iter().zip(&b.steps) {
                triggers += 1;
                let what = format!("{} {} step {} ({})", resolved.name, rev, x.index + 1, x.trigger);
                if x.virtual_value != y.virtual_value {
                    disagreements.push(format!(
                        "{what}: virtual\n  rust {}\n  php  {}",
                        x.virtual_value, y.virtual_value
                    ));
                }
                if x.tags != y.tags {
                    disagreements.push(format!("{what}: tags\n  rust {:?}\n  php  {:?}", x.tags, y.tags));
                }
                if x.crashed() != y.crashed() {
                    disagreements.push(format!("{what}: crash\n  rust {:?}\n  php  {:?}", x.crash, y.crash));
                }
            }
            assert_eq!(a.steps.len(), b.steps.len(), "{}", resolved.name);
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(triggers > 100, "{triggers}");
}

fn compare_cases(a: &str, b: &str) -> (Option<i32>, BTreeSet<String>) {
    let out = infobackup()
        .args(["check", "--format", "json", "--compare", a, b])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut differ = BTreeSet::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_ne!(v["type"], "error", "{v}");
        if v["type"] == "compare" && v["differs"] == true {
            differ.insert(v["case"].as_str().unwrap().to_owned());
        }
    }
    (out.status.code(), differ)
}

#[test]
fn check_compare_finds_no_difference_and_a_changed_rule_lists_exactly_the_affected_cases() {
    let Some(dir) = published() else { return };
    if !require_php() {
        return;
    }
    let original = published_template(&dir, Profile::V2024_08);
    let (code, differ) = compare_cases("v2024-08", &format!("php:{}", original.display()));
    assert_eq!((code, differ), (Some(0), BTreeSet::new()));

    // One rule changed in a copy: log errors are never seen. Exactly the cases where the
    // published revision raises errorLog at some trigger must differ.
    let text = std::fs::read_to_string(&original).unwrap();
    let rule = "count($out[0]) >= 1";
    assert!(text.contains(rule), "the published block's error rule");
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("Info backup.json");
    std::fs::write(&copy, text.replace(rule, "count($out[0]) >= 1000000")).unwrap();
    let mut expected = BTreeSet::new();
    for case_dir in infobackup::case::corpus_dirs(&repo().join("scenarios")).unwrap() {
        let resolved = Case::load(&case_dir)
            .and_then(|c| c.resolve(&Overrides::default()))
            .unwrap();
        let config = run::config_for(&resolved, &ProfileRef::Builtin("v2024-08".into())).unwrap();
        let r = engine::replay_in_memory(&resolved.timeline, &config).unwrap();
        if r.steps
            .iter()
            .any(|s| matches!(s.evidence.log.rule, engine::Rule::LogErrors { .. }))
        {
            expected.insert(resolved.name.clone());
        }
    }
    assert!(!expected.is_empty(), "the corpus has cases with log errors");
    let (code, differ) = compare_cases("v2024-08", &format!("php:{}", copy.display()));
    assert_eq!(code, Some(1));
    assert_eq!(differ, expected);
}

#[test]
fn check_profile_php_compares_every_case_with_the_revision_of_the_block() {
    if !require_php() {
        return;
    }
    // A block of our own that writes a fixed value differs from its nearest revision on every case.
    let dir = tempfile::tempdir().unwrap();
    let p = block(
        dir.path(),
        "fixed.php",
        "$t = $scenario->getTags(); $t['#json#'] = 'fixed'; $scenario->setTags($t);\n",
    );
    let out = infobackup()
        .args(["check", "--lang", "en", "--profile"])
        .arg(format!("php:{}", p.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        // Compared with the revision nearest to this one-line block (the shortest one).
        text.contains("step 1 (begin_backup): virtual differs at byte 0: fixed where v2023-03 gives"),
        "{text}"
    );
    assert!(!text.contains(" 0 changed"), "{text}");
    let Some(published) = published() else { return };
    let out = infobackup()
        .args(["check", "--lang", "en", "--profile"])
        .arg(format!(
            "php:{}",
            published_template(&published, Profile::V2024_08).display()
        ))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(" 0 changed, 0 new, 0 unexpected, 0 errors"), "{text}");
}

#[test]
fn a_case_manifest_names_a_block_of_its_folder_as_a_profile() {
    if !require_php() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("cases").join("ours");
    std::fs::create_dir_all(&case).unwrap();
    let src = repo().join("scenarios/4.4-samba-ok");
    std::fs::copy(src.join("backup.log"), case.join("backup.log")).unwrap();
    let manifest = std::fs::read_to_string(src.join("case.toml")).unwrap();
    std::fs::write(
        case.join("case.toml"),
        format!("profiles = [\"v2024-08\", \"php:block.php\"]\n{manifest}"),
    )
    .unwrap();
    block(
        &case,
        "block.php",
        "$t = $scenario->getTags(); $t['#json#'] = 'from the block'; $scenario->setTags($t);\n",
    );
    let resolved = Case::load(&case).unwrap().resolve(&Overrides::default()).unwrap();
    let names: Vec<&str> = resolved.profiles.iter().map(ProfileRef::name).collect();
    assert_eq!(names, ["v2024-08", "php:block.php"]);
    let r = run::replay(&resolved, &resolved.profiles[1], &infobackup::via::Via::Memory).unwrap();
    assert!(r.steps.iter().all(|s| s.virtual_value == "from the block"));
    // Outside the case folder: refused, naming the key.
    std::fs::write(
        case.join("case.toml"),
        format!("profiles = [\"php:../block.php\"]\n{manifest}"),
    )
    .unwrap();
    let e = Case::load(&case)
        .and_then(|c| c.resolve(&Overrides::default()))
        .unwrap_err();
    assert!(e.to_string().contains("must be a file of the case folder"), "{e}");
}

#[test]
fn diagnose_shows_what_the_scenarios_own_log_said() {
    if !require_php() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("said.php");
    std::fs::write(
        &p,
        "$t = $scenario->getTags();\n$scenario->setLog('trigger seen: ' . $scenario->getRealTrigger() . ' -U \"jeedom%Sec2ret-77\"');\n$t['#json#'] = '';\n$scenario->setTags($t);\n",
    )
    .unwrap();
    let profile = format!("php:{}", p.display());
    for (format, heading) in [
        ("text", "what your scenario's log said:"),
        ("json", "\"scenario_log\""),
        ("markdown", "What your scenario's log said"),
        ("html", "log said:<pre class=\"ib-scenario-log\">"),
    ] {
        let out = crate::support::infobackup()
            .args([
                "diagnose",
                "scenarios/4.4-samba-ok",
                "--lang",
                "en",
                "--format",
                format,
                "--profile",
            ])
            .arg(&profile)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(heading), "{format}: no {heading:?} in\n{text}");
        assert!(text.contains("trigger seen: end_backup"), "{format}:\n{text}");
        assert!(
            !text.contains("Sec2ret-77"),
            "{format}: a secret the block logged leaked"
        );
    }
    // A Rust profile runs no scenario code: nothing to show.
    let out = crate::support::infobackup()
        .args(["diagnose", "scenarios/4.4-samba-ok", "--lang", "en"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("scenario's log said"));
}
