//! `chameleon model rate|runs|prompt|report`: language models as raters (issue #14), over
//! `chameleon_core::models`.

use anyhow::Context as _;
use chameleon_core::models::endpoint::{Endpoint, Retry, DEFAULT_ENDPOINT};
use chameleon_core::models::prompt::{read_template, Template};
use chameleon_core::models::run::{self, RunOptions};
use chameleon_core::models::ModelError;
use chameleon_core::Study;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum ModelCommand {
    /// Rate the study's profiles with a model behind an OpenAI-compatible endpoint.
    Rate(RateArgs),
    /// List the study's model runs with their counts and failures.
    Runs(RunsArgs),
    /// Print the exact prompt (or request) one profile would get; nothing is sent.
    Prompt(PromptArgs),
    /// Humans vs each model, state sensitivity, sample consistency, models vs models.
    Report(super::model_report::ReportArgs),
}

/// What a run is asked to do, shared by `rate` and `prompt`.
#[derive(clap::Args, Clone)]
pub struct RunSpec {
    /// Base URL of the OpenAI-compatible API (requests go to URL/chat/completions; a URL
    /// without a path gets /v1).
    #[arg(long, default_value = DEFAULT_ENDPOINT)]
    pub endpoint: String,
    /// Model name as the server knows it (e.g. llama3.2, qwen2.5:7b).
    #[arg(long)]
    pub model: String,
    /// Rater the ratings are stored under (default: the model name).
    #[arg(long)]
    pub rater: Option<String>,
    /// Rate only this dimension (repeatable; default: every dimension).
    #[arg(long = "dimension", value_name = "D")]
    pub dimensions: Vec<String>,
    /// A prompt template file with {{placeholders}} (default: built from the codebook).
    #[arg(long, value_name = "FILE")]
    pub prompt: Option<PathBuf>,
    /// Sampling temperature, 0 to 2.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f64,
    /// Seed sent to the server (sample i gets SEED + i), where the server takes one.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Most tokens of an answer.
    #[arg(long)]
    pub max_tokens: Option<u32>,
}

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    chameleon model rate s.db --model llama3.2                       # Ollama on this machine\n  \
    chameleon model rate s.db --endpoint http://127.0.0.1:8080/v1 --model local --samples 5 --temperature 0.7\n  \
    OPENAI_API_KEY=… chameleon model rate s.db --endpoint https://api.openai.com/v1 --model gpt-4o-mini --api-key-env OPENAI_API_KEY\n\n\
    Nothing is sent anywhere but the endpoint shown before the run starts. Each answer is \
    committed when it arrives; Ctrl+C stops cleanly (the requests in flight are answered and \
    saved; press it twice to quit at once), and running the same command again resumes. \
    See docs/models.md.")]
