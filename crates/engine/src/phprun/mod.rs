//! `php:PATH` profiles: the scenario's own code block run under php-cli, trigger by trigger, as
//! Jeedom runs it. Step 4 of the data flow (log text → parsed run → Jeedom world → **engine** →
//! state → views), beside the Rust profiles: `engine::run_trigger` hands a trigger here when the
//! profile carries a [`PhpProgram`].
//!
//! One php process per program (so per replay batch: a whole `check`, `conformance` or test run),
//! not one per trigger. The process runs `driver.php` (included with `include_str!`) in a
//! temporary folder and speaks JSON Lines: one `run` request per trigger with the clock and the
//! tags; the driver asks back for each fact the block touches (`config::byKey`, a log file, the
//! backup folder, the Samba listing), which this side answers from the replay's [`World`]; one
//! `done` answer carries the tags, the virtual, the crash and the `setLog` lines. Nothing the
//! block touches comes from the host: plain paths go through a stream wrapper, `glob`, `date`,
//! `time`, `strtotime`, `mktime`… are namespaced functions reading the step's local time (so a
//! time inside a DST gap is fine, no `faketime`).
//!
//! Sandbox: `php -n` (no php.ini), process, network and mail functions disabled, `open_basedir`
//! on the temporary folder, a memory limit, a CPU time limit per trigger, and a wall-clock
//! watchdog here that kills a block that does not answer (a loop, a `sleep`). The environment
//! is emptied, so no secret of ours reaches the block. PHP warnings are collected as notes,
//! never printed.
//!
//! Invariant: a replay's facts come only through [`World`]; the clock only from [`World::now`].

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use serde_json::{Value, json};

use crate::engine::evidence::{Evidence, Rule, TriggerSource};
use crate::engine::{Flag, FlagKind, ProfileConfig, ScenarioState, StepOutcome};
use crate::redact::redact_text;
use crate::template::{self, TemplateError};
use crate::world::{JeedomVersion, LogName, Trigger, World, WorldError, format_at};

const DRIVER: &str = include_str!("driver.php");
const MARKER: &str = "\u{1e}IB ";

/// The Debian package that provides `php`.
pub const PHP_PACKAGE: &str = "php-cli";

/// Functions the block may not call: processes, network, mail, environment, extensions.
const DISABLED: &str = "exec,passthru,shell_exec,system,proc_open,popen,proc_nice,proc_terminate,proc_get_status,\
proc_close,pcntl_exec,pcntl_fork,pcntl_signal,pcntl_alarm,pcntl_waitpid,pcntl_wait,posix_kill,posix_mkfifo,\
posix_setuid,posix_setgid,mail,mb_send_mail,fsockopen,pfsockopen,stream_socket_client,stream_socket_server,\
stream_socket_pair,socket_create,socket_connect,curl_init,curl_exec,curl_multi_exec,ftp_connect,ftp_ssl_connect,\
dl,putenv,getenv,link,symlink,chmod,chown,chgrp,touch,unlink,rename,mkdir,rmdir,tempnam,tmpfile,\
ini_set,ini_alter,ini_restore,set_include_path,gethostbyname,dns_get_record,highlight_file,show_source,\
phpinfo,getmypid,get_current_user,openlog,syslog";

/// Why a `php:` profile cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhpError {
    #[error(
        "php:{profile}: the php command is not installed ({php}: {message}); install the Debian package {PHP_PACKAGE} (apt-get install {PHP_PACKAGE}), or set INFOBACKUP_PHP to a php binary"
    )]
    Missing {
        profile: String,
        php: String,
        message: String,
    },
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("php:{profile}: {message}")]
    Run { profile: String, message: String },
}

/// The scenario's code block and the php process that runs it (started on first use, kept for
/// every later trigger, restarted after a block that killed it).
pub struct PhpProgram {
    /// `PATH` as given after `php:`.
    path: PathBuf,
    code: String,
    /// The first-line minimum size of the block, when it can be read.
    min_size: Option<u64>,
    timeout: Duration,
    process: Mutex<Option<Process>>,
}

