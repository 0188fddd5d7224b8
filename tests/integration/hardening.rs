//! Hostile inputs and careless paths on the command line: input limits, symbolic-link loops,
//! names that are not regular files, paths that are not UTF-8. Each test runs as root too (the
//! machines here do), so none relies on a permission being refused.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use predicates::prelude::*;

use crate::support::{infobackup, infobackup_en, repo};

/// 64 MiB, the input limit of `diagnose` and `record`.
const LIMIT: u64 = 64 * 1024 * 1024;

fn a_log() -> std::path::PathBuf {
    repo().join("scenarios/4.4-success-local-only/backup.log")
}

/// A sparse file one byte over the limit: nothing is written to the disk.
fn over_limit_file(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("huge.log");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(LIMIT + 1).unwrap();
    p
}

#[test]
fn diagnose_and_record_refuse_a_file_over_the_input_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let huge = over_limit_file(tmp.path());
    for args in [
        vec!["diagnose".to_owned()],
        vec!["record".to_owned(), "--name".into(), "4.4-huge".into()],
    ] {
        infobackup_en()
            .args(&args)
            .arg(&huge)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("huge.log").and(predicate::str::contains("64 MiB")));
    }
}

/// Standard input that never ends is read only up to the limit: the command stops and says so
/// (before: `diagnose - < /dev/zero` grew without bound).
#[test]
fn diagnose_and_record_stop_reading_standard_input_at_the_limit() {
    for args in [&["diagnose", "-"][..], &["record", "-", "--name", "4.4-huge"][..]] {
        let mut child = StdCommand::new(env!("CARGO_BIN_EXE_infobackup"))
            // The English wording is what this test reads.
            .env("LC_ALL", "C")
            .args(args)
            .current_dir(repo())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Twice the limit at most; the child closes the pipe long before.
        let writer = std::thread::spawn(move || {
            let chunk = vec![b'x'; 1 << 20];
            let mut sent = 0u64;
            while sent < 2 * LIMIT {
                if stdin.write_all(&chunk).is_err() {
                    break;
                }
                sent += chunk.len() as u64;
            }
            sent
        });
        let out = child.wait_with_output().unwrap();
        let sent = writer.join().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("standard input") && stderr.contains("64 MiB"),
            "{args:?}: {stderr}"
        );
        assert!(sent < 2 * LIMIT, "{args:?}: the whole stream was read ({sent} bytes)");
    }
}

#[test]
fn a_file_just_under_the_limit_is_read() {
    // The bound is on size, not on content: a log of exactly the limit is taken (and then judged
    // as a log: zero bytes are no backup run).
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("edge.log");
    std::fs::File::create(&p).unwrap().set_len(LIMIT).unwrap();
    let out = infobackup().arg("diagnose").arg(&p).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("64 MiB"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(unix)]
#[test]
fn a_path_that_is_not_utf8_is_taken_as_a_path() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.log");
    let missing = tmp.path().join(name);
    for cmd in [&["diagnose"][..], &["record", "--name", "4.4-x"][..]] {
        infobackup_en()
            .args(cmd)
            .arg(&missing)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no such file").and(predicate::str::contains("invalid UTF-8").not()));
    }
    // And a real one is read.
    let real = tmp.path().join(name);
    std::fs::copy(a_log(), &real).unwrap();
    infobackup_en().arg("diagnose").arg(&real).assert().code(0);
}

