//! The published code block (revisions 2022-01, 2023-03, 2024-08) as a state machine:
//! **start** (the start values) → **checks** (the branch of the trigger, reading the world) →
//! **end** (`lastSave = stamp(now)`, the JSON, the tags). Each phase is a function of the previous
//! phase's variables; the world is passed in and read lazily, in the order the PHP reads it.
//!
//! Revision differences, all here:
//! - 2022-01 and 2023-03 read the trigger with the ≤ 4.4 accessor: on Jeedom 4.5 every trigger
//!   crashes. 2024-08 reads the `#trigger#` tag on 4.5.
//! - 2022-01 has no 60 s tolerance (`stamp_tolerance_s = 0`), writes `date`, `heure`,
//!   `minSizeBackup` only at `end_backup` with a stamp, and leaves `action` unset (JSON `null`)
//!   at `end_backup` without a stamp, the one path that never assigns it. Any other trigger
//!   goes through the block's last `else`, which assigns the empty string as in the later
//!   revisions (`"action":""`; pinned by the wide vectors).
//!
//! # Rules on harder shapes, by the published line
//! Line numbers count lines of the code block's text in the template, for 2024-08 (2023-03 is
//! the same code five lines earlier; 2022-01 given where it differs). Each rule is pinned by the
//! vectors of `tests/data/conformance/` (`wide/` holds 200 drawn from the shapes below) or, where
//! marked *php 8.2*, by a test below whose expectation came from running the block under php 8.2.
//! - **Stray trigger** (`user`, `api`, `schedule`; line 187, 2022-01 line 180): the last `else`
//!   assigns `action` the empty string in every revision; the flags keep their start values.
//! - **Prior value** (line 14): `json_decode` of the virtual, so `""`, `not json` and `null` are
//!   PHP null, `[]` and `{}` an empty array. `begin_backup` (line 48) asks `array_key_exists` on
//!   it, which throws on anything but an array on PHP 8 (a crash: the virtual becomes `""`);
//!   `update` is then compared loosely with 1 (`"1"`, `" 1"`, `true`, `1.0` count). A missing key
//!   is no, so `begin_update` then `begin_backup` carries `update=1` only through the virtual.
//! - **Start stamp** (line 70, 2022-01 line 57): `end_backup` goes on when `lastSave` is loosely
//!   different from `""` ([`rules::stamp_given`]), not when it is non-`empty()`: on PHP 8 `"0"`,
//!   `0` and `0.0` are stamps, and an array (even `{}`) makes `substr` throw (*php 8.2*).
//!   Reading `lastSave` on a PHP string value throws; on null, a number or a bool it is null.
//! - **Archive stamp** (lines 106 to 108, 2022-01 lines 93 to 95): the stamp is cut from the
//!   whole path `glob` returns, `calculPath(backup::path)` then `/` then the name
//!   ([`rules::backup_dir`], [`rules::archive_stamp`]), compared loosely with `L` and `L2`: a
//!   name under 23 bytes takes folder bytes into its stamp, and `true` as `lastSave` equals any
//!   non-empty stamp (*php 8.2*).
//! - **Samba keys** (line 143): `config::byKey(…) != 0` on the raw strings, loose as PHP 8 reads
//!   them ([`rules::key_is_off`]): `" 1"`, `"01"`, `"-1"`, `"2"` are numbers other than 0;
//!   `"0"`, `"0.0"` are 0; `"true"`, `"false"`, `"yes"` and the never-saved `""` are not numeric,
//!   so they differ from 0 and count as enabled.
//! - **Samba gate** (line 137): only when the prior value has `update` loosely equal to 0 (null
//!   and `false` count, `""` and arrays do not); a listing that throws (line 149) crashes the block.
//! - **Error lines** (lines 87 to 89): a line holding `[` + today's date of the end time and, later
//!   on it, `ERROR`, in either logger form (`][ERROR] :` up to 4.4, `][ERROR] ` in 4.5); lines
//!   are cut at LF only (PCRE's default), so a CR does not end one. Lines dated another day and
//!   `[error]` in lower case do not count.
//! - **Nights chained**: the only state between triggers is the virtual's value, so each step
//!   is replayed from the previous step's output (a crash leaves `""` for the next one).
//!
//! # Rules settled by the differential test
//! `tests/integration/differential.rs` replays random timelines of the shapes above (and DST
//! days, odd `lastSave` texts, `backup::path` values) with each faithful profile and with the
//! published block under php 8.2 (`php:` profiles, `src/phprun/`), byte for byte at every step;
//! each difference it found is a vector of `tests/data/conformance/diff/`.
//! - **`L2`** (line 66, `strtotime($dateSave . $heureSave) + 60`): [`rules::published_start`] reads
//!   the glued `YYYY-MM-DDHH:MM` with PHP's ranges and carries overflow as `mktime` does
//!   (`2025-02-30` is March 2, hour 24 the next day); anything else is strtotime's `false`, so
//!   `L2` is 60 s after the epoch in the box's zone (`1970-01-01-01h01` in Paris), which an
//!   archive of that stamp matches ([`rules::published_later_stamps`]).
//! - **DST**: `lastSave` is read as strtotime reads a local time ([`rules::strtotime_instant`],
//!   timelib's own adjustment): a time inside a spring-forward gap moves forward by the gap
//!   (Paris `02h30` gives `03h31`; `01h59` gives `03h00`), and a time a fall-back hour repeats is
//!   its second occurrence east of UTC (Paris `02h59` + 60 s is `03h00`, not `02h00`) but its
//!   first west of UTC (New York `01h59` + 60 s is `01h00`). Checked against php 8.2 minute by
//!   minute around the transitions of eight zones.
//! - **A step time inside a DST gap** (a hand-made timeline: a real box's clock never shows one)
//!   is the wall clock as written, for the engine and for the php runner alike: `date()` prints
//!   it, so `lastSave` and "today" are its text.
//! - **`backup::path` saved as `""`** is the Jeedom root (`calculPath("")`): the block globs
//!   `/var/www/html/core/php/../..//*.gz`, and a short name's stamp takes those bytes.
//! - **Crash messages** are PHP 8.2's `Class: message` (`TypeError: array_key_exists(): …`, the
//!   Samba exception's text, redacted), except the 4.5 accessor crash of 2022-01 and 2023-03,
//!   said in words instead of `Call to undefined method scenario::getRealTrigger()`.
//!
//! # Assumptions: what php-cli cannot imitate
//! - **PHP 7** (profile parameter `php = 7`): the installed php is 8.2, so PHP 7's answers
//!   (`array_key_exists` on null is a warning and no, `"" == 0` is true, `substr` of an array is
//!   `""` with a warning, `"abc"['lastSave']` is `"a"`) come from PHP 7's documented behaviour,
//!   not from a run. The php runner
//!   only notes where a PHP 7 box would differ.
//! - **Jeedom internals** the runner stands in for: `config::byKey` of a key never saved is `""`
//!   (the vectors' convention; a real box may fill some keys from `default.config.ini`);
//!   `calculPath` and the log path under the standard root `/var/www/html` (another install only
//!   changes the stamp of archive names under 23 bytes); `repo_samba::backup_list()` lists names
//!   newest first; the scenario runner writes `""` when tag `json` is unset. None of these is
//!   PHP: they are Jeedom's code, not in the published block.
//! - **The box's environment**: `glob` sorts names byte by byte, as in the C locale (a web
//!   server with another `LC_COLLATE` could order two matching archives differently, and the
//!   later one wins); time-zone rules are jiff's bundled tzdb, PHP reads the system's (they agree
//!   for the drawn years; a future rule change could land in one before the other).
//! - **Another PHP 8 release** may word a crash differently; only 8.2 is run.
//!
//! # Not imitated (the engine's limit, not PHP's)
//! strtotime reads more than the stamp shape: a bare letter is a military time zone (`x` is
//! now), `1.5` is 01:05 today, `2025/09/10` another date form, and a `lastSave` with a trailing
//! space shifts the cut pieces into a time-zone offset. The engine takes all of those as
//! strtotime's `false`; imitating them means re-implementing timelib's scanner. Only a
//! hand-edited virtual holds such a `lastSave`, and only an archive named with the very stamp
//! PHP computes would show it, so the differential test does not draw them.

