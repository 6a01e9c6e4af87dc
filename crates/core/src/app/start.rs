//! The start screen (and `chameleon sample demo --study`): a new study from a profiles file
//! and a codebook (no half-made file left behind), a free file name for it, the demo study,
//! and what the screen shows about an open study.

use crate::error::{CoreError, Result};
use crate::model::{Codebook, Dimension, Level, Rater, RaterKind, Scale};
use crate::store::Study;
use crate::RatingsImportOptions;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// File extension of studies the app creates.
pub const STUDY_EXT: &str = "chameleon";
/// The demo study's generator seed and persons (`chameleon sample demo`'s defaults).
pub const DEMO_SEED: u64 = 2024;
/// See [`DEMO_SEED`].
pub const DEMO_PERSONS: usize = 36;

/// What the start screen shows about an open study.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct StudySummary {
    /// The study file.
    pub path: String,
    /// The study's name (the PI's, else the codebook's, else the file's).
    pub name: String,
    /// Profiles in the study.
    pub profiles: i64,
    /// Dimensions of the codebook.
    pub dimensions: i64,
    /// Raters known to the study.
    pub raters: i64,
}

/// [`StudySummary`] of `study`.
pub fn summary(study: &Study) -> Result<StudySummary> {
    let size = study.size()?;
    Ok(StudySummary {
        path: study.path().display().to_string(),
        name: study.display_name()?,
        profiles: size.profiles,
        dimensions: size.dimensions,
        raters: size.raters,
    })
}

/// A dimension as the screens show it: the codebook's, with the label to show computed once
/// (the label, else the name) and the level of measurement resolved.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DimensionView {
    /// The dimension's name.
    pub name: String,
    /// What a screen shows: the label, or the name when there is none.
    pub label: String,
    /// What the dimension means, for annotators.
    pub definition: String,
    /// How it is rated.
    pub scale: Scale,
    /// The level of measurement (the codebook's, else the scale's).
    pub level: Level,
}

/// The codebook as the screens read it. The codebook file's own format (snake_case, optional
/// fields) stays [`Codebook`]'s; this is its view on the wire.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CodebookView {
    /// The codebook's name.
    pub name: Option<String>,
    /// Markdown, shown to annotators rendered into text nodes (never HTML).
    pub guidelines: String,
    /// The codebook's version.
    pub version: i64,
    /// The dimensions, in the order annotators see them.
    pub dimensions: Vec<DimensionView>,
    /// Annotators see person ids (hidden by default).
    pub show_person_ids: bool,
}

impl From<&Dimension> for DimensionView {
    fn from(d: &Dimension) -> Self {
        DimensionView {
            name: d.name.clone(),
            label: d.display_name().to_owned(),
            definition: d.definition.clone(),
            scale: d.scale.clone(),
            level: d.level(),
        }
    }
}

impl From<&Codebook> for CodebookView {
    fn from(c: &Codebook) -> Self {
        CodebookView {
            name: c.name.clone(),
            guidelines: c.guidelines.clone(),
            version: c.version,
            dimensions: c.dimensions.iter().map(DimensionView::from).collect(),
            show_person_ids: c.show_person_ids,
        }
    }
}

/// An open study as the app shows it: what it holds, who rates (once chosen) and what they
/// rate by.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    /// The study.
    pub study: StudySummary,
    /// The rater chosen, if any.
    pub rater: Option<Rater>,
    /// The study's codebook, once imported.
    pub codebook: Option<CodebookView>,
}

/// [`SessionView`] of `study` rated by `rater`.
pub fn session_view(study: &Study, rater: Option<&Rater>) -> Result<SessionView> {
    Ok(SessionView {
        study: summary(study)?,
        rater: rater.cloned(),
        codebook: study.codebook()?.as_ref().map(CodebookView::from),
    })
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| CoreError::Io {
        path: dir.to_owned(),
        source,
    })
}

/// A new study file at `target` with the profiles and codebook imported; on any import error
/// the half-made file is removed again, so a retry starts clean.
pub fn create_study(target: &Path, profiles: &Path, codebook: &Path) -> Result<Study> {
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    let mut study = Study::create(target)?;
    let imported = study
        .import_profiles(profiles)
        .and_then(|_| study.import_codebook(codebook));
    if let Err(e) = imported {
        drop(study);
        if let Err(gone) = super::team::remove_study_files(target) {
            tracing::warn!(error = %gone, "could not remove the half-made study");
        }
        return Err(e);
    }
    tracing::info!(study = %target.display(), "created study");
    Ok(study)
}

/// `dir/<stem of profiles>.chameleon`, or `…-2.chameleon`… when taken: never overwrites.
pub fn new_study_path(dir: &Path, profiles: &str) -> Result<PathBuf> {
    let stem = Path::new(profiles)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "study".to_owned());
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.{STUDY_EXT}")
        } else {
            format!("{stem}-{n}.{STUDY_EXT}")
        };
        let p = dir.join(name);
        if !p.exists() {
            return Ok(p);
        }
    }
    Err(CoreError::AlreadyExists {
        path: dir.join(format!("{stem}.{STUDY_EXT}")),
    })
}

