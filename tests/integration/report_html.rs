//! The `diagnose --format html` report: a self-contained page (no script, no external resource,
//! every log text escaped) that a real headless Chromium renders without script errors, with the
//! tiles and the findings visible. The screenshot is kept under `target/test-artifacts/`.

use infobackup::Lang;
use infobackup::case::Case;
use infobackup::report::diagnose::{self, Options, html};
use infobackup::world::LogName;

use crate::browser::{render_in_chromium, render_in_chromium_sized};
use crate::cli_diagnose::{API_KEY, PASSWORD, USER, planted_log};
use crate::support::{infobackup, repo};

fn report(bytes: Vec<u8>, lang: Lang) -> String {
    let case = Case::from_log("backup.log", LogName::Backup, "backup.log", bytes.into());
    let d = diagnose::diagnose(&case, &Options::default()).expect("a diagnosis");
    html::render_html(&d, lang)
}

fn two_runs() -> Vec<u8> {
    std::fs::read(repo().join("scenarios/4.4-two-runs-in-one-file/backup.log")).unwrap()
}

#[test]
fn the_page_is_self_contained_and_scriptless() {
    let page = report(two_runs(), Lang::Fr);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        page.contains("Content-Security-Policy"),
        "the page forbids scripts and network"
    );
    assert!(!page.to_ascii_lowercase().contains("<script"), "no script");
    for attr in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "url(http",
        "@import",
    ] {
        assert!(!page.contains(attr), "external resource: {attr}");
    }
    // The markup contract.
    assert_eq!(page.matches("<section class=\"ib-run\" id=\"run-").count(), 2);
    assert_eq!(page.matches("data-profile=\"published\"").count(), 2);
    assert_eq!(page.matches("data-profile=\"strict\"").count(), 2);
    assert_eq!(page.matches(" data-flag=").count(), 12);
    assert!(page.contains("data-flag=\"errorLog\" data-published=\"1\" data-strict=\"0\""));
    assert!(page.contains("<mark>[2025-09-10 03:29:42][ERROR]</mark>"));
}

#[test]
fn log_text_is_escaped() {
    let mut log =
        String::from_utf8(std::fs::read(repo().join("scenarios/4.4-success-local-only/backup.log")).unwrap()).unwrap();
    log = log.replace(
        "Cleaning old backup...OK\n",
        "Cleaning old backup...OK\n[2025-09-10 03:29:40][ERROR] : <script>alert('x')</script> & <img src=x onerror=alert(1)>\n",
    );
    let page = report(log.into_bytes(), Lang::En);
    assert!(!page.contains("<script>alert"), "a log line became markup");
    assert!(!page.contains("<img src=x"), "a log line became markup");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn chromium_renders_the_report_with_tiles_and_findings() {
    // The planted night: crash of the published scenario, Samba failure, masked secrets.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("backup.log");
    std::fs::write(&path, planted_log()).unwrap();
    let out = infobackup()
        .args(["diagnose", path.to_str().unwrap(), "--format", "html", "--samba", "on"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let page = String::from_utf8(out.stdout).unwrap();
    let Some(rendered) = render_in_chromium_sized(&page, "diagnose-report", (1100, 2400)) else {
        return;
    };
    assert!(
        rendered.script_errors.is_empty(),
        "script errors / CSP violations: {:?}",
        rendered.script_errors
    );
    let dom = &rendered.dom;
    // Both tiles are drawn. The host is unreachable, so the published scenario's own listing
    // fails and its block crashes (#12 point 6: the alert tile); strict shows Samba red.
    assert!(dom.contains("data-profile=\"published\""), "no published tile");
    assert!(dom.contains("data-profile=\"strict\""), "no strict tile");
    assert_eq!(
        dom.matches("data-repo=\"samba\" data-state=\"error\"").count(),
        1,
        "Samba circles"
    );
    // The findings: the six flags, the quoted logger and Samba lines, the timeline.
    assert_eq!(dom.matches(" data-flag=").count(), 6);
    assert!(dom.contains("data-flag=\"errorSamba\" data-published=\"—\" data-strict=\"1\""));
    assert!(
        dom.contains("class=\"ib-quote\" data-line=\"15\""),
        "the /!\\ line is not quoted"
    );
    // Line 15 quoted with its logger prefix (marked in the published Local flag's explanation
    // before the crash took that flag away: the label is marked now).
    assert!(dom.contains("[2025-09-10 03:29:44][ERROR]"));
    assert!(dom.contains("<mark>Send backup Samba</mark>"));
    assert!(dom.contains("NT_STATUS_HOST_UNREACHABLE"));
    assert!(dom.contains("class=\"ib-table ib-timeline\""));
    crate::cli_diagnose::assert_no_secret("rendered DOM", dom.as_bytes(), &[PASSWORD, USER, API_KEY]);
    let png = std::fs::read(&rendered.screenshot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    assert!(png.len() > 20_000, "the screenshot looks empty ({} bytes)", png.len());
}

#[test]
fn chromium_renders_the_crash_and_the_disagreement() {
    let out = infobackup()
        .args([
            "diagnose",
            "scenarios/4.4-samba-auth-failure",
            "--format",
            "html",
            "--lang",
            "en",
        ])
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    let Some(rendered) = render_in_chromium_sized(&page, "diagnose-report-crash", (1100, 1600)) else {
        return;
    };
    assert!(rendered.script_errors.is_empty(), "{:?}", rendered.script_errors);
    let dom = &rendered.dom;
    assert!(
        dom.contains("class=\"ib-tile ib-panel-alert\""),
        "the published tile is not the crash alert"
    );
    assert!(dom.contains("class=\"ib-disagree\""), "no disagreement box");
    assert!(dom.contains("The two readings disagree."));
    assert!(!dom.contains("S3cr3tPlanted"), "the corpus' planted password leaked");
}

#[test]
fn chromium_renders_an_english_two_run_report() {
    let page = report(two_runs(), Lang::En);
    let Some(rendered) = render_in_chromium(&page, "diagnose-report-two-runs") else {
        return;
    };
    assert!(rendered.script_errors.is_empty(), "{:?}", rendered.script_errors);
    assert!(rendered.dom.contains("The two readings disagree."));
    assert_eq!(rendered.dom.matches("class=\"ib-tile ").count(), 4);
}
