//! Who is rating: choose an existing rater or create one (name + kind). An identity is
//! claimed once per study by the installation that first rates as it; another installation
//! is refused unless it holds the study's PI role (see `Study::claim_rater`).

use crate::commands::start::{announce, remember, session_view};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::paths::AppPaths;
use crate::state::{AppState, Session};
use chameleon_core::app::start::SessionView;
use chameleon_core::model::{Rater, RaterKind};
use chameleon_core::store::{default_actor, Claimant, Study};
use std::hash::{BuildHasher, Hasher};
use tauri::{AppHandle, State};

/// This installation's id and label, made once and kept in its config folder.
pub fn claimant(paths: &AppPaths) -> AppResult<Claimant> {
    let file = paths.config_dir.join("installation-id");
    let id = match std::fs::read_to_string(&file) {
        Ok(id) if !id.trim().is_empty() => id.trim().to_owned(),
        _ => {
            // Randomly keyed hashers: 128 bits that no other installation will make.
            let part = || {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u128(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_nanos())
                        .unwrap_or(0),
                );
                h.finish()
            };
            let id = format!("{:016x}{:016x}", part(), part());
            std::fs::create_dir_all(&paths.config_dir)
                .and_then(|()| std::fs::write(&file, &id))
                .map_err(|e| {
                    AppError::new(
                        ErrorCode::Io,
                        format!(
                            "{}: could not record this installation: {e}",
                            file.display()
                        ),
                    )
                })?;
            id
        }
    };
    let short = &id[..id.len().min(6)];
    let label = match default_actor() {
        user if user == "unknown" => format!("installation {short}"),
        user => format!("{user} (installation {short})"),
    };
    Ok(Claimant { id, label })
}

/// Records this installation in the study's PI role when none is recorded (the first to
/// open it in the app, normally the one that created it).
pub fn record_pi(study: &mut Study, paths: &AppPaths) -> AppResult<bool> {
    Ok(study.ensure_pi(&claimant(paths)?)?)
}

#[tauri::command]
pub async fn list_raters(state: State<'_, AppState>) -> AppResult<Vec<Rater>> {
    state.run(|session, _| Ok(session.study()?.raters()?)).await
}

#[tauri::command]
pub async fn choose_rater(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    kind: RaterKind,
) -> AppResult<SessionView> {
    let dto = state
        .run(move |session, paths| choose(session, paths, &name, kind))
        .await?;
    announce(&app, &dto);
    Ok(dto)
}

/// Makes `name` the rater (core's rules) and remembers the choice for the study.
pub fn choose(
    session: &mut Session,
    paths: &AppPaths,
    name: &str,
    kind: RaterKind,
) -> AppResult<SessionView> {
    let me = claimant(paths)?;
    let rater = chameleon_core::app::annotate::choose_rater(session.study_mut()?, &me, name, kind)?;
    session.rater = Some(rater);
    remember(paths, session)?;
    session_view(session)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::start;

    #[test]
    fn another_installation_is_refused_an_identity_the_pi_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let pi = AppPaths::under(dir.path().join("pi"));
        let mut s = Session::default();
        let opened = start::open_demo(&mut s, &pi).unwrap();
        let study = std::path::PathBuf::from(&opened.study.path);
        // Ana's installation claims "ana" first.
        let ana = AppPaths::under(dir.path().join("ana"));
        let mut a = Session::default();
        start::install(&mut a, &ana, Study::open(&study).unwrap()).unwrap();
        choose(&mut a, &ana, "ana", RaterKind::Human).unwrap();
        // Bob's installation may not rate as ana, nor does it keep a rater after trying.
        let bob = AppPaths::under(dir.path().join("bob"));
        let mut b = Session::default();
        start::install(&mut b, &bob, Study::open(&study).unwrap()).unwrap();
        let err = choose(&mut b, &bob, "ana", RaterKind::Human).unwrap_err();
        assert_eq!(err.code, "invalid");
        assert!(err.message.contains("Only the PI"), "{}", err.message);
        assert!(b.rater.is_none());
        choose(&mut b, &bob, "bob", RaterKind::Human).expect("his own name is free");
        // The PI (who created the demo study) may, and it is audited.
        choose(&mut s, &pi, "ana", RaterKind::Human).expect("the PI may look");
        let log = s.study().unwrap().audit_log().unwrap();
        let actions: Vec<&str> = log
            .iter()
            .map(|e| e.action.as_str())
            .filter(|a| a.ends_with("identity"))
            .collect();
        assert_eq!(
            actions,
            [
                "claim_identity",
                "refused_identity",
                "claim_identity",
                "switch_identity"
            ]
        );
        assert_eq!(claimant(&bob).unwrap(), claimant(&bob).unwrap(), "kept");
        assert_ne!(claimant(&bob).unwrap().id, claimant(&ana).unwrap().id);
    }
}
