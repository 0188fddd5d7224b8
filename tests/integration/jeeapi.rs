//! The JSON-RPC client against the mock: the client reads what `MemoryWorld` reads for
//! every conformance vector, every Jeedom quirk and injected fault becomes the typed error it
//! should, the API key never shows, and the served mock holds a bounded loopback load.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use infobackup::jeeapi::mock::{Fault, FaultRule, JeedomMock, MockError, SessionMode, SessionOptions};
use infobackup::jeeapi::protocol::{ApiKey, JEEAPI_PATH, KeyError, PROAPI_PATH, method};
use infobackup::jeeapi::{ApiError, Client, ClientConfig, Dialect, LogVia, VirtualRead, Writes};
use infobackup::world::{JeedomVersion, LogName, MemoryWorld, Timeline, World, WorldError};
use serde_json::{Map, Value, json};

// ---- helpers ------------------------------------------------------------------------------------

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance")
}

/// Every conformance vector's case, by file name.
fn vectors() -> Vec<(String, Arc<Timeline>)> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("tests/data/conformance")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).expect("vector readable");
        let v: Value = serde_json::from_str(&text).expect("vector is JSON");
        let t: Timeline =
            serde_json::from_value(v["case"].clone()).unwrap_or_else(|e| panic!("{}: case: {e}", p.display()));
        out.push((p.file_name().unwrap().to_string_lossy().into_owned(), Arc::new(t)));
    }
    assert!(
        out.len() >= 10,
        "expected the conformance corpus, found {} vectors",
        out.len()
    );
    out
}

fn vector(name: &str) -> Arc<Timeline> {
    vectors()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t)
        .unwrap_or_else(|| panic!("no vector {name}"))
}

fn small_timeline(jeedom: &str) -> Arc<Timeline> {
    let json = json!({
        "jeedom": jeedom,
        "initial_virtual": "v0",
        "config": {"backup::path": "backup", "samba::enable": "0", "samba::cloudUpload": "1"},
        "steps": [
            {"trigger": "begin_backup", "at": "2025-09-10 03:27:01"},
            {"trigger": "end_backup", "at": "2025-09-10 03:30:33",
             "log": "[START BACKUP]\n\n  indented  \nCache persistence: \nOK\n[END BACKUP SUCCESS]\n",
             "local": {"backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz": 222310457, "notes.txt": 12},
             "samba": ["backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz"]}
        ]
    });
    Arc::new(serde_json::from_value(json).expect("timeline"))
}

fn client(cfg: ClientConfig) -> Client {
    Client::new(cfg).expect("client config")
}

/// Neither `Display` nor `Debug` of `what` mentions the key.
fn assert_secret_kept(key: &ApiKey, what: &(impl std::fmt::Display + std::fmt::Debug)) {
    let shown = format!("{what} {what:?}");
    assert!(!shown.contains(key.expose()), "the API key leaked into: {shown}");
}

/// A raw JSON-RPC POST, to check what the mock puts on the wire.
fn raw_post(url: &str, body: &Value) -> Value {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent
        .post(url)
        .content_type("application/json")
        .send(body.to_string())
        .expect("post");
    serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("JSON answer")
}

fn rpc(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 41, "method": method, "params": params})
}

fn no_strays(mock: &JeedomMock) {
    assert_eq!(mock.strays(), vec![], "requests reached the catch-all");
}

// ---- the client reads what MemoryWorld reads ----------------------------------------------------

/// Reads every input of the scenario from both worlds at every step and compares them.
fn compare_worlds(name: &str, timeline: &Timeline, http: &mut dyn World) {
    let mut mem = MemoryWorld::new(timeline);
    let keys = ["backup::path", "samba::enable", "samba::cloudUpload", "never::saved"];
    for i in 0..timeline.steps.len() {
        let at = format!("{name} step {}", i + 1);
        mem.enter_step(i).unwrap();
        http.enter_step(i).unwrap();
        assert_eq!(http.now().unwrap(), mem.now().unwrap(), "{at}: now");
        assert_eq!(
            http.read_virtual().unwrap(),
            mem.read_virtual().unwrap(),
            "{at}: virtual"
        );
        for k in keys {
            assert_eq!(http.config(k).unwrap(), mem.config(k).unwrap(), "{at}: config {k}");
        }
        for log in [LogName::Backup, LogName::Update, LogName::CronExecution] {
            let (h, m) = (http.log(log).unwrap(), mem.log(log).unwrap());
            match std::str::from_utf8(&m) {
                Ok(_) => assert_eq!(h, m, "{at}: log {}", log.as_str()),
                // JSON carries text: a byte that is not UTF-8 arrives as U+FFFD.
                Err(_) => assert_eq!(
                    *h,
                    *String::from_utf8_lossy(&m).as_bytes(),
                    "{at}: log {}",
                    log.as_str()
                ),
            }
        }
        assert_eq!(
            http.local_files().unwrap(),
            mem.local_files().unwrap(),
            "{at}: local files"
        );
        assert_eq!(
            http.samba_listing().unwrap(),
            mem.samba_listing().unwrap(),
            "{at}: samba"
        );
        assert_eq!(
            http.no_cloud_backup().unwrap(),
            mem.no_cloud_backup().unwrap(),
            "{at}: NO_CLOUD_BACKUP"
        );
        let written = format!("{{\"written\":\"at step {i}\",\"é\":\"\\/\"}}");
        http.write_virtual(&written).unwrap();
        mem.write_virtual(&written).unwrap();
        assert_eq!(
            http.read_virtual().unwrap(),
            mem.read_virtual().unwrap(),
            "{at}: virtual after write"
        );
    }
}

