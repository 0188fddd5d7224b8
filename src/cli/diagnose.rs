//! `infobackup diagnose LOG_OR_CASE|-`: what a user's tile showed after each backup run of their
//! log, what `strict` shows, and why, quoting the log. Exit 0 when every run is healthy (both
//! tiles green), 1 when a problem was found, 2 when the tool could not do its job (unreadable
//! input, not a Jeedom log, bad option).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use infobackup::Lang;
use infobackup::case::{Case, ConfigKey, Origin, Overrides, Previous, ProfileRef, Subject};
use infobackup::report::diagnose::{self, Options, html, json, markdown, text};
use infobackup::report::run::profile_arg;
use infobackup::widget::real::{Browser, WidgetTemplate};
use infobackup::world::{JeedomVersion, LogName};

use super::atomic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A report for people (and forum posts): coloured on a terminal, plain when piped.
    Text,
    /// One JSON document for tools (format `infobackup-diagnosis/1`, see README).
    Json,
    /// One self-contained HTML page (tile previews, findings, timeline) to attach to a post.
    Html,
    /// Markdown to paste in a forum post: the short answer, the tiles, the causes and what to do.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

/// Which Jeedom log a pasted text is (`--log`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogArg {
    /// `update` when the text holds a core update's banner (`[START UPDATE]`,
    /// `Update jeedom from …`), otherwise `backup`.
    Auto,
    /// `log/backup`: a backup started from the UI or the API (what the published scenario reads).
    Backup,
    /// `log/update`: the backup made before a core update.
    Update,
    /// `log/cron_execution`: the daily scheduled backup's echoed text (never auto-detected: its
    /// text is a backup's).
    #[value(name = "cron_execution", alias = "cron-execution")]
    CronExecution,
}

impl LogArg {
    /// The log the text is served as.
    pub(crate) fn log_name(self, bytes: &[u8]) -> LogName {
        match self {
            LogArg::Backup => LogName::Backup,
            LogArg::Update => LogName::Update,
            LogArg::CronExecution => LogName::CronExecution,
            LogArg::Auto if has_update_banner(bytes) => LogName::Update,
            LogArg::Auto => LogName::Backup,
        }
    }
}

