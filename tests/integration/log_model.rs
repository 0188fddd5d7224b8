//! The backup-log model: one snapshot per fixture in `tests/data/logs/` (text view and JSON
//! model), class checks by file name, invariants every model must keep, streaming equivalence,
//! property tests over arbitrary and mutated logs, and the `parse` command.
//!
//! Fixture classes, by the end of the file name:
//! - `*-ok.log`: no unknown text, at least one run, every run ends in success, not reflowed;
//! - `*-failed.log`: the last run failed, with a message or an end marker;
//! - `*-cut.log`: some run is unterminated or cut at its start;
//! - `*-reflowed.log`: the model says reflowed and still finds a run.
//!
//! `4.4-forum-quoted-ok.log` is `scenarios/4.4-samba-ok/backup.log` with `> ` before every line
//! (a forum quote): same facts, spans after the prefix, `quoted`.

use std::path::Path;

use infobackup::Lang;
use infobackup::log::{self, LogItem, LogModel, Parser, RunEnd, StepResult, UploadOutcome};
use proptest::prelude::*;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../snapshots/log");
    s.set_prepend_module_to_snapshot(false);
    s
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/logs").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn all_fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/logs");
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, bytes)
        })
        .collect();
    all.sort();
    all
}

// ---- invariants -----------------------------------------------------------------------------------