#[tokio::test]
async fn client_reads_what_memory_world_reads_for_every_vector() {
    let mock = JeedomMock::start().await.unwrap();
    for (name, timeline) in vectors() {
        let session = mock.register(timeline.clone(), SessionOptions::default()).unwrap();
        let mut http = client(session.client_config());
        compare_worlds(&name, &timeline, &mut http);
        assert_eq!(
            session.events(),
            Some(timeline.steps.len() as u64),
            "{name}: one cmd::event per step"
        );
        // Every read of a 4.4+ log is exact.
        assert!(
            http.last_log().is_some_and(|l| l.is_exact() && l.caveat().is_none()),
            "{name}"
        );
    }
    assert_eq!(mock.session_count(), 0, "sessions end when their handle drops");
    no_strays(&mock);
}

#[tokio::test]
async fn the_virtual_can_be_read_with_exec_cmd_and_the_dialect_can_be_given() {
    let mock = JeedomMock::start().await.unwrap();
    for (name, timeline) in vectors().into_iter().take(6) {
        let session = mock.register(timeline.clone(), SessionOptions::default()).unwrap();
        let mut cfg = session.client_config();
        cfg.virtual_read = VirtualRead::ExecCmd;
        cfg.dialect = Dialect::Known(timeline.jeedom);
        compare_worlds(&name, &timeline, &mut client(cfg));
    }
    no_strays(&mock);
}

#[tokio::test]
async fn old_dialects_read_the_log_with_log_get_and_say_what_was_lost() {
    let mock = JeedomMock::start().await.unwrap();
    let timeline = small_timeline("4.4");
    for dialect in [JeedomVersion::V4_2, JeedomVersion::V4_3] {
        let opts = SessionOptions {
            dialect: Some(dialect),
            ..SessionOptions::default()
        };
        let session = mock.register(timeline.clone(), opts).unwrap();
        let mut http = client(session.client_config());
        http.enter_step(1).unwrap();
        let read = http.read_log(LogName::Backup).unwrap();
        // Trimmed, no empty lines, back in file order.
        assert_eq!(
            std::str::from_utf8(&read.text).unwrap(),
            "[START BACKUP]\nindented\nCache persistence:\nOK\n[END BACKUP SUCCESS]\n"
        );
        assert_eq!(read.via, LogVia::Get { lines: 5 });
        assert!(!read.is_exact());
        assert!(read.caveat().unwrap().contains("empty lines dropped"));
        assert!(read.caveat().unwrap().contains("500 lines"));
        // log::getDelta does not exist before 4.4.
        let e = http.call(method::LOG_GET_DELTA, Map::new()).unwrap_err();
        assert!(matches!(e, ApiError::UnknownMethod { .. }), "{e}");
    }
    no_strays(&mock);
}

#[tokio::test]
async fn log_get_keeps_only_the_last_500_lines() {
    let mock = JeedomMock::start().await.unwrap();
    let log: String = (1..=700).map(|i| format!("line {i}\n")).collect();
    let mut t = (*small_timeline("4.3")).clone();
    t.steps[1].logs.insert(LogName::Backup, log.into_bytes().into());
    let session = mock.register(Arc::new(t), SessionOptions::default()).unwrap();
    let mut http = client(session.client_config());
    http.enter_step(1).unwrap();
    let text = String::from_utf8(http.read_log(LogName::Backup).unwrap().text.to_vec()).unwrap();
    assert_eq!(text.lines().count(), 500);
    assert_eq!(text.lines().next(), Some("line 201"));
    assert_eq!(text.lines().last(), Some("line 700"));
    no_strays(&mock);
}

#[tokio::test]
async fn log_get_delta_pages_until_done_in_file_order() {
    let mock = JeedomMock::start().await.unwrap();
    let log: String = (1..=1000)
        .map(|i| {
            if i % 7 == 0 {
                "\n".to_owned()
            } else {
                format!("  line {i} \n")
            }
        })
        .collect();
    let mut t = (*small_timeline("4.4")).clone();
    t.steps[1].logs.insert(LogName::Backup, log.clone().into_bytes().into());
    let session = mock.register(Arc::new(t), SessionOptions::default()).unwrap();
    let mut cfg = session.client_config();
    cfg.log_page_lines = 64;
    let mut http = client(cfg);
    http.enter_step(1).unwrap();
    let read = http.read_log(LogName::Backup).unwrap();
    assert_eq!(
        &*read.text,
        log.as_bytes(),
        "byte for byte, empty lines and spaces kept"
    );
    // 1000 lines in pages of 64: 16 pages with text, then one empty answer.
    assert_eq!(read.via, LogVia::GetDelta { calls: 17 });
    no_strays(&mock);
}

#[tokio::test]
async fn get_delta_without_every_parameter_is_not_the_file() {
    // The trap the client avoids: Jeedom numbers lines and stops at 200 unless told otherwise.
    let mock = JeedomMock::start().await.unwrap();
    let session = mock
        .register(
            small_timeline("4.4"),
            SessionOptions {
                start_step: 1,
                ..Default::default()
            },
        )
        .unwrap();
    let answer = raw_post(
        &format!("{}{JEEAPI_PATH}", mock.uri()),
        &rpc(
            method::LOG_GET_DELTA,
            json!({"apikey": session.key().expose(), "log": "backup"}),
        ),
    );
    let text = answer["result"]["logText"].as_str().unwrap();
    assert!(text.starts_with("    0|[START BACKUP]\n"), "{text:?}");
    no_strays(&mock);
}

// ---- the wire dialects --------------------------------------------------------------------------

