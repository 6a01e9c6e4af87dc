//! Annotator packages: a study file holding one annotator's assigned profiles, the codebook and
//! their own ratings (never anyone else's), and the merge that brings their work back.
//!
//! A package is itself a study, marked in `study_meta` with `package_id`, `package_of` (the
//! parent study's id), `package_rater` and `package_checksum`. The checksum covers everything
//! the annotator must not change (profiles, texts, codebook, rater, assignment); the parent
//! records it at export, so a merge can refuse a package from another study, a tampered one, or
//! one with ratings outside the annotator's assignment.

use super::audit::audit;
use super::ratings::{upsert_rating, Policy, Upsert, UpsertArgs};
use super::Study;
use crate::error::{CoreError, Result};
use crate::model::Scale;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// What an annotator package says about itself.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PackageInfo {
    /// The package's identifier (one per export).
    pub package_id: String,
    /// The study it was made from.
    pub study_id: String,
    /// The annotator it is for.
    pub rater: String,
    /// The parent study's file name without extension, as it was at export (absent in packages
    /// written before it was recorded).
    pub study_name: Option<String>,
    /// Profiles in the package.
    pub profiles: i64,
    /// Ratings in the package.
    pub ratings: i64,
    /// Checksum of what the annotator must not change (profiles, codebook, assignment).
    pub checksum: String,
}

/// What a merge did with one package.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct MergeReport {
    /// The package file's path.
    pub package: String,
    /// The package's identifier, once it was read.
    pub package_id: Option<String>,
    /// The annotator, once the package was read.
    pub rater: Option<String>,
    /// Ratings new to the study.
    pub added: usize,
    /// Ratings whose newer value replaced the study's.
    pub updated: usize,
    /// Ratings equal in both.
    pub unchanged: usize,
    /// Ratings where the study already had a newer value (kept; the package's is older).
    pub kept_newer: usize,
    /// Why the package was refused; empty when it was merged.
    pub refused: Option<String>,
    /// The copy of the study taken just before this package was merged (to undo it).
    pub snapshot: Option<std::path::PathBuf>,
    /// What the merger should know about a package that was merged (e.g. an older checksum).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<String>,
}

impl std::fmt::Display for MergeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.refused {
            Some(why) => write!(f, "{}: REFUSED: {why}", self.package),
            None => write!(
                f,
                "{} ({}): {} added, {} updated, {} unchanged, {} kept (study newer)",
                self.package,
                self.rater.as_deref().unwrap_or("?"),
                self.added,
                self.updated,
                self.unchanged,
                self.kept_newer
            )
            .and_then(|()| match &self.snapshot {
                Some(p) => write!(f, "; the study before it: {}", p.display()),
                None => Ok(()),
            })
            .and_then(|()| {
                self.notices
                    .iter()
                    .try_for_each(|n| write!(f, "\n  note: {n}"))
            }),
        }
    }
}

fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM study_meta WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Prefix of a checksum of the current kind (see [`immutable_checksum`]); a recorded checksum
/// without it was written by an earlier version ([`immutable_checksum_v1`]).
const CHECKSUM_V2: &str = "v2:";

/// How far an annotator's clock may run ahead of the PI's (rating times after "now" beyond this
/// are refused), and how far behind the package's export time an edit may be dated.
pub const CLOCK_SKEW_MS: i64 = 24 * 3600 * 1000;

