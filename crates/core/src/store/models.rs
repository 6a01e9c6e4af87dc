//! Model runs as stored: the run, its prompt template (once, by hash), each answered request
//! with its provenance, the per-sample ratings and the failures. Each answer is one
//! transaction, so a killed run loses at most the requests in flight and never half an answer.

use super::ratings::{current_codebook_version, upsert_rating, Policy, UpsertArgs};
use super::Study;
use crate::error::{CoreError, Result};
use crate::model::{Level, RaterKind};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use std::collections::HashSet;

/// What a run is, written once when its first answer arrives.
#[derive(Debug, Clone)]
pub struct NewModelRun<'a> {
    /// The model rater's name.
    pub rater: &'a str,
    /// The OpenAI-compatible endpoint's URL.
    pub endpoint: &'a str,
    /// The model's name at the endpoint.
    pub model: &'a str,
    /// The prompt template.
    pub template: &'a str,
    /// Sampling temperature.
    pub temperature: f64,
    /// Samples per profile and dimension.
    pub samples: u32,
    /// Seed sent to the endpoint, if any.
    pub seed: Option<u64>,
    /// Most tokens per answer, if limited.
    pub max_tokens: Option<u32>,
    /// Dimensions the run rates.
    pub dimensions: &'a [String],
}

/// One answered request, ready to commit: the values that passed the scale check and the
/// dimensions that did not.
#[derive(Debug, Clone, Default)]
pub struct ModelAnswer {
    /// The profile asked about.
    pub profile_id: i64,
    /// Which sample of the profile (and dimension).
    pub sample: u32,
    /// Requests it took.
    pub attempts: u32,
    /// Time to the answer, ms.
    pub latency_ms: u64,
    /// Prompt tokens, as the endpoint reported them.
    pub prompt_tokens: Option<u64>,
    /// Completion tokens, as the endpoint reported them.
    pub completion_tokens: Option<u64>,
    /// The answer as received.
    pub raw_response: String,
    /// (dimension name, value on its scale).
    pub values: Vec<(String, f64)>,
    /// (dimension name, reason) for dimensions whose answer was missing or off the scale.
    pub invalid: Vec<(String, String)>,
}

/// A run in the list of past runs.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelRunSummary {
    /// The run's id.
    pub id: i64,
    /// The model rater's name.
    pub rater: String,
    /// The endpoint's URL.
    pub endpoint: String,
    /// The model's name.
    pub model: String,
    /// Hash of the prompt template.
    pub prompt_hash: String,
    /// Sampling temperature.
    pub temperature: f64,
    /// Samples per profile and dimension.
    pub samples: u32,
    /// Seed sent to the endpoint, if any.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub seed: Option<u64>,
    /// Dimensions rated.
    pub dimensions: Vec<String>,
    /// When it started, ms since the Unix epoch.
    pub started_at: i64,
    /// When it ended, if it did.
    pub finished_at: Option<i64>,
    /// `running`, `interrupted`, or how the run ended.
    pub status: String,
    /// Requests made and recorded: `answered` + `failed`. (Requests in flight when a run was
    /// killed are not recorded; a rerun sends them again.)
    pub requests: i64,
    /// Requests answered with JSON (stored with their provenance, ratings or not).
    pub answered: i64,
    /// Requests that failed as a whole (not JSON, an HTTP error, a timeout, after their
    /// retries): no rating. A rerun sends them again.
    pub failed: i64,
    /// Dimensions of answered requests left out as off the scale (a rerun asks them again).
    pub invalid: i64,
    /// Ratings stored.
    pub ratings: i64,
    /// Failure records: `failed` + `invalid`.
    pub failures: i64,
    /// Prompt tokens in total.
    pub prompt_tokens: i64,
    /// Completion tokens in total.
    pub completion_tokens: i64,
    /// Median latency of the answered requests, in milliseconds.
    pub median_latency_ms: Option<i64>,
}