#[tokio::test]
async fn errors_are_http_200_with_id_99999_up_to_4_4_and_the_request_id_on_4_5() {
    let mock = JeedomMock::start().await.unwrap();
    let url = format!("{}{JEEAPI_PATH}", mock.uri());
    for (jeedom, expected_id) in [("4.3", json!(99999)), ("4.4", json!(99999)), ("4.5", json!(41))] {
        let session = mock
            .register(small_timeline(jeedom), SessionOptions::default())
            .unwrap();
        let a = raw_post(&url, &rpc("no::such", json!({"apikey": session.key().expose()})));
        assert_eq!(a["id"], expected_id, "{jeedom}");
        assert_eq!(
            a["error"],
            json!({"code": 500, "message": "Aucune méthode correspondante : no::such"})
        );
        let a = raw_post(
            &url,
            &rpc(method::CMD_BY_ID, json!({"apikey": session.key().expose(), "id": 9})),
        );
        assert_eq!(
            a["error"],
            json!({"code": 701, "message": "Commande introuvable : 9"}),
            "{jeedom}"
        );
    }
    // No key, then a wrong one.
    let a = raw_post(&url, &rpc(method::VERSION, json!({})));
    assert_eq!(a["error"]["code"], json!(1));
    let a = raw_post(
        &url,
        &rpc(method::VERSION, json!({"apikey": "0123456789abcdef0123456789abcdef"})),
    );
    assert_eq!(a["error"]["code"], json!(2));
    assert!(
        a["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Vous n'êtes pas autorisé")
    );
    // Ping needs no key; a wrong protocol version is code 1.
    assert_eq!(raw_post(&url, &rpc(method::PING, json!({})))["result"], json!("pong"));
    let a = raw_post(
        &url,
        &json!({"jsonrpc": "1.0", "id": 1, "method": "version", "params": {}}),
    );
    assert_eq!(a["error"]["code"], json!(1));
    no_strays(&mock);
}

#[tokio::test]
async fn the_request_may_come_as_a_form_field_and_the_key_as_params_api() {
    let mock = JeedomMock::start().await.unwrap();
    let session = mock.register(small_timeline("4.4"), SessionOptions::default()).unwrap();
    let body = rpc("no::such", json!({"api": session.key().expose()})).to_string();
    let encoded: String = body
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent
        .post(&format!("{}{JEEAPI_PATH}", mock.uri()))
        .content_type("application/x-www-form-urlencoded")
        .send(format!("request={encoded}"))
        .unwrap();
    let a: Value = serde_json::from_slice(&r.body_mut().read_to_vec().unwrap()).unwrap();
    // A form request gets its own id back even on 4.4, and `api` was accepted as the key.
    assert_eq!(a["id"], json!(41));
    assert_eq!(a["error"]["code"], json!(500));
    // curl's default `-d` sends raw JSON labelled as a form: jeeApi falls back to the raw body.
    let mut r = agent
        .post(&format!("{}{JEEAPI_PATH}", mock.uri()))
        .content_type("application/x-www-form-urlencoded")
        .send(rpc(method::VERSION, json!({"apikey": session.key().expose()})).to_string())
        .unwrap();
    let a: Value = serde_json::from_slice(&r.body_mut().read_to_vec().unwrap()).unwrap();
    assert_eq!(a["result"], json!("4.4.20"));
    no_strays(&mock);
}

#[tokio::test]
async fn jeedom_4_5_says_ok_for_empty_results_and_the_client_undoes_it() {
    let mock = JeedomMock::start().await.unwrap();
    let session = mock.register(small_timeline("4.5"), SessionOptions::default()).unwrap();
    let url = format!("{}{JEEAPI_PATH}", mock.uri());
    let k = session.key().expose();
    let by_key =
        |key: &str| raw_post(&url, &rpc(method::CONFIG_BY_KEY, json!({"apikey": k, "key": key})))["result"].clone();
    assert_eq!(by_key("samba::enable"), json!("ok"), "stored \"0\"");
    assert_eq!(by_key("never::saved"), json!("ok"), "absent: \"\"");
    assert_eq!(by_key("samba::cloudUpload"), json!("1"));
    let mut http = client(session.client_config());
    assert_eq!(http.config("samba::enable").unwrap(), "0");
    assert_eq!(http.config("never::saved").unwrap(), "");
    assert_eq!(http.config("samba::cloudUpload").unwrap(), "1");
    assert_eq!(http.config("backup::path").unwrap(), "backup");
    // An empty listing is "ok" on the wire too.
    let pro = format!("{}{PROAPI_PATH}", mock.uri());
    assert_eq!(
        raw_post(&pro, &rpc(method::BACKUP_LIST, json!({"proapi": k})))["result"],
        json!("ok")
    );
    assert_eq!(http.local_files().unwrap(), vec![]);
    assert_eq!(http.samba_listing().unwrap(), Ok(vec![].into()));
    assert!(!http.no_cloud_backup().unwrap());
    // And the same reads on 4.4 see no "ok".
    let s44 = mock.register(small_timeline("4.4"), SessionOptions::default()).unwrap();
    assert_eq!(
        raw_post(
            &url,
            &rpc(
                method::CONFIG_BY_KEY,
                json!({"apikey": s44.key().expose(), "key": "samba::enable"})
            )
        )["result"],
        json!("0")
    );
    no_strays(&mock);
}

#[tokio::test]
async fn the_version_is_detected_once() {
    let mock = JeedomMock::start().await.unwrap();
    let session = mock.register(small_timeline("4.5"), SessionOptions::default()).unwrap();
    let mut http = client(session.client_config());
    // A mock session's config is constant: asked once.
    assert_eq!(http.config("samba::cloudUpload").unwrap(), "1");
    let before = mock.served();
    assert_eq!(http.config("samba::cloudUpload").unwrap(), "1");
    assert_eq!(mock.served(), before);
    assert_eq!(http.version_text().unwrap(), "4.5.3");
    assert_eq!(http.jeedom_version().unwrap(), JeedomVersion::V4_5);
    let before = mock.served();
    assert_eq!(http.jeedom_version().unwrap(), JeedomVersion::V4_5);
    assert_eq!(mock.served(), before, "cached");
    http.ping().unwrap();
    no_strays(&mock);
}