/// Hash of everything the annotator sees and must not change: a typed, length-prefixed encoding
/// of every column of the profiles, texts, dimensions (name, label, definition, position,
/// scale with its anchors, level), codebook versions (with the guidelines), the rater and the
/// assignment, table by table in a fixed order. Unlike `|`-joined text, no two different
/// contents encode alike.
fn immutable_checksum(conn: &Connection, package_id: &str, study_id: &str) -> Result<String> {
    use rusqlite::types::ValueRef;
    let mut h = blake3::Hasher::new();
    let bytes = |h: &mut blake3::Hasher, b: &[u8]| {
        h.update(&(b.len() as u64).to_le_bytes());
        h.update(b);
    };
    bytes(&mut h, b"chameleon package checksum 2");
    bytes(&mut h, package_id.as_bytes());
    bytes(&mut h, study_id.as_bytes());
    let tables = [
        (
            "profile",
            "SELECT p.id, pe.name, c.name FROM profile p
               JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id ORDER BY p.id",
        ),
        (
            "profile_text",
            "SELECT id, profile_id, position, title, body, created_at, url, metadata, content_hash
               FROM profile_text ORDER BY id",
        ),
        (
            "dimension",
            "SELECT id, name, position, label, definition, scale, level FROM dimension ORDER BY id",
        ),
        (
            "codebook_version",
            "SELECT version, created_at, content FROM codebook_version ORDER BY version",
        ),
        ("rater", "SELECT id, name, kind FROM rater ORDER BY id"),
        (
            "assignment",
            "SELECT rater_id, profile_id, position FROM assignment ORDER BY rater_id, profile_id",
        ),
    ];
    for (table, q) in tables {
        bytes(&mut h, table.as_bytes());
        let mut st = conn.prepare(q)?;
        let n = st.column_count();
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            h.update(b"R");
            for i in 0..n {
                match r.get_ref(i)? {
                    ValueRef::Null => {
                        h.update(b"N");
                    }
                    ValueRef::Integer(v) => {
                        h.update(b"I");
                        h.update(&v.to_le_bytes());
                    }
                    ValueRef::Real(v) => {
                        h.update(b"F");
                        h.update(&v.to_bits().to_le_bytes());
                    }
                    ValueRef::Text(t) => {
                        h.update(b"T");
                        bytes(&mut h, t);
                    }
                    ValueRef::Blob(b) => {
                        h.update(b"B");
                        bytes(&mut h, b);
                    }
                }
            }
        }
        h.update(b"E");
    }
    Ok(format!("{CHECKSUM_V2}{}", h.finalize().to_hex()))
}

/// The checksum packages carried before [`CHECKSUM_V2`]: it leaves out the dimensions' label,
/// definition and position. Still accepted for packages exported by an earlier version (their
/// export record holds this kind), so a round already out with annotators can come back.
fn immutable_checksum_v1(conn: &Connection, package_id: &str, study_id: &str) -> Result<String> {
    let mut h = blake3::Hasher::new();
    let mut put = |s: &str| {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    put(package_id);
    put(study_id);
    let queries = [
        "SELECT p.id || '|' || pe.name || '|' || c.name FROM profile p
           JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id ORDER BY p.id",
        "SELECT profile_id || '|' || position || '|' || content_hash || '|' || body || '|' ||
                COALESCE(title, '') || '|' || COALESCE(created_at, '') || '|' || COALESCE(url, '') || '|' ||
                COALESCE(metadata, '') FROM profile_text ORDER BY id",
        "SELECT id || '|' || name || '|' || scale || '|' || level FROM dimension ORDER BY id",
        "SELECT version || '|' || content FROM codebook_version ORDER BY version",
        "SELECT id || '|' || name || '|' || kind FROM rater ORDER BY id",
        "SELECT rater_id || '|' || profile_id || '|' || position FROM assignment ORDER BY rater_id, position",
    ];
    for q in queries {
        put("\u{1}");
        let mut st = conn.prepare(q)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let s: String = r.get(0)?;
            put(&s);
        }
    }
    Ok(h.finalize().to_hex().to_string())
}

fn new_package_id(seed: &str, now: i64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut h = blake3::Hasher::new();
    h.update(seed.as_bytes());
    h.update(&now.to_le_bytes());
    h.update(&nanos.to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    h.finalize().to_hex()[..24].to_string()
}

/// `.<name>.partial` beside `out`: hidden, and never taken for a package (not `.chameleon`).
fn partial_path(out: &Path) -> std::path::PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "package".into());
    out.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

/// Removes a study file and its SQLite sidecars, ignoring the ones that are not there.
fn remove_study_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}

/// `<package>-wal` when it exists and is not empty.
fn wal_beside(package: &Path) -> Option<std::path::PathBuf> {
    let mut p = package.as_os_str().to_owned();
    p.push("-wal");
    let p = std::path::PathBuf::from(p);
    std::fs::metadata(&p)
        .ok()
        .filter(|m| m.len() > 0)
        .map(|_| p)
}

struct PackageRating {
    profile_id: i64,
    dimension_id: i64,
    value: Option<f64>,
    created_at: i64,
    updated_at: i64,
    seconds_spent: Option<f64>,
    codebook_version: i64,
    note: Option<String>,
    confidence: Option<f64>,
    /// "Can't judge" (value NULL): stored as such, never as a cleared rating.
    cant_judge: bool,
}

