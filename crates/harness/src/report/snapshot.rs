//! The text of one (case, profile) replay, as the snapshot suite stores it and `check` compares
//! it: the facts the case did not give, then per trigger the world, the virtual's value (raw
//! and pretty-printed), the tags, the tile and one sentence per flag. One function, used by both,
//! so they cannot drift. Everything goes through [`crate::redact`] before it is returned.

use std::fmt::Write as _;

use crate::Lang;
use crate::case::{Resolved, TileClass};
use crate::engine::{FlagKind, Replay, StepOutcome};
use crate::widget::{self, CircleState, Panel, Tile};
use crate::world::{LogName, Step, format_at};

/// The snapshot's language: English, the project's working language (the tile's French
/// wording has its own tests in the widget's snapshots).
pub const SNAPSHOT_LANG: Lang = Lang::En;

/// The class of a tile, as `[expect]` names it.
pub fn tile_class(tile: &Tile) -> TileClass {
    match &tile.panel {
        // An empty tile shows no state: as bad as an alert.
        Panel::Empty | Panel::Alert(_) => TileClass::Alert,
        Panel::InProgress { .. } => TileClass::InProgress,
        Panel::Finished { circles, .. } => match circles.iter().map(|c| c.state).max() {
            Some(CircleState::Error) => TileClass::Error,
            Some(CircleState::Warning) => TileClass::Warning,
            Some(CircleState::Success) | None => TileClass::Success,
        },
    }
}

/// The tile a step leaves (the value's date is the trigger's time).
pub fn tile_of(step: &StepOutcome) -> Tile {
    widget::view_at(&step.virtual_value, Some(step.at))
}

/// The flags after a step, compact: `scenario=0 log=1 local=0 size=0 samba=-1 market=-1`, or
/// `crashed` when the block threw.
pub fn flags_of(step: &StepOutcome) -> String {
    if step.crashed() {
        return "crashed".to_owned();
    }
    let names = [
        (FlagKind::Scenario, "scenario"),
        (FlagKind::Log, "log"),
        (FlagKind::Local, "local"),
        (FlagKind::Size, "size"),
        (FlagKind::Samba, "samba"),
        (FlagKind::Market, "market"),
    ];
    let parts: Vec<String> = names
        .iter()
        .map(|(k, n)| match step.flag(*k) {
            Some(f) => format!("{n}={}", f.code()),
            None => format!("{n}=?"),
        })
        .collect();
    parts.join(" ")
}

/// The whole snapshot text of `resolved` replayed with profile `profile`.
pub fn render(resolved: &Resolved, profile: &str, replay: &Replay) -> String {
    let t = &resolved.timeline;
    let mut out = String::new();
    let _ = writeln!(out, "case: {}", resolved.name);
    let _ = writeln!(out, "description: {}", resolved.description);
    let _ = writeln!(out, "profile: {profile}");
    let _ = writeln!(
        out,
        "jeedom {} · {} · PHP {} · S = {} bytes · NO_CLOUD_BACKUP {}",
        t.jeedom, t.tz, resolved.php, resolved.min_size, t.no_cloud_backup
    );
    let config: Vec<String> = t.config.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    let _ = writeln!(
        out,
        "config: {}",
        if config.is_empty() {
            "(none saved)".to_owned()
        } else {
            config.join(" ")
        }
    );
    if let Some(class) = resolved.expect.get(profile) {
        let _ = writeln!(out, "expected tile: {class}");
    }
    out.push_str("\nnot given by the manifest:\n");
    if resolved.facts.is_empty() {
        out.push_str("  (nothing)\n");
    }
    for f in &resolved.facts {
        let _ = writeln!(out, "  {f}");
    }
    let _ = writeln!(out, "\nvirtual before: {}", show_raw(&t.initial_virtual));

    let mut before = t.initial_virtual.clone();
    for (i, (step, outcome)) in t.steps.iter().zip(&replay.steps).enumerate() {
        let run = resolved
            .step_runs
            .get(i)
            .copied()
            .flatten()
            .map(|r| format!(", run {r}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "\n## step {}: {} at {}{run}",
            i + 1,
            step.trigger,
            format_at(step.at)
        );
        world(&mut out, step);
        if let Some(crash) = &outcome.crash {
            let _ = writeln!(out, "crashed: {crash}");
        }
        let _ = writeln!(out, "virtual: {}", show_raw(&outcome.virtual_value));
        pretty(&mut out, &outcome.virtual_value);
        tags(&mut out, outcome, &before);
        let tile = tile_of(outcome);
        let _ = writeln!(out, "tile: {}", tile.label());
        for l in tile.render_text(SNAPSHOT_LANG).lines() {
            let _ = writeln!(out, "  {l}");
        }
        out.push_str("flags:\n");
        for (kind, sentence) in outcome.explain_all(SNAPSHOT_LANG) {
            let value = outcome
                .flag(kind)
                .map_or_else(|| "-".to_owned(), |f| f.code().to_string());
            let _ = writeln!(out, "  {:<14} {value:>2}  {sentence}", kind.tag().trim_matches('#'));
        }
        before.clone_from(&outcome.virtual_value);
    }
    if replay.steps.len() != t.steps.len() {
        let _ = writeln!(
            out,
            "\n(the replay has {} steps for {} triggers)",
            replay.steps.len(),
            t.steps.len()
        );
    }
    crate::redact::redact_text(&out)
}

/// A log line as text: UTF-8, or else each byte as Windows-1252 (Latin-1 accents survive), as
/// the log parser reads it.
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => crate::log::decode_cp1252(bytes).into_owned(),
    }
}