#[cfg(unix)]
fn two_link_loop(dir: &Path) -> std::path::PathBuf {
    let (a, b) = (dir.join("a.log"), dir.join("b.log"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    a
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_as_a_loop() {
    let tmp = tempfile::tempdir().unwrap();
    let a = two_link_loop(tmp.path());
    for cmd in [
        &["diagnose"][..],
        &["record", "--name", "4.4-x"][..],
        &["conformance"][..],
    ] {
        infobackup_en().args(cmd).arg(&a).assert().code(2).stderr(
            predicate::str::contains("a.log")
                .and(predicate::str::contains("loop of symbolic links"))
                .and(predicate::str::contains("no such file").not()),
        );
    }
}

/// Two folders linking to each other: the walk ends, names each link it did not follow, and runs
/// the vectors it found.
#[cfg(unix)]
#[test]
fn conformance_walks_a_folder_with_a_symlink_loop() {
    let tmp = tempfile::tempdir().unwrap();
    let (x, y) = (tmp.path().join("x"), tmp.path().join("y"));
    std::fs::create_dir_all(&x).unwrap();
    std::fs::create_dir_all(&y).unwrap();
    std::os::unix::fs::symlink("../y", x.join("to-y")).unwrap();
    std::os::unix::fs::symlink("../x", y.join("to-x")).unwrap();
    two_link_loop(&x);
    let vectors = repo().join("tests/data/conformance");
    let first = std::fs::read_dir(&vectors)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .min()
        .unwrap();
    std::fs::copy(&first, y.join("v.json")).unwrap();
    let out = infobackup_en()
        .arg("conformance")
        .arg(&x)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    // x/to-y/v.json is found once; x/to-y/to-x leads back into x.
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
    assert!(stderr.contains("to-y/to-x") && stderr.contains("(a loop)"), "{stderr}");
    assert!(
        stderr.contains("a.log: not followed, a loop of symbolic links"),
        "{stderr}"
    );
    assert!(stderr.contains("b.log: not followed"), "{stderr}");
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

#[cfg(unix)]
fn is_fifo(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(p).unwrap().file_type().is_fifo()
}

#[cfg(unix)]
#[test]
fn junit_replaces_only_a_junit_report() {
    let tmp = tempfile::tempdir().unwrap();
    let note = tmp.path().join("notes.md");
    let text = "# Notes\n\nOur CI writes `<testsuite name=\"x\">` elements; see <testsuites>.\n";
    std::fs::write(&note, text).unwrap();
    let fifo = tmp.path().join("fifo.xml");
    mkfifo(&fifo);
    let folder = tmp.path().join("folder.xml");
    std::fs::create_dir(&folder).unwrap();
    for (p, words) in [(&note, "not a JUnit report"), (&fifo, "FIFO"), (&folder, "folder")] {
        infobackup_en()
            .args(["check", "--junit"])
            .arg(p)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(p.display().to_string()).and(predicate::str::contains(words)));
    }
    assert_eq!(std::fs::read_to_string(&note).unwrap(), text);
    assert!(is_fifo(&fifo));
}

#[cfg(unix)]
#[test]
fn output_force_replaces_regular_files_only() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("fifo.txt");
    mkfifo(&fifo);
    let folder = tmp.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    // Never /dev/null itself: were the rule broken, the test would replace the machine's.
    let null = tmp.path().join("null.txt");
    std::os::unix::fs::symlink("/dev/null", &null).unwrap();
    for (p, words) in [(&fifo, "FIFO"), (&folder, "folder"), (&null, "device")] {
        infobackup_en()
            .arg("diagnose")
            .arg(a_log())
            .arg("-o")
            .arg(p)
            .arg("--force")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(p.display().to_string()).and(predicate::str::contains(words)));
    }
    assert!(is_fifo(&fifo) && folder.is_dir());
    assert!(std::fs::symlink_metadata(&null).unwrap().file_type().is_symlink());
    // A regular file is replaced.
    let report = tmp.path().join("report.txt");
    std::fs::write(&report, "old").unwrap();
    infobackup_en()
        .arg("diagnose")
        .arg(a_log())
        .arg("-o")
        .arg(&report)
        .arg("--force")
        .assert()
        .code(0);
    assert_ne!(std::fs::read_to_string(&report).unwrap(), "old");
}

/// The folder of cases cannot take a new folder: the message names the case's folder, not the
/// temporary one it was to be built in. (`/proc/self` refuses new folders even to root.)
#[cfg(target_os = "linux")]
#[test]
fn record_names_its_target_when_it_cannot_create_it() {
    infobackup_en()
        .arg("record")
        .arg(a_log())
        .args(["--name", "4.4-read-only", "--scenarios", "/proc/self"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("cannot create /proc/self/4.4-read-only")
                .and(predicate::str::contains(".tmp").not())
                .and(predicate::str::contains("at path").not()),
        );
}

// ---- the mock server's limits ------------------------------------------------------------------

mod server_limits {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    use infobackup::jeeapi::mock::{JeedomMock, Limits};

    fn short_limits() -> Limits {
        Limits {
            max_body: 1024 * 1024,
            max_connections: 256,
            header_timeout: Duration::from_millis(400),
            body_timeout: Duration::from_millis(400),
            write_timeout: Duration::from_millis(400),
        }
    }

    fn connect(mock: &JeedomMock) -> TcpStream {
        let s = TcpStream::connect(mock.address()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// Everything the server sends until it closes the connection, and how long that took.
    fn read_until_closed(s: &mut TcpStream) -> (String, Duration) {
        let t = Instant::now();
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
        (String::from_utf8_lossy(&out).into_owned(), t.elapsed())
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{}}"#;

    fn post(body: &str) -> String {
        format!(
            "POST /core/api/jeeApi.php HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    }

    #[test]
    fn a_declared_body_over_the_limit_gets_a_json_rpc_error_unread() {
        let mock = JeedomMock::start_with(0, short_limits()).unwrap();
        let mut s = connect(&mock);
        // 500 MB announced, none sent: the answer must come from the header alone.
        s.write_all(b"POST /core/api/jeeApi.php HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500000000\r\n\r\n{\"jsonrpc\"").unwrap();
        let (answer, took) = read_until_closed(&mut s);
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains(r#""error":{"code":-32600"#), "{answer}");
        assert!(took < Duration::from_secs(5), "{took:?}");
        assert_eq!(mock.counts().too_large, 1);
        assert_eq!(mock.served(), 0);
    }

    #[test]
    fn a_chunked_body_over_the_limit_is_cut_off_once_past_it() {
        let mock = JeedomMock::start_with(0, short_limits()).unwrap();
        let mut s = connect(&mock);
        s.write_all(b"POST /core/api/jeeApi.php HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            .unwrap();
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        let mut sent = 0usize;
        // Up to 64 MiB; the server answers and closes after 1 MiB.
        while sent < 64 << 20 {
            if s.write_all(chunk.as_bytes()).is_err() {
                break;
            }
            sent += 0x10000;
        }
        let (answer, _) = read_until_closed(&mut s);
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(sent < 64 << 20, "the server kept reading: {sent} bytes");
        // Counted whether or not the client could still read the answer.
        let t = Instant::now();
        while mock.counts().too_large == 0 && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(mock.counts().too_large, 1);
    }

    #[test]
    fn idle_and_slow_connections_are_dropped() {
        let mock = JeedomMock::start_with(0, short_limits()).unwrap();
        // Connected, nothing sent.
        let mut idle = connect(&mock);
        let (answer, took) = read_until_closed(&mut idle);
        assert!(took < Duration::from_secs(3), "idle for {took:?}: {answer}");
        // One request, then idle on a kept-alive connection.
        let mut kept = connect(&mock);
        kept.write_all(post(PING).as_bytes()).unwrap();
        let (answer, took) = read_until_closed(&mut kept);
        assert!(answer.contains("pong"), "{answer}");
        assert!(took < Duration::from_secs(3), "kept alive for {took:?}");
        // A head sent one byte every 100 ms never completes in time.
        let mut slow = connect(&mock);
        let head = post(PING);
        let t = Instant::now();
        for b in head.as_bytes() {
            if slow.write_all(&[*b]).is_err() || t.elapsed() > Duration::from_secs(5) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let (answer, _) = read_until_closed(&mut slow);
        assert!(!answer.contains("pong"), "{answer}");
        assert!(t.elapsed() < Duration::from_secs(5) + Duration::from_millis(500));
        // A body that stops half-way.
        let mut stuck = connect(&mock);
        let full = post(PING);
        stuck.write_all(&full.as_bytes()[..full.len() - 10]).unwrap();
        let (answer, took) = read_until_closed(&mut stuck);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(took < Duration::from_secs(3), "{took:?}");
        assert_eq!(mock.counts().body_timeouts, 1);
    }

    #[test]
    fn connections_past_the_cap_are_refused_and_the_cap_frees_up() {
        let limits = Limits {
            max_connections: 2,
            header_timeout: Duration::from_secs(30),
            ..short_limits()
        };
        let mock = JeedomMock::start_with(0, limits).unwrap();
        let a = connect(&mock);
        let mut b = connect(&mock);
        // Both are accepted (a request on b is answered) before the third arrives.
        b.write_all(post(PING).as_bytes()).unwrap();
        let mut buf = [0u8; 512];
        let n = b.read(&mut buf).unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).contains("pong"));
        let mut c = connect(&mock);
        let (answer, _) = read_until_closed(&mut c);
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(
            answer.ends_with('}') && answer.contains("Too many connections"),
            "{answer}"
        );
        assert_eq!(mock.counts().refused_connections, 1);
        drop(a);
        drop(b);
        let t = Instant::now();
        loop {
            let mut d = connect(&mock);
            d.write_all(post(PING).as_bytes()).unwrap();
            let n = d.read(&mut buf).unwrap_or(0);
            if String::from_utf8_lossy(&buf[..n]).contains("pong") {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(5), "the cap never freed up");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Strays are counted, and only the first ones kept.
    #[test]
    fn strays_are_counted_not_kept() {
        let mock = JeedomMock::start_with(0, short_limits()).unwrap();
        let agent = ureq::Agent::new_with_defaults();
        let url = format!("{}/nowhere", mock.uri());
        for _ in 0..1100 {
            let _ = agent.get(&url).call();
        }
        assert_eq!(mock.counts().strays, 1100);
        assert_eq!(mock.strays().len(), infobackup::jeeapi::mock::MAX_STRAYS);
    }
}

/// `serve` keeps nothing per request: 3,000 requests with 16 KiB bodies (48 MB in all, which the
/// wiremock-based server kept copies of) leave its resident memory where 300 left it.
#[cfg(target_os = "linux")]
#[test]
fn serve_memory_stays_flat_over_many_requests() {
    use std::io::BufRead as _;
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_infobackup"))
        // The English wording is what this test reads.
        .env("LC_ALL", "C")
        .args(["serve", "scenarios/4.4-success-local-only"])
        .current_dir(repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = child.stdout.take().unwrap();
    let pid = child.id();
    let _guard = Kill(child);
    let (mut uri, mut key) = (String::new(), String::new());
    let mut lines = std::io::BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(u) = line.trim().strip_prefix("jeeApi:") {
            uri = u.trim().to_owned();
        }
        if let Some(k) = line.trim().strip_prefix("API key:") {
            key = k.trim().to_owned();
            break;
        }
    }
    // Keep reading: a closed pipe would end `serve` with SIGPIPE at its next line.
    std::thread::spawn(move || lines.for_each(drop));
    assert!(!uri.is_empty() && !key.is_empty());
    let rss = || {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kb * 1024
    };
    let agent = ureq::Agent::new_with_defaults();
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "version",
        "params": {"apikey": key, "pad": "x".repeat(16 * 1024)}})
    .to_string();
    let send = |n: usize| {
        for _ in 0..n {
            let mut r = agent
                .post(&uri)
                .content_type("application/json")
                .send(body.as_str())
                .unwrap();
            assert!(r.body_mut().read_to_string().unwrap().contains("4.4"));
        }
    };
    send(300);
    let before = rss();
    send(3000);
    let after = rss();
    let grown = after.saturating_sub(before);
    assert!(
        grown < 8 * 1024 * 1024,
        "serve grew by {grown} bytes over 3,000 requests ({before} → {after})"
    );
}

// ---- the live client against misbehaving boxes -------------------------------------------------

mod live_client {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use infobackup::jeeapi::{ApiError, ApiKey, Client, ClientConfig, Dialect};
    use infobackup::world::{JeedomVersion, LogName};
    use serde_json::{Value, json};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

    fn key() -> ApiKey {
        ApiKey::new("0123456789abcdefKEYKEY").unwrap()
    }

    fn live(uri: &str) -> ClientConfig {
        let mut c = ClientConfig::live(uri, key(), 1);
        c.dialect = Dialect::Known(JeedomVersion::V4_4);
        c
    }

    /// Answers every `log::getDelta` with another page of `page` bytes: a log that never ends.
    struct EndlessLog {
        page: usize,
        pages: Arc<AtomicU64>,
    }

    impl Respond for EndlessLog {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let position = body["params"]["position"].as_u64().unwrap_or(0);
            self.pages.fetch_add(1, Ordering::Relaxed);
            let text = "x".repeat(self.page - 1) + "\n";
            ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": body["id"],
                "result": {"position": position + self.page as u64, "line": 0, "logText": text}}))
        }
    }

    /// A box that keeps sending log pages is stopped at the byte cap, having sent about that much.
    #[tokio::test]
    async fn a_box_that_keeps_sending_pages_is_stopped_at_the_byte_cap() {
        let server = MockServer::start().await;
        let pages = Arc::new(AtomicU64::new(0));
        Mock::given(method("POST"))
            .and(path("/core/api/jeeApi.php"))
            .respond_with(EndlessLog {
                page: 256 * 1024,
                pages: pages.clone(),
            })
            .mount(&server)
            .await;
        let mut cfg = live(&server.uri());
        cfg.max_total_bytes = Some(4 * 1024 * 1024);
        let mut client = Client::new(cfg).unwrap();
        let e = client.read_log(LogName::Backup).unwrap_err();
        assert!(matches!(e, ApiError::TooMuchData { limit: 4194304, .. }), "{e}");
        // 16 pages of 256 KiB fill 4 MiB; the 17th is cut off.
        let n = pages.load(Ordering::Relaxed);
        assert!((15..=18).contains(&n), "{n} pages read");
        assert!(e.to_string().contains("4194304 bytes"), "{e}");
    }

    /// Answers `version` with the request's id, `delay` late.
    struct SlowVersion {
        delay: Duration,
    }

    impl Respond for SlowVersion {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            ResponseTemplate::new(200)
                .set_delay(self.delay)
                .set_body_json(json!({"jsonrpc": "2.0", "id": body["id"], "result": "4.4.20"}))
        }
    }

    /// A box that answers each call in 300 ms: the calls together stop at the 1 s deadline,
    /// though no single one is slow.
    #[tokio::test]
    async fn a_slow_box_is_stopped_at_the_deadline() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(SlowVersion {
                delay: Duration::from_millis(300),
            })
            .mount(&server)
            .await;
        let mut cfg = live(&server.uri());
        cfg.deadline = Some(Duration::from_secs(1));
        let mut client = Client::new(cfg).unwrap();
        let t = Instant::now();
        let mut answered = 0;
        let e = loop {
            match client.version_text() {
                Ok(v) => {
                    assert_eq!(v, "4.4.20");
                    answered += 1;
                    assert!(answered < 10, "no deadline");
                }
                Err(e) => break e,
            }
        };
        assert!(matches!(e, ApiError::Deadline { .. }), "{e}");
        assert!(e.to_string().contains("--timeout"), "{e}");
        assert!((2..=4).contains(&answered), "{answered} answers");
        let took = t.elapsed();
        assert!(took < Duration::from_millis(1600), "{took:?}");
    }

    /// One answer slower than the deadline is cut at the deadline, not at the 10 s request timeout.
    #[tokio::test]
    async fn one_answer_longer_than_the_deadline_is_cut_there() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(SlowVersion {
                delay: Duration::from_secs(8),
            })
            .mount(&server)
            .await;
        let mut cfg = live(&server.uri());
        cfg.deadline = Some(Duration::from_millis(700));
        let mut client = Client::new(cfg).unwrap();
        let t = Instant::now();
        let e = client.version_text().unwrap_err();
        assert!(matches!(e, ApiError::Deadline { .. }), "{e}");
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    }

    #[tokio::test]
    async fn a_redirect_to_another_origin_is_refused_and_gets_nothing() {
        let elsewhere = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": 1, "result": "4.4.20"})),
            )
            .mount(&elsewhere)
            .await;
        let server = MockServer::start().await;
        for status in [301, 302, 307, 308] {
            server.reset().await;
            Mock::given(method("POST"))
                .respond_with(
                    ResponseTemplate::new(status)
                        .insert_header("Location", format!("{}/core/api/jeeApi.php", elsewhere.uri()).as_str()),
                )
                .mount(&server)
                .await;
            let mut client = Client::new(live(&server.uri())).unwrap();
            let e = client.version_text().unwrap_err();
            assert!(matches!(e, ApiError::Redirect { .. }), "{status}: {e}");
            let port = elsewhere.address().port();
            assert!(e.to_string().contains(&format!("http://127.0.0.1:{port}")), "{e}");
        }
        let got = elsewhere.received_requests().await.unwrap_or_default();
        assert!(got.is_empty(), "the other origin received {} requests", got.len());
    }

    #[tokio::test]
    async fn a_redirect_on_the_same_origin_is_followed() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/core/api/jeeApi.php"))
            .respond_with(ResponseTemplate::new(308).insert_header("Location", "/jeedom/core/api/jeeApi.php"))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/jeedom/core/api/jeeApi.php"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": 1, "result": "4.4.20"})),
            )
            .mount(&server)
            .await;
        let mut client = Client::new(live(&server.uri())).unwrap();
        assert_eq!(client.version_text().unwrap(), "4.4.20");
        // A loop on the same origin ends.
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(307).insert_header("Location", "/core/api/jeeApi.php"))
            .mount(&server)
            .await;
        let mut client = Client::new(live(&server.uri())).unwrap();
        let e = client.version_text().unwrap_err();
        assert!(matches!(e, ApiError::HttpStatus { status: 307, .. }), "{e}");
    }

    /// https:// is understood (this build has TLS): talking TLS to a plain-HTTP port fails in the
    /// handshake, not as an unsupported address.
    #[cfg(feature = "https")]
    #[tokio::test]
    async fn https_urls_are_spoken_with_tls() {
        let server = MockServer::start().await;
        let url = format!("https://127.0.0.1:{}", server.address().port());
        let mut client = Client::new(live(&url)).unwrap();
        let e = client.version_text().unwrap_err();
        assert!(matches!(e, ApiError::Transport { .. }), "{e}");
        assert!(!client.key_crosses_network_in_clear());
    }
}

