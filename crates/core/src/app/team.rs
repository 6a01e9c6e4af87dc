//! The PI's team screen: assignment design and table, annotator packages (export, merge back),
//! the audit trail. The rule that a package is one annotator's copy — never designed in,
//! exported from or merged into — is enforced here, so the CLI and the app refuse alike.

use crate::assign::{AssignmentRow, DesignParams};
use crate::error::{CoreError, Result};
use crate::export::write_atomically;
use crate::store::{backups_dir, AuditEntry, MergeReport, PackageInfo, Study};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How many audit entries the view gets at most (newest first); the CSV export has them all.
pub const AUDIT_SHOWN: usize = 500;

/// A package is one annotator's copy: designing, exporting or merging in it would change what
/// its checksum covers, so the PI's team tools refuse there.
pub fn not_a_package(study: &Study, action: &str) -> Result<()> {
    match study.package_info()? {
        Some(p) => Err(CoreError::Package {
            rater: p.rater,
            action: action.to_owned(),
        }),
        None => Ok(()),
    }
}

fn writable(study: &Study, action: &str) -> Result<()> {
    if study.is_read_only() {
        return Err(CoreError::ReadOnly {
            path: study.path().to_owned(),
            action: action.to_owned(),
        });
    }
    Ok(())
}

/// The study's name as the app shows it: its file name without extension.
pub fn study_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// An annotator package's markers: shown instead of the PI's tools when the open study is one.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PackageSummary {
    pub package_id: String,
    pub study_id: String,
    /// The parent study's name (file name without extension) when the package records it.
    pub study_name: Option<String>,
    pub rater: String,
    pub profiles: i64,
    pub ratings: i64,
}

impl From<PackageInfo> for PackageSummary {
    fn from(p: PackageInfo) -> Self {
        PackageSummary {
            package_id: p.package_id,
            study_id: p.study_id,
            study_name: p.study_name,
            rater: p.rater,
            profiles: p.profiles,
            ratings: p.ratings,
        }
    }
}

/// The assignment design form, as the person fills it in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DesignRequest {
    /// Annotator names.
    pub pool: Vec<String>,
    /// Annotators per profile.
    pub k: u32,
    /// Percent of profiles (stratified by context) that get one annotator more; 0 = none.
    pub extra_percent: f64,
    pub seed: u64,
    pub allow_same_person_in_a_row: bool,
}

/// What the team view shows on entry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TeamOverview {
    pub study_name: String,
    /// Set when the open study is an annotator package: then only this is shown.
    pub package: Option<PackageSummary>,
    pub rows: Vec<AssignmentRow>,
    /// The latest design's parameters, to show in the form again.
    pub last_design: Option<DesignRequest>,
    /// Where snapshots taken before merges and imports go.
    pub backups_dir: String,
    pub read_only: bool,
}

pub fn overview(study: &Study) -> Result<TeamOverview> {
    Ok(TeamOverview {
        study_name: study_name(study.path()),
        package: study.package_info()?.map(PackageSummary::from),
        rows: study.assignment_table()?,
        last_design: study.last_design()?.map(|d| DesignRequest {
            pool: d.pool,
            k: u32::try_from(d.k).unwrap_or(u32::MAX),
            extra_percent: d.extra_percent,
            seed: d.seed,
            allow_same_person_in_a_row: d.allow_same_person_in_a_row,
        }),
        backups_dir: backups_dir(study.path()).display().to_string(),
        read_only: study.is_read_only(),
    })
}

pub fn package_summary(study: &Study) -> Result<Option<PackageSummary>> {
    Ok(study.package_info()?.map(PackageSummary::from))
}

/// Designs and stores the assignments: names trimmed, blank ones dropped, refused in a
/// package and for an empty pool.
pub fn design(study: &mut Study, request: &DesignRequest) -> Result<Vec<AssignmentRow>> {
    not_a_package(study, "assignment design")?;
    let pool: Vec<String> = request
        .pool
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if pool.is_empty() {
        return Err(CoreError::Invalid(
            "Name at least one annotator in the pool.".into(),
        ));
    }
    let rows = study.design_assignments(&DesignParams {
        pool: pool.clone(),
        k: request.k as usize,
        extra_percent: request.extra_percent,
        seed: request.seed,
        allow_same_person_in_a_row: request.allow_same_person_in_a_row,
    })?;
    study.record(
        "assignment-design",
        &serde_json::json!({
            "pool": pool,
            "k": request.k,
            "extra_percent": request.extra_percent,
            "seed": request.seed,
            "assigned": rows.iter().map(|r| r.assigned).sum::<i64>(),
        }),
    )?;
    Ok(rows)
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ExportedPackage {
    pub path: String,
    pub package_id: String,
    pub rater: String,
    pub profiles: i64,
    /// The annotator's own earlier ratings carried in the package.
    pub ratings: i64,
    pub bytes: i64,
}

/// What to do when the package file exists already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse (the CLI: nothing is overwritten unasked).
    Refuse,
    /// Replace it (the app: its save dialog already asked).
    Replace,
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Removes a study file and its WAL companions (a package being replaced).
pub fn remove_study_files(path: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm", ""] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(CoreError::Io { path: p, source }),
        }
    }
    Ok(())
}

