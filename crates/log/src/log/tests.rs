//! Unit tests of the parser on small texts (the fixture logs are in tests/integration).

use super::*;

const SPEC_44: &str = "[START BACKUP]
***************Start of Jeedom backup at 2025-09-10 03:27:01***************
Send begin backup event...OK
Checking files rights...OK
Checking  database...OK
Backing up database...OK
Cache persistence: 
OK
Creating archive...
OK
Cleaning old backup...OK
Send backup Market...[2025-09-10 03:29:40][ERROR] : Aucun serveur de backup defini. Avez-vous bien un abonnement au backup cloud ?
/!\\ Aucun serveur de backup defini. Avez-vous bien un abonnement au backup cloud ? /!\\OK
Send backup Samba...OK
Limiting backup size to 500 Mb...
OK
Backup name: /var/www/html/core/php/../../backup/backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz
Checking files rights...OK
Send end backup event...OK
Backup operation duration: 212s
***************Jeedom backup end***************
[END BACKUP SUCCESS]
";

#[test]
fn spec_example() {
    let m = parse(SPEC_44.as_bytes());
    assert_eq!(m.unknown, vec![]);
    assert_eq!(m.runs.len(), 1);
    let r = &m.runs[0];
    assert!(r.succeeded());
    assert_eq!(r.steps.len(), 10);
    assert!(r.steps.iter().all(|s| s.result == StepResult::Ok), "{:#?}", r.steps);
    assert_eq!(r.uploads.len(), 2);
    assert!(matches!(r.uploads[0].outcome, UploadOutcome::Failed { .. }));
    assert_eq!(r.uploads[1].outcome, UploadOutcome::Ok);
    assert_eq!(r.logger_lines.len(), 1);
    assert!(r.logger_lines[0].mid_line);
    assert_eq!(r.errors().count(), 1);
    let a = r.archive.as_ref().unwrap();
    assert_eq!(a.box_name.as_deref(), Some("Jeedom"));
    assert_eq!(a.version.as_deref(), Some("4.4.20"));
    assert_eq!(a.stamp.as_deref(), Some("2025-09-10-03h27"));
    assert_eq!(
        r.end_time().map(|t| t.to_string()),
        Some("2025-09-10T03:30:33".to_owned())
    );
    assert_eq!(r.generation.to_string(), "4.3/4.4");
    assert_eq!(m.line_count, 22);
}

#[test]
fn a_second_pasted_file_with_its_own_bom_is_not_a_reflow() {
    let mut input = b"\xEF\xBB\xBF[START BACKUP]\n[END BACKUP SUCCESS]\n".to_vec();
    input.extend_from_slice(b"\xEF\xBB\xBF[START BACKUP]\n[END BACKUP SUCCESS]\n");
    let m = parse(&input);
    assert_eq!(m.runs.len(), 2);
    assert!(!m.reflowed);
    assert_eq!(m.unknown, vec![]);
    assert_eq!(m.encoding, Encoding::Utf8Bom);
    assert_eq!(m.runs[1].start_marker.as_ref().map(|s| s.span.clone()), Some(42..56));
}

#[test]
fn cr_at_the_end_of_a_chunk_then_lf() {
    let mut parser = Parser::new();
    let mut items = Vec::new();
    parser.feed(b"[START BACKUP]\r", &mut |i| items.push(i));
    parser.feed(b"\n[END BACKUP SUCCESS]\r", &mut |i| items.push(i));
    parser.feed(b"", &mut |i| items.push(i));
    parser.feed(b"\n", &mut |i| items.push(i));
    let info = parser.finish(&mut |i| items.push(i));
    assert_eq!(
        (info.line_endings.crlf, info.line_endings.cr, info.line_count),
        (2, 0, 2)
    );
    assert_eq!(items.len(), 1);
}

