//! Ratings import from the tidy long CSV. Values are checked against the codebook; without a
//! codebook, a new dimension is created with a scale inferred from its values. Raters and
//! profiles are created as needed. Re-importing the same file changes nothing; a changed value
//! is an edit, kept in the history.

use super::profiles::ProfileInterner;
use super::{file_name, ImportReport};
use crate::error::{CoreError, Result, RowError};
use crate::model::{Level, RaterKind, Scale};
use crate::store::raters::{find_rater, insert_rater, NO_RATER};
use crate::store::ratings::{current_codebook_version, upsert_rating, Upsert, UpsertArgs};
use crate::store::Study;
use crate::tidy::TidyRow;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RatingsImportOptions {
    /// Kind given to raters the import creates (`--rater-kind model` for model ratings).
    pub rater_kind: RaterKind,
}

impl Default for RatingsImportOptions {
    fn default() -> Self {
        RatingsImportOptions {
            rater_kind: RaterKind::Human,
        }
    }
}

struct DimInfo {
    id: i64,
    scale: Option<Scale>,
}

impl Study {
    /// Imports a tidy ratings CSV (all or nothing).
    pub fn import_ratings(
        &mut self,
        path: &Path,
        opts: &RatingsImportOptions,
    ) -> Result<ImportReport> {
        let name = path.display().to_string();
        let file = crate::tidy::read_path(path)?;
        let snapshot = self.prepare_bulk_write("import ratings")?;
        let now = self.now();
        let actor = self.actor().to_owned();
        let source = format!("import {}", file_name(path));
        let tx = self.write("importing ratings")?;
        let mut report = ImportReport {
            kind: "ratings".into(),
            source: file_name(path),
            ..Default::default()
        };
        for col in &file.ignored_columns {
            report
                .notices
                .push(format!("ignored unknown column '{col}'"));
        }
        let has_codebook: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM codebook_version)", [], |r| {
                r.get(0)
            })?;

        // Dimensions: known ones with their scale; unknown ones are errors under a codebook,
        // else created with an inferred scale.
        let mut dims: HashMap<String, DimInfo> = HashMap::new();
        {
            let mut st = tx.prepare("SELECT id, name, scale FROM dimension")?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (id, n, s) = row?;
                dims.insert(
                    n.to_lowercase(),
                    DimInfo {
                        id,
                        scale: serde_json::from_str(&s).ok(),
                    },
                );
            }
        }
        let mut errors = Vec::new();
        let mut new_dims: Vec<(String, Vec<f64>)> = Vec::new();
        let mut seen: HashMap<(String, String, String, String), u64> = HashMap::new();
        for row in &file.rows {
            let key = (
                row.person.clone(),
                row.context.clone(),
                row.rater.clone().unwrap_or_default(),
                row.dimension.to_lowercase(),
            );
            if let Some(first) = seen.insert(key, row.line) {
                errors.push(RowError::new(
                    row.line,
                    None,
                    format!(
                        "duplicate rating: {}/{} on '{}'{} was already given on line {first}",
                        row.person,
                        row.context,
                        row.dimension,
                        row.rater
                            .as_deref()
                            .map(|r| format!(" by rater '{r}'"))
                            .unwrap_or_default()
                    ),
                ));
                continue;
            }
            if row.rater.as_deref() == Some(NO_RATER) {
                errors.push(RowError::new(
                    row.line,
                    Some("rater"),
                    format!("'{NO_RATER}' is a reserved rater name"),
                ));
            }
            match dims.get(&row.dimension.to_lowercase()) {
                Some(info) => {
                    if let (Some(scale), Some(v)) = (&info.scale, row.value) {
                        if let Err(m) = scale.check(v) {
                            errors.push(RowError::new(
                                row.line,
                                Some("value"),
                                format!("{}: {m}", row.dimension),
                            ));
                        }
                    }
                }
                None if has_codebook => errors.push(RowError::new(
                    row.line,
                    Some("dimension"),
                    format!(
                        "unknown dimension '{}': it is not in the study's codebook",
                        row.dimension
                    ),
                )),
                None => {
                    let lower = row.dimension.to_lowercase();
                    match new_dims.iter_mut().find(|(n, _)| n.to_lowercase() == lower) {
                        Some((_, vals)) => vals.extend(row.value),
                        None => {
                            new_dims.push((row.dimension.clone(), row.value.into_iter().collect()))
                        }
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::input(&name, errors));
        }
        snapshot.take()?;
        let start: i64 = tx.query_row(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM dimension",
            [],
            |r| r.get(0),
        )?;
        for (i, (dname, values)) in new_dims.iter().enumerate() {
            let scale = Scale::infer(values);
            let level: Level = scale.default_level();
            let json =
                serde_json::to_string(&scale).map_err(|e| CoreError::Invalid(e.to_string()))?;
            tx.execute(
                "INSERT INTO dimension (name, position, scale, level, inferred) VALUES (?1, ?2, ?3, ?4, 1)",
                params![dname, start + i as i64, json, level.as_str()],
            )?;
            let msg = format!(
                "created dimension '{dname}' with an inferred {} scale",
                describe(&scale)
            );
            report.notices.push(msg);
            dims.insert(
                dname.to_lowercase(),
                DimInfo {
                    id: tx.last_insert_rowid(),
                    scale: Some(scale),
                },
            );
        }

        let version = current_codebook_version(&tx)?;
        let study_has_no_ratings: bool =
            tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM rating)", [], |r| r.get(0))?;
        let mut raters: HashMap<String, i64> = HashMap::new();
        let mut profiles = ProfileInterner::new();
        for row in &file.rows {
            let Some(value) = row.value else { continue };
            let rater_name = row.rater.as_deref().unwrap_or(NO_RATER);
            let rater_id = match raters.get(rater_name) {
                Some(&id) => id,
                None => {
                    let r = match find_rater(&tx, rater_name)? {
                        Some(r) => {
                            if r.kind != opts.rater_kind && rater_name != NO_RATER {
                                report.notices.push(format!(
                                    "rater '{}' exists as {}; kept that kind",
                                    r.name,
                                    r.kind.as_str()
                                ));
                            }
                            r
                        }
                        None => {
                            let r = insert_rater(&tx, rater_name, opts.rater_kind, now)?;
                            report.notices.push(format!(
                                "created {} rater '{}'",
                                opts.rater_kind.as_str(),
                                r.name
                            ));
                            r
                        }
                    };
                    raters.insert(rater_name.to_owned(), r.id);
                    r.id
                }
            };
            let profile_id = profiles.get(&tx, &row.person, &row.context)?;
            let dim = &dims[&row.dimension.to_lowercase()];
            let mut a = args(
                row, profile_id, dim.id, rater_id, value, now, version, &source,
            );
            a.known_absent = study_has_no_ratings;
            let outcome = upsert_rating(&tx, &a)?;
            match outcome {
                Upsert::Added => report.added += 1,
                Upsert::Updated | Upsert::Cleared => report.updated += 1,
                Upsert::Unchanged => report.unchanged += 1,
            }
        }
        if profiles.created > 0 {
            let msg = format!(
                "created {} profile(s) that have no material yet",
                profiles.created
            );
            report.notices.push(msg);
        }
        if report.added + report.updated > 0 {
            super::profiles::log_import(&tx, &actor, "ratings", &report, now)?;
        }
        tx.commit()?;
        Ok(report)
    }
}

#[allow(clippy::too_many_arguments)]
fn args<'a>(
    row: &'a TidyRow,
    profile_id: i64,
    dimension_id: i64,
    rater_id: i64,
    value: f64,
    now: i64,
    version: i64,
    source: &'a str,
) -> UpsertArgs<'a> {
    UpsertArgs {
        profile_id,
        dimension_id,
        rater_id,
        value: Some(value),
        now,
        created_at: row.created_at,
        seconds_spent: row.seconds_spent,
        codebook_version: version,
        note: row.note.as_deref(),
        confidence: row.confidence,
        source,
        known_absent: false,
    }
}

fn describe(s: &Scale) -> String {
    match s {
        Scale::Likert { min, max, .. } => format!("Likert {min}..{max}"),
        Scale::Continuous { min, max, .. } => format!("continuous {min}..{max}"),
        Scale::Nominal { categories } => format!("nominal ({} categories)", categories.len()),
    }
}