pub struct RateArgs {
    pub study: PathBuf,
    #[command(flatten)]
    pub spec: RunSpec,
    /// Samples (answers) per profile, 1 to 100.
    #[arg(long, default_value_t = 1)]
    pub samples: u32,
    /// Only the first N profiles of the study.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Requests at once, 1 to 64.
    #[arg(long, default_value_t = 2)]
    pub concurrency: usize,
    /// Environment variable that holds the API key (never stored in the study).
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,
    /// Seconds to wait for one answer.
    #[arg(long, default_value_t = 120.0)]
    pub timeout: f64,
    /// Retries of a request answered with 429, 5xx or not in time.
    #[arg(long, default_value_t = 4)]
    pub retries: u32,
    /// Print the run's summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
#[command(after_help = "Example:\n  chameleon model runs s.db --json")]
pub struct RunsArgs {
    pub study: PathBuf,
    /// Also list every failure with the raw text the server sent.
    #[arg(long)]
    pub failures: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
#[command(after_help = "Example:\n  chameleon model prompt s.db --model llama3.2 --profile 1")]
pub struct PromptArgs {
    pub study: PathBuf,
    /// Profile id (as `chameleon export profiles` numbers them: 1 is the first imported).
    #[arg(long)]
    pub profile: i64,
    #[command(flatten)]
    pub spec: RunSpec,
    /// Print the whole JSON request body instead of the prompt text.
    #[arg(long)]
    pub request: bool,
}

static CANCEL: AtomicBool = AtomicBool::new(false);
static PRESSES: AtomicUsize = AtomicUsize::new(0);

pub fn run(c: ModelCommand) -> anyhow::Result<()> {
    match c {
        ModelCommand::Rate(a) => rate(a),
        ModelCommand::Runs(a) => runs(a),
        ModelCommand::Prompt(a) => prompt(a),
        ModelCommand::Report(a) => super::model_report::run(a),
    }
}

fn options(spec: &RunSpec) -> Result<RunOptions, ModelError> {
    let endpoint = Endpoint::parse(&spec.endpoint)?;
    let mut o = RunOptions::new(endpoint, &spec.model);
    o.rater = spec.rater.clone();
    o.dimensions = spec.dimensions.clone();
    o.template = match &spec.prompt {
        Some(p) => read_template(p)?,
        None => Template::default_template(),
    };
    o.temperature = spec.temperature;
    o.seed = spec.seed;
    o.max_tokens = spec.max_tokens;
    Ok(o)
}

fn rate(a: RateArgs) -> anyhow::Result<()> {
    let mut o = options(&a.spec)?;
    o.samples = a.samples;
    o.limit = a.limit;
    o.concurrency = a.concurrency;
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= run::MAX_TIMEOUT_SECS as f64) {
        return Err(ModelError::Invalid(format!(
            "--timeout: {} is out of range (more than 0, at most {} seconds)",
            a.timeout,
            run::MAX_TIMEOUT_SECS
        ))
        .into());
    }
    o.timeout = Duration::from_secs_f64(a.timeout);
    o.retry = Retry {
        retries: a.retries,
        ..Retry::default()
    };
    if let Some(var) = &a.api_key_env {
        let key = std::env::var(var).unwrap_or_default();
        if key.trim().is_empty() {
            return Err(ModelError::MissingApiKey { var: var.clone() }.into());
        }
        o.api_key = Some(key.trim().to_owned());
    }
    o.validate()?;
    let mut study = Study::open(&a.study)?;
    let plan = run::plan(&study, &o)?;
    eprintln!(
        "endpoint {} · model {} · rater {} · {} profile(s) × {} dimension(s) × {} sample(s): {} request(s) to send{}",
        o.endpoint,
        o.model,
        o.rater(),
        plan.profiles,
        plan.dimensions.len(),
        o.samples,
        plan.tasks.len(),
        if plan.done > 0 {
            format!(", {} rating(s) already there", plan.done)
        } else {
            String::new()
        }
    );
    ctrlc::set_handler(|| {
        if PRESSES.fetch_add(1, Ordering::SeqCst) == 0 {
            CANCEL.store(true, Ordering::SeqCst);
            eprintln!("\nstopping: answering the requests in flight (Ctrl+C again quits at once)");
        } else {
            // Every committed answer is on disk already: quitting loses only those in flight.
            std::process::exit(130);
        }
    })
    .context("installing the Ctrl+C handler")?;
    let bar = {
        use std::io::IsTerminal;
        std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new(plan.tasks.len() as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} requests · {msg} ({eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            b
        })
    };
    let result = run::run(&mut study, &o, &CANCEL, &mut |p| {
        if let Some(b) = &bar {
            b.set_position(p.done as u64);
            b.set_message(format!("{} ratings, {} failures", p.ratings, p.failures));
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let report = result?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{}: {} request(s): {} answered, {} failed; {} rating(s) saved, {} failure(s){}",
            report
                .run_id
                .map_or("nothing to do".to_owned(), |id| format!("run {id}")),
            report.requests,
            report.answered,
            report.failed,
            report.ratings,
            report.failures,
            if report.skipped > 0 {
                format!("; {} rating(s) were already there", report.skipped)
            } else {
                String::new()
            }
        );
        if report.failures > 0 {
            println!(
                "failures are listed by `chameleon model runs {} --failures`; rerun to retry them",
                a.study.display()
            );
        }
    }
    if report.in_flight_at_stop > 0 {
        eprintln!(
            "{} request(s) were in flight at the stop: waited for and counted above",
            report.in_flight_at_stop
        );
    }
    if report.cancelled {
        eprintln!("cancelled: run the same command again to resume");
        drop(study);
        std::process::exit(130);
    }
    Ok(())
}

fn runs(a: RunsArgs) -> anyhow::Result<()> {
    let study = Study::open_read_only(&a.study)?;
    let runs = study.model_runs()?;
    let failures = if a.failures {
        study.model_failures(None)?
    } else {
        Vec::new()
    };
    if a.json {
        let mut v = serde_json::json!({ "runs": runs });
        if a.failures {
            v["failures"] = serde_json::to_value(&failures)?;
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    if runs.is_empty() {
        println!("no model runs in {}", a.study.display());
        return Ok(());
    }
    println!(
        "{:>4} {:<20} {:<20} {:<11} {:>7} {:>5} {:>8} {:>8} {:>6} {:>7} {:>7}  endpoint",
        "run",
        "rater",
        "model",
        "status",
        "samples",
        "temp",
        "requests",
        "answered",
        "failed",
        "ratings",
        "invalid"
    );
    for r in &runs {
        println!(
            "{:>4} {:<20} {:<20} {:<11} {:>7} {:>5} {:>8} {:>8} {:>6} {:>7} {:>7}  {}",
            r.id,
            r.rater,
            r.model,
            r.status,
            r.samples,
            r.temperature,
            r.requests,
            r.answered,
            r.failed,
            r.ratings,
            r.invalid,
            r.endpoint
        );
    }
    println!();
    println!(
        "requests = answered + failed. Failed requests and invalid (off-scale) dimensions leave \
         no rating and are sent again by the next `chameleon model rate` with the same rater; \
         requests in flight when a run was killed (status interrupted) were not recorded and \
         are sent again too."
    );
    if a.failures && !failures.is_empty() {
        println!();
        println!(
            "{:>4} {:<10} {:<20} {:<18} {:>6}  reason · raw",
            "run", "person", "context", "dimension", "sample"
        );
        for f in &failures {
            let raw: String = f.raw.chars().take(120).collect();
            println!(
                "{:>4} {:<10} {:<20} {:<18} {:>6}  {} · {}",
                f.run_id,
                f.person,
                f.context,
                f.dimension.as_deref().unwrap_or("(all)"),
                f.sample,
                f.reason,
                raw.replace('\n', " ")
            );
        }
    }
    Ok(())
}

fn prompt(a: PromptArgs) -> anyhow::Result<()> {
    let o = options(&a.spec)?;
    let study = Study::open_read_only(&a.study)?;
    let text = run::preview(&study, &o, a.profile)?;
    if a.request {
        let plan = run::plan(&study, &o)?;
        let refs: Vec<_> = plan.dimensions.iter().collect();
        let body: serde_json::Value =
            serde_json::from_str(&run::request_body(&o, &text, &refs, 0))?;
        print_all(&serde_json::to_string_pretty(&body)?)
    } else {
        print_all(&text)
    }
}

/// Prints `text` and a newline; a closed pipe (`| head`) ends the output quietly.
fn print_all(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