#[test]
fn upload_failure_without_closing_sign_and_glued_ok() {
    let m = parse(
        b"[START BACKUP]\nSend backup Samba...Domain=[WG] OS=[Unix]\nputting file a as b (1 kb/s)OK\n\
Send backup Market.../!\\ quota\nOK\n",
    );
    let r = &m.runs[0];
    assert_eq!(r.uploads[0].outcome, UploadOutcome::Ok);
    assert_eq!(r.uploads[0].noise_count, 2);
    assert_eq!(r.uploads[0].ok_at.as_ref().map(|a| a.line), Some(3));
    assert_eq!(
        r.uploads[1].outcome,
        UploadOutcome::Failed {
            message: "quota".into()
        }
    );
    assert_eq!(m.unknown, vec![]);
}

#[test]
fn generation_keeps_the_first_evidence_when_lines_contradict() {
    let m = parse(b"[START BACKUP]\nChecking  table cmd...OK\nChecking  database...OK\n");
    assert_eq!(m.runs[0].generation.to_string(), "4.5");
}

#[test]
fn archive_stamps_read_only_well_formed_digits() {
    use jiff::civil::date;
    assert_eq!(parse_stamp("2025-09-10-03h27"), Some(date(2025, 9, 10).at(3, 27, 0, 0)));
    for bad in [
        "2025-09-10-03h2x",
        "2025-13-10-03h27",
        "2025-09-10-03-27",
        "+025-09-10-03h27",
        "2025-09-10-03h277",
        "é025-09-10-03h2",
    ] {
        assert_eq!(parse_stamp(bad), None, "{bad}");
    }
}

/// The stamp reader against the byte-by-byte one it replaced, on mutations of valid stamps.
#[test]
fn archive_stamps_read_what_a_byte_by_byte_reader_reads() {
    // The reader before it was rewritten as one pattern.
    let reference = |s: &str| -> Option<jiff::civil::DateTime> {
        let b = s.as_bytes();
        if b.len() != 16 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b'-') {
            return None;
        }
        if b.get(13) != Some(&b'h') {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i16> {
            b.get(r)?
                .iter()
                .try_fold(0i16, |n, c| c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0')))
        };
        let (y, mo, d) = (
            num(0..4)?,
            i8::try_from(num(5..7)?).ok()?,
            i8::try_from(num(8..10)?).ok()?,
        );
        let (h, mi) = (i8::try_from(num(11..13)?).ok()?, i8::try_from(num(14..16)?).ok()?);
        jiff::civil::DateTime::new(y, mo, d, h, mi, 0, 0).ok()
    };
    // Bytes on both sides of the digits (`/`, `:`), of `-` (`,`, `.`) and of `h` (`g`, `i`).
    let replacements = [
        "0", "9", "2", "-", "h", "a", "é", "", "+", "00", "/", ":", ",", ".", "g", "i", "\0", "\u{7f}",
    ];
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || xorshift(&mut seed);
    for base in [
        "2025-09-10-03h27",
        "2024-02-29-23h59",
        "0000-01-01-00h00",
        "9999-12-31-23h59",
    ] {
        assert_eq!(parse_stamp(base), reference(base), "{base}");
        for _ in 0..2000 {
            let mut t = base.to_owned();
            for _ in 0..1 + next() % 2 {
                let at = (next() % 17) as usize;
                let with = replacements[(next() % replacements.len() as u64) as usize];
                let end = (at + 1).min(t.len());
                if t.is_char_boundary(at) && t.is_char_boundary(end) {
                    t.replace_range(at..end, with);
                }
            }
            assert_eq!(parse_stamp(&t), reference(&t), "{t:?}");
        }
    }
}

/// Removes every `"span"` so two models of the same log, quoted or not, compare on their facts.
fn without_spans(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("span");
            m.values_mut().for_each(without_spans);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(without_spans),
        _ => {}
    }
}

