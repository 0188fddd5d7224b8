//! The rules engine, step 4 of the data flow (log text → parsed run → Jeedom world → **engine**
//! → state → views): the Info backup scenario as a state machine over a [`World`], one profile
//! per published revision (`v2022-01`, `v2023-03`, `v2024-08`) plus `strict`.
//!
//! Each trigger runs what Jeedom runs: tag `#lastSave#` := the virtual's value, the code block
//! (trigger → start values → branch of the trigger → JSON and tags), then an event on the virtual
//! with the block's JSON — or the empty string when the block threw. Pure rules: no IO but through the world, no system clock (time
//! comes from [`World::now`]).
//!
//! - [`profile`]: [`Profile`], [`ProfileConfig`] and profile files.
//! - [`state`]: the typed result ([`ScenarioState`], [`Flag`]) and its byte-exact JSON.
//! - [`evidence`]: why each flag has its value, and one sentence per flag.
//! - `faithful`: the published code block; `strict`: our stricter reading.

use std::collections::BTreeMap;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::{Serialize, Serializer};

use crate::Lang;
use crate::world::{JeedomVersion, MemoryWorld, Timeline, Trigger, World, WorldError, format_at};

pub mod evidence;
mod faithful;
pub mod profile;
pub mod rules;
pub mod state;
mod strict;

pub use evidence::{Crash, Decision, Evidence, LogLine, Repo, Rule, SambaSkip, StampMissing, TriggerSource};
pub use profile::{Checks, Profile, ProfileConfig, ProfileError, UnknownProfile};
pub use state::{Action, ArchiveField, Flag, FlagKind, PhpString, ScenarioState, Shape};

pub use crate::php::PhpVersion;

/// What the code block needs besides the world, for one trigger.
pub(crate) struct BlockInput<'a> {
    pub config: &'a ProfileConfig,
    pub jeedom: JeedomVersion,
    pub tz: &'a TimeZone,
    pub trigger: &'a Trigger,
    pub now: DateTime,
    /// Tag `#lastSave#`: the virtual's value before the trigger.
    pub last_save_tag: &'a str,
    /// The logs as parsed so far in this replay (the strict profile's; each parsed once).
    pub logs: &'a std::cell::RefCell<strict::ParsedLogs>,
}

/// What the code block produced.
pub(crate) enum BlockOutput {
    /// A new state: its JSON goes into the virtual.
    Written(ScenarioState),
    /// The block threw: the virtual becomes `""`.
    Crashed(Crash),
    /// Strict only: the virtual is written back as it was (the state, when it is one of ours).
    Unchanged(Option<ScenarioState>),
}

/// The result of one trigger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepOutcome {
    /// 0-based position in the timeline.
    pub index: usize,
    pub trigger: Trigger,
    /// The box's local time when the trigger ran (from the world's clock).
    #[serde(serialize_with = "serialize_at")]
    pub at: DateTime,
    /// The virtual's value after the step, byte for byte.
    #[serde(rename = "virtual")]
    pub virtual_value: String,
    /// Every tag after the step except `#json#`, values as PHP strings.
    pub tags: BTreeMap<String, String>,
    /// What the code block threw (PHP's message); the virtual is then `""`.
    pub crash: Option<String>,
    /// The typed result (absent when the block crashed).
    pub state: Option<ScenarioState>,
    pub evidence: Evidence,
    /// `$scenario->setLog` lines (a `php:` profile only: the Rust profiles write none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scenario_log: Vec<String>,
    /// What php said besides the result (warnings, printed text, what PHP 8 cannot imitate of a
    /// PHP 7 box), for a `php:` profile.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn serialize_at<S: Serializer>(at: &DateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_at(*at))
}

impl StepOutcome {
    pub fn crashed(&self) -> bool {
        self.crash.is_some()
    }

    /// The value of a flag after this step (`None` when the block crashed).
    pub fn flag(&self, kind: FlagKind) -> Option<Flag> {
        self.state.as_ref().map(|s| s.flag(kind))
    }

    /// One plain sentence on why `kind` has its value after this step.
    pub fn explain(&self, kind: FlagKind, lang: Lang) -> String {
        self.evidence.explain(kind, lang)
    }

