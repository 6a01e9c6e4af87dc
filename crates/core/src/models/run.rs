//! A model run: plan what is left to do, check the server, ask it on `concurrency` worker
//! threads, and commit each answer on the calling thread as it arrives (one transaction each).
//!
//! A request is one profile × one sample, asking every dimension still missing for that
//! sample; a rerun with the same rater skips the (profile, dimension, sample) keys it has, so
//! it resumes where a killed or cancelled run stopped.

use super::endpoint::{Client, Endpoint, Outcome, Retry};
use super::prompt::Template;
use super::schema::{check_answer, read_reply, response_format};
use super::{cut, ModelError};
use crate::model::{Codebook, Dimension, Profile};
use crate::store::{ModelAnswer, NewModelRun, Study};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

/// Bounds of the options, checked once by [`RunOptions::validate`].
pub const MAX_SAMPLES: u32 = 100;
pub const MAX_CONCURRENCY: usize = 64;
pub const MAX_TEMPERATURE: f64 = 2.0;
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// Everything a run needs. `api_key` is held in memory only, never written to the study.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub endpoint: Endpoint,
    pub model: String,
    /// The rater the ratings go to; the model's name when `None`.
    pub rater: Option<String>,
    pub api_key: Option<String>,
    pub template: Template,
    /// Dimensions to rate; every dimension of the codebook when empty.
    pub dimensions: Vec<String>,
    pub samples: u32,
    pub temperature: f64,
    /// Sample `i` is sent with seed `seed + i`, so samples differ and a rerun repeats them.
    pub seed: Option<u64>,
    pub max_tokens: Option<u32>,
    pub timeout: Duration,
    pub retry: Retry,
    /// Further tries of an answer that is not JSON or has a value off its scale.
    pub answer_retries: u32,
    pub concurrency: usize,
    /// Only the first `limit` profiles of the study (in import order).
    pub limit: Option<usize>,
}

impl RunOptions {
    /// Options with the defaults: 1 sample, temperature 0, 2 requests at once, 120 s timeout.
    pub fn new(endpoint: Endpoint, model: &str) -> RunOptions {
        RunOptions {
            endpoint,
            model: model.to_owned(),
            rater: None,
            api_key: None,
            template: Template::default_template(),
            dimensions: Vec::new(),
            samples: 1,
            temperature: 0.0,
            seed: None,
            max_tokens: None,
            timeout: Duration::from_secs(120),
            retry: Retry::default(),
            answer_retries: 2,
            concurrency: 2,
            limit: None,
        }
    }

    pub fn rater(&self) -> &str {
        self.rater.as_deref().unwrap_or(&self.model)
    }

    /// Checks every bound; the CLI and the app call nothing else to check them.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::Invalid(m));
        if self.model.trim().is_empty() {
            return bad("--model: a model name is needed".into());
        }
        if !(1..=MAX_SAMPLES).contains(&self.samples) {
            return bad(format!(
                "--samples: {} is out of range (1 to {MAX_SAMPLES})",
                self.samples
            ));
        }
        if !(0.0..=MAX_TEMPERATURE).contains(&self.temperature) {
            return bad(format!(
                "--temperature: {} is out of range (0 to {MAX_TEMPERATURE})",
                self.temperature
            ));
        }
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            return bad(format!(
                "--concurrency: {} is out of range (1 to {MAX_CONCURRENCY})",
                self.concurrency
            ));
        }
        let t = self.timeout.as_secs_f64();
        if !(t > 0.0 && t <= MAX_TIMEOUT_SECS as f64) {
            return bad(format!(
                "--timeout: {t} s is out of range (more than 0, at most {MAX_TIMEOUT_SECS})"
            ));
        }
        if self.max_tokens == Some(0) {
            return bad("--max-tokens: 0 leaves no room for an answer".into());
        }
        if self.limit == Some(0) {
            return bad("--limit: 0 profiles is nothing to rate".into());
        }
        Ok(())
    }
}

/// What is left to do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub codebook: Codebook,
    pub dimensions: Vec<Dimension>,
    pub profiles: usize,
    /// (profile id, sample, dimensions still missing).
    pub tasks: Vec<(i64, u32, Vec<String>)>,
    /// Profile × dimension × sample keys already rated (skipped).
    pub done: usize,
}