/// Whether a text holds a core update's own lines (`install/update.php`'s `[START UPDATE]`,
/// `[END UPDATE …]` or `****Update jeedom from …`), which only `log/update` receives.
pub(crate) fn has_update_banner(bytes: &[u8]) -> bool {
    bytes.split(|b| *b == b'\n').any(|line| {
        let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        let line = line.trim_ascii();
        line.starts_with(b"[START UPDATE]")
            || line.starts_with(b"[END UPDATE")
            || (line.starts_with(b"****") && line.windows(19).any(|w| w.eq_ignore_ascii_case(b"update jeedom from ")))
    })
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A backup log (any encoding and line ends, one or several runs), a case folder, or `-` to
    /// read the log from standard input.
    #[arg(value_name = "LOG_OR_CASE", required_unless_present = "jeedom_url")]
    input: Option<PathBuf>,
    /// Which Jeedom log the text is: backup, update, cron_execution, or auto (update when the
    /// text has a core update's banner, otherwise backup). A case folder names its own logs.
    #[arg(long = "log", value_enum, value_name = "LOG", default_value_t = LogArg::Auto)]
    log: LogArg,
    /// Size in bytes of the archive(s) the log names (the log does not give it; default 212 MB).
    #[arg(long, value_name = "BYTES")]
    archive_size: Option<u64>,
    /// Whether the Samba upload is configured (default: inferred from the log).
    #[arg(long, value_enum)]
    samba: Option<OnOff>,
    /// Jeedom's version (4.2 … 4.5, or a release such as 4.4.20; default: from the log).
    #[arg(long, value_name = "VERSION", value_parser = parse_version)]
    jeedom_version: Option<JeedomVersion>,
    /// The scenario's minimum archive size in bytes (default 104857600, the published 100 MB).
    #[arg(long, value_name = "BYTES")]
    min_size: Option<u64>,
    /// PHP's major version on the box, 7 or 8 (default 8; the log does not tell).
    #[arg(long, value_name = "7|8", value_parser = clap::value_parser!(u8).range(7..=8))]
    php: Option<u8>,
    /// The virtual's value before the first run: `success` (what a good backup the day before
    /// leaves, the default), `empty` (a new install), or the value itself, copied from the box.
    #[arg(long, value_name = "success|empty|VALUE")]
    previous: Option<String>,
    /// The published scenario's revision: v2022-01, v2023-03, v2024-08, strict, or a profile
    /// TOML file. `strict` is always shown next to it.
    #[arg(long, value_name = "P", default_value = "v2024-08", value_parser = super::profile_value())]
    profile: String,
    /// The box's time zone (IANA name, default Europe/Paris).
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
    /// The run's language: the global `--lang`, or the locale's.
    #[arg(skip)]
    pub(crate) lang: Lang,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of standard output (atomically; an existing file is
    /// refused unless --force).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace the --output file if it exists (a regular file only: never a folder, a FIFO or a
    /// device).
    #[arg(long, requires = "output")]
    force: bool,
    /// Live mode: read the log, the version, the Samba settings and the virtual's value from
    /// this Jeedom (read-only unless --push). The API key comes from --apikey-file or INFOBACKUP_APIKEY.
    #[arg(long, value_name = "URL")]
    jeedom_url: Option<String>,
    /// File holding the Jeedom API key (live mode). Never pass the key itself on the command line.
    #[arg(long, value_name = "FILE", requires = "jeedom_url")]
    apikey_file: Option<PathBuf>,
    /// Live mode: the most the whole read of the box may take, in seconds (every request
    /// together; the box may also send at most 64 MiB in all).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, requires = "jeedom_url", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    /// Id of the virtual's info command (live mode), to show the tile the box shows now.
    #[arg(long, value_name = "ID", requires = "jeedom_url")]
    cmd_id: Option<u64>,
    /// Live mode: after the diagnosis, write the value the --profile computed for the last
    /// trigger into the virtual (--cmd-id) with cmd::event. The only option that writes to the
    /// box; needs --jeedom-url and --cmd-id.
    #[arg(long)]
    push: bool,
    /// Also draw each run's tiles with this widget template (`cmd.info.string.Info_backup.html`)
    /// in headless Chromium: a tile the real widget draws differently is a finding.
    #[arg(long, value_name = "FILE")]
    widget: Option<PathBuf>,
}

/// A Jeedom release the scenario is published for: 4.2 to 4.5 (or a release of one, `4.4.20`).
/// Anything else is refused rather than mapped to the nearest generation.
fn parse_version(s: &str) -> Result<JeedomVersion, String> {
    let lang = super::early_lang();
    let v: JeedomVersion = s
        .parse()
        .map_err(|e: infobackup::world::UnknownVersion| infobackup::error_words::Worded::message(&e, lang))?;
    let t = s.trim().trim_start_matches(['v', 'V']);
    let published = t == v.as_str() || t.starts_with(&format!("{}.", v.as_str()));
    if matches!(v, JeedomVersion::V2 | JeedomVersion::V3) || !published {
        if lang == Lang::Fr {
            return Err(format!(
                "le scénario n'est pas publié pour Jeedom {s} : donnez 4.2, 4.3, 4.4 ou 4.5 (ou une version comme 4.4.20) ; le log d'un Jeedom plus ancien est rejoué comme 4.2 sans cette option"
            ));
        }
        return Err(format!(
            "the scenario is not published for Jeedom {s}: give 4.2, 4.3, 4.4 or 4.5 (or a release such as 4.4.20); a log of an older Jeedom is replayed as 4.2 without this option"
        ));
    }
    Ok(v)
}

/// What the command reads.
pub(crate) enum Input {
    Stdin(Vec<u8>),
    File { path: PathBuf, bytes: Vec<u8> },
    Folder(PathBuf),
}

/// The largest log `diagnose` and `record` read (64 MiB): they hold the whole log, the runs and
/// the report in memory, and the largest real backup log seen is a few MB. `parse` streams and has
/// no limit.
pub(crate) const MAX_INPUT: u64 = 64 * 1024 * 1024;

/// Reads a log argument: `-` (standard input), a file, or a folder. Errors name the path (or
/// standard input); more than [`MAX_INPUT`] bytes is an error, found without reading past it.
pub(crate) fn read_input(arg: &Path, lang: Lang) -> anyhow::Result<Input> {
    let too_large = |what: &str| {
        let mib = MAX_INPUT / (1024 * 1024);
        match lang {
            Lang::Fr => anyhow::anyhow!(
                "{what} dépasse {mib} Mio, la taille maximale d'un log donné à diagnose ou record (coupez-le aux \
                 sauvegardes qui comptent ; `infobackup parse` lit un log de toute taille)"
            ),
            Lang::En => anyhow::anyhow!(
                "{what} is larger than {mib} MiB, the most a log given to diagnose or record may be (cut it to the \
                 runs that matter; `infobackup parse` reads a log of any size)"
            ),
        }
    };
    if arg == Path::new("-") {
        use std::io::IsTerminal as _;
        if std::io::stdin().is_terminal() {
            // A person at a terminal, not a pipe: say what is awaited and how to end it.
            eprintln!(
                "{}",
                lang.pick(
                    "infobackup: collez le log, puis Ctrl-D sur une ligne vide (Ctrl-Z puis Entrée sous Windows)",
                    "infobackup: paste the log, then Ctrl-D on an empty line (Ctrl-Z then Enter on Windows)"
                )
            );
        }
        let bytes = read_bounded(std::io::stdin().lock(), MAX_INPUT).context(super::lang().pick(
            "impossible de lire le log sur l'entrée standard",
            "cannot read the log from standard input",
        ))?;
        return bytes
            .map(Input::Stdin)
            .ok_or_else(|| too_large(lang.pick("l'entrée standard", "standard input")));
    }
    let path = arg.to_owned();
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "{}{}",
            path.display(),
            super::lang().pick(" : fichier ou dossier introuvable", ": no such file or folder")
        ),
        Err(e) if super::atomic::is_symlink_loop(&e) => bail!(
            "{}{}",
            path.display(),
            super::lang().pick(" : une boucle de liens symboliques", ": a loop of symbolic links")
        ),
        Err(e) => bail!(
            "{} {}{}{}",
            super::lang().pick("impossible de lire", "cannot read"),
            path.display(),
            super::lang().pick(" : ", ": "),
            infobackup::error_words::Worded::message(&e, super::lang())
        ),
        Ok(m) if m.is_dir() => Ok(Input::Folder(path)),
        Ok(m) if m.is_file() && m.len() > MAX_INPUT => Err(too_large(&path.display().to_string())),
        Ok(_) => {
            // Also a FIFO or a device (`/dev/zero`): the bound holds whatever the size says.
            let file = std::fs::File::open(&path).with_context(|| super::cannot_read(&path))?;
            let bytes = read_bounded(file, MAX_INPUT).with_context(|| super::cannot_read(&path))?;
            match bytes {
                Some(bytes) => Ok(Input::File { path, bytes }),
                None => Err(too_large(&path.display().to_string())),
            }
        }
    }
}