/// Writes `rater`'s package to `path`. Everything that would be refused is checked before an
/// existing file is replaced, so a refused export never loses the file.
pub fn export_package(
    study: &mut Study,
    rater: &str,
    path: &Path,
    existing: Existing,
) -> Result<ExportedPackage> {
    not_a_package(study, "exporting packages")?;
    if same_file(path, study.path()) {
        return Err(CoreError::Invalid(
            "Choose another file: this is the open study itself.".into(),
        ));
    }
    writable(study, "recording the package export")?;
    let assigned = study
        .assignment_table()?
        .iter()
        .any(|r| r.rater == rater && r.assigned > 0);
    if !assigned {
        return Err(CoreError::Invalid(format!(
            "'{rater}' has no assigned profiles: design assignments first."
        )));
    }
    if existing == Existing::Replace && path.exists() {
        remove_study_files(path)?;
    }
    let info = study.export_package(rater, path)?;
    let bytes = std::fs::metadata(path).map(|m| m.len() as i64).unwrap_or(0);
    Ok(ExportedPackage {
        path: path.display().to_string(),
        package_id: info.package_id,
        rater: info.rater,
        profiles: info.profiles,
        ratings: info.ratings,
        bytes,
    })
}

/// What the merge did with one package file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MergedPackage {
    pub path: String,
    pub file_name: String,
    pub package_id: Option<String>,
    pub rater: Option<String>,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Ratings the study already had in a newer version (kept).
    pub kept_newer: i64,
    /// Why the package was refused (then nothing of it was merged).
    pub refused: Option<String>,
    /// The copy of the study taken just before this package was merged.
    pub snapshot: Option<String>,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

impl MergedPackage {
    fn from_report(path: &Path, r: MergeReport) -> Self {
        MergedPackage {
            path: path.display().to_string(),
            file_name: file_name(path),
            package_id: r.package_id,
            rater: r.rater,
            added: r.added as i64,
            updated: r.updated as i64,
            unchanged: r.unchanged as i64,
            kept_newer: r.kept_newer as i64,
            refused: r.refused,
            snapshot: r.snapshot.map(|p| p.display().to_string()),
        }
    }