use jiff::civil::DateTime;

use crate::php::{self, PhpVersion, Value};
use crate::redact::redact_text;
use crate::world::{LocalFile, LogName, Trigger, World, WorldError};

use super::evidence::{self, Crash, Evidence, Rule, SambaSkip, StampMissing, TriggerSource};
use super::profile::{Profile, ProfileConfig};
use super::rules;
use super::state::{Action, ArchiveField, Flag, FlagKind, PhpString, ScenarioState, Shape};
use super::{BlockInput, BlockOutput};

/// The PHP variables of the code block.
#[derive(Debug, Clone)]
pub(super) struct Vars {
    pub(super) date: PhpString,
    pub(super) heure: PhpString,
    pub(super) min_size_backup: String,
    pub(super) update: bool,
    pub(super) action: Action,
    pub(super) scenario: Flag,
    pub(super) log: Flag,
    pub(super) local: Flag,
    pub(super) size: Flag,
    pub(super) samba: Flag,
    pub(super) market: Flag,
    /// Set only on `end_backup` with a stamp (it switches the JSON to the end layout).
    pub(super) archive: Option<ArchiveField>,
}

impl Vars {
    /// Phase 1, start: `date=""`, `heure=""`, `minSizeBackup=size_format(S)`, `update=0`,
    /// `errorScenario=1`, `errorLog=1`, `errorLocal=-1`, `errorSize=1`, `errorSamba=-1`,
    /// `errorMarket=-1`; `action` is `""` (2022-01: unset, so `null`, until a branch assigns it).
    pub(super) fn start(cfg: &ProfileConfig) -> Vars {
        Vars {
            date: PhpString::default(),
            heure: PhpString::default(),
            min_size_backup: php::size_format(cfg.min_size),
            update: false,
            action: if cfg.base == Profile::V2022_01 {
                Action::Null
            } else {
                Action::Empty
            },
            scenario: Flag::Error,
            log: Flag::Error,
            local: Flag::Disabled,
            size: Flag::Error,
            samba: Flag::Disabled,
            market: Flag::Disabled,
            archive: None,
        }
    }