// ---- typed errors for every quirk and fault -----------------------------------------------------

#[tokio::test]
async fn jeedom_errors_become_typed_errors_without_the_key() {
    let mock = JeedomMock::start().await.unwrap();
    let session = mock.register(small_timeline("4.4"), SessionOptions::default()).unwrap();
    let key = session.key().clone();

    // Wrong key (code 2).
    let mut cfg = session.client_config();
    cfg.api_key = ApiKey::new("ffffffffffffffffffffffffffffffff").unwrap();
    let e = client(cfg).read_virtual().unwrap_err();
    assert!(e.to_string().contains("rejected the API key (code 2)"), "{e}");

    // Unknown method (500).
    let mut http = client(session.client_config());
    let e = http.call("scenario::teleport", Map::new()).unwrap_err();
    assert!(
        matches!(&e, ApiError::UnknownMethod { message, .. } if message == "Aucune méthode correspondante : scenario::teleport")
    );
    assert_secret_kept(&key, &e);

    // Unknown command (701 for byId, 702 for event).
    let mut cfg = session.client_config();
    cfg.virtual_cmd = 7;
    let mut wrong_cmd = client(cfg);
    let e = wrong_cmd.remote_virtual().unwrap_err();
    assert!(matches!(e, ApiError::NotFound { code: 701, .. }), "{e}");
    assert_secret_kept(&key, &e);
    let e = wrong_cmd.push_virtual("x").unwrap_err();
    assert!(matches!(e, ApiError::NotFound { code: 702, .. }), "{e}");
    let we = wrong_cmd.write_virtual("x").unwrap_err();
    assert!(matches!(&we, WorldError::Api(m) if m.contains("702")), "{we}");
    assert_secret_kept(&key, &we);

    // The JSON-RPC API disabled (code 1).
    session.add_fault(FaultRule::always(Fault::ApiDisabled).times(1));
    let e = http.box_now().unwrap_err();
    assert!(matches!(e, ApiError::NotAllowed { .. }), "{e}");
    assert!(e.to_string().contains("JSON-RPC API disabled"), "{e}");
    assert_secret_kept(&key, &e);

    // The key regenerated on the box (code 2 for the old key).
    session.add_fault(FaultRule::always(Fault::WrongKey).on(method::CONFIG_BY_KEY).times(1));
    let e = http.config_value("backup::path").unwrap_err();
    assert!(matches!(e, ApiError::WrongKey { .. }), "{e}");
    assert_eq!(http.config_value("backup::path").unwrap(), "backup", "only once");
    assert_secret_kept(&key, &format!("{http:?}"));
    assert_secret_kept(&key, &format!("{:?}", session.client_config()));
    no_strays(&mock);
}

#[tokio::test]
async fn transport_faults_become_typed_errors() {
    let mock = JeedomMock::start().await.unwrap();
    let session = mock.register(small_timeline("4.4"), SessionOptions::default()).unwrap();
    let key = session.key().clone();
    let mut cfg = session.client_config();
    cfg.timeout = Duration::from_millis(300);
    let mut http = client(cfg);

    session.add_fault(
        FaultRule::always(Fault::Latency(Duration::from_secs(2)))
            .on(method::DATETIME)
            .times(1),
    );
    let e = http.box_now().unwrap_err();
    assert!(matches!(e, ApiError::Timeout { .. }), "{e}");
    assert!(e.to_string().contains("timeout"), "{e}");
    assert_secret_kept(&key, &e);
    // The client recovers on the next call.
    assert!(http.box_now().is_ok());

    session.add_fault(FaultRule::always(Fault::Http500).times(1));
    let e = http.box_now().unwrap_err();
    assert!(matches!(e, ApiError::HttpStatus { status: 500, .. }), "{e}");
    assert_secret_kept(&key, &e);

    session.add_fault(FaultRule::always(Fault::NotJson).times(1));
    let e = http.box_now().unwrap_err();
    assert!(matches!(e, ApiError::NotJson { .. }), "{e}");
    assert!(
        e.to_string().contains("Warning"),
        "the excerpt shows what came back: {e}"
    );
    assert_secret_kept(&key, &e);

    session.add_fault(FaultRule::always(Fault::WrongJsonRpc).times(1));
    let e = http.box_now().unwrap_err();
    assert!(matches!(e, ApiError::WrongJsonRpc { .. }), "{e}");
    assert_secret_kept(&key, &e);

    session.add_fault(FaultRule::always(Fault::MissingMethod).on(method::DATETIME));
    let e = http.now().unwrap_err();
    assert!(matches!(&e, WorldError::Api(m) if m.contains("no such method")), "{e}");
    assert_secret_kept(&key, &e);
    session.clear_faults();

    // Server-wide faults hit every session.
    mock.add_fault(FaultRule::always(Fault::Http500).on(method::VERSION));
    assert!(matches!(http.version_text(), Err(ApiError::HttpStatus { .. })));
    mock.clear_faults();
    assert!(http.version_text().is_ok());
    no_strays(&mock);
}

#[test]
fn a_refused_connection_is_a_typed_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let key = ApiKey::new("0123456789abcdef0123456789abcdef").unwrap();
    let mut http = client(ClientConfig::mock_session(
        format!("http://127.0.0.1:{port}"),
        key.clone(),
    ));
    let e = http.box_now().unwrap_err();
    assert!(matches!(e, ApiError::Refused { .. }), "{e}");
    assert!(e.to_string().contains("refused"), "{e}");
    assert_secret_kept(&key, &e);
    let we = WorldError::from(e);
    assert!(matches!(we, WorldError::Api(_)));
}

