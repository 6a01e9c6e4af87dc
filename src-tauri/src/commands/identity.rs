//! Who is rating: choose an existing rater or create one (name + kind).

use crate::commands::start::{announce, remember, session_dto};
use crate::dto::{RaterDto, RaterKindDto, SessionDto};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::paths::AppPaths;
use crate::state::{AppState, Session};
use tauri::{AppHandle, State};

#[tauri::command]
pub async fn list_raters(state: State<'_, AppState>) -> AppResult<Vec<RaterDto>> {
    state
        .run(|session, _| {
            Ok(session
                .study()?
                .raters()?
                .iter()
                .map(RaterDto::from)
                .collect())
        })
        .await
}

#[tauri::command]
pub async fn choose_rater(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    kind: RaterKindDto,
) -> AppResult<SessionDto> {
    let dto = state
        .run(move |session, paths| choose(session, paths, &name, kind))
        .await?;
    announce(&app, &dto);
    Ok(dto)
}

/// Makes `name` the rater (created with `kind` if new) and remembers the choice for the study.
pub fn choose(
    session: &mut Session,
    paths: &AppPaths,
    name: &str,
    kind: RaterKindDto,
) -> AppResult<SessionDto> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::new(
            ErrorCode::Invalid,
            "Enter a name for who is rating.",
        ));
    }
    let rater = session.study_mut()?.ensure_rater(name, kind.into())?;
    session.rater = Some(rater);
    remember(paths, session)?;
    session_dto(session)
}
