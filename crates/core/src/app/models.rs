//! The Models tab's use cases (issue #14): test a connection, preview the exact prompt, run a
//! model with progress and cancel, list past runs and failures, the model analyses. The CLI's
//! `chameleon model …` and the app call the same code in [`crate::models`]; these functions
//! take the form's plain fields and return plain serializable structs.

use crate::models::analysis::{analyse_study, ModelAnalysisOptions, ModelsReport};
use crate::models::endpoint::{Client, Endpoint, ModelList, Retry};
use crate::models::prompt::Template;
use crate::models::run::{self, Progress, RunOptions, RunReport};
use crate::models::ModelError;
use crate::store::{ModelFailure, ModelRunSummary, ModelSamples, Study};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// The run form as the app sends it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ModelRunRequest"))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRequest {
    pub endpoint: String,
    pub model: String,
    #[serde(default)]
    pub rater: Option<String>,
    /// Environment variable holding the API key; the key itself never crosses the IPC boundary.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// A template text; the default built from the codebook when `None`.
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub dimensions: Vec<String>,
    pub samples: u32,
    pub temperature: f64,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub seed: Option<u64>,
    #[serde(default)]
    pub max_tokens: Option<u32>,
    pub timeout_secs: f64,
    pub concurrency: u32,
    #[serde(default)]
    pub limit: Option<u32>,
}

impl Default for RunRequest {
    fn default() -> Self {
        RunRequest {
            endpoint: crate::models::endpoint::DEFAULT_ENDPOINT.into(),
            model: String::new(),
            rater: None,
            api_key_env: None,
            template: None,
            dimensions: Vec::new(),
            samples: 1,
            temperature: 0.0,
            seed: None,
            max_tokens: None,
            timeout_secs: 120.0,
            concurrency: 2,
            limit: None,
        }
    }
}

impl RunRequest {
    /// The checked run options (the key read from its environment variable here).
    pub fn options(&self) -> Result<RunOptions, ModelError> {
        let mut o = RunOptions::new(Endpoint::parse(&self.endpoint)?, self.model.trim());
        o.rater = self
            .rater
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        o.api_key = api_key(self.api_key_env.as_deref())?;
        if let Some(t) = &self.template {
            o.template = Template::parse(t, None)?;
        }
        o.dimensions = self.dimensions.clone();
        o.samples = self.samples;
        o.temperature = self.temperature;
        o.seed = self.seed;
        o.max_tokens = self.max_tokens;
        if !(self.timeout_secs.is_finite()
            && self.timeout_secs > 0.0
            && self.timeout_secs <= run::MAX_TIMEOUT_SECS as f64)
        {
            return Err(ModelError::Invalid(format!(
                "timeout: {} is out of range (more than 0, at most {} seconds)",
                self.timeout_secs,
                run::MAX_TIMEOUT_SECS
            )));
        }
        o.timeout = Duration::from_secs_f64(self.timeout_secs);
        o.retry = Retry::default();
        o.concurrency = self.concurrency as usize;
        o.limit = self.limit.map(|l| l as usize);
        o.validate()?;
        Ok(o)
    }
}

fn api_key(var: Option<&str>) -> Result<Option<String>, ModelError> {
    let Some(var) = var.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match std::env::var(var) {
        Ok(k) if !k.trim().is_empty() => Ok(Some(k.trim().to_owned())),
        _ => Err(ModelError::MissingApiKey { var: var.into() }),
    }
}

/// What "Test connection" found.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub endpoint: String,
    /// The models the server lists; `None` when it does not list them.
    pub models: Option<Vec<String>>,
    /// Whether the form's model is among them (`None` when the server lists none).
    pub model_found: Option<bool>,
}

