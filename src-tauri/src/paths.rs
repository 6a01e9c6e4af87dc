//! Where the app keeps its files: studies it creates (data dir), the recent-studies list (config
//! dir) and its log (state/log dir). `CHAMELEON_DATA_DIR` puts all three under one directory, so
//! tests and portable installs never touch the user's real directories.

use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "CHAMELEON_DATA_DIR";
/// A study to open at start-up (tests, scripts): `CHAMELEON_STUDY=/path/to/study.chameleon`.
pub const STUDY_ENV: &str = "CHAMELEON_STUDY";

#[derive(Debug, Clone)]
pub struct AppPaths {
    pub data_dir: PathBuf,
    pub config_dir: PathBuf,
    pub log_dir: PathBuf,
    /// The `CHAMELEON_DATA_DIR` everything is under, `None` for the OS's per-user folders.
    pub portable_root: Option<PathBuf>,
}

impl AppPaths {
    pub fn from_env() -> AppPaths {
        AppPaths::from_root(
            std::env::var_os(DATA_DIR_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        )
    }

    /// Everything under `root` when given, else the OS's per-user folders.
    pub fn from_root(root: Option<PathBuf>) -> AppPaths {
        if let Some(root) = root {
            return AppPaths::under(root);
        }
        match chameleon_core::store::project_dirs() {
            Some(dirs) => AppPaths {
                data_dir: dirs.data_dir().to_path_buf(),
                config_dir: dirs.config_dir().to_path_buf(),
                log_dir: dirs
                    .state_dir()
                    .unwrap_or_else(|| dirs.data_local_dir())
                    .join("logs"),
                portable_root: None,
            },
            None => AppPaths::under(std::env::temp_dir().join("chameleon-studio")),
        }
    }

    pub fn under(root: PathBuf) -> AppPaths {
        AppPaths {
            data_dir: root.join("data"),
            config_dir: root.join("config"),
            log_dir: root.join("logs"),
            portable_root: Some(root),
        }
    }

    /// Where the latest analysis result of each study is kept (core's `AnalysisJobs`).
    pub fn analysis_dir(&self) -> PathBuf {
        self.data_dir.join("analysis")
    }

    /// Where new studies go when the user does not pick a path.
    pub fn studies_dir(&self) -> PathBuf {
        self.data_dir.join("studies")
    }

    pub fn recent_file(&self) -> PathBuf {
        self.config_dir.join("recent-studies.json")
    }
}
