//! Writing ratings (one transaction each, history appended) and reading them back, including
//! the analysis snapshot.

use super::queue::QueueChange;
use super::raters::NO_RATER;
use super::Study;
use crate::dataset::{Dataset, DimensionData, Observation, ProfileKey, RaterEntry};
use crate::error::{CoreError, Result};
use crate::model::{RaterKind, Rating, RatingChange, Scale};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// `rating_history.source` of the annotator's own changes: the audit trail shows these as
/// `rate`, `edit` and `clear`.
pub(crate) const ANNOTATE_SOURCE: &str = "annotate";

/// `rating_history.source` of a rating turned into "can't judge" (the audit trail has its own
/// `cant_judge` entry for it).
pub(crate) const CANT_JUDGE_SOURCE: &str = "cant_judge";

/// A rating as the annotator's screen sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingInput {
    /// The profile rated.
    pub profile_id: i64,
    /// The dimension's name (case-insensitive).
    pub dimension: String,
    /// The rater's id.
    pub rater_id: i64,
    /// `None` clears the rating (undo back to empty); history keeps the old value.
    pub value: Option<f64>,
    /// Seconds spent on the rating, when measured.
    #[serde(default)]
    pub seconds_spent: Option<f64>,
    /// The rater's note; blank keeps the stored one.
    #[serde(default)]
    pub note: Option<String>,
    /// The rater's confidence, 0–1; blank keeps the stored one.
    #[serde(default)]
    pub confidence: Option<f64>,
}

/// A rater's per-profile state besides the ratings: flagged for later, note, confidence and
/// the time spent on the profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ProfileReview {
    /// Set aside for later.
    pub flagged: bool,
    /// The rater's note on the profile.
    pub note: Option<String>,
    /// The rater's confidence on the profile, 0–1.
    pub confidence: Option<f64>,
    /// Seconds spent on the profile in total.
    pub seconds_spent: f64,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Upsert {
    Added,
    Updated,
    Unchanged,
    Cleared,
    /// [`Policy::NewerWins`]: the stored rating is as new or newer and was kept.
    KeptNewer,
}

/// How a write meets a rating that is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    /// The write wins (the annotator's keypress, an import, an adjudication). A blank note,
    /// confidence or time keeps the stored one; the same value again only adds the time spent.
    Latest,
    /// A package merge: the newer `updated_at` wins and brings its whole row (note, confidence
    /// and time included); the same value again changes nothing.
    NewerWins,
}

pub(crate) struct UpsertArgs<'a> {
    pub profile_id: i64,
    pub dimension_id: i64,
    pub rater_id: i64,
    pub value: Option<f64>,
    pub now: i64,
    pub created_at: Option<i64>,
    /// When the change was made, if not `now` (a merged rating keeps the annotator's time);
    /// also the history entry's time.
    pub updated_at: Option<i64>,
    pub seconds_spent: Option<f64>,
    pub codebook_version: i64,
    pub note: Option<&'a str>,
    pub confidence: Option<f64>,
    pub source: &'a str,
    /// The caller knows no rating exists for this key (an import into a study without
    /// ratings): skips the lookup.
    pub known_absent: bool,
    pub policy: Policy,
}

/// A rating row as stored after an upsert (what the caller returns without reading it back).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredRow {
    pub value: Option<f64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub seconds_spent: Option<f64>,
    pub codebook_version: i64,
    pub note: Option<String>,
    pub confidence: Option<f64>,
}

/// Inserts or edits one rating inside the caller's transaction, appending to the history (the
/// one trail of rating changes; the audit trail reads it). Returns what it did and the row as
/// it now stands (`None` when there is none).
pub(crate) fn upsert_rating(
    conn: &Connection,
    a: &UpsertArgs<'_>,
) -> Result<(Upsert, Option<StoredRow>)> {
    RatingWriter::new(conn)?.upsert(a)
}

/// The statements of [`upsert_rating`], prepared once: a bulk write (an import of 150k ratings)
/// holds one writer for all its rows instead of looking each statement up in the connection's
/// cache per row (which hashes its SQL text every time).
pub(crate) struct RatingWriter<'c> {
    lookup: rusqlite::CachedStatement<'c>,
    insert: rusqlite::CachedStatement<'c>,
    history: rusqlite::CachedStatement<'c>,
    update: rusqlite::CachedStatement<'c>,
    add_time: rusqlite::CachedStatement<'c>,
    conn: &'c Connection,
}