/// Writes a merged "can't judge" of `rater_id`, the newer change winning as for values; what
/// it did, as [`upsert_rating`] says it.
fn merge_cant_judge(
    conn: &Connection,
    pr: &PackageRating,
    rater_id: i64,
    source: &str,
) -> Result<Upsert> {
    let existing: Option<(i64, Option<f64>, bool, i64)> = conn
        .query_row(
            "SELECT id, value, cant_judge, updated_at FROM rating
              WHERE profile_id = ?1 AND dimension_id = ?2 AND rater_id = ?3",
            params![pr.profile_id, pr.dimension_id, rater_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? != 0, r.get(3)?)),
        )
        .optional()?;
    let (id, old, outcome) = match existing {
        Some((_, None, true, _)) => return Ok(Upsert::Unchanged),
        Some((_, _, _, updated_at)) if pr.updated_at <= updated_at => return Ok(Upsert::KeptNewer),
        Some((id, old, _, _)) => {
            conn.execute(
                "UPDATE rating SET value = NULL, cant_judge = 1, updated_at = ?2,
                        seconds_spent = ?3, codebook_version = ?4, note = ?5, confidence = ?6
                  WHERE id = ?1",
                params![
                    id,
                    pr.updated_at,
                    pr.seconds_spent,
                    pr.codebook_version,
                    pr.note,
                    pr.confidence
                ],
            )?;
            (id, old, Upsert::Updated)
        }
        None => {
            conn.execute(
                "INSERT INTO rating (profile_id, dimension_id, rater_id, value, created_at, updated_at,
                                     seconds_spent, codebook_version, note, confidence, cant_judge)
                 VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
                params![
                    pr.profile_id,
                    pr.dimension_id,
                    rater_id,
                    pr.created_at,
                    pr.updated_at,
                    pr.seconds_spent,
                    pr.codebook_version,
                    pr.note,
                    pr.confidence
                ],
            )?;
            (conn.last_insert_rowid(), None, Upsert::Added)
        }
    };
    conn.execute(
        "INSERT INTO rating_history (rating_id, old_value, new_value, changed_by, changed_at, source)
         VALUES (?1, ?2, NULL, ?3, ?4, ?5)",
        params![id, old, rater_id, pr.updated_at, source],
    )?;
    Ok(outcome)
}

impl Study {
    /// Writes an annotator package for `rater` to `out` (a new file): their assigned profiles,
    /// the codebook, and their own ratings only.
    pub fn export_package(&mut self, rater: &str, out: &Path) -> Result<PackageInfo> {
        let r = self
            .rater(rater)?
            .ok_or_else(|| CoreError::Invalid(format!("no rater named '{rater}' in this study")))?;
        let assigned: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM assignment WHERE rater_id = ?1",
            [r.id],
            |row| row.get(0),
        )?;
        if assigned == 0 {
            return Err(CoreError::Invalid(format!(
                "rater '{rater}' has no assigned profiles: design assignments first (chameleon assign)"
            )));
        }
        if self.read_only {
            return Err(CoreError::ReadOnly {
                path: self.path.clone(),
                action: "recording the package export".into(),
            });
        }
        let study_id = self.study_id()?;
        let now = self.now();
        let package_id = new_package_id(&format!("{study_id}/{rater}"), now);
        // So the annotator's app can say whose study the package came from.
        let study_name = self
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if out.exists() {
            return Err(CoreError::AlreadyExists {
                path: out.to_owned(),
            });
        }
        // Written under a temporary name in the target folder and moved into place only once
        // the study has recorded the export: a failure leaves no package the study disowns.
        let partial = partial_path(out);
        let result =
            self.write_package(&partial, out, &r, &study_id, &package_id, &study_name, now);
        if result.is_err() {
            remove_study_files(&partial);
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    fn write_package(
        &mut self,
        partial: &Path,
        out: &Path,
        r: &crate::model::Rater,
        study_id: &str,
        package_id: &str,
        study_name: &str,
        now: i64,
    ) -> Result<PackageInfo> {
        let mut pkg = Study::create(partial)?;
        let parent = std::fs::canonicalize(self.path()).map_err(|source| CoreError::Io {
            path: self.path.clone(),
            source,
        })?;
        {
            let c = &mut pkg.conn;
            c.execute("ATTACH DATABASE ?1 AS src", [parent.display().to_string()])?;
            let tx = c.transaction()?;
            tx.execute_batch(&format!(
                "CREATE TEMP TABLE mine AS SELECT profile_id, position FROM src.assignment WHERE rater_id = {rid};
                 INSERT INTO person SELECT * FROM src.person WHERE id IN
                   (SELECT person_id FROM src.profile WHERE id IN (SELECT profile_id FROM mine));
                 INSERT INTO context SELECT * FROM src.context WHERE id IN
                   (SELECT context_id FROM src.profile WHERE id IN (SELECT profile_id FROM mine));
                 INSERT INTO profile SELECT * FROM src.profile WHERE id IN (SELECT profile_id FROM mine);
                 INSERT INTO profile_text SELECT * FROM src.profile_text WHERE profile_id IN (SELECT profile_id FROM mine);
                 INSERT INTO codebook_version SELECT * FROM src.codebook_version;
                 INSERT INTO dimension SELECT * FROM src.dimension;
                 INSERT INTO rater SELECT * FROM src.rater WHERE id = {rid};
                 INSERT INTO assignment SELECT * FROM src.assignment WHERE rater_id = {rid};
                 INSERT INTO rating SELECT * FROM src.rating
                   WHERE rater_id = {rid} AND profile_id IN (SELECT profile_id FROM mine);
                 INSERT INTO rating_history SELECT * FROM src.rating_history
                   WHERE rating_id IN (SELECT id FROM rating) AND changed_by = {rid};
                 INSERT INTO profile_review SELECT * FROM src.profile_review
                   WHERE rater_id = {rid} AND profile_id IN (SELECT profile_id FROM mine);
                 DROP TABLE mine;",
                rid = r.id
            ))?;
            tx.execute(
                "INSERT OR REPLACE INTO study_meta (key, value) VALUES
                   ('study_id', ?1), ('package_id', ?2), ('package_of', ?1), ('package_rater', ?3),
                   ('package_study_name', ?4), ('package_exported_at', ?5), (?6, '0')",
                params![
                    study_id,
                    package_id,
                    r.name,
                    study_name,
                    now.to_string(),
                    super::PACKAGE_OPEN_KEY
                ],
            )?;
            let checksum = immutable_checksum(&tx, package_id, study_id)?;
            tx.execute(
                "INSERT INTO study_meta (key, value) VALUES ('package_checksum', ?1)",
                [&checksum],
            )?;
            tx.commit()?;
            c.execute("DETACH DATABASE src", [])?;
        }
        let info = pkg
            .package_info()?
            .ok_or_else(|| CoreError::Invalid("the package lost its markers".into()))?;
        // The package must be one self-contained file before it moves: no ratings in a `-wal`.
        pkg.close()?;
        let actor = self.actor.clone();
        let tx = self.write("recording the package export")?;
        tx.execute(
            "INSERT INTO package_export (package_id, rater_id, created_at, checksum, path)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                info.package_id,
                r.id,
                now,
                info.checksum,
                out.display().to_string()
            ],
        )?;
        audit(
            &tx,
            now,
            &actor,
            "package-export",
            &serde_json::json!({"rater": r.name, "profiles": info.profiles, "ratings": info.ratings, "file": out.display().to_string()}),
            Some(&info.package_id),
        )?;
        tx.commit()?;
        std::fs::rename(partial, out).map_err(|source| CoreError::Io {
            path: out.to_owned(),
            source,
        })?;
        Ok(info)
    }

