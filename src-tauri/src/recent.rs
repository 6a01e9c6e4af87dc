//! The recent-studies list, a small JSON file in the config dir. A missing or unreadable list is
//! an empty one (logged), never an error that keeps the app from starting.

use crate::dto::RecentStudy;
use std::path::Path;

const KEEP: usize = 12;

pub fn load(file: &Path) -> Vec<RecentStudy> {
    let Ok(bytes) = std::fs::read(file) else {
        return Vec::new();
    };
    match serde_json::from_slice::<Vec<RecentStudy>>(&bytes) {
        Ok(mut list) => {
            for r in &mut list {
                r.exists = Path::new(&r.path).exists();
            }
            list
        }
        Err(e) => {
            tracing::warn!(file = %file.display(), error = %e, "ignoring unreadable recent-studies list");
            Vec::new()
        }
    }
}

/// Puts `entry` first (replacing an older entry for the same path) and writes the list.
pub fn remember(file: &Path, mut entry: RecentStudy) -> std::io::Result<Vec<RecentStudy>> {
    let mut list = load(file);
    if entry.last_rater.is_none() {
        entry.last_rater = list
            .iter()
            .find(|r| r.path == entry.path)
            .and_then(|r| r.last_rater.clone());
    }
    list.retain(|r| r.path != entry.path);
    list.insert(0, entry);
    list.truncate(KEEP);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = file.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&list).unwrap_or_default())?;
    std::fs::rename(&tmp, file)?;
    Ok(list)
}

/// Takes `path` off the list (the study file itself is left alone) and writes the list.
pub fn forget(file: &Path, path: &str) -> std::io::Result<Vec<RecentStudy>> {
    let mut list = load(file);
    let before = list.len();
    list.retain(|r| r.path != path);
    if list.len() != before {
        let tmp = file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&list).unwrap_or_default())?;
        std::fs::rename(&tmp, file)?;
    }
    Ok(list)
}

pub fn last_rater(file: &Path, study: &str) -> Option<String> {
    load(file)
        .into_iter()
        .find(|r| r.path == study)
        .and_then(|r| r.last_rater)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, rater: Option<&str>) -> RecentStudy {
        RecentStudy {
            path: path.into(),
            name: path.into(),
            last_opened: 1,
            last_rater: rater.map(str::to_owned),
            exists: false,
        }
    }

    #[test]
    fn remember_puts_newest_first_without_duplicates_and_keeps_the_rater() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cfg/recent.json");
        remember(&file, entry("/a", Some("ann"))).unwrap();
        remember(&file, entry("/b", None)).unwrap();
        let list = remember(&file, entry("/a", None)).unwrap();
        let paths: Vec<_> = list.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/a", "/b"],
            "reopening a study moves it to the top, once"
        );
        assert_eq!(
            last_rater(&file, "/a").as_deref(),
            Some("ann"),
            "the rater is remembered"
        );
    }

    #[test]
    fn a_corrupt_list_is_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("recent.json");
        std::fs::write(&file, b"{not json").unwrap();
        assert!(
            load(&file).is_empty(),
            "a broken config file must not stop the app"
        );
    }

    #[test]
    fn forget_takes_one_entry_off_and_leaves_the_file_alone_issue_15() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cfg/recent.json");
        let study = dir.path().join("s.chameleon");
        std::fs::write(&study, "x").unwrap();
        let s = study.display().to_string();
        remember(&file, entry(&s, None)).unwrap();
        remember(&file, entry("/b", None)).unwrap();
        let list = forget(&file, &s).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(load(&file).len(), 1, "written");
        assert!(study.exists(), "the study file stays");
        assert_eq!(forget(&file, "/nope").unwrap().len(), 1);
    }
}