#[test]
fn a_forum_quote_is_read_past_with_spans_after_the_prefix() {
    // `> ` on every line, `>` alone on an empty line, a nested `> > ` and a CRLF line.
    let mut quoted = String::new();
    for (n, l) in SPEC_44.lines().enumerate() {
        match n {
            2 => quoted.push_str(&format!("> > {l}\r\n")),
            4 => quoted.push_str(&format!(">{l}\n>\n")),
            _ => quoted.push_str(&format!("> {l}\n")),
        }
    }
    let plain = SPEC_44.replacen("Checking  database...OK\n", "Checking  database...OK\n\n", 1);
    let plain = plain.replacen("Send begin backup event...OK\n", "Send begin backup event...OK\r\n", 1);
    let (q, p) = (parse(quoted.as_bytes()), parse(plain.as_bytes()));
    assert!(q.quoted && !p.quoted);
    assert!(!q.reflowed);
    assert_eq!(q.unknown, vec![]);
    assert_eq!(q.runs.len(), 1);
    let r = &q.runs[0];
    // Line 1 is `> [START BACKUP]`: the span starts after the prefix.
    let start = r.start_marker.as_ref().unwrap();
    assert_eq!((start.line, start.span.clone()), (1, 2..16));
    // Line 3 is `> > Send begin…`: after the nested prefix.
    let step = &r.steps[0];
    assert_eq!(step.at.line, 3);
    assert_eq!(&quoted.as_bytes()[step.at.span.start as usize..][..4], b"Send");
    let (mut qj, mut pj) = (serde_json::to_value(&q).unwrap(), serde_json::to_value(&p).unwrap());
    without_spans(&mut qj);
    without_spans(&mut pj);
    assert_eq!(qj["runs"], pj["runs"]);
    assert_eq!(qj["quoted"], true);
    assert!(
        pj.get("quoted").is_none(),
        "an unquoted model's JSON has no `quoted` key"
    );
}

#[test]
fn a_line_starting_with_gt_that_is_not_log_text_is_left_alone() {
    let m = parse(b"> a reply on the forum\n[START BACKUP]\n[END BACKUP SUCCESS]\n");
    assert!(!m.quoted);
    assert_eq!(m.unknown.len(), 1);
    assert_eq!(m.unknown[0].span, 0..22, "the unknown piece keeps its `>`");
    assert_eq!(m.runs.len(), 1);
}

#[test]
fn once_quoted_every_later_prefix_is_read_past() {
    // Tar warnings inside a step are not log-shaped alone; after the quote has started they are
    // the step's output, not unknown lines.
    let m = parse(
        b"> [START BACKUP]\n> Creating archive...\n> tar: file changed as we read it\n> OK\n> [END BACKUP SUCCESS]\n",
    );
    assert!(m.quoted);
    assert_eq!(m.unknown, vec![]);
    let step = &m.runs[0].steps[0];
    assert_eq!(step.output.len(), 1, "{step:?}");
}

// ---- chunking changes nothing ------------------------------------------------------------------

/// Parses fed in chunks of `chunk` bytes: lines straddle chunks and are carried over, a chunk
/// that is not valid UTF-8 as a whole is decoded line by line. [`parse`] (one chunk, validated
/// at once) is the reference.
fn parse_in_chunks(bytes: &[u8], chunk: usize) -> LogModel {
    let mut model = ModelBuilder::new();
    let mut parser = Parser::new();
    for c in bytes.chunks(chunk.max(1)) {
        parser.feed(c, &mut |item| model.push(item));
    }
    let info = parser.finish(&mut |item| model.push(item));
    model.finish(info)
}

fn log_fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/logs");
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("the fixture logs")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("a fixture"),
            )
        })
        .collect();
    all.sort();
    all
}

proptest::proptest! {
    // 96 cases by default; `PROPTEST_CASES=5000` for a longer hunt.
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96),
        ..Default::default()
    })]

    /// Mutated real logs, a few times over: the model is the same whatever the chunk size.
    #[test]
    fn chunk_size_changes_no_model_of_mutated_logs(
        which in proptest::prelude::any::<proptest::sample::Index>(),
        edits in proptest::collection::vec(
            (proptest::prelude::any::<proptest::sample::Index>(), proptest::sample::select(vec![
                &b""[..], b"\n", b"\r", b"\0", b" ", b"OK", b"...", b"[START BACKUP]", b"/!\\ ", b"\xe9",
                b"Checking  table x...", b"[2025-01-01 03:29:40][ERROR] ", b"Details : ",
            ]), 0usize..3),
            0..12,
        ),
        copies in 3usize..5,
        chunk in 1usize..600,
    ) {
        let all = log_fixtures();
        let (_, input) = which.get(&all);
        let mut bytes: Vec<u8> = Vec::new();
        for _ in 0..copies {
            bytes.extend_from_slice(input);
        }
        for (at, insert, remove) in &edits {
            let at = at.index(bytes.len() + 1);
            let end = (at + remove).min(bytes.len());
            bytes.splice(at..end, insert.iter().copied());
        }
        proptest::prop_assert_eq!(parse_in_chunks(&bytes, chunk), parse(&bytes));
    }
}

