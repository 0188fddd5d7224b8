//! Running the corpus: one case folder → its check rows (replay, expectation, snapshot), or its
//! comparison between two profiles. The CLI only loops, prints and sets the exit code.

use crate::error_words::Worded as _;
use std::path::Path;

use super::check::{Row, Status};
use super::{run, snapfile, snapshot};
use crate::case::{Case, Overrides, ProfileRef, Resolved};
use crate::engine::Replay;
use crate::via::Via;

/// The snapshot text of one (case, profile), with the replay it came from. What the snapshot
/// suite asserts and what `check` compares, whichever path (`via`) the replay took.
pub fn case_snapshot(resolved: &Resolved, profile: &ProfileRef, via: &Via) -> Result<(String, Replay), run::RunError> {
    let replay = run::replay(resolved, profile, via)?;
    Ok((snapshot::render(resolved, profile.name(), &replay), replay))
}

fn case_name(dir: &Path) -> String {
    dir.file_name()
        .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// A row for a case that could not be replayed; `detail` is the error in the run's language.
fn error_row(case: String, profile: String, detail: String) -> Row {
    Row {
        case,
        profile,
        tile: None,
        class: None,
        flags: None,
        status: Status::Error,
        detail: Some(crate::redact::redact_text(&detail)),
        snapshot: None,
    }
}

/// Checks one case folder: one row per profile it runs (only `only` when given; a case that
/// does not run that profile gives no row).
pub fn check_case(
    dir: &Path,
    snapshots: &Path,
    only: Option<&str>,
    overrides: &Overrides,
    via: &Via,
    lang: crate::Lang,
) -> Vec<Row> {
    let name = case_name(dir);
    let resolved = match Case::load(dir).and_then(|c| c.resolve(overrides)) {
        Ok(r) => r,
        Err(e) => return vec![error_row(name, String::new(), e.message(lang))],
    };
    let mut rows = Vec::new();
    for profile in resolved.profiles.iter().filter(|p| only.is_none_or(|o| p.name() == o)) {
        let pname = profile.name().to_owned();
        let (body, replay) = match case_snapshot(&resolved, profile, via) {
            Ok(x) => x,
            Err(e) => {
                rows.push(error_row(name.clone(), pname, e.message(lang)));
                continue;
            }
        };
        let last = replay.last();
        let tile = last.map(snapshot::tile_of);
        let class = tile.as_ref().map(snapshot::tile_class);
        let path = snapfile::snap_path(snapshots, &name, &pname);
        let mut row = Row {
            case: name.clone(),
            profile: pname.clone(),
            tile: tile.as_ref().map(crate::widget::Tile::label),
            class,
            flags: last.map(snapshot::flags_of),
            status: Status::Ok,
            detail: None,
            snapshot: Some(path.display().to_string()),
        };
        if let Some(expected) = resolved.expect.get(&pname)
            && class != Some(*expected)
        {
            row.status = Status::Unexpected;
            row.detail = Some(format!(
                "the manifest expects a {expected} tile, the replay ends on {}",
                class.map_or("no tile", |c| c.as_str())
            ));
            rows.push(row);
            continue;
        }
        match snapfile::read_body(&path) {
            Ok(None) => {
                row.status = Status::New;
                row.detail = Some(format!(
                    "no accepted snapshot {}: review it with `cargo insta review` (or INSTA_UPDATE=always cargo test --test cases) and commit it",
                    path.display()
                ));
            }
            Ok(Some(accepted)) if snapfile::matches(&accepted, &body) => {}
            Ok(Some(accepted)) => {
                row.status = Status::Changed;
                row.detail = Some(snapfile::first_difference(&accepted, &body, 2));
            }
            Err(e) => {
                row.status = Status::Error;
                row.detail = Some(format!("{}: {e}", path.display()));
            }
        }
        rows.push(row);
    }
    rows
}

/// One side of a comparison: the tile and flags after one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub tile: String,
    pub flags: String,
}

/// How two profiles differ on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub case: String,
    /// The first step (1-based) whose tile or flags differ, with its trigger.
    pub first_difference: Option<(usize, String)>,
    /// The two sides at the first differing step, or after the last step when none differs.
    pub a: Side,
    pub b: Side,
    /// The two sides after the last step.
    pub a_last: Side,
    pub b_last: Side,
}

impl Comparison {
    pub fn differs(&self) -> bool {
        self.first_difference.is_some()
    }
}

fn sides(replay: &Replay) -> Vec<Side> {
    replay
        .steps
        .iter()
        .map(|s| Side {
            tile: snapshot::tile_of(s).label(),
            flags: snapshot::flags_of(s),
        })
        .collect()
}