    /// What `begin_backup` and `begin_update` write: `errorScenario=0`, `errorLog=0`,
    /// `errorLocal=-1`, `errorSize=0`.
    pub(super) fn begin(&mut self, action: Action) {
        self.action = action;
        self.scenario = Flag::Ok;
        self.log = Flag::Ok;
        self.local = Flag::Disabled;
        self.size = Flag::Ok;
    }

    pub(super) fn flag_mut(&mut self, kind: FlagKind) -> &mut Flag {
        match kind {
            FlagKind::Scenario => &mut self.scenario,
            FlagKind::Log => &mut self.log,
            FlagKind::Local => &mut self.local,
            FlagKind::Size => &mut self.size,
            FlagKind::Samba => &mut self.samba,
            FlagKind::Market => &mut self.market,
        }
    }

    /// Phase 3, end: `lastSave = stamp(now)` and the state in the layout of the path taken.
    pub(super) fn end(self, cfg: &ProfileConfig, now: DateTime) -> ScenarioState {
        let shape = match (&self.archive, cfg.base) {
            (Some(_), _) => Shape::End,
            (None, Profile::V2022_01) => Shape::StartWithoutHeader,
            (None, _) => Shape::Start,
        };
        ScenarioState {
            shape,
            date: self.date,
            heure: self.heure,
            min_size_backup: self.min_size_backup,
            last_save: rules::stamp(now),
            update: self.update,
            action: self.action,
            error_scenario: self.scenario,
            error_log: self.log,
            error_local: self.local,
            error_size: self.size,
            error_samba: self.samba,
            error_market: self.market,
            archive: self.archive,
        }
    }
}

/// `array_key_exists('update', $J) && $J['update'] == $n`. On PHP 8, `$J` not an array throws;
/// on PHP 7 it warns and answers no.
fn update_equals(j: &Value, n: i64, php: PhpVersion) -> Result<bool, Crash> {
    match j {
        Value::Array(a) => Ok(a.get("update").is_some_and(|v| php::loose_eq(v, &Value::Int(n), php))),
        other => match php {
            PhpVersion::Php8 => Err(Crash::UpdateKeyOnNonArray {
                given: other.type_name().to_owned(),
            }),
            PhpVersion::Php7 => Ok(false),
        },
    }
}

