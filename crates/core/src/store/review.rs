//! The PI's review: units ranked by disagreement, adjudicated values (their own kind of
//! rating, never overwriting raters' ratings) and "codebook changed" for annotators.

use super::audit::audit;
use super::raters::{find_rater, insert_rater, load_dimensions};
use super::ratings::{current_codebook_version, upsert_rating, Policy, Upsert, UpsertArgs};
use super::Study;
use crate::error::{CoreError, Result};
use crate::model::{Level, RaterKind, Scale};
use rusqlite::params;
use serde::Serialize;
use std::collections::BTreeMap;

/// The rater that holds adjudicated values.
pub const ADJUDICATED_RATER: &str = "adjudicated";

/// One profile's ratings on a dimension, with how much they disagree.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Disagreement {
    /// The profile's id.
    pub profile_id: i64,
    /// The person's name.
    pub person: String,
    /// The context's name.
    pub context: String,
    /// (rater, value) for every rater of the profile, adjudicated values left out.
    pub values: Vec<(String, f64)>,
    /// See `chameleon_stats::disagreement::unit_disagreement`: 0 = agreement, 1 = maximal.
    pub disagreement: f64,
    /// max − min of the values.
    pub spread: f64,
    /// The adjudicated value, when the PI has set one.
    pub adjudicated: Option<f64>,
}

impl Study {
    /// Profiles rated by at least two raters on `dimension`, most disagreement first.
    pub fn disagreements(&self, dimension: &str) -> Result<Vec<Disagreement>> {
        let dims = load_dimensions(self.conn())?;
        let (dim_id, dim) = dims
            .into_iter()
            .find(|(_, d)| d.name.eq_ignore_ascii_case(dimension))
            .ok_or_else(|| CoreError::Invalid(format!("no dimension named '{dimension}'")))?;
        let nominal = dim.level() == Level::Nominal;
        let scale_range = match &dim.scale {
            Scale::Likert { min, max, .. } => Some((max - min) as f64),
            Scale::Continuous { min, max, .. } => Some(max - min),
            Scale::Nominal { .. } => None,
        };
        let mut st = self.conn().prepare(
            "SELECT r.profile_id, pe.name, cx.name, t.name, t.kind, r.value
               FROM rating r JOIN rater t ON t.id = r.rater_id JOIN profile p ON p.id = r.profile_id
               JOIN person pe ON pe.id = p.person_id JOIN context cx ON cx.id = p.context_id
              WHERE r.dimension_id = ?1 AND r.value IS NOT NULL ORDER BY r.profile_id, t.name",
        )?;
        let mut units: BTreeMap<i64, Disagreement> = BTreeMap::new();
        let mut rows = st.query([dim_id])?;
        while let Some(r) = rows.next()? {
            let pid: i64 = r.get(0)?;
            let kind: String = r.get(4)?;
            let value: f64 = r.get(5)?;
            let u = units.entry(pid).or_insert_with(|| Disagreement {
                profile_id: pid,
                person: r.get(1).unwrap_or_default(),
                context: r.get(2).unwrap_or_default(),
                values: Vec::new(),
                disagreement: 0.0,
                spread: 0.0,
                adjudicated: None,
            });
            if kind == RaterKind::Adjudicated.as_str() {
                u.adjudicated = Some(value);
            } else {
                u.values.push((r.get(3)?, value));
            }
        }
        let all: Vec<f64> = units
            .values()
            .flat_map(|u| u.values.iter().map(|v| v.1))
            .collect();
        let range = scale_range
            .or_else(|| chameleon_stats::disagreement::spread(&all))
            .unwrap_or(0.0);
        let mut out: Vec<Disagreement> = units
            .into_values()
            .filter_map(|mut u| {
                let vals: Vec<f64> = u.values.iter().map(|v| v.1).collect();
                u.disagreement =
                    chameleon_stats::disagreement::unit_disagreement(&vals, nominal, range)?;
                u.spread = chameleon_stats::disagreement::spread(&vals).unwrap_or(0.0);
                Some(u)
            })
            .collect();
        out.sort_by(|a, b| {
            b.disagreement
                .total_cmp(&a.disagreement)
                .then(b.spread.total_cmp(&a.spread))
                .then(a.profile_id.cmp(&b.profile_id))
        });
        Ok(out)
    }

