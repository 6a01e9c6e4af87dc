//! Team view: assignment design and table, annotator packages (export, merge back), the audit
//! trail. Thin adapters over `chameleon_core` (assignment, package and audit live there); each
//! command is a plain function over the [`Session`] (unit-tested below) wrapped by a
//! `#[tauri::command]` that runs it off the UI thread.

use crate::commands::start::{study_name, summary};
use crate::error::{AppError, AppResult};
use crate::events;
use crate::state::{AppState, Session};
use chameleon_core::assign::{AssignmentRow, DesignParams};
use chameleon_core::export::write_atomically;
use chameleon_core::store::{backups_dir, AuditEntry, MergeReport, PackageInfo, Study};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tauri::{AppHandle, State};
use ts_rs::TS;

/// How many audit entries the view gets at most (newest first); the CSV export has them all.
pub const AUDIT_SHOWN: usize = 500;

/// An annotator package's markers: shown instead of the PI's tools when the open study is one.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PackageInfoDto {
    pub package_id: String,
    pub study_id: String,
    /// The parent study's name (file name without extension) when the package records it.
    pub study_name: Option<String>,
    pub rater: String,
    pub profiles: i64,
    pub ratings: i64,
}

impl From<PackageInfo> for PackageInfoDto {
    fn from(p: PackageInfo) -> Self {
        PackageInfoDto {
            package_id: p.package_id,
            study_id: p.study_id,
            study_name: p.study_name,
            rater: p.rater,
            profiles: p.profiles,
            ratings: p.ratings,
        }
    }
}

/// One row of the assignment table: annotator × assigned / done.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRowDto {
    pub rater: String,
    pub assigned: i64,
    /// Assigned profiles with every dimension rated.
    pub done: i64,
}

impl From<AssignmentRow> for AssignmentRowDto {
    fn from(r: AssignmentRow) -> Self {
        AssignmentRowDto {
            rater: r.rater,
            assigned: r.assigned,
            done: r.done,
        }
    }
}