/// Byte ranges of each physical line (without its line end), split like the parser: LF, CRLF, CR.
fn line_ranges(input: &[u8]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < input.len() {
        match input[i] {
            b'\n' => {
                out.push((start as u64, i as u64));
                start = i + 1;
            }
            b'\r' => {
                out.push((start as u64, i as u64));
                if input.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < input.len() {
        out.push((start as u64, input.len() as u64));
    }
    out
}

/// Every `{"line", "span"}` object in the JSON of the model.
fn line_refs(v: &serde_json::Value, out: &mut Vec<(u64, u64, u64)>) {
    match v {
        serde_json::Value::Object(m) => {
            if let (Some(line), Some(span)) = (m.get("line").and_then(|l| l.as_u64()), m.get("span")) {
                let s = span.get("start").and_then(|x| x.as_u64()).unwrap_or(u64::MAX);
                let e = span.get("end").and_then(|x| x.as_u64()).unwrap_or(u64::MAX);
                out.push((line, s, e));
            }
            m.values().for_each(|x| line_refs(x, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| line_refs(x, out)),
        _ => {}
    }
}

/// What every model must satisfy, whatever the input.
fn check_invariants(model: &LogModel, input: &[u8]) -> Result<(), String> {
    let lines = line_ranges(input);
    if model.line_count as usize != lines.len() {
        return Err(format!("line_count {} but {} lines", model.line_count, lines.len()));
    }
    if model.byte_count != input.len() as u64 {
        return Err(format!("byte_count {} but {} bytes", model.byte_count, input.len()));
    }
    let json = serde_json::to_value(model).map_err(|e| e.to_string())?;
    let mut refs = Vec::new();
    line_refs(&json, &mut refs);
    for (line, s, e) in refs {
        let Some(&(ls, le)) = lines.get((line as usize).wrapping_sub(1)) else {
            return Err(format!("line {line} out of 1..={}", lines.len()));
        };
        if !(ls <= s && s <= e && e <= le) {
            return Err(format!("span {s}..{e} not inside line {line} ({ls}..{le})"));
        }
    }
    for u in &model.unknown {
        if u.span.is_empty() {
            return Err(format!("empty unknown piece at line {}", u.line));
        }
    }
    let mut prev_end = 0;
    // Runs are in time order; in file order they do not overlap.
    let mut in_file: Vec<&log::Run> = model.runs.iter().collect();
    if model.run_order == log::RunOrder::NewestFirst {
        in_file.reverse();
    }
    for r in in_file {
        if r.lines.first > r.lines.last || r.span.start > r.span.end {
            return Err(format!("run range reversed: {:?} {:?}", r.lines, r.span));
        }
        if r.span.start < prev_end {
            return Err(format!("runs overlap at byte {}", r.span.start));
        }
        prev_end = r.span.end;
    }
    Ok(())
}

/// Parses through the lending stream (`RunReader::for_each_ref`, runs recycled between items),
/// copying each lent item.
fn parse_lent(input: &[u8]) -> LogModel {
    let mut model = log::ModelBuilder::new();
    let mut items = log::RunReader::new(input);
    items
        .for_each_ref(|i| model.push(i.to_item()))
        .expect("in-memory reader");
    model.finish(items.text_info().cloned().unwrap_or_default())
}

/// Parses by feeding `chunk`-byte pieces (0 = all at once).
fn parse_chunked(input: &[u8], chunks: &[usize]) -> LogModel {
    let mut model = log::ModelBuilder::new();
    let mut parser = Parser::new();
    let mut rest = input;
    let mut sizes = chunks.iter().cycle();
    while !rest.is_empty() {
        let n = sizes.next().copied().unwrap_or(rest.len()).clamp(1, rest.len());
        let (head, tail) = rest.split_at(n);
        parser.feed(head, &mut |i| model.push(i));
        rest = tail;
    }
    let info = parser.finish(&mut |i| model.push(i));
    model.finish(info)
}

// ---- fixtures ---------------------------------------------------------------------------------------

fn check_class(name: &str, m: &LogModel) {
    if name.ends_with("-ok.log") {
        assert_eq!(m.unknown, vec![], "{name}: an ok log has no unknown text");
        assert!(!m.runs.is_empty(), "{name}: no run");
        assert!(m.runs.iter().all(|r| r.succeeded()), "{name}: every run succeeds");
        assert!(!m.reflowed, "{name}: not reflowed");
    }
    if name.ends_with("-failed.log") {
        let last = m.runs.last().unwrap_or_else(|| panic!("{name}: no run"));
        let RunEnd::Failed {
            message, end_marker, ..
        } = &last.end
        else {
            panic!("{name}: {:?}", last.end)
        };
        assert!(message.is_some() || end_marker.is_some(), "{name}");
    }
    if name.ends_with("-cut.log") {
        assert!(
            m.runs.iter().any(|r| r.end == RunEnd::Unterminated || r.cut_at_start()),
            "{name}: a cut log has a cut run"
        );
    }
    if name.ends_with("-reflowed.log") {
        assert!(m.reflowed, "{name}");
        assert!(!m.runs.is_empty(), "{name}");
    }
}

#[test]
fn fixtures_snapshot_and_class() {
    settings().bind(|| {
        insta::glob!("../data/logs", "*.log", |path| {
            let input = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let model = log::parse(&input);
            check_class(&name, &model);
            if let Err(e) = check_invariants(&model, &input) {
                panic!("{name}: {e}");
            }
            let text = log::render::render_text(&model, &input, Lang::En);
            insta::assert_snapshot!("text", text);
            insta::assert_json_snapshot!("model", model);
        });
    });
}

#[test]
fn streaming_in_any_chunk_size_gives_the_same_model() {
    for (name, input) in all_fixtures() {
        let whole = log::parse(&input);
        for chunks in [&[1][..], &[2], &[3, 1, 7], &[13], &[64, 1], &[4096]] {
            assert_eq!(parse_chunked(&input, chunks), whole, "{name} fed in chunks {chunks:?}");
        }
        let read = log::parse_reader(&input[..]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(read, whole, "{name} through parse_reader");
        assert_eq!(parse_lent(&input), whole, "{name} through the lending stream");
    }
}

#[test]
fn secrets_never_reach_the_model_or_its_views() {
    for (name, input) in all_fixtures() {
        let model = log::parse(&input);
        let json = serde_json::to_string(&model).unwrap_or_default();
        let text = log::render::render_text(&model, &input, Lang::Fr);
        for secret in ["S3cr3tPass", "jeedom_bk"] {
            assert!(!json.contains(secret), "{name}: {secret} in the JSON model");
            assert!(!text.contains(secret), "{name}: {secret} in the text view");
        }
    }
}

#[test]
fn samba_failure_keeps_its_message_without_the_password() {
    let m = log::parse(&fixture("4.4-samba-password-ok.log"));
    let run = &m.runs[0];
    let UploadOutcome::Failed { message } = &run.uploads[0].outcome else {
        panic!("{:?}", run.uploads)
    };
    assert!(message.contains(r#"-U "[redacted]%[redacted]""#), "{message}");
    assert!(message.ends_with("NT_STATUS_LOGON_FAILURE"), "{message}");
    assert_eq!(run.errors().count(), 1);
    assert!(run.succeeded(), "a failed upload still ends in [END BACKUP SUCCESS]");
}

#[test]
fn generations_are_told_apart_by_their_wording() {
    let exact = |f: &str| log::parse(&fixture(f)).runs[0].generation.to_string();
    assert_eq!(exact("2.x-start-end-name.log"), "2");
    assert_eq!(exact("3.x-ok.log"), "3");
    assert_eq!(exact("4.2-ok.log"), "4.2");
    assert_eq!(exact("4.2-latin1-ok.log"), "4.2");
    assert_eq!(exact("4.3-ok.log"), "4.3");
    assert_eq!(exact("4.4-ok.log"), "4.4");
    assert_eq!(exact("4.5-ok.log"), "4.5");
    assert_eq!(exact("4.5-market-refused-ok.log"), "4.5");
    // The spec's example has no plugin, exclude or table line: 4.3 or 4.4.
    assert_eq!(exact("4.4-market-refused-ok.log"), "4.3/4.4");
}

#[test]
fn the_failed_dump_keeps_message_details_and_marker() {
    let m = log::parse(&fixture("4.4-database-dump-failed.log"));
    let run = &m.runs[0];
    let dump = run.step("database_dump").expect("dump step");
    assert_eq!(
        dump.result,
        StepResult::Failed {
            message: "Backing up database failed. Check mysqldump installation. Code: 2".into()
        }
    );
    let RunEnd::Failed {
        message,
        details,
        at,
        end_marker,
    } = &run.end
    else {
        panic!("{:?}", run.end)
    };
    assert_eq!(
        message.as_deref(),
        Some("Backing up database failed. Check mysqldump installation. Code: 2")
    );
    let details = details.as_deref().unwrap_or("");
    assert!(details.starts_with("Array\n(\n"), "{details}");
    assert!(details.contains("[function] => backup"), "{details}");
    assert_eq!(at.line, 6);
    assert_eq!(end_marker.as_ref().map(|m| m.line), Some(16));
    // The PHP fatal error after the marker is reported, not dropped.
    assert_eq!(m.unknown.iter().map(|u| u.line).collect::<Vec<_>>(), vec![17]);
}

#[test]
fn mid_line_logger_is_split_from_the_label() {
    let input = fixture("4.4-market-refused-ok.log");
    let m = log::parse(&input);
    let run = &m.runs[0];
    let logger = &run.logger_lines[0];
    assert!(logger.mid_line);
    let quoted = logger.at.text(&input).unwrap_or_default();
    assert!(
        quoted.starts_with("[2025-09-10 03:29:40][ERROR] : Aucun serveur"),
        "{quoted}"
    );
    let upload = &run.uploads[0];
    assert_eq!(upload.at.text(&input).as_deref(), Some("Send backup Market..."));
    assert_eq!(upload.at.line, logger.at.line);
}

#[test]
fn encodings_line_ends_and_nuls_are_reported() {
    let m = log::parse(&fixture("4.2-latin1-ok.log"));
    assert_eq!(m.encoding, log::Encoding::Windows1252);
    let a = m.runs[0].archive.as_ref().expect("archive");
    assert_eq!(
        a.box_name.as_deref(),
        Some("Maison_Dupré"),
        "the accent survives Latin-1"
    );
    let m = log::parse(&fixture("4.5-bom-ok.log"));
    assert_eq!(m.encoding, log::Encoding::Utf8Bom);
    assert_eq!(m.runs[0].start_marker.as_ref().map(|s| s.span.start), Some(3));
    let m = log::parse(&fixture("4.4-crlf-ok.log"));
    assert_eq!((m.line_endings.crlf, m.line_endings.lf, m.line_endings.cr), (26, 0, 0));
    let m = log::parse(&fixture("4.3-cr-only-ok.log"));
    assert_eq!(m.line_endings.dominant(), Some(log::LineEnding::Cr));
    let m = log::parse(&fixture("4.4-nul-start-ok.log"));
    assert_eq!(m.nul_bytes, 300);
    assert_eq!(m.runs[0].start_marker.as_ref().map(|s| s.span.start), Some(300));
}

#[test]
fn reflowed_log_is_the_same_run_on_one_line() {
    let flat = log::parse(&fixture("4.4-reflowed.log"));
    let lines = log::parse(&fixture("4.4-market-refused-ok.log"));
    assert!(flat.reflowed && !lines.reflowed);
    assert_eq!(flat.line_count, 1);
    let (f, l) = (&flat.runs[0], &lines.runs[0]);
    let kinds = |r: &log::Run| {
        r.steps
            .iter()
            .map(|s| (s.kind.clone(), s.result.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(f), kinds(l));
    assert_eq!(
        f.uploads.iter().map(|u| &u.outcome).collect::<Vec<_>>(),
        l.uploads.iter().map(|u| &u.outcome).collect::<Vec<_>>()
    );
    assert_eq!(f.logger_lines[0].message, l.logger_lines[0].message);
    assert_eq!(
        f.archive.as_ref().map(|a| &a.file_name),
        l.archive.as_ref().map(|a| &a.file_name)
    );
    assert_eq!(f.end_time(), l.end_time());
    assert!(f.succeeded());
}

#[test]
fn empty_and_blank_inputs() {
    let m = log::parse(b"");
    assert_eq!(
        (m.runs.len(), m.unknown.len(), m.line_count, m.byte_count),
        (0, 0, 0, 0)
    );
    let m = log::parse(b"\n\r\n  \n\0\0\n");
    assert_eq!((m.runs.len(), m.unknown.len(), m.line_count, m.nul_bytes), (0, 0, 4, 2));
}

#[test]
fn a_ten_megabyte_line_is_reported_once() {
    let mut input = b"[START BACKUP]\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    input.extend(b"\n[END BACKUP SUCCESS]\n");
    for m in [
        log::parse(&input),
        log::parse_reader(&input[..]).expect("in-memory reader"),
    ] {
        assert_eq!(m.unknown.len(), 1);
        assert_eq!(m.unknown[0].span.end - m.unknown[0].span.start, 10 * 1024 * 1024);
        assert!(m.runs[0].succeeded());
        assert_eq!(m.overlong_lines, 0);
    }
}

#[test]
fn a_line_longer_than_the_buffer_is_read_in_pieces() {
    let mut input = b"[START BACKUP]\n".to_vec();
    let long = log::MAX_LINE + log::MAX_LINE / 2;
    while input.len() < long {
        input.extend_from_slice(b"filler text ");
    }
    input.extend_from_slice(b"[2025-09-10 03:29:40][ERROR] : late\n[END BACKUP SUCCESS]\n");
    let m = log::parse_reader(&input[..]).expect("in-memory reader");
    assert_eq!(m.overlong_lines, 1);
    assert_eq!(m.line_count, 3);
    assert_eq!(m.runs[0].errors().count(), 1);
    assert!(m.runs[0].succeeded());
}

#[test]
fn several_runs_and_loose_lines_stream_in_order() {
    let input = fixture("4.4-two-runs-ok.log");
    let mut items = Vec::new();
    for item in log::RunReader::new(&input[..]) {
        items.push(item.expect("in-memory reader"));
    }
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| matches!(i, LogItem::Run(_))));
    let m = log::parse(&fixture("backup-logger-only.log"));
    assert!(m.runs.is_empty());
    assert_eq!(m.loose_logger_lines.len(), 3);
    assert_eq!(m.all_logger_lines().len(), 3);
}

#[test]
fn unreadable_file_is_an_error_naming_the_path() {
    let path = Path::new("/nonexistent/infobackup/backup.log");
    let err = log::parse_file(path).expect_err("missing file");
    assert!(err.to_string().contains("/nonexistent/infobackup/backup.log"), "{err}");
    let ok = log::parse_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/logs/4.4-ok.log"));
    assert_eq!(ok.map(|m| m.runs.len()).ok(), Some(1));
}

// ---- properties ----------------------------------------------------------------------------------

/// Pieces of real logs, so random inputs reach deep parser states.
const VOCAB: &[&str] = &[
    "[START BACKUP]",
    "[END BACKUP SUCCESS]",
    "[END BACKUP ERROR]",
    "***************Start of Jeedom backup at 2025-09-10 03:27:01***************",
    "***************Jeedom backup end***************",
    "***ERROR*** ",
    "Send begin backup event...",
    "Checking  table cmd...",
    "Backing up plugin z2m...",
    "Cache persistence: ",
    "Creating archive...",
    "Send backup Market...",
    "Send backup Samba...",
    "Limiting backup size to 500 Mb...",
    "Delete: /a/b.tar.gz",
    "Delete backup too old : {\"filename\":\"x}\",",
    "Backup name: /x/backup-A-4.4.1-2025-09-10-03h27.tar.gz",
    "Backup operation duration: 12s",
    "Error during backup: ",
    "Details : ",
    "Détails : ",
    "Vérification des droits sur les fichiers...",
    "Plugin a - Following subfolder will be excluded from the backup: ",
    "/!\\ ",
    " /!\\",
    "[2025-09-10 03:29:40][ERROR] : ",
    "[2025-09-10 03:29:40][INFO] ",
    "OK",
    "NOK",
    "-U \"u%p\"",
    "\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\0",
    "é",
];

fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(VOCAB).prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 1..6),
        1 => Just(vec![0xC3]),
        1 => Just(vec![0xE9]),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Cut { from: usize, to: usize },
    Duplicate { at: usize, len: usize },
    Crlf,
    CrOnly,
    Flatten,
    Nuls { at: usize, n: usize },
    TruncateInChar { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(from, to)| Mutation::Cut { from, to }),
        (any::<usize>(), 1usize..400).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        Just(Mutation::Crlf),
        Just(Mutation::CrOnly),
        Just(Mutation::Flatten),
        (any::<usize>(), 1usize..50).prop_map(|(at, n)| Mutation::Nuls { at, n }),
        any::<usize>().prop_map(|at| Mutation::TruncateInChar { at }),
    ]
}

fn apply(mut v: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let len = v.len().max(1);
    match *m {
        Mutation::Cut { from, to } => {
            let (a, b) = (from % len, to % len);
            let (a, b) = (a.min(b), a.max(b));
            v.get(a..b.min(v.len())).map(<[u8]>::to_vec).unwrap_or_default()
        }
        Mutation::Duplicate { at, len: n } => {
            let a = at % len;
            let piece: Vec<u8> = v.iter().skip(a).take(n).copied().collect();
            let mut out = v.clone();
            out.splice(a.min(v.len())..a.min(v.len()), piece);
            out
        }
        Mutation::Crlf => String::from_utf8_lossy(&v).replace('\n', "\r\n").into_bytes(),
        Mutation::CrOnly => v.iter().map(|c| if *c == b'\n' { b'\r' } else { *c }).collect(),
        Mutation::Flatten => v.iter().map(|c| if *c == b'\n' { b' ' } else { *c }).collect(),
        Mutation::Nuls { at, n } => {
            let a = (at % len).min(v.len());
            v.splice(a..a, std::iter::repeat_n(0u8, n));
            v
        }
        Mutation::TruncateInChar { at } => {
            // Cut right after the first byte of a multi-byte character.
            let starts: Vec<usize> = v
                .iter()
                .enumerate()
                .filter(|(_, c)| **c >= 0xC0)
                .map(|(i, _)| i)
                .collect();
            match starts.get(at % starts.len().max(1)) {
                Some(&i) => v.get(..=i).map(<[u8]>::to_vec).unwrap_or_default(),
                None => v,
            }
        }
    }
}

// ---- forum quotes ----------------------------------------------------------------------------------

/// `input` as a forum quote: `prefix` before every line (after a BOM), `bare` (the prefix without
/// its trailing space) before an empty line, line ends kept.
fn quote(input: &[u8], prefix: &str, bare_on_empty: bool) -> Vec<u8> {
    let (bom, body) = match input.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (&input[..3], rest),
        None => (&input[..0], input),
    };
    let bare = prefix.trim_end();
    let mut out = bom.to_vec();
    let mut at_start = true;
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if at_start {
            let empty = matches!(c, b'\n' | b'\r');
            out.extend_from_slice(if empty && bare_on_empty { bare } else { prefix }.as_bytes());
        }
        out.push(c);
        if c == b'\r' && body.get(i + 1) == Some(&b'\n') {
            out.push(b'\n');
            i += 1;
        }
        at_start = matches!(c, b'\n' | b'\r');
        i += 1;
    }
    out
}

/// The model's JSON without what quoting may change: spans (they start after the prefix),
/// `quoted`, `byte_count`.
fn facts(m: &LogModel) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("span");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(m).expect("a model serialises");
    strip(&mut v);
    if let Some(o) = v.as_object_mut() {
        o.remove("quoted");
        o.remove("byte_count");
    }
    v
}

#[test]
fn the_forum_quoted_fixture_is_the_samba_log_with_spans_after_the_prefix() {
    let plain = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/4.4-samba-ok/backup.log"))
        .expect("the samba case's log");
    let input = fixture("4.4-forum-quoted-ok.log");
    assert_eq!(input, quote(&plain, "> ", false), "the fixture is the samba log quoted");
    let (q, p) = (log::parse(&input), log::parse(&plain));
    assert!(q.quoted && !p.quoted && !q.reflowed);
    assert_eq!(facts(&q), facts(&p));
    // Every span points at the same text, two bytes (`> `) further per line.
    let first = &q.runs[0].steps[0].at;
    let plain_first = &p.runs[0].steps[0].at;
    let shift = 2 * u64::from(first.line);
    assert_eq!(first.span.start, plain_first.span.start + shift);
    assert_eq!(
        &input[first.span.start as usize..first.span.end as usize],
        &plain[plain_first.span.start as usize..plain_first.span.end as usize]
    );
}

/// Found by `quoting_a_fixture_does_not_change_its_facts` when it also quoted with `>` alone:
/// `>` then an indented PHP trace line reads as the prefix `> ` (one space taken) then the
/// line, so the failure details lose one space of indentation. Nothing else changes.
#[test]
fn a_bare_quote_before_indented_text_takes_one_space() {
    let input = fixture("4.4-database-dump-failed.log");
    let (q, p) = (log::parse(&quote(&input, ">", false)), log::parse(&input));
    let details = |m: &LogModel| match &m.runs[0].end {
        RunEnd::Failed { details, .. } => details.clone().unwrap_or_default(),
        other => panic!("{other:?}"),
    };
    assert!(details(&p).contains("\n    [0] => Array"), "{}", details(&p));
    assert!(details(&q).contains("\n   [0] => Array"), "{}", details(&q));
    assert_eq!(
        details(&q),
        details(&p).replace("\n ", "\n"),
        "one space less on indented lines only"
    );
    let steps = |m: &LogModel| {
        m.runs[0]
            .steps
            .iter()
            .map(|s| (s.kind.clone(), s.result.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(steps(&q), steps(&p));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    /// Quoting any fixture (any prefix style, `>` alone on empty lines or not, in any chunk size)
    /// changes spans and the `quoted` flag, never a fact: runs, steps, uploads, ends, unknown
    /// lines by number, reflow.
    #[test]
    fn quoting_a_fixture_does_not_change_its_facts(
        which in any::<prop::sample::Index>(),
        // `>` without its space before a non-empty line is left out: `>` + indented text is
        // ambiguous (see `a_bare_quote_before_indented_text_takes_one_space`).
        prefix in prop::sample::select(vec!["> ", "> > ", ">> "]),
        bare in any::<bool>(),
        chunk in 1usize..300,
    ) {
        let all = all_fixtures();
        let (name, input) = which.get(&all);
        let quoted = quote(input, prefix, bare);
        let (q, p) = (log::parse(&quoted), log::parse(input));
        prop_assert_eq!(check_invariants(&q, &quoted), Ok(()));
        prop_assert_eq!(facts(&q), facts(&p), "{}", name);
        prop_assert!(q.quoted || p.runs.is_empty(), "{}: a quoted log with runs says quoted", name);
        prop_assert_eq!(parse_chunked(&quoted, &[chunk, 1]), q);
    }
}

proptest! {
    // 128 cases by default; `PROPTEST_CASES=5000` for a longer hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128),
        ..ProptestConfig::default()
    })]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let m = log::parse(&bytes);
        prop_assert_eq!(check_invariants(&m, &bytes), Ok(()));
    }

    #[test]
    fn never_panics_on_log_shaped_noise(tokens in prop::collection::vec(token(), 0..120), chunk in 1usize..40) {
        let bytes: Vec<u8> = tokens.concat();
        let m = log::parse(&bytes);
        prop_assert_eq!(check_invariants(&m, &bytes), Ok(()));
        prop_assert_eq!(parse_chunked(&bytes, &[chunk]), m.clone());
        prop_assert_eq!(parse_lent(&bytes), m);
        let _ = log::render::render_text(&log::parse(&bytes), &bytes, Lang::En);
    }

    #[test]
    fn mutated_real_logs_keep_the_invariants(
        which in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..4),
        chunk in 1usize..300,
    ) {
        let all = all_fixtures();
        let (_, input) = which.get(&all);
        let bytes = muts.iter().fold(input.clone(), apply);
        let m = log::parse(&bytes);
        prop_assert_eq!(check_invariants(&m, &bytes), Ok(()));
        prop_assert_eq!(parse_chunked(&bytes, &[chunk, 1]), m);
    }
}