    /// Stores the PI's settled value for a profile on a dimension, as a rating by the
    /// `adjudicated` rater (kind adjudicated); raters' own ratings stay as they are.
    pub fn adjudicate(
        &mut self,
        profile_id: i64,
        dimension: &str,
        value: f64,
        note: Option<&str>,
    ) -> Result<()> {
        let dims = load_dimensions(self.conn())?;
        let (dim_id, dim) = dims
            .into_iter()
            .find(|(_, d)| d.name.eq_ignore_ascii_case(dimension))
            .ok_or_else(|| CoreError::Invalid(format!("no dimension named '{dimension}'")))?;
        dim.scale
            .check(value)
            .map_err(|m| CoreError::Invalid(format!("{}: {m}", dim.name)))?;
        let profile = self.profile(profile_id)?;
        let now = self.now();
        let actor = self.actor().to_owned();
        let tx = self.write("saving an adjudication")?;
        let rater = match find_rater(&tx, ADJUDICATED_RATER)? {
            Some(r) if r.kind == RaterKind::Adjudicated => r,
            Some(_) => {
                return Err(CoreError::Invalid(format!(
                    "a rater named '{ADJUDICATED_RATER}' exists and is not the adjudication rater"
                )))
            }
            None => insert_rater(&tx, ADJUDICATED_RATER, RaterKind::Adjudicated, now)?,
        };
        let version = current_codebook_version(&tx)?;
        let (outcome, _) = upsert_rating(
            &tx,
            &UpsertArgs {
                profile_id,
                dimension_id: dim_id,
                rater_id: rater.id,
                value: Some(value),
                now,
                created_at: None,
                updated_at: None,
                seconds_spent: None,
                codebook_version: version,
                note,
                confidence: None,
                source: "adjudicate",
                known_absent: false,
                policy: Policy::Latest,
            },
        )?;
        if !matches!(outcome, Upsert::Unchanged | Upsert::KeptNewer) {
            audit(
                &tx,
                now,
                &actor,
                "adjudicate",
                // Person and context say which profile to a reader of the trail; the id stays
                // for tools.
                &serde_json::json!({"person": profile.person, "context": profile.context,
                                    "profile_id": profile_id, "dimension": dim.name,
                                    "value": value, "note": note}),
                None,
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The analysis snapshot with adjudicated values as profile scores: on every profile and
    /// dimension the PI adjudicated, the adjudicated value replaces the raters' ratings (one
    /// observation by the `adjudicated` rater). Meant for the profile level of the
    /// decomposition; agreement statistics use [`Study::dataset`].
    pub fn dataset_adjudicated(&self) -> Result<crate::dataset::Dataset> {
        let mut ds = self.dataset_with(true)?;
        let Some(adj) = ds
            .raters
            .iter()
            .position(|r| r.kind == RaterKind::Adjudicated)
            .map(|i| i as u32)
        else {
            return Ok(ds);
        };
        for d in &mut ds.dimensions {
            let settled: std::collections::HashSet<u32> = d
                .observations
                .iter()
                .filter(|o| o.rater == Some(adj))
                .map(|o| o.profile)
                .collect();
            d.observations
                .retain(|o| o.rater == Some(adj) || !settled.contains(&o.profile));
        }
        Ok(ds)
    }

    /// True when the rater has ratings made under an older codebook version than the current
    /// one: the app shows "codebook changed" to them.
    pub fn codebook_changed_for(&self, rater_id: i64) -> Result<bool> {
        let current = current_codebook_version(self.conn())?;
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM rating WHERE rater_id = ?1 AND codebook_version < ?2)",
            params![rater_id, current],
            |r| r.get(0),
        )?)
    }
}
