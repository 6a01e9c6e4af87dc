//! Writing ratings (one transaction each, history appended) and reading them back, including
//! the analysis snapshot.

use super::raters::NO_RATER;
use super::Study;
use crate::dataset::{Dataset, DimensionData, Observation, ProfileKey, RaterEntry};
use crate::error::{CoreError, Result};
use crate::model::{RaterKind, Rating, RatingChange, Scale};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A rating as the annotator's screen sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingInput {
    pub profile_id: i64,
    pub dimension: String,
    pub rater_id: i64,
    /// `None` clears the rating (undo back to empty); history keeps the old value.
    pub value: Option<f64>,
    #[serde(default)]
    pub seconds_spent: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub confidence: Option<f64>,
}

/// A rater's per-profile state besides the ratings: flagged for later, note, confidence and
/// the time spent on the profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ProfileReview {
    pub flagged: bool,
    pub note: Option<String>,
    pub confidence: Option<f64>,
    pub seconds_spent: f64,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Upsert {
    Added,
    Updated,
    Unchanged,
    Cleared,
}

pub(crate) struct UpsertArgs<'a> {
    pub profile_id: i64,
    pub dimension_id: i64,
    pub rater_id: i64,
    pub value: Option<f64>,
    pub now: i64,
    pub created_at: Option<i64>,
    pub seconds_spent: Option<f64>,
    pub codebook_version: i64,
    pub note: Option<&'a str>,
    pub confidence: Option<f64>,
    pub source: &'a str,
    /// The caller knows no rating exists for this key (an import into a study without
    /// ratings): skips the lookup.
    pub known_absent: bool,
}

/// Inserts or edits one rating inside the caller's transaction, appending to the history.
pub(crate) fn upsert_rating(conn: &Connection, a: &UpsertArgs<'_>) -> Result<Upsert> {
    let existing: Option<(i64, Option<f64>)> = if a.known_absent {
        None
    } else {
        conn.prepare_cached(
            "SELECT id, value FROM rating WHERE profile_id = ?1 AND dimension_id = ?2 AND rater_id = ?3",
        )?
        .query_row(params![a.profile_id, a.dimension_id, a.rater_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
    };
    let mut history = conn.prepare_cached(
        "INSERT INTO rating_history (rating_id, old_value, new_value, changed_by, changed_at, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    match existing {
        None => {
            let Some(value) = a.value else {
                return Ok(Upsert::Unchanged);
            };
            conn.prepare_cached(
                "INSERT INTO rating (profile_id, dimension_id, rater_id, value, created_at, updated_at,
                                     seconds_spent, codebook_version, note, confidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                a.profile_id,
                a.dimension_id,
                a.rater_id,
                value,
                a.created_at.unwrap_or(a.now),
                a.created_at.unwrap_or(a.now),
                a.seconds_spent,
                a.codebook_version,
                a.note,
                a.confidence
            ])?;
            let id = conn.last_insert_rowid();
            history.execute(params![id, None::<f64>, value, a.rater_id, a.now, a.source])?;
            Ok(Upsert::Added)
        }
        Some((id, old)) if old == a.value => {
            // Same value again: keep the extra time spent, no history entry.
            if let Some(s) = a.seconds_spent {
                conn.prepare_cached("UPDATE rating SET seconds_spent = ?2 WHERE id = ?1")?
                    .execute(params![id, s])?;
            }
            Ok(Upsert::Unchanged)
        }
        Some((id, old)) => {
            conn.prepare_cached(
                "UPDATE rating SET value = ?2, updated_at = ?3,
                        seconds_spent = COALESCE(?4, seconds_spent), codebook_version = ?5,
                        note = COALESCE(?6, note), confidence = COALESCE(?7, confidence)
                  WHERE id = ?1",
            )?
            .execute(params![
                id,
                a.value,
                a.now,
                a.seconds_spent,
                a.codebook_version,
                a.note,
                a.confidence
            ])?;
            history.execute(params![id, old, a.value, a.rater_id, a.now, a.source])?;
            Ok(if a.value.is_none() {
                Upsert::Cleared
            } else {
                Upsert::Updated
            })
        }
    }
}

pub(crate) fn current_codebook_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM codebook_version",
        [],
        |r| r.get(0),
    )?)
}