impl fmt::Debug for PhpProgram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhpProgram({})", self.path.display())
    }
}

impl PartialEq for PhpProgram {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.code == other.code
    }
}
impl Eq for PhpProgram {}

impl serde::Serialize for PhpProgram {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

/// The php binary: `INFOBACKUP_PHP`, or `php` on the PATH.
pub fn php_binary() -> String {
    std::env::var("INFOBACKUP_PHP")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "php".to_owned())
}

/// The PHP version the installed php reports (`8.2.29`), or why php cannot run.
pub fn php_version(profile: &str) -> Result<String, PhpError> {
    let php = php_binary();
    let out = Command::new(&php)
        .args(["-n", "-r", "echo PHP_VERSION;"])
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .map_err(|e| PhpError::Missing {
            profile: profile.to_owned(),
            php: php.clone(),
            message: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(PhpError::Missing {
            profile: profile.to_owned(),
            php,
            message: format!("it exited with {}", out.status),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

impl PhpProgram {
    /// Reads a template or bare block; checks that php can run. One program per path for the
    /// whole process (see [`program`]), so that every replay shares one php process.
    fn load(path: &Path) -> Result<PhpProgram, PhpError> {
        let loaded = template::load(path)?;
        let code = loaded.block()?.code.clone();
        let name = path.display().to_string();
        php_version(&name)?;
        let timeout = std::env::var("INFOBACKUP_PHP_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map_or(Duration::from_secs(10), Duration::from_secs);
        Ok(PhpProgram {
            path: path.to_owned(),
            min_size: crate::template::lint::min_size(&code).ok(),
            code,
            timeout,
            process: Mutex::new(None),
        })
    }

    /// The profile's name: `php:PATH`.
    pub fn name(&self) -> String {
        format!("php:{}", self.path.display())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    /// The block's minimum size (`$alertsizebackup`), when its first line can be read.
    pub fn min_size(&self) -> Option<u64> {
        self.min_size
    }

    /// A failure of the php process, named with the profile; `message` in both languages (a
    /// text php or the system gave is English only, and said so in French).
    fn err(&self, message: impl Into<crate::Text>) -> WorldError {
        let m = message.into();
        WorldError::Invalid(crate::Text::new(
            format!("{} : {}", self.name(), m.get(crate::Lang::Fr)),
            format!("{}: {}", self.name(), m.en),
        ))
    }

    /// Runs one trigger: tag `#lastSave#` ← the virtual, the block, event ← tag `json`.
    pub fn run_trigger(&self, req: &TriggerRequest<'_>, world: &mut dyn World) -> Result<Answer, WorldError> {
        let mut guard = self.process.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(Process::start(&self.code, self.timeout).map_err(|m| self.err(m))?);
        }
        let Some(process) = guard.as_mut() else {
            return Err(self.err(crate::Text::new(
                "le processus php n'a pas démarré",
                "the php process did not start",
            )));
        };
        match process.run(req, world, self.timeout) {
            Ok(a) => Ok(a),
            Err(RunFailure::World(e)) => {
                // The driver still waits for an answer: this process cannot go on.
                *guard = None;
                Err(e)
            }
            Err(RunFailure::Php(m)) => {
                *guard = None;
                let (n, t, at) = (req.index + 1, &req.trigger, format_at(req.now));
                Err(self.err(crate::Text::new(
                    format!("déclenchement {n} ({t} à {at}) : « {m} » (message de php, en anglais)"),
                    format!("trigger {n} ({t} at {at}): {m}"),
                )))
            }
        }
    }
}

/// The programs of this process, by path: every replay of a `php:PATH` profile shares one.
pub fn program(path: &Path) -> Result<Arc<PhpProgram>, PhpError> {
    static PROGRAMS: OnceLock<Mutex<HashMap<PathBuf, Arc<PhpProgram>>>> = OnceLock::new();
    let map = PROGRAMS.get_or_init(|| Mutex::new(HashMap::new()));
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    if let Some(p) = map.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(Arc::clone(p));
    }
    let p = Arc::new(PhpProgram::load(path)?);
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, Arc::clone(&p));
    Ok(p)
}

/// The profile for `php:PATH`: the revision the block is closest to as its base (for reports
/// that need one), the block's own minimum size, PHP 8 (the installed php).
pub fn profile(path: &Path) -> Result<ProfileConfig, PhpError> {
    Ok(profile_of(program(path)?))
}

/// A program of its own (its own php process), with its own watchdog limit: for tests and
/// tools that must not share the process-wide one of [`program`].
pub fn program_with_timeout(path: &Path, timeout: Duration) -> Result<Arc<PhpProgram>, PhpError> {
    let mut p = PhpProgram::load(path)?;
    p.timeout = timeout;
    Ok(Arc::new(p))
}

/// The profile that runs `program`.
pub fn profile_of(program: Arc<PhpProgram>) -> ProfileConfig {
    let mut c = ProfileConfig::builtin(crate::template::revisions::nearest_profile(program.code()));
    c.custom_name = Some(program.name());
    if let Some(s) = program.min_size() {
        c.min_size = s;
    }
    c.php_block = Some(program);
    c
}

/// One trigger, as the driver receives it.
pub struct TriggerRequest<'a> {
    pub index: usize,
    pub trigger: &'a Trigger,
    pub jeedom: JeedomVersion,
    pub tz: &'a TimeZone,
    pub tz_name: String,
    pub now: jiff::civil::DateTime,
    pub php7: bool,
    pub no_cloud_backup: bool,
    pub tags: &'a BTreeMap<String, String>,
}

/// What one trigger did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Tag `json` as the event writes it into the virtual (`""` when unset).
    pub virtual_value: String,
    /// Every tag after the block, `#json#` included.
    pub tags: BTreeMap<String, String>,
    /// `Class: message` of what the block threw.
    pub crash: Option<String>,
    /// `$scenario->setLog` lines.
    pub log: Vec<String>,
    /// PHP warnings and notices, what the block printed, what PHP 8 cannot imitate of PHP 7.
    pub notes: Vec<String>,
}

enum RunFailure {
    World(WorldError),
    Php(String),
}

enum Line {
    Message(Value),
    Printed(String),
    Eof,
}

struct Process {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Line>,
    stderr: Arc<Mutex<String>>,
    /// Removed when the process ends.
    _dir: TempDir,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let p = base.join(format!("infobackup-php-{}-{n}", std::process::id()));
            match std::fs::create_dir(&p) {
                Ok(()) => return Ok(TempDir(p)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stderr_text(s: &Mutex<String>) -> String {
    let t = s.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let t = t
        .lines()
        .map(|l| l.trim_start_matches("PHP "))
        .filter(|l| !l.trim().is_empty() && !l.starts_with("Stack trace") && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" / ");
    clean_paths(&t)
}

/// PHP messages name the driver's temporary path; a person wants neither.
fn clean_paths(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("/infobackup-php-") {
        let start = rest[..i].rfind(|c: char| c.is_whitespace()).map_or(0, |j| j + 1);
        out.push_str(&rest[..start]);
        let after = &rest[i..];
        let end = after.find(|c: char| c.is_whitespace()).unwrap_or(after.len());
        out.push_str("the infobackup driver");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

impl Process {
    fn start(code: &str, timeout: Duration) -> Result<Process, String> {
        let dir = TempDir::new().map_err(|e| format!("cannot create a temporary folder: {e}"))?;
        let driver = dir.0.join("driver.php");
        std::fs::write(&driver, DRIVER).map_err(|e| format!("cannot write {}: {e}", driver.display()))?;
        let cpu = timeout.as_secs().max(1);
        let php = php_binary();
        let mut cmd = Command::new(&php);
        cmd.arg("-n")
            .args(["-d", &format!("disable_functions={DISABLED}")])
            .args(["-d", &format!("open_basedir={}", dir.0.display())])
            .args(["-d", "memory_limit=256M"])
            .args(["-d", &format!("max_execution_time={cpu}")])
            .args(["-d", "allow_url_fopen=0", "-d", "allow_url_include=0"])
            .args([
                "-d",
                "display_errors=stderr",
                "-d",
                "log_errors=0",
                "-d",
                "html_errors=0",
            ])
            .args([
                "-d",
                "error_reporting=-1",
                "-d",
                "date.timezone=UTC",
                "-d",
                "default_charset=UTF-8",
            ])
            .args([
                "-d",
                "zend.assertions=-1",
                "-d",
                "output_buffering=0",
                "-d",
                "implicit_flush=0",
            ])
            .arg(&driver)
            .current_dir(&dir.0)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {php}: {e} (install the Debian package {PHP_PACKAGE})"))?;
        let (Some(stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err("php's pipes could not be opened".into());
        };
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match r.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => {
                        let _ = tx.send(Line::Eof);
                        return;
                    }
                    Ok(_) => {}
                }
                let text = String::from_utf8_lossy(&buf);
                let text = text.strip_suffix('\n').unwrap_or(&text);
                let sent = match text.find(MARKER) {
                    Some(i) => {
                        if i > 0 {
                            let _ = tx.send(Line::Printed(text[..i].to_owned()));
                        }
                        match serde_json::from_str::<Value>(&text[i + MARKER.len()..]) {
                            Ok(v) => tx.send(Line::Message(v)),
                            Err(_) => tx.send(Line::Printed(text.to_owned())),
                        }
                    }
                    None => tx.send(Line::Printed(text.to_owned())),
                };
                if sent.is_err() {
                    return;
                }
            }
        });
        let err_buf = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&err_buf);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                let mut s = sink.lock().unwrap_or_else(|p| p.into_inner());
                if s.len() < 65536 {
                    s.push_str(&String::from_utf8_lossy(&chunk[..n]));
                }
            }
        });
        let mut p = Process {
            child,
            stdin,
            lines: rx,
            stderr: err_buf,
            _dir: dir,
        };
        p.send(&json!({"type": "init", "code": code, "time_limit": cpu}))?;
        let deadline = Instant::now() + Duration::from_secs(10).max(timeout);
        match p.next(deadline)? {
            (m, _) if m.get("type").and_then(Value::as_str) == Some("ready") => Ok(p),
            (m, _) => Err(format!("unexpected first message from the driver: {m}")),
        }
    }

    fn send(&mut self, v: &Value) -> Result<(), String> {
        let mut line = v.to_string();
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| self.died(&format!("cannot write to php: {e}")))
    }

    fn died(&mut self, what: &str) -> String {
        let _ = self.child.wait_timeout_ms(200);
        let err = stderr_text(&self.stderr);
        if err.is_empty() {
            format!("{what}: php stopped (the block called exit, or php crashed)")
        } else {
            format!("{what}: php stopped: {err}")
        }
    }

    /// The next protocol message, with what the block printed before it.
    fn next(&mut self, deadline: Instant) -> Result<(Value, Vec<String>), String> {
        let mut printed = Vec::new();
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(wait) {
                Ok(Line::Message(v)) => return Ok((v, printed)),
                Ok(Line::Printed(s)) => printed.push(s),
                Ok(Line::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.died("the block did not finish"));
                }
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    return Err(
                        "the block did not finish in time and was stopped (an endless loop? INFOBACKUP_PHP_TIMEOUT sets the limit in seconds)"
                            .to_owned(),
                    );
                }
            }
        }
    }

    fn run(
        &mut self,
        req: &TriggerRequest<'_>,
        world: &mut dyn World,
        timeout: Duration,
    ) -> Result<Answer, RunFailure> {
        let ts = req
            .now
            .to_zoned_datetime(req.tz.clone())
            .map(|z| z.timestamp().as_second())
            .map_err(|e| {
                RunFailure::World(WorldError::Invalid(crate::Text::new(
                    format!(
                        "heure locale {} : « {e} » (message de jiff, en anglais)",
                        format_at(req.now)
                    ),
                    format!("local time {}: {e}", format_at(req.now)),
                )))
            })?;
        let msg = json!({
            "type": "run",
            "trigger": req.trigger.as_str(),
            "now": format_at(req.now),
            "ts": ts,
            "tz": req.tz_name,
            "jeedom": req.jeedom.as_str(),
            "jeedom45": req.jeedom.trigger_from_tag(),
            "php7": req.php7,
            "no_cloud_backup": req.no_cloud_backup,
            "tags": req.tags,
        });
        self.send(&msg).map_err(RunFailure::Php)?;
        let deadline = Instant::now() + timeout;
        let mut printed_all = Vec::new();
        loop {
            let (m, printed) = self.next(deadline).map_err(RunFailure::Php)?;
            printed_all.extend(printed);
            match m.get("type").and_then(Value::as_str) {
                Some("need") => {
                    let answer = fact(&m, world).map_err(RunFailure::World)?;
                    self.send(&answer).map_err(RunFailure::Php)?;
                }
                Some("done") => {
                    let mut a = answer_of(&m);
                    if !printed_all.is_empty() {
                        a.notes.push(format!("the block printed: {}", printed_all.join("\n")));
                    }
                    return Ok(a);
                }
                _ => return Err(RunFailure::Php(format!("unexpected message from the driver: {m}"))),
            }
        }
    }
}