/// An unusable answer, with what the server said.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelFailure {
    /// The run it happened in.
    pub run_id: i64,
    /// The person of the profile.
    pub person: String,
    /// The context of the profile.
    pub context: String,
    /// The profile's id.
    pub profile_id: i64,
    /// `None` when the whole answer was unusable.
    pub dimension: Option<String>,
    /// Which sample of the profile (and dimension).
    pub sample: u32,
    /// Why the answer was not used.
    pub reason: String,
    /// The answer as received.
    pub raw: String,
    /// When, ms since the Unix epoch.
    pub at: i64,
}

/// One sample's rating, for the analyses.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSampleRating {
    /// The model rater's name.
    pub rater: String,
    /// The profile rated.
    pub profile_id: i64,
    /// The dimension.
    pub dimension: String,
    /// Which sample of the profile (and dimension).
    pub sample: u32,
    /// The value.
    pub value: f64,
}

/// Which of a model rater's samples the analyses see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "sample")]
pub enum ModelSamples {
    /// The mean of its samples (the stored median/mode on nominal dimensions): the default.
    #[default]
    Mean,
    /// Only sample `i` (0-based); ratings without that sample are left out.
    One(u32),
}

impl ModelSamples {
    pub(crate) fn sql_param(self) -> i64 {
        match self {
            ModelSamples::Mean => -1,
            ModelSamples::One(i) => i64::from(i),
        }
    }
}

/// The value of a rating as the analyses see it (`?2` is [`ModelSamples::sql_param`]); the
/// query joins `rating r`, `rater t` and `dimension d`.
pub(crate) const MODEL_VALUE_SQL: &str = "CASE
      WHEN t.kind <> 'model' THEN r.value
      WHEN ?2 < 0 AND d.level = 'nominal' THEN r.value
      WHEN ?2 < 0 THEN COALESCE((SELECT AVG(m.value) FROM model_rating m
            WHERE m.rater_id = r.rater_id AND m.profile_id = r.profile_id
              AND m.dimension_id = r.dimension_id), r.value)
      WHEN EXISTS (SELECT 1 FROM model_rating m WHERE m.rater_id = r.rater_id
              AND m.profile_id = r.profile_id AND m.dimension_id = r.dimension_id)
        THEN (SELECT m.value FROM model_rating m WHERE m.rater_id = r.rater_id
              AND m.profile_id = r.profile_id AND m.dimension_id = r.dimension_id
              AND m.sample = ?2)
      ELSE r.value END";

/// The rating a model rater's samples add up to, on the scale: the lower median (always one of
/// the samples, so a Likert point) or, for nominal dimensions, the most frequent category
/// (the lowest code among ties).
pub(crate) fn summary_value(level: Level, values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if level == Level::Nominal {
        let mut best = (v[0], 0usize);
        let mut i = 0;
        while i < v.len() {
            let j = v[i..].iter().take_while(|x| **x == v[i]).count();
            if j > best.1 {
                best = (v[i], j);
            }
            i += j;
        }
        return Some(best.0);
    }
    Some(v[(v.len() - 1) / 2])
}