/// The dimensions `names` asks for (all when empty), in codebook order; an unknown one is an
/// error naming it.
pub fn select_dimensions(cb: &Codebook, names: &[String]) -> Result<Vec<Dimension>, ModelError> {
    if names.is_empty() {
        return Ok(cb.dimensions.clone());
    }
    for n in names {
        if !cb.dimensions.iter().any(|d| d.name.eq_ignore_ascii_case(n)) {
            return Err(ModelError::Invalid(format!(
                "--dimension: the codebook has no dimension '{}' (it has: {})",
                cut(n, 200),
                cb.dimensions
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(cb
        .dimensions
        .iter()
        .filter(|d| names.iter().any(|n| d.name.eq_ignore_ascii_case(n)))
        .cloned()
        .collect())
}

fn codebook(study: &Study) -> Result<Codebook, ModelError> {
    study
        .codebook()?
        .filter(|c| !c.dimensions.is_empty())
        .ok_or_else(|| {
            ModelError::Invalid(format!(
                "{}: the study has no codebook; import one first (chameleon import codebook)",
                study.path().display()
            ))
        })
}

/// Works out the requests a run would send (reads the study only).
pub fn plan(study: &Study, opts: &RunOptions) -> Result<Plan, ModelError> {
    let codebook = codebook(study)?;
    let dimensions = select_dimensions(&codebook, &opts.dimensions)?;
    let mut ids = study.profile_ids()?;
    if ids.is_empty() {
        return Err(ModelError::Invalid(format!(
            "{}: the study has no profiles to rate",
            study.path().display()
        )));
    }
    if let Some(l) = opts.limit {
        ids.truncate(l);
    }
    let have = study.model_done(opts.rater())?;
    let mut tasks = Vec::new();
    let mut done = 0;
    for &pid in &ids {
        for s in 0..opts.samples {
            let missing: Vec<String> = dimensions
                .iter()
                .filter(|d| !have.contains(&(pid, d.name.clone(), s)))
                .map(|d| d.name.clone())
                .collect();
            done += dimensions.len() - missing.len();
            if !missing.is_empty() {
                tasks.push((pid, s, missing));
            }
        }
    }
    Ok(Plan {
        codebook,
        dimensions,
        profiles: ids.len(),
        tasks,
        done,
    })
}

/// The exact prompt one profile would get (nothing is sent).
pub fn preview(study: &Study, opts: &RunOptions, profile_id: i64) -> Result<String, ModelError> {
    let cb = codebook(study)?;
    let dims = select_dimensions(&cb, &opts.dimensions)?;
    let profile = study.profile(profile_id)?;
    let refs: Vec<&Dimension> = dims.iter().collect();
    Ok(opts.template.render(&cb, &refs, &profile))
}

/// The request body for one profile and sample.
pub fn request_body(opts: &RunOptions, prompt: &str, dims: &[&Dimension], sample: u32) -> String {
    let mut body = serde_json::json!({
        "model": opts.model,
        "messages": [{"role": "user", "content": prompt}],
        "temperature": opts.temperature,
        "response_format": response_format(dims),
        "stream": false,
    });
    if let Some(s) = opts.seed {
        body["seed"] = serde_json::json!(s.wrapping_add(u64::from(sample)));
    }
    if let Some(m) = opts.max_tokens {
        body["max_tokens"] = serde_json::json!(m);
    }
    body.to_string()
}

/// Where a run is.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ModelRunProgress"))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Default)]
pub struct Progress {
    /// Requests answered (usable or not) so far, of `total`.
    pub done: usize,
    pub total: usize,
    pub ratings: usize,
    pub failures: usize,
}

/// How a run ended.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ModelRunReport"))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunReport {
    /// `None` when nothing was left to do, or nothing was answered.
    pub run_id: Option<i64>,
    pub endpoint: String,
    pub model: String,
    pub rater: String,
    pub profiles: usize,
    pub dimensions: Vec<String>,
    pub samples: u32,
    /// Ratings already there before the run (profile × dimension × sample).
    pub skipped: usize,
    /// Requests made and recorded: `answered` + `failed`.
    pub requests: usize,
    /// Requests answered with JSON.
    pub answered: usize,
    /// Requests that failed as a whole after their retries (recorded as failures; a rerun
    /// sends them again).
    pub failed: usize,
    /// Requests in flight when the run was stopped (Cancel, or an error): they were waited
    /// for, and are counted in `answered` or `failed` when their answer could be recorded.
    pub in_flight_at_stop: usize,
    pub ratings: usize,
    pub failures: usize,
    pub cancelled: bool,
}

enum Answered {
    Answer(ModelAnswer),
    Failure {
        profile_id: i64,
        sample: u32,
        reason: String,
        raw: String,
    },
    Fatal(ModelError),
}

/// Runs `opts` against the study. `cancel` stops it cleanly: no new requests, the ones in
/// flight are answered and committed. An error about the server (unreachable, 401/403,
/// unknown model) before the first answer leaves the study unchanged.
pub fn run(
    study: &mut Study,
    opts: &RunOptions,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Progress),
) -> Result<RunReport, ModelError> {
    opts.validate()?;
    crate::app::team::not_a_package(study, "rating with a model")?;
    if study.is_read_only() {
        return Err(ModelError::Core(crate::CoreError::ReadOnly {
            path: study.path().to_path_buf(),
            action: "a model run".into(),
        }));
    }
    study.check_model_rater(opts.rater())?;
    let plan = plan(study, opts)?;
    let mut report = RunReport {
        run_id: None,
        endpoint: opts.endpoint.to_string(),
        model: opts.model.clone(),
        rater: opts.rater().to_owned(),
        profiles: plan.profiles,
        dimensions: plan.dimensions.iter().map(|d| d.name.clone()).collect(),
        samples: opts.samples,
        skipped: plan.done,
        requests: 0,
        answered: 0,
        failed: 0,
        in_flight_at_stop: 0,
        ratings: 0,
        failures: 0,
        cancelled: false,
    };
    if plan.tasks.is_empty() {
        return Ok(report);
    }
    let client = Client::new(
        opts.endpoint.clone(),
        opts.api_key.clone(),
        opts.timeout,
        opts.retry,
    );
    client.check(&opts.model)?;

    // Prompts are rendered here, from the study, before the workers start: they need no
    // database access of their own.
    let mut queue = VecDeque::with_capacity(plan.tasks.len());
    let mut profiles: std::collections::HashMap<i64, Profile> = Default::default();
    for (pid, sample, dims) in &plan.tasks {
        if !profiles.contains_key(pid) {
            profiles.insert(*pid, study.profile(*pid)?);
        }
        let refs: Vec<&Dimension> = plan
            .dimensions
            .iter()
            .filter(|d| dims.contains(&d.name))
            .collect();
        let prompt = opts.template.render(&plan.codebook, &refs, &profiles[pid]);
        let body = request_body(opts, &prompt, &refs, *sample);
        queue.push_back((
            *pid,
            *sample,
            refs.into_iter().cloned().collect::<Vec<_>>(),
            body,
        ));
    }
    let total = queue.len();
    let queue = Mutex::new(queue);
    let stop = AtomicBool::new(false);
    let halted = || stop.load(Ordering::SeqCst) || cancel.load(Ordering::SeqCst);
    let mut state = Progress {
        total,
        ..Default::default()
    };
    progress(&state);
    let mut fatal: Option<ModelError> = None;
    let mut commit_error: Option<ModelError> = None;
    let run_spec_dims: Vec<String> = report.dimensions.clone();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<Answered>();
        for _ in 0..opts.concurrency.min(total) {
            let tx = tx.clone();
            let client = client.clone();
            let queue = &queue;
            let halted = &halted;
            scope.spawn(move || loop {
                if halted() {
                    break;
                }
                let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
                let Some((pid, sample, dims, body)) = next else {
                    break;
                };
                let refs: Vec<&Dimension> = dims.iter().collect();
                let out = ask(
                    &client,
                    &body,
                    &refs,
                    pid,
                    sample,
                    opts.answer_retries,
                    halted,
                );
                if tx.send(out).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for answered in rx {
            // Workers take no new request once halted: what arrives now was in flight.
            if halted() {
                report.in_flight_at_stop += 1;
            }
            if matches!(answered, Answered::Fatal(_)) {
                if let Answered::Fatal(e) = answered {
                    stop.store(true, Ordering::SeqCst);
                    fatal.get_or_insert(e);
                }
                continue;
            }
            if commit_error.is_some() {
                continue;
            }
            let run_id = match report.run_id {
                Some(id) => id,
                None => match study.begin_model_run(&NewModelRun {
                    rater: opts.rater(),
                    endpoint: opts.endpoint.base(),
                    model: &opts.model,
                    template: opts.template.text(),
                    temperature: opts.temperature,
                    samples: opts.samples,
                    seed: opts.seed,
                    max_tokens: opts.max_tokens,
                    dimensions: &run_spec_dims,
                }) {
                    Ok(id) => {
                        report.run_id = Some(id);
                        id
                    }
                    Err(e) => {
                        stop.store(true, Ordering::SeqCst);
                        commit_error = Some(e.into());
                        continue;
                    }
                },
            };
            let is_answer = matches!(answered, Answered::Answer(_));
            let committed = match &answered {
                Answered::Answer(a) => {
                    state.ratings += a.values.len();
                    state.failures += a.invalid.len();
                    study.commit_model_answer(run_id, a)
                }
                Answered::Failure {
                    profile_id,
                    sample,
                    reason,
                    raw,
                } => {
                    state.failures += 1;
                    study.record_model_failure(run_id, *profile_id, *sample, reason, raw)
                }
                Answered::Fatal(_) => Ok(()),
            };
            if let Err(e) = committed {
                stop.store(true, Ordering::SeqCst);
                commit_error = Some(e.into());
                continue;
            }
            if is_answer {
                report.answered += 1;
            } else {
                report.failed += 1;
            }
            state.done += 1;
            progress(&state);
        }
    });
    report.requests = state.done;
    report.ratings = state.ratings;
    report.failures = state.failures;
    report.cancelled = cancel.load(Ordering::SeqCst) && state.done < total;
    if let Some(id) = report.run_id {
        let status = if fatal.is_some() || commit_error.is_some() {
            "failed"
        } else if report.cancelled {
            "cancelled"
        } else {
            "finished"
        };
        // A failure to mark the run is less important than the error that stopped it.
        if let Err(e) = study.finish_model_run(id, status) {
            tracing::warn!(error = %e, "marking the model run {status} failed");
        }
    }
    if let Some(e) = commit_error.or(fatal) {
        return Err(e);
    }
    Ok(report)
}

/// One request with its retries of unusable answers.
fn ask(
    client: &Client,
    body: &str,
    dims: &[&Dimension],
    profile_id: i64,
    sample: u32,
    answer_retries: u32,
    halted: &dyn Fn() -> bool,
) -> Answered {
    let mut last = (String::new(), String::new());
    for attempt in 0..=answer_retries {
        if attempt > 0 && halted() {
            break;
        }
        match client.chat(body, halted) {
            Err(e) => return Answered::Fatal(e),
            Ok(Outcome::Transient { reason, body }) => {
                return Answered::Failure {
                    profile_id,
                    sample,
                    reason,
                    raw: body,
                }
            }
            Ok(Outcome::Refused { status, body }) => {
                return Answered::Failure {
                    profile_id,
                    sample,
                    reason: format!("HTTP {status}"),
                    raw: body,
                }
            }
            Ok(Outcome::Answer { body, latency }) => {
                let reply = match read_reply(&body) {
                    Ok(r) => r,
                    Err(m) => {
                        last = (m, body);
                        continue;
                    }
                };
                match check_answer(&reply.content, dims) {
                    Err(m) => last = (m, cut(&body, super::endpoint::RAW_KEEP)),
                    Ok(c) if !c.invalid.is_empty() && attempt < answer_retries => {
                        last = (
                            format!("{} value(s) off the scale", c.invalid.len()),
                            body.clone(),
                        );
                    }
                    Ok(c) => {
                        return Answered::Answer(ModelAnswer {
                            profile_id,
                            sample,
                            attempts: attempt + 1,
                            latency_ms: latency.as_millis() as u64,
                            prompt_tokens: reply.prompt_tokens,
                            completion_tokens: reply.completion_tokens,
                            raw_response: cut(&body, super::endpoint::RAW_KEEP),
                            values: c.values,
                            invalid: c.invalid,
                        })
                    }
                }
            }
        }
    }
    Answered::Failure {
        profile_id,
        sample,
        reason: last.0,
        raw: last.1,
    }
}