/// Asks the server for its models (one `GET {endpoint}/models`): the only thing here that
/// opens a connection besides [`start_run`], and only when the user asks.
pub fn test_connection(
    endpoint: &str,
    model: &str,
    api_key_env: Option<&str>,
) -> Result<ConnectionCheck, ModelError> {
    let e = Endpoint::parse(endpoint)?;
    let client = Client::new(
        e.clone(),
        api_key(api_key_env)?,
        Duration::from_secs(10),
        Retry::default(),
    );
    let models = match client.list_models()? {
        ModelList::Listed(m) => Some(m),
        ModelList::NotListed => None,
    };
    let model_found = models.as_ref().filter(|m| !m.is_empty()).map(|m| {
        m.iter()
            .any(|id| id == model || id.strip_suffix(":latest") == Some(model))
    });
    Ok(ConnectionCheck {
        endpoint: e.to_string(),
        models,
        model_found,
    })
}

/// The exact prompt and request body one profile would get; nothing is sent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptPreview {
    pub endpoint: String,
    /// Which profile: its place in import order (0-based) of `profiles`, its id, person and
    /// context.
    pub index: usize,
    pub profiles: usize,
    pub profile_id: i64,
    pub person: String,
    pub context: String,
    pub prompt: String,
    /// The JSON body that would be POSTed to `{endpoint}/chat/completions`.
    pub request: String,
}

/// The preview for the profile at `index` in import order (the one a run with `--limit`
/// would start with at 0); an index past the end is an error naming the count.
pub fn preview_prompt(
    study: &Study,
    request: &RunRequest,
    index: usize,
) -> Result<PromptPreview, ModelError> {
    // The key is not needed to show the prompt.
    let o = RunRequest {
        api_key_env: None,
        ..request.clone()
    }
    .options()?;
    let ids = study.profile_ids()?;
    let Some(&profile_id) = ids.get(index) else {
        return Err(ModelError::Invalid(format!(
            "profile {}: the study has {} profile(s)",
            index + 1,
            ids.len()
        )));
    };
    let prompt = run::preview(study, &o, profile_id)?;
    let plan = run::plan(study, &o)?;
    let refs: Vec<_> = plan.dimensions.iter().collect();
    let profile = study.profile(profile_id)?;
    Ok(PromptPreview {
        endpoint: o.endpoint.to_string(),
        index,
        profiles: ids.len(),
        profile_id,
        person: profile.person,
        context: profile.context,
        request: run::request_body(&o, &prompt, &refs, 0),
        prompt,
    })
}

/// What a run would do before it starts (shown with the endpoint next to the Run button).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ModelRunPlan"))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPlan {
    pub endpoint: String,
    pub rater: String,
    pub profiles: usize,
    pub dimensions: Vec<String>,
    pub samples: u32,
    pub requests: usize,
    /// Ratings already there (skipped by the run).
    pub done: usize,
}

pub fn plan_run(study: &Study, request: &RunRequest) -> Result<RunPlan, ModelError> {
    let o = RunRequest {
        api_key_env: None,
        ..request.clone()
    }
    .options()?;
    let p = run::plan(study, &o)?;
    Ok(RunPlan {
        endpoint: o.endpoint.to_string(),
        rater: o.rater().to_owned(),
        profiles: p.profiles,
        dimensions: p.dimensions.iter().map(|d| d.name.clone()).collect(),
        samples: o.samples,
        requests: p.tasks.len(),
        done: p.done,
    })
}

/// Runs the form's model; `cancel` is the Cancel button, `progress` feeds the bar.
pub fn start_run(
    study: &mut Study,
    request: &RunRequest,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Progress),
) -> Result<RunReport, ModelError> {
    let o = request.options()?;
    run::run(study, &o, cancel, progress)
}

/// [`start_run`] on a connection of its own to the study file at `path`, so the app's open
/// study (and every other command) stays free while the model answers: SQLite's WAL lets
/// both connections work, and each answer is committed on this one as it arrives.
pub fn start_run_at(
    path: &Path,
    request: &RunRequest,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(&Progress),
) -> Result<RunReport, ModelError> {
    // Checked before the file is opened: a bad form touches nothing.
    request.options()?;
    let mut study = Study::open(path)?;
    let report = start_run(&mut study, request, cancel, progress);
    // The app's connection folds the -wal in when it closes; a checkpoint blocked by it
    // here is harmless.
    if let Err(e) = study.close() {
        tracing::debug!(error = %e, "closing the model run's connection");
    }
    report
}