impl<'c> RatingWriter<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Result<RatingWriter<'c>> {
        Ok(RatingWriter {
            lookup: conn.prepare_cached(
                "SELECT id, value, created_at, updated_at, seconds_spent, codebook_version, note, confidence,
                        cant_judge
                   FROM rating WHERE profile_id = ?1 AND dimension_id = ?2 AND rater_id = ?3",
            )?,
            insert: conn.prepare_cached(
                "INSERT INTO rating (profile_id, dimension_id, rater_id, value, created_at, updated_at,
                                     seconds_spent, codebook_version, note, confidence)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            history: conn.prepare_cached(
                "INSERT INTO rating_history (rating_id, old_value, new_value, changed_by, changed_at, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            update: conn.prepare_cached(
                "UPDATE rating SET value = ?2, updated_at = ?3, seconds_spent = ?4,
                        codebook_version = ?5, note = ?6, confidence = ?7, cant_judge = 0
                  WHERE id = ?1",
            )?,
            add_time: conn.prepare_cached("UPDATE rating SET seconds_spent = ?2 WHERE id = ?1")?,
            conn,
        })
    }

    /// See [`upsert_rating`].
    pub(crate) fn upsert(&mut self, a: &UpsertArgs<'_>) -> Result<(Upsert, Option<StoredRow>)> {
        // The third field: the row is a "can't judge" (value NULL); any write here ends that.
        let existing: Option<(i64, StoredRow, bool)> = if a.known_absent {
            None
        } else {
            self.lookup
                .query_row(params![a.profile_id, a.dimension_id, a.rater_id], |r| {
                    Ok((
                        r.get(0)?,
                        StoredRow {
                            value: r.get(1)?,
                            created_at: r.get(2)?,
                            updated_at: r.get(3)?,
                            seconds_spent: r.get(4)?,
                            codebook_version: r.get(5)?,
                            note: r.get(6)?,
                            confidence: r.get(7)?,
                        },
                        r.get::<_, i64>(8)? != 0,
                    ))
                })
                .optional()?
        };
        let updated_at = a.updated_at.unwrap_or(a.now);
        match existing {
            None => {
                let Some(value) = a.value else {
                    return Ok((Upsert::Unchanged, None));
                };
                let row = StoredRow {
                    value: Some(value),
                    created_at: a.created_at.unwrap_or(updated_at),
                    updated_at: a.updated_at.or(a.created_at).unwrap_or(a.now),
                    seconds_spent: a.seconds_spent,
                    codebook_version: a.codebook_version,
                    note: a.note.map(str::to_owned),
                    confidence: a.confidence,
                };
                self.insert
                    .execute(params![
                        a.profile_id,
                        a.dimension_id,
                        a.rater_id,
                        value,
                        row.created_at,
                        row.updated_at,
                        row.seconds_spent,
                        row.codebook_version,
                        row.note,
                        row.confidence
                    ])
                    .map_err(|e| missing_profile_or_rater(e, a))?;
                let id = self.conn.last_insert_rowid();
                self.history.execute(params![
                    id,
                    None::<f64>,
                    value,
                    a.rater_id,
                    updated_at,
                    a.source
                ])?;
                Ok((Upsert::Added, Some(row)))
            }
            Some((id, mut row, false)) if row.value == a.value => {
                // Same value again: keep the extra time spent, no history entry.
                if let (Policy::Latest, Some(s)) = (a.policy, a.seconds_spent) {
                    self.add_time.execute(params![id, s])?;
                    row.seconds_spent = Some(s);
                }
                Ok((Upsert::Unchanged, row.value.is_some().then_some(row)))
            }
            Some((_, row, _)) if a.policy == Policy::NewerWins && updated_at <= row.updated_at => {
                Ok((Upsert::KeptNewer, row.value.is_some().then_some(row)))
            }
            Some((id, old, _)) => {
                let row = match a.policy {
                    Policy::Latest => StoredRow {
                        value: a.value,
                        created_at: old.created_at,
                        updated_at,
                        seconds_spent: a.seconds_spent.or(old.seconds_spent),
                        codebook_version: a.codebook_version,
                        note: a.note.map(str::to_owned).or(old.note),
                        confidence: a.confidence.or(old.confidence),
                    },
                    Policy::NewerWins => StoredRow {
                        value: a.value,
                        created_at: old.created_at,
                        updated_at,
                        seconds_spent: a.seconds_spent,
                        codebook_version: a.codebook_version,
                        note: a.note.map(str::to_owned),
                        confidence: a.confidence,
                    },
                };
                // One statement for both policies: the row above is what it writes.
                self.update.execute(params![
                    id,
                    row.value,
                    row.updated_at,
                    row.seconds_spent,
                    row.codebook_version,
                    row.note,
                    row.confidence
                ])?;
                self.history.execute(params![
                    id, old.value, a.value, a.rater_id, updated_at, a.source
                ])?;
                let outcome = if a.value.is_none() {
                    Upsert::Cleared
                } else {
                    Upsert::Updated
                };
                Ok((outcome, row.value.is_some().then_some(row)))
            }
        }
    }
}

/// New ratings written many rows per statement, then their history entries in one statement
/// that reads them back: an import into a study without ratings, where every row is an insert
/// and every entry has the same time and source. The rows are what [`RatingWriter::upsert`]
/// would write for an absent rating, with the ids SQLite would give them (one past the
/// largest, in order), and the history entries are numbered in the same order, so the study
/// reads the same afterwards.
pub(crate) struct BulkInsert<'c, 'a> {
    conn: &'c Connection,
    first_id: i64,
    next_id: i64,
    changed_at: i64,
    source: &'a str,
    rows: Vec<BulkRow<'a>>,
    full: Option<rusqlite::Statement<'c>>,
}

struct BulkRow<'a> {
    id: i64,
    profile_id: i64,
    dimension_id: i64,
    rater_id: i64,
    value: f64,
    created_at: i64,
    updated_at: i64,
    seconds_spent: Option<f64>,
    codebook_version: i64,
    note: Option<&'a str>,
    confidence: Option<f64>,
}

