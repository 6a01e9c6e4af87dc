//! The study store: one SQLite file per study (WAL, foreign keys on, schema versioned with
//! `PRAGMA user_version` and forward migrations).
//!
//! Durability: `synchronous = FULL`, so a rating whose transaction returned survives a crash
//! or power loss, not only a killed process; a rating is small and the cost is one fsync.

pub(crate) mod audit;
mod gold;
mod meta;
mod migrations;
mod models;
mod package;
mod profiles;
mod queue;
pub(crate) mod raters;
pub(crate) mod ratings;
mod review;

pub use crate::export::neutralise_formula;
pub use audit::{backups_dir, default_actor, AuditEntry, DEFAULT_BACKUPS_KEPT};
pub use gold::{GoldAccuracy, GoldKind, GoldMark};
pub use meta::MAX_NAME_CHARS;
pub use migrations::{latest_version, APPLICATION_ID};
pub use models::{
    prompt_hash, ModelAnswer, ModelFailure, ModelRunSummary, ModelSampleRating, ModelSamples,
    NewModelRun,
};
pub use package::{MergeReport, PackageInfo};
pub use profiles::{DimensionProgress, QueueEntry};
pub use raters::{reserved_rater_name, ClaimOutcome, Claimant, NO_RATER};
pub use ratings::{ProfileReview, RatingInput};
pub use review::{Disagreement, ADJUDICATED_RATER};

use crate::error::{CoreError, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Milliseconds since the Unix epoch; injected so tests control time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The wall clock, in ms since the Unix epoch (tests replace it with [`Study::set_clock`]).
pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().timestamp_millis())
}

/// An open study file.
pub struct Study {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    clock: Clock,
    actor: String,
    backups_kept: usize,
    /// Set once [`Study::close`] ran, so `Drop` does not close twice.
    closed: bool,
    /// Dimensions, raters and codebook version for [`Study::save_rating`], while current.
    write_cache: Option<ratings::WriteCache>,
    /// The chosen rater's queue and progress while current ([`queue`]).
    queue_state: std::cell::RefCell<Option<queue::QueueState>>,
    /// Queue states read so far (see [`Study::queue_generation`]).
    queue_generation: std::cell::Cell<u64>,
}

/// `study_meta` key of an annotator package: `1` while an app has it open for writing, `0` once
/// it was closed and checkpointed. The `1` is checkpointed into the main file at open, so a
/// main file that says `1` may lack ratings that sit only in its `-wal`.
pub const PACKAGE_OPEN_KEY: &str = "package_open";

impl Drop for Study {
    fn drop(&mut self) {
        if let Err(e) = self.close_inner() {
            tracing::warn!(path = %self.path.display(), error = %e, "closing the study cleanly failed");
        }
    }
}

impl std::fmt::Debug for Study {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Study")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .finish()
    }
}

/// The study's size in three numbers, cheap at any size (no scan of the ratings).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct StudySize {
    /// Profiles in the study.
    pub profiles: i64,
    /// Dimensions of the codebook.
    pub dimensions: i64,
    /// Raters known to the study.
    pub raters: i64,
}

/// Counts a PI or annotator looks at first.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StudyInfo {
    /// The study file's path.
    pub path: String,
    /// The study's identifier (kept in every package made from it).
    pub study_id: String,
    /// Schema version of the file (`PRAGMA user_version`).
    pub schema_version: i64,
    /// Persons.
    pub persons: i64,
    /// Contexts.
    pub contexts: i64,
    /// Profiles (person × context).
    pub profiles: i64,
    /// Texts of the profiles.
    pub texts: i64,
    /// The current codebook version (0 before a codebook is imported).
    pub codebook_version: i64,
    /// Ratings with a value.
    pub ratings: i64,
    /// Per dimension: its level and how much of it is rated.
    pub dimensions: Vec<DimensionCount>,
    /// Per rater: kind and progress.
    pub raters: Vec<RaterCount>,
}