#[test]
fn short_keys_are_refused_with_a_clear_error() {
    let e = ApiKey::new("abc123").unwrap_err();
    assert_eq!(e, KeyError::TooShort { len: 6 });
    assert_eq!(
        e.to_string(),
        "the Jeedom API key is too short (6 characters; Jeedom requires at least 16)"
    );
}

#[tokio::test]
async fn a_failing_samba_listing_is_what_the_scenario_sees_and_a_transport_failure_is_not() {
    let mock = JeedomMock::start().await.unwrap();
    // From the timeline (the vector's samba_error).
    let t = vector("v2024-08.samba-list-throws.json");
    let session = mock.register(t.clone(), SessionOptions::default()).unwrap();
    let mut http = client(session.client_config());
    http.enter_step(1).unwrap();
    assert_eq!(
        http.samba_listing().unwrap(),
        Err("Erreur sur smbclient valeur retournée : 1".to_owned())
    );

    // Injected.
    let ok = mock
        .register(
            small_timeline("4.4"),
            SessionOptions {
                start_step: 1,
                ..Default::default()
            },
        )
        .unwrap();
    let mut http = client(ok.client_config());
    ok.add_fault(FaultRule::always(Fault::ListingFails("NT_STATUS_LOGON_FAILURE".into())).times(1));
    assert_eq!(http.samba_listing().unwrap(), Err("NT_STATUS_LOGON_FAILURE".to_owned()));
    assert_eq!(
        http.samba_listing().unwrap(),
        Ok(vec!["backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz".to_owned()].into())
    );

    // HTTP trouble while listing is the tool's error, not a throw in the scenario.
    ok.add_fault(FaultRule::always(Fault::Http500).on(method::BACKUP_LIST_SAMBA).times(1));
    assert!(matches!(http.samba_listing(), Err(WorldError::Api(_))));

    // A box without the listing method: unavailable, with why.
    ok.add_fault(FaultRule::always(Fault::MissingMethod).on(method::BACKUP_LIST).times(1));
    match http.local_files() {
        Err(WorldError::Unavailable { why, .. }) => assert!(why.contains("fall back"), "{why}"),
        other => panic!("expected Unavailable, got {other:?}"),
    }
    no_strays(&mock);
}

// ---- sessions, steps and strays -----------------------------------------------------------------

#[tokio::test]
async fn sessions_on_one_server_do_not_see_each_other() {
    let mock = JeedomMock::start().await.unwrap();
    let a = mock.register(small_timeline("4.4"), SessionOptions::default()).unwrap();
    let b = mock.register(small_timeline("4.5"), SessionOptions::default()).unwrap();
    assert_ne!(a.key(), b.key());
    assert!(a.key().expose().len() >= 32);
    let (mut ca, mut cb) = (client(a.client_config()), client(b.client_config()));
    ca.write_virtual("from a").unwrap();
    cb.enter_step(1).unwrap();
    assert_eq!(cb.read_virtual().unwrap(), "v0");
    assert_eq!(ca.read_virtual().unwrap(), "from a");
    assert_eq!((a.step(), b.step()), (Some(0), Some(1)));
    assert_eq!(ca.jeedom_version().unwrap(), JeedomVersion::V4_4);
    assert_eq!(cb.jeedom_version().unwrap(), JeedomVersion::V4_5);
    drop(a);
    let e = ca.read_virtual().unwrap_err();
    assert!(
        matches!(&e, WorldError::Api(m) if m.contains("code 2")),
        "an ended session's key is refused: {e}"
    );
    no_strays(&mock);
}

#[tokio::test]
async fn steps_out_of_range_and_times_that_do_not_exist_are_refused() {
    let mock = JeedomMock::start().await.unwrap();
    let s = mock.register(small_timeline("4.4"), SessionOptions::default()).unwrap();
    let e = client(s.client_config()).enter_step(2).unwrap_err();
    assert!(
        matches!(&e, WorldError::Api(m) if m.contains("Étape inconnue : 2")),
        "{e}"
    );
    let mut t = (*small_timeline("4.4")).clone();
    t.steps[0].at = infobackup::world::parse_at("2025-03-30 02:30:00").unwrap();
    let e = mock.register(Arc::new(t), SessionOptions::default()).unwrap_err();
    assert!(matches!(e, MockError::NonexistentTime { step: 1, .. }), "{e}");
    // A time in the autumn fold reads back as itself.
    let mut t = (*small_timeline("4.4")).clone();
    t.steps[0].at = infobackup::world::parse_at("2025-10-26 02:30:00").unwrap();
    let t = Arc::new(t);
    let s = mock.register(t.clone(), SessionOptions::default()).unwrap();
    assert_eq!(client(s.client_config()).now().unwrap(), t.steps[0].at);
    no_strays(&mock);
}

#[tokio::test]
async fn stray_requests_are_recorded_by_the_catch_all() {
    let mock = JeedomMock::start().await.unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let r = agent
        .get(&format!("{}/core/api/jeeApi.php", mock.uri()))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    agent.post(&format!("{}/index.php", mock.uri())).send("x=1").unwrap();
    let strays = mock.strays();
    assert_eq!(strays.len(), 2);
    assert_eq!(
        (strays[0].method.as_str(), strays[0].path.as_str()),
        ("GET", "/core/api/jeeApi.php")
    );
    assert_eq!(
        (strays[1].method.as_str(), strays[1].path.as_str(), strays[1].body_len),
        ("POST", "/index.php", 3)
    );
}