/// Rows per statement: enough to spread a statement's fixed cost, few enough for SQLite's limit
/// of bound parameters (11 per row).
const BULK_ROWS: usize = 100;

const BULK_RATING_COLUMNS: &str =
    "INSERT INTO rating (id, profile_id, dimension_id, rater_id, value,
    created_at, updated_at, seconds_spent, codebook_version, note, confidence) VALUES ";

fn bulk_sql(columns: &str, width: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; width].join(","));
    format!("{columns}{}", vec![one; rows].join(","))
}

impl<'c, 'a> BulkInsert<'c, 'a> {
    /// A bulk insert whose history entries are all made at `changed_at` by `source`.
    pub(crate) fn new(
        conn: &'c Connection,
        changed_at: i64,
        source: &'a str,
    ) -> Result<BulkInsert<'c, 'a>> {
        let next_id: i64 =
            conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM rating", [], |r| {
                r.get(0)
            })?;
        Ok(BulkInsert {
            conn,
            first_id: next_id,
            next_id,
            changed_at,
            source,
            rows: Vec::with_capacity(BULK_ROWS),
            full: None,
        })
    }

    /// Adds a rating known to be absent (written by [`BulkInsert::finish`] at the latest);
    /// `None` for a cleared value, which adds nothing.
    pub(crate) fn push(&mut self, a: &UpsertArgs<'a>) -> Result<Upsert> {
        let Some(value) = a.value else {
            return Ok(Upsert::Unchanged);
        };
        let changed_at = a.updated_at.unwrap_or(a.now);
        if changed_at != self.changed_at || a.source != self.source {
            return Err(CoreError::Invalid(
                "a bulk insert's ratings share one history time and source".into(),
            ));
        }
        self.rows.push(BulkRow {
            id: self.next_id,
            profile_id: a.profile_id,
            dimension_id: a.dimension_id,
            rater_id: a.rater_id,
            value,
            created_at: a.created_at.unwrap_or(changed_at),
            updated_at: a.updated_at.or(a.created_at).unwrap_or(a.now),
            seconds_spent: a.seconds_spent,
            codebook_version: a.codebook_version,
            note: a.note,
            confidence: a.confidence,
        });
        self.next_id += 1;
        if self.rows.len() == BULK_ROWS {
            self.flush()?;
        }
        Ok(Upsert::Added)
    }

    /// Writes the rows still held, then one history entry per rating written, in id order (the
    /// order [`RatingWriter::upsert`] appends them in).
    pub(crate) fn finish(mut self) -> Result<()> {
        self.flush()?;
        self.conn.execute(
            "INSERT INTO rating_history (rating_id, old_value, new_value, changed_by, changed_at, source)
             SELECT id, NULL, value, rater_id, ?1, ?2 FROM rating WHERE id >= ?3 ORDER BY id",
            params![self.changed_at, self.source, self.first_id],
        )?;
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut partial;
        let rating = if self.rows.len() == BULK_ROWS {
            if self.full.is_none() {
                self.full = Some(self.conn.prepare(&bulk_sql(
                    BULK_RATING_COLUMNS,
                    11,
                    BULK_ROWS,
                ))?);
            }
            match self.full.as_mut() {
                Some(r) => r,
                None => return Err(CoreError::Invalid("bulk statement missing".into())),
            }
        } else {
            partial = self
                .conn
                .prepare(&bulk_sql(BULK_RATING_COLUMNS, 11, self.rows.len()))?;
            &mut partial
        };
        let mut i = 1;
        for r in &self.rows {
            rating.raw_bind_parameter(i, r.id)?;
            rating.raw_bind_parameter(i + 1, r.profile_id)?;
            rating.raw_bind_parameter(i + 2, r.dimension_id)?;
            rating.raw_bind_parameter(i + 3, r.rater_id)?;
            rating.raw_bind_parameter(i + 4, r.value)?;
            rating.raw_bind_parameter(i + 5, r.created_at)?;
            rating.raw_bind_parameter(i + 6, r.updated_at)?;
            rating.raw_bind_parameter(i + 7, r.seconds_spent)?;
            rating.raw_bind_parameter(i + 8, r.codebook_version)?;
            rating.raw_bind_parameter(i + 9, r.note)?;
            rating.raw_bind_parameter(i + 10, r.confidence)?;
            i += 11;
        }
        rating.raw_execute()?;
        self.rows.clear();
        Ok(())
    }
}

/// A bulk write's secondary indexes on the ratings and their history, dropped inside its
/// transaction and built again (one sort each) before it commits: for an import of many rows
/// into a study with few, that is cheaper than a b-tree insert per row and index. The
/// uniqueness index stays, so the rows are still checked one by one. Everything happens in the
/// caller's transaction: a failed import rolls the drop back with the rows.
#[must_use = "the dropped indexes are built again by restore"]
pub(crate) struct BulkIndexes {
    create: Vec<String>,
}

/// Below this many rows an import inserts into the indexes as they stand.
pub(crate) const BULK_INDEX_ROWS: usize = 10_000;