/// One dimension's counts in [`StudyInfo`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DimensionCount {
    /// The dimension's name.
    pub name: String,
    /// Its level of measurement.
    pub level: String,
    /// Its ratings.
    pub ratings: i64,
    /// Profiles with at least one rating on this dimension.
    pub profiles_rated: i64,
}

/// One rater's counts in [`StudyInfo`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RaterCount {
    /// The rater's name.
    pub name: String,
    /// `human`, `model` or `adjudicated`.
    pub kind: String,
    /// The rater's ratings.
    pub ratings: i64,
    /// Profiles with at least one rating by the rater.
    pub profiles_rated: i64,
    /// Profiles assigned to the rater (0 when the study has no assignments for them).
    pub assigned: i64,
    /// Profiles where every dimension has a rating by this rater.
    pub profiles_complete: i64,
}

/// The app's identity for the OS's per-user folders: qualifier, organisation, application.
pub const PROJECT_DIRS: (&str, &str, &str) = ("org", "Chameleon", "Chameleon Studio");

/// How long a write waits for another connection's lock before it reports the study busy.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The app's per-user folders (data, config, logs), `None` without a home directory.
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    let (qualifier, organisation, application) = PROJECT_DIRS;
    directories::ProjectDirs::from(qualifier, organisation, application)
}

/// True when the file starts with SQLite's magic header.
pub fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read as _;
    let mut magic = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map(|_| &magic == b"SQLite format 3\0")
        .unwrap_or(false)
}

/// The folder studies go to when the user does not pick a path (the OS data directory).
pub fn default_study_dir() -> Result<PathBuf> {
    project_dirs()
        .map(|d| d.data_dir().join("studies"))
        .ok_or_else(|| CoreError::Invalid("no home directory to keep studies in".into()))
}

/// A bulk write's connection settings, kept to be set back: a page cache large enough for the
/// pages it touches, temporary b-trees (index builds) in memory, and no foreign-key checks.
/// None changes what is written or when it is synced. The foreign keys are off because a bulk
/// write only writes ids it read or inserted itself inside its one write transaction (which no
/// other connection can change under it), so each check (a parent lookup per reference, five
/// per imported rating) could only pass; SQLite ignores the pragma inside a transaction, so it
/// is set before the write starts.
pub(crate) struct BulkCache {
    cache_size: i64,
    temp_store: i64,
    foreign_keys: bool,
}

/// The bulk write's page cache, in KiB (SQLite's negative `cache_size`).
const BULK_CACHE_KIB: i64 = 64 * 1024;

impl BulkCache {
    pub(crate) fn set(conn: &Connection) -> Result<BulkCache> {
        let cache_size = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
        let temp_store = conn.pragma_query_value(None, "temp_store", |r| r.get(0))?;
        let foreign_keys = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
        conn.pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "foreign_keys", false)?;
        Ok(BulkCache {
            cache_size,
            temp_store,
            foreign_keys,
        })
    }

    pub(crate) fn reset(self, conn: &Connection) -> Result<()> {
        conn.pragma_update(None, "cache_size", self.cache_size)?;
        conn.pragma_update(None, "temp_store", self.temp_store)?;
        conn.pragma_update(None, "foreign_keys", self.foreign_keys)?;
        Ok(())
    }
}

fn map_open_error(path: &Path, e: rusqlite::Error) -> CoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => CoreError::NotAStudy {
            path: path.to_owned(),
        },
        Some(ErrorCode::DatabaseCorrupt) => CoreError::Damaged {
            path: path.to_owned(),
        },
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => CoreError::Locked {
            path: path.to_owned(),
        },
        Some(ErrorCode::ReadOnly) | Some(ErrorCode::CannotOpen) => CoreError::ReadOnly {
            path: path.to_owned(),
            action: "opening the study for writing".into(),
        },
        _ => CoreError::Sqlite(e),
    }
}

