//! The diagnosis as one JSON document for tools (`diagnose --format json`). This is a contract:
//! the shape below is built here by hand, not derived from internal types, so that the engine
//! and the log model can change without changing it. Version it with `format`.
//!
//! ```text
//! {
//!   "format": "infobackup-diagnosis/1",
//!   "input": {"name": "backup.log", "case_folder": false, "description": null | "…",
//!             "logs": [{"log": "backup", "file": "backup.log", "lines": 24, "bytes": 812}]},
//!   "lang": "fr",
//!   "profiles": {"published": "v2024-08", "strict": "strict" | null},
//!   "jeedom": "4.4", "tz": "Europe/Paris", "php": 8, "min_size": 104857600,
//!   "jeedom_seen": null | "3.3.39", "jeedom_note": null | "…",   // a log of a Jeedom the scenario
//!                                                                 // has no revision for, replayed as "jeedom"
//!   "live": null | {"url", "version", "virtual", "tile": TILE | null, "config": {k: v},
//!             "unavailable": ["local_listing", "samba_listing"], "log_caveat": "log_get" | "not_utf8" | null,
//!             "now": "…" | null},
//!   "runs": [{
//!     "run": 1, "log": "backup", "file": "backup.log", "lines": {"first": 1, "last": 24},
//!     "start": "2025-09-10 03:27:01" | null,
//!     "end": {"status": "success" | "failed" | "unterminated", "line": 24 | null, "message": "…" | null},
//!            // + "without_marker": true when a success is read from the end banner alone
//!     "summary": "…",                           // one sentence, in `lang`
//!     "cause": [QUOTE],                          // what Jeedom printed: the errors behind a
//!                                                // failure (step output, logger errors, the
//!                                                // wrapper, every line of an upload's message)
//!                                                // and tar's lines (label says error or warning)
//!     "advice": [{"id": "database-server-down" | … | "unknown", "cause": "…", "advice": "…" | null,
//!                 "lines": [6, 7]}],           // each failure, from signatures.toml
//!     "healthy": true,
//!     "tiles": {"published": TILE | null, "strict": TILE | null},
//!     "disagreement": null | {"kind": "never_ends" | "published_crashed" | "published_hides"
//!                              | "published_worse" | "other", "text": "…",
//!                              "flags": ["errorLog", …]},
//!     "flags": [{"flag": "errorScenario", "json_path": "errorScenario",
//!                "published": {"value": 0 | 1 | -1 | null, "rule": "stamp_found", "sentence": "…"} | null,
//!                "strict": {…} | null,
//!                "quotes": [QUOTE],
//!                "assumed": "…" | null}],            // the defaults the flag rests on, with
//!                                                    // their options; the six flags in order
//!     "timeline": [{"line": 2, "last_line": 2, "time": "2025-09-10 03:27:01" | null, "event": "start", "text": "…", "bad": false}],
//!     "triggers": [{"trigger": "begin_backup", "at": "…", "strict_only": false,
//!                   "published": TILE | null, "strict": TILE | null,
//!                   "scenario_log": ["…"]}],   // only with a php: published profile: what the
//!                                              // scenario's own code wrote with setLog

//!     "assumptions": [ASSUMPTION]
//!   }],
//!   "assumptions": [ASSUMPTION], "notes": ["…"],
//!   "summary": {"runs": 1, "problems": 0, "healthy": true, "exit_code": 0}
//! }
//! TILE = {"label": "finished local=success", "tone": "good" | "busy" | "warn" | "bad",
//!         "headline": "…", "virtual": "…the virtual's value…", "at": "…"}
//! QUOTE = {"file": "backup.log", "line": 12, "text": "…", "mark": {"start": 21, "end": 49} | null, "label": "…"}
//! ASSUMPTION = {"kind": "inferred" | "assumed" | "flag" | "added" | "live", "subject": "…",
//!               "value": "…", "lines": [{"file": "backup.log", "line": 2}], "hint": "…" | null, "text": "…"}
//! ```
//! Sentences are in the requested language; every other value is language-neutral. Every text
//! has been redacted. No internal type's own serialisation reaches the document: a rule's name,
//! a fact's kind and every other code are written out by a `match` here.