    /// The six sentences, in the widget's order.
    pub fn explain_all(&self, lang: Lang) -> Vec<(FlagKind, String)> {
        FlagKind::ALL.into_iter().map(|k| (k, self.explain(k, lang))).collect()
    }
}

/// A whole timeline replayed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    /// The profile's display name.
    pub profile: String,
    pub steps: Vec<StepOutcome>,
}

impl Replay {
    /// The last step, whose virtual the tile shows at the end.
    pub fn last(&self) -> Option<&StepOutcome> {
        self.steps.last()
    }
}

/// Replays a timeline: for each step `i`, `world.enter_step(i)`, then one trigger.
pub fn replay(timeline: &Timeline, config: &ProfileConfig, world: &mut dyn World) -> Result<Replay, WorldError> {
    let tz = timeline.time_zone()?;
    let mut steps = Vec::with_capacity(timeline.steps.len());
    // Each log is parsed once for the whole replay, not once per trigger.
    let logs = std::cell::RefCell::default();
    for (i, step) in timeline.steps.iter().enumerate() {
        world.enter_step(i)?;
        steps.push(run_block(i, &step.trigger, timeline.jeedom, &tz, config, world, &logs)?);
    }
    Ok(Replay {
        profile: config.name(),
        steps,
    })
}

/// Replays a timeline over a [`MemoryWorld`].
pub fn replay_in_memory(timeline: &Timeline, config: &ProfileConfig) -> Result<Replay, WorldError> {
    let mut world = MemoryWorld::new(timeline);
    replay(timeline, config, &mut world)
}

/// Runs one trigger against a world that is already at the right moment (a live box, or a
/// replayed world after `enter_step`): reads the clock and the virtual, runs the code block,
/// writes the virtual.
pub fn run_trigger(
    index: usize,
    trigger: &Trigger,
    jeedom: JeedomVersion,
    tz: &TimeZone,
    config: &ProfileConfig,
    world: &mut dyn World,
) -> Result<StepOutcome, WorldError> {
    run_block(
        index,
        trigger,
        jeedom,
        tz,
        config,
        world,
        &std::cell::RefCell::default(),
    )
}

/// [`run_trigger`] with the logs parsed so far in this replay.
fn run_block(
    index: usize,
    trigger: &Trigger,
    jeedom: JeedomVersion,
    tz: &TimeZone,
    config: &ProfileConfig,
    world: &mut dyn World,
    logs: &std::cell::RefCell<strict::ParsedLogs>,
) -> Result<StepOutcome, WorldError> {
    if let Some(program) = &config.php_block {
        return crate::phprun::run_trigger(index, trigger, jeedom, tz, config, program, world);
    }
    let now = world.now()?;
    let before = world.read_virtual()?;
    let mut tags = BTreeMap::new();
    if jeedom.trigger_from_tag() {
        tags.insert("#trigger#".to_owned(), trigger.as_str().to_owned());
    }
    tags.insert("#lastSave#".to_owned(), before.clone());
    let input = BlockInput {
        config,
        jeedom,
        tz,
        trigger,
        now,
        last_save_tag: &before,
        logs,
    };
    let (output, evidence) = match config.base {
        Profile::Strict => strict::run(&input, world)?,
        _ => faithful::run(&input, world)?,
    };
    let (virtual_value, crash, state) = match output {
        BlockOutput::Written(state) => {
            for (k, v) in state.tags() {
                tags.insert(k.to_owned(), v);
            }
            // json_encode returns false on malformed UTF-8 (a substr that cut a character):
            // the event then writes an empty value.
            let json = state.to_json().unwrap_or_default();
            (json, None, Some(state))
        }
        BlockOutput::Crashed(c) => (String::new(), Some(c.php_message()), None),
        BlockOutput::Unchanged(state) => {
            if let Some(s) = &state {
                for (k, v) in s.tags() {
                    tags.insert(k.to_owned(), v);
                }
            }
            (before.clone(), None, state)
        }
    };
    world.write_virtual(&virtual_value)?;
    Ok(StepOutcome {
        index,
        trigger: trigger.clone(),
        at: now,
        virtual_value,
        tags,
        crash,
        state,
        evidence,
        scenario_log: Vec::new(),
        notes: Vec::new(),
    })
}