trait WaitTimeout {
    fn wait_timeout_ms(&mut self, ms: u64) -> Option<std::process::ExitStatus>;
}

impl WaitTimeout for Child {
    fn wait_timeout_ms(&mut self, ms: u64) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + Duration::from_millis(ms);
        loop {
            if let Ok(Some(s)) = self.try_wait() {
                return Some(s);
            }
            if Instant::now() >= end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Answers the driver's question from the world.
fn fact(m: &Value, world: &mut dyn World) -> Result<Value, WorldError> {
    let what = m.get("what").and_then(Value::as_str).unwrap_or_default();
    Ok(match what {
        "config" => {
            let key = m.get("key").and_then(Value::as_str).unwrap_or_default();
            json!({"value": world.config(key)?})
        }
        "log" => {
            let name = match m.get("name").and_then(Value::as_str) {
                Some("update") => LogName::Update,
                Some("cron_execution") => LogName::CronExecution,
                _ => LogName::Backup,
            };
            json!({"b64": base64(&world.log(name)?)})
        }
        "local" => {
            let files: Vec<Value> = world.local_files()?.iter().map(|f| json!([f.name, f.size])).collect();
            json!({ "files": files })
        }
        "samba" => match world.samba_listing()? {
            Ok(list) => json!({ "list": list }),
            Err(e) => json!({ "error": e }),
        },
        other => {
            return Err(WorldError::Invalid(crate::Text::new(
                format!("le pilote PHP a demandé un fait inconnu « {other} »"),
                format!("the PHP driver asked for an unknown fact {other:?}"),
            )));
        }
    })
}

fn answer_of(m: &Value) -> Answer {
    let strings = |k: &str| -> Vec<String> {
        m.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let tags = m
        .get("tags")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Answer {
        virtual_value: m.get("virtual").and_then(Value::as_str).unwrap_or_default().to_owned(),
        tags,
        // What the block threw, logged or triggered can quote the world (a Samba error's
        // `-U "user%pass"`): redacted as the Rust profiles redact their crashes.
        crash: m.get("crash").and_then(Value::as_str).map(redact_text),
        log: strings("log").iter().map(|l| redact_text(l)).collect(),
        notes: strings("notes").iter().map(|l| redact_text(l)).collect(),
    }
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(c.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(c.get(2).copied().unwrap_or(0));
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= c.len() {
                out.push(char::from(T[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `engine::run_trigger` for a `php:` profile: reads the clock and the virtual, runs the block
/// through `program`, writes the virtual.
pub(crate) fn run_trigger(
    index: usize,
    trigger: &Trigger,
    jeedom: JeedomVersion,
    tz: &TimeZone,
    config: &ProfileConfig,
    program: &PhpProgram,
    world: &mut dyn World,
) -> Result<StepOutcome, WorldError> {
    let now = world.now()?;
    let before = world.read_virtual()?;
    let no_cloud_backup = world.no_cloud_backup()?;
    let mut tags = BTreeMap::new();
    if jeedom.trigger_from_tag() {
        tags.insert("#trigger#".to_owned(), trigger.as_str().to_owned());
    }
    tags.insert("#lastSave#".to_owned(), before);
    let req = TriggerRequest {
        index,
        trigger,
        jeedom,
        tz,
        tz_name: tz.iana_name().unwrap_or("UTC").to_owned(),
        now,
        php7: config.php == crate::php::PhpVersion::Php7,
        no_cloud_backup,
        tags: &tags,
    };
    let answer = program.run_trigger(&req, world)?;
    world.write_virtual(&answer.virtual_value)?;
    let mut tags = answer.tags;
    tags.remove("#json#");
    let state = if answer.crash.is_some() {
        None
    } else {
        ScenarioState::from_json(&answer.virtual_value)
    };
    let source = if jeedom.trigger_from_tag() {
        TriggerSource::Tag
    } else {
        TriggerSource::Accessor
    };
    let rule = Rule::ScenarioCode {
        profile: program.name(),
        crash: answer.crash.clone(),
    };
    let mut evidence = Evidence::new(config.name(), source, config.min_size, rule.clone());
    for kind in FlagKind::ALL {
        let flag: Option<Flag> = state.as_ref().map(|s| s.flag(kind));
        evidence.decision_mut(kind).flag = flag;
    }
    Ok(StepOutcome {
        index,
        trigger: trigger.clone(),
        at: now,
        virtual_value: answer.virtual_value,
        tags,
        crash: answer.crash,
        state,
        evidence,
        scenario_log: answer.log,
        notes: answer.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn driver_paths_are_hidden_from_messages() {
        assert_eq!(
            clean_paths("Fatal error: x in /tmp/infobackup-php-12-0/driver.php on line 3"),
            "Fatal error: x in the infobackup driver on line 3"
        );
    }
}

/// One error `php -l` found, at a line of the block (1-based).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// `php -l` on a code block as Jeedom evals it (no `<?php`): the errors, with the block's line
/// numbers. Runs php with no ini and nothing but the block on its standard input.
pub fn syntax_check(code: &str) -> Result<Vec<SyntaxError>, PhpError> {
    let php = php_binary();
    let missing = |message: String| PhpError::Missing {
        profile: "-l".to_owned(),
        php: php.clone(),
        message,
    };
    let mut child = Command::new(&php)
        .args(["-n", "-d", "display_errors=stdout", "-d", "error_reporting=-1", "-l"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| missing(e.to_string()))?;
    let input = format!("<?php\n{code}");
    let mut stdin = child.stdin.take().ok_or_else(|| missing("no stdin".into()))?;
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().map_err(|e| missing(e.to_string()))?;
    let _ = writer.join();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut errors = Vec::new();
    for l in text.lines() {
        let l = l.trim_start_matches("PHP ");
        if !(l.starts_with("Parse error") || l.starts_with("Fatal error")) {
            continue;
        }
        let (message, line) = match l.rfind(" on line ") {
            Some(i) => (
                &l[..i],
                l[i + 9..].trim().parse::<usize>().unwrap_or(1).saturating_sub(1).max(1),
            ),
            None => (l, 1),
        };
        let message = message
            .trim_end_matches(" in Standard input code")
            .trim_end_matches(" in -")
            .to_owned();
        errors.push(SyntaxError { line, message });
    }
    if errors.is_empty() && !out.status.success() {
        errors.push(SyntaxError {
            line: 1,
            message: text.trim().to_owned(),
        });
    }
    Ok(errors)
}