/// `$J['lastSave']`: null when missing or `$J` is not an array; a string `$J` throws on PHP 8
/// and gives its first character on PHP 7.
fn read_last_save(j: &Value, php: PhpVersion) -> Result<Value, Crash> {
    Ok(match j {
        Value::Array(a) => a.get("lastSave").cloned().unwrap_or(Value::Null),
        Value::Str(s) => match php {
            PhpVersion::Php8 => return Err(Crash::StringOffset),
            PhpVersion::Php7 => Value::Str(s.get(..1).map(<[u8]>::to_vec).unwrap_or_default()),
        },
        _ => Value::Null,
    })
}

/// Runs the published code block for one trigger.
pub(crate) fn run(input: &BlockInput<'_>, world: &mut dyn World) -> Result<(BlockOutput, Evidence), WorldError> {
    let cfg = input.config;
    let source = if input.jeedom.trigger_from_tag() {
        TriggerSource::Tag
    } else {
        TriggerSource::Accessor
    };
    let mut ev = Evidence::new(
        cfg.name(),
        source,
        cfg.min_size,
        Rule::OtherTrigger {
            trigger: input.trigger.to_string(),
        },
    );

    // Reading the trigger: 2022-01 and 2023-03 only know the ≤ 4.4 accessor.
    if input.jeedom.trigger_from_tag() && matches!(cfg.base, Profile::V2022_01 | Profile::V2023_03) {
        ev.crashed(Crash::TriggerAccessorGone);
        return Ok((BlockOutput::Crashed(Crash::TriggerAccessorGone), ev));
    }

    let vars = Vars::start(cfg);
    let j = php::json_decode(input.last_save_tag).unwrap_or(Value::Null);
    match checks(vars, input, &j, world, &mut ev)? {
        Ok(vars) => {
            let state = vars.end(cfg, input.now);
            Ok((BlockOutput::Written(state), ev))
        }
        Err(crash) => {
            ev.crashed(crash.clone());
            Ok((BlockOutput::Crashed(crash), ev))
        }
    }
}

/// Phase 2, checks: the branch of the trigger. `Err(WorldError)` when the world cannot answer;
/// `Ok(Err(Crash))` when the PHP would throw.
fn checks(
    mut v: Vars,
    input: &BlockInput<'_>,
    j: &Value,
    world: &mut dyn World,
    ev: &mut Evidence,
) -> Result<Result<Vars, Crash>, WorldError> {
    let cfg = input.config;
    let begin_rule = || Rule::BeginStart {
        trigger: input.trigger.to_string(),
    };
    match input.trigger {
        Trigger::BeginUpdate => {
            v.begin(Action::StartUpdate);
            v.update = true;
            for k in [
                FlagKind::Scenario,
                FlagKind::Log,
                FlagKind::Local,
                FlagKind::Size,
                FlagKind::Samba,
            ] {
                ev.set(k, *v.flag_mut(k), begin_rule());
            }
            ev.set(FlagKind::Market, v.market, Rule::MarketNotChecked);
        }
        Trigger::BeginBackup => {
            v.action = Action::StartBackup;
            match update_equals(j, 1, cfg.php) {
                Ok(true) => v.update = true,
                Ok(false) => {}
                Err(c) => return Ok(Err(c)),
            }
            v.begin(Action::StartBackup);
            for k in [
                FlagKind::Scenario,
                FlagKind::Log,
                FlagKind::Local,
                FlagKind::Size,
                FlagKind::Samba,
            ] {
                ev.set(k, *v.flag_mut(k), begin_rule());
            }
            ev.set(FlagKind::Market, v.market, Rule::MarketNotChecked);
        }
        Trigger::EndBackup => {
            if cfg.base != Profile::V2022_01 {
                v.action = Action::EndBackup;
            }
            let l = match read_last_save(j, cfg.php) {
                Ok(l) => l,
                Err(c) => return Ok(Err(c)),
            };
            if !rules::stamp_given(&l, cfg.php) {
                let why = StampMissing::of(input.last_save_tag, j);
                for k in FlagKind::ALL {
                    ev.set(k, *v.flag_mut(k), Rule::NoStamp { why: why.clone() });
                }
                ev.set(FlagKind::Market, v.market, Rule::MarketNotChecked);
                return Ok(Ok(v));
            }
            return end_with_stamp(v, input, j, l, world, ev);
        }
        Trigger::Other(name) => {
            v.action = Action::Empty;
            for k in FlagKind::ALL {
                ev.set(k, *v.flag_mut(k), Rule::OtherTrigger { trigger: name.clone() });
            }
        }
    }
    Ok(Ok(v))
}

