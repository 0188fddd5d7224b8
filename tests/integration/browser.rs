//! Real-browser checks of the HTML views, in Debian's headless Chromium.
//!
//! The support half ([`render_in_chromium`]) is reusable by any test that produces a page (the
//! `diagnose --format html` report uses it too): it writes the page to a temporary folder, injects
//! a tiny recorder of script errors and CSP violations at the top of `<head>`, runs Chromium
//! headless once for the dumped DOM and a screenshot, and kills it after [`TIMEOUT`]. Without
//! Chromium it prints one `skipped:` line and returns `None`, so a plain `cargo test` on a machine
//! without it still passes; under `CI=true` a missing Chromium is a test failure ([`skip`]:
//! `.ci/run` installs it, so a CI run without it has lost its browser tests and must say so).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use infobackup::Lang;
use infobackup::widget::{self, WidgetOptions};

/// The longest a Chromium run may take before it is killed.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);

/// The id of the element where the injected recorder writes what it caught (a JSON array).
pub(crate) const ERRORS_ID: &str = "ib-test-script-errors";

/// What Chromium made of a page.
#[derive(Debug)]
pub(crate) struct Rendered {
    /// The DOM after scripts ran (`--dump-dom`).
    pub dom: String,
    /// A PNG of the window, kept under `target/test-artifacts/`.
    pub screenshot: PathBuf,
    /// Uncaught errors, unhandled rejections and Content-Security-Policy violations, as recorded
    /// in the page.
    pub script_errors: Vec<String>,
}

/// Finds Chromium: `$INFOBACKUP_CHROMIUM` when set (an empty or wrong path means "not
/// installed", which is how the skip path is tried), else `/usr/bin/chromium`, else `chromium`
/// or `chromium-browser` on `PATH`.
pub(crate) fn find_chromium() -> Option<PathBuf> {
    if let Some(chosen) = std::env::var_os("INFOBACKUP_CHROMIUM") {
        let chosen = PathBuf::from(chosen);
        return chosen.is_file().then_some(chosen);
    }
    let fixed = Path::new("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

/// Is this a CI run (`CI=true`, as `.ci/run` sets)? There nothing may skip itself.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips a test for a missing requirement: one `skipped:` line outside CI, a failure under
/// `CI=true`.
pub(crate) fn skip(why: &str) {
    skip_in(in_ci(), why);
}

fn skip_in(ci: bool, why: &str) {
    assert!(!ci, "{why}: required under CI=true, where no test may skip itself");
    say(&format!("skipped: {why}"));
}

#[test]
#[should_panic(expected = "required under CI=true")]
fn a_missing_requirement_fails_under_ci() {
    skip_in(true, "chromium not installed");
}

#[test]
fn a_missing_requirement_skips_outside_ci() {
    skip_in(false, "chromium not installed (this line is the test)");
}

/// Prints a line that a plain `cargo test` shows: written to the stderr handle directly, which
/// the test harness does not capture (it captures only the print macros).
pub(crate) fn say(line: &str) {
    use std::io::Write as _;
    let _ = std::io::stderr().lock().write_all(format!("{line}\n").as_bytes());
}

/// Where test artifacts go: `<target>/test-artifacts/`.
pub(crate) fn artifacts_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("test-artifacts")
}

const RECORDER: &str = r#"<script>(function(){var seen=[];function rec(m){seen.push(String(m));
var e=document.getElementById('ib-test-script-errors');if(!e){e=document.createElement('pre');
e.id='ib-test-script-errors';e.hidden=true;(document.body||document.documentElement).appendChild(e);}
e.textContent=JSON.stringify(seen);}
window.addEventListener('error',function(ev){rec('error: '+(ev.message||(ev.target&&ev.target.outerHTML)||'?'));},true);
window.addEventListener('unhandledrejection',function(ev){rec('unhandled rejection: '+(ev.reason&&ev.reason.message||ev.reason));});
document.addEventListener('securitypolicyviolation',function(ev){rec('csp: '+ev.violatedDirective+' '+(ev.blockedURI||'')+' '+(ev.sample||''));});
document.documentElement.setAttribute('data-ib-recorder','on');})();</script>"#;

/// Puts the recorder first in `<head>` (before the page's own Content-Security-Policy, which
/// does not apply to what precedes it).
fn inject_recorder(html: &str) -> String {
    match html.find("<head>") {
        Some(at) => {
            let after = at + "<head>".len();
            format!("{}{RECORDER}{}", &html[..after], &html[after..])
        }
        None => format!("{RECORDER}{html}"),
    }
}

/// The window [`render_in_chromium`] uses (the screenshot's size).
pub(crate) const WINDOW: (u32, u32) = (1100, 1100);