/// Runs whose storage is reused (lent by `feed_ref`, or given back with `recycle`) leave
/// nothing of theirs in the next ones: every fixture, one after the other, three times over,
/// gives the model read without any reuse.
#[test]
fn reused_run_storage_changes_no_model() {
    let mut all = Vec::new();
    for _ in 0..3 {
        for (_, input) in log_fixtures() {
            all.extend_from_slice(&input);
            all.push(b'\n');
        }
    }
    let fresh = parse(&all);
    for chunk in [1 << 20, 4096, 97] {
        let mut lent = ModelBuilder::new();
        let mut parser = Parser::new();
        for c in all.chunks(chunk) {
            parser.feed_ref(c, &mut |item| lent.push(item.to_item()));
        }
        let info = parser.finish_ref(&mut |item| lent.push(item.to_item()));
        assert_eq!(lent.finish(info), fresh, "lent, chunks of {chunk}");

        let mut given_back = ModelBuilder::new();
        let mut parser = Parser::new();
        let mut runs = Vec::new();
        for c in all.chunks(chunk) {
            parser.feed(c, &mut |item| match item {
                LogItem::Run(r) => {
                    given_back.push(LogItem::Run(r.clone()));
                    runs.push(r);
                }
                item => given_back.push(item),
            });
            runs.drain(..).for_each(|r| parser.recycle(r));
        }
        let info = parser.finish(&mut |item| given_back.push(item));
        assert_eq!(given_back.finish(info), fresh, "given back, chunks of {chunk}");
    }
    assert!(fresh.runs.len() > 60, "{}", fresh.runs.len());
    for kind in [
        |r: &Run| r.archive.is_some(),
        |r: &Run| !r.deletions.is_empty(),
        |r: &Run| !r.remote_deletions.is_empty(),
        |r: &Run| !r.logger_lines.is_empty(),
        |r: &Run| {
            r.uploads
                .iter()
                .any(|u| matches!(u.outcome, UploadOutcome::Failed { .. }))
        },
        |r: &Run| r.uploads.iter().any(|u| !u.noise.is_empty()),
        |r: &Run| matches!(&r.end, RunEnd::Failed { details: Some(_), .. }),
    ] {
        assert!(
            fresh.runs.iter().filter(|r| kind(r)).count() >= 3,
            "the fixtures cover every reused text"
        );
    }
}