/// `end_backup` once `L` is known: errorScenario, errorLog, local archive and size, Samba.
fn end_with_stamp(
    mut v: Vars,
    input: &BlockInput<'_>,
    j: &Value,
    l: Value,
    world: &mut dyn World,
    ev: &mut Evidence,
) -> Result<Result<Vars, Crash>, WorldError> {
    let cfg = input.config;
    v.action = Action::EndBackup;
    // substr() on an array throws on PHP 8; PHP 7 warns and the pieces read as "".
    let l_text = match (&l, cfg.php) {
        (Value::Array(_), PhpVersion::Php8) => return Ok(Err(Crash::StampIsArray)),
        (Value::Array(_), PhpVersion::Php7) => Vec::new(),
        (other, _) => php::to_string(other),
    };
    let l_shown = String::from_utf8_lossy(&l_text).into_owned();
    v.scenario = Flag::Ok;
    v.date = PhpString(php::substr(&l_text, 0, Some(10)));
    v.heure = PhpString(php::substr(&l_text, -5, None));
    let minutes = cfg.stamp_tolerance_s / 60;
    let later = rules::published_later_stamps(&l_text, input.tz, minutes);
    ev.last_save = Some(l_shown.clone());
    ev.later_stamps = later.clone();
    let mut accepted = vec![l_shown.clone()];
    accepted.extend(later.iter().cloned());
    ev.set(
        FlagKind::Scenario,
        Flag::Ok,
        Rule::StampFound {
            last_save: l_shown,
            written_by: evidence::written_by(j),
        },
    );

    // errorLog: a line of log/backup with "[<today>" and, after it, "ERROR".
    if cfg.checks.log {
        let log = world.log(LogName::Backup)?;
        let today = input.now.date().to_string();
        let (hits, read) = rules::dated_error_lines(&log, &today);
        v.log = Flag::from_error(!hits.is_empty());
        ev.log_file = Some(LogName::Backup);
        let rule = if hits.is_empty() {
            Rule::LogClean {
                log: LogName::Backup,
                today,
                lines_read: read,
            }
        } else {
            Rule::LogErrors {
                log: LogName::Backup,
                today,
                lines: hits,
            }
        };
        ev.set(FlagKind::Log, v.log, rule);
    } else {
        v.log = Flag::Disabled;
        ev.set(FlagKind::Log, v.log, Rule::CheckDisabled);
    }

    // Local archive: the last *.gz in name order whose stamp is L or a later accepted stamp.
    if cfg.checks.local || cfg.checks.size {
        let files = world.local_files()?;
        let gz = rules::archives(&files);
        // The folder's path only changes the stamp of names shorter than the stamp window:
        // `backup::path` is read only then.
        let dir = if gz.iter().any(|f| f.name.len() < rules::STAMP_WINDOW) {
            Some(rules::backup_dir(&world.config("backup::path")?))
        } else {
            None
        };
        let mut found = None;
        for f in &gz {
            let stamp = rules::archive_stamp(dir.as_deref(), &f.name);
            if rules::stamp_matches(&stamp, &l, &later, cfg.php) {
                found = Some((*f, String::from_utf8_lossy(&stamp).into_owned()));
            }
        }
        let names = || gz.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        let missing = Rule::ArchiveMissing {
            stamps: accepted.clone(),
            expected_name: None,
            named_at: None,
            archives: names(),
        };
        decide_archive(&mut v, cfg, found.map(|(f, stamp)| (f, stamp, None)), missing, ev);
    } else {
        v.archive = Some(ArchiveField::NotFound);
        v.local = Flag::Disabled;
        v.size = Flag::Disabled;
        ev.set(FlagKind::Local, v.local, Rule::CheckDisabled);
        ev.set(FlagKind::Size, v.size, Rule::CheckDisabled);
    }

    // Samba: only when $J['update'] == 0, NO_CLOUD_BACKUP is not set, and both keys != 0.
    if !cfg.checks.samba {
        ev.set(FlagKind::Samba, v.samba, Rule::CheckDisabled);
    } else {
        match samba_gate(j, cfg, world)? {
            Err(skip) => ev.set(FlagKind::Samba, v.samba, Rule::SambaSkipped(skip)),
            Ok(never_saved) => {
                v.samba = Flag::Error;
                match world.samba_listing()? {
                    Err(message) => {
                        return Ok(Err(Crash::SambaListing {
                            message: redact_text(&message),
                        }));
                    }
                    Ok(list) => match list.first() {
                        None => ev.set(FlagKind::Samba, v.samba, Rule::SambaEmpty { never_saved }),
                        Some(newest) => {
                            let stamp = rules::file_stamp(newest.as_bytes());
                            let matched = rules::stamp_matches(&stamp, &l, &later, cfg.php);
                            if matched {
                                v.samba = Flag::Ok;
                            }
                            ev.set(
                                FlagKind::Samba,
                                v.samba,
                                Rule::SambaNewest {
                                    newest: newest.clone(),
                                    stamp: String::from_utf8_lossy(&stamp).into_owned(),
                                    matched,
                                    expected_stamps: accepted.clone(),
                                    expected_name: None,
                                    never_saved,
                                    upload_line: None,
                                },
                            );
                        }
                    },
                }
            }
        }
    }
    ev.set(FlagKind::Market, v.market, Rule::MarketNotChecked);
    Ok(Ok(v))
}

