//! The audit trail (append-only, enforced by triggers) and snapshots taken before imports and
//! merges.

use super::Study;
use crate::error::{CoreError, Result};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How many snapshots to keep in the backups folder.
pub const DEFAULT_BACKUPS_KEPT: usize = 10;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
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

/// The person at the keyboard, for audit entries of imports and merges.
pub fn default_actor() -> String {
    std::env::var("CHAMELEON_USER")
        .or_else(|_| std::env::var("USER"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// `text` with a leading `'` when a spreadsheet would read it as a formula (CSV injection).
pub fn neutralise_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
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
    /// The whole audit trail, oldest first.
    pub fn audit_log(&self) -> Result<Vec<AuditEntry>> {
        let mut st = self
            .conn()
            .prepare("SELECT at, actor, action, detail, package_id FROM audit_log ORDER BY id")?;
        let rows = st
            .query_map([], |r| {
                Ok(AuditEntry {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
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
    /// a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a
    /// leading `'`: actor names and package details come from annotators' machines.
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
        let dir = backups_dir(self.path());
        std::fs::create_dir_all(&dir).map_err(|source| CoreError::Io {
            path: dir.clone(),
            source,
        })?;
        let stem = self
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "study".into());
        let stamp = chrono::DateTime::from_timestamp_millis(self.now())
            .map(|d| d.format("%Y%m%dT%H%M%S%.3fZ").to_string())
            .unwrap_or_else(|| self.now().to_string());
        let reason: String = reason
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let mut target = dir.join(format!("{stem}-{stamp}-{reason}.db"));
        let mut n = 1;
        while target.exists() {
            target = dir.join(format!("{stem}-{stamp}-{reason}-{n}.db"));
            n += 1;
        }
        let mut dst = Connection::open(&target)?;
        {
            let b = rusqlite::backup::Backup::new(self.conn(), &mut dst)?;
            b.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        }
        drop(dst);
        self.prune_backups(&dir, &stem)?;
        Ok(target)
    }

    fn prune_backups(&self, dir: &Path, stem: &str) -> Result<()> {
        let prefix = format!("{stem}-");
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| CoreError::Io {
                path: dir.to_owned(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|e| e == "db")
                    && p.file_name().is_some_and(|n| {
                        n.to_string_lossy()
                            .strip_prefix(&prefix)
                            .is_some_and(starts_with_stamp)
                    })
            })
            .collect();
        // Names embed a sortable UTC timestamp.
        files.sort();
        let keep = self.backups_kept();
        if files.len() > keep {
            for old in &files[..files.len() - keep] {
                let _ = std::fs::remove_file(old);
            }
        }
        Ok(())
    }
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
    fn snapshot_names_are_told_from_other_studies_names() {
        assert!(starts_with_stamp("20261123T172301.162Z-merge.db"));
        assert!(!starts_with_stamp("2-20261123T172301.162Z-merge.db"));
        assert!(!starts_with_stamp("20261123T172301.162Z"));
        assert!(!starts_with_stamp("notes.db"));
    }

    #[test]
    fn formula_looking_cells_are_neutralised_and_plain_text_is_kept() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx"] {
            assert_eq!(
                neutralise_formula(bad),
                format!("'{bad}"),
                "a spreadsheet must not run {bad:?}"
            );
        }
        for ok in ["ana", "{\"rater\":\"ana\"}", "", "2026-01-01"] {
            assert_eq!(neutralise_formula(ok), ok, "plain text stays as it is");
        }
    }
}
