//! `infobackup check [DIR]`: the CI entry point. Replays every recorded case and compares each
//! (case, profile) with its accepted snapshot; or, with `--compare A B`, lists the cases whose
//! tile or flags differ between two profiles. Exit 0 = all match, 1 = something differs,
//! 2 = the tool could not do its job. `--via http` runs the same replays through one mock
//! Jeedom JSON-RPC API. `--widget FILE` also draws every value of every replay with that widget
//! template in headless Chromium (one page for all) and gives a row whose values it draws
//! differently from the view the status `widget`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use infobackup::Lang;
use infobackup::case::{self, Overrides};
use infobackup::report::check::{self as table, Row, Status, Summary};
use infobackup::report::compare::{self, CompareSummary};
use infobackup::report::real_widget::{self, StepValue};
use infobackup::report::{corpus, run};
use infobackup::via::{Via, ViaKind};
use infobackup::widget::real::{Browser, WidgetTemplate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Text,
    /// JSON Lines: one event per line with a `type` field, then a `summary`.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of recorded cases.
    #[arg(default_value = "scenarios")]
    dir: PathBuf,
    /// Folder of accepted snapshots [default: snapshots/cases next to DIR].
    #[arg(long, value_name = "DIR")]
    snapshots: Option<PathBuf>,
    /// Only replay this profile (as the manifests name it: v2022-01, v2023-03, v2024-08, strict),
    /// or php:PATH: every case with the scenario's own code (a template or code block) run by
    /// php, compared trigger by trigger with the Rust profile of the revision it is closest to.
    #[arg(long, value_name = "P", value_parser = super::profile_value())]
    profile: Option<String>,
    /// Also write a JUnit XML report to FILE (an existing FILE is replaced only when it is a JUnit
    /// report).
    #[arg(long, value_name = "FILE", conflicts_with = "compare")]
    junit: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Replay every case with two profiles (built-in names or profile TOML files) and list the
    /// cases whose tile or flags differ.
    #[arg(long, num_args = 2, value_names = ["A", "B"], conflicts_with = "profile", value_parser = super::profile_value())]
    compare: Option<Vec<String>>,
    /// The run's language: the global `--lang`, or the locale's.
    #[arg(skip)]
    pub(crate) lang: Lang,
    /// Replay in process, or through the JSON-RPC client against one mock Jeedom (each case
    /// served in its own Jeedom version's dialect).
    #[arg(long, value_enum, default_value_t = super::ViaArg::Memory)]
    via: super::ViaArg,
    /// Also draw every value of every replay with this widget template
    /// (`cmd.info.string.Info_backup.html`) in headless Chromium and report where it differs
    /// from infobackup's view of the tile.
    #[arg(long, value_name = "FILE", conflicts_with = "compare")]
    widget: Option<PathBuf>,
}