/// Writes the demo's files into `dir` (created when missing): profiles, codebook, human and
/// model ratings, and the questionnaire with its ratings.
pub fn write_demo_files(dir: &Path, seed: u64, persons: usize) -> Result<()> {
    create_dir(dir)?;
    let files = crate::sample::demo(seed, persons);
    for (name, text) in [
        ("profiles.jsonl", &files.profiles_jsonl),
        ("codebook.toml", &files.codebook_toml),
        ("ratings.csv", &files.ratings_csv),
        ("model_ratings.csv", &files.model_ratings_csv),
        ("questionnaire.toml", &files.questionnaire_toml),
        ("questionnaire_ratings.csv", &files.questionnaire_csv),
    ] {
        let path = dir.join(name);
        crate::export::write_atomically(&path, |w| {
            w.write_all(text.as_bytes())
                .map_err(|source| CoreError::Io {
                    path: path.clone(),
                    source,
                })
        })?;
    }
    Ok(())
}

/// A new study at `target` from the demo files in `dir` ([`write_demo_files`]): profiles,
/// codebook, the human raters' and the model rater's ratings, and with `questionnaire` the
/// questionnaire's codebook and ratings too.
pub fn create_demo_study(target: &Path, dir: &Path, questionnaire: bool) -> Result<Study> {
    let mut study = create_study(
        target,
        &dir.join("profiles.jsonl"),
        &dir.join("codebook.toml"),
    )?;
    study.import_ratings(&dir.join("ratings.csv"), &Default::default())?;
    let model = RatingsImportOptions {
        rater_kind: RaterKind::Model,
    };
    study.import_ratings(&dir.join("model_ratings.csv"), &model)?;
    if questionnaire {
        study.import_codebook(&dir.join("questionnaire.toml"))?;
        study.import_ratings(&dir.join("questionnaire_ratings.csv"), &Default::default())?;
    }
    Ok(study)
}

/// The app's demo study `demo.chameleon` in `studies_dir`, made on first use from files
/// written to `files_dir`; opened as it is afterwards (its ratings are the user's now).
pub fn open_demo(studies_dir: &Path, files_dir: &Path) -> Result<Study> {
    let target = studies_dir.join(format!("demo.{STUDY_EXT}"));
    if target.exists() {
        return Study::open(&target);
    }
    write_demo_files(files_dir, DEMO_SEED, DEMO_PERSONS)?;
    create_demo_study(&target, files_dir, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_profiles_file_reports_lines_and_leaves_no_study_behind() {
        let dir = tempfile::tempdir().unwrap();
        write_demo_files(dir.path(), DEMO_SEED, DEMO_PERSONS).unwrap();
        let bad = dir.path().join("bad.jsonl");
        std::fs::write(
            &bad,
            "{\"person\":\"a\",\"context\":\"c\",\"text\":\"ok\"}\n{\"person\":\"b\"\nnot json\n",
        )
        .unwrap();
        let target = dir.path().join("s.chameleon");
        let err = create_study(&target, &bad, &dir.path().join("codebook.toml"))
            .err()
            .unwrap();
        assert_eq!(err.code(), "bad_input");
        let CoreError::Input { errors, .. } = &err else {
            panic!("{err}")
        };
        let lines: Vec<u64> = errors.iter().map(|r| r.line).collect();
        assert!(
            lines.contains(&2) && lines.contains(&3),
            "every bad line is reported: {lines:?}"
        );
        assert!(
            !target.exists(),
            "a failed create must not leave a half-made study"
        );
    }

    #[test]
    fn new_studies_get_free_names() {
        let dir = tempfile::tempdir().unwrap();
        let a = new_study_path(dir.path(), "/x/profiles.jsonl").unwrap();
        assert_eq!(a.file_name().unwrap(), "profiles.chameleon");
        std::fs::write(&a, b"x").unwrap();
        let b = new_study_path(dir.path(), "profiles.jsonl").unwrap();
        assert_eq!(
            b.file_name().unwrap(),
            "profiles-2.chameleon",
            "never overwrite a study"
        );
        let c = new_study_path(dir.path(), "").unwrap();
        assert_eq!(c.file_name().unwrap(), "study.chameleon");
    }

    #[test]
    fn the_demo_is_made_once_and_then_opened_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let (studies, files) = (dir.path().join("studies"), dir.path().join("files"));
        let study = open_demo(&studies, &files).unwrap();
        let s = summary(&study).unwrap();
        assert_eq!((s.profiles, s.dimensions), (108, 8));
        let view = session_view(&study, None).unwrap();
        let json = serde_json::to_value(&view).unwrap();
        let cb = &json["codebook"];
        // camelCase on the wire, the label computed, the level resolved.
        assert_eq!(cb["showPersonIds"], false);
        assert_eq!(cb["dimensions"][0]["label"], "Openness");
        assert_eq!(cb["dimensions"][0]["level"], "ordinal");
        assert!(cb.get("show_person_ids").is_none());
        assert!(study
            .raters()
            .unwrap()
            .iter()
            .any(|r| r.kind == RaterKind::Model));
        drop(study);
        std::fs::remove_dir_all(&files).unwrap();
        let again = open_demo(&studies, &files).unwrap();
        assert_eq!(summary(&again).unwrap().path, s.path);
        assert!(!files.exists(), "an existing demo is not made again");
    }
}