impl BulkIndexes {
    /// Drops the indexes when `rows` new ratings outnumber the stored history (which holds at
    /// least one row per rating); else drops nothing.
    pub(crate) fn drop_for(conn: &Connection, rows: usize) -> Result<BulkIndexes> {
        let rows = i64::try_from(rows).unwrap_or(i64::MAX);
        if rows < BULK_INDEX_ROWS as i64 {
            return Ok(BulkIndexes { create: Vec::new() });
        }
        // Counting stops at `rows`: a study of millions is not scanned to find it is large.
        let stored: i64 = conn.query_row(
            "SELECT COUNT(*) FROM (SELECT 1 FROM rating_history LIMIT ?1)",
            [rows],
            |r| r.get(0),
        )?;
        if stored >= rows {
            return Ok(BulkIndexes { create: Vec::new() });
        }
        // The schema's own statements (autoindexes have none and are kept), so the rebuilt
        // indexes are the ones the migrations made, whatever a later migration adds.
        let indexes: Vec<(String, String)> = conn
            .prepare(
                "SELECT name, sql FROM sqlite_schema
                  WHERE type = 'index' AND tbl_name = 'rating'
                    AND sql IS NOT NULL ORDER BY name",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &indexes {
            conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(BulkIndexes {
            create: indexes.into_iter().map(|(_, sql)| sql).collect(),
        })
    }

    /// Builds the dropped indexes again.
    pub(crate) fn restore(self, conn: &Connection) -> Result<()> {
        for sql in &self.create {
            conn.execute_batch(sql)?;
        }
        Ok(())
    }
}

/// The foreign keys of `rating` check the profile and the rater on insert, so the write path
/// needs no lookup of its own: their failure is the same message a lookup would give.
fn missing_profile_or_rater(e: rusqlite::Error, a: &UpsertArgs<'_>) -> CoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) if e.to_string().contains("FOREIGN KEY") => {
            CoreError::Invalid(format!(
                "no profile {} or no rater {} in this study",
                a.profile_id, a.rater_id
            ))
        }
        _ => e.into(),
    }
}

pub(crate) fn current_codebook_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM codebook_version",
        [],
        |r| r.get(0),
    )?)
}

/// What a rating write needs from the study besides the rating itself: read once and kept in
/// the open study while it is current, so a keypress costs no lookups. It is current while no
/// other connection committed (`PRAGMA data_version`, which only they change) and this one
/// changed nothing but ratings through [`Study::save_rating`] (`total_changes` after the last
/// save).
#[derive(Debug, Clone)]
pub(crate) struct WriteCache {
    data_version: i64,
    own_changes: u64,
    /// By ASCII-lower-cased name (the column is `COLLATE NOCASE`): id, stored name, scale.
    dimensions: HashMap<String, (i64, String, Scale)>,
    raters: HashMap<i64, String>,
    codebook_version: i64,
}

