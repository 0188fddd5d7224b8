//! `infobackup serve`: a case served as a mock Jeedom JSON-RPC API on 127.0.0.1 until Ctrl-C.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use infobackup::Lang;
use infobackup::jeeapi::mock::{JeedomMock, SessionMode, SessionOptions};
use infobackup::jeeapi::protocol::{JEEAPI_PATH, PROAPI_PATH};
use infobackup::world::{JeedomVersion, Timeline};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A recorded case folder (scenarios/<name>/), a conformance vector (a .json file with a
    /// "case") or a Timeline JSON file.
    case: PathBuf,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Answer in this Jeedom version's dialect (4.2, 4.3, 4.4, 4.5) instead of the case's.
    #[arg(long, value_name = "VERSION")]
    jeedom: Option<JeedomVersion>,
    /// Behave like a real box: no control methods (mock::enterStep) and no pro-API listings.
    #[arg(long)]
    live: bool,
    /// The step to start at (1-based): the box's clock (`datetime`) and its logs are that step's.
    /// With --live the session stays there (the last step shows a backup that has ended).
    #[arg(long, value_name = "N", default_value_t = 1)]
    step: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lang = super::lang();
    let timeline = load_timeline(&args.case)?;
    let steps = timeline.steps.len();
    if args.step == 0 || args.step > steps {
        match lang {
            Lang::Fr => bail!(
                "--step {} : les étapes de {} vont de 1 à {steps}",
                args.step,
                args.case.display()
            ),
            Lang::En => bail!("--step {}: {} has steps 1 to {steps}", args.step, args.case.display()),
        }
    }
    let start = args.step - 1;
    // The box's clock at the start step: that step's own time (what `datetime` answers there).
    let clock = timeline
        .steps
        .get(start)
        .map(|s| infobackup::world::format_at(s.at))
        .unwrap_or_default();
    let dialect = args.jeedom.unwrap_or(timeline.jeedom);
    let mock = JeedomMock::start_blocking(args.port)
        .context(lang.pick("démarrage du Jeedom simulé", "starting the mock Jeedom"))?;
    let mode = if args.live {
        SessionMode::Live
    } else {
        SessionMode::Replay
    };
    let session = mock
        .register(
            Arc::new(timeline),
            SessionOptions {
                dialect: Some(dialect),
                mode,
                start_step: start,
                ..SessionOptions::default()
            },
        )
        .with_context(|| match lang {
            Lang::Fr => format!("service de {}", args.case.display()),
            Lang::En => format!("serving {}", args.case.display()),
        })?;
    let uri = mock.uri();
    // Listen before announcing: a Ctrl-C that arrives right after the banner must stop us
    // cleanly, not kill the process with the default signal action.
    let stop = StopSignals::install()?;
    // The key is the mock's own, generated now: printing it is the point of this command.
    let key = session.key().expose().to_owned();
    let mut out = std::io::stdout().lock();
    let n = args.step;
    let case = args.case.display();
    let steps = lang.count(steps, ["étape", "étapes"], ["step", "steps"]);
    let head = match lang {
        Lang::Fr => format!("Jeedom {dialect} simulé pour {case} ({steps}) sur {uri}"),
        Lang::En => format!("Mock Jeedom {dialect} serving {case} ({steps}) on {uri}"),
    };
    writeln!(out, "{head}")?;
    writeln!(out, "  {} {uri}{JEEAPI_PATH}", lang.pick("jeeApi : ", "jeeApi: "))?;
    if !args.live {
        writeln!(
            out,
            "  {} {uri}{PROAPI_PATH}  (backup::list, backup::listMarket, backup::listSamba{})",
            lang.pick("API pro :", "pro API:"),
            lang.pick(" ; clé dans params.proapi", "; key in params.proapi")
        )?;
    }
    writeln!(out, "  {} {key}", lang.pick("clé API :", "API key:"))?;
    writeln!(out, "{}", lang.pick("Essayez :", "Try:"))?;
    writeln!(
        out,
        "  curl -s {uri}{JEEAPI_PATH} -H 'Content-Type: application/json' \\\n    -d '{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"version\",\"params\":{{\"apikey\":\"{key}\"}}}}'"
    )?;
    let said = match (args.live, lang) {
        (true, Lang::Fr) => format!(
            "Mode réel : la session reste à l'étape {n} (l'horloge de la box : {clock}) ; il n'y a pas de méthode de \
             contrôle."
        ),
        (true, Lang::En) => format!(
            "Live mode: the session stays at step {n} (the box's clock: {clock}); there are no control methods."
        ),
        (false, Lang::Fr) => format!(
            "La session commence à l'étape {n} (l'horloge de la box : {clock}) ; la méthode mock::enterStep avec \
             params.step = i (à partir de 0) la déplace, et l'horloge avec elle."
        ),
        (false, Lang::En) => format!(
            "The session starts at step {n} (the box's clock: {clock}); method mock::enterStep with params.step = i \
             (0-based) moves it, and the clock with it."
        ),
    };
    writeln!(out, "{said}")?;
    writeln!(out, "{}", lang.pick("Ctrl-C pour arrêter.", "Press Ctrl-C to stop."))?;
    out.flush()?;
    drop(out);

    stop.wait()?;
    let served = mock.served();
    drop(session);
    drop(mock);
    match lang {
        Lang::Fr => println!(
            "Arrêté après {}.",
            lang.count(served as usize, ["requête", "requêtes"], ["", ""])
        ),
        Lang::En => println!(
            "Stopped after {}.",
            lang.count(served as usize, ["", ""], ["request", "requests"])
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C (SIGINT) and SIGTERM listeners, registered as soon as they are created.
struct StopSignals {
    rt: tokio::runtime::Runtime,
    #[cfg(unix)]
    signals: (tokio::signal::unix::Signal, tokio::signal::unix::Signal),
}

impl StopSignals {
    fn install() -> anyhow::Result<StopSignals> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context(super::lang().pick("environnement d'exécution des signaux", "signal runtime"))?;
        #[cfg(unix)]
        let signals = {
            use tokio::signal::unix::{SignalKind, signal};
            let _guard = rt.enter();
            (
                signal(SignalKind::interrupt())
                    .context(super::lang().pick("écoute de Ctrl-C", "listening for Ctrl-C"))?,
                signal(SignalKind::terminate())
                    .context(super::lang().pick("écoute de SIGTERM", "listening for SIGTERM"))?,
            )
        };
        Ok(StopSignals {
            rt,
            #[cfg(unix)]
            signals,
        })
    }

    /// Blocks until Ctrl-C or SIGTERM.
    fn wait(self) -> anyhow::Result<()> {
        #[cfg(unix)]
        {
            let (mut int, mut term) = self.signals;
            self.rt.block_on(async {
                tokio::select! {
                    _ = int.recv() => {},
                    _ = term.recv() => {},
                }
            });
            Ok(())
        }
        #[cfg(not(unix))]
        {
            self.rt.block_on(async {
                let listening = super::lang().pick("écoute de Ctrl-C", "listening for Ctrl-C");
                tokio::signal::ctrl_c().await.context(listening)
            })
        }
    }
}

#[derive(serde::Deserialize)]
struct VectorFile {
    case: Timeline,
}

/// Reads CASE into a Timeline.
fn load_timeline(path: &Path) -> anyhow::Result<Timeline> {
    if path.is_dir() {
        // A recorded case folder (scenarios/<name>/): resolved as `check` resolves it; `--jeedom`
        // changes only the dialect served, not what is inferred from the case.
        let case = infobackup::case::Case::load(path)?;
        let resolved = case.resolve(&infobackup::case::Overrides::default())?;
        return Ok(resolved.timeline);
    }
    if !path.exists() {
        bail!(
            "{}{}",
            path.display(),
            super::lang().pick(" : fichier ou dossier introuvable", ": no such file or folder")
        );
    }
    let bytes = std::fs::read(path).with_context(|| super::cannot_read(path))?;
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        if super::lang() == Lang::Fr {
            bail!(
                "{} n'est pas un cas : serve prend un dossier de cas (scenarios/<nom>/), un vecteur de conformité ou un fichier JSON de Timeline ; pour servir un log collé, enregistrez-le d'abord (`infobackup record LOG --name NOM`) et servez le dossier",
                path.display()
            );
        }
        bail!(
            "{} is not a case: serve takes a case folder (scenarios/<name>/), a conformance vector or a Timeline JSON file; to serve a pasted log, record it first (`infobackup record LOG --name NAME`) and serve the folder",
            path.display()
        );
    };
    let is_vector = value.get("case").is_some();
    let text = String::from_utf8_lossy(&bytes);
    let timeline = if is_vector {
        serde_json::from_str::<VectorFile>(&text).map(|v| v.case)
    } else {
        serde_json::from_str::<Timeline>(&text)
    };
    timeline.map_err(|e| match super::lang() {
        Lang::Fr => {
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or_default();
            anyhow::anyhow!(
                "{}:{}:{}: ni un vecteur de conformité ni une Timeline : {}",
                path.display(),
                e.line(),
                e.column(),
                infobackup::error_words::json_fr(message)
            )
        }
        Lang::En => {
            anyhow::Error::new(e).context(format!("{}: not a conformance vector nor a Timeline", path.display()))
        }
    })
}