// ---- live mode ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_live_client_reads_but_never_writes_unless_asked() {
    let mock = JeedomMock::start().await.unwrap();
    let t = small_timeline("4.4");
    let opts = SessionOptions {
        mode: SessionMode::Live,
        start_step: 1,
        ..Default::default()
    };
    let session = mock.register(t.clone(), opts).unwrap();
    let mut live = client(session.client_config());
    assert_eq!(live.settings().writes, Writes::Hold);

    // Reads work, and a live box's config is asked every time (it can change).
    assert_eq!(live.config("samba::enable").unwrap(), "0");
    let before = mock.served();
    assert_eq!(live.config("samba::enable").unwrap(), "0");
    assert_eq!(mock.served(), before + 1);
    assert_eq!(&*live.log(LogName::Backup).unwrap(), t.steps[1].log(LogName::Backup));
    assert_eq!(live.now().unwrap(), t.steps[1].at);
    // enter_step is a no-op: no control method is sent (a live box has none).
    live.enter_step(0).unwrap();
    assert_eq!(session.step(), Some(1));
    // Listings and NO_CLOUD_BACKUP are unavailable, with why.
    for e in [
        live.local_files().unwrap_err(),
        live.samba_listing().unwrap_err(),
        live.no_cloud_backup().unwrap_err(),
    ] {
        match e {
            WorldError::Unavailable { why, .. } => assert!(why.contains("jeeApi"), "{why}"),
            other => panic!("expected Unavailable, got {other}"),
        }
    }
    // A write is held, not sent.
    live.write_virtual("new state").unwrap();
    assert_eq!(live.read_virtual().unwrap(), "new state");
    assert_eq!(live.held_virtual(), Some("new state"));
    assert_eq!(session.events(), Some(0));
    assert_eq!(session.virtual_value().as_deref(), Some("v0"));
    assert!(matches!(live.push_virtual("x"), Err(ApiError::WriteRefused(_))));

    // The mock in live mode refuses control methods and listings like a real box.
    let url = format!("{}{JEEAPI_PATH}", mock.uri());
    let a = raw_post(
        &url,
        &rpc(
            method::MOCK_ENTER_STEP,
            json!({"apikey": session.key().expose(), "step": 0}),
        ),
    );
    assert_eq!(a["error"]["code"], json!(500));
    let a = raw_post(
        &format!("{}{PROAPI_PATH}", mock.uri()),
        &rpc(method::BACKUP_LIST, json!({"proapi": session.key().expose()})),
    );
    assert_eq!(a["error"]["code"], json!(500));

    // --push: the write reaches the box.
    let mut cfg = session.client_config();
    cfg.writes = Writes::Push;
    let mut pushing = client(cfg);
    pushing.write_virtual("pushed").unwrap();
    assert_eq!(session.events(), Some(1));
    assert_eq!(session.virtual_value().as_deref(), Some("pushed"));
    no_strays(&mock);
}

// ---- `infobackup serve` -------------------------------------------------------------------------

struct Served {
    child: std::process::Child,
    url: String,
    key: String,
    lines: Vec<String>,
}

fn start_serve(args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_infobackup"))
        // The English wording is what these tests read.
        .env("LC_ALL", "C")
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn infobackup serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut lines = Vec::new();
    let (mut url, mut key) = (None, None);
    // Bounded: the banner is a handful of lines.
    for _ in 0..20 {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read banner") == 0 {
            break;
        }
        if let Some(u) = line.trim().strip_prefix("jeeApi:") {
            url = Some(u.trim().to_owned());
        }
        if let Some(k) = line.trim().strip_prefix("API key:") {
            key = Some(k.trim().to_owned());
        }
        let done = line.starts_with("Press Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    child.stdout = Some(reader.into_inner());
    Served {
        child,
        url: url.expect("URL in banner"),
        key: key.expect("key in banner"),
        lines,
    }
}

fn stop_serve(s: Served) -> String {
    let pid = i32::try_from(s.child.id()).expect("pid");
    // SAFETY: sending SIGINT to the child this test spawned.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let out = s.child.wait_with_output().expect("serve exits");
    assert!(out.status.success(), "serve stops cleanly on Ctrl-C: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn serve_prints_url_key_and_curl_and_holds_a_bounded_load() {
    let vector_path = vectors_dir().join("v2024-08.local-ok-samba-ok.json");
    let served = start_serve(&[vector_path.to_str().unwrap(), "--port", "0", "--jeedom", "4.4"]);
    let banner = served.lines.concat();
    assert!(banner.contains("Mock Jeedom 4.4"), "{banner}");
    assert!(banner.contains("curl -s http://127.0.0.1:"), "{banner}");
    assert!(served.key.len() >= 32);
    let key = ApiKey::new(served.key.clone()).unwrap();
    let timeline = vector("v2024-08.local-ok-samba-ok.json");
    let expected_log = timeline.steps[1].log(LogName::Backup).to_vec();

    // 8 client threads × 500 requests each, every one must succeed.
    const THREADS: usize = 8;
    const REQUESTS: usize = 500;
    let base = served.url.trim_end_matches(JEEAPI_PATH).to_owned();
    let failures: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (base, key, expected_log) = (base.clone(), key.clone(), expected_log.clone());
                scope.spawn(move || {
                    let mut cfg = ClientConfig::mock_session(base, key);
                    cfg.dialect = Dialect::Known(JeedomVersion::V4_4);
                    cfg.writes = Writes::Hold;
                    let mut c = Client::new(cfg).unwrap();
                    let mut failed = 0;
                    for i in 0..REQUESTS {
                        let ok = match (t + i) % 4 {
                            0 => c.config_value("samba::enable").is_ok_and(|v| v == "1"),
                            1 => c.box_now().is_ok(),
                            2 => c.remote_virtual().is_ok(),
                            // The session stays at step 1 for everyone: the log is the end_backup one.
                            _ => {
                                c.mock_enter_step(1).is_ok()
                                    && c.read_log(LogName::Backup).is_ok_and(|l| *l.text == *expected_log)
                            }
                        };
                        if !ok {
                            failed += 1;
                        }
                    }
                    failed
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("load thread")).sum()
    });
    assert_eq!(failures, 0, "failed requests under load");
    let out = stop_serve(served);
    assert!(out.contains("Stopped after"), "{out}");
}

#[test]
fn serve_serves_a_recorded_case_folder() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/4.3-archive-missing");
    let served = start_serve(&[dir.to_str().unwrap(), "--jeedom", "4.5"]);
    assert!(served.lines.concat().contains("Mock Jeedom 4.5"), "{:?}", served.lines);
    let base = served.url.trim_end_matches(JEEAPI_PATH).to_owned();
    let mut c = Client::new(ClientConfig::mock_session(
        base,
        ApiKey::new(served.key.clone()).unwrap(),
    ))
    .unwrap();
    assert_eq!(c.jeedom_version().unwrap(), JeedomVersion::V4_5);
    assert!(c.box_now().is_ok());
    stop_serve(served);
}

