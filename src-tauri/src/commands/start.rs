//! Start screen: open, create, the demo study, recent studies.

use crate::dto::{CreateStudyRequest, RecentStudy};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::paths::AppPaths;
use crate::recent;
use crate::state::{AppState, Session};
use chameleon_core::app::start::{self as st, new_study_path, SessionView};
use chameleon_core::store::Study;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager, State};

#[tauri::command]
pub async fn recent_studies(state: State<'_, AppState>) -> AppResult<Vec<RecentStudy>> {
    state
        .run(|_, paths| Ok(recent::load(&paths.recent_file())))
        .await
}

/// Takes a study off the recent list (its file stays); the list left.
#[tauri::command]
pub async fn forget_recent_study(
    state: State<'_, AppState>,
    path: String,
) -> AppResult<Vec<RecentStudy>> {
    state
        .run(move |_, paths| {
            recent::forget(&paths.recent_file(), &path)
                .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))
        })
        .await
}

/// Renames the open study (its file keeps its name); audited as the PI's action, and Recent
/// shows the new name.
pub fn rename(session: &mut Session, paths: &AppPaths, name: &str) -> AppResult<SessionView> {
    session.study_mut()?.rename(name)?;
    remember(paths, session)?;
    session_view(session)
}

#[tauri::command]
pub async fn rename_study(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
) -> AppResult<SessionView> {
    let dto = state
        .run(move |session, paths| rename(session, paths, &name))
        .await?;
    // The window title names the study too.
    announce(&app, &dto);
    Ok(dto)
}

#[tauri::command]
pub async fn open_study(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> AppResult<SessionView> {
    let dto = state
        .run(move |session, paths| {
            let study = Study::open(&expand_home(&path))?;
            install(session, paths, study)
        })
        .await?;
    announce(&app, &dto);
    Ok(dto)
}

#[tauri::command]
pub async fn create_study(
    app: AppHandle,
    state: State<'_, AppState>,
    request: CreateStudyRequest,
) -> AppResult<SessionView> {
    let dto = state
        .run(move |session, paths| {
            let target = match request
                .path
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                Some(p) => expand_home(p),
                None => new_study_path(&paths.studies_dir(), &request.profiles_path)?,
            };
            let study = st::create_study(
                &target,
                &expand_home(&request.profiles_path),
                &expand_home(&request.codebook_path),
            )?;
            install(session, paths, study)
        })
        .await?;
    announce(&app, &dto);
    Ok(dto)
}

/// A typed path with a leading `~` (a shell habit) as the home folder it means; any other
/// path as given.
pub fn expand_home(path: &str) -> PathBuf {
    expand_home_with(
        path,
        std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")),
    )
}

fn expand_home_with(path: &str, home: Option<std::ffi::OsString>) -> PathBuf {
    let path = path.trim();
    let rest = match path.strip_prefix('~') {
        Some("") => Some(""),
        Some(r) if r.starts_with('/') || r.starts_with('\\') => Some(&r[1..]),
        _ => None,
    };
    match (rest, home) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// Opens the bundled demo study, creating it in the data dir on first use.
#[tauri::command]
pub async fn open_demo_study(app: AppHandle, state: State<'_, AppState>) -> AppResult<SessionView> {
    let dto = state.run(open_demo).await?;
    announce(&app, &dto);
    Ok(dto)
}

pub fn open_demo(session: &mut Session, paths: &AppPaths) -> AppResult<SessionView> {
    let study = chameleon_core::app::start::open_demo(
        &paths.studies_dir(),
        &paths.data_dir.join("demo-files"),
    )?;
    install(session, paths, study)
}

/// The user's preferred languages from the environment (see `locale`), for the annotator's
/// screens; empty when the environment names none.
#[tauri::command]
pub fn system_languages() -> Vec<String> {
    crate::locale::preferred_languages(|k| std::env::var(k).ok())
}

/// The study named by `CHAMELEON_STUDY` or the command line, opened at start-up; `None` when
/// neither names one.
#[tauri::command]
pub async fn startup_study(
    app: AppHandle,
    state: State<'_, AppState>,
) -> AppResult<Option<SessionView>> {
    // The environment (tests, scripts) first, then the command line (the file manager,
    // `xdg-open study.chameleon`).
    let from_env = std::env::var_os(crate::paths::STUDY_ENV)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from);
    let from_args = || {
        let cwd = std::env::current_dir().unwrap_or_default();
        crate::instance::study_argument(std::env::args_os(), &cwd)
    };
    let Some(path) = from_env.or_else(from_args) else {
        return Ok(None);
    };
    let dto = state
        .run(move |session, paths| {
            let study = Study::open(Path::new(&path))?;
            install(session, paths, study)
        })
        .await?;
    announce(&app, &dto);
    Ok(Some(dto))
}

