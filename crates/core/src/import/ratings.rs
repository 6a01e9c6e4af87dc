//! Ratings import from the tidy long CSV. Values are checked against the codebook; without a
//! codebook, a new dimension is created with a scale inferred from its values. Raters and
//! profiles are created as needed. Re-importing the same file changes nothing; a changed value
//! is an edit, kept in the history.

use super::profiles::ProfileInterner;
use super::{file_name, ImportReport};
use crate::checks::quote;
use crate::error::{CoreError, Result, RowError};
use crate::model::{Anchor, Level, RaterKind, Scale};
use crate::store::raters::{find_rater, insert_rater, NO_RATER};
use crate::store::ratings::{current_codebook_version, Policy, Upsert, UpsertArgs};
use crate::store::Study;
use crate::tidy::{FxMap, NamedRow, NamedRows};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Options of a ratings import.
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
    scale: Scale,
}

/// A dimension the import creates (no codebook): its values, and its text values as
/// categories in the order first seen (case-insensitive).
struct NewDim {
    name: String,
    values: Vec<f64>,
    labels: Vec<String>,
    first_text: Option<u64>,
    first_number: Option<u64>,
}

impl NewDim {
    fn code(&mut self, label: &str) -> f64 {
        let i = match self.labels.iter().position(|l| same_label(l, label)) {
            Some(i) => i,
            None => {
                self.labels.push(label.to_owned());
                self.labels.len() - 1
            }
        };
        i as f64 + 1.0
    }
}