    /// The package markers, when this study is an annotator package.
    pub fn package_info(&self) -> Result<Option<PackageInfo>> {
        let c = self.conn();
        let (Some(package_id), Some(study_id), Some(rater), Some(checksum)) = (
            meta(c, "package_id")?,
            meta(c, "package_of")?,
            meta(c, "package_rater")?,
            meta(c, "package_checksum")?,
        ) else {
            return Ok(None);
        };
        Ok(Some(PackageInfo {
            package_id,
            study_id,
            rater,
            study_name: meta(c, "package_study_name")?,
            profiles: c.query_row("SELECT COUNT(*) FROM profile", [], |r| r.get(0))?,
            ratings: c.query_row(
                "SELECT COUNT(*) FROM rating WHERE value IS NOT NULL",
                [],
                |r| r.get(0),
            )?,
            checksum,
        }))
    }

    /// Merges an annotator package back (one transaction). A package that cannot be merged is
    /// reported as refused, with the reason, and changes nothing; a read-only study is an error.
    pub fn merge_package(&mut self, package: &Path) -> Result<MergeReport> {
        let mut report = MergeReport {
            package: package.display().to_string(),
            ..Default::default()
        };
        if self.read_only {
            return Err(CoreError::ReadOnly {
                path: self.path.clone(),
                action: "merging packages".into(),
            });
        }
        let CheckedPackage {
            info,
            ratings,
            reviews,
            notices,
        } = match self.check_package(package) {
            Ok(x) => x,
            Err(why) => {
                report.refused = Some(why);
                return Ok(report);
            }
        };
        report.notices = notices;
        report.package_id = Some(info.package_id.clone());
        report.rater = Some(info.rater.clone());
        let rater_id: i64 = self.rater(&info.rater)?.map(|r| r.id).ok_or_else(|| {
            CoreError::Invalid(format!("rater '{}' vanished from the study", info.rater))
        })?;
        report.snapshot = Some(self.prepare_bulk_write("merge")?.take()?);
        let now = self.now();
        let actor = self.actor.clone();
        let source = format!("package {}", info.package_id);
        let tx = self.write("merging a package")?;
        for pr in &ratings {
            let outcome = if pr.cant_judge {
                merge_cant_judge(&tx, pr, rater_id, &source)?
            } else {
                // The one rating writer, with the merge's policy: the newer change wins.
                upsert_rating(
                    &tx,
                    &UpsertArgs {
                        profile_id: pr.profile_id,
                        dimension_id: pr.dimension_id,
                        rater_id,
                        value: pr.value,
                        now,
                        created_at: Some(pr.created_at),
                        updated_at: Some(pr.updated_at),
                        seconds_spent: pr.seconds_spent,
                        codebook_version: pr.codebook_version,
                        note: pr.note.as_deref(),
                        confidence: pr.confidence,
                        source: &source,
                        known_absent: false,
                        policy: Policy::NewerWins,
                    },
                )?
                .0
            };
            match outcome {
                Upsert::Added => report.added += 1,
                Upsert::Updated | Upsert::Cleared => report.updated += 1,
                Upsert::Unchanged => report.unchanged += 1,
                Upsert::KeptNewer => report.kept_newer += 1,
            }
        }
        for rv in &reviews {
            tx.execute(
                "INSERT INTO profile_review (rater_id, profile_id, flagged, note, confidence, seconds_spent, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (rater_id, profile_id) DO UPDATE SET flagged = ?3, note = ?4, confidence = ?5,
                     seconds_spent = ?6, updated_at = ?7 WHERE excluded.updated_at > profile_review.updated_at",
                params![
                    rater_id,
                    rv.profile_id,
                    rv.flagged,
                    rv.note,
                    rv.confidence,
                    rv.seconds_spent,
                    rv.updated_at
                ],
            )?;
        }
        if report.added + report.updated > 0 {
            tx.execute(
                "INSERT INTO package_merge (package_id, merged_at, added, updated) VALUES (?1, ?2, ?3, ?4)",
                params![info.package_id, now, report.added as i64, report.updated as i64],
            )?;
            audit(
                &tx,
                now,
                &actor,
                "package-merge",
                &serde_json::json!({"rater": info.rater, "added": report.added, "updated": report.updated,
                                    "unchanged": report.unchanged, "kept_newer": report.kept_newer}),
                Some(&info.package_id),
            )?;
        }
        tx.commit()?;
        Ok(report)
    }