/// The file name of a remote deletion, against the reading it replaced (`str::find` for the
/// closing quote, then no backslash in the name), on texts built from JSON-ish pieces.
#[test]
fn remote_deletion_names_read_as_before() {
    let reference = |detail: &str| -> Option<String> {
        const KEY: &str = "\"filename\":\"";
        let rest = match detail.strip_prefix('{').and_then(|d| d.strip_prefix(KEY)) {
            Some(rest) => rest,
            None => detail.get(detail.find(KEY)? + KEY.len()..)?,
        };
        let end = rest.find('"')?;
        let name = rest.get(..end)?;
        (!name.is_empty() && !name.contains('\\')).then(|| name.to_owned())
    };
    let pieces = [
        "{",
        "}",
        "\"filename\":\"",
        "\"",
        "\\",
        "a",
        "é",
        ".tar.gz",
        ",\"size\":1",
        ":",
        " ",
    ];
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut named = 0;
    for _ in 0..5000 {
        xorshift(&mut seed);
        // Most texts start the way Jeedom's do, or have the key further on.
        let starts = ["{\"filename\":\"", "{\"size\":1,\"filename\":\"", "{", ""];
        let mut t = String::from(starts[(seed % 4) as usize]);
        for _ in 0..seed % 12 {
            xorshift(&mut seed);
            t.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        assert_eq!(
            super::parser::json_file_name(&t).map(str::to_owned),
            reference(&t),
            "{t:?}"
        );
        named += usize::from(reference(&t).is_some());
    }
    assert!(named > 50, "{named} texts with a name");
    let real = r#"{"filename":"backup-Jeedom-4.4.19-2024-12-01-03h27.tar.gz","size":221007532}"#;
    assert_eq!(
        super::parser::json_file_name(real),
        Some("backup-Jeedom-4.4.19-2024-12-01-03h27.tar.gz")
    );
}

/// A small xorshift generator for the differential tests of the log module: a fixed sequence
/// from a fixed seed, so a failure names the same text every time.
pub(crate) fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

// ---- a growing log, parsed once -----------------------------------------------------------------

/// Views of a growing buffer (every fixture one after the other, cut at line ends, inside lines,
/// between a CR and its LF) give the model of each prefix parsed from its first byte.
#[test]
fn a_growing_log_gives_the_model_of_each_prefix() {
    let mut all = Vec::new();
    for (_, input) in log_fixtures() {
        all.extend_from_slice(&input);
    }
    let whole = bytes::Bytes::from(all);
    let mut seed = 0x1234_5678_9ABC_DEF1u64;
    let mut cuts: Vec<usize> = memchr::memchr_iter(b'\n', &whole).map(|k| k + 1).step_by(7).collect();
    for _ in 0..200 {
        cuts.push((xorshift(&mut seed) % (whole.len() as u64 + 1)) as usize);
    }
    cuts.sort_unstable();
    let mut growing = GrowingLog::new();
    for cut in cuts {
        let prefix = whole.slice(..cut);
        let view = growing.view(&prefix);
        let model = parse(&prefix);
        assert_eq!(view.to_model(), model, "prefix of {cut} bytes");
        assert_eq!(view.run_count(), model.runs.len());
        assert_eq!(view.all_logger_lines(), model.all_logger_lines());
    }
    let view = growing.view(&whole);
    assert!(view.run_count() > 30);
    // Another buffer, or a shorter view: read from the first byte again.
    let other = bytes::Bytes::copy_from_slice(&whole[..whole.len() / 2]);
    assert_eq!(growing.view(&other).to_model(), parse(&other));
    let shorter = whole.slice(..whole.len() / 3);
    assert_eq!(growing.view(&shorter).to_model(), parse(&shorter));
}

#[test]
fn control_bytes_tell_binary_data_from_a_log() {
    let count = |bytes: &[u8]| count_control_bytes(bytes);
    let binary = |bytes: &[u8]| looks_binary(count_control_bytes(bytes), bytes.len() as u64);
    // NUL bytes are not control bytes: a log emptied while a writer held its offset starts with
    // them, a power cut leaves blocks of them.
    let mut nuls = vec![0u8; 4000];
    nuls.extend_from_slice(b"[START BACKUP]\nStart of Jeedom backup at 2025-06-02 02:45:01\n");
    nuls.extend_from_slice(&[0u8; 4096]);
    assert_eq!((parse(&nuls).nul_bytes, count(&nuls)), (8096, 0));
    assert!(!binary(&nuls));
    // A coloured log keeps its escape sequences; tabs, form feeds and CR line ends are text.
    assert_eq!(count(b"\x1b[32m[START BACKUP]\x1b[0m\r\n\tOK\x0c\n"), 0);
    // The other C0 controls and DEL count.
    let few = b"[START BACKUP]\x00\x01\x02\n\x7f\x1f\n";
    assert_eq!(count(few), 4);
    assert!(!binary(few), "fewer than 16");
    // A program: markers among machine code.
    let mut program = b"\x7fELF\x02\x01\x01\x00".to_vec();
    program.extend((0..2000u32).map(|k| (k % 32) as u8));
    program.extend_from_slice(b"[START BACKUP]\n[END BACKUP SUCCESS]\n");
    assert!(binary(&program), "{} of {}", count(&program), program.len());
    assert_eq!(
        parse(&program).runs.len(),
        1,
        "the runs are still read; refusing them is the caller's choice"
    );
    // A log with a few stray controls (a crash) is text: fewer than one byte in twenty.
    let mut long = b"Backing up database...OK\n".repeat(20);
    long.extend_from_slice(&[1u8; 20]);
    assert_eq!(count(&long), 20);
    assert!(!binary(&long));
}

#[test]
fn an_end_banner_without_its_marker_is_a_success_the_text_cut() {
    let text = SPEC_44;
    let cut = text.trim_end().strip_suffix("[END BACKUP SUCCESS]").unwrap();
    let m = parse(cut.as_bytes());
    let banner_line = cut.lines().count() as u32;
    match &m.runs[0].end {
        RunEnd::Success { at, without_marker } => assert_eq!((at.line, *without_marker), (banner_line, true)),
        other => panic!("{other:?}"),
    }
    assert!(m.runs[0].succeeded());
    // The same before the next run's start, and not at all with the marker there.
    let two = format!("{cut}\n{text}");
    let m = parse(two.as_bytes());
    assert_eq!(m.runs.len(), 2);
    assert!(matches!(
        m.runs[0].end,
        RunEnd::Success {
            without_marker: true,
            ..
        }
    ));
    assert!(matches!(
        m.runs[1].end,
        RunEnd::Success {
            without_marker: false,
            ..
        }
    ));
    // Cut before the banner: no end at all.
    let before = cut.trim_end().rsplit_once('\n').unwrap().0;
    assert_eq!(parse(before.as_bytes()).runs[0].end, RunEnd::Unterminated);
}

#[test]
fn a_run_pasted_twice_is_held_once() {
    let a = SPEC_44;
    let b = SPEC_44.replace("2025-09-10 03:27:01", "2025-09-11 03:27:01");
    // The same run twice, a blank line between: one copy left out.
    let (once, dropped) = without_repeated_runs(format!("{a}\n{a}").as_bytes()).unwrap();
    assert_eq!(dropped, 1);
    assert_eq!(parse(&once).runs.len(), 1);
    // Two different runs: nothing to do; a repeat among others: only it goes, the order stays.
    assert_eq!(without_repeated_runs(format!("{a}{b}").as_bytes()), None);
    let (once, dropped) = without_repeated_runs(format!("{a}{b}{a}").as_bytes()).unwrap();
    assert_eq!(dropped, 1);
    assert_eq!(String::from_utf8(once).unwrap(), format!("{a}{b}"));
    // What follows a run up to the next one (logger lines) is not part of it: it stays.
    let logger = "[2025-09-10 03:40:00][ERROR] : after the run\n";
    let (once, _) = without_repeated_runs(format!("{a}{logger}{a}").as_bytes()).unwrap();
    assert_eq!(String::from_utf8(once).unwrap(), format!("{a}{logger}"));
}

#[test]
fn html_line_breaks_of_a_copied_page_source_are_not_text() {
    let plain = parse(SPEC_44.as_bytes());
    for br in ["<br>", "<br/>", "<BR />", "<br>  "] {
        let marked: String = SPEC_44.lines().map(|l| format!("{l}{br}\n")).collect();
        let m = parse(marked.as_bytes());
        assert_eq!(m.runs.len(), 1, "{br:?}");
        let (r, p) = (&m.runs[0], &plain.runs[0]);
        assert_eq!(
            r.archive.as_ref().map(|a| &a.file_name),
            p.archive.as_ref().map(|a| &a.file_name),
            "{br:?}"
        );
        assert!(r.succeeded(), "{br:?}");
        assert_eq!(
            (r.steps.len(), r.uploads.len()),
            (p.steps.len(), p.uploads.len()),
            "{br:?}"
        );
        assert!(m.unknown.is_empty(), "{br:?}: {:?}", m.unknown);
    }
    // Inside a line, or not a line break: text as it is.
    let m = parse(b"[START BACKUP]\nBackup name: /b/backup-x-4.4.20-2025-06-02-02h45.tar.gz<b>\n");
    assert!(m.runs[0].archive.as_ref().is_some_and(|a| a.file_name.ends_with("<b>")));
}