impl Study {
    /// Creates a new, empty study at `path`; refuses to touch an existing file.
    pub fn create(path: &Path) -> Result<Study> {
        if path.exists() {
            return Err(CoreError::AlreadyExists {
                path: path.to_owned(),
            });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| CoreError::Io {
                path: dir.to_owned(),
                source,
            })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| map_open_error(path, e))?;
        let mut study = Study {
            conn,
            path: path.to_owned(),
            read_only: false,
            clock: system_clock(),
            actor: audit::default_actor(),
            backups_kept: DEFAULT_BACKUPS_KEPT,
            closed: false,
            write_cache: None,
            queue_state: Default::default(),
            queue_generation: Default::default(),
        };
        study.configure()?;
        study
            .conn
            .pragma_update(None, "application_id", APPLICATION_ID)?;
        study.migrate()?;
        let id = new_study_id(path, (study.clock)());
        let now = (study.clock)();
        study.conn.execute(
            "INSERT INTO study_meta (key, value) VALUES ('study_id', ?1), ('created_at', ?2)",
            rusqlite::params![id, now.to_string()],
        )?;
        tracing::info!(path = %path.display(), "created study");
        Ok(study)
    }

    /// Opens an existing study for reading and writing, migrating it forward if it is older.
    pub fn open(path: &Path) -> Result<Study> {
        Self::open_with(path, false)
    }

    /// Opens an existing study without ever writing to it (analysis, export).
    pub fn open_read_only(path: &Path) -> Result<Study> {
        Self::open_with(path, true)
    }

    fn open_with(path: &Path, read_only: bool) -> Result<Study> {
        if !path.is_file() {
            // A directory or a loop of links is there: "no such study" would mislead.
            return Err(match crate::checks::not_a_regular_file(path) {
                Some(reason) => CoreError::NotReadable {
                    path: path.to_owned(),
                    reason,
                },
                None => CoreError::NoSuchStudy {
                    path: path.to_owned(),
                },
            });
        }
        if !is_sqlite_file(path) {
            return Err(CoreError::NotAStudy {
                path: path.to_owned(),
            });
        }
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| map_open_error(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Check what the file is before any pragma that could write to it.
        let app_id: i32 = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| map_open_error(path, e))?;
        if app_id != APPLICATION_ID {
            return Err(CoreError::NotAStudy {
                path: path.to_owned(),
            });
        }
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| map_open_error(path, e))?;
        if version > latest_version() {
            return Err(CoreError::NewerSchema {
                path: path.to_owned(),
                found: version,
                supported: latest_version(),
            });
        }
        let writable = !read_only && !conn.is_readonly(rusqlite::MAIN_DB)?;
        if !read_only && !writable {
            return Err(CoreError::ReadOnly {
                path: path.to_owned(),
                action: "opening the study for writing".into(),
            });
        }
        let mut study = Study {
            conn,
            path: path.to_owned(),
            read_only,
            clock: system_clock(),
            actor: audit::default_actor(),
            backups_kept: DEFAULT_BACKUPS_KEPT,
            closed: false,
            write_cache: None,
            queue_state: Default::default(),
            queue_generation: Default::default(),
        };
        if read_only {
            study.conn.pragma_update(None, "query_only", true)?;
            if version < latest_version() {
                return Err(CoreError::ReadOnly {
                    path: path.to_owned(),
                    action: format!("upgrading the study from schema {version}"),
                });
            }
        } else {
            study.configure().map_err(|e| match e {
                CoreError::Sqlite(s) => map_open_error(path, s),
                other => other,
            })?;
            study.migrate()?;
            study.mark_package_open()?;
        }
        Ok(study)
    }

    /// Marks an annotator package as open in its main file (checkpointed at once), so a copy of
    /// the main file taken while the app has it open, or after a crash, is known to be possibly
    /// missing the ratings still in its `-wal` (see [`PACKAGE_OPEN_KEY`]).
    fn mark_package_open(&mut self) -> Result<()> {
        let is_package: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM study_meta WHERE key = 'package_id')",
            [],
            |r| r.get(0),
        )?;
        if is_package {
            self.set_package_open(true)?;
            self.checkpoint()?;
        }
        Ok(())
    }

    fn set_package_open(&self, open: bool) -> Result<()> {
        self.conn.execute(
            "INSERT INTO study_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            rusqlite::params![PACKAGE_OPEN_KEY, if open { "1" } else { "0" }],
        )?;
        Ok(())
    }

    /// Copies everything from the `-wal` into the study file and empties the `-wal`, so the file
    /// alone holds every committed rating (before it is closed, exported or sent). Returns false
    /// when another connection kept part of the log from being copied (then it stays in the
    /// `-wal`, safe, and the next checkpoint copies it).
    pub fn checkpoint(&self) -> Result<bool> {
        if self.read_only {
            return Ok(true);
        }
        let (busy, _, _): (i64, i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        if busy != 0 {
            tracing::warn!(path = %self.path.display(), "checkpoint blocked by another connection");
        }
        Ok(busy == 0)
    }

    /// Closes the study: an annotator package is marked closed, and the `-wal` is copied into
    /// the file, which is then complete on its own. Dropping a `Study` does the same but can
    /// only log a failure; `close` reports it.
    pub fn close(mut self) -> Result<()> {
        let r = self.close_inner();
        self.closed = true;
        r
    }

    fn close_inner(&mut self) -> Result<()> {
        if self.read_only || self.closed {
            return Ok(());
        }
        let is_package: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM study_meta WHERE key = ?1)",
            [PACKAGE_OPEN_KEY],
            |r| r.get(0),
        )?;
        if is_package {
            self.set_package_open(false)?;
        }
        if !self.checkpoint()? {
            return Err(CoreError::Locked {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    fn configure(&mut self) -> Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "could not switch the study to WAL");
        }
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        self.conn.pragma_update(None, "foreign_keys", true)?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        migrations::migrations()
            .to_latest(&mut self.conn)
            .map_err(|e| match e {
                rusqlite_migration::Error::RusqliteError { err, .. } => {
                    map_open_error(&self.path, err)
                }
                other => CoreError::Migration(other),
            })?;
        Ok(())
    }

    /// Replaces the clock (tests).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Who imports and merges are attributed to in the audit trail (default: the OS user).
    pub fn set_actor(&mut self, actor: &str) {
        self.actor = actor.to_owned();
    }

    /// Who imports and merges are attributed to.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// How many snapshots [`Study::snapshot`] keeps.
    pub fn set_backups_kept(&mut self, n: usize) {
        self.backups_kept = n.max(1);
    }

    /// How many snapshots are kept.
    pub fn backups_kept(&self) -> usize {
        self.backups_kept
    }

    /// Refuses early on a read-only study; returns the snapshot to take once the bulk change has
    /// passed its checks (and before it commits), so a refused change writes no backup.
    pub(crate) fn prepare_bulk_write(&self, action: &str) -> Result<audit::SnapshotPlan> {
        if self.read_only {
            return Err(CoreError::ReadOnly {
                path: self.path.clone(),
                action: action.to_owned(),
            });
        }
        Ok(self.snapshot_plan(action.split_whitespace().next().unwrap_or("change")))
    }

    pub(crate) fn now(&self) -> i64 {
        (self.clock)()
    }

    /// The study file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when opened with [`Study::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write transaction, or explains why the study cannot be written.
    pub(crate) fn write(&mut self, action: &str) -> Result<rusqlite::Transaction<'_>> {
        if self.read_only {
            return Err(CoreError::ReadOnly {
                path: self.path.clone(),
                action: action.to_owned(),
            });
        }
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| map_write_error(&path, action, e))
    }

    /// The study's identifier (empty for a file without one).
    pub fn study_id(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM study_meta WHERE key = 'study_id'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_default())
    }

    /// `PRAGMA integrity_check` result: `ok` for a healthy file.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    /// Profiles, dimensions and raters, for headers and lists that are shown often: unlike
    /// [`Study::info`] it does not count ratings, which takes a noticeable time at 150k.
    pub fn size(&self) -> Result<StudySize> {
        Ok(StudySize {
            profiles: self.count("SELECT COUNT(*) FROM profile")?,
            dimensions: self.count("SELECT COUNT(*) FROM dimension")?,
            raters: self.count("SELECT COUNT(*) FROM rater")?,
        })
    }

    /// The one number a `SELECT COUNT(*) …` without parameters gives.
    fn count(&self, sql: &str) -> Result<i64> {
        Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
    }

    /// Counts a PI or annotator looks at first.
    pub fn info(&self) -> Result<StudyInfo> {
        let c = &self.conn;
        let mut dims = c.prepare(
            "SELECT d.name, d.level,
                    (SELECT COUNT(*) FROM rating r WHERE r.dimension_id = d.id AND r.value IS NOT NULL),
                    (SELECT COUNT(DISTINCT r.profile_id) FROM rating r
                      WHERE r.dimension_id = d.id AND r.value IS NOT NULL)
               FROM dimension d ORDER BY d.position, d.id",
        )?;
        let dimensions = dims
            .query_map([], |r| {
                Ok(DimensionCount {
                    name: r.get(0)?,
                    level: r.get(1)?,
                    ratings: r.get(2)?,
                    profiles_rated: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let n_dims = dimensions.len() as i64;
        let mut raters = c.prepare(
            "SELECT t.name, t.kind,
                    (SELECT COUNT(*) FROM rating r WHERE r.rater_id = t.id AND r.value IS NOT NULL),
                    (SELECT COUNT(DISTINCT r.profile_id) FROM rating r
                      WHERE r.rater_id = t.id AND r.value IS NOT NULL),
                    (SELECT COUNT(*) FROM assignment a WHERE a.rater_id = t.id),
                    (SELECT COUNT(*) FROM (SELECT r.profile_id FROM rating r
                      WHERE r.rater_id = t.id AND r.value IS NOT NULL
                      GROUP BY r.profile_id HAVING COUNT(*) >= ?1))
               FROM rater t ORDER BY t.name",
        )?;
        let raters = raters
            .query_map([n_dims.max(1)], |r| {
                Ok(RaterCount {
                    name: r.get(0)?,
                    kind: r.get(1)?,
                    ratings: r.get(2)?,
                    profiles_rated: r.get(3)?,
                    assigned: r.get(4)?,
                    profiles_complete: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(StudyInfo {
            path: self.path.display().to_string(),
            study_id: self.study_id()?,
            schema_version: c.pragma_query_value(None, "user_version", |r| r.get(0))?,
            persons: self.count("SELECT COUNT(*) FROM person")?,
            contexts: self.count("SELECT COUNT(*) FROM context")?,
            profiles: self.count("SELECT COUNT(*) FROM profile")?,
            texts: self.count("SELECT COUNT(*) FROM profile_text")?,
            codebook_version: self
                .count("SELECT COALESCE(MAX(version), 0) FROM codebook_version")?,
            ratings: self.count("SELECT COUNT(*) FROM rating WHERE value IS NOT NULL")?,
            dimensions,
            raters,
        })
    }
}

/// Every stored dimension's id, name and scale. A scale this app cannot read (another tool
/// wrote the study) is an error naming the dimension, rather than a value let through unchecked.
pub(crate) fn dimension_scales(
    conn: &Connection,
    path: &Path,
) -> Result<Vec<(i64, String, crate::model::Scale)>> {
    let mut st = conn.prepare("SELECT id, name, scale FROM dimension")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, scale) = row?;
        let scale = serde_json::from_str(&scale).map_err(|e| CoreError::StoredValue {
            path: Some(path.to_owned()),
            message: format!("dimension '{}': {e}", crate::checks::quote(&name)),
        })?;
        out.push((id, name, scale));
    }
    Ok(out)
}

pub(crate) fn map_write_error(path: &Path, action: &str, e: rusqlite::Error) -> CoreError {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => CoreError::Locked {
            path: path.to_owned(),
        },
        Some(ErrorCode::ReadOnly) => CoreError::ReadOnly {
            path: path.to_owned(),
            action: action.to_owned(),
        },
        _ => CoreError::Sqlite(e),
    }
}

fn new_study_id(path: &Path, now: i64) -> String {
    let mut h = blake3::Hasher::new();
    h.update(path.display().to_string().as_bytes());
    h.update(&now.to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    h.update(&nanos.to_le_bytes());
    h.finalize().to_hex()[..32].to_string()
}