/// errorLocal and errorSize from the archive found (or not): `$size > $S` is strictly bigger.
/// `found`: the file, its stamp, and the log line that printed its name when it was matched by
/// that name (strict).
pub(super) fn decide_archive(
    v: &mut Vars,
    cfg: &ProfileConfig,
    found: Option<(&LocalFile, String, Option<usize>)>,
    missing: Rule,
    ev: &mut Evidence,
) {
    match found {
        Some((f, stamp, named_at)) => {
            v.local = Flag::Ok;
            v.archive = Some(ArchiveField::Found {
                file_name: f.name.clone(),
                size: f.size,
                size_text: php::size_format(f.size),
            });
            ev.set(
                FlagKind::Local,
                v.local,
                Rule::ArchiveFound {
                    file_name: f.name.clone(),
                    size: f.size,
                    stamp,
                    named_at,
                },
            );
            let big = f.size > cfg.min_size;
            v.size = Flag::from_error(!big);
            let rule = if big {
                Rule::SizeAbove {
                    file_name: f.name.clone(),
                    size: f.size,
                    threshold: cfg.min_size,
                }
            } else {
                Rule::SizeNotAbove {
                    file_name: f.name.clone(),
                    size: f.size,
                    threshold: cfg.min_size,
                }
            };
            ev.set(FlagKind::Size, v.size, rule);
        }
        None => {
            v.local = Flag::Error;
            v.archive = Some(ArchiveField::NotFound);
            ev.set(FlagKind::Local, v.local, missing);
            ev.set(FlagKind::Size, v.size, Rule::SizeNoArchive);
        }
    }
    if !cfg.checks.local {
        v.local = Flag::Disabled;
        ev.set(FlagKind::Local, v.local, Rule::CheckDisabled);
    }
    if !cfg.checks.size {
        v.size = Flag::Disabled;
        ev.set(FlagKind::Size, v.size, Rule::CheckDisabled);
    }
}

/// Whether the published code lists the Samba share (with the keys that were never saved yet
/// count as enabled, PHP 8's blind spot), or why not. Reads the world in the order the
/// condition is evaluated and stops at the first false term.
fn samba_gate(
    j: &Value,
    cfg: &ProfileConfig,
    world: &mut dyn World,
) -> Result<Result<Vec<String>, SambaSkip>, WorldError> {
    match j {
        Value::Array(a) => match a.get("update") {
            None => return Ok(Err(SambaSkip::UpdateMissing)),
            Some(u) if !php::loose_eq(u, &Value::Int(0), cfg.php) => {
                return Ok(Err(SambaSkip::UpdateBackup {
                    update: String::from_utf8_lossy(&php::to_string(u)).into_owned(),
                }));
            }
            Some(_) => {}
        },
        // Only reachable on PHP 7 (a string $J): array_key_exists warns and answers no.
        _ => return Ok(Err(SambaSkip::UpdateMissing)),
    }
    if world.no_cloud_backup()? {
        return Ok(Err(SambaSkip::NoCloudBackup));
    }
    // PHP stops at the first key equal to 0; both are read here so the evidence shows them.
    let enable = world.config("samba::enable")?;
    let cloud = world.config("samba::cloudUpload")?;
    let off = |v: &str| rules::key_is_off(v, cfg.php);
    if off(&enable) || off(&cloud) {
        let never_saved = (enable.is_empty() && off(&enable)) || (cloud.is_empty() && off(&cloud));
        let explicit_zero = (!enable.is_empty() && off(&enable)) || (!cloud.is_empty() && off(&cloud));
        // On PHP 7 a never-saved key is "equal to 0": say so plainly.
        return Ok(Err(if never_saved && !explicit_zero {
            SambaSkip::NeverSaved {
                keys: empty_keys(&enable, &cloud),
            }
        } else {
            SambaSkip::KeysDisabled {
                enable,
                cloud_upload: cloud,
            }
        }));
    }
    Ok(Ok(empty_keys(&enable, &cloud)))
}

