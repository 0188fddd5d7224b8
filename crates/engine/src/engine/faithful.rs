//! The published code block (revisions 2022-01, 2023-03, 2024-08), phase by phase in the PHP's
//! own order (line numbers of 2024-08, counted as below):
//! 1. **trigger** (lines 7 to 13): which launcher ran the block (`Block::read_trigger`);
//! 2. **start values** (lines 14 to 26): `$Json` and the variables' start values (`Block::start`);
//! 3. **branch of the trigger** (lines 30 to 188): `begin_update` / `begin_backup`
//!    (`Block::begin`), `end_backup` (`Block::end_backup`: the start stamp, then the checks log,
//!    local and size, Samba) or any other launcher (`Block::other_trigger`);
//! 4. **JSON and tags** (lines 189 to 228): `lastSave = stamp(now)` and the state (`Vars::end`).
//!
//! The world is read lazily, in the order the PHP reads it. Every flag is written through
//! `Block::set` or `Block::keep`, which record beside the value the rule that decided it (the
//! [`Evidence`]), so each phase reads as the PHP does. A PHP throw and a world that cannot answer
//! both stop the block (`Stop`): each `?` is a place where that can happen, and [`run`] is the one
//! place that catches, as Jeedom does: a throw empties the virtual, a world error ends the replay.
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
//! published block under php 8.2 (`php:` profiles, `crates/engine/src/phprun/`), byte for byte at every step;
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
use jiff::tz::TimeZone;

use crate::php::{self, PhpVersion, Value};
use crate::redact::redact_text;
use crate::world::{LocalFile, LogName, Trigger, World, WorldError};

use super::evidence::{self, Archives, Crash, Evidence, Rule, SambaSkip, StampMissing, TriggerSource};
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
    /// Lines 15 to 26, the start values: `date=""`, `heure=""`, `minSizeBackup=size_format(S)`,
    /// `update=0`, `errorScenario=1`, `errorLog=1`, `errorLocal=-1`, `errorSize=1`,
    /// `errorSamba=-1`, `errorMarket=-1`; `action` is `""` (2022-01: unset, so `null`, until a
    /// branch assigns it).
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

    /// Lines 55 to 58, what `begin_backup` and `begin_update` write: `errorScenario=0`,
    /// `errorLog=0`, `errorLocal=-1`, `errorSize=0`.
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

    /// Lines 189 to 228, the end: `lastSave = stamp(now)` and the state in the layout of the path
    /// taken.
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

/// Why the block stopped before its end.
///
/// One error type rather than a `Result` in a `Result`, so that `?` reads as the PHP's own
/// unwinding: a world read and a PHP operation that throws both end the block at that line, and
/// only [`run`] tells them apart.
enum Stop {
    /// PHP threw: Jeedom catches it and the virtual becomes `""`.
    Crashed(Crash),
    /// The world could not answer: no outcome, the replay fails.
    World(WorldError),
}

impl From<Crash> for Stop {
    fn from(crash: Crash) -> Stop {
        Stop::Crashed(crash)
    }
}

impl From<WorldError> for Stop {
    fn from(e: WorldError) -> Stop {
        Stop::World(e)
    }
}

/// Runs the published code block for one trigger.
pub(crate) fn run(input: &BlockInput<'_>, world: &mut dyn World) -> Result<(BlockOutput, Evidence), WorldError> {
    let mut block = Block::start(input);
    match block.branch(world) {
        Ok(()) => Ok((BlockOutput::Written(block.vars.end(input.config, input.now)), block.why)),
        Err(Stop::Crashed(crash)) => {
            block.why.crashed(crash.clone());
            Ok((BlockOutput::Crashed(crash), block.why))
        }
        Err(Stop::World(e)) => Err(e),
    }
}

/// One run of the code block: what it reads, its variables, and beside them why each flag has
/// its value.
struct Block<'a> {
    input: &'a BlockInput<'a>,
    cfg: &'a ProfileConfig,
    /// Line 14: `$Json = json_decode(#lastSave#)`, PHP null when it is not JSON.
    json: Value,
    vars: Vars,
    why: Evidence,
}