/// Live mode warns when the key would cross a network in clear, and only then; `--timeout`
/// bounds the whole read (here, of a box that never answers).
#[test]
fn live_mode_warns_of_a_key_in_clear_and_keeps_its_deadline() {
    let tmp = tempfile::tempdir().unwrap();
    let keyfile = tmp.path().join("key");
    std::fs::write(&keyfile, "0123456789abcdefKEYKEY\n").unwrap();
    // 192.0.2.1 (TEST-NET-1) is never routed: no answer, ever.
    let t = std::time::Instant::now();
    infobackup()
        .args([
            "diagnose",
            "--lang",
            "en",
            "--timeout",
            "1",
            "--jeedom-url",
            "http://192.0.2.1",
        ])
        .arg("--apikey-file")
        .arg(&keyfile)
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("travels in clear to http://192.0.2.1"));
    assert!(t.elapsed() < std::time::Duration::from_secs(8), "{:?}", t.elapsed());
    infobackup()
        .args(["diagnose", "--lang", "en", "--jeedom-url", "http://127.0.0.1:1"])
        .arg("--apikey-file")
        .arg(&keyfile)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("in clear").not());
    infobackup()
        .args(["diagnose", "--timeout", "0", "--jeedom-url", "http://127.0.0.1:1"])
        .arg("--apikey-file")
        .arg(&keyfile)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--timeout"));
}