/// The open study as the UI shows it, re-read after a view changed it (codebook, ratings).
#[tauri::command]
pub async fn current_session(state: State<'_, AppState>) -> AppResult<SessionView> {
    state.run(|session, _| session_view(session)).await
}

#[tauri::command]
pub async fn close_study(app: AppHandle, state: State<'_, AppState>) -> AppResult<()> {
    state
        .run(|session, _| {
            *session = Session::default();
            Ok(())
        })
        .await?;
    if let Some(w) = app.get_webview_window("main") {
        w.set_title("Chameleon Studio")?;
    }
    Ok(())
}

/// The open study as the UI shows it (core's view) with the session's rater.
pub fn session_view(session: &Session) -> AppResult<SessionView> {
    Ok(st::session_view(session.study()?, session.rater.as_ref())?)
}

/// Makes `study` the open one; the rater last chosen in it is chosen again.
pub fn install(
    session: &mut Session,
    paths: &AppPaths,
    mut study: Study,
) -> AppResult<SessionView> {
    super::identity::record_pi(&mut study, paths)?;
    let path = study.path().display().to_string();
    let last = recent::last_rater(&paths.recent_file(), &path);
    let rater = match last {
        Some(name) => study.raters()?.into_iter().find(|r| r.name == name),
        None => None,
    };
    *session = Session {
        study: Some(study),
        rater,
    };
    remember(paths, session)?;
    tracing::info!(study = %path, "opened study");
    session_view(session)
}

pub fn remember(paths: &AppPaths, session: &Session) -> AppResult<()> {
    let study = session.study()?;
    let entry = RecentStudy {
        path: study.path().display().to_string(),
        name: study.display_name()?,
        last_opened: now_ms(),
        last_rater: session.rater.as_ref().map(|r| r.name.clone()),
        exists: true,
    };
    if let Err(e) = recent::remember(&paths.recent_file(), entry) {
        tracing::warn!(error = %e, "could not update the recent-studies list");
    }
    Ok(())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Window title and the coalesced change event.
pub fn announce(app: &AppHandle, dto: &SessionView) {
    let title = match &dto.rater {
        Some(r) => format!("{} — {} — Chameleon Studio", dto.study.name, r.name),
        None => format!("{} — Chameleon Studio", dto.study.name),
    };
    if let Some(w) = app.get_webview_window("main") {
        if let Err(e) = w.set_title(&title) {
            tracing::warn!(error = %e, "could not set the window title");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::identity;
    use chameleon_core::model::RaterKind;

    #[test]
    fn a_leading_tilde_is_the_home_folder_issue_15() {
        let home = Some(std::ffi::OsString::from("/home/lena"));
        assert_eq!(
            expand_home_with("~/studies/a.chameleon", home.clone()),
            PathBuf::from("/home/lena/studies/a.chameleon")
        );
        assert_eq!(
            expand_home_with(" ~ ", home.clone()),
            PathBuf::from("/home/lena")
        );
        assert_eq!(
            expand_home_with("~ana/x", home.clone()),
            PathBuf::from("~ana/x"),
            "another user's home is not guessed"
        );
        assert_eq!(expand_home_with("/a/~/b", home), PathBuf::from("/a/~/b"));
        assert_eq!(expand_home_with("~/x", None), PathBuf::from("~/x"));
    }

    #[test]
    fn reopening_a_study_remembers_the_rater_and_lists_it_first() {
        let dir = tempfile::tempdir().unwrap();
        let paths = AppPaths::under(dir.path().to_path_buf());
        let mut session = Session::default();
        let first = open_demo(&mut session, &paths).unwrap();
        assert!(first.rater.is_none(), "a new study asks who is rating");
        assert_eq!(first.codebook.as_ref().map(|c| c.dimensions.len()), Some(8));
        identity::choose(&mut session, &paths, "ann", RaterKind::Human).unwrap();
        let mut again = Session::default();
        let dto = open_demo(&mut again, &paths).unwrap();
        assert_eq!(
            dto.rater.map(|r| r.name).as_deref(),
            Some("ann"),
            "the rater is remembered"
        );
        let recent = crate::recent::load(&paths.recent_file());
        assert_eq!(recent.len(), 1);
        // The name is the codebook's until the PI gives one.
        assert!(recent[0].exists && recent[0].name == "Chameleon demo: Big Five and affect");
        let renamed = rename(&mut again, &paths, " Spring pilot ").unwrap();
        assert_eq!(renamed.study.name, "Spring pilot");
        let recent = crate::recent::load(&paths.recent_file());
        assert_eq!(recent[0].name, "Spring pilot");
        assert!(rename(&mut again, &paths, "").is_err());
        assert_eq!(
            again.study().unwrap().display_name().unwrap(),
            "Spring pilot"
        );
    }
}
