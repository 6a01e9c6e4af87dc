//! One app per user (or per `CHAMELEON_DATA_DIR`): a second launch — a study double-clicked in
//! the file manager, `xdg-open x.chameleon`, the menu entry — hands its file to the running
//! window and exits, so one study is never open in two app processes.

use crate::paths::AppPaths;
use std::path::{Path, PathBuf};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Emitter, Manager, Wry};

/// Sent to the UI with the path of a study another launch asked to open.
pub const OPEN_REQUESTED: &str = "open-requested";

/// The study a command line names: the first argument after the program that is not an option,
/// relative to `cwd` (the launching process's directory, not ours), with `..` resolved when the
/// file exists (the path is shown and remembered in Recent).
pub fn study_argument<I, S>(args: I, cwd: &Path) -> Option<PathBuf>
where
    I: IntoIterator<Item = S>,
    S: Into<std::ffi::OsString>,
{
    let arg = args
        .into_iter()
        .skip(1)
        .map(Into::into)
        .find(|a| !a.is_empty() && !a.to_string_lossy().starts_with('-'))?;
    let path = PathBuf::from(arg);
    let path = if path.is_absolute() {
        path
    } else {
        cwd.join(path)
    };
    Some(std::fs::canonicalize(&path).unwrap_or(path))
}

/// The D-Bus name that makes instances one: the app identifier's for the user's own folders,
/// one per data folder when `CHAMELEON_DATA_DIR` is set (tests, portable installs), so
/// separate data folders never hand studies to each other.
pub fn dbus_id(paths: &AppPaths, identifier: &str) -> String {
    match &paths.portable_root {
        None => identifier.to_owned(),
        Some(root) => {
            let hash = blake3::hash(root.as_os_str().as_encoded_bytes()).to_hex();
            // A D-Bus name element must not start with a digit.
            format!("{identifier}.d{}", &hash[..16])
        }
    }
}

pub fn plugin(paths: &AppPaths, identifier: &str) -> TauriPlugin<Wry> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(dbus_id(paths, identifier))
        .callback(|app, argv, cwd| second_launch(app, argv, Path::new(&cwd)))
        .build()
}

fn second_launch(app: &AppHandle, argv: Vec<String>, cwd: &Path) {
    if let Some(w) = app.get_webview_window("main") {
        // Best effort: some window managers refuse focus stealing; the study still opens.
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
    let Some(path) = study_argument(argv, cwd) else {
        return;
    };
    tracing::info!(study = %path.display(), "another launch asked to open a study");
    if let Err(e) = app.emit(OPEN_REQUESTED, path.display().to_string()) {
        tracing::warn!(error = %e, "could not hand the study to the window");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_non_option_argument_is_the_study_relative_to_the_launch_folder() {
        let cwd = Path::new("/home/ana/studies");
        assert_eq!(
            study_argument(["chameleon-studio", "pilot.chameleon"], cwd),
            Some(PathBuf::from("/home/ana/studies/pilot.chameleon"))
        );
        assert_eq!(
            study_argument(["chameleon-studio", "--verbose", "/data/x.chameleon"], cwd),
            Some(PathBuf::from("/data/x.chameleon"))
        );
        assert_eq!(study_argument(["chameleon-studio"], cwd), None);
        assert_eq!(study_argument(["chameleon-studio", "-v", ""], cwd), None);
    }

    #[test]
    fn an_existing_study_s_path_is_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let study = dir.path().join("s.chameleon");
        std::fs::write(&study, b"").unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        assert_eq!(
            study_argument(["chameleon-studio", "../s.chameleon"], &sub),
            Some(std::fs::canonicalize(&study).unwrap())
        );
    }

    #[test]
    fn each_data_folder_is_its_own_instance() {
        let user = AppPaths::from_root(None);
        let a = AppPaths::from_root(Some(PathBuf::from("/tmp/a")));
        let b = AppPaths::from_root(Some(PathBuf::from("/tmp/b")));
        let id = "org.chameleon.studio";
        assert_eq!(dbus_id(&user, id), id);
        assert_ne!(dbus_id(&a, id), dbus_id(&b, id));
        assert_eq!(dbus_id(&a, id), dbus_id(&a.clone(), id));
        let element = dbus_id(&a, id).rsplit('.').next().map(str::to_owned);
        assert!(element.is_some_and(|e| e.starts_with('d') && e.len() == 17));
    }
}