impl<'a> Block<'a> {
    /// Lines 14 to 26: `$Json` and the start values. Nothing here reads the world or throws, so
    /// it is set up before the trigger is read.
    fn start(input: &'a BlockInput<'a>) -> Block<'a> {
        let cfg = input.config;
        let source = if input.jeedom.trigger_from_tag() {
            TriggerSource::Tag
        } else {
            TriggerSource::Accessor
        };
        let launched_by = Rule::OtherTrigger {
            trigger: input.trigger.to_string(),
        };
        Block {
            input,
            cfg,
            json: php::json_decode(input.last_save_tag).unwrap_or(Value::Null),
            vars: Vars::start(cfg),
            why: Evidence::new(cfg.name(), source, cfg.min_size, launched_by),
        }
    }

    /// `$errorX = flag`, and beside it the rule that decided it.
    fn set(&mut self, kind: FlagKind, flag: Flag, rule: Rule) {
        *self.vars.flag_mut(kind) = flag;
        self.why.set(kind, flag, rule);
    }

    /// The flag keeps its value; `rule` says why.
    fn keep(&mut self, kind: FlagKind, rule: Rule) {
        let flag = *self.vars.flag_mut(kind);
        self.why.set(kind, flag, rule);
    }

    /// The flags the block checks keep their values for `rule`; the Market is never checked.
    fn keep_all(&mut self, rule: Rule) {
        for kind in [
            FlagKind::Scenario,
            FlagKind::Log,
            FlagKind::Local,
            FlagKind::Size,
            FlagKind::Samba,
        ] {
            self.keep(kind, rule.clone());
        }
        self.keep(FlagKind::Market, Rule::MarketNotChecked);
    }

    /// Lines 30 to 188: the branch of the trigger.
    fn branch(&mut self, world: &mut dyn World) -> Result<(), Stop> {
        match self.read_trigger()? {
            trigger @ (Trigger::BeginUpdate | Trigger::BeginBackup) => self.begin(trigger)?,
            Trigger::EndBackup => self.end_backup(world)?,
            Trigger::Other(name) => self.other_trigger(name),
        }
        Ok(())
    }

    /// Lines 7 to 13: 2022-01 and 2023-03 only know the ≤ 4.4 accessor, which Jeedom 4.5 removed;
    /// 2024-08 reads the `#trigger#` tag there.
    fn read_trigger(&self) -> Result<&'a Trigger, Crash> {
        let accessor_only = matches!(self.cfg.base, Profile::V2022_01 | Profile::V2023_03);
        if self.input.jeedom.trigger_from_tag() && accessor_only {
            return Err(Crash::TriggerAccessorGone);
        }
        Ok(self.input.trigger)
    }

    /// Lines 30 to 60: a backup starts. `update` is 1 for `begin_update` (line 36), and for
    /// `begin_backup` when the prior value says so (line 48, which throws on PHP 8 when `$Json`
    /// is not an array).
    fn begin(&mut self, trigger: &Trigger) -> Result<(), Crash> {
        let (action, update) = match trigger {
            Trigger::BeginUpdate => (Action::StartUpdate, true),
            _ => (Action::StartBackup, update_equals(&self.json, 1, self.cfg.php)?),
        };
        self.vars.update = update;
        self.vars.begin(action);
        self.keep_all(Rule::BeginStart {
            trigger: trigger.to_string(),
        });
        Ok(())
    }

    /// Lines 181 to 188: any other launcher checks nothing; `action` becomes `""` (2022-01
    /// too, line 180 there) and the flags keep their start values.
    fn other_trigger(&mut self, name: &str) {
        self.vars.action = Action::Empty;
        for kind in FlagKind::ALL {
            self.keep(
                kind,
                Rule::OtherTrigger {
                    trigger: name.to_owned(),
                },
            );
        }
    }

    /// Lines 61 to 180: the backup ended. With a start stamp `L`, errorScenario, then the checks
    /// in the PHP's order: log, local archive and size, Samba.
    fn end_backup(&mut self, world: &mut dyn World) -> Result<(), Stop> {
        let last_save = read_last_save(&self.json, self.cfg.php)?;
        if !rules::stamp_given(&last_save, self.cfg.php) {
            self.no_start_stamp();
            return Ok(());
        }
        let start = StartStamp::read(last_save, self.cfg, self.input.tz)?;
        self.start_stamp_found(&start);
        self.check_log(world)?;
        self.check_local(&start, world)?;
        self.check_samba(&start, world)?;
        self.keep(FlagKind::Market, Rule::MarketNotChecked);
        Ok(())
    }

    /// Lines 172 to 178: no start stamp, nothing is checked and the flags keep their start
    /// values. `action` is `endBackup` from line 69, which 2022-01 lacks: there it stays unset.
    fn no_start_stamp(&mut self) {
        if self.cfg.base != Profile::V2022_01 {
            self.vars.action = Action::EndBackup;
        }
        self.keep_all(Rule::NoStamp {
            why: StampMissing::of(self.input.last_save_tag, &self.json),
        });
    }

    /// Lines 77 to 83: `action`, `errorScenario=0`, and `date` and `heure` cut out of `L`.
    fn start_stamp_found(&mut self, start: &StartStamp) {
        self.vars.action = Action::EndBackup;
        self.vars.date = PhpString(php::substr(&start.text, 0, Some(10)));
        self.vars.heure = PhpString(php::substr(&start.text, -5, None));
        let found = Rule::StampFound {
            last_save: start.shown(),
            written_by: evidence::written_by(&self.json),
        };
        self.set(FlagKind::Scenario, Flag::Ok, found);
        self.why.last_save = Some(start.shown());
        self.why.later_stamps = start.later.clone();
    }

    /// Lines 85 to 90, errorLog: a line of `log/backup` holding `[` + today's date and, later on
    /// it, `ERROR`.
    fn check_log(&mut self, world: &mut dyn World) -> Result<(), WorldError> {
        if !self.cfg.checks.log {
            self.set(FlagKind::Log, Flag::Disabled, Rule::CheckDisabled);
            return Ok(());
        }
        let log = LogName::Backup;
        let text = world.log(log)?;
        let today = self.input.now.date().to_string();
        let (lines, lines_read) = self.input.logs.borrow_mut().published.lines(&text, &today);
        let (flag, rule) = if lines.is_empty() {
            (Flag::Ok, Rule::LogClean { log, today, lines_read })
        } else {
            (Flag::Error, Rule::LogErrors { log, today, lines })
        };
        self.why.log_file = Some(log);
        self.set(FlagKind::Log, flag, rule);
        Ok(())
    }

    /// Lines 97 to 133, errorLocal and errorSize: the last `*.gz` in name order whose stamp is
    /// `L` or `L2`, and its size.
    fn check_local(&mut self, start: &StartStamp, world: &mut dyn World) -> Result<(), WorldError> {
        let cfg = self.cfg;
        if !cfg.checks.local && !cfg.checks.size {
            self.vars.archive = Some(ArchiveField::NotFound);
            self.set(FlagKind::Local, Flag::Disabled, Rule::CheckDisabled);
            self.set(FlagKind::Size, Flag::Disabled, Rule::CheckDisabled);
            return Ok(());
        }
        let files = world.local_files()?;
        let gz = rules::archives(&files);
        // Line 106: the folder's path only changes the stamp of names shorter than the stamp
        // window, so `backup::path` is read only then.
        let dir = if gz.iter().any(|f| f.name.len() < rules::STAMP_WINDOW) {
            Some(rules::backup_dir(&world.config("backup::path")?))
        } else {
            None
        };
        let found = gz.iter().rev().find_map(|f| {
            let stamp = rules::archive_stamp(dir.as_deref(), &f.name);
            let matched = start.matches(&stamp, cfg.php);
            matched.then(|| (*f, String::from_utf8_lossy(&stamp).into_owned(), None))
        });
        let missing = Rule::ArchiveMissing {
            stamps: start.accepted(),
            expected_name: None,
            named_at: None,
            archives: Archives::of(&files),
        };
        decide_archive(&mut self.vars, cfg, found, missing, &mut self.why);
        Ok(())
    }

    /// Lines 134 to 170, errorSamba: when the gate lets it, the share's newest file must carry
    /// `L` or `L2`; a listing that throws (line 149) crashes the block.
    fn check_samba(&mut self, start: &StartStamp, world: &mut dyn World) -> Result<(), Stop> {
        let cfg = self.cfg;
        if !cfg.checks.samba {
            self.keep(FlagKind::Samba, Rule::CheckDisabled);
            return Ok(());
        }
        let never_saved = match samba_gate(&self.json, cfg, world)? {
            SambaGate::Closed(skip) => {
                self.keep(FlagKind::Samba, Rule::SambaSkipped(skip));
                return Ok(());
            }
            SambaGate::Open { never_saved } => never_saved,
        };
        let listing = world.samba_listing()?.map_err(|message| Crash::SambaListing {
            message: redact_text(&message),
        })?;
        let (flag, rule) = match listing.first() {
            None => (Flag::Error, Rule::SambaEmpty { never_saved }),
            Some(newest) => {
                let stamp = rules::file_stamp(newest.as_bytes());
                let matched = start.matches(&stamp, cfg.php);
                let rule = Rule::SambaNewest {
                    newest: newest.clone(),
                    stamp: String::from_utf8_lossy(&stamp).into_owned(),
                    matched,
                    expected_stamps: start.accepted(),
                    expected_name: None,
                    never_saved,
                    upload_line: None,
                };
                (Flag::from_error(!matched), rule)
            }
        };
        self.set(FlagKind::Samba, flag, rule);
        Ok(())
    }
}

