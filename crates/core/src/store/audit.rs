//! The audit trail (append-only, enforced by triggers) and snapshots taken before imports and
//! merges.

use super::Study;
use crate::error::{CoreError, Result};
use crate::export::neutralise_formula;
use rusqlite::{params, Connection};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How many snapshots to keep in the backups folder.
pub const DEFAULT_BACKUPS_KEPT: usize = 10;

/// One entry of the audit trail.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// When, ms since the Unix epoch.
    pub at: i64,
    /// Who: the OS user for imports and merges, the rater for rating changes.
    pub actor: String,
    /// What: `import-profiles`, `rate`, `edit`, `clear`, `package-merge`, ….
    pub action: String,
    /// Details as JSON.
    pub detail: String,
    /// The package the change came from, for package exports and merges.
    pub package_id: Option<String>,
}

pub(crate) fn audit(
    conn: &Connection,
    at: i64,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
    package_id: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, detail, package_id) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![at, actor, action, detail.to_string(), package_id])?;
    Ok(())
}

/// The person at the keyboard, for audit entries of the PI's actions (imports, codebook
/// edits, designs, exports, merges, adjudication): `CHAMELEON_USER`, else the login name the
/// system gives (a desktop launch may set only some of `USER`, `LOGNAME`, `USERNAME`), else
/// the home folder's name; "unknown" only when none of them is there.
pub fn default_actor() -> String {
    actor_from(|k| std::env::var(k).ok())
}

fn actor_from(var: impl Fn(&str) -> Option<String>) -> String {
    ["CHAMELEON_USER", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|k| var(k))
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .or_else(|| {
            ["HOME", "USERPROFILE"]
                .iter()
                .filter_map(|k| var(k))
                .filter_map(|h| {
                    Path::new(h.trim())
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                })
                .find(|n| !n.is_empty() && n != "root")
        })
        .unwrap_or_else(|| "unknown".into())
}

/// `<study folder>/backups`.
pub fn backups_dir(study: &Path) -> PathBuf {
    study
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("backups")
}

impl Study {
    /// Records one of the PI's actions that the store does not record itself (a design, a
    /// refused or no-op merge), as the study's actor, now. `detail` names persons, contexts,
    /// raters and files, not internal ids.
    pub fn record(&self, action: &str, detail: &serde_json::Value) -> Result<()> {
        if self.is_read_only() {
            return Ok(());
        }
        audit(self.conn(), self.now(), self.actor(), action, detail, None)
    }