/// Renders `html` in headless Chromium. `name` names the screenshot
/// (`target/test-artifacts/<name>.png`, printed; the page is kept next to it). `None` when
/// Chromium is not installed (the skip is printed). Panics, as a test failure, when Chromium
/// fails or times out.
pub(crate) fn render_in_chromium(html: &str, name: &str) -> Option<Rendered> {
    render_in_chromium_sized(html, name, WINDOW)
}

/// [`render_in_chromium`] with a window of `(width, height)` pixels.
pub(crate) fn render_in_chromium_sized(html: &str, name: &str, window: (u32, u32)) -> Option<Rendered> {
    let Some(chromium) = find_chromium() else {
        skip("chromium not installed (apt-get install chromium), browser test not run");
        return None;
    };
    let dir = tempfile::tempdir().expect("temporary folder");
    let page = dir.path().join(format!("{name}.html"));
    std::fs::write(&page, inject_recorder(html)).expect("write the page");
    let artifacts = artifacts_dir();
    std::fs::create_dir_all(&artifacts).expect("create target/test-artifacts");
    let screenshot = artifacts.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&screenshot);
    std::fs::copy(&page, artifacts.join(format!("{name}.html"))).expect("keep the page as an artifact");

    let mut child = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--window-size={},{}", window.0, window.1))
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()).replace(' ', "%20"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Drain both pipes in threads so a chatty Chromium cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {TIMEOUT:?} on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    assert!(
        status.success(),
        "chromium failed ({status}) on {}:\n{stderr}",
        page.display()
    );
    assert!(
        dom.contains("data-ib-recorder=\"on\""),
        "the error recorder did not run; DOM:\n{dom}"
    );
    say(&format!("browser test screenshot: {}", screenshot.display()));
    Some(Rendered {
        script_errors: recorded_errors(&dom),
        dom,
        screenshot,
    })
}

/// Reads the recorder's element back from the dumped DOM.
fn recorded_errors(dom: &str) -> Vec<String> {
    let open = format!("id=\"{ERRORS_ID}\"");
    let Some(at) = dom.find(&open) else {
        return Vec::new();
    };
    let rest = &dom[at..];
    let (Some(start), Some(end)) = (rest.find('>'), rest.find("</pre>")) else {
        return vec![format!("unreadable recorder element: {rest}")];
    };
    let json = html_unescape(&rest[start + 1..end]);
    serde_json::from_str::<Vec<String>>(&json).unwrap_or_else(|_| vec![json])
}

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Is this a non-trivial PNG (signature, and more than a blank page's few bytes)?
pub(crate) fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("screenshot {}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert!(
        bytes.len() > 5_000,
        "{} is only {} bytes: a blank page?",
        path.display(),
        bytes.len()
    );
}

// ---- tests -----------------------------------------------------------------------------------

const FINISHED_3: &str = r#"{"date":"2025-09-10","heure":"03h27","minSizeBackup":"100 MB","backup":{"local":{"fileName":"backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz","fileSize":"3.5 MB","error":0,"erreurFileSize":1},"samba":{"error":1},"market":{"error":0}},"lastSave":"2025-09-10-03h30","update":0,"action":"endBackup","errorScenario":0,"errorLogBackup":1}"#;
const STARTED: &str = r#"{"date":"","heure":"","minSizeBackup":"100 MB","lastSave":"2025-09-10-03h27","update":0,"action":"startBackup","errorScenario":0,"errorLogBackup":0,"backup":{"local":{"error":-1,"erreurFileSize":0},"samba":{"error":-1},"market":{"error":-1}}}"#;
const HOSTILE: &str = r#"{"date":"2025-09-10","heure":"03h27","minSizeBackup":"100 MB","backup":{"local":{"fileName":"backup-<script>document.title='pwned'</script><img src=x onerror=alert(1)>.tar.gz","fileSize":"212 MB","erreurFileSize":0,"error":0},"samba":{"error":-1},"market":{"error":-1}},"lastSave":"2025-09-10-03h30","update":0,"action":"endBackup","errorScenario":0,"errorLogBackup":0}"#;

fn at(s: &str) -> Option<jiff::civil::DateTime> {
    infobackup::world::parse_at(s).ok()
}