/// Issue 15 point 8: the served box's clock is the served step's own time, at whichever step the
/// session starts (`--step`) and wherever `mock::enterStep` moves it; in live mode it stays there.
#[test]
fn serve_clock_follows_the_step_it_serves() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/4.4-samba-ok");
    let timeline = infobackup::case::Case::load(&dir)
        .unwrap()
        .resolve(&infobackup::case::Overrides::default())
        .unwrap()
        .timeline;
    assert_eq!(timeline.steps.len(), 2);
    let (begin, end) = (timeline.steps[0].at, timeline.steps[1].at);
    assert_ne!(begin, end);
    let live_client = |s: &Served| {
        let base = s.url.trim_end_matches(JEEAPI_PATH).to_owned();
        Client::new(ClientConfig::live(base, ApiKey::new(s.key.clone()).unwrap(), 4242)).unwrap()
    };
    for (args, at, log_step) in [(vec!["--live"], begin, 0), (vec!["--live", "--step", "2"], end, 1)] {
        let mut a = vec![dir.to_str().unwrap()];
        a.extend(args.iter().copied());
        let served = start_serve(&a);
        let banner = served.lines.concat();
        assert!(
            banner.contains(&format!("the box's clock: {}", infobackup::world::format_at(at))),
            "{banner}"
        );
        let mut c = live_client(&served);
        assert_eq!(c.box_now().unwrap(), at, "{args:?}");
        assert_eq!(
            &*c.log(LogName::Backup).unwrap(),
            timeline.steps[log_step].log(LogName::Backup),
            "{args:?}"
        );
        // Still there a moment later: a live box's session does not move.
        assert_eq!(c.box_now().unwrap(), at, "{args:?}");
        stop_serve(served);
    }
    // A replay session: the clock moves with mock::enterStep.
    let served = start_serve(&[dir.to_str().unwrap()]);
    let base = served.url.trim_end_matches(JEEAPI_PATH).to_owned();
    let mut c = Client::new(ClientConfig::mock_session(
        base,
        ApiKey::new(served.key.clone()).unwrap(),
    ))
    .unwrap();
    assert_eq!(c.box_now().unwrap(), begin);
    c.mock_enter_step(1).unwrap();
    assert_eq!(c.box_now().unwrap(), end);
    c.mock_enter_step(0).unwrap();
    assert_eq!(c.box_now().unwrap(), begin);
    stop_serve(served);
    for bad in ["0", "3"] {
        let out = Command::new(env!("CARGO_BIN_EXE_infobackup"))
            // The English wording is what these tests read.
            .env("LC_ALL", "C")
            .args(["serve", dir.to_str().unwrap(), "--live", "--step", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--step {bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("--step {bad}")) && err.contains("steps 1 to 2"),
            "{err}"
        );
    }
}