    fn refused(path: &Path, why: String) -> Self {
        MergedPackage {
            path: path.display().to_string(),
            file_name: file_name(path),
            package_id: None,
            rater: None,
            added: 0,
            updated: 0,
            unchanged: 0,
            kept_newer: 0,
            refused: Some(why),
            snapshot: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MergeOutcome {
    pub reports: Vec<MergedPackage>,
    /// The folder the pre-merge snapshots went to; `null` when nothing was merged (refused
    /// packages are checked before any snapshot).
    pub backups_dir: Option<String>,
}

impl MergeOutcome {
    pub fn refused(&self) -> usize {
        self.reports.iter().filter(|r| r.refused.is_some()).count()
    }
}

/// Merges each package in its own transaction (the store's); a package that fails for any
/// reason is reported as refused and changed nothing, the others go on.
pub fn merge_packages(study: &mut Study, paths: &[PathBuf]) -> Result<MergeOutcome> {
    not_a_package(study, "merging")?;
    writable(study, "merging packages")?;
    let mut reports = Vec::with_capacity(paths.len());
    for path in paths {
        // One package's failure must not stop the others; a study that cannot be written
        // stops them all.
        let merged = match study.merge_package(path) {
            Ok(r) => MergedPackage::from_report(path, r),
            Err(e @ (CoreError::ReadOnly { .. } | CoreError::Locked { .. })) => return Err(e),
            Err(e) => MergedPackage::refused(path, e.to_string()),
        };
        // The store records a merge that changed ratings; a refused one and a re-merge that
        // changed nothing are the PI's actions too.
        if let Some(why) = &merged.refused {
            study.record(
                "package-merge-refused",
                &serde_json::json!({"file": merged.file_name, "rater": merged.rater, "reason": why}),
            )?;
        } else if merged.added + merged.updated == 0 {
            study.record(
                "package-merge-unchanged",
                &serde_json::json!({"file": merged.file_name, "rater": merged.rater,
                                    "unchanged": merged.unchanged, "kept_newer": merged.kept_newer}),
            )?;
        }
        reports.push(merged);
    }
    let merged = reports.iter().any(|r| r.refused.is_none());
    Ok(MergeOutcome {
        reports,
        backups_dir: merged.then(|| backups_dir(study.path()).display().to_string()),
    })
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditKindCount {
    pub kind: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditTrail {
    /// Newest first, at most [`AUDIT_SHOWN`], of the chosen kind.
    pub entries: Vec<AuditEntry>,
    /// Entries of the chosen kind in the whole trail.
    pub total: i64,
    /// Every kind in the trail with its count, for the filter.
    pub kinds: Vec<AuditKindCount>,
}

/// The trail newest first, of one kind (`None` = all), with a count of every kind.
pub fn audit_trail(study: &Study, kind: Option<&str>) -> Result<AuditTrail> {
    let log = study.audit_log()?;
    let mut kinds: Vec<AuditKindCount> = Vec::new();
    for e in &log {
        match kinds.iter_mut().find(|k| k.kind == e.action) {
            Some(k) => k.count += 1,
            None => kinds.push(AuditKindCount {
                kind: e.action.clone(),
                count: 1,
            }),
        }
    }
    kinds.sort_by(|a, b| a.kind.cmp(&b.kind));
    let chosen: Vec<AuditEntry> = log
        .into_iter()
        .rev()
        .filter(|e| kind.is_none_or(|k| e.action == k))
        .collect();
    let total = chosen.len() as i64;
    Ok(AuditTrail {
        entries: chosen.into_iter().take(AUDIT_SHOWN).collect(),
        total,
        kinds,
    })
}

/// Writes the trail (of one kind, `None` = all) as CSV to `path` (`-` = stdout); the number of
/// entries written.
pub fn export_audit(study: &Study, path: &Path, kind: Option<&str>) -> Result<usize> {
    let mut n = 0;
    write_atomically(path, |w| {
        n = study.export_audit_of(w, kind)?;
        Ok(())
    })?;
    Ok(n)
}

#[cfg(test)]
mod tests;

// ---- the study's data from the app: ratings and profiles in, raw ratings out ----

/// What an import from the app did (core's [`crate::import::ImportReport`] for the view).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Imported {
    /// `ratings` or `profiles`.
    pub kind: String,
    /// The file's name.
    pub source: String,
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// What did not stop the import (raters or dimensions created, columns ignored).
    pub notices: Vec<String>,
}

impl From<crate::import::ImportReport> for Imported {
    fn from(r: crate::import::ImportReport) -> Self {
        Imported {
            kind: r.kind,
            source: r.source,
            added: r.added as u32,
            updated: r.updated as u32,
            unchanged: r.unchanged as u32,
            notices: r.notices,
        }
    }
}

/// The shape of a ratings file: long (one rating per row) or wide (one column per dimension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum RatingsShape {
    Long,
    Wide,
}

/// Imports a ratings file as `chameleon import ratings` does: all or nothing, every bad row
/// named by line and column ([`CoreError::Input`]); raters it creates get `kind`.
pub fn import_ratings(
    study: &mut Study,
    path: &Path,
    shape: RatingsShape,
    kind: crate::model::RaterKind,
) -> Result<Imported> {
    writable(study, "import ratings")?;
    not_a_package(study, "import ratings into")?;
    let opts = crate::RatingsImportOptions { rater_kind: kind };
    let report = match shape {
        RatingsShape::Long => study.import_ratings(path, &opts)?,
        RatingsShape::Wide => study.import_ratings_wide(path, None, &opts)?,
    };
    Ok(report.into())
}

/// Adds the profiles of a file (CSV or JSONL) as `chameleon import profiles` does.
pub fn add_profiles(study: &mut Study, path: &Path) -> Result<Imported> {
    writable(study, "add profiles")?;
    not_a_package(study, "add profiles to")?;
    Ok(study.import_profiles(path)?.into())
}

/// Writes every current rating to `path` (long or wide CSV, as `chameleon export ratings`),
/// with provenance in the long shape; the number of rows written.
pub fn export_ratings(study: &Study, path: &Path, shape: RatingsShape) -> Result<usize> {
    if path.as_os_str().is_empty() || path.as_os_str() == "-" {
        return Err(CoreError::Invalid("no file chosen".into()));
    }
    let opts = crate::export::RatingsExportOptions {
        provenance: shape == RatingsShape::Long,
        include_adjudicated: false,
        labels: false,
    };
    // The format the file's extension names, as `chameleon export ratings` writes it.
    study.export_ratings_to(path, opts, shape == RatingsShape::Wide)
}