use serde_json::{Map, Value, json};

use super::words::{assumption_text, disagreement_text, event_is_bad, event_text, note_text, quote_label, run_summary};
use super::{Diagnosis, Disagreement, EventKind, Quote, RunReport, Verdict};
use crate::Lang;
use crate::case::{Fact, Origin};
use crate::engine::{FlagKind, Rule};
use crate::log::RunEnd;
use crate::widget::{Tile, Tone};
use crate::world::format_at;

/// The format tag of the document.
pub const FORMAT: &str = "infobackup-diagnosis/1";

fn tone(t: Tone) -> &'static str {
    match t {
        Tone::Good => "good",
        Tone::Busy => "busy",
        Tone::Warn => "warn",
        Tone::Bad => "bad",
    }
}

fn tile(t: &Tile, value: &str, lang: Lang, d: &Diagnosis) -> Value {
    json!({
        "label": t.label(),
        "tone": tone(t.tone()),
        "headline": d.redact(&t.headline(lang)),
        "virtual": d.redact(value),
        "at": t.written_at.map(format_at),
    })
}

fn verdict_tile(v: Option<&Verdict>, lang: Lang, d: &Diagnosis) -> Value {
    v.map_or(Value::Null, |v| tile(&v.tile, &v.step.virtual_value, lang, d))
}

fn quote(q: &Quote, lang: Lang, d: &Diagnosis) -> Value {
    json!({
        "file": q.file,
        "line": q.line,
        "text": d.redact(&q.text),
        "mark": q.mark.as_ref().map(|m| json!({"start": m.start, "end": m.end})),
        "label": quote_label(q, lang),
    })
}

/// The kind of a fact, as the contract names it.
fn origin(o: &Origin) -> &'static str {
    match o {
        Origin::Inferred { .. } => "inferred",
        Origin::Assumed { .. } => "assumed",
        Origin::Option => "flag",
        Origin::Added { .. } => "added",
        Origin::Live => "live",
    }
}

/// A fact: its subject and value in English (language-neutral), its sentence in `lang`.
fn assumption(f: &Fact, lang: Lang, d: &Diagnosis) -> Value {
    json!({
        "kind": origin(&f.origin),
        "subject": d.redact(&f.subject.text(Lang::En)),
        "value": d.redact(&f.value.text(Lang::En)),
        "lines": f.lines().iter().map(|l| json!({"file": l.file, "line": l.line})).collect::<Vec<_>>(),
        "hint": f.hint(),
        "text": assumption_text(f, d, lang).trim().to_owned(),
    })
}

fn decision(v: Option<&Verdict>, kind: FlagKind, lang: Lang, d: &Diagnosis) -> Value {
    let Some(v) = v else { return Value::Null };
    let dec = v.step.evidence.decision(kind);
    json!({
        "value": v.flag(kind).map(|f| f.code()),
        "rule": rule_name(&dec.rule),
        "sentence": d.redact(&super::words::flag_sentence_for(d, v, kind, lang)),
    })
}

/// The rule's name in the contract. Written out here rather than taken from the engine's own
/// serialisation, so that renaming a rule inside the engine cannot change the document.
fn rule_name(r: &Rule) -> &'static str {
    match r {
        Rule::BeginStart { .. } => "begin_start",
        Rule::OtherTrigger { .. } => "other_trigger",
        Rule::StampFound { .. } => "stamp_found",
        Rule::NoStamp { .. } => "no_stamp",
        Rule::LogErrors { .. } => "log_errors",
        Rule::LogClean { .. } => "log_clean",
        Rule::ArchiveFound { .. } => "archive_found",
        Rule::ArchiveMissing { .. } => "archive_missing",
        Rule::SizeAbove { .. } => "size_above",
        Rule::SizeNotAbove { .. } => "size_not_above",
        Rule::SizeNoArchive => "size_no_archive",
        Rule::SambaSkipped(_) => "samba_skipped",
        Rule::SambaNewest { .. } => "samba_newest",
        Rule::SambaEmpty { .. } => "samba_empty",
        Rule::SambaListingFailed { .. } => "samba_listing_failed",
        Rule::UploadOk { .. } => "upload_ok",
        Rule::UploadFailed { .. } => "upload_failed",
        Rule::UploadMissing { .. } => "upload_missing",
        Rule::UploadNotConfigured { .. } => "upload_not_configured",
        Rule::MarketNotChecked => "market_not_checked",
        Rule::RunFailed { .. } => "run_failed",
        Rule::LoggerErrors { .. } => "logger_errors",
        Rule::RunClean { .. } => "run_clean",
        Rule::BeginNotSeen { .. } => "begin_not_seen",
        Rule::MarketSkipped(_) => "market_skipped",
        Rule::RunTimedOut { .. } => "run_timed_out",
        Rule::RunInProgress { .. } => "run_in_progress",
        Rule::NoRun { .. } => "no_run",
        Rule::Unchanged => "unchanged",
        Rule::CheckDisabled => "check_disabled",
        Rule::Crashed => "crashed",
        Rule::ScenarioCode { .. } => "scenario_code",
    }
}