fn show_raw(value: &str) -> String {
    if value.is_empty() {
        "(empty)".to_owned()
    } else {
        value.to_owned()
    }
}

fn pretty(out: &mut String, value: &str) {
    if value.is_empty() {
        return;
    }
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(v) => {
            let p = serde_json::to_string_pretty(&v).unwrap_or_default();
            out.push_str("value:\n");
            for l in p.lines() {
                let _ = writeln!(out, "  {l}");
            }
        }
        Err(_) => out.push_str("value: (not JSON)\n"),
    }
}

fn tags(out: &mut String, outcome: &StepOutcome, before: &str) {
    out.push_str("tags:");
    for (k, v) in &outcome.tags {
        if k == "#lastSave#" && v == before {
            out.push_str(" #lastSave#=(the virtual before this step)");
        } else {
            let _ = write!(out, " {k}={v}");
        }
    }
    out.push('\n');
}

/// One line per log (size, lines, its last line), then the backup folder and the share.
fn world(out: &mut String, step: &Step) {
    if step.logs.is_empty() {
        out.push_str("logs: (all empty)\n");
    }
    for (name, bytes) in &step.logs {
        let lines = bytes.iter().filter(|b| **b == b'\n').count() + usize::from(!bytes.ends_with(b"\n"));
        let last = bytes
            .split(|b| *b == b'\n')
            .rev()
            .find(|l| !l.iter().all(u8::is_ascii_whitespace))
            .unwrap_or(b"");
        // Redacted before it is cut: a cut secret is no longer recognised.
        let last = crate::redact::redact_text(&decode(last));
        let last = last.trim_end();
        let mut quoted: String = last.chars().take(90).collect();
        if last.chars().count() > 90 {
            quoted.push('…');
        }
        let name = match name {
            LogName::Backup => "log/backup",
            LogName::Update => "log/update",
            LogName::CronExecution => "log/cron_execution",
        };
        let _ = writeln!(out, "{name}: {} bytes, {lines} lines, last: {quoted}", bytes.len());
    }
    if step.local.is_empty() {
        out.push_str("local: (empty)\n");
    } else {
        let files: Vec<String> = step
            .local
            .iter()
            .map(|f| format!("{} ({} B)", f.name, f.size))
            .collect();
        let _ = writeln!(out, "local: {}", files.join(", "));
    }
    match &step.samba {
        Ok(l) if l.is_empty() => out.push_str("samba: (empty)\n"),
        Ok(l) => {
            let _ = writeln!(out, "samba: {}", l.to_vec().join(", "));
        }
        Err(e) => {
            let _ = writeln!(out, "samba: listing throws: {e}");
        }
    }
}