/// The Samba keys that hold the never-saved `""`.
pub(super) fn empty_keys(enable: &str, cloud_upload: &str) -> Vec<String> {
    [("samba::enable", enable), ("samba::cloudUpload", cloud_upload)]
        .into_iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(k, _)| k.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    //! Shapes the published vectors do not hold. Each expectation was obtained by running the
    //! published code block of the revision under php 8.2 on the same case.

    use crate::engine::{ProfileConfig, replay_in_memory};
    use crate::world::Timeline;

    use super::Profile;

    /// One `end_backup` at 2025-09-10 03:30:33 on Jeedom 4.4, Samba off, after `virtual`.
    fn end_after(profile: Profile, virtual_value: &str, local: serde_json::Value) -> (String, bool) {
        let case: Timeline = serde_json::from_value(serde_json::json!({
            "jeedom": "4.4",
            "initial_virtual": virtual_value,
            "config": {"backup::path": "backup", "samba::enable": "0"},
            "steps": [{"trigger": "end_backup", "at": "2025-09-10 03:30:33", "local": local}],
        }))
        .unwrap();
        let replay = replay_in_memory(&case, &ProfileConfig::builtin(profile)).unwrap();
        let step = &replay.steps[0];
        (step.virtual_value.clone(), step.crashed())
    }

    const ZERO_STAMP: &str = r#"{"date":"0","heure":"0","minSizeBackup":"100 MB","backup":{"local":{"fileName":0,"fileSize":0,"error":1,"erreurFileSize":1},"samba":{"error":-1},"market":{"error":-1}},"lastSave":"2025-09-10-03h30","update":0,"action":"endBackup","errorScenario":0,"errorLogBackup":0}"#;

    #[test]
    fn a_zero_start_stamp_is_a_stamp_on_php_8() {
        let none = serde_json::json!({});
        assert_eq!(
            end_after(Profile::V2024_08, r#"{"lastSave":"0","update":0}"#, none.clone()),
            (ZERO_STAMP.to_owned(), false)
        );
        assert_eq!(
            end_after(Profile::V2022_01, r#"{"lastSave":0,"update":0}"#, none.clone()),
            (ZERO_STAMP.to_owned(), false)
        );
        // An empty object is an array for PHP: it differs from "" and substr() throws on it.
        assert_eq!(
            end_after(Profile::V2024_08, r#"{"lastSave":{},"update":0}"#, none),
            (String::new(), true)
        );
    }

    #[test]
    fn a_short_archive_name_takes_its_stamp_from_the_folder_path() {
        // `true` loosely equals any non-empty text: "z.gz" matches through the bytes of
        // "/var/www/html/core/php/../../backup/" in its stamp, and sorts last.
        let local = serde_json::json!({"z.gz": 222310457, "backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz": 1});
        assert_eq!(
            end_after(Profile::V2024_08, r#"{"lastSave":true,"update":0}"#, local),
            (
                r#"{"date":"1","heure":"1","minSizeBackup":"100 MB","backup":{"local":{"fileName":"z.gz","fileSize":"212.01 MB","erreurFileSize":0,"error":0},"samba":{"error":-1},"market":{"error":-1}},"lastSave":"2025-09-10-03h30","update":0,"action":"endBackup","errorScenario":0,"errorLogBackup":0}"#.to_owned(),
                false
            )
        );
    }
}