/// `$lastSaveJson` (`L`) once `end_backup` found it, and the stamps accepted with it.
struct StartStamp {
    /// `L` as PHP holds it, for the loose comparisons.
    value: Value,
    /// `L` as the text `substr` reads.
    text: Vec<u8>,
    /// `L2` (line 66): the stamps of the minutes after `L` the profile tolerates.
    later: Vec<String>,
}

impl StartStamp {
    /// Lines 64 to 66 (2022-01: inside the stamp test, line 69 there): `substr` throws on an array
    /// on PHP 8; PHP 7 warns and reads `""`. An array passes the stamp test, so both revisions
    /// throw alike.
    fn read(value: Value, cfg: &ProfileConfig, tz: &TimeZone) -> Result<StartStamp, Crash> {
        let text = match (&value, cfg.php) {
            (Value::Array(_), PhpVersion::Php8) => return Err(Crash::StampIsArray),
            (Value::Array(_), PhpVersion::Php7) => Vec::new(),
            (other, _) => php::to_string(other),
        };
        let minutes = cfg.stamp_tolerance_s / 60;
        let later = rules::published_later_stamps(&text, tz, minutes);
        Ok(StartStamp { value, text, later })
    }

    /// `L` for a person (the evidence).
    fn shown(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }

    /// `L`, then the later stamps.
    fn accepted(&self) -> Vec<String> {
        std::iter::once(self.shown())
            .chain(self.later.iter().cloned())
            .collect()
    }

