//! The mock server under load, as `infobackup serve` runs it: resident memory before and after
//! 100,000 JSON-RPC requests, and the peak while a 500 MB body is refused.
//!
//! `cargo bench --bench serve` (release). Expect flat memory: the server keeps counters only.
//! Before the hyper server (wiremock), 48,000 requests took `serve` from 7 to 430 MB and one
//! 500 MB body peaked at 2.07 GB (issue 14).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

use infobackup::jeeapi::mock::{JeedomMock, SessionOptions};
use infobackup::world::Timeline;

/// `VmRSS` and `VmHWM` (peak) of this process, in MB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn timeline() -> Timeline {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data/conformance")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&paths[0]).expect("read")).expect("json");
    serde_json::from_value(v["case"].clone()).expect("case")
}

fn main() {
    let total: usize = std::env::var("SERVE_BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mock = JeedomMock::start_blocking(0).expect("mock");
    let session = mock
        .register(Arc::new(timeline()), SessionOptions::default())
        .expect("session");
    let url = mock.jeeapi_url();
    let agent = ureq::Agent::new_with_defaults();
    // A realistic request with a 1 KiB pad, as a script polling the box would send.
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "log::get",
        "params": {"apikey": session.key().expose(), "log": "backup", "pad": "x".repeat(1024)}})
    .to_string();
    let send = |n: usize| {
        for _ in 0..n {
            let mut r = agent
                .post(&url)
                .content_type("application/json")
                .send(body.as_str())
                .expect("request");
            let _ = r.body_mut().read_to_vec().expect("answer");
        }
    };
    send(1_000);
    let (rss0, _) = memory();
    let t = Instant::now();
    for chunk in 0..10 {
        send(total / 10);
        let (rss, _) = memory();
        println!(
            "  after {:>7} requests: RSS {rss:.1} MB",
            (chunk + 1) * total / 10 + 1_000
        );
    }
    let took = t.elapsed();
    let (rss1, hwm1) = memory();
    println!(
        "serve: {total} requests in {:.1} s ({:.0}/s); RSS {rss0:.1} MB → {rss1:.1} MB ({:+.1} MB); served {}",
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64(),
        rss1 - rss0,
        mock.served()
    );

    // 500 MB announced and sent as fast as the server takes it: refused after the head.
    let mut s = TcpStream::connect(mock.address()).expect("connect");
    let head = "POST /core/api/jeeApi.php HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500000000\r\n\r\n";
    s.write_all(head.as_bytes()).expect("head");
    let chunk = vec![b' '; 1 << 20];
    let mut sent = 0usize;
    while sent < 500_000_000 {
        if s.write_all(&chunk).is_err() {
            break;
        }
        sent += chunk.len();
    }
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let (rss2, hwm2) = memory();
    println!(
        "serve: a 500 MB body: {} MB accepted by the socket before it closed, answer {:?}; RSS {rss2:.1} MB, peak {hwm2:.1} MB (peak before {hwm1:.1} MB); too large: {}",
        sent / 1_000_000,
        String::from_utf8_lossy(answer.get(..12).unwrap_or(&answer)),
        mock.counts().too_large
    );
}
