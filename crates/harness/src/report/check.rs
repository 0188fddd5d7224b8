//! The results of `infobackup check` and their three outputs: the table a person reads, JSON
//! Lines for tools (a `type` per event, a final `summary`), and JUnit XML for CI servers.
//! These outputs are contracts: their fields are built here, not derived from internal types.

use std::fmt::Write as _;

use serde_json::json;

use crate::Lang;
use crate::case::TileClass;
use crate::via::ViaKind;

/// How one (case, profile) compares with its accepted snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Same as the accepted snapshot (and the expected tile class, if any).
    Ok,
    /// Differs from the accepted snapshot.
    Changed,
    /// No accepted snapshot yet.
    New,
    /// The tile class is not the one the manifest's `[expect]` names.
    Unexpected,
    /// The case could not be loaded, resolved or replayed.
    Error,
    /// Matches its snapshot, but the real widget (`--widget`) draws a value differently.
    Widget,
}

impl Status {
    /// The code in JSON and JUnit.
    pub fn code(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Changed => "changed",
            Status::New => "new",
            Status::Unexpected => "unexpected",
            Status::Error => "error",
            Status::Widget => "widget",
        }
    }

    /// How the table colours the word on a terminal: green when all is well, yellow for what a
    /// person must look at, red when the case could not run.
    pub fn style(self) -> anstyle::Style {
        use anstyle::AnsiColor;
        let color = match self {
            Status::Ok => AnsiColor::Green,
            Status::Changed | Status::New | Status::Unexpected | Status::Widget => AnsiColor::Yellow,
            Status::Error => AnsiColor::Red,
        };
        anstyle::Style::new().fg_color(Some(color.into())).bold()
    }

    /// The word in the table.
    pub fn word(self, lang: Lang) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Changed => lang.pick("modifié", "changed"),
            Status::New => lang.pick("nouveau", "new"),
            Status::Unexpected => lang.pick("inattendu", "unexpected"),
            Status::Error => lang.pick("erreur", "error"),
            Status::Widget => lang.pick("widget réel", "real widget"),
        }
    }
}

/// One line of the check: a case replayed with one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub case: String,
    /// Empty when the case failed before its profiles were known.
    pub profile: String,
    /// The tile after the last trigger ([`crate::widget::Tile::label`]).
    pub tile: Option<String>,
    pub class: Option<TileClass>,
    /// The flags after the last trigger, compact (`scenario=0 log=1 …`, or `crashed`).
    pub flags: Option<String>,
    pub status: Status,
    /// Why the status is not ok: the first difference, the expectation, the error.
    pub detail: Option<String>,
    /// The snapshot file compared with.
    pub snapshot: Option<String>,
}

/// Counts per status, and the exit code they give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub ok: usize,
    pub changed: usize,
    pub new: usize,
    pub unexpected: usize,
    pub error: usize,
    /// Rows whose values the real widget draws differently (`--widget`).
    pub widget: usize,
    pub cases: usize,
}

impl Summary {
    pub fn of(rows: &[Row]) -> Summary {
        let mut s = Summary {
            total: rows.len(),
            ..Summary::default()
        };
        for r in rows {
            match r.status {
                Status::Ok => s.ok += 1,
                Status::Changed => s.changed += 1,
                Status::New => s.new += 1,
                Status::Unexpected => s.unexpected += 1,
                Status::Error => s.error += 1,
                Status::Widget => s.widget += 1,
            }
        }
        let mut cases: Vec<&str> = rows.iter().map(|r| r.case.as_str()).collect();
        cases.dedup();
        s.cases = cases.len();
        s
    }

    /// 0 when everything matches, 1 when something differs, 2 when the tool could not do its
    /// job for some case.
    pub fn exit_code(&self) -> u8 {
        if self.error > 0 {
            2
        } else if self.ok == self.total {
            0
        } else {
            1
        }
    }
}