    /// `$stamp == $L || $stamp == $L2`, loose as PHP compares.
    fn matches(&self, stamp: &[u8], php: PhpVersion) -> bool {
        rules::stamp_matches(stamp, &self.value, &self.later, php)
    }
}

/// Line 48, `array_key_exists('update', $J) && $J['update'] == $n`. On PHP 8, `$J` not an array
/// throws; on PHP 7 it warns and answers no.
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

/// Line 62, `$J['lastSave']`: null when missing or `$J` is not an array; a string `$J` throws on
/// PHP 8 and gives its first character on PHP 7.
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

/// errorLocal and errorSize from the archive found (or not), for the published block and for
/// strict. `found`: the file, its stamp, and the log line that printed its name when it was
/// matched by that name (strict). `missing`: why no archive was found.
pub(super) fn decide_archive(
    v: &mut Vars,
    cfg: &ProfileConfig,
    found: Option<(&LocalFile, String, Option<usize>)>,
    missing: Rule,
    ev: &mut Evidence,
) {
    let (local, size) = match found {
        Some((f, stamp, named_at)) => {
            v.archive = Some(ArchiveField::Found {
                file_name: f.name.clone(),
                size: f.size,
                size_text: php::size_format(f.size),
            });
            let local = Rule::ArchiveFound {
                file_name: f.name.clone(),
                size: f.size,
                stamp,
                named_at,
            };
            ((Flag::Ok, local), size_above(f, cfg.min_size))
        }
        None => {
            v.archive = Some(ArchiveField::NotFound);
            ((Flag::Error, missing), (v.size, Rule::SizeNoArchive))
        }
    };
    for (kind, checked, decided) in [
        (FlagKind::Local, cfg.checks.local, local),
        (FlagKind::Size, cfg.checks.size, size),
    ] {
        let (flag, rule) = if checked {
            decided
        } else {
            (Flag::Disabled, Rule::CheckDisabled)
        };
        *v.flag_mut(kind) = flag;
        ev.set(kind, flag, rule);
    }
}