/// All of `reader` when it holds at most `limit` bytes; `None` (having read `limit + 1`) when it
/// holds more.
pub(crate) fn read_bounded(reader: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// The case a log argument stands for, its display name, and whether it is a case folder.
/// A pasted text is served as the log `--log` says.
pub(crate) fn input_case(input: Input, log: LogArg) -> anyhow::Result<(Case, bool)> {
    match input {
        Input::Stdin(bytes) => {
            diagnose::refuse_binary("stdin", &bytes)?;
            let name = log.log_name(&bytes);
            Ok((Case::from_log("stdin", name, "stdin", bytes.into()), false))
        }
        Input::File { path, bytes } => {
            // Cited as its file name (`backup.log:12`), as a forum reader would.
            let file = path
                .file_name()
                .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
            diagnose::refuse_binary(&file, &bytes)?;
            let name = log.log_name(&bytes);
            Ok((Case::from_log(&file, name, &file, bytes.into()), false))
        }
        Input::Folder(dir) => {
            if !dir.join(infobackup::case::MANIFEST).is_file() {
                let (dir, manifest) = (dir.display(), infobackup::case::MANIFEST);
                match super::lang() {
                    Lang::Fr => bail!(
                        "{dir} est un dossier mais pas un dossier de cas (il n'a pas de {manifest}) : donnez un fichier \
                         de log, `-` pour l'entrée standard, ou un dossier de cas"
                    ),
                    Lang::En => bail!(
                        "{dir} is a folder but not a case folder (it has no {manifest}): give a log file, `-` for \
                         standard input, or a case folder"
                    ),
                }
            }
            Ok((Case::load(&dir)?, true))
        }
    }
}

/// The first `Send backup Samba` line of the case's logs (`backup.log:15`), if any.
fn samba_upload_line(case: &Case) -> Option<String> {
    case.logs.iter().find_map(|(name, file)| {
        let bytes = case.files.get(file)?;
        infobackup::case::runs::extract(*name, file, bytes)
            .into_iter()
            .find_map(|r| r.samba.map(|(_, line)| format!("{file}:{line}")))
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (profile, widget) = check_args(&args)?;
    let mut opts = Options {
        profile,
        overrides: overrides(&args),
        redactor: infobackup::redact::Redactor::new().in_lang(args.lang),
        ..Options::default()
    };
    let mut source = read_source(&args, &mut opts.overrides)?;
    if let Some(r) = source.redactor.take() {
        opts.redactor = r.in_lang(args.lang);
    }
    warn_samba_off(&args, &source.case.0);
    let d = diagnose_source(&mut opts, &mut source)?;
    let real = match &widget {
        Some((template, browser)) => {
            let (drawn, findings) =
                infobackup::report::real_widget::diagnosis_findings(browser, template, &d, args.lang)
                    .with_context(|| format!("--widget {}", template.path().display()))?;
            Some(RealWidget {
                template,
                drawn,
                findings,
            })
        }
        None => None,
    };
    emit(&args, &render(&args, &d, real.as_ref()))?;
    if args.push
        && let (Some(client), Some(url)) = (source.client.as_mut(), &args.jeedom_url)
    {
        live::push(client, &d, &d.redact(url), args.lang)?;
    }
    // A tile the real widget draws differently is a finding.
    let widget_differs = real.as_ref().is_some_and(|r| !r.findings.is_empty());
    Ok(ExitCode::from(d.exit_code().max(u8::from(widget_differs))))
}

/// The option checks made before anything is read: the profile, `--tz`, `--push`'s companions,
/// `--output`'s target, and `--widget`'s template and browser (loaded here, used after the
/// diagnosis).
fn check_args(args: &Args) -> anyhow::Result<(ProfileRef, Option<(WidgetTemplate, Browser)>)> {
    let profile: ProfileRef = profile_arg(&args.profile).map_err(|e| {
        anyhow::anyhow!(
            "--profile{}{}",
            args.lang.pick(" : ", ": "),
            infobackup::error_words::Worded::message(&e, args.lang)
        )
    })?;
    if let ProfileRef::File { path, .. } = &profile
        && !path.is_file()
    {
        match args.lang {
            Lang::Fr => bail!("--profile : {} : fichier de profil introuvable", path.display()),
            Lang::En => bail!("--profile: {}: no such profile file", path.display()),
        }
    }
    if let Some(tz) = &args.tz {
        jiff::tz::TimeZone::get(tz).map_err(|e| match args.lang {
            Lang::Fr => anyhow::anyhow!("--tz « {tz} » : pas un fuseau horaire que Jeedom puisse utiliser ({e})"),
            Lang::En => anyhow::anyhow!("--tz \"{tz}\": not a time zone Jeedom could use ({e})"),
        })?;
    }
    if args.push && args.jeedom_url.is_none() {
        match args.lang {
            Lang::Fr => {
                bail!("--push écrit la valeur du virtuel sur une box : il lui faut --jeedom-url URL et --cmd-id ID")
            }
            Lang::En => bail!("--push writes the virtual's value to a box: it needs --jeedom-url URL and --cmd-id ID"),
        }
    }
    if args.push && args.cmd_id.is_none() {
        match args.lang {
            Lang::Fr => {
                bail!("--push demande --cmd-id ID : l'id de la commande info du virtuel où écrire avec cmd::event")
            }
            Lang::En => {
                bail!("--push needs --cmd-id ID: the id of the virtual's info command to write with cmd::event")
            }
        }
    }
    if let Some(out) = &args.output {
        // Said before the diagnosis, not after it.
        atomic::check_target(out, args.force)?;
    }
    let widget = match &args.widget {
        Some(path) => Some((
            WidgetTemplate::load(path).context("--widget")?,
            Browser::find().context("--widget")?,
        )),
        None => None,
    };
    Ok((profile, widget))
}

/// What the options say of the world where the log does not.
fn overrides(args: &Args) -> Overrides {
    Overrides {
        jeedom: args.jeedom_version,
        archive_size: args.archive_size,
        min_size: args.min_size,
        tz: args.tz.clone(),
        php: args.php,
        samba: args.samba.map(|s| s == OnOff::On),
        previous: args.previous.as_deref().map(|p| match p {
            "success" => Previous::Success,
            "empty" => Previous::Empty,
            value => Previous::Value(value.to_owned()),
        }),
    }
}

/// Where the log came from: a file, standard input or a case folder, or a box (live mode).
struct Source {
    /// The case, and whether it is a case folder.
    case: (Case, bool),
    live: Option<diagnose::Live>,
    /// The box's client, kept for `--push`.
    client: Option<infobackup::jeeapi::Client>,
    /// Live mode's redactor (it knows the box's key).
    redactor: Option<infobackup::redact::Redactor>,
    /// Whether the Jeedom version and the Samba settings were read from the box.
    from_box: (bool, bool),
    /// The box's version, when it was replayed as another one.
    version_mapped: Option<String>,
}

/// Reads the input: the log argument, or the box at `--jeedom-url` (whose settings fill the
/// overrides the options left open).
fn read_source(args: &Args, overrides: &mut Overrides) -> anyhow::Result<Source> {
    match (&args.input, &args.jeedom_url) {
        (Some(arg), None) => Ok(Source {
            case: input_case(read_input(arg, args.lang)?, args.log)?,
            live: None,
            client: None,
            redactor: None,
            from_box: (false, false),
            version_mapped: None,
        }),
        (input, Some(url)) => {
            let read = live::read(url, args, input.as_deref(), overrides)?;
            Ok(Source {
                case: read.case,
                live: Some(read.live),
                client: Some(read.client),
                redactor: Some(read.redactor),
                from_box: (read.set_version, read.set_samba),
                version_mapped: read.version_mapped,
            })
        }
        (None, None) => match args.lang {
            Lang::Fr => bail!("donnez un fichier de log, un dossier de cas ou `-`, ou --jeedom-url"),
            Lang::En => bail!("give a log file, a case folder or `-`, or --jeedom-url"),
        },
    }
}

/// `--samba off` against a log that shows an upload: the log is right about that day, said so.
fn warn_samba_off(args: &Args, case: &Case) {
    if args.samba == Some(OnOff::Off)
        && let Some(line) = samba_upload_line(case)
    {
        eprintln!(
            "{}",
            args.lang.pick(
                &format!(
                    "infobackup: attention : --samba off, mais le log montre un envoi Samba ({line}) : l'envoi était configuré ce jour-là"
                ),
                &format!(
                    "infobackup: warning: --samba off, but the log shows a Samba upload ({line}): the upload was configured that day"
                ),
            )
        );
    }
}

/// The diagnosis of the source; in live mode, the facts read from the box are marked so.
fn diagnose_source(opts: &mut Options, source: &mut Source) -> anyhow::Result<diagnose::Diagnosis> {
    let (case, case_folder) = &source.case;
    opts.case_folder = *case_folder;
    opts.now = source.live.as_ref().and_then(|l| l.now);
    let mut d = diagnose::diagnose(case, opts)?;
    d.live = source.live.take();
    let from_box = source.from_box;
    // Facts live mode imposed are read from the box, not given as flags.
    for f in d.assumptions.iter_mut() {
        let by_box = match f.subject {
            Subject::Jeedom => from_box.0,
            Subject::Config(k) => ConfigKey::SAMBA.contains(&k) && from_box.1,
            _ => false,
        };
        if by_box && f.origin == Origin::Option {
            f.origin = Origin::Live;
            if let (Subject::Jeedom, Some(seen)) = (&f.subject, &source.version_mapped) {
                f.value = infobackup::case::Value::ReplayedAs {
                    seen: seen.clone(),
                    replayed: d.jeedom,
                    on_box: true,
                };
            }
        }
    }
    if source.version_mapped.is_some() {
        // The report says it first, as for a log of such a Jeedom.
        d.jeedom_seen = source.version_mapped.clone();
    }
    Ok(d)
}

/// What `--widget` found: the real widget's tiles against the view's.
struct RealWidget<'a> {
    template: &'a WidgetTemplate,
    drawn: usize,
    findings: Vec<infobackup::report::real_widget::TileFinding>,
}

/// The report in `--format`, with `--widget`'s findings appended.
fn render(args: &Args, d: &diagnose::Diagnosis, real: Option<&RealWidget<'_>>) -> String {
    use infobackup::report::real_widget::{findings_html, findings_json, findings_text};
    let color = args.format == Format::Text && args.output.is_none() && super::stdout_color();
    let width = if args.output.is_none() {
        super::stdout_width()
    } else {
        100
    };
    match args.format {
        Format::Text => {
            let mut t = text::render_text(d, args.lang, text::TextStyle { color, width });
            if let Some(r) = real {
                t.push_str(&findings_text(r.template, r.drawn, &r.findings, args.lang));
            }
            t
        }
        Format::Json => match real {
            None => json::render_json_text(d, args.lang),
            Some(r) => {
                let mut v = json::render_json(d, args.lang);
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        "real_widget".to_owned(),
                        findings_json(r.template, r.drawn, &r.findings),
                    );
                }
                let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".to_owned());
                s.push('\n');
                d.redact(&s)
            }
        },
        Format::Html => {
            let page = html::render_html(d, args.lang);
            match real {
                None => page,
                Some(r) => {
                    let section = findings_html(r.template, r.drawn, &r.findings, args.lang);
                    match page.rfind("</body>") {
                        Some(at) => format!("{}{section}{}", &page[..at], &page[at..]),
                        None => page + &section,
                    }
                }
            }
        }
        Format::Markdown => markdown::render_markdown(d, args.lang),
    }
}