/// The assignment design form.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
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
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TeamOverview {
    pub study_name: String,
    /// Set when the open study is an annotator package: then only this is shown.
    pub package: Option<PackageInfoDto>,
    pub rows: Vec<AssignmentRowDto>,
    /// The latest design's parameters, to show in the form again.
    pub last_design: Option<DesignRequest>,
    /// Where snapshots taken before merges and imports go.
    pub backups_dir: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
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

/// What the merge did with one package file.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeReportDto {
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

impl MergeReportDto {
    fn from_report(path: &Path, r: MergeReport) -> Self {
        MergeReportDto {
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
        MergeReportDto {
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

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MergeOutcome {
    pub reports: Vec<MergeReportDto>,
    /// The folder the pre-merge snapshots went to; `null` when nothing was merged (refused
    /// packages are checked before any snapshot).
    pub backups_dir: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryDto {
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub actor: String,
    pub action: String,
    /// JSON with the entry's details, shown as text.
    pub detail: String,
    pub package_id: Option<String>,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        AuditEntryDto {
            at: e.at,
            actor: e.actor,
            action: e.action,
            detail: e.detail,
            package_id: e.package_id,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditKindCount {
    pub kind: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditTrail {
    /// Newest first, at most [`AUDIT_SHOWN`], of the chosen kind.
    pub entries: Vec<AuditEntryDto>,
    /// Entries of the chosen kind in the whole trail.
    pub total: i64,
    /// Every kind in the trail with its count, for the filter.
    pub kinds: Vec<AuditKindCount>,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A package is one annotator's copy: designing, exporting or merging in it would change what
/// its checksum covers, so the PI's team tools refuse there.
fn not_a_package(study: &Study, action: &str) -> AppResult<()> {
    match study.package_info()? {
        Some(p) => Err(AppError::new(
            "package",
            format!(
                "This file is {}'s annotator package: {action} happens in the PI's study.",
                p.rater
            ),
        )),
        None => Ok(()),
    }
}

pub fn overview(session: &Session) -> AppResult<TeamOverview> {
    let study = session.study()?;
    Ok(TeamOverview {
        study_name: study_name(study.path()),
        package: study.package_info()?.map(PackageInfoDto::from),
        rows: table(session)?,
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

pub fn package_info_of(session: &Session) -> AppResult<Option<PackageInfoDto>> {
    Ok(session.study()?.package_info()?.map(PackageInfoDto::from))
}

pub fn table(session: &Session) -> AppResult<Vec<AssignmentRowDto>> {
    Ok(session
        .study()?
        .assignment_table()?
        .into_iter()
        .map(AssignmentRowDto::from)
        .collect())
}

pub fn design(session: &mut Session, request: DesignRequest) -> AppResult<Vec<AssignmentRowDto>> {
    let study = session.study_mut()?;
    not_a_package(study, "assignment design")?;
    let pool: Vec<String> = request
        .pool
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    if pool.is_empty() {
        return Err(AppError::new(
            "invalid",
            "Name at least one annotator in the pool.",
        ));
    }
    let rows = study.design_assignments(&DesignParams {
        pool,
        k: request.k as usize,
        extra_percent: request.extra_percent,
        seed: request.seed,
        allow_same_person_in_a_row: request.allow_same_person_in_a_row,
    })?;
    Ok(rows.into_iter().map(AssignmentRowDto::from).collect())
}

pub fn export(session: &mut Session, rater: &str, path: &Path) -> AppResult<ExportedPackage> {
    let study = session.study_mut()?;
    not_a_package(study, "exporting packages")?;
    if same_file(path, study.path()) {
        return Err(AppError::new(
            "invalid",
            "Choose another file: this is the open study itself.",
        ));
    }
    // Refuse what core would refuse before an existing file is replaced, so it is never lost.
    if study.is_read_only() {
        return Err(chameleon_core::CoreError::ReadOnly {
            path: study.path().to_owned(),
            action: "recording the package export".into(),
        }
        .into());
    }
    let assigned = study
        .assignment_table()?
        .iter()
        .any(|r| r.rater == rater && r.assigned > 0);
    if !assigned {
        return Err(AppError::new(
            "invalid",
            format!("'{rater}' has no assigned profiles: design assignments first."),
        ));
    }
    // The save dialog already asked before replacing a file; core only writes new files.
    if path.exists() {
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

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn remove_study_files(path: &Path) -> AppResult<()> {
    for suffix in ["-wal", "-shm", ""] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(AppError::new(
                    "io",
                    format!("cannot replace {}: {e}", p.display()),
                ))
            }
        }
    }
    Ok(())
}

/// Merges each package in its own transaction (core's); a package that fails for any reason is
/// reported as refused and changed nothing, the others go on.
pub fn merge(session: &mut Session, paths: &[String]) -> AppResult<MergeOutcome> {
    let study = session.study_mut()?;
    not_a_package(study, "merging")?;
    if study.is_read_only() {
        return Err(chameleon_core::CoreError::ReadOnly {
            path: study.path().to_owned(),
            action: "merging packages".into(),
        }
        .into());
    }
    let mut reports = Vec::with_capacity(paths.len());
    for p in paths {
        let path = Path::new(p);
        let report = match study.merge_package(path) {
            Ok(r) => MergeReportDto::from_report(path, r),
            Err(e) => MergeReportDto::refused(path, e.to_string()),
        };
        reports.push(report);
    }
    let merged = reports.iter().any(|r| r.refused.is_none());
    Ok(MergeOutcome {
        reports,
        backups_dir: merged.then(|| backups_dir(study.path()).display().to_string()),
    })
}

pub fn audit(session: &Session, kind: Option<&str>) -> AppResult<AuditTrail> {
    let log = session.study()?.audit_log()?;
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
        entries: chosen
            .into_iter()
            .take(AUDIT_SHOWN)
            .map(AuditEntryDto::from)
            .collect(),
        total,
        kinds,
    })
}

pub fn export_audit(session: &Session, path: &Path, kind: Option<&str>) -> AppResult<i64> {
    let study = session.study()?;
    let mut n = 0;
    write_atomically(path, |w| {
        n = study.export_audit_of(w, kind)?;
        Ok(())
    })?;
    Ok(n as i64)
}

#[tauri::command]
pub async fn team_overview(state: State<'_, AppState>) -> AppResult<TeamOverview> {
    state.run(|session, _| overview(session)).await
}

#[tauri::command]
pub async fn package_info(state: State<'_, AppState>) -> AppResult<Option<PackageInfoDto>> {
    state.run(|session, _| package_info_of(session)).await
}

#[tauri::command]
pub async fn assignment_table(state: State<'_, AppState>) -> AppResult<Vec<AssignmentRowDto>> {
    state.run(|session, _| table(session)).await
}

#[tauri::command]
pub async fn design_assignments(
    app: AppHandle,
    state: State<'_, AppState>,
    request: DesignRequest,
) -> AppResult<Vec<AssignmentRowDto>> {
    let (rows, changed) = state
        .run(move |session, _| {
            let rows = design(session, request)?;
            Ok((rows, summary(session.study()?)?))
        })
        .await?;
    events::study_changed(&app, &changed);
    Ok(rows)
}

#[tauri::command]
pub async fn export_package(
    state: State<'_, AppState>,
    rater: String,
    path: String,
) -> AppResult<ExportedPackage> {
    state
        .run(move |session, _| export(session, &rater, Path::new(&path)))
        .await
}

#[tauri::command]
pub async fn merge_packages(
    app: AppHandle,
    state: State<'_, AppState>,
    paths: Vec<String>,
) -> AppResult<MergeOutcome> {
    let (outcome, changed) = state
        .run(move |session, _| {
            let outcome = merge(session, &paths)?;
            Ok((outcome, summary(session.study()?)?))
        })
        .await?;
    events::study_changed(&app, &changed);
    Ok(outcome)
}

#[tauri::command]
pub async fn audit_trail(
    state: State<'_, AppState>,
    kind: Option<String>,
) -> AppResult<AuditTrail> {
    state
        .run(move |session, _| audit(session, kind.as_deref()))
        .await
}

#[tauri::command]
pub async fn export_audit_csv(
    state: State<'_, AppState>,
    path: String,
    kind: Option<String>,
) -> AppResult<i64> {
    state
        .run(move |session, _| export_audit(session, Path::new(&path), kind.as_deref()))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{annotate, identity, start};
    use crate::dto::{RaterKindDto, SaveRatingRequest};
    use crate::paths::AppPaths;

    fn demo(dir: &tempfile::TempDir) -> (Session, AppPaths) {
        let paths = AppPaths::under(dir.path().to_path_buf());
        let mut session = Session::default();
        start::open_demo(&mut session, &paths).expect("the demo study opens");
        (session, paths)
    }

    fn design_request(pool: &[&str]) -> DesignRequest {
        DesignRequest {
            pool: pool.iter().map(|s| s.to_string()).collect(),
            k: 2,
            extra_percent: 20.0,
            seed: 7,
            allow_same_person_in_a_row: false,
        }
    }

    /// Opens `package` as its annotator and rates every dimension of its first `n` profiles.
    fn annotate_package(paths: &AppPaths, package: &Path, rater: &str, n: usize) -> usize {
        let mut s = Session::default();
        start::install(&mut s, paths, Study::open(package).unwrap()).unwrap();
        identity::choose(&mut s, paths, rater, RaterKindDto::Human).unwrap();
        let dims: Vec<String> = s
            .study()
            .unwrap()
            .codebook()
            .unwrap()
            .unwrap()
            .dimensions
            .iter()
            .map(|d| d.name.clone())
            .collect();
        let mut saved = 0;
        for q in annotate::queue_of(&s).unwrap().into_iter().take(n) {
            for d in &dims {
                annotate::save(
                    &mut s,
                    SaveRatingRequest {
                        profile_id: q.profile_id,
                        dimension: d.clone(),
                        value: Some(3.0),
                        seconds_spent: Some(2.0),
                    },
                )
                .unwrap();
                saved += 1;
            }
        }
        saved
    }

    #[test]
    fn design_stores_the_table_and_a_blank_pool_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = demo(&dir);
        let err = design(&mut s, design_request(&[" ", ""])).unwrap_err();
        assert_eq!(err.code, "invalid", "an empty pool is the user's mistake");
        let rows = design(&mut s, design_request(&["dana", " eli ", "fay"])).unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.rater.as_str()).collect();
        assert_eq!(names, ["dana", "eli", "fay"], "names are trimmed");
        let assigned: i64 = rows.iter().map(|r| r.assigned).sum();
        let extra = (36.0_f64 * 0.2).round() as i64 * 3;
        assert_eq!(assigned, 108 * 2 + extra, "k = 2 plus 20% per context");
        assert!(rows.iter().all(|r| r.done == 0), "nobody has rated yet");
        let shown = overview(&s)
            .unwrap()
            .last_design
            .expect("the design is kept");
        assert_eq!(
            (shown.pool, shown.k, shown.extra_percent, shown.seed),
            (vec!["dana".into(), "eli".into(), "fay".into()], 2, 20.0, 7),
            "the form shows the latest design again"
        );
        let again = table(&s).unwrap();
        assert_eq!(
            again.iter().map(|r| r.assigned).collect::<Vec<_>>(),
            rows.iter().map(|r| r.assigned).collect::<Vec<_>>(),
            "the design is stored in the study"
        );
        let err = design(
            &mut s,
            DesignRequest {
                k: 4,
                ..design_request(&["dana", "eli"])
            },
        )
        .unwrap_err();
        assert_eq!(err.code, "invalid", "k larger than the pool is refused");
    }

    #[test]
    fn export_rate_merge_round_trip_is_idempotent_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, paths) = demo(&dir);
        design(&mut s, design_request(&["dana", "eli", "fay"])).unwrap();
        let out = dir.path().join("out/dana.chameleon");
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        std::fs::write(&out, b"an older file the dialog agreed to replace").unwrap();
        let err = export(&mut s, "nobody", &out).unwrap_err();
        assert_eq!(err.code, "invalid", "{}", err.message);
        assert!(
            out.exists(),
            "a refused export must not remove the file the dialog pointed at"
        );
        let exported = export(&mut s, "dana", &out).unwrap();
        let dana = table(&s).unwrap().into_iter().find(|r| r.rater == "dana");
        assert_eq!(
            Some(exported.profiles),
            dana.map(|r| r.assigned),
            "the package holds dana's assigned profiles"
        );
        assert!(exported.bytes > 0, "the size of what was written");
        assert_eq!(exported.ratings, 0, "dana has no earlier ratings");

        let saved = annotate_package(&paths, &out, "dana", 3);
        let n_dims = s
            .study()
            .unwrap()
            .codebook()
            .unwrap()
            .unwrap()
            .dimensions
            .len();
        assert_eq!(saved, 3 * n_dims);

        let first = merge(&mut s, &[out.display().to_string()]).unwrap();
        let r = &first.reports[0];
        assert_eq!(r.refused, None, "dana's own package merges");
        assert_eq!(r.added as usize, saved, "every rating arrives");
        assert_eq!(r.rater.as_deref(), Some("dana"));
        assert_eq!(r.file_name, "dana.chameleon");
        let backups = first
            .backups_dir
            .expect("a merge snapshots the study first");
        assert!(
            std::fs::read_dir(&backups).unwrap().count() >= 1,
            "a snapshot is in {backups}"
        );
        let snap = r
            .snapshot
            .as_deref()
            .expect("the report names its snapshot");
        assert!(
            Path::new(snap).starts_with(&backups) && Path::new(snap).is_file(),
            "{snap} in {backups}"
        );
        // The snapshot is the study as it was: without dana's ratings.
        let before = Study::open_read_only(Path::new(snap)).unwrap();
        assert_eq!(
            before.info().unwrap().ratings + saved as i64,
            s.study().unwrap().info().unwrap().ratings
        );
        let done = table(&s).unwrap().into_iter().find(|r| r.rater == "dana");
        assert_eq!(done.map(|r| r.done), Some(3), "three profiles are done");

        let second = merge(&mut s, &[out.display().to_string()]).unwrap();
        let r = &second.reports[0];
        assert_eq!(
            (r.added, r.updated, r.unchanged as usize),
            (0, 0, saved),
            "merging again changes nothing"
        );

        let trail = audit(&s, Some("package-merge")).unwrap();
        assert_eq!(trail.total, 1, "one merge that changed something");
        assert_eq!(
            trail.entries[0].package_id.as_deref(),
            Some(exported.package_id.as_str())
        );
        assert!(trail.kinds.iter().any(|k| k.kind == "package-export"));
        let all = audit(&s, None).unwrap();
        assert!(
            all.entries.windows(2).all(|w| w[0].at >= w[1].at),
            "newest first"
        );
    }

    #[test]
    fn refused_packages_are_reported_and_the_others_still_merge() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, paths) = demo(&dir);
        design(&mut s, design_request(&["dana", "eli", "fay"])).unwrap();
        let eli = dir.path().join("eli.chameleon");
        export(&mut s, "eli", &eli).unwrap();
        annotate_package(&paths, &eli, "eli", 1);
        let junk = dir.path().join("notes.txt");
        std::fs::write(&junk, "not a package").unwrap();
        let missing = dir.path().join("gone.chameleon");
        let ratings_before = s.study().unwrap().info().unwrap().ratings;
        let out = merge(
            &mut s,
            &[
                junk.display().to_string(),
                eli.display().to_string(),
                missing.display().to_string(),
            ],
        )
        .unwrap();
        let refused: Vec<bool> = out.reports.iter().map(|r| r.refused.is_some()).collect();
        assert_eq!(refused, [true, false, true], "each package on its own");
        assert!(
            out.reports[0]
                .refused
                .as_deref()
                .unwrap()
                .contains("package"),
            "a clear reason: {:?}",
            out.reports[0].refused
        );
        let after = s.study().unwrap().info().unwrap().ratings;
        assert_eq!(
            after - ratings_before,
            out.reports[1].added,
            "only eli's ratings arrived"
        );
    }

    #[test]
    fn a_study_open_read_only_refuses_merge_and_export_and_keeps_files() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, paths) = demo(&dir);
        design(&mut s, design_request(&["dana", "eli", "fay"])).unwrap();
        let pkg = dir.path().join("eli.chameleon");
        export(&mut s, "eli", &pkg).unwrap();
        annotate_package(&paths, &pkg, "eli", 1);
        let study_path = s.study().unwrap().path().to_owned();
        let before = s.study().unwrap().info().unwrap().ratings;
        drop(s);
        let mut ro = Session::default();
        start::install(&mut ro, &paths, Study::open_read_only(&study_path).unwrap()).unwrap();
        assert!(overview(&ro).unwrap().read_only, "the view is told");
        let err = merge(&mut ro, &[pkg.display().to_string()]).unwrap_err();
        assert_eq!(err.code, "read_only", "{}", err.message);
        let again = dir.path().join("eli-again.chameleon");
        std::fs::write(&again, b"keep me").unwrap();
        assert_eq!(
            export(&mut ro, "eli", &again).unwrap_err().code,
            "read_only"
        );
        assert_eq!(
            std::fs::read(&again).unwrap(),
            b"keep me",
            "nothing replaced"
        );
        let after = Study::open_read_only(&study_path)
            .unwrap()
            .info()
            .unwrap()
            .ratings;
        assert_eq!(before, after, "nothing merged");
    }

    #[test]
    fn a_package_shows_its_info_and_refuses_the_pis_tools() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, paths) = demo(&dir);
        design(&mut s, design_request(&["dana", "eli", "fay"])).unwrap();
        let pkg = dir.path().join("fay.chameleon");
        export(&mut s, "fay", &pkg).unwrap();
        assert!(
            package_info_of(&s).unwrap().is_none(),
            "the study is no package"
        );

        let mut p = Session::default();
        start::install(&mut p, &paths, Study::open(&pkg).unwrap()).unwrap();
        let info = overview(&p).unwrap().package.expect("a package");
        assert_eq!(info.rater, "fay");
        assert_eq!(info.study_name.as_deref(), Some("demo"), "names its study");
        for err in [
            design(&mut p, design_request(&["fay"])).unwrap_err(),
            export(&mut p, "fay", &dir.path().join("x.chameleon")).unwrap_err(),
            merge(&mut p, &[pkg.display().to_string()]).unwrap_err(),
        ] {
            assert_eq!(err.code, "package", "{}", err.message);
        }
        let own = s.study().unwrap().path().to_owned();
        let err = export(&mut s, "fay", &own);
        assert_eq!(
            err.unwrap_err().code,
            "invalid",
            "the open study is never overwritten"
        );
    }

    #[test]
    fn audit_csv_is_filtered_and_neutralises_formulas() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = demo(&dir);
        s.study_mut().unwrap().set_actor("=HYPERLINK(\"http://x\")");
        design(&mut s, design_request(&["dana", "eli", "fay"])).unwrap();
        let csv = dir.path().join("audit.csv");
        let n = export_audit(&s, &csv, Some("assign")).unwrap();
        assert_eq!(n, 1, "one design");
        let text = std::fs::read_to_string(&csv).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("at,actor,action,detail,package_id"));
        let row = lines.next().unwrap();
        assert!(
            row.contains("'=HYPERLINK"),
            "a spreadsheet must not run the actor's name: {row}"
        );
        assert_eq!(lines.next(), None, "only the chosen kind");
        let all = export_audit(&s, &csv, None).unwrap();
        assert_eq!(all as i64, audit(&s, None).unwrap().total);
    }
}