fn same_label(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The code of a value written as text on a dimension of a study: a nominal category by its
/// label; on any other scale, text is an error.
fn code_of(dimension: &str, scale: &Scale, label: &str) -> std::result::Result<f64, String> {
    match scale {
        Scale::Nominal { categories } => categories
            .iter()
            .find(|c| same_label(&c.label, label))
            .map(|c| c.value as f64)
            .ok_or_else(|| {
                let known: Vec<String> = categories
                    .iter()
                    .map(|c| format!("{} = {}", c.value, c.label))
                    .collect();
                format!(
                    "{}: '{}' is not one of the categories {}",
                    quote(dimension),
                    quote(label),
                    crate::checks::list_names(&known)
                )
            }),
        other => Err(format!(
            "{}: expected a number, found '{}' (a {} scale takes numbers)",
            quote(dimension),
            quote(label),
            describe(other)
        )),
    }
}

impl Study {
    /// Imports a tidy ratings CSV (all or nothing).
    pub fn import_ratings(
        &mut self,
        path: &Path,
        opts: &RatingsImportOptions,
    ) -> Result<ImportReport> {
        let file = crate::tidy::read_named_path(path)?;
        self.import_tidy(path, &file, opts, false)
    }

    /// Imports a wide ratings CSV: id columns (given, or inferred from their names) and one
    /// column per dimension (all or nothing). Under a codebook every dimension column must be
    /// one of its dimensions.
    pub fn import_ratings_wide(
        &mut self,
        path: &Path,
        ids: Option<&crate::tidy::WideIds>,
        opts: &RatingsImportOptions,
    ) -> Result<ImportReport> {
        let wide = crate::tidy::read_wide_path(path, ids)?;
        let rows = NamedRows::from_file(&wide.file);
        drop(wide.file);
        let mut report = self.import_tidy(path, &rows, opts, true)?;
        report.notices.splice(0..0, wide.notes);
        Ok(report)
    }

    /// The one import of rows, from either layout; `wide` names a dimension's column in the
    /// header rather than each row's `dimension` cell.
    fn import_tidy(
        &mut self,
        path: &Path,
        file: &NamedRows,
        opts: &RatingsImportOptions,
        wide: bool,
    ) -> Result<ImportReport> {
        // A page cache that holds the pages the import touches (SQLite's default is 2 MiB):
        // without it, pages are spilled to the WAL and read back mid-transaction. Only memory
        // and speed: durability is the connection's own (WAL, synchronous = FULL).
        let restore = crate::store::BulkCache::set(self.conn())?;
        let result = self.import_tidy_rows(path, file, opts, wide);
        restore.reset(self.conn())?;
        result
    }

    fn import_tidy_rows(
        &mut self,
        path: &Path,
        file: &NamedRows,
        opts: &RatingsImportOptions,
        wide: bool,
    ) -> Result<ImportReport> {
        let name = path.display().to_string();
        let snapshot = self.prepare_bulk_write("import ratings")?;
        let now = self.now();
        let actor = self.actor().to_owned();
        let source = format!("import {}", file_name(path));
        let study_path = self.path().to_owned();
        let tx = self.write("importing ratings")?;
        let mut report = ImportReport {
            kind: "ratings".into(),
            source: file_name(path),
            ..Default::default()
        };
        report
            .notices
            .extend(crate::checks::ignored_columns_note(&file.ignored_columns));
        let has_codebook: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM codebook_version)", [], |r| {
                r.get(0)
            })?;

        // A questionnaire scale is no dimension: its score is computed, so a rating of it is
        // refused saying which items to rate instead.
        let scale_items: HashMap<String, Vec<String>> = tx
            .query_row(
                "SELECT content FROM codebook_version ORDER BY version DESC LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|c| serde_json::from_str::<crate::model::Codebook>(&c).ok())
            .map(|cb| {
                cb.scales
                    .into_iter()
                    .map(|s| {
                        let items = s.items.into_iter().map(|i| i.name).collect();
                        (s.name.to_lowercase(), items)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let not_a_dimension = |name: &str, what: String| match scale_items.get(&name.to_lowercase())
        {
            Some(items) => format!(
                "'{}' is a questionnaire scale of the codebook: its score is computed from its \
                 items ({}), so rate those instead",
                quote(name),
                crate::checks::list_names(items)
            ),
            None => what,
        };
        // Dimensions: known ones with their scale; unknown ones are errors under a codebook,
        // else created with an inferred scale.
        let mut dims: HashMap<String, DimInfo> = crate::store::dimension_scales(&tx, &study_path)?
            .into_iter()
            .map(|(id, n, scale)| (n.to_lowercase(), DimInfo { id, scale }))
            .collect();
        let mut errors = Vec::new();
        let mut new_dims: Vec<NewDim> = Vec::new();
        // By a row's dimension index: its entry in `new_dims`.
        let mut new_dim_of: Vec<Option<usize>> = Vec::new();
        // Each row's value as stored: its number, or the code of its category label.
        let mut values: Vec<Option<f64>> = Vec::with_capacity(file.rows.len());
        // Each row's profile and rater as an index into these tables (in order of first
        // appearance): the duplicate check and the writes hash small numbers.
        let mut ids = RowIds::default();
        let mut ids_of_row: Vec<(u32, u32)> = Vec::with_capacity(file.rows.len());
        let mut seen: FxMap<(u32, u32, u32), u64> =
            FxMap::with_capacity_and_hasher(file.rows.len(), Default::default());
        let mut unknown_columns = std::collections::HashSet::new();
        // Each row's dimension as an index into `dim_names` (lower-cased): a file names a handful
        // of dimensions in long runs, so a row costs a comparison of text numbers.
        let mut dim_names: Vec<String> = Vec::new();
        // By dimension index: the study's dimension of that name, looked up once.
        let mut dim_info: Vec<Option<&DimInfo>> = Vec::new();
        let mut dim_of_row: Vec<u32> = Vec::with_capacity(file.rows.len());
        let mut last_dim: Option<(u32, u32)> = None;
        for row in &file.rows {
            values.push(row.value);
            let dimension = file.text(row.dimension);
            let di = match last_dim {
                Some((text, i)) if text == row.dimension => i,
                _ => {
                    let lower = dimension.to_lowercase();
                    let i = match dim_names.iter().position(|n| *n == lower) {
                        Some(i) => i as u32,
                        None => {
                            dim_info.push(dims.get(&lower));
                            dim_names.push(lower);
                            (dim_names.len() - 1) as u32
                        }
                    };
                    last_dim = Some((row.dimension, i));
                    i
                }
            };
            dim_of_row.push(di);
            let lower = dim_names[di as usize].as_str();
            // A file has a rater on every row or on none, so the rater-less rows' stand-in name
            // meets no rater of the same file.
            let (profile, rater) = ids.of(row);
            let rater_name = file.text_of(row.rater);
            ids_of_row.push((profile, rater));
            if let Some(first) = seen.insert((profile, rater, di), row.line) {
                errors.push(RowError::new(
                    row.line,
                    None,
                    format!(
                        "duplicate rating: {}/{} on '{}'{} was already given on line {first}",
                        quote(file.text(row.person)),
                        quote(file.text(row.context)),
                        quote(dimension),
                        rater_name
                            .map(|r| format!(" by rater '{}'", quote(r)))
                            .unwrap_or_default()
                    ),
                ));
                continue;
            }
            if rater_name == Some(NO_RATER) {
                errors.push(RowError::new(
                    row.line,
                    Some("rater"),
                    format!("'{NO_RATER}' is a reserved rater name"),
                ));
            }
            match dim_info[di as usize] {
                Some(info) => {
                    if let Some(label) = file.text_of(row.label) {
                        match code_of(dimension, &info.scale, label) {
                            Ok(code) => {
                                if let Some(v) = values.last_mut() {
                                    *v = Some(code);
                                }
                            }
                            Err(m) => errors.push(RowError::new(row.line, Some("value"), m)),
                        }
                    } else if let Some(v) = row.value {
                        if let Err(m) = info.scale.check(v) {
                            errors.push(RowError::new(
                                row.line,
                                Some("value"),
                                format!("{}: {m}", quote(dimension)),
                            ));
                        }
                    }
                }
                None if has_codebook && wide => {
                    if unknown_columns.insert(lower.to_owned()) {
                        errors.push(RowError::new(
                            1,
                            Some(dimension),
                            not_a_dimension(
                                dimension,
                                format!(
                                    "column '{}' is not a dimension of the study's codebook",
                                    quote(dimension)
                                ),
                            ),
                        ));
                    }
                }
                None if has_codebook => errors.push(RowError::new(
                    row.line,
                    Some("dimension"),
                    not_a_dimension(
                        dimension,
                        format!(
                            "unknown dimension '{}': it is not in the study's codebook",
                            quote(dimension)
                        ),
                    ),
                )),
                None => {
                    if new_dim_of.len() <= di as usize {
                        new_dim_of.resize(di as usize + 1, None);
                    }
                    let i = match new_dim_of[di as usize] {
                        Some(i) => i,
                        None => {
                            new_dim_of[di as usize] = Some(new_dims.len());
                            new_dims.push(NewDim {
                                name: dimension.to_owned(),
                                values: Vec::new(),
                                labels: Vec::new(),
                                first_text: None,
                                first_number: None,
                            });
                            new_dims.len() - 1
                        }
                    };
                    let d = &mut new_dims[i];
                    if let Some(label) = file.text_of(row.label) {
                        d.first_text.get_or_insert(row.line);
                        let code = d.code(label);
                        if let Some(v) = values.last_mut() {
                            *v = Some(code);
                        }
                    } else if let Some(v) = row.value {
                        d.first_number.get_or_insert(row.line);
                        d.values.push(v);
                    }
                }
            }
        }
        for d in &new_dims {
            if let (Some(text), Some(number)) = (d.first_text, d.first_number) {
                errors.push(RowError::new(
                    text,
                    Some("value"),
                    format!(
                        "expected a number: dimension '{}' holds numbers (line {number}), and \
                         text categories need every value of a new dimension to be text",
                        quote(&d.name)
                    ),
                ));
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(CoreError::input(&name, errors));
        }
        let snapshot = snapshot.start();
        let start: i64 = tx.query_row(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM dimension",
            [],
            |r| r.get(0),
        )?;
        for (i, d) in new_dims.iter().enumerate() {
            let dname = &d.name;
            let scale = if d.labels.is_empty() {
                Scale::infer(&d.values)
            } else {
                Scale::Nominal {
                    categories: (d.labels.iter().enumerate())
                        .map(|(i, l)| Anchor {
                            value: i as i64 + 1,
                            label: l.clone(),
                        })
                        .collect(),
                }
            };
            let level: Level = scale.default_level();
            let json =
                serde_json::to_string(&scale).map_err(|e| CoreError::Invalid(e.to_string()))?;
            tx.execute(
                "INSERT INTO dimension (name, position, scale, level, inferred) VALUES (?1, ?2, ?3, ?4, 1)",
                params![dname, start + i as i64, json, level.as_str()],
            )?;
            let msg = match &scale {
                Scale::Nominal { categories } => {
                    let listed: Vec<String> = (categories.iter())
                        .map(|c| format!("{} = {}", c.value, c.label))
                        .collect();
                    format!(
                        "created dimension '{}' with nominal categories from its text values, \
                         numbered in the order first seen: {}",
                        quote(dname),
                        crate::checks::list_names(&listed)
                    )
                }
                _ => format!(
                    "created dimension '{}' with an inferred {} scale",
                    quote(dname),
                    describe(&scale)
                ),
            };
            report.notices.push(msg);
            dims.insert(
                dname.to_lowercase(),
                DimInfo {
                    id: tx.last_insert_rowid(),
                    scale,
                },
            );
        }

        let version = current_codebook_version(&tx)?;
        let rated = file.rows.len() - values.iter().filter(|v| v.is_none()).count();
        let study_has_no_ratings: bool =
            tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM rating)", [], |r| r.get(0))?;
        let rebuilt = crate::store::ratings::BulkIndexes::drop_for(&tx, rated)?;
        let dim_ids: Vec<i64> = dim_names
            .iter()
            .map(|n| dims.get(n).map(|d| d.id))
            .collect::<Option<_>>()
            .ok_or_else(|| CoreError::Invalid("a dimension of the file was not created".into()))?;
        let mut writer = crate::store::ratings::RatingWriter::new(&tx)?;
        // Into a study without ratings every row is new: written many per statement.
        let mut bulk = match study_has_no_ratings && bulk_allowed() {
            true => Some(crate::store::ratings::BulkInsert::new(&tx, now, &source)?),
            false => None,
        };
        // The study's ids of the file's raters and profiles, by their index in `ids`: found or
        // created at their first row with a value, in file order as row by row.
        let mut rater_ids: Vec<Option<i64>> = vec![None; ids.raters.len()];
        let mut profile_ids: Vec<Option<i64>> = vec![None; ids.profiles.len()];
        let mut profiles = ProfileInterner::new();
        let mut created_raters = Vec::new();
        let mut kept_kinds = Vec::new();
        for (((row, value), &di), &(pi, ri)) in
            (file.rows.iter().zip(&values).zip(&dim_of_row)).zip(&ids_of_row)
        {
            let Some(value) = *value else { continue };
            let rater_id = match rater_ids[ri as usize] {
                Some(id) => id,
                None => {
                    let rater_name = file.text_of(ids.raters[ri as usize]).unwrap_or(NO_RATER);
                    let r = match find_rater(&tx, rater_name)? {
                        Some(r) => {
                            if r.kind != opts.rater_kind && rater_name != NO_RATER {
                                kept_kinds.push(format!("{} ({})", r.name, r.kind.as_str()));
                            }
                            r
                        }
                        None => {
                            let r = insert_rater(&tx, rater_name, opts.rater_kind, now)?;
                            created_raters.push(r.name.clone());
                            r
                        }
                    };
                    rater_ids[ri as usize] = Some(r.id);
                    r.id
                }
            };
            let profile_id = match profile_ids[pi as usize] {
                Some(id) => id,
                None => {
                    let (person, context) = ids.profiles[pi as usize];
                    let id = profiles.get(&tx, file.text(person), file.text(context))?;
                    profile_ids[pi as usize] = Some(id);
                    id
                }
            };
            let a = args(
                row,
                file.text_of(row.note),
                profile_id,
                dim_ids[di as usize],
                rater_id,
                value,
                now,
                version,
                &source,
            );
            let outcome = match bulk.as_mut() {
                Some(bulk) => bulk.push(&a)?,
                None => writer.upsert(&a)?.0,
            };
            match outcome {
                Upsert::Added => report.added += 1,
                Upsert::Updated | Upsert::Cleared => report.updated += 1,
                Upsert::Unchanged | Upsert::KeptNewer => report.unchanged += 1,
            }
        }
        drop(writer);
        bulk.map(crate::store::ratings::BulkInsert::finish)
            .transpose()?;
        rebuilt.restore(&tx)?;
        // One note per kind of event, however many raters: a file of a million raters must
        // not print a million lines.
        match created_raters.len() {
            0 => {}
            1 => report.notices.push(format!(
                "created {} rater {}",
                opts.rater_kind.as_str(),
                crate::checks::list_names(&created_raters)
            )),
            n => report.notices.push(format!(
                "created {n} {} raters: {}",
                opts.rater_kind.as_str(),
                crate::checks::list_names(&created_raters)
            )),
        }
        if !kept_kinds.is_empty() {
            report.notices.push(format!(
                "{} rater(s) exist with another kind, kept: {}",
                kept_kinds.len(),
                crate::checks::list_names(&kept_kinds)
            ));
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
        snapshot.wait()?;
        tx.commit()?;
        Ok(report)
    }
}

/// A file's profiles (person, context) and raters (`None` for a file without raters), by
/// their text numbers, in order of first appearance, each row's as an index. Rows come in
/// runs of one profile: the previous row's profile is compared before any hashing.
#[derive(Default)]
struct RowIds {
    profiles: Vec<(u32, u32)>,
    profile_of: FxMap<(u32, u32), u32>,
    raters: Vec<Option<u32>>,
    rater_of: FxMap<Option<u32>, u32>,
    last_profile: Option<((u32, u32), u32)>,
}

impl RowIds {
    /// The row's profile and rater indexes.
    fn of(&mut self, row: &NamedRow) -> (u32, u32) {
        let key = (row.person, row.context);
        let profile = match self.last_profile {
            Some((k, i)) if k == key => i,
            _ => {
                let next = self.profiles.len() as u32;
                let i = *self.profile_of.entry(key).or_insert(next);
                if i == next {
                    self.profiles.push(key);
                }
                self.last_profile = Some((key, i));
                i
            }
        };
        let next = self.raters.len() as u32;
        let rater = *self.rater_of.entry(row.rater).or_insert(next);
        if rater == next {
            self.raters.push(row.rater);
        }
        (profile, rater)
    }
}

#[cfg(test)]
thread_local! {
    /// Set by the tests that compare the bulk path with the row-by-row one (their oracle).
    static ROW_BY_ROW: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// An import into a study without ratings may write them in bulk (always, outside tests).
#[cfg(not(test))]
fn bulk_allowed() -> bool {
    true
}

#[cfg(test)]
fn bulk_allowed() -> bool {
    !ROW_BY_ROW.with(|c| c.get())
}

#[allow(clippy::too_many_arguments)]
fn args<'a>(
    row: &NamedRow,
    note: Option<&'a str>,
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
        updated_at: None,
        seconds_spent: row.seconds_spent,
        codebook_version: version,
        note,
        confidence: row.confidence,
        source,
        known_absent: false,
        policy: Policy::Latest,
    }
}

fn describe(s: &Scale) -> String {
    match s {
        Scale::Likert { min, max, .. } => format!("Likert {min}..{max}"),
        Scale::Continuous { min, max, .. } => format!("continuous {min}..{max}"),
        Scale::Nominal { categories } => format!("nominal ({} categories)", categories.len()),
    }
}

#[cfg(test)]
#[path = "ratings_tests.rs"]
mod tests;