/// Every panel kind, each loader style, and a hostile archive name, in one page.
fn gallery(lang: Lang) -> String {
    let default = WidgetOptions::default();
    let mut body = String::from("<h1>Info backup</h1>\n");
    let tiles = [
        (widget::view_at(FINISHED_3, at("2025-09-10 03:30:33")), default.clone()),
        (widget::view_at(STARTED, at("2025-09-10 03:27:01")), default.clone()),
        (
            widget::view_at(
                r#"{"lastSave":"2025-09-10-03h27","action":"startBackup","backup":{"local":{"error":-1},"samba":{"error":-1},"market":{"error":-1}}}"#,
                None,
            ),
            default.clone(),
        ),
        // No `backup`: the widget's script throws, the tile is empty.
        (
            widget::view_at(
                r#"{"lastSave":"2025-09-10-03h27","update":0,"action":"startBackup"}"#,
                None,
            ),
            default.clone(),
        ),
        (widget::view_at(HOSTILE, at("2025-09-10 03:30:33")), default.clone()),
    ];
    for (tile, options) in &tiles {
        body.push_str(&tile.render_html(lang, options));
        body.push('\n');
    }
    body.push_str("<h2>Options</h2>\n");
    let custom = WidgetOptions::from_params([
        ("couleurBackground", "#1f2a36"),
        ("borderRadiusTuile", "20"),
        ("couleurText", "#f0f0f0"),
        ("couleurIcones", "#1f2a36"),
        ("borderRadiusIcones", "0"),
        ("couleurCircleSucces", "rgb(46, 204, 113)"),
        ("couleurCircleWarning", "gold"),
        ("couleurCircleError", "hsl(0 80% 60%)"),
    ])
    .expect("valid options");
    body.push_str(&widget::view_at(FINISHED_3, at("2025-09-10 03:30:33")).render_html(lang, &custom));
    body.push_str(&widget::view("").render_html(lang, &custom));
    body.push_str("<h2>styleLoader 1–4</h2>\n");
    for (i, style) in widget::LoaderStyle::ALL.into_iter().enumerate() {
        let options = WidgetOptions {
            loader_style: style,
            background: widget::CssColor::parse(if i % 2 == 0 { "#2f3237" } else { "#ffffff" }).expect("colour"),
            text: widget::CssColor::parse(if i % 2 == 0 { "#e8e8e8" } else { "#4a4a4a" }).expect("colour"),
            ..WidgetOptions::default()
        };
        body.push_str(&widget::view(STARTED).render_html(lang, &options));
    }
    widget::html_page("Info backup — tuiles", &body, lang)
}

#[test]
fn tiles_render_in_chromium_without_script_errors() {
    let page = gallery(Lang::Fr);
    let Some(r) = render_in_chromium(&page, "widget-tiles") else {
        return;
    };
    assert_eq!(r.script_errors, Vec::<String>::new(), "script errors in the page");
    assert_png(&r.screenshot);

    // The three panel kinds are in the rendered DOM, with their texts.
    for panel in [
        "data-panel=\"finished\"",
        "data-panel=\"in_progress\"",
        "data-panel=\"alert\"",
        "data-panel=\"empty\"",
    ] {
        assert!(r.dom.contains(panel), "{panel} missing from the DOM");
    }
    for text in [
        "Sauvegarde terminée",
        "Sauvegarde en cours",
        "[2025-09-10-03h27]",
        "JSON incomplet (3 clés au lieu de 9)",
        "[backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz]",
        "archive trop petite : 3.5 MB (minimum 100 MB)",
    ] {
        assert!(r.dom.contains(text), "{text:?} missing from the DOM");
    }
    // The finished tile has its three circles, in order, with their states.
    for circle in [
        "data-repo=\"local\" data-state=\"warning\"",
        "data-repo=\"samba\" data-state=\"error\"",
        "data-repo=\"market\" data-state=\"success\"",
    ] {
        assert!(r.dom.contains(circle), "{circle} missing from the DOM");
    }
    // Every loader style was drawn.
    for n in 1..=4 {
        assert!(
            r.dom.contains(&format!("ib-loader ib-loader-{n}")),
            "loader style {n} missing"
        );
    }
    // The hostile archive name stayed text: no element was created from it, nothing ran.
    assert!(r.dom.contains(
        "backup-&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;.tar.gz"
    ));
    assert!(!r.dom.contains("<img src=\"x\""), "the archive name became an element");
    assert!(
        r.dom.contains("<title>Info backup — tuiles</title>"),
        "the page title changed: a script ran"
    );
}

#[test]
fn recorder_catches_script_errors_and_blocked_scripts() {
    // The check above is only worth something if the recorder really reports errors.
    let page = widget::html_page("t", "<p id=x>x</p><img src=\"data:,\" onerror=\"nope()\">", Lang::En);
    let throwing = page.replace("<body>", "<body><script>undefinedFunction();</script>");
    let Some(r) = render_in_chromium(&throwing, "recorder-self-test") else {
        return;
    };
    assert!(
        r.script_errors.iter().any(|e| e.starts_with("csp:")),
        "the page's CSP should block inline scripts and the recorder should see it: {:?}",
        r.script_errors
    );

    let plain = "<!DOCTYPE html><html><head></head><body><script>undefinedFunction();</script></body></html>";
    let Some(r) = render_in_chromium(plain, "recorder-self-test-error") else {
        return;
    };
    assert!(
        r.script_errors.iter().any(|e| e.contains("undefinedFunction")),
        "an uncaught error must be recorded: {:?}",
        r.script_errors
    );
}