pub fn run(mut args: Args) -> anyhow::Result<ExitCode> {
    args.dir = super::default_scenarios(args.dir);
    let real = check_paths(&args)?;
    let dirs = case::corpus_dirs(&args.dir).with_context(|| match args.lang {
        Lang::Fr => format!("lecture du dossier {}", args.dir.display()),
        Lang::En => format!("listing {}", args.dir.display()),
    })?;
    let mock = ViaKind::from(args.via).start_mock().context(args.lang.pick(
        "démarrage de l'API JSON-RPC Jeedom simulée",
        "starting the mock Jeedom JSON-RPC API",
    ))?;
    let via = Via::new(mock.as_ref());
    if let Some(ab) = &args.compare {
        let [a, b] = ab.as_slice() else {
            bail!(
                "{}",
                args.lang
                    .pick("--compare prend deux profils", "--compare takes two profiles")
            )
        };
        return compare_run(&args, &dirs, a, b, &via);
    }
    if let Some((base, file)) = profile_file(&args)? {
        return compare_run(&args, &dirs, &base, file, &via);
    }
    let snapshots = snapshots_dir(&args);
    // `--profile php:PATH`: every case, the block against the Rust profile of its revision.
    let php = match args.profile.as_deref() {
        Some(p) if p.starts_with("php:") => Some(run::profile_arg(p).with_context(|| format!("--profile {p}"))?),
        _ => None,
    };
    let bar = progress(dirs.len() as u64, args.format);
    let mut rows: Vec<Row> = Vec::new();
    // With --widget, each row's values, then rows are printed once the one page has run.
    let mut values: Vec<Vec<StepValue>> = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    header(&mut out, &args, &via)?;
    for d in &dirs {
        if let Some(b) = &bar {
            b.set_message(
                d.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        }
        let case_rows = match &php {
            Some(p) => vec![corpus::check_case_php(d, p, &Overrides::default(), &via, args.lang)],
            None => corpus::check_case(
                d,
                &snapshots,
                args.profile.as_deref(),
                &Overrides::default(),
                &via,
                args.lang,
            ),
        };
        if real.is_some() {
            let mut by_profile = match &php {
                // The block's replays are compared with the Rust profile's, not drawn.
                Some(_) => Vec::new(),
                None => real_widget::case_values(d, args.profile.as_deref(), &Overrides::default(), &via),
            };
            for r in &case_rows {
                let at = by_profile.iter().position(|(p, _)| *p == r.profile);
                values.push(at.map(|i| by_profile.swap_remove(i).1).unwrap_or_default());
            }
        }
        for r in &case_rows {
            if r.status == Status::Error {
                if let Some(b) = &bar {
                    b.suspend(|| report_error(r));
                } else {
                    report_error(r);
                }
            }
            if args.format == Format::Json && real.is_none() {
                writeln!(out, "{}", table::json_row(r))?;
            }
        }
        rows.extend(case_rows);
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let (Some(p), true) = (&args.profile, rows.is_empty()) {
        match args.lang {
            Lang::Fr => bail!("--profile {p} : aucun cas de {} ne joue ce profil", args.dir.display()),
            Lang::En => bail!("--profile {p}: no case under {} runs this profile", args.dir.display()),
        }
    }
    if let Some((template, browser)) = &real {
        widget_check(&mut rows, &values, template, browser, &mut out, args.format)?;
    }
    let summary = Summary::of(&rows);
    match args.format {
        Format::Text => write!(out, "{}", table::table(&rows, args.lang, super::stdout_color()))?,
        Format::Json => writeln!(out, "{}", table::json_summary(&summary, via.kind()))?,
    }
    out.flush()?;
    if let Some(path) = &args.junit {
        let xml = table::junit(&rows).context(
            args.lang
                .pick("construction du rapport JUnit", "building the JUnit report"),
        )?;
        write_junit(path, xml.as_bytes()).with_context(|| match args.lang {
            Lang::Fr => format!("écriture du rapport JUnit {}", path.display()),
            Lang::En => format!("writing the JUnit report {}", path.display()),
        })?;
    }
    Ok(ExitCode::from(summary.exit_code()))
}

/// The path checks made before any replay: the folder of cases, `--junit`'s target,
/// `--snapshots`, and `--widget`'s template and browser (loaded here, used after the replays).
fn check_paths(args: &Args) -> anyhow::Result<Option<(WidgetTemplate, Browser)>> {
    if !args.dir.is_dir() {
        match args.lang {
            Lang::Fr => bail!(
                "{} : pas de dossier de cas enregistrés à cet endroit (lancez la commande depuis la racine du projet, \
                 où est scenarios/, ou donnez DOSSIER)",
                args.dir.display()
            ),
            Lang::En => bail!(
                "{}: no such folder of recorded cases (run from the project root, where scenarios/ is, or give DIR)",
                args.dir.display()
            ),
        }
    }
    // Path mistakes are said before the replays, not after them.
    if let Some(path) = &args.junit {
        super::atomic::check_parent(path).context("--junit")?;
        refuse_non_junit(path).context("--junit")?;
    }
    if let Some(dir) = &args.snapshots
        && !dir.is_dir()
    {
        match args.lang {
            Lang::Fr => bail!(
                "--snapshots {} : pas de dossier d'instantanés acceptés à cet endroit (vérifiez le chemin ; sans \
                 --snapshots, c'est snapshots/cases à côté de DOSSIER qui sert)",
                dir.display()
            ),
            Lang::En => bail!(
                "--snapshots {}: no such folder of accepted snapshots (check the path; without --snapshots, \
                 snapshots/cases next to DIR is used)",
                dir.display()
            ),
        }
    }
    // The template and the browser are checked before the replays, not after them.
    let widget = match &args.widget {
        Some(path) => Some((
            WidgetTemplate::load(path).context("--widget")?,
            Browser::find().context("--widget")?,
        )),
        None => None,
    };
    Ok(widget)
}

/// `--profile FILE.toml`: the built-in profile the file starts from, and the file, for the
/// comparison that shows what the file changes (the same as `--compare BASE FILE`). An unknown
/// name is said before any replay, with the names that exist.
fn profile_file(args: &Args) -> anyhow::Result<Option<(String, &str)>> {
    if let Some(p) = args.profile.as_deref().filter(|p| !p.starts_with("php:")) {
        match run::profile_arg(p) {
            Ok(case::ProfileRef::File { path, .. }) => {
                let config = infobackup::engine::ProfileConfig::from_toml_file(&path)
                    .with_context(|| format!("--profile {p}"))?;
                return Ok(Some((config.base.as_str().to_owned(), p)));
            }
            Ok(_) => {}
            Err(_) => {
                let names = infobackup::engine::Profile::ALL.map(|b| b.as_str()).join(", ");
                match args.lang {
                    Lang::Fr => bail!(
                        "--profile {p} : profil inconnu ; donnez un profil intégré ({names}), un fichier de profil (.toml) ou php:CHEMIN"
                    ),
                    Lang::En => bail!(
                        "--profile {p}: no such profile; give a built-in one ({names}), a profile file (.toml) or php:PATH"
                    ),
                }
            }
        }
    }
    Ok(None)
}

/// The accepted snapshots: `--snapshots`, or `snapshots/cases` beside the folder of cases;
/// warns when there are none (every case is then new).
fn snapshots_dir(args: &Args) -> PathBuf {
    let snapshots = args.snapshots.clone().unwrap_or_else(|| {
        args.dir.parent().map_or_else(
            || PathBuf::from("snapshots/cases"),
            |p| p.join("snapshots").join("cases"),
        )
    });
    if !snapshots.is_dir() {
        match args.lang {
            Lang::Fr => eprintln!(
                "infobackup: attention : {} : aucun instantané accepté ici ; chaque cas sera nouveau",
                snapshots.display()
            ),
            Lang::En => eprintln!(
                "infobackup: warning: {}: no accepted snapshots there; every case will be new",
                snapshots.display()
            ),
        }
    }

    snapshots
}

/// Draws every row's values with the real widget in one page, marks the rows it draws
/// differently (`widget`, or a detail added to a row already not ok), and prints the JSON rows
/// held back until then; in text, one line says what was drawn.
fn widget_check(
    rows: &mut [Row],
    values: &[Vec<StepValue>],
    template: &WidgetTemplate,
    browser: &Browser,
    out: &mut impl Write,
    format: Format,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let drawings = real_widget::draw_all(browser, template, values.iter().map(Vec::as_slice))
        .with_context(|| format!("--widget {}", template.path().display()))?;
    if !drawings.load_errors.is_empty() {
        let lang = super::lang();
        match lang {
            Lang::Fr => bail!(
                "--widget {} : le script du modèle a échoué au chargement de la page : {}",
                template.path().display(),
                drawings.load_errors.join(" ; ")
            ),
            Lang::En => bail!(
                "--widget {}: the template's script failed while the page loaded: {}",
                template.path().display(),
                drawings.load_errors.join("; ")
            ),
        }
    }
    for (row, vals) in rows.iter_mut().zip(values) {
        let findings = drawings.findings(vals);
        if findings.is_empty() {
            continue;
        }
        let detail = real_widget::detail(template, &findings);
        row.detail = Some(match row.detail.take() {
            Some(d) => format!("{d}\n{detail}"),
            None => detail,
        });
        if row.status == Status::Ok {
            row.status = Status::Widget;
        }
    }
    match format {
        Format::Json => {
            for r in rows.iter() {
                writeln!(out, "{}", table::json_row(r))?;
            }
        }
        Format::Text => {
            let lang = super::lang();
            let secs = started.elapsed().as_secs_f64();
            match lang {
                Lang::Fr => writeln!(
                    out,
                    "widget : {} ({} dans Chromium en {} s)\n",
                    template.path().display(),
                    lang.count(
                        drawings.distinct,
                        ["valeur distincte dessinée", "valeurs distinctes dessinées"],
                        ["", ""]
                    ),
                    format!("{secs:.1}").replace('.', ",")
                )?,
                Lang::En => writeln!(
                    out,
                    "widget: {} ({} drawn in Chromium in {secs:.1} s)\n",
                    template.path().display(),
                    lang.count(drawings.distinct, ["", ""], ["distinct value", "distinct values"]),
                )?,
            }
        }
    }
    Ok(())
}

fn report_error(r: &Row) {
    let what = if r.profile.is_empty() {
        r.case.clone()
    } else {
        format!("{}@{}", r.case, r.profile)
    };
    let lang = super::lang();
    eprintln!(
        "infobackup: {} {what}{}{}",
        lang.pick("erreur :", "error:"),
        lang.pick(" : ", ": "),
        r.detail.as_deref().unwrap_or(lang.pick("échec", "failed"))
    );
}

fn compare_run(args: &Args, dirs: &[PathBuf], a: &str, b: &str, via: &Via) -> anyhow::Result<ExitCode> {
    let pa = run::profile_arg(a).with_context(|| format!("--compare {a}"))?;
    let pb = run::profile_arg(b).with_context(|| format!("--compare {b}"))?;
    for p in [&pa, &pb] {
        if let case::ProfileRef::File { path, .. } = p {
            infobackup::engine::ProfileConfig::from_toml_file(path)?;
        }
    }
    let bar = progress(dirs.len() as u64, args.format);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    header(&mut out, args, via)?;
    let mut entries = Vec::with_capacity(dirs.len());
    for d in dirs {
        let name = d
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let e = corpus::compare_case(d, &pa, &pb, &Overrides::default(), via, args.lang).map_err(|m| (name, m));
        if let Err((case, msg)) = &e {
            let lang = args.lang;
            let line = format!(
                "infobackup: {} {case}{}{msg}",
                lang.pick("erreur :", "error:"),
                lang.pick(" : ", ": ")
            );
            match &bar {
                Some(b) => b.suspend(|| eprintln!("{line}")),
                None => eprintln!("{line}"),
            }
        }
        if args.format == Format::Json {
            writeln!(out, "{}", compare::json_entry(a, b, &e))?;
        }
        entries.push(e);
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let s = CompareSummary::of(&entries);
    match args.format {
        Format::Text => write!(out, "{}", compare::table(a, b, &entries, args.lang))?,
        Format::Json => writeln!(out, "{}", compare::json_summary(a, b, &s, via.kind()))?,
    }
    out.flush()?;
    Ok(ExitCode::from(s.exit_code()))
}

/// In text, the first line says when the replays go through the mock (in process, the default,
/// says nothing). JSON says it in its summary.
fn header(out: &mut impl Write, args: &Args, via: &Via) -> std::io::Result<()> {
    match (args.format, via.kind()) {
        (Format::Text, ViaKind::Http) => {
            writeln!(out, "via{} {}\n", args.lang.pick(" :", ":"), via.describe_in(args.lang))
        }
        _ => Ok(()),
    }
}

/// A progress bar on stderr, only when it is a terminal and the output is for people.
fn progress(len: u64, format: Format) -> Option<indicatif::ProgressBar> {
    if format != Format::Text || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    Some(bar)
}

/// Writes the JUnit report atomically. An existing file is replaced only when it is itself a
/// JUnit report (the previous run's); anything else at that path is the user's and is kept.
fn write_junit(path: &Path, xml: &[u8]) -> anyhow::Result<()> {
    refuse_non_junit(path)?;
    super::atomic::write_file(path, xml, true)
}

/// The largest file `--junit` reads to decide whether it is a JUnit report (the corpus's report
/// is a few kB; anything this large is not a report of ours).
const MAX_JUNIT_READ: u64 = 64 * 1024 * 1024;

/// Refuses a path that holds anything but a JUnit report (the user's, kept): a folder, a FIFO, a
/// device, a link to one of them, or a regular file that does not parse as a JUnit report (an XML
/// document with a `<testsuites>` root, read with quick-junit's own reader).
fn refuse_non_junit(path: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(e).with_context(|| super::cannot_read(path));
        }
        Ok(_) => {}
    }
    let lang = super::lang();
    let refuse = |fr: &str, en: &str| match lang {
        Lang::Fr => anyhow::anyhow!(
            "{} n'est pas remplacé : c'est {fr}, pas un rapport JUnit (choisissez un autre chemin)",
            path.display()
        ),
        Lang::En => anyhow::anyhow!(
            "refusing to replace {}: it is {en}, not a JUnit report (choose another path)",
            path.display()
        ),
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if super::atomic::is_symlink_loop(&e) => {
            return Err(refuse("une boucle de liens symboliques", "a loop of symbolic links"));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(refuse("un lien symbolique vers rien", "a symbolic link to nothing"));
        }
        Err(e) => {
            return Err(e).with_context(|| super::cannot_read(path));
        }
    };
    if !meta.is_file() {
        let kind = super::atomic::kind_of(&meta);
        return Err(refuse(kind.words(Lang::Fr), kind.words(Lang::En)));
    }
    if meta.len() > MAX_JUNIT_READ {
        return Err(refuse(
            "un fichier plus gros que tout rapport",
            "a file larger than any report",
        ));
    }
    let bytes = std::fs::read(path).with_context(|| super::cannot_read(path))?;
    let parsed = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| quick_junit::Report::deserialize_from_str(text).ok());
    if parsed.is_none() {
        match lang {
            Lang::Fr => bail!(
                "{} n'est pas remplacé : ce n'est pas un rapport JUnit (choisissez un autre chemin)",
                path.display()
            ),
            Lang::En => bail!(
                "refusing to replace {}: it is not a JUnit report (choose another path)",
                path.display()
            ),
        }
    }
    Ok(())
}
