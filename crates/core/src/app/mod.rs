//! The use-case layer: one function per thing a person does on a screen, taking checked
//! options and returning a plain serializable struct or a [`CoreError`](crate::CoreError).
//! The Tauri shell and the CLI both call these and add only parsing and printing, so a rule
//! enforced here (a package is never designed, exported or merged; one blind-alias scheme;
//! one set of resample bounds) holds for either face.
//!
//! With the `ts` feature the types that cross the app's IPC boundary derive `ts_rs::TS`,
//! from which `src-tauri` generates `ui/src/bindings.ts`.

pub mod analysis;
pub mod annotate;
pub mod codebook_diff;
pub mod formula;
pub mod gold;
pub mod models;
pub mod review;
pub mod start;
pub mod team;

#[cfg(test)]
pub(crate) mod testing {
    use crate::model::RaterKind;
    use crate::store::Study;
    use crate::RatingsImportOptions;
    use std::path::{Path, PathBuf};

    /// The app's demo study (seed 2024, 36 persons, three annotators and a model) in `dir`.
    pub fn demo(dir: &Path) -> (Study, PathBuf) {
        let files = crate::sample::demo(2024, 36);
        let put = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).expect("write a demo file");
            p
        };
        let profiles = put("profiles.jsonl", &files.profiles_jsonl);
        let codebook = put("codebook.toml", &files.codebook_toml);
        let ratings = put("ratings.csv", &files.ratings_csv);
        let model = put("model_ratings.csv", &files.model_ratings_csv);
        let path = dir.join("demo.chameleon");
        let mut study = Study::create(&path).expect("create the demo study");
        study.import_profiles(&profiles).expect("profiles");
        study.import_codebook(&codebook).expect("codebook");
        study
            .import_ratings(&ratings, &Default::default())
            .expect("ratings");
        study
            .import_ratings(
                &model,
                &RatingsImportOptions {
                    rater_kind: RaterKind::Model,
                },
            )
            .expect("model ratings");
        (study, path)
    }
}