impl WriteCache {
    fn load(conn: &Connection, data_version: i64) -> Result<WriteCache> {
        let mut dimensions = HashMap::new();
        let mut st = conn.prepare("SELECT id, name, scale FROM dimension")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let (id, name, scale): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let scale: Scale = serde_json::from_str(&scale)
                .map_err(|e| CoreError::Invalid(format!("stored scale is unreadable: {e}")))?;
            dimensions.insert(name.to_ascii_lowercase(), (id, name, scale));
        }
        let raters = conn
            .prepare("SELECT id, name FROM rater")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<HashMap<i64, String>>>()?;
        Ok(WriteCache {
            data_version,
            own_changes: conn.total_changes(),
            dimensions,
            raters,
            codebook_version: current_codebook_version(conn)?,
        })
    }
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
    ///
    /// Six statements in the usual case: begin, `PRAGMA data_version`, the rating's lookup,
    /// its insert or update, the history entry, commit (the dimension, rater and codebook
    /// version come from a cache in the open study).
    pub fn save_rating(&mut self, input: &RatingInput) -> Result<Option<Rating>> {
        let now = self.now();
        if let Some(c) = input.confidence {
            crate::checks::confidence(c).map_err(CoreError::Invalid)?;
        }
        if let Some(t) = input.seconds_spent {
            crate::checks::seconds_spent(t).map_err(CoreError::Invalid)?;
        }
        if self.read_only {
            return Err(CoreError::ReadOnly {
                path: self.path.clone(),
                action: "saving a rating".to_owned(),
            });
        }
        let path = &self.path;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| super::map_write_error(path, "saving a rating", e))?;
        let data_version: i64 = tx.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let before = super::queue::Stamp::with(data_version, &tx);
        let current = self
            .write_cache
            .as_ref()
            .is_some_and(|c| c.data_version == data_version && c.own_changes == tx.total_changes());
        if !current {
            self.write_cache = Some(WriteCache::load(&tx, data_version)?);
        }
        let Some(cache) = self.write_cache.as_mut() else {
            return Err(CoreError::Invalid(
                "the study's write cache is missing".into(),
            ));
        };
        let (dimension_id, dimension, scale) = cache
            .dimensions
            .get(&input.dimension.to_ascii_lowercase())
            .ok_or_else(|| {
                CoreError::Invalid(format!("no dimension named '{}'", input.dimension))
            })?;
        let Some(rater) = cache.raters.get(&input.rater_id) else {
            return Err(CoreError::Invalid(format!(
                "no profile {} or no rater {} in this study",
                input.profile_id, input.rater_id
            )));
        };
        if let Some(v) = input.value {
            scale
                .check(v)
                .map_err(|m| CoreError::Invalid(format!("{}: {m}", input.dimension)))?;
        }
        let (_, row) = upsert_rating(
            &tx,
            &UpsertArgs {
                profile_id: input.profile_id,
                dimension_id: *dimension_id,
                rater_id: input.rater_id,
                value: input.value,
                now,
                created_at: None,
                updated_at: None,
                seconds_spent: input.seconds_spent,
                codebook_version: cache.codebook_version,
                note: input.note.as_deref(),
                confidence: input.confidence,
                source: ANNOTATE_SOURCE,
                known_absent: false,
                policy: Policy::Latest,
            },
        )?;
        let saved = row.and_then(|row| {
            Some(Rating {
                profile_id: input.profile_id,
                dimension: dimension.clone(),
                rater: rater.clone(),
                value: row.value?,
                created_at: row.created_at,
                updated_at: row.updated_at,
                seconds_spent: row.seconds_spent,
                codebook_version: row.codebook_version,
                note: row.note,
                confidence: row.confidence,
            })
        });
        let dimension_id = *dimension_id;
        tx.commit()?;
        cache.own_changes = self.conn.total_changes();
        self.queue_after_write(
            before,
            input.rater_id,
            QueueChange::Rated {
                profile_id: input.profile_id,
                dimension_id,
                done: input.value.is_some(),
            },
        );
        Ok(saved.filter(|_| input.value.is_some()))
    }

    /// Records that the rater could not judge `dimension` of the profile: stored as such (a
    /// rating row without a value, flagged), any value given before is cleared with its
    /// history kept, and the act is audited. No statistic reads it; reports count it
    /// ([`Study::cant_judge_counts`]). Saving a value or clearing ends it.
    pub fn save_cant_judge(
        &mut self,
        profile_id: i64,
        dimension: &str,
        rater_id: i64,
        seconds_spent: Option<f64>,
    ) -> Result<()> {
        if let Some(t) = seconds_spent {
            crate::checks::seconds_spent(t).map_err(CoreError::Invalid)?;
        }
        let now = self.now();
        let tx = self.write("saving a rating")?;
        let before = super::queue::Stamp::of(&tx)?;
        let (dimension_id, dimension): (i64, String) = tx
            .query_row(
                "SELECT id, name FROM dimension WHERE name = ?1",
                [dimension],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| CoreError::Invalid(format!("no dimension named '{dimension}'")))?;
        let rater: String = tx
            .query_row("SELECT name FROM rater WHERE id = ?1", [rater_id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| {
                CoreError::Invalid(format!(
                    "no profile {profile_id} or no rater {rater_id} in this study"
                ))
            })?;
        let version = current_codebook_version(&tx)?;
        let existing: Option<(i64, Option<f64>, bool)> = tx
            .query_row(
                "SELECT id, value, cant_judge FROM rating
                  WHERE profile_id = ?1 AND dimension_id = ?2 AND rater_id = ?3",
                params![profile_id, dimension_id, rater_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0)),
            )
            .optional()?;
        let (id, old) = match existing {
            Some((_, None, true)) => {
                // Already recorded: nothing changes, nor does the trail.
                tx.commit()?;
                return Ok(());
            }
            Some((id, old, _)) => {
                tx.execute(
                    "UPDATE rating SET value = NULL, cant_judge = 1, updated_at = ?2,
                            seconds_spent = COALESCE(?3, seconds_spent), codebook_version = ?4
                      WHERE id = ?1",
                    params![id, now, seconds_spent, version],
                )?;
                (id, old)
            }
            None => {
                tx.execute(
                    "INSERT INTO rating (profile_id, dimension_id, rater_id, value, created_at,
                                         updated_at, seconds_spent, codebook_version, cant_judge)
                     VALUES (?1, ?2, ?3, NULL, ?4, ?4, ?5, ?6, 1)",
                    params![
                        profile_id,
                        dimension_id,
                        rater_id,
                        now,
                        seconds_spent,
                        version
                    ],
                )
                .map_err(|e| {
                    missing_profile_or_rater(
                        e,
                        &UpsertArgs {
                            profile_id,
                            dimension_id,
                            rater_id,
                            value: None,
                            now,
                            created_at: None,
                            updated_at: None,
                            seconds_spent,
                            codebook_version: version,
                            note: None,
                            confidence: None,
                            source: CANT_JUDGE_SOURCE,
                            known_absent: true,
                            policy: Policy::Latest,
                        },
                    )
                })?;
                (tx.last_insert_rowid(), None)
            }
        };
        tx.execute(
            "INSERT INTO rating_history (rating_id, old_value, new_value, changed_by, changed_at, source)
             VALUES (?1, ?2, NULL, ?3, ?4, ?5)",
            params![id, old, rater_id, now, CANT_JUDGE_SOURCE],
        )?;
        super::audit::audit(
            &tx,
            now,
            &rater,
            "cant_judge",
            &serde_json::json!({"profile_id": profile_id, "dimension": dimension, "previous": old}),
            None,
        )?;
        tx.commit()?;
        // The cache's own-changes count is stale now; the next save reloads it.
        self.write_cache = None;
        self.queue_after_write(
            before,
            rater_id,
            QueueChange::Rated {
                profile_id,
                dimension_id,
                done: true,
            },
        );
        Ok(())
    }

    /// The dimensions of the profile the rater marked "can't judge".
    pub fn cant_judge_of(&self, profile_id: i64, rater_id: i64) -> Result<Vec<String>> {
        let mut st = self.conn().prepare_cached(
            "SELECT d.name FROM rating r JOIN dimension d ON d.id = r.dimension_id
              WHERE r.profile_id = ?1 AND r.rater_id = ?2 AND r.cant_judge = 1
              ORDER BY d.position, d.id",
        )?;
        let rows = st
            .query_map(params![profile_id, rater_id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// Per dimension (codebook order), how many ratings are "can't judge": left out of every
    /// statistic, so reports state the count beside the numbers.
    pub fn cant_judge_counts(&self) -> Result<Vec<(String, usize)>> {
        let mut st = self.conn().prepare_cached(
            "SELECT d.name, (SELECT COUNT(*) FROM rating r
                              WHERE r.dimension_id = d.id AND r.cant_judge = 1
                                AND r.profile_id NOT IN (SELECT profile_id FROM gold_value))
               FROM dimension d ORDER BY d.position, d.id",
        )?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
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

    /// The rater's flag, note, confidence and time on one profile (defaults when none).
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
        let before = super::queue::Stamp::of(&tx)?;
        tx.execute(
            "INSERT INTO profile_review (rater_id, profile_id, flagged, note, confidence, seconds_spent, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (rater_id, profile_id) DO UPDATE SET flagged = ?3, note = ?4,
                 confidence = ?5, seconds_spent = ?6, updated_at = ?7",
            params![rater_id, profile_id, review.flagged as i64, review.note, review.confidence, review.seconds_spent, now],
        )?;
        tx.commit()?;
        self.queue_after_write(
            before,
            rater_id,
            QueueChange::Flagged {
                profile_id,
                flagged: review.flagged,
            },
        );
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
    /// Questionnaire scales of the codebook are scored into dimensions of their own (see
    /// [`crate::analysis::scales`]); their items stay.
    pub fn dataset_for(
        &self,
        include_adjudicated: bool,
        samples: super::models::ModelSamples,
    ) -> Result<Dataset> {
        self.dataset_scored(include_adjudicated, samples)
            .map(|(ds, _)| ds)
    }

    /// As [`Study::dataset_for`], with what scoring each questionnaire scale did (responses
    /// scored and left unscored for too few items), for the notes shown with results.
    pub fn dataset_scored(
        &self,
        include_adjudicated: bool,
        samples: super::models::ModelSamples,
    ) -> Result<(Dataset, Vec<crate::analysis::scales::ScaleScoring>)> {
        let mut ds = self.dataset_of_ratings(include_adjudicated, samples)?;
        let scales = self.codebook()?.map(|c| c.scales).unwrap_or_default();
        let scoring = crate::analysis::scales::add_scale_scores(&mut ds, &scales);
        Ok((ds, scoring))
    }

    /// The stored ratings only: no scale scores.
    fn dataset_of_ratings(
        &self,
        include_adjudicated: bool,
        samples: super::models::ModelSamples,
    ) -> Result<Dataset> {
        let c = self.conn();
        let dims = super::raters::load_dimensions(c)?;
        let mut ds = Dataset {
            source: self.path().display().to_string(),
            rater_kinds_known: true,
            ..Default::default()
        };
        let mut dim_index: HashMap<i64, usize> = HashMap::new();
        for (id, d) in dims {
            dim_index.insert(id, ds.dimensions.len());
            ds.dimensions.push(DimensionData {
                cant_judge: 0,
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
                AND r.profile_id NOT IN (SELECT profile_id FROM gold_value)
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
        for (name, n) in self.cant_judge_counts()? {
            if let Some(d) = ds.dimensions.iter_mut().find(|d| d.name == name) {
                d.cant_judge = n;
            }
        }
        ds.known_left_out = self.known_left_out()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RaterKind;
    use std::cell::RefCell;

    thread_local! {
        static STATEMENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    fn record(event: rusqlite::trace::TraceEvent<'_>) {
        // A trigger's body is reported as its own event; it is part of the statement.
        if let rusqlite::trace::TraceEvent::Stmt(_, sql) = event {
            if !sql.starts_with("--") {
                let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
                STATEMENTS.with(|s| s.borrow_mut().push(sql));
            }
        }
    }

    /// The statements `f` runs on the study's connection.
    fn statements_of(study: &mut Study, f: impl FnOnce(&mut Study)) -> Vec<String> {
        STATEMENTS.with(|s| s.borrow_mut().clear());
        let stmt = rusqlite::trace::TraceEventCodes::SQLITE_TRACE_STMT;
        study.conn.trace_v2(stmt, Some(record));
        f(study);
        study.conn.trace_v2(stmt, None);
        STATEMENTS.with(|s| s.take())
    }

    fn demo(dir: &std::path::Path) -> (Study, i64, i64) {
        let files = crate::sample::demo(3, 4);
        let mut s = Study::create(&dir.join("s.db")).unwrap();
        std::fs::write(dir.join("p.jsonl"), &files.profiles_jsonl).unwrap();
        std::fs::write(dir.join("c.toml"), &files.codebook_toml).unwrap();
        s.import_profiles(&dir.join("p.jsonl")).unwrap();
        s.import_codebook(&dir.join("c.toml")).unwrap();
        let rater = s.ensure_rater("ana", RaterKind::Human).unwrap().id;
        let profile: i64 = s
            .conn
            .query_row("SELECT MIN(id) FROM profile", [], |r| r.get(0))
            .unwrap();
        (s, profile, rater)
    }

    fn input(profile_id: i64, rater_id: i64, value: Option<f64>) -> RatingInput {
        RatingInput {
            profile_id,
            dimension: "Openness".into(),
            rater_id,
            value,
            seconds_spent: Some(2.0),
            note: None,
            confidence: None,
        }
    }

    #[test]
    fn a_saved_rating_costs_six_statements_and_no_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, p, r) = demo(dir.path());
        // The first save of an open study fills its cache.
        s.save_rating(&input(p, r, Some(3.0))).unwrap();
        for value in [Some(4.0), None, Some(5.0)] {
            let mut saved = None;
            let sql = statements_of(&mut s, |s| {
                saved = Some(s.save_rating(&input(p, r, value)).unwrap())
            });
            assert_eq!(
                sql.len(),
                6,
                "begin, data_version, lookup, write, history, commit: {sql:#?}"
            );
            assert!(sql[0].starts_with("BEGIN"), "{sql:#?}");
            assert!(sql[5].starts_with("COMMIT"), "{sql:#?}");
            assert!(
                !sql.iter()
                    .any(|q| q.contains("audit_log") || q.contains("FROM dimension")),
                "no audit row, no dimension lookup: {sql:#?}"
            );
            // What it returned without reading back is what is stored.
            let stored = s.ratings_of(p, r).unwrap().pop();
            assert_eq!(saved.unwrap(), stored.filter(|_| value.is_some()));
        }
    }

    #[test]
    fn a_large_import_into_an_empty_study_writes_many_rows_per_statement_and_keeps_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let shape = crate::sample::BenchShape {
            persons: 100,
            contexts: 3,
            raters_per_profile: 2,
            rater_pool: 4,
            dimensions: 20,
            seed: 7,
        };
        let file = dir.path().join("r.csv");
        let n =
            crate::sample::write_bench_ratings(shape, &mut std::fs::File::create(&file).unwrap())
                .unwrap();
        assert!(n >= BULK_INDEX_ROWS, "{n} rows take the bulk path");
        let mut s = Study::create(&dir.path().join("s.db")).unwrap();
        let schema = |s: &Study| -> Vec<(String, Option<String>)> {
            s.conn
                .prepare("SELECT name, sql FROM sqlite_schema ORDER BY name")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let before = schema(&s);
        let opts = crate::import::RatingsImportOptions::default();
        let mut report = None;
        let sql = statements_of(&mut s, |s| {
            report = Some(s.import_ratings(&file, &opts).unwrap())
        });
        assert_eq!(report.unwrap().added, n);
        // Row by row this was two statements per rating (profiles and raters are still
        // created one statement each).
        assert!(
            sql.len() < n / 5,
            "{} statements for {n} ratings",
            sql.len()
        );
        assert_eq!(
            schema(&s),
            before,
            "the dropped indexes are built again as they were"
        );
        assert_eq!(s.integrity_check().unwrap(), "ok");
        let (ratings, history, matched): (i64, i64, i64) = s
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM rating), (SELECT COUNT(*) FROM rating_history),
                        (SELECT COUNT(*) FROM rating r JOIN rating_history h ON h.rating_id = r.id
                          WHERE h.old_value IS NULL AND h.new_value = r.value
                            AND h.changed_by = r.rater_id AND h.id = r.id)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (ratings, history, matched),
            (n as i64, n as i64, n as i64),
            "one history entry per rating"
        );
        // The second import goes row by row through the rebuilt uniqueness index: all found.
        let again = s.import_ratings(&file, &opts).unwrap();
        assert_eq!((again.added, again.updated, again.unchanged), (0, 0, n));
        // The page cache is set back after the import.
        let cache: i64 = s
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .unwrap();
        assert_eq!(cache, -2000);
    }

    #[test]
    fn the_cache_follows_a_codebook_changed_by_another_connection() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, p, r) = demo(dir.path());
        s.save_rating(&input(p, r, Some(3.0))).unwrap();
        {
            let mut other = Study::open(&dir.path().join("s.db")).unwrap();
            let tx = other.write("test").unwrap();
            tx.execute(
                "UPDATE dimension SET scale = ?1 WHERE name = 'Openness'",
                [r#"{"type":"likert","min":1,"max":9}"#],
            )
            .unwrap();
            tx.commit().unwrap();
        }
        // 9 was out of the old 1..7 scale; the other connection's change is seen.
        let saved = s.save_rating(&input(p, r, Some(9.0))).unwrap();
        assert_eq!(saved.map(|x| x.value), Some(9.0));
        let err = s.save_rating(&input(p, r, Some(10.0))).unwrap_err();
        assert!(err.to_string().contains("Openness"), "{err}");
    }

    #[test]
    fn a_missing_profile_or_rater_is_refused_as_before() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, p, r) = demo(dir.path());
        for (p, r) in [(p + 10_000, r), (p, r + 10_000)] {
            let err = s.save_rating(&input(p, r, Some(3.0))).unwrap_err();
            assert!(
                err.to_string().contains("no profile") && err.to_string().contains("no rater"),
                "{err}"
            );
        }
        assert!(s.ratings_of(p, r).unwrap().is_empty());
    }

    #[test]
    fn the_audit_trail_shows_each_rating_change_once_from_the_history() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, p, r) = demo(dir.path());
        s.set_clock(std::sync::Arc::new(|| 1_000));
        for value in [Some(3.0), Some(4.0), None] {
            s.save_rating(&RatingInput {
                dimension: "conscientiousness".into(),
                ..input(p, r, value)
            })
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        }
        // A study written before: the same change also as an audit_log row.
        super::super::audit::audit(
            s.conn(),
            1_000,
            "ana",
            "rate",
            &serde_json::json!({"profile_id": p, "dimension": "conscientiousness", "value": 3.0}),
            None,
        )
        .unwrap();
        let log: Vec<(String, String, String)> = s
            .audit_log()
            .unwrap()
            .into_iter()
            .filter(|e| matches!(e.action.as_str(), "rate" | "edit" | "clear"))
            .map(|e| (e.actor, e.action, e.detail))
            .collect();
        let detail = |v: &str| {
            format!(r#"{{"dimension":"conscientiousness","profile_id":{p},"value":{v}}}"#)
        };
        assert_eq!(
            log,
            vec![
                ("ana".into(), "rate".into(), detail("3.0")),
                ("ana".into(), "edit".into(), detail("4.0")),
                ("ana".into(), "clear".into(), detail("null")),
            ]
        );
    }

    #[test]
    fn cant_judge_is_stored_as_such_and_left_out_of_the_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, p, r) = demo(dir.path());
        let before = s.dataset().unwrap();
        let n = |ds: &Dataset| {
            ds.dimensions
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case("openness"))
                .unwrap()
                .observations
                .len()
        };
        s.save_rating(&input(p, r, Some(3.0))).unwrap();
        assert_eq!(n(&s.dataset().unwrap()), n(&before) + 1);
        s.save_cant_judge(p, "openness", r, Some(4.0)).unwrap();
        // The earlier value is cleared from every statistic, not replaced by a midpoint.
        assert_eq!(n(&s.dataset().unwrap()), n(&before));
        assert!(s.ratings_of(p, r).unwrap().is_empty());
        assert_eq!(s.cant_judge_of(p, r).unwrap(), ["openness"]);
        let counts = s.cant_judge_counts().unwrap();
        assert_eq!(
            counts.iter().find(|c| c.0 == "openness").map(|c| c.1),
            Some(1)
        );
        let rated = |s: &Study| {
            s.queue(r)
                .unwrap()
                .into_iter()
                .find(|q| q.profile_id == p)
                .unwrap()
                .rated
        };
        assert_eq!(rated(&s), 1, "it counts as done");
        let trail: Vec<_> = s
            .audit_log()
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "cant_judge")
            .collect();
        assert_eq!(trail.len(), 1, "audited once");
        // Saving it again adds nothing; a value ends it.
        s.save_cant_judge(p, "Openness", r, None).unwrap();
        assert_eq!(s.history(p, "Openness", r).unwrap().len(), 2);
        s.save_rating(&input(p, r, Some(5.0))).unwrap();
        assert!(s.cant_judge_of(p, r).unwrap().is_empty());
        assert_eq!(n(&s.dataset().unwrap()), n(&before) + 1);
        // Clearing a "can't judge" leaves nothing behind.
        s.save_cant_judge(p, "Openness", r, None).unwrap();
        s.save_rating(&input(p, r, None)).unwrap();
        assert!(s.cant_judge_of(p, r).unwrap().is_empty());
        assert_eq!(rated(&s), 0);
        assert!(s.save_cant_judge(p, "nope", r, None).is_err());
    }

    #[test]
    fn the_report_counts_cant_judge_and_the_hash_sees_it() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, p, r) = demo(dir.path());
        let before = s.dataset().unwrap();
        s.save_cant_judge(p, "openness", r, None).unwrap();
        let ds = s.dataset().unwrap();
        assert_eq!(ds.cant_judge_count(), 1);
        assert_eq!(
            ds.rating_count(),
            before.rating_count(),
            "not an observation"
        );
        assert_ne!(
            ds.content_hash(),
            before.content_hash(),
            "a report of before is stale"
        );
        let opts = crate::report::ReportOptions::new(chrono::Utc::now());
        let html = crate::report::render_report(&ds, &opts).unwrap();
        assert!(
            html.contains("(1 can't judge, left out)"),
            "counted in the report"
        );
        let plain = crate::report::render_report(&before, &opts).unwrap();
        assert!(!plain.contains("can't judge"));
    }
}