fn disagreement_kind(dis: &Disagreement) -> &'static str {
    match dis {
        Disagreement::NeverEnds { .. } => "never_ends",
        Disagreement::PublishedCrashed { .. } => "published_crashed",
        Disagreement::PublishedHides => "published_hides",
        Disagreement::PublishedWorse => "published_worse",
        Disagreement::Other => "other",
    }
}

fn event_name(e: &EventKind) -> &'static str {
    match e {
        EventKind::StartMarker => "start_marker",
        EventKind::Start => "start",
        EventKind::Step { .. } => "step",
        EventKind::Folded { .. } => "steps",
        EventKind::Upload { .. } => "upload",
        EventKind::Logger { .. } => "logger",
        EventKind::Deletion { .. } => "deletion",
        EventKind::RemoteDeletion { .. } => "remote_deletion",
        EventKind::Archive { .. } => "archive",
        EventKind::Duration { .. } => "duration",
        EventKind::EndBanner => "end_banner",
        EventKind::Success => "success",
        EventKind::Failed { .. } => "failed",
        EventKind::Unterminated => "unterminated",
    }
}

fn run(r: &RunReport, lang: Lang, d: &Diagnosis) -> Value {
    let end = match &r.run.end {
        RunEnd::Success {
            at,
            without_marker: false,
        } => json!({"status": "success", "line": at.line, "message": null}),
        // The line is the end banner's; the key is there only then, so the usual JSON is unchanged.
        RunEnd::Success {
            at,
            without_marker: true,
        } => json!({"status": "success", "line": at.line, "message": null, "without_marker": true}),
        RunEnd::Failed { message, at, .. } => {
            json!({"status": "failed", "line": at.line, "message": message.as_deref().map(|m| d.redact(m))})
        }
        RunEnd::Unterminated => json!({"status": "unterminated", "line": null, "message": null}),
    };
    let flags: Vec<Value> = r
        .flags
        .iter()
        .map(|f| {
            json!({
                "flag": f.kind.to_string(),
                "json_path": f.kind.json_path(),
                "published": decision(r.published.as_ref(), f.kind, lang, d),
                "strict": decision(r.strict.as_ref(), f.kind, lang, d),
                "quotes": f.quotes.iter().map(|q| quote(q, lang, d)).collect::<Vec<_>>(),
                "assumed": super::words::flag_defaults_text(d, r, f.kind, lang).map(|a| d.redact(&a)),
            })
        })
        .collect();
    let timeline: Vec<Value> = r
        .events
        .iter()
        .map(|e| {
            json!({
                "line": e.line,
                "last_line": e.last_line,
                "time": e.time.map(format_at),
                "event": event_name(&e.what),
                "text": d.redact(&event_text(e, lang)),
                "bad": event_is_bad(e),
            })
        })
        .collect();
    let triggers: Vec<Value> = r
        .triggers
        .iter()
        .map(|t| {
            let mut v = json!({
                "trigger": t.trigger.as_str(),
                "at": format_at(t.at),
                "strict_only": t.strict_only,
                "published": t.published.as_ref().map(|x| json!({"label": x.label(), "tone": tone(x.tone()), "headline": d.redact(&x.headline(lang))})),
                "strict": t.strict.as_ref().map(|x| json!({"label": x.label(), "tone": tone(x.tone()), "headline": d.redact(&x.headline(lang))})),
            });
            if !t.scenario_log.is_empty()
                && let Some(o) = v.as_object_mut()
            {
                let lines: Vec<String> = t.scenario_log.iter().map(|l| d.redact(l)).collect();
                o.insert("scenario_log".to_owned(), json!(lines));
            }
            v
        })
        .collect();
    let disagreement = r.disagreement().map(|dis| {
        json!({
            "kind": disagreement_kind(&dis),
            "text": d.redact(&disagreement_text(r, &dis, lang)),
            "flags": r.differing_flags().iter().map(ToString::to_string).collect::<Vec<_>>(),
        })
    });
    json!({
        "run": r.number,
        "log": r.log.as_str(),
        "file": r.file,
        "lines": {"first": r.run.lines.first, "last": r.run.lines.last},
        "start": r.run.start.as_ref().map(|(t, _)| format_at(*t)),
        "end": end,
        "summary": d.redact(&run_summary(r, lang)),
        "cause": r.cause.iter().map(|q| quote(q, lang, d)).collect::<Vec<_>>(),
        "advice": r.findings.iter().map(|f| {
            let (cause, advice) = super::advice::finding_words(f, lang);
            json!({"id": f.id(), "cause": d.redact(&cause), "advice": advice.map(|a| d.redact(&a)), "lines": f.lines})
        }).collect::<Vec<_>>(),
        "healthy": r.healthy(),
        "tiles": {
            "published": verdict_tile(r.published.as_ref(), lang, d),
            "strict": verdict_tile(r.strict.as_ref(), lang, d),
        },
        "disagreement": disagreement,
        "flags": flags,
        "timeline": timeline,
        "triggers": triggers,
        "assumptions": r.assumptions.iter().map(|a| assumption(a, lang, d)).collect::<Vec<_>>(),
    })
}