// ---- the `parse` command ---------------------------------------------------------------------------

fn cmd() -> assert_cmd::Command {
    crate::support::infobackup()
}

fn fixture_path(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/logs")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn cli_parse_text_and_json() {
    let out = cmd()
        .args(["parse", &fixture_path("4.4-samba-password-ok.log"), "--lang", "en"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("samba    FAILED: Erreur sur timeout 7200 smbclient"),
        "{text}"
    );
    assert!(!text.contains("S3cr3tPass") && !text.contains("jeedom_bk"), "{text}");

    let out = cmd()
        .args(["parse", &fixture_path("4.4-samba-password-ok.log"), "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON output");
    assert_eq!(json["runs"][0]["uploads"][0]["outcome"]["status"], "failed");
    assert_eq!(json["runs"][0]["generation"], serde_json::json!(["4.3", "4.4"]));
    assert!(!json.to_string().contains("S3cr3tPass"));
}

#[test]
fn cli_parse_reads_standard_input_and_summarises() {
    let out = cmd()
        .env("LC_ALL", "C")
        .args(["parse", "-", "--format", "summary"])
        .write_stdin(fixture("4.4-two-runs-ok.log"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.starts_with("runs: 2 (success 2, failed 0, unterminated 0, cut at start 0)"),
        "{text}"
    );
    let out = cmd()
        .args(["parse", "-"])
        .write_stdin(fixture("4.4-ok.log"))
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&out.get_output().stdout).starts_with("Sauvegarde 1 · Jeedom 4.4"));
}

#[test]
fn cli_parse_unreadable_file_exits_2_naming_it() {
    for format in ["text", "json", "summary"] {
        let out = cmd()
            .args(["parse", "/nonexistent/dir/backup", "--format", format])
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(err.contains("/nonexistent/dir/backup"), "{format}: {err}");
    }
}

/// Unknown lines are quoted as a person reads them: no Rust escapes; control characters as
/// their pictures; a line that is mostly control characters is described, not dumped.
#[test]
fn unknown_binary_and_control_characters_are_shown_for_a_person() {
    let mut input = b"[START BACKUP]\nhello \x1b[31m \"x\"\n".to_vec();
    input.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, b'a', 0x7f, 0x90, b'\n']);
    let model = log::parse(&input);
    let text = log::render::render_text(&model, &input, Lang::En);
    assert!(text.contains("line 2     \"hello ␛[31m \"x\"\""), "{text}");
    assert!(text.contains("line 3     (binary data, 11 bytes)"), "{text}");
    assert!(!text.contains("\\u{"), "{text}");
    let fr = log::render::render_text(&model, &input, Lang::Fr);
    assert!(fr.contains("(données binaires, 11 octets)"), "{fr}");
}