/// Past runs and their failures.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "ModelRunsView"))]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunsView {
    pub runs: Vec<ModelRunSummary>,
    pub failures: Vec<ModelFailure>,
}

pub fn runs(study: &Study, run_id: Option<i64>) -> Result<RunsView, ModelError> {
    Ok(RunsView {
        runs: study.model_runs()?,
        failures: study.model_failures(run_id)?,
    })
}

/// The model analyses; `sample` picks one sample of each run instead of the mean.
pub fn report(
    study: &Study,
    resamples: usize,
    seed: u64,
    blind_ratio: f64,
    sample: Option<u32>,
) -> Result<ModelsReport, ModelError> {
    let opts = ModelAnalysisOptions::new(
        resamples,
        seed,
        blind_ratio,
        sample.map_or(ModelSamples::Mean, ModelSamples::One),
    )?;
    Ok(analyse_study(study, &opts)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_checked_into_run_options_once() {
        let ok = RunRequest {
            model: "llama3.2".into(),
            samples: 3,
            ..Default::default()
        };
        let o = ok.options().unwrap();
        assert_eq!((o.samples, o.rater()), (3, "llama3.2"));
        assert_eq!(o.endpoint.base(), "http://localhost:11434/v1");
        for bad in [
            RunRequest {
                samples: 0,
                ..ok.clone()
            },
            RunRequest {
                temperature: f64::NAN,
                ..ok.clone()
            },
            RunRequest {
                timeout_secs: 0.0,
                ..ok.clone()
            },
            RunRequest {
                concurrency: 0,
                ..ok.clone()
            },
            RunRequest {
                template: Some("{{nope}}".into()),
                ..ok.clone()
            },
            RunRequest {
                api_key_env: Some("CHAMELEON_TEST_UNSET_KEY_VAR".into()),
                ..ok.clone()
            },
            RunRequest {
                endpoint: "file:///etc/passwd".into(),
                ..ok.clone()
            },
        ] {
            let e = bad.options().unwrap_err();
            assert!(e.is_bad_input(), "{bad:?}: {e}");
        }
    }

    #[test]
    fn the_preview_and_plan_send_nothing_and_show_the_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let (study, _) = crate::app::testing::demo(dir.path());
        let req = RunRequest {
            endpoint: "http://127.0.0.1:9/v1".into(),
            model: "m".into(),
            dimensions: vec!["openness".into()],
            samples: 2,
            ..Default::default()
        };
        let p = preview_prompt(&study, &req, 0).unwrap();
        assert_eq!(p.endpoint, "http://127.0.0.1:9/v1");
        assert_eq!(
            (p.index, p.profile_id),
            (0, study.profile_ids().unwrap()[0])
        );
        assert!(p
            .prompt
            .contains(&study.profile(p.profile_id).unwrap().texts[0].text));
        let past = preview_prompt(&study, &req, p.profiles).unwrap_err();
        assert!(past.is_bad_input(), "{past}");
        assert!(p.prompt.contains("Curiosity, imagination"));
        let body: serde_json::Value = serde_json::from_str(&p.request).unwrap();
        assert_eq!(body["model"], "m");
        let plan = plan_run(&study, &req).unwrap();
        assert_eq!(plan.requests, plan.profiles * 2);
        assert_eq!(plan.dimensions, vec!["openness"]);
        assert!(runs(&study, None).unwrap().runs.is_empty());
        let r = report(&study, 0, 1, 0.5, None).unwrap();
        assert!(r
            .summary
            .iter()
            .any(|s| s.model == "model-gpt" && s.state_blind));
    }
}