#[test]
fn serve_refuses_a_case_it_cannot_read() {
    let out = Command::new(env!("CARGO_BIN_EXE_infobackup"))
        // The English wording is what these tests read.
        .env("LC_ALL", "C")
        .args(["serve", vectors_dir().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a case folder"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"jeedom\": \"9.9\", \"steps\": []}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_infobackup"))
        // The English wording is what these tests read.
        .env("LC_ALL", "C")
        .args(["serve", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.json") && err.contains("unknown Jeedom version"),
        "{err}"
    );
}

// ---- replay over HTTP ---------------------------------------------------------------------------

#[tokio::test]
async fn every_vector_replays_identically_in_process_and_over_http_for_every_faithful_profile() {
    use infobackup::engine::{Profile, ProfileConfig, replay_in_memory};
    use infobackup::jeeapi::{HttpReplayOptions, replay_http};
    let mock = JeedomMock::start().await.unwrap();
    let mut compared = 0;
    for (name, timeline) in vectors() {
        for profile in Profile::FAITHFUL {
            let config = ProfileConfig::builtin(profile);
            let memory = replay_in_memory(&timeline, &config).unwrap();
            let http = replay_http(&mock, &timeline, &config, &HttpReplayOptions::default()).unwrap();
            assert_eq!(
                http, memory,
                "{name} with {profile}: HTTP and in-process replays differ"
            );
            compared += 1;
        }
    }
    assert!(compared >= 30);
    assert_eq!(mock.session_count(), 0);
    no_strays(&mock);
}

#[test]
fn concurrent_replays_share_one_server() {
    use infobackup::engine::{Profile, ProfileConfig, replay_in_memory};
    use infobackup::jeeapi::HttpReplayOptions;
    let mock = JeedomMock::start_blocking(0).unwrap();
    let all = vectors();
    let config = ProfileConfig::builtin(Profile::V2024_08);
    std::thread::scope(|scope| {
        for chunk in all.chunks(all.len().div_ceil(4)) {
            let (mock, config) = (&mock, &config);
            scope.spawn(move || {
                let replayer = infobackup::jeeapi::HttpReplayer::new(mock, HttpReplayOptions::default());
                for _ in 0..3 {
                    for (name, t) in chunk {
                        let http = replayer.replay(t, config).unwrap();
                        assert_eq!(http, replay_in_memory(t, config).unwrap(), "{name}");
                    }
                }
            });
        }
    });
    no_strays(&mock);
}

#[tokio::test]
async fn a_listing_that_throws_crashes_the_block_over_http_as_in_process() {
    use infobackup::engine::{Profile, ProfileConfig, replay_in_memory};
    use infobackup::jeeapi::{HttpReplayOptions, replay_http};
    let mock = JeedomMock::start().await.unwrap();
    let t = vector("v2024-08.samba-list-throws.json");
    let config = ProfileConfig::builtin(Profile::V2024_08);
    let http = replay_http(&mock, &t, &config, &HttpReplayOptions::default()).unwrap();
    assert!(http.steps[1].crashed(), "the scenario saw the throw");
    assert_eq!(http, replay_in_memory(&t, &config).unwrap());
    // A transport failure on the same listing is the tool's error, not a crash.
    let opts = HttpReplayOptions {
        faults: vec![FaultRule::always(Fault::Http500).on(method::BACKUP_LIST_SAMBA)],
        ..HttpReplayOptions::default()
    };
    let e = replay_http(&mock, &vector("v2024-08.local-ok-samba-ok.json"), &config, &opts).unwrap_err();
    assert!(e.to_string().contains("HTTP 500"), "{e}");
    no_strays(&mock);
}

// ---- the recorded cases -------------------------------------------------------------------------

/// Every recorded case under scenarios/, resolved as `check` resolves it.
fn recorded_cases() -> Vec<(String, infobackup::case::Resolved)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let corpus = infobackup::case::load_corpus(&dir).expect("scenarios/");
    let cases: Vec<_> = corpus
        .into_iter()
        .map(|(path, case)| {
            let case = case.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let resolved = case
                .resolve(&Default::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (case.name, resolved)
        })
        .collect();
    assert!(
        cases.len() >= 10,
        "expected the recorded corpus, found {} cases",
        cases.len()
    );
    cases
}

#[test]
fn every_recorded_case_replays_identically_in_process_and_over_http_for_every_profile() {
    use infobackup::case::ProfileRef;
    use infobackup::engine::{Profile, replay_in_memory};
    use infobackup::jeeapi::{HttpReplayOptions, HttpReplayer};
    use infobackup::report::run::config_for;
    let mock = JeedomMock::start_blocking(0).unwrap();
    let mut differences = Vec::new();
    for dialect_of_case in [true, false] {
        for (name, resolved) in recorded_cases() {
            let timeline = Arc::new(resolved.timeline.clone());
            // Served in the case's own dialect, then as a 4.4 box. On the 4.2/4.3 cases the first
            // pass reads every log with log::get, whose text differs from the file (trimmed, no
            // empty lines); no replay output depends on what it loses.
            let dialect = if dialect_of_case {
                None
            } else {
                Some(JeedomVersion::V4_4)
            };
            let replayer = HttpReplayer::new(
                &mock,
                HttpReplayOptions {
                    dialect,
                    ..HttpReplayOptions::default()
                },
            );
            for profile in Profile::ALL {
                let config = config_for(&resolved, &ProfileRef::Builtin(profile.as_str().to_owned())).unwrap();
                let memory = replay_in_memory(&timeline, &config).unwrap();
                let http = replayer.replay(&timeline, &config).unwrap();
                if http != memory {
                    differences.push(format!(
                        "{name} ({}, served as {dialect:?}) with {profile}",
                        timeline.jeedom
                    ));
                }
            }
        }
    }
    assert_eq!(differences, Vec::<String>::new());
    no_strays(&mock);
}

#[test]
fn the_client_reads_what_memory_world_reads_for_every_recorded_case() {
    let mock = JeedomMock::start_blocking(0).unwrap();
    for (name, resolved) in recorded_cases() {
        let timeline = Arc::new(resolved.timeline);
        // Cases from 4.2/4.3 boxes are served as 4.4 here: their own dialect reads the log with
        // log::get, which trims lines and drops empty ones (tested above), so the text differs.
        let dialect = Some(timeline.jeedom.max(JeedomVersion::V4_4));
        let session = mock
            .register(
                timeline.clone(),
                SessionOptions {
                    dialect,
                    ..Default::default()
                },
            )
            .unwrap();
        compare_worlds(&name, &timeline, &mut client(session.client_config()));
    }
    no_strays(&mock);
}

#[tokio::test]
async fn a_log_that_is_not_utf8_arrives_marked() {
    let mock = JeedomMock::start().await.unwrap();
    let mut t = (*small_timeline("4.4")).clone();
    t.steps[1].logs.insert(
        LogName::Backup,
        infobackup::world::LogBytes::from_static(b"Envoi de l'\xe9v\xe8nement...OK\n"),
    );
    let session = mock
        .register(
            Arc::new(t),
            SessionOptions {
                start_step: 1,
                ..Default::default()
            },
        )
        .unwrap();
    let read = client(session.client_config()).read_log(LogName::Backup).unwrap();
    assert_eq!(
        std::str::from_utf8(&read.text).unwrap(),
        "Envoi de l'\u{FFFD}v\u{FFFD}nement...OK\n"
    );
    assert!(!read.is_exact());
    assert!(read.caveat().unwrap().contains("not UTF-8"));
    no_strays(&mock);
}