/// Writes the report: to `--output` (atomically, never over a file without `--force`), or to
/// standard output.
fn emit(args: &Args, rendered: &str) -> anyhow::Result<()> {
    match &args.output {
        Some(path) => {
            atomic::write_file(path, rendered.as_bytes(), args.force)?;
            let msg = match args.lang {
                Lang::Fr => format!("infobackup: rapport écrit dans {}", path.display()),
                Lang::En => format!("infobackup: report written to {}", path.display()),
            };
            eprintln!("{msg}");
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            out.write_all(rendered.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Live mode: reads the box through the library's [`infobackup::report::diagnose::live`]; here,
/// only the key's arguments and what is printed.
mod live {
    use super::*;
    use infobackup::jeeapi::{ApiKey, Client};
    use infobackup::redact::Redactor;
    use infobackup::report::diagnose::Live;
    use infobackup::report::diagnose::live::{LiveBox, LiveOptions};

    /// The environment variable live mode reads the API key from.
    pub(super) const KEY_ENV: &str = "INFOBACKUP_APIKEY";

    /// What live mode read, and which overrides it set (to mark those facts as read from the
    /// box rather than given as flags).
    pub(super) struct Read {
        pub case: (Case, bool),
        /// The client, to push with afterwards (it writes only when `--push` was given).
        pub client: Client,
        pub live: Live,
        pub redactor: Redactor,
        pub set_version: bool,
        /// The version the box announced, when it is not one the scenario is published for
        /// (the replayed one is the `--jeedom-version` override it set).
        pub version_mapped: Option<String>,
        pub set_samba: bool,
    }

    /// Reads the box `url` with the options of `args` (key file, command id, `--push`, `--log`,
    /// `--tz`); `input` is a log given next to `--jeedom-url`.
    pub(super) fn read(url: &str, args: &Args, input: Option<&Path>, ov: &mut Overrides) -> anyhow::Result<Read> {
        let key = match args.apikey_file.as_deref() {
            Some(f) => ApiKey::from_file(f)?,
            None if std::env::var_os(KEY_ENV).is_some() => ApiKey::from_env(KEY_ENV)?,
            None => match args.lang {
                Lang::Fr => bail!(
                    "--jeedom-url demande la clé API de la box : mettez-la dans un fichier et donnez --apikey-file \
                     FICHIER, ou définissez {KEY_ENV} (jamais sur la ligne de commande)"
                ),
                Lang::En => bail!(
                    "--jeedom-url needs the box's API key: put it in a file and give --apikey-file FILE, or set \
                     {KEY_ENV} (never on the command line)"
                ),
            },
        };
        let mut the_box = LiveBox::connect(LiveOptions {
            url,
            key,
            cmd: args.cmd_id,
            push: args.push,
            tz: args.tz.as_deref(),
            timeout: std::time::Duration::from_secs(args.timeout),
        })?;
        if the_box.client.key_crosses_network_in_clear() {
            let shown_url = &the_box.shown_url;
            let msg = match args.lang {
                Lang::Fr => format!(
                    "infobackup: attention : la clé API part en clair vers {shown_url} (http:// vers une autre machine) : \
                     quiconque est sur le chemin réseau peut la lire ; préférez https:// ou un réseau de confiance"
                ),
                Lang::En => format!(
                    "infobackup: warning: the API key travels in clear to {shown_url} (http:// to another machine): \
                     anyone on the network path can read it; prefer https:// or a network you trust"
                ),
            };
            eprintln!("{msg}");
        }
        let read = the_box.read(input.is_none())?;
        let mut set_version = false;
        let mut version_mapped = None;
        // A version that is not one at all ("5.0.0-beta") stopped the read: the client needs it
        // to pick how to read the log, and says so (exit 2).
        if let (None, Some(v), Some(seen)) = (ov.jeedom, read.version, read.live.version.as_deref()) {
            let seen = seen.trim().trim_start_matches(['v', 'V']);
            // A box of a Jeedom the scenario is not published for (4.6, 4.1, 3.x) is replayed as
            // the nearest published one, and said so: never mapped silently.
            let (replayed, value) = infobackup::case::resolve::published_generation(v, seen);
            if matches!(value, infobackup::case::Value::ReplayedAs { .. }) {
                eprintln!("{}", version_warning(&the_box.shown_url, seen, replayed, args.lang));
                version_mapped = Some(seen.to_owned());
            }
            ov.jeedom = Some(replayed);
            set_version = true;
        }
        let set_samba = ov.samba.is_none() && read.samba.is_some();
        if set_samba {
            ov.samba = read.samba;
        }
        let case = match (input, read.case) {
            (Some(arg), _) => input_case(read_input(arg, args.lang)?, args.log)?,
            (None, Some(case)) => (case, false),
            (None, None) => match args.lang {
                Lang::Fr => bail!(
                    "--jeedom-url {} : les logs de la box n'ont pas été lus",
                    the_box.shown_url
                ),
                Lang::En => bail!("--jeedom-url {}: the box's logs were not read", the_box.shown_url),
            },
        };
        Ok(Read {
            case,
            client: the_box.client,
            live: read.live,
            redactor: the_box.redactor,
            set_version,
            version_mapped,
            set_samba,
        })
    }

    /// The warning for a box whose announced version is not one the scenario is published for:
    /// the version read and the one replayed.
    fn version_warning(url: &str, seen: &str, replayed: JeedomVersion, lang: Lang) -> String {
        match lang {
            Lang::Fr => format!(
                "infobackup: attention : la box {url} annonce Jeedom {seen}, une version pour laquelle le scénario n'est pas publié (4.2 à 4.5) : son log est rejoué comme Jeedom {replayed}"
            ),
            Lang::En => format!(
                "infobackup: warning: the box at {url} announces Jeedom {seen}, a release the scenario is not published for (4.2 to 4.5): its log is replayed as Jeedom {replayed}"
            ),
        }
    }

    /// `--push`: writes the value the published profile computed for the last trigger of the
    /// last replayed run into the virtual with `cmd::event`, and says what it wrote (redacted)
    /// and where, on standard error (standard output holds the report).
    pub(super) fn push(
        client: &mut Client,
        d: &diagnose::Diagnosis,
        shown_url: &str,
        lang: Lang,
    ) -> anyhow::Result<()> {
        let cmd = client.settings().virtual_cmd;
        let Some(v) = d.runs.iter().rev().find_map(|r| r.published.as_ref()) else {
            match lang {
                Lang::Fr => bail!(
                    "--push : rien à écrire, aucune sauvegarde du log n'a pu être rejouée (le virtuel #{cmd} est \
                     resté tel quel)"
                ),
                Lang::En => bail!(
                    "--push: nothing to write, no run of the log could be replayed (the virtual #{cmd} was left as it is)"
                ),
            }
        };
        let value = v.step.virtual_value.clone();
        client.push_virtual(&value).with_context(|| match lang {
            Lang::Fr => format!("--push : écriture du virtuel #{cmd} sur {shown_url} avec cmd::event"),
            Lang::En => format!("--push: writing the virtual #{cmd} on {shown_url} with cmd::event"),
        })?;
        let shown = d.redact(&value);
        let msg = match lang {
            Lang::Fr => format!(
                "infobackup: écrit dans la commande #{cmd} de {shown_url} (cmd::event, profil {}, dernier déclenchement {}) : {shown}",
                v.profile,
                v.step.trigger.as_str()
            ),
            Lang::En => format!(
                "infobackup: wrote to command #{cmd} on {shown_url} (cmd::event, profile {}, last trigger {}): {shown}",
                v.profile,
                v.step.trigger.as_str()
            ),
        };
        eprintln!("{msg}");
        Ok(())
    }
}