/// Replays one case folder with profiles `a` and `b` (whatever the case names) and compares
/// the tile and flags after every step. An error is worded in `lang`.
pub fn compare_case(
    dir: &Path,
    a: &ProfileRef,
    b: &ProfileRef,
    overrides: &Overrides,
    via: &Via,
    lang: crate::Lang,
) -> Result<Comparison, String> {
    let resolved = Case::load(dir)
        .and_then(|c| c.resolve(overrides))
        .map_err(|e| crate::redact::redact_text(&e.message(lang)))?;
    let replay = |p: &ProfileRef| {
        run::replay(&resolved, p, via).map_err(|e| {
            crate::redact::redact_text(&format!(
                "{}{colon}{}{colon}{}",
                resolved.name,
                p.name(),
                e.message(lang),
                colon = lang.pick(" : ", ": ")
            ))
        })
    };
    let (ra, rb) = (replay(a)?, replay(b)?);
    let (sa, sb) = (sides(&ra), sides(&rb));
    let empty = Side {
        tile: "-".into(),
        flags: "-".into(),
    };
    let first = (0..sa.len().max(sb.len())).find(|&i| sa.get(i) != sb.get(i));
    let at = first.unwrap_or(sa.len().saturating_sub(1));
    Ok(Comparison {
        case: resolved.name.clone(),
        first_difference: first.map(|i| {
            (
                i + 1,
                resolved
                    .timeline
                    .steps
                    .get(i)
                    .map_or_else(String::new, |s| s.trigger.to_string()),
            )
        }),
        a: sa.get(at).cloned().unwrap_or_else(|| empty.clone()),
        b: sb.get(at).cloned().unwrap_or_else(|| empty.clone()),
        a_last: sa.last().cloned().unwrap_or_else(|| empty.clone()),
        b_last: sb.last().cloned().unwrap_or(empty),
    })
}

/// `check --profile php:PATH` on one case folder: the block run by php against the Rust profile
/// of the revision it is closest to (its base), trigger by trigger (virtual, tags, crash). One row;
/// `Changed` names the first step that differs. The Rust profile's own snapshot is what the
/// ordinary `check` compares, so agreement here means the block keeps the accepted behaviour.
pub fn check_case_php(dir: &Path, profile: &ProfileRef, overrides: &Overrides, via: &Via, lang: crate::Lang) -> Row {
    let name = case_name(dir);
    let pname = profile.name().to_owned();
    let resolved = match Case::load(dir).and_then(|c| c.resolve(overrides)) {
        Ok(r) => r,
        Err(e) => return error_row(name, pname, e.message(lang)),
    };
    let replays = run::config_for(&resolved, profile).and_then(|php| {
        let base = crate::case::ProfileRef::Builtin(php.base.as_str().to_owned());
        let b = run::replay(&resolved, &base, via)?;
        Ok((via.replay(&resolved.timeline, &php)?, b, php.base))
    });
    let (ours, theirs, base) = match replays {
        Ok(x) => x,
        Err(e) => return error_row(name, pname, e.message(lang)),
    };
    let last = ours.last();
    let tile = last.map(snapshot::tile_of);
    let mut row = Row {
        case: name,
        profile: pname,
        tile: tile.as_ref().map(crate::widget::Tile::label),
        class: tile.as_ref().map(snapshot::tile_class),
        flags: last.map(snapshot::flags_of),
        status: Status::Ok,
        detail: None,
        snapshot: None,
    };
    for (i, (a, b)) in ours.steps.iter().zip(&theirs.steps).enumerate() {
        let what = if a.crashed() != b.crashed() {
            Some(format!("crash: {:?} where {base} gives {:?}", a.crash, b.crash))
        } else if a.virtual_value != b.virtual_value {
            Some(virtual_difference(&a.virtual_value, &b.virtual_value, base))
        } else if a.tags != b.tags {
            let k = a
                .tags
                .keys()
                .chain(b.tags.keys())
                .find(|k| a.tags.get(*k) != b.tags.get(*k))
                .cloned()
                .unwrap_or_default();
            Some(format!(
                "tag {k}: {:?} where {base} gives {:?}",
                a.tags.get(&k),
                b.tags.get(&k)
            ))
        } else {
            None
        };
        if let Some(w) = what {
            row.status = Status::Changed;
            row.detail = Some(crate::redact::redact_text(&format!(
                "step {} ({}): {w}",
                i + 1,
                a.trigger
            )));
            break;
        }
    }
    row
}

/// Where two virtuals part: `virtual differs from v2024-08 at byte 151: …"errorLogBackup":0}
/// where v2024-08 gives …"errorLogBackup":1}`.
fn virtual_difference(a: &str, b: &str, base: crate::engine::Profile) -> String {
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let around = |s: &str| {
        let mut from = at.saturating_sub(30);
        while !s.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (at + 30).min(s.len());
        while !s.is_char_boundary(to) {
            to += 1;
        }
        format!(
            "{}{}{}",
            if from > 0 { "…" } else { "" },
            &s[from..to],
            if to < s.len() { "…" } else { "" }
        )
    };
    format!(
        "virtual differs at byte {at}: {} where {base} gives {}",
        around(a),
        around(b)
    )
}
