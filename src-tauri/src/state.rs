//! The app's state: the open study (the only SQLite connection, owned by Rust) and who is rating.
//! Commands reach it through [`AppState::run`], which runs the closure on a blocking thread so the
//! UI thread and the async runtime never wait on SQLite.

use crate::error::{AppError, AppResult};
use crate::paths::AppPaths;
use chameleon_core::model::Rater;
use chameleon_core::store::Study;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Session {
    pub study: Option<Study>,
    pub rater: Option<Rater>,
}

impl Session {
    pub fn study(&self) -> AppResult<&Study> {
        self.study.as_ref().ok_or_else(AppError::no_study)
    }

    pub fn study_mut(&mut self) -> AppResult<&mut Study> {
        self.study.as_mut().ok_or_else(AppError::no_study)
    }

    /// The open study and the chosen rater, for commands that act as the rater.
    pub fn rating_as(&self) -> AppResult<(&Study, &Rater)> {
        let study = self.study()?;
        let rater = self.rater.as_ref().ok_or_else(AppError::no_rater)?;
        Ok((study, rater))
    }

    /// Same as [`rating_as`](Self::rating_as), for writes.
    pub fn rating_as_mut(&mut self) -> AppResult<(&mut Study, &Rater)> {
        let study = self.study.as_mut().ok_or_else(AppError::no_study)?;
        let rater = self.rater.as_ref().ok_or_else(AppError::no_rater)?;
        Ok((study, rater))
    }
}

pub struct AppState {
    session: Arc<Mutex<Session>>,
    pub paths: AppPaths,
}

impl AppState {
    pub fn new(paths: AppPaths) -> AppState {
        AppState {
            session: Arc::new(Mutex::new(Session::default())),
            paths,
        }
    }

    /// Runs `f` with the session locked, on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Session, &AppPaths) -> AppResult<T> + Send + 'static,
    {
        let session = Arc::clone(&self.session);
        let paths = self.paths.clone();
        tauri::async_runtime::spawn_blocking(move || {
            let mut guard = session.lock().map_err(|_| {
                AppError::internal("an earlier command failed while holding the study")
            })?;
            f(&mut guard, &paths)
        })
        .await
        .map_err(|e| AppError::internal(format!("background task failed: {e}")))?
    }

    /// Same as [`run`](Self::run) but on the calling thread (tests, start-up).
    pub fn run_now<T>(
        &self,
        f: impl FnOnce(&mut Session, &AppPaths) -> AppResult<T>,
    ) -> AppResult<T> {
        let mut guard = self
            .session
            .lock()
            .map_err(|_| AppError::internal("an earlier command failed while holding the study"))?;
        f(&mut guard, &self.paths)
    }
}

/// Runs `f` on a blocking thread without the session (a computation on a snapshot).
pub async fn blocking<T, F>(f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> AppResult<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::internal(format!("background task failed: {e}")))?
}