/// Line 123, errorSize: `$fileSize <= $S` is an error, so the archive must be strictly bigger.
fn size_above(f: &LocalFile, threshold: u64) -> (Flag, Rule) {
    let (file_name, size) = (f.name.clone(), f.size);
    let above = size > threshold;
    let rule = if above {
        Rule::SizeAbove {
            file_name,
            size,
            threshold,
        }
    } else {
        Rule::SizeNotAbove {
            file_name,
            size,
            threshold,
        }
    };
    (Flag::from_error(!above), rule)
}

/// Whether lines 137 to 143 let the block list the Samba share.
enum SambaGate {
    /// The share is listed. `never_saved`: the Samba keys that hold the never-saved `""` yet
    /// count as enabled (PHP 8's blind spot).
    Open { never_saved: Vec<String> },
    /// The share is not listed, and why.
    Closed(SambaSkip),
}

/// Lines 137 to 143, read in the order the condition is evaluated, stopping at the first false
/// term: `$J['update'] == 0`, then `NO_CLOUD_BACKUP` unset, then both Samba keys `!= 0`.
fn samba_gate(j: &Value, cfg: &ProfileConfig, world: &mut dyn World) -> Result<SambaGate, WorldError> {
    // A string $J (PHP 7 only reaches here with one): array_key_exists warns and answers no.
    let update = match j {
        Value::Array(a) => a.get("update"),
        _ => None,
    };
    match update {
        None => return Ok(SambaGate::Closed(SambaSkip::UpdateMissing)),
        Some(u) if !php::loose_eq(u, &Value::Int(0), cfg.php) => {
            let update = String::from_utf8_lossy(&php::to_string(u)).into_owned();
            return Ok(SambaGate::Closed(SambaSkip::UpdateBackup { update }));
        }
        Some(_) => {}
    }
    if world.no_cloud_backup()? {
        return Ok(SambaGate::Closed(SambaSkip::NoCloudBackup));
    }
    // PHP stops at the first key equal to 0; both are read here so the evidence shows them.
    let enable = world.config("samba::enable")?;
    let cloud = world.config("samba::cloudUpload")?;
    Ok(samba_keys_gate(enable, cloud, cfg.php))
}

/// Line 143, `config::byKey('samba::enable') != 0 && config::byKey('samba::cloudUpload') != 0`
/// on the raw strings.
fn samba_keys_gate(enable: String, cloud: String, php: PhpVersion) -> SambaGate {
    let off = |v: &str| rules::key_is_off(v, php);
    if !off(&enable) && !off(&cloud) {
        return SambaGate::Open {
            never_saved: empty_keys(&enable, &cloud),
        };
    }
    let never_saved = (enable.is_empty() && off(&enable)) || (cloud.is_empty() && off(&cloud));
    let explicit_zero = (!enable.is_empty() && off(&enable)) || (!cloud.is_empty() && off(&cloud));
    // On PHP 7 a never-saved key is "equal to 0": say so plainly.
    SambaGate::Closed(if never_saved && !explicit_zero {
        SambaSkip::NeverSaved {
            keys: empty_keys(&enable, &cloud),
        }
    } else {
        SambaSkip::KeysDisabled {
            enable,
            cloud_upload: cloud,
        }
    })
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