// ---- run order: one numbering, newest-first pastes, two logs one after the other ------------------

/// The runs of a text split at each `[START BACKUP]`, and put back together in reverse.
fn blocks_reversed(input: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(input).expect("UTF-8 fixture");
    let mut blocks: Vec<&str> = text.split_inclusive('\n').fold(Vec::new(), |mut acc, line| {
        if line.starts_with("[START BACKUP]") || acc.is_empty() {
            acc.push(line);
        } else {
            let last = acc.pop().unwrap_or_default();
            let start = last.as_ptr() as usize - text.as_ptr() as usize;
            acc.push(&text[start..start + last.len() + line.len()]);
        }
        acc
    });
    blocks.reverse();
    blocks.concat().into_bytes()
}

fn starts(m: &LogModel) -> Vec<String> {
    m.runs
        .iter()
        .map(|r| r.start.as_ref().map_or("cut".to_owned(), |(t, _)| t.to_string()))
        .collect()
}

#[test]
fn a_newest_first_paste_is_numbered_in_time_order_and_put_back_in_order() {
    let input = fixture("4.4-newest-first-ok.log");
    let m = log::parse(&input);
    assert_eq!(m.run_order, log::RunOrder::NewestFirst);
    assert_eq!(
        starts(&m),
        ["2025-06-02T02:45:01", "2025-06-03T02:45:01", "2025-06-04T02:45:01"]
    );
    // Run 1 is the oldest: the last block of the text; lines stay those of the paste.
    assert_eq!((m.runs[0].lines.first, m.runs[0].lines.last), (53, 78));
    assert_eq!((m.runs[2].lines.first, m.runs[2].lines.last), (1, 26));
    // The same runs as Jeedom writes them: read as written, and the text put back in order is
    // exactly that.
    let in_order = blocks_reversed(&input);
    let written = log::parse(&in_order);
    assert_eq!(written.run_order, log::RunOrder::AsWritten);
    assert_eq!(starts(&written), starts(&m));
    assert_eq!(log::in_time_order(&input).as_deref(), Some(&in_order[..]));
    assert_eq!(log::in_time_order(&in_order), None);
    // The JSON says so; a log in Jeedom's order has no such key.
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(json["run_order"], "newest_first");
    assert!(serde_json::to_value(&written).unwrap().get("run_order").is_none());
    let text = log::render::render_text(&m, &input, Lang::Fr);
    assert!(
        text.starts_with("Sauvegardes collées de la plus récente à la plus ancienne"),
        "{text}"
    );
}