impl Study {
    /// The (profile, dimension, sample) keys the model rater `rater` already has: a rerun
    /// skips them.
    pub fn model_done(&self, rater: &str) -> Result<HashSet<(i64, String, u32)>> {
        let mut st = self.conn().prepare(
            "SELECT m.profile_id, d.name, m.sample FROM model_rating m
               JOIN rater t ON t.id = m.rater_id JOIN dimension d ON d.id = m.dimension_id
              WHERE t.name = ?1",
        )?;
        let rows = st
            .query_map([rater], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<HashSet<_>>>()?;
        Ok(rows)
    }

    /// Checks that `rater` can hold a model's ratings: absent (it will be created) or a model.
    pub fn check_model_rater(&self, rater: &str) -> Result<()> {
        if rater.trim().is_empty() {
            return Err(CoreError::Invalid("a model rater needs a name".into()));
        }
        if let Some(r) = super::raters::reserved_rater_name(rater) {
            return Err(CoreError::Invalid(format!(
                "'{rater}' is a reserved rater name ('{r}' is the study's own): choose another name"
            )));
        }
        match self.rater(rater)? {
            Some(r) if r.kind != RaterKind::Model => Err(CoreError::Invalid(format!(
                "rater '{rater}' exists and is a {} rater; give the model another name (--rater)",
                r.kind.as_str()
            ))),
            _ => Ok(()),
        }
    }

    /// Records a run (its template once, by hash; the rater created as kind model) and returns
    /// its id. One transaction.
    pub fn begin_model_run(&mut self, run: &NewModelRun<'_>) -> Result<i64> {
        self.check_model_rater(run.rater)?;
        let now = self.now();
        let actor = self.actor().to_owned();
        let hash = prompt_hash(run.template);
        let tx = self.write("starting a model run")?;
        tx.execute(
            "INSERT OR IGNORE INTO model_prompt (hash, template, created_at) VALUES (?1, ?2, ?3)",
            params![hash, run.template, now],
        )?;
        let rater_id = match super::raters::find_rater(&tx, run.rater)? {
            Some(r) => r.id,
            None => super::raters::insert_rater(&tx, run.rater, RaterKind::Model, now)?.id,
        };
        // A run of this rater still marked running was killed: two runs of one rater at once
        // would ask for the same keys, so none is expected to be alive.
        tx.execute(
            "UPDATE model_run SET status = 'interrupted' WHERE rater_id = ?1 AND status = 'running'",
            [rater_id],
        )?;
        let dims = serde_json::to_string(run.dimensions)
            .map_err(|e| CoreError::Invalid(format!("dimensions: {e}")))?;
        tx.execute(
            "INSERT INTO model_run (rater_id, endpoint, model, prompt_hash, temperature, samples,
                                    seed, max_tokens, dimensions, started_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'running')",
            params![
                rater_id,
                run.endpoint,
                run.model,
                hash,
                run.temperature,
                run.samples,
                run.seed.map(|s| s as i64),
                run.max_tokens,
                dims,
                now
            ],
        )?;
        let id = tx.last_insert_rowid();
        super::audit::audit(
            &tx,
            now,
            &actor,
            "model run",
            &serde_json::json!({"run": id, "rater": run.rater, "endpoint": run.endpoint,
                "model": run.model, "prompt": hash, "temperature": run.temperature,
                "samples": run.samples}),
            None,
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Commits one answer in one transaction: the request's provenance, one `model_rating`
    /// per valid dimension, the rater's summary rating updated, a failure per invalid one.
    pub fn commit_model_answer(&mut self, run_id: i64, a: &ModelAnswer) -> Result<()> {
        let now = self.now();
        let tx = self.write("saving a model's answer")?;
        let (rater_id, rater): (i64, String) = tx.query_row(
            "SELECT r.rater_id, t.name FROM model_run r JOIN rater t ON t.id = r.rater_id
              WHERE r.id = ?1",
            [run_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.execute(
            "INSERT INTO model_request (run_id, profile_id, sample, attempts, latency_ms,
                                        prompt_tokens, completion_tokens, raw_response, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                run_id,
                a.profile_id,
                a.sample,
                a.attempts,
                a.latency_ms as i64,
                a.prompt_tokens.map(|t| t as i64),
                a.completion_tokens.map(|t| t as i64),
                a.raw_response,
                now
            ],
        )?;
        let request_id = tx.last_insert_rowid();
        let version = current_codebook_version(&tx)?;
        for (dimension, value) in &a.values {
            let (dimension_id, level): (i64, String) = tx
                .query_row(
                    "SELECT id, level FROM dimension WHERE name = ?1",
                    [dimension],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
                .ok_or_else(|| CoreError::Invalid(format!("no dimension named '{dimension}'")))?;
            tx.execute(
                "INSERT INTO model_rating (rater_id, profile_id, dimension_id, sample, value, request_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (rater_id, profile_id, dimension_id, sample) DO UPDATE
                    SET value = ?5, request_id = ?6",
                params![rater_id, a.profile_id, dimension_id, a.sample, value, request_id],
            )?;
            let samples: Vec<f64> = tx
                .prepare_cached(
                    "SELECT value FROM model_rating
                      WHERE rater_id = ?1 AND profile_id = ?2 AND dimension_id = ?3",
                )?
                .query_map(params![rater_id, a.profile_id, dimension_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let level = if level == "nominal" {
                Level::Nominal
            } else {
                Level::Ordinal
            };
            upsert_rating(
                &tx,
                &UpsertArgs {
                    profile_id: a.profile_id,
                    dimension_id,
                    rater_id,
                    value: summary_value(level, &samples),
                    now,
                    created_at: None,
                    updated_at: None,
                    seconds_spent: Some(a.latency_ms as f64 / 1000.0),
                    codebook_version: version,
                    note: None,
                    confidence: None,
                    source: "model",
                    known_absent: false,
                    policy: Policy::Latest,
                },
            )?;
        }
        for (dimension, reason) in &a.invalid {
            let dimension_id: Option<i64> = tx
                .query_row(
                    "SELECT id FROM dimension WHERE name = ?1",
                    [dimension],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute(
                "INSERT INTO model_failure (run_id, profile_id, dimension_id, sample, reason, raw, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![run_id, a.profile_id, dimension_id, a.sample, reason, a.raw_response, now],
            )?;
        }
        super::audit::audit(
            &tx,
            now,
            &rater,
            "model rate",
            &serde_json::json!({"run": run_id, "profile_id": a.profile_id, "sample": a.sample,
                "values": a.values, "invalid": a.invalid.len()}),
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records an answer that could not be used at all (not JSON after its retries, an HTTP
    /// error after its retries). One transaction.
    pub fn record_model_failure(
        &mut self,
        run_id: i64,
        profile_id: i64,
        sample: u32,
        reason: &str,
        raw: &str,
    ) -> Result<()> {
        let now = self.now();
        let tx = self.write("saving a model's failure")?;
        tx.execute(
            "INSERT INTO model_failure (run_id, profile_id, dimension_id, sample, reason, raw, at)
             VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6)",
            params![run_id, profile_id, sample, reason, raw, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Marks a run finished, cancelled or failed.
    pub fn finish_model_run(&mut self, run_id: i64, status: &str) -> Result<()> {
        let now = self.now();
        let tx = self.write("finishing a model run")?;
        tx.execute(
            "UPDATE model_run SET status = ?2, finished_at = ?3 WHERE id = ?1",
            params![run_id, status, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The stored template of a prompt hash.
    pub fn model_prompt(&self, hash: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT template FROM model_prompt WHERE hash = ?1",
                [hash],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every run, oldest first, with its counts.
    pub fn model_runs(&self) -> Result<Vec<ModelRunSummary>> {
        let mut st = self.conn().prepare(
            "SELECT r.id, t.name, r.endpoint, r.model, r.prompt_hash, r.temperature, r.samples,
                    r.seed, r.dimensions, r.started_at, r.finished_at, r.status,
                    (SELECT COUNT(*) FROM model_request q WHERE q.run_id = r.id),
                    (SELECT COUNT(*) FROM model_rating m JOIN model_request q ON q.id = m.request_id
                      WHERE q.run_id = r.id),
                    (SELECT COUNT(*) FROM model_failure f WHERE f.run_id = r.id),
                    (SELECT COALESCE(SUM(prompt_tokens), 0) FROM model_request q WHERE q.run_id = r.id),
                    (SELECT COALESCE(SUM(completion_tokens), 0) FROM model_request q WHERE q.run_id = r.id),
                    (SELECT COUNT(*) FROM model_failure f
                      WHERE f.run_id = r.id AND f.dimension_id IS NULL)
               FROM model_run r JOIN rater t ON t.id = r.rater_id ORDER BY r.id",
        )?;
        let mut runs = st
            .query_map([], |r| {
                let dims: String = r.get(8)?;
                Ok(ModelRunSummary {
                    id: r.get(0)?,
                    rater: r.get(1)?,
                    endpoint: r.get(2)?,
                    model: r.get(3)?,
                    prompt_hash: r.get(4)?,
                    temperature: r.get(5)?,
                    samples: r.get(6)?,
                    seed: r.get::<_, Option<i64>>(7)?.map(|s| s as u64),
                    dimensions: serde_json::from_str(&dims).unwrap_or_default(),
                    started_at: r.get(9)?,
                    finished_at: r.get(10)?,
                    status: r.get(11)?,
                    requests: r.get::<_, i64>(12)? + r.get::<_, i64>(17)?,
                    answered: r.get(12)?,
                    failed: r.get(17)?,
                    invalid: r.get::<_, i64>(14)? - r.get::<_, i64>(17)?,
                    ratings: r.get(13)?,
                    failures: r.get(14)?,
                    prompt_tokens: r.get(15)?,
                    completion_tokens: r.get(16)?,
                    median_latency_ms: None,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut lat = self.conn().prepare(
            "SELECT latency_ms FROM model_request WHERE run_id = ?1 ORDER BY latency_ms",
        )?;
        for run in &mut runs {
            let l: Vec<i64> = lat
                .query_map([run.id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            run.median_latency_ms = (!l.is_empty()).then(|| l[(l.len() - 1) / 2]);
        }
        Ok(runs)
    }

    /// The failures of one run (or of every run), oldest first.
    pub fn model_failures(&self, run_id: Option<i64>) -> Result<Vec<ModelFailure>> {
        let mut st = self.conn().prepare(
            "SELECT f.run_id, pe.name, cx.name, f.profile_id, d.name, f.sample, f.reason, f.raw, f.at
               FROM model_failure f JOIN profile p ON p.id = f.profile_id
               JOIN person pe ON pe.id = p.person_id JOIN context cx ON cx.id = p.context_id
               LEFT JOIN dimension d ON d.id = f.dimension_id
              WHERE ?1 IS NULL OR f.run_id = ?1 ORDER BY f.id",
        )?;
        let rows = st
            .query_map([run_id], |r| {
                Ok(ModelFailure {
                    run_id: r.get(0)?,
                    person: r.get(1)?,
                    context: r.get(2)?,
                    profile_id: r.get(3)?,
                    dimension: r.get(4)?,
                    sample: r.get(5)?,
                    reason: r.get(6)?,
                    raw: r.get(7)?,
                    at: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every model sample rating in the study.
    pub fn model_sample_ratings(&self) -> Result<Vec<ModelSampleRating>> {
        let mut st = self.conn().prepare(
            "SELECT t.name, m.profile_id, d.name, m.sample, m.value FROM model_rating m
               JOIN rater t ON t.id = m.rater_id JOIN dimension d ON d.id = m.dimension_id
              ORDER BY t.name, m.profile_id, d.position, m.sample",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(ModelSampleRating {
                    rater: r.get(0)?,
                    profile_id: r.get(1)?,
                    dimension: r.get(2)?,
                    sample: r.get(3)?,
                    value: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every profile id, in import order.
    pub fn profile_ids(&self) -> Result<Vec<i64>> {
        let mut st = self.conn().prepare("SELECT id FROM profile ORDER BY id")?;
        let ids = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ids)
    }
}

/// The hash a template is stored under (blake3, hex).
pub fn prompt_hash(template: &str) -> String {
    blake3::hash(template.as_bytes()).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_a_sample_value_median_or_mode() {
        assert_eq!(summary_value(Level::Ordinal, &[5.0, 1.0, 4.0]), Some(4.0));
        assert_eq!(
            summary_value(Level::Ordinal, &[2.0, 5.0]),
            Some(2.0),
            "the lower median of an even count is a sample, so a Likert point"
        );
        assert_eq!(
            summary_value(Level::Nominal, &[3.0, 1.0, 3.0, 2.0]),
            Some(3.0)
        );
        assert_eq!(
            summary_value(Level::Nominal, &[2.0, 1.0]),
            Some(1.0),
            "ties go to the lowest code"
        );
        assert_eq!(summary_value(Level::Ordinal, &[]), None);
    }
}