    /// Everything a merge checks before it writes; `Err` is the reason for refusing.
    fn check_package(&self, package: &Path) -> std::result::Result<CheckedPackage, String> {
        // Before opening: SQLite would read a `-wal` beside the file, and an app may still be
        // writing to it.
        if let Some(wal) = wal_beside(package) {
            return Err(format!(
                "'{}' lies beside the package: the annotator's app still has it open, or stopped \
                 without folding its latest ratings into the package. Close the package in \
                 Chameleon Studio (or open it and close it again), then merge",
                wal.display()
            ));
        }
        let pkg = Study::open_read_only(package).map_err(|e| match e {
            CoreError::NotAStudy { .. } => {
                "not a Chameleon package (or the file is damaged)".to_string()
            }
            CoreError::Damaged { .. } => "the package is damaged or truncated".to_string(),
            CoreError::Sqlite(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) =>
            {
                "the package is damaged or truncated".to_string()
            }
            other => format!("cannot open the package: {other}"),
        })?;
        let damaged = |e: CoreError| format!("the package is damaged or truncated ({e})");
        let check: String = pkg
            .conn()
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| damaged(e.into()))?;
        if check != "ok" {
            return Err(format!(
                "the package is damaged or truncated (integrity check: {check})"
            ));
        }
        let info = pkg
            .package_info()
            .map_err(damaged)?
            .ok_or("this study is not an annotator package")?;
        if meta(pkg.conn(), super::PACKAGE_OPEN_KEY)
            .map_err(damaged)?
            .as_deref()
            == Some("1")
        {
            return Err(
                "the package was copied while Chameleon Studio had it open (or after the app \
                 stopped without closing it): ratings saved since it was opened may be only in \
                 its '-wal' file, which did not come with it. Ask the annotator to close the \
                 package in the app (or open it and close it again) and send it again"
                    .into(),
            );
        }
        let my_id = self.study_id().map_err(|e| e.to_string())?;
        if info.study_id != my_id {
            return Err(format!(
                "the package belongs to another study (study id {}, this study is {my_id})",
                info.study_id
            ));
        }
        let recorded: Option<(String, i64, i64)> = self
            .conn()
            .query_row(
                "SELECT checksum, rater_id, created_at FROM package_export WHERE package_id = ?1",
                [&info.package_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| e.to_string())?;
        let Some((recorded_sum, rater_id, exported_at)) = recorded else {
            return Err(format!(
                "package {} was not exported from this study",
                info.package_id
            ));
        };
        let mut notices = Vec::new();
        // The study's export record, not the package, says which kind of checksum applies, so a
        // tampered package cannot ask for the weaker one.
        let actual = if recorded_sum.starts_with(CHECKSUM_V2) {
            immutable_checksum(pkg.conn(), &info.package_id, &info.study_id)
        } else {
            notices.push(
                "exported by an earlier version: its checksum does not cover the dimensions' \
                 labels, definitions and order (export a new package to have them checked)"
                    .to_string(),
            );
            immutable_checksum_v1(pkg.conn(), &info.package_id, &info.study_id)
        }
        .map_err(damaged)?;
        if actual != info.checksum || actual != recorded_sum {
            return Err(
                "the package was tampered with: its profiles, codebook, rater or assignment \
                        differ from what was exported (checksum mismatch)"
                    .into(),
            );
        }
        let rater_name: Option<String> = self
            .conn()
            .query_row("SELECT name FROM rater WHERE id = ?1", [rater_id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| e.to_string())?;
        if rater_name.as_deref() != Some(info.rater.as_str()) {
            return Err(format!(
                "the package's rater '{}' does not match the export record",
                info.rater
            ));
        }
        let c = pkg.conn();
        for table in ["rating", "profile_review"] {
            let others: i64 = c
                .query_row(
                    &format!("SELECT COUNT(*) FROM {table} WHERE rater_id <> ?1"),
                    [rater_id],
                    |r| r.get(0),
                )
                .map_err(|e| e.to_string())?;
            if others > 0 {
                let what = if table == "rating" {
                    "rating(s)"
                } else {
                    "profile review(s)"
                };
                return Err(format!(
                    "the package holds {others} {what} by other raters (tampered)"
                ));
            }
        }
        let assigned: HashSet<i64> = {
            let mut st = self
                .conn()
                .prepare("SELECT profile_id FROM assignment WHERE rater_id = ?1")
                .map_err(|e| e.to_string())?;
            let v = st
                .query_map([rater_id], |r| r.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<HashSet<i64>>>())
                .map_err(|e| e.to_string())?;
            v
        };
        let read = || -> rusqlite::Result<Vec<PackageRating>> {
            let mut st = c.prepare(
                "SELECT profile_id, dimension_id, value, created_at, updated_at, seconds_spent,
                        codebook_version, note, confidence, cant_judge FROM rating ORDER BY id",
            )?;
            let v = st
                .query_map([], |r| {
                    Ok(PackageRating {
                        profile_id: r.get(0)?,
                        dimension_id: r.get(1)?,
                        value: r.get(2)?,
                        created_at: r.get(3)?,
                        updated_at: r.get(4)?,
                        seconds_spent: r.get(5)?,
                        codebook_version: r.get(6)?,
                        note: r.get(7)?,
                        confidence: r.get(8)?,
                        cant_judge: r.get::<_, i64>(9)? != 0,
                    })
                })?
                .collect();
            v
        };
        let ratings = read().map_err(|e| damaged(e.into()))?;
        let outside: Vec<i64> = {
            let mut v: Vec<i64> = ratings
                .iter()
                .map(|r| r.profile_id)
                .filter(|p| !assigned.contains(p))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        if !outside.is_empty() {
            let shown: Vec<String> = outside.iter().take(5).map(i64::to_string).collect();
            return Err(format!(
                "the package has ratings for {} profile(s) not assigned to '{}' (profile ids {}{})",
                outside.len(),
                info.rater,
                shown.join(", "),
                if outside.len() > 5 { ", …" } else { "" }
            ));
        }
        let dims: HashMap<i64, (String, Scale)> = {
            let mut st = self
                .conn()
                .prepare("SELECT id, name, scale FROM dimension")
                .map_err(|e| e.to_string())?;
            let v = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| e.to_string())?;
            v.into_iter()
                .map(|(id, name, scale)| {
                    serde_json::from_str(&scale)
                        .map(|s| (id, (name.clone(), s)))
                        .map_err(|e| format!("the study's scale of '{name}' is unreadable: {e}"))
                })
                .collect::<std::result::Result<_, String>>()?
        };
        if let Some(bad) = ratings.iter().find(|r| !dims.contains_key(&r.dimension_id)) {
            return Err(format!(
                "the package rates dimension id {} that this study lacks",
                bad.dimension_id
            ));
        }
        let versions: HashSet<i64> = {
            let mut st = self
                .conn()
                .prepare("SELECT version FROM codebook_version")
                .map_err(|e| e.to_string())?;
            let v = st
                .query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<HashSet<i64>>>())
                .map_err(|e| e.to_string())?;
            v
        };
        // The study's own copy of each rating: one the package did not change may be older than
        // the export; one it adds or changes cannot be.
        let mine: HashMap<(i64, i64), (Option<f64>, bool, i64)> = {
            let mut st = self
                .conn()
                .prepare(
                    "SELECT profile_id, dimension_id, value, cant_judge, updated_at FROM rating
                      WHERE rater_id = ?1",
                )
                .map_err(|e| e.to_string())?;
            let v = st
                .query_map([rater_id], |r| {
                    Ok((
                        (r.get(0)?, r.get(1)?),
                        (r.get(2)?, r.get::<_, i64>(3)? != 0, r.get(4)?),
                    ))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<HashMap<_, _>>>())
                .map_err(|e| e.to_string())?;
            v
        };
        let now = self.now();
        let times = TimeBounds { exported_at, now };
        let mut problems = Vec::new();
        for r in &ratings {
            let (dim_name, scale) = &dims[&r.dimension_id];
            let at = |m: String| format!("profile {}, '{dim_name}': {m}", r.profile_id);
            if let Some(v) = r.value {
                if let Err(m) = scale.check(v) {
                    problems.push(at(m));
                    continue;
                }
            }
            if r.codebook_version != 0 && !versions.contains(&r.codebook_version) {
                problems.push(at(format!(
                    "codebook version {} is not one of this study's",
                    r.codebook_version
                )));
                continue;
            }
            if let Err(m) = check_extras(r.confidence, r.seconds_spent) {
                problems.push(at(m));
                continue;
            }
            let changes = match mine.get(&(r.profile_id, r.dimension_id)) {
                None => r.value.is_some() || r.cant_judge,
                Some((old, old_cant, updated_at)) => {
                    (*old, *old_cant) != (r.value, r.cant_judge) && r.updated_at > *updated_at
                }
            };
            if let Err(m) = times.check(r.created_at, r.updated_at, changes) {
                problems.push(at(m));
            }
        }
        let reviews: Vec<PackageReview> = {
            let mut st = c
                .prepare(
                    "SELECT profile_id, flagged, note, confidence, seconds_spent, updated_at
                       FROM profile_review ORDER BY profile_id",
                )
                .map_err(|e| damaged(e.into()))?;
            let v = st
                .query_map([], |r| {
                    Ok(PackageReview {
                        profile_id: r.get(0)?,
                        flagged: r.get(1)?,
                        note: r.get(2)?,
                        confidence: r.get(3)?,
                        seconds_spent: r.get(4)?,
                        updated_at: r.get(5)?,
                    })
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| damaged(e.into()))?;
            v
        };
        for r in &reviews {
            let at = |m: String| format!("the review of profile {}: {m}", r.profile_id);
            if !assigned.contains(&r.profile_id) {
                problems.push(at(format!(
                    "the profile is not assigned to '{}' (or not in this study)",
                    info.rater
                )));
            } else if !(r.flagged == 0 || r.flagged == 1) {
                problems.push(at(format!("flagged is {}, not 0 or 1", r.flagged)));
            } else if let Err(m) = check_extras(r.confidence, Some(r.seconds_spent)) {
                problems.push(at(m));
            } else if let Err(m) = times.check(r.updated_at, r.updated_at, false) {
                problems.push(at(m));
            }
        }
        if let Some(first) = problems.first() {
            return Err(format!(
                "the package holds {} value(s) the study cannot accept, e.g. {first}{}",
                problems.len(),
                if problems.len() > 1 {
                    format!("; {}", problems[1..problems.len().min(3)].join("; "))
                } else {
                    String::new()
                }
            ));
        }
        Ok(CheckedPackage {
            info,
            ratings,
            reviews,
            notices,
        })
    }
}

/// What a merge takes from a package once every check passed.
struct CheckedPackage {
    info: PackageInfo,
    ratings: Vec<PackageRating>,
    reviews: Vec<PackageReview>,
    notices: Vec<String>,
}

struct PackageReview {
    profile_id: i64,
    flagged: i64,
    note: Option<String>,
    confidence: Option<f64>,
    seconds_spent: f64,
    updated_at: i64,
}

/// The times a package's ratings may carry: not after now (plus [`CLOCK_SKEW_MS`]), and, for a
/// rating the package adds or changes, not before its export (minus the same allowance).
struct TimeBounds {
    exported_at: i64,
    now: i64,
}

impl TimeBounds {
    fn check(
        &self,
        created_at: i64,
        updated_at: i64,
        changes: bool,
    ) -> std::result::Result<(), String> {
        let ts = crate::tidy::format_timestamp;
        if updated_at > self.now.saturating_add(CLOCK_SKEW_MS) {
            return Err(format!(
                "dated {}, later than now ({}) by more than 24 hours",
                ts(updated_at),
                ts(self.now)
            ));
        }
        if created_at > updated_at.saturating_add(CLOCK_SKEW_MS) {
            return Err(format!(
                "created {} after it was last changed ({})",
                ts(created_at),
                ts(updated_at)
            ));
        }
        if changes && updated_at < self.exported_at.saturating_sub(CLOCK_SKEW_MS) {
            return Err(format!(
                "dated {}, before the package was exported ({}) by more than 24 hours",
                ts(updated_at),
                ts(self.exported_at)
            ));
        }
        Ok(())
    }
}

/// Confidence in 0..1 and a non-negative time, as the app stores them.
fn check_extras(confidence: Option<f64>, seconds: Option<f64>) -> std::result::Result<(), String> {
    if let Some(c) = confidence {
        if !(0.0..=1.0).contains(&c) {
            return Err(format!("confidence {c} is not between 0 and 1"));
        }
    }
    if let Some(s) = seconds {
        if !s.is_finite() || s < 0.0 {
            return Err(format!("seconds spent {s} is not a non-negative number"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn the_old_checksum_was_ambiguous_and_the_new_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let sums = |person: &str, context: &str, file: &str| {
            let s = Study::create(&dir.path().join(file)).unwrap();
            s.conn()
                .execute_batch(&format!(
                    "INSERT INTO person (id, name) VALUES (1, '{person}');
                     INSERT INTO context (id, name) VALUES (1, '{context}');
                     INSERT INTO profile (id, person_id, context_id) VALUES (1, 1, 1);"
                ))
                .unwrap();
            (
                immutable_checksum_v1(s.conn(), "p", "s").unwrap(),
                immutable_checksum(s.conn(), "p", "s").unwrap(),
            )
        };
        let (v1a, v2a) = sums("a|b", "c", "a.db");
        let (v1b, v2b) = sums("a", "b|c", "b.db");
        assert_eq!(v1a, v1b, "`|`-joined fields collide");
        assert_ne!(v2a, v2b, "the typed, length-prefixed encoding does not");
    }

    #[test]
    fn a_package_exported_by_an_earlier_version_still_merges_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let files = crate::sample::demo(2, 4);
        let study = dir.path().join("s.db");
        let mut s = Study::create(&study).unwrap();
        s.import_profiles(&write(dir.path(), "p.jsonl", &files.profiles_jsonl))
            .unwrap();
        s.import_codebook(&write(dir.path(), "c.toml", &files.codebook_toml))
            .unwrap();
        s.design_assignments(&crate::assign::DesignParams {
            pool: vec!["ana".into(), "ben".into()],
            k: 1,
            extra_percent: 0.0,
            seed: 1,
            allow_same_person_in_a_row: false,
        })
        .unwrap();
        let out = dir.path().join("ana.chameleon");
        let info = s.export_package("ana", &out).unwrap();
        assert!(info.checksum.starts_with(CHECKSUM_V2), "{}", info.checksum);
        // What an earlier version wrote: the v1 checksum, in the package and the export record.
        let pkg = Connection::open(&out).unwrap();
        let v1 = immutable_checksum_v1(&pkg, &info.package_id, &info.study_id).unwrap();
        pkg.execute(
            "UPDATE study_meta SET value = ?1 WHERE key = 'package_checksum'",
            [&v1],
        )
        .unwrap();
        drop(pkg);
        s.conn()
            .execute(
                "UPDATE package_export SET checksum = ?1 WHERE package_id = ?2",
                [&v1, &info.package_id],
            )
            .unwrap();
        let r = s.merge_package(&out).unwrap();
        assert_eq!(r.refused, None, "{r}");
        assert!(r.notices[0].contains("earlier version"), "{r}");
        // A v2 export record cannot be answered with a v1 package (no downgrade).
        let out2 = dir.path().join("ana2.chameleon");
        let info2 = s.export_package("ana", &out2).unwrap();
        let pkg = Connection::open(&out2).unwrap();
        let v1 = immutable_checksum_v1(&pkg, &info2.package_id, &info2.study_id).unwrap();
        pkg.execute(
            "UPDATE study_meta SET value = ?1 WHERE key = 'package_checksum'",
            [&v1],
        )
        .unwrap();
        drop(pkg);
        let r = s.merge_package(&out2).unwrap();
        assert!(r.refused.is_some_and(|w| w.contains("tampered")));
    }
}