#[test]
fn two_logs_pasted_one_after_the_other_keep_their_order() {
    // A complete 4.4 run, then another box's 4.5 log trimmed at its start.
    let m = log::parse(&fixture("two-logs-4.4-then-4.5-cut.log"));
    assert_eq!(m.run_order, log::RunOrder::AsWritten);
    assert_eq!(m.runs.len(), 2);
    assert_eq!((m.runs[0].lines.first, m.runs[0].lines.last), (1, 26));
    assert!(m.runs[1].cut_at_start() && m.runs[1].succeeded());
    // A 4.4 run that never ended, then another box's log trimmed at its start: the second
    // log's steps go back to the database check, so they start a run of their own instead of
    // finishing the first (no phantom run with the other box's archive).
    let m = log::parse(&fixture("two-logs-running-then-other-box-cut.log"));
    assert_eq!(m.runs.len(), 2, "{:#?}", m.runs);
    assert_eq!(m.runs[0].end, RunEnd::Unterminated);
    assert_eq!((m.runs[0].lines.first, m.runs[0].lines.last), (1, 13));
    assert!(m.runs[0].archive.is_none());
    assert!(m.runs[1].cut_at_start() && m.runs[1].succeeded());
    assert_eq!(
        m.runs[1].archive.as_ref().and_then(|a| a.box_name.as_deref()),
        Some("Salon")
    );
    // Two boxes' logs whose times go down are two logs, not a newest-first paste.
    let one = fixture("4.4-ok.log");
    let other = String::from_utf8(fixture("4.5-ok.log"))
        .unwrap()
        .replace("2025-10-01", "2020-01-01")
        .replace("backup-Jeedom-", "backup-Salon-");
    let both = [&one[..], other.as_bytes()].concat();
    let m = log::parse(&both);
    assert_eq!(m.runs.len(), 2);
    assert_eq!(m.run_order, log::RunOrder::AsWritten);
    assert!(m.runs[0].start.as_ref().unwrap().0 > m.runs[1].start.as_ref().unwrap().0);
    assert_eq!(log::in_time_order(&both), None);
}

#[test]
fn a_paste_with_its_lines_in_reverse_order_is_put_back_and_no_other_fixture_reads_as_one() {
    let reversed = fixture("order/4.4-lines-reversed-ok.log");
    let forward = fixture("4.4-two-runs-ok.log");
    assert_eq!(log::lines_in_order(&reversed).as_deref(), Some(&forward[..]));
    // No log in Jeedom's order (nor a newest-first paste of whole runs) is taken for one.
    let old = ["old/3.x-name-of-backup-ok.log", "old/2.x-samba-putting-file-ok.log"];
    for (name, input) in all_fixtures()
        .into_iter()
        .chain(old.iter().map(|n| (n.to_string(), fixture(n))))
    {
        assert_eq!(log::lines_in_order(&input), None, "{name}");
    }
}