    /// The whole audit trail, oldest first: the `audit_log` entries and the annotators' own
    /// rating changes, which are read from `rating_history` (the one record of them) as
    /// `rate`, `edit` and `clear` entries. Studies written before the two were one still hold
    /// an `audit_log` duplicate of each such change; it is left out.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        // A rating change's detail is made here (as it was when written), not by SQLite's JSON
        // functions, so its numbers read exactly as before.
        let mut st = self.conn().prepare_cached(
            "SELECT at, actor, action, detail, package_id, NULL, NULL, 0 AS trail, id FROM audit_log
              WHERE action NOT IN ('rate', 'edit', 'clear')
             UNION ALL
             SELECT h.changed_at, t.name,
                    CASE WHEN h.new_value IS NULL THEN 'clear'
                         WHEN EXISTS (SELECT 1 FROM rating_history e
                                       WHERE e.rating_id = h.rating_id AND e.id < h.id) THEN 'edit'
                         ELSE 'rate' END,
                    d.name, NULL, r.profile_id, h.new_value, 1, h.id
               FROM rating_history h JOIN rating r ON r.id = h.rating_id
               JOIN dimension d ON d.id = r.dimension_id JOIN rater t ON t.id = h.changed_by
              WHERE h.source = ?1
             ORDER BY 1, 8, 9",
        )?;
        let rows = st
            .query_map([super::ratings::ANNOTATE_SOURCE], |r| {
                let from_history = r.get::<_, i64>(7)? == 1;
                let detail: String = if from_history {
                    let (dimension, profile_id, value): (String, i64, Option<f64>) =
                        (r.get(3)?, r.get(5)?, r.get(6)?);
                    serde_json::json!({"profile_id": profile_id, "dimension": dimension, "value": value})
                        .to_string()
                } else {
                    r.get(3)?
                };
                Ok(AuditEntry {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    detail,
                    package_id: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Writes the audit trail as CSV (`at,actor,action,detail,package_id`).
    pub fn export_audit(&self, out: &mut dyn std::io::Write) -> Result<usize> {
        self.export_audit_of(out, None)
    }

    /// Writes the audit entries of one kind (`action`), or all of them, as CSV. Text cells that
    /// a spreadsheet would run as a formula get a leading `'` (see
    /// [`neutralise_formula`]): actor names and package details come from annotators' machines.
    pub fn export_audit_of(
        &self,
        out: &mut dyn std::io::Write,
        action: Option<&str>,
    ) -> Result<usize> {
        let mut w = csv::Writer::from_writer(out);
        let err = |e: csv::Error| CoreError::Invalid(format!("writing CSV failed: {e}"));
        w.write_record(["at", "actor", "action", "detail", "package_id"])
            .map_err(err)?;
        let rows: Vec<AuditEntry> = self
            .audit_log()?
            .into_iter()
            .filter(|e| action.is_none_or(|a| e.action == a))
            .collect();
        for e in &rows {
            w.write_record([
                crate::tidy::format_timestamp(e.at),
                neutralise_formula(&e.actor),
                neutralise_formula(&e.action),
                neutralise_formula(&e.detail),
                neutralise_formula(e.package_id.as_deref().unwrap_or_default()),
            ])
            .map_err(err)?;
        }
        w.flush()
            .map_err(|e| CoreError::Invalid(format!("writing CSV failed: {e}")))?;
        Ok(rows.len())
    }

    /// Snapshots the study with SQLite's backup API into the backups folder next to it,
    /// keeping the newest `self.backups_kept`. Returns the snapshot's path.
    pub fn snapshot(&self, reason: &str) -> Result<PathBuf> {
        self.snapshot_plan(reason).take()
    }

    /// A snapshot of the study as it is committed now, to be taken with [`SnapshotPlan::take`]
    /// once a bulk change has passed its checks (a refused change writes no backup).
    pub(crate) fn snapshot_plan(&self, reason: &str) -> SnapshotPlan {
        SnapshotPlan {
            study: self.path().to_owned(),
            at: self.now(),
            kept: self.backups_kept(),
            reason: reason.to_owned(),
        }
    }
}

/// Where and when to snapshot a study; see [`Study::snapshot_plan`].
#[must_use = "a snapshot plan writes nothing until it is taken"]
pub(crate) struct SnapshotPlan {
    study: PathBuf,
    at: i64,
    kept: usize,
    reason: String,
}

impl SnapshotPlan {
    /// Copies the study's committed state (read through a connection of its own, so the copy
    /// never holds the caller's uncommitted transaction) to a hidden `.partial` name, syncs it
    /// and renames it into place: a killed snapshot leaves no half-written `.db` behind. Then
    /// prunes the folder to the newest `kept` valid snapshots.
    pub(crate) fn take(&self) -> Result<PathBuf> {
        let dir = backups_dir(&self.study);
        std::fs::create_dir_all(&dir).map_err(|source| CoreError::Io {
            path: dir.clone(),
            source,
        })?;
        let stem = self
            .study
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "study".into());
        let stamp = chrono::DateTime::from_timestamp_millis(self.at)
            .map(|d| d.format("%Y%m%dT%H%M%S%.3fZ").to_string())
            .unwrap_or_else(|| self.at.to_string());
        let reason: String = self
            .reason
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let mut target = dir.join(format!("{stem}-{stamp}-{reason}.db"));
        let mut n = 1;
        while target.exists() {
            target = dir.join(format!("{stem}-{stamp}-{reason}-{n}.db"));
            n += 1;
        }
        let partial = partial_name(&target);
        let result = copy_study(&self.study, &partial).and_then(|()| {
            std::fs::rename(&partial, &target).map_err(|source| CoreError::Io {
                path: target.clone(),
                source,
            })
        });
        if let Err(e) = result {
            remove_with_journal(&partial);
            return Err(e);
        }
        // Best effort: the rename is durable once the folder is synced.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        prune_backups(&dir, &stem, self.kept)?;
        Ok(target)
    }
}

/// A snapshot being taken on a thread of its own ([`SnapshotPlan::start`]).
#[must_use = "a bulk change waits for its snapshot before it commits"]
pub(crate) struct PendingSnapshot(std::thread::JoinHandle<Result<PathBuf>>);

impl SnapshotPlan {
    /// Takes the snapshot on a thread of its own, so its copy and syncs overlap the bulk
    /// change's writes: it reads the committed state through its own connection, which the
    /// caller's open transaction does not change. The caller waits for it before committing.
    pub(crate) fn start(self) -> PendingSnapshot {
        PendingSnapshot(std::thread::spawn(move || self.take()))
    }
}

impl PendingSnapshot {
    /// The snapshot's path once it is on disk, or why it could not be taken.
    pub(crate) fn wait(self) -> Result<PathBuf> {
        self.0
            .join()
            .map_err(|_| CoreError::Invalid("taking the snapshot failed unexpectedly".into()))?
    }
}

/// `.<name>.<pid>.partial` beside `target`: neither `.db` nor visible, so never counted.
fn partial_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

fn remove_with_journal(path: &Path) {
    let _ = std::fs::remove_file(path);
    let mut j = path.as_os_str().to_owned();
    j.push("-journal");
    let _ = std::fs::remove_file(PathBuf::from(j));
}

fn copy_study(study: &Path, to: &Path) -> Result<()> {
    let src = Connection::open_with_flags(
        study,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    src.busy_timeout(super::BUSY_TIMEOUT)?;
    let mut dst = Connection::open(to)?;
    // The copy goes to a hidden `.partial` name and becomes a snapshot only once synced and
    // renamed: a rollback journal and per-step syncs of the destination would protect a file
    // that is thrown away when interrupted (five fsyncs and a journal for an empty study).
    dst.pragma_update(None, "journal_mode", "OFF")?;
    dst.pragma_update(None, "synchronous", "OFF")?;
    {
        let b = rusqlite::backup::Backup::new(&src, &mut dst)?;
        b.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
    }
    dst.close().map_err(|(_, e)| CoreError::Sqlite(e))?;
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(|source| CoreError::Io {
            path: to.to_owned(),
            source,
        })
}

/// A snapshot file that can be restored: a complete SQLite study (header and application id)
/// with no `-journal` beside it (which would mean a write to it was interrupted).
pub(crate) fn is_valid_snapshot(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 100];
    let ok = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok();
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    ok && &head[..16] == b"SQLite format 3\0"
        && i32::from_be_bytes([head[68], head[69], head[70], head[71]])
            == super::migrations::APPLICATION_ID
        && !Path::new(&journal).exists()
}

/// How old another process's leftover `.partial` must be before pruning removes it (a live
/// snapshot of a large study may take a while).
const STALE_PARTIAL: std::time::Duration = std::time::Duration::from_secs(600);

/// Keeps the newest `keep` valid snapshots of `stem`; removes invalid ones (a 0-byte or
/// interrupted copy from an earlier version) and leftover partial copies.
fn prune_backups(dir: &Path, stem: &str, keep: usize) -> Result<()> {
    let prefix = format!("{stem}-");
    let partial_prefix = format!(".{stem}-");
    let own = format!(".{}.partial", std::process::id());
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|source| CoreError::Io {
        path: dir.to_owned(),
        source,
    })? {
        let Ok(entry) = entry else { continue };
        let p = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(rest) = name.strip_prefix(&partial_prefix) {
            let is_partial = name.ends_with(".partial") || name.ends_with(".partial-journal");
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_PARTIAL);
            if is_partial && starts_with_stamp(rest) && (stale || name.contains(&own)) {
                let _ = std::fs::remove_file(&p);
            }
            continue;
        }
        let ours = p.extension().is_some_and(|e| e == "db")
            && name.strip_prefix(&prefix).is_some_and(starts_with_stamp);
        if !ours {
            continue;
        }
        if is_valid_snapshot(&p) {
            files.push(p);
        } else {
            tracing::warn!(path = %p.display(), "removing an invalid snapshot");
            remove_with_journal(&p);
        }
    }
    // Names embed a sortable UTC timestamp.
    files.sort();
    if files.len() > keep {
        for old in &files[..files.len() - keep] {
            let _ = std::fs::remove_file(old);
        }
    }
    Ok(())
}

/// True when `rest` starts with a snapshot time stamp (`20260102T030405.678Z-`): the study
/// `pilot` must not count `pilot-2`'s snapshots as its own when pruning.
fn starts_with_stamp(rest: &str) -> bool {
    let b = rest.as_bytes();
    b.len() >= 21
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'.'
        && b[16..19].iter().all(u8::is_ascii_digit)
        && b[19] == b'Z'
        && b[20] == b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_falls_back_from_the_login_name_to_the_home_folder_issue_15() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            actor_from(env(&[("CHAMELEON_USER", "pi"), ("USER", "x")])),
            "pi"
        );
        assert_eq!(
            actor_from(env(&[("USER", " "), ("LOGNAME", "lena")])),
            "lena"
        );
        assert_eq!(actor_from(env(&[("HOME", "/home/lena")])), "lena");
        assert_eq!(actor_from(env(&[("HOME", "/root")])), "unknown");
        assert_eq!(actor_from(env(&[])), "unknown");
    }

    #[test]
    fn snapshot_names_are_told_from_other_studies_names() {
        assert!(starts_with_stamp("20261123T172301.162Z-merge.db"));
        assert!(!starts_with_stamp("2-20261123T172301.162Z-merge.db"));
        assert!(!starts_with_stamp("20261123T172301.162Z"));
        assert!(!starts_with_stamp("notes.db"));
    }
}