/// The whole document.
pub fn render_json(d: &Diagnosis, lang: Lang) -> Value {
    let logs: Vec<Value> = d
        .sources
        .iter()
        .map(|s| json!({"log": s.log.as_str(), "file": s.file, "lines": s.line_count(), "bytes": s.bytes.len()}))
        .collect();
    let live = d.live.as_ref().map(|l| {
        let config: Map<String, Value> = l
            .config
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(d.redact(v))))
            .collect();
        json!({
            "url": d.redact(&l.url),
            "version": l.version,
            "virtual": l.virtual_value.as_deref().map(|v| d.redact(v)),
            "tile": match (&l.tile, &l.virtual_value) {
                (Some(t), Some(v)) => tile(t, v, lang, d),
                _ => Value::Null,
            },
            "config": config,
            "unavailable": l.unavailable,
            "log_caveat": l.log_caveat,
            "now": l.now.map(format_at),
        })
    });
    let problems = d.problems();
    json!({
        "format": FORMAT,
        "input": {
            "name": d.name,
            "case_folder": d.case_folder,
            "description": d.description,
            "logs": logs,
        },
        "lang": match lang { Lang::Fr => "fr", Lang::En => "en" },
        "profiles": {"published": d.published_profile, "strict": d.strict_profile},
        "jeedom": d.jeedom.as_str(),
        "jeedom_seen": d.jeedom_seen,
        "jeedom_note": super::words::jeedom_seen_text(d, lang),
        "tz": d.tz,
        "php": d.php,
        "min_size": d.min_size,
        "live": live,
        "runs": d.runs.iter().map(|r| run(r, lang, d)).collect::<Vec<_>>(),
        "assumptions": d.assumptions.iter().map(|a| assumption(a, lang, d)).collect::<Vec<_>>(),
        "notes": d.notes.iter().map(|n| d.redact(&note_text(n, lang))).collect::<Vec<_>>(),
        "summary": {"runs": d.runs.len(), "problems": problems, "healthy": problems == 0, "exit_code": d.exit_code()},
    })
}

/// The document as text (pretty-printed, with a final line break), redacted once more.
pub fn render_json_text(d: &Diagnosis, lang: Lang) -> String {
    let v = render_json(d, lang);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    d.redact(&s)
}