const RATING_SELECT: &str =
    "SELECT r.profile_id, d.name, t.name, r.value, r.created_at, r.updated_at,
        r.seconds_spent, r.codebook_version, r.note, r.confidence
   FROM rating r JOIN dimension d ON d.id = r.dimension_id JOIN rater t ON t.id = r.rater_id";

fn rating_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Rating> {
    Ok(Rating {
        profile_id: r.get(0)?,
        dimension: r.get(1)?,
        rater: r.get(2)?,
        value: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        seconds_spent: r.get(6)?,
        codebook_version: r.get(7)?,
        note: r.get(8)?,
        confidence: r.get(9)?,
    })
}

impl Study {
    /// Saves one rating in its own transaction; when this returns `Ok`, the rating is on disk.
    /// Returns the stored rating, or `None` when the input cleared it.
    pub fn save_rating(&mut self, input: &RatingInput) -> Result<Option<Rating>> {
        let now = self.now();
        let tx = self.write("saving a rating")?;
        let (dimension_id, scale_json): (i64, String) = tx
            .query_row(
                "SELECT id, scale FROM dimension WHERE name = ?1",
                [&input.dimension],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| {
                CoreError::Invalid(format!("no dimension named '{}'", input.dimension))
            })?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM profile WHERE id = ?1) AND EXISTS (SELECT 1 FROM rater WHERE id = ?2)",
            params![input.profile_id, input.rater_id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(CoreError::Invalid(format!(
                "no profile {} or no rater {} in this study",
                input.profile_id, input.rater_id
            )));
        }
        if let Some(c) = input.confidence {
            crate::checks::confidence(c).map_err(CoreError::Invalid)?;
        }
        if let Some(t) = input.seconds_spent {
            crate::checks::seconds_spent(t).map_err(CoreError::Invalid)?;
        }
        if let Some(v) = input.value {
            let scale: Scale = serde_json::from_str(&scale_json)
                .map_err(|e| CoreError::Invalid(format!("stored scale is unreadable: {e}")))?;
            scale
                .check(v)
                .map_err(|m| CoreError::Invalid(format!("{}: {m}", input.dimension)))?;
        }
        let version = current_codebook_version(&tx)?;
        let outcome = upsert_rating(
            &tx,
            &UpsertArgs {
                profile_id: input.profile_id,
                dimension_id,
                rater_id: input.rater_id,
                value: input.value,
                now,
                created_at: None,
                seconds_spent: input.seconds_spent,
                codebook_version: version,
                note: input.note.as_deref(),
                confidence: input.confidence,
                source: "annotate",
                known_absent: false,
            },
        )?;
        if outcome != Upsert::Unchanged {
            let (rater_name,): (String,) = tx.query_row(
                "SELECT name FROM rater WHERE id = ?1",
                [input.rater_id],
                |r| Ok((r.get(0)?,)),
            )?;
            let action = match outcome {
                Upsert::Added => "rate",
                Upsert::Updated => "edit",
                _ => "clear",
            };
            super::audit::audit(
                &tx,
                now,
                &rater_name,
                action,
                &serde_json::json!({"profile_id": input.profile_id, "dimension": input.dimension, "value": input.value}),
                None,
            )?;
        }
        tx.commit()?;
        if input.value.is_none() {
            return Ok(None);
        }
        let mut ratings = self.ratings_where(
            "r.profile_id = ?1 AND r.rater_id = ?2 AND d.id = ?3",
            params![input.profile_id, input.rater_id, dimension_id],
        )?;
        Ok(ratings.pop())
    }

    fn ratings_where(&self, filter: &str, p: impl rusqlite::Params) -> Result<Vec<Rating>> {
        let mut st = self.conn().prepare_cached(&format!(
            "{RATING_SELECT} WHERE r.value IS NOT NULL AND {filter} ORDER BY d.position, d.id"
        ))?;
        let rows = st
            .query_map(p, rating_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The rater's own ratings of one profile (never anyone else's: blind coding).
    pub fn ratings_of(&self, profile_id: i64, rater_id: i64) -> Result<Vec<Rating>> {
        self.ratings_where(
            "r.profile_id = ?1 AND r.rater_id = ?2",
            params![profile_id, rater_id],
        )
    }

    /// Every value a rating has had, oldest first.
    pub fn history(
        &self,
        profile_id: i64,
        dimension: &str,
        rater_id: i64,
    ) -> Result<Vec<RatingChange>> {
        let mut st = self.conn().prepare(
            "SELECT h.old_value, h.new_value, t.name, h.changed_at, h.source
               FROM rating_history h JOIN rating r ON r.id = h.rating_id
               JOIN dimension d ON d.id = r.dimension_id JOIN rater t ON t.id = h.changed_by
              WHERE r.profile_id = ?1 AND d.name = ?2 AND r.rater_id = ?3 ORDER BY h.id",
        )?;
        let rows = st
            .query_map(params![profile_id, dimension, rater_id], |r| {
                Ok(RatingChange {
                    old_value: r.get(0)?,
                    new_value: r.get(1)?,
                    changed_by: r.get(2)?,
                    changed_at: r.get(3)?,
                    source: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn profile_review(&self, rater_id: i64, profile_id: i64) -> Result<ProfileReview> {
        Ok(self
            .conn()
            .query_row(
                "SELECT flagged, note, confidence, seconds_spent FROM profile_review
                  WHERE rater_id = ?1 AND profile_id = ?2",
                params![rater_id, profile_id],
                |r| {
                    Ok(ProfileReview {
                        flagged: r.get::<_, i64>(0)? != 0,
                        note: r.get(1)?,
                        confidence: r.get(2)?,
                        seconds_spent: r.get(3)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Stores the rater's flag, note, confidence and time on a profile (one transaction).
    pub fn set_profile_review(
        &mut self,
        rater_id: i64,
        profile_id: i64,
        review: &ProfileReview,
    ) -> Result<()> {
        // The same ranges as `import ratings` (crate::checks): one check for both faces.
        if let Some(c) = review.confidence {
            crate::checks::confidence(c).map_err(CoreError::Invalid)?;
        }
        crate::checks::seconds_spent(review.seconds_spent).map_err(CoreError::Invalid)?;
        let now = self.now();
        let tx = self.write("saving the profile note")?;
        tx.execute(
            "INSERT INTO profile_review (rater_id, profile_id, flagged, note, confidence, seconds_spent, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (rater_id, profile_id) DO UPDATE SET flagged = ?3, note = ?4,
                 confidence = ?5, seconds_spent = ?6, updated_at = ?7",
            params![rater_id, profile_id, review.flagged as i64, review.note, review.confidence, review.seconds_spent, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The analysis snapshot: every current rating, adjudicated values left out. A study whose
    /// only rater is [`NO_RATER`] has no rater level.
    pub fn dataset(&self) -> Result<Dataset> {
        self.dataset_with(false)
    }

    /// As [`Study::dataset`], optionally keeping adjudicated ratings as a rater of their own.
    pub fn dataset_with(&self, include_adjudicated: bool) -> Result<Dataset> {
        self.dataset_for(include_adjudicated, super::models::ModelSamples::Mean)
    }

    /// As [`Study::dataset_with`], with a model rater's value taken from its samples as
    /// `samples` says (imported model ratings, which have no samples, are used as stored).
    pub fn dataset_for(
        &self,
        include_adjudicated: bool,
        samples: super::models::ModelSamples,
    ) -> Result<Dataset> {
        let c = self.conn();
        let dims = super::raters::load_dimensions(c)?;
        let mut ds = Dataset {
            source: self.path().display().to_string(),
            ..Default::default()
        };
        let mut dim_index: HashMap<i64, usize> = HashMap::new();
        for (id, d) in dims {
            dim_index.insert(id, ds.dimensions.len());
            ds.dimensions.push(DimensionData {
                name: d.name.clone(),
                level: d.level,
                scale: Some(d.scale),
                observations: Vec::new(),
            });
        }
        let mut persons: HashMap<i64, u32> = HashMap::new();
        let mut contexts: HashMap<i64, u32> = HashMap::new();
        let mut profiles: HashMap<i64, u32> = HashMap::new();
        let mut raters: HashMap<i64, u32> = HashMap::new();
        let mut st = c.prepare(&format!(
            "SELECT r.dimension_id, r.profile_id, p.person_id, pe.name, p.context_id, cx.name,
                    r.rater_id, t.name, t.kind, {}, r.created_at, r.seconds_spent
               FROM rating r JOIN profile p ON p.id = r.profile_id
               JOIN person pe ON pe.id = p.person_id JOIN context cx ON cx.id = p.context_id
               JOIN rater t ON t.id = r.rater_id JOIN dimension d ON d.id = r.dimension_id
              WHERE r.value IS NOT NULL AND (?1 OR t.kind <> 'adjudicated')
              ORDER BY r.dimension_id, r.id",
            super::models::MODEL_VALUE_SQL
        ))?;
        let mut rows = st.query(params![include_adjudicated, samples.sql_param()])?;
        let mut only_no_rater = true;
        while let Some(r) = rows.next()? {
            let dim: i64 = r.get(0)?;
            let Some(&d) = dim_index.get(&dim) else {
                continue;
            };
            // A model rater without the chosen sample for this rating.
            let Some(value) = r.get::<_, Option<f64>>(9)? else {
                continue;
            };
            let pid: i64 = r.get(1)?;
            let person_id: i64 = r.get(2)?;
            let context_id: i64 = r.get(4)?;
            let person = match persons.get(&person_id) {
                Some(&i) => i,
                None => {
                    ds.persons.push(r.get(3)?);
                    let i = (ds.persons.len() - 1) as u32;
                    persons.insert(person_id, i);
                    i
                }
            };
            let context = match contexts.get(&context_id) {
                Some(&i) => i,
                None => {
                    ds.contexts.push(r.get(5)?);
                    let i = (ds.contexts.len() - 1) as u32;
                    contexts.insert(context_id, i);
                    i
                }
            };
            let profile = *profiles.entry(pid).or_insert_with(|| {
                ds.profiles.push(ProfileKey { person, context });
                (ds.profiles.len() - 1) as u32
            });
            let rater_id: i64 = r.get(6)?;
            let rater = match raters.get(&rater_id) {
                Some(&i) => i,
                None => {
                    let name: String = r.get(7)?;
                    let kind: String = r.get(8)?;
                    if name != NO_RATER {
                        only_no_rater = false;
                    }
                    ds.raters.push(RaterEntry {
                        name,
                        kind: RaterKind::parse(&kind).unwrap_or(RaterKind::Human),
                    });
                    let i = (ds.raters.len() - 1) as u32;
                    raters.insert(rater_id, i);
                    i
                }
            };
            ds.dimensions[d].observations.push(Observation {
                profile,
                rater: Some(rater),
                value,
                created_at: r.get(10)?,
                seconds_spent: r.get(11)?,
            });
        }
        ds.has_rater = !only_no_rater || ds.raters.is_empty();
        if !ds.has_rater {
            ds.raters.clear();
            for d in &mut ds.dimensions {
                for o in &mut d.observations {
                    o.rater = None;
                }
            }
        }
        Ok(ds)
    }
}