/// The table: one line per (case, profile), then the summary line.
pub fn table(rows: &[Row], lang: Lang, color: bool) -> String {
    let head = [
        lang.pick("cas", "case"),
        lang.pick("profil", "profile"),
        lang.pick("tuile", "tile"),
        lang.pick("drapeaux", "flags"),
        lang.pick("état", "status"),
    ];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.case.clone(),
                if r.profile.is_empty() {
                    "-".into()
                } else {
                    r.profile.clone()
                },
                r.tile.clone().unwrap_or_else(|| "-".into()),
                r.flags.clone().unwrap_or_else(|| "-".into()),
                r.status.word(lang).to_owned(),
            ]
        })
        .collect();
    let mut width = head.map(|h| h.chars().count());
    for c in &cells {
        for (w, s) in width.iter_mut().zip(c) {
            *w = (*w).max(s.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, c: &[&str; 5], status: Option<Status>| {
        for (i, (s, w)) in c.iter().zip(width).enumerate() {
            if i == 4 {
                let style = status.filter(|_| color).map_or(anstyle::Style::new(), Status::style);
                let _ = write!(out, "{style}{s}{style:#}");
            } else {
                let _ = write!(out, "{s}{}  ", " ".repeat(w.saturating_sub(s.chars().count())));
            }
        }
        out.push('\n');
    };
    line(&mut out, &head, None);
    for (c, r) in cells.iter().zip(rows) {
        line(
            &mut out,
            &[
                c[0].as_str(),
                c[1].as_str(),
                c[2].as_str(),
                c[3].as_str(),
                c[4].as_str(),
            ],
            Some(r.status),
        );
    }
    for r in rows.iter().filter(|r| r.detail.is_some()) {
        let what = if r.profile.is_empty() {
            r.case.clone()
        } else {
            format!("{}@{}", r.case, r.profile)
        };
        let _ = writeln!(out, "\n{} {what}{}", r.status.word(lang), lang.pick(" :", ":"));
        for l in r.detail.as_deref().unwrap_or("").lines() {
            let _ = writeln!(out, "  {l}");
        }
    }
    out.push('\n');
    out.push_str(&summary_line(&Summary::of(rows), lang));
    out.push('\n');
    out
}

/// `34 cases, 136 replays: 136 ok, 0 changed, 0 new, 0 unexpected, 0 errors` (then `, 2 real
/// widget` when the real widget drew some differently).
pub fn summary_line(s: &Summary, lang: Lang) -> String {
    let sep = lang.pick(" : ", ": ");
    let mut counts = vec![
        format!("{} ok", s.ok),
        lang.count(s.changed, ["modifié", "modifiés"], ["changed", "changed"]),
        lang.count(s.new, ["nouveau", "nouveaux"], ["new", "new"]),
        lang.count(s.unexpected, ["inattendu", "inattendus"], ["unexpected", "unexpected"]),
        lang.count(s.error, ["erreur", "erreurs"], ["error", "errors"]),
    ];
    if s.widget > 0 {
        counts.push(lang.count(s.widget, ["widget réel", "widget réel"], ["real widget", "real widget"]));
    }
    format!(
        "{}, {}{sep}{}",
        lang.count(s.cases, ["cas", "cas"], ["case", "cases"]),
        lang.count(s.total, ["rejeu", "rejeux"], ["replay", "replays"]),
        counts.join(", ")
    )
}

/// One JSON Lines event for a row: `{"type":"case",…}`.
pub fn json_row(r: &Row) -> serde_json::Value {
    json!({
        "type": "case",
        "case": r.case,
        "profile": r.profile,
        "status": r.status.code(),
        "tile": r.tile,
        "tile_class": r.class.map(TileClass::as_str),
        "flags": r.flags,
        "snapshot": r.snapshot,
        "detail": r.detail,
    })
}

/// The final JSON Lines event: `{"type":"summary",…}`; `via` says which path the replays took.
pub fn json_summary(s: &Summary, via: ViaKind) -> serde_json::Value {
    json!({
        "type": "summary",
        "cases": s.cases,
        "replays": s.total,
        "ok": s.ok,
        "changed": s.changed,
        "new": s.new,
        "unexpected": s.unexpected,
        "error": s.error,
        "widget": s.widget,
        "exit_code": s.exit_code(),
        "via": via.as_str(),
    })
}

/// JUnit XML: one test suite per case, one test case per profile.
pub fn junit(rows: &[Row]) -> Result<String, quick_junit::SerializeError> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("infobackup check");
    let mut suites: Vec<TestSuite> = Vec::new();
    for r in rows {
        if suites.last().is_none_or(|s| s.name.as_str() != r.case) {
            suites.push(TestSuite::new(r.case.clone()));
        }
        let status = match r.status {
            Status::Ok => TestCaseStatus::success(),
            other => {
                let kind = if other == Status::Error {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let mut st = TestCaseStatus::non_success(kind);
                st.set_type(other.code());
                st.set_message(match other {
                    Status::Changed => "the replay differs from the accepted snapshot".to_owned(),
                    Status::New => "no accepted snapshot yet".to_owned(),
                    Status::Unexpected => "the tile is not the expected one".to_owned(),
                    Status::Widget => "the real widget draws a value differently from the view".to_owned(),
                    _ => r
                        .detail
                        .as_deref()
                        .and_then(|d| d.lines().next())
                        .unwrap_or("error")
                        .to_owned(),
                });
                if let Some(d) = &r.detail {
                    st.set_description(d.clone());
                }
                st
            }
        };
        let name = if r.profile.is_empty() {
            r.case.clone()
        } else {
            format!("{}@{}", r.case, r.profile)
        };
        let mut tc = TestCase::new(name, status);
        tc.set_classname(format!("scenarios.{}", r.case));
        if let Some(s) = suites.last_mut() {
            s.add_test_case(tc);
        }
    }
    report.add_test_suites(suites);
    report.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(case: &str, status: Status) -> Row {
        Row {
            case: case.into(),
            profile: "v2024-08".into(),
            tile: Some("finished local=success".into()),
            class: Some(TileClass::Success),
            flags: Some("scenario=0".into()),
            status,
            detail: (status != Status::Ok).then(|| "first difference at line 3:\n- a\n+ b".to_owned()),
            snapshot: None,
        }
    }

    #[test]
    fn the_exit_code_follows_the_worst_status() {
        assert_eq!(Summary::of(&[row("a", Status::Ok)]).exit_code(), 0);
        assert_eq!(
            Summary::of(&[row("a", Status::Ok), row("b", Status::New)]).exit_code(),
            1
        );
        assert_eq!(
            Summary::of(&[row("a", Status::Changed), row("b", Status::Error)]).exit_code(),
            2
        );
        assert_eq!(
            Summary::of(&[row("a", Status::Ok), row("a", Status::Ok), row("b", Status::Ok)]).cases,
            2
        );
    }

    #[test]
    fn the_table_aligns_and_quotes_the_difference() {
        let rows = [row("4.4-a", Status::Ok), row("b", Status::Changed)];
        let t = table(&rows, Lang::En, false);
        assert!(!t.contains('\u{1b}'));
        let coloured = table(&rows, Lang::En, true);
        assert!(
            coloured.contains("\u{1b}[1m\u{1b}[33mchanged\u{1b}[0m\n"),
            "{coloured:?}"
        );
        assert!(
            coloured.lines().next().unwrap().ends_with("status"),
            "the header is plain"
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "case   profile   tile                    flags       status");
        assert_eq!(lines[2], "b      v2024-08  finished local=success  scenario=0  changed");
        assert!(
            t.contains("changed b@v2024-08:\n  first difference at line 3:\n  - a\n  + b\n"),
            "{t}"
        );
        assert!(
            t.ends_with("2 cases, 2 replays: 1 ok, 1 changed, 0 new, 0 unexpected, 0 errors\n"),
            "{t}"
        );
    }

    #[test]
    fn the_summary_agrees_in_number() {
        let one = Summary {
            total: 1,
            ok: 0,
            changed: 1,
            new: 0,
            unexpected: 0,
            error: 1,
            cases: 1,
            widget: 0,
        };
        assert_eq!(
            summary_line(&one, Lang::Fr),
            "1 cas, 1 rejeu : 0 ok, 1 modifié, 0 nouveau, 0 inattendu, 1 erreur"
        );
        assert_eq!(
            summary_line(&one, Lang::En),
            "1 case, 1 replay: 0 ok, 1 changed, 0 new, 0 unexpected, 1 error"
        );
        let many = Summary {
            total: 8,
            ok: 4,
            changed: 0,
            new: 2,
            unexpected: 0,
            error: 2,
            cases: 2,
            widget: 0,
        };
        assert_eq!(
            summary_line(&many, Lang::Fr),
            "2 cas, 8 rejeux : 4 ok, 0 modifié, 2 nouveaux, 0 inattendu, 2 erreurs"
        );
    }

    #[test]
    fn junit_has_a_suite_per_case_and_a_failure_per_difference() {
        let xml = junit(&[row("a", Status::Ok), row("a", Status::Changed), row("b", Status::Error)]).unwrap();
        assert!(xml.contains(r#"<testsuite name="a" tests="2""#), "{xml}");
        assert!(
            xml.contains(r#"<failure message="the replay differs from the accepted snapshot" type="changed">"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<error message="first difference at line 3:" type="error">"#),
            "{xml}"
        );
    }
}
