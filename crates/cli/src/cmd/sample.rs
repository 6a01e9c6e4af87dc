//! `chameleon sample demo|bench`: seeded data for a first look and for benchmarks.

use chameleon_core::sample::{self, BenchShape};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum SampleCommand {
    /// Write the demo study's files (profiles.jsonl, codebook.toml, ratings.csv,
    /// model_ratings.csv, and the BFI-10 questionnaire's questionnaire.toml and
    /// questionnaire_ratings.csv) into DIR, or build the study itself with --study.
    #[command(
        after_help = "Examples:\n  chameleon sample demo demo/\n  chameleon sample demo demo/ --study demo.db\n  \
                      chameleon sample demo demo/ --study demo.db --questionnaire"
    )]
    Demo {
        dir: PathBuf,
        #[arg(long, default_value_t = 36)]
        persons: usize,
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// Also create this study from the files (profiles, codebook, ratings, model ratings).
        #[arg(long)]
        study: Option<PathBuf>,
        /// With --study: the codebook with the BFI-10 (ten self-report items scored into five
        /// scales) and each person's answers in each context (rater `self`).
        #[arg(long, requires = "study")]
        questionnaire: bool,
    },
    /// Write Chameleon-scale tidy ratings (default 1,667 persons × 3 contexts × 3 of 12 raters
    /// × 10 dimensions = 150,030 ratings).
    #[command(
        after_help = "Example:\n  chameleon sample bench big.csv --persons 1667 --profiles big.jsonl"
    )]
    Bench {
        out: PathBuf,
        #[arg(long, default_value_t = 1667)]
        persons: usize,
        #[arg(long, default_value_t = 3)]
        contexts: usize,
        #[arg(long, default_value_t = 3)]
        raters_per_profile: usize,
        #[arg(long, default_value_t = 12)]
        rater_pool: usize,
        #[arg(long, default_value_t = 10)]
        dimensions: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write matching profiles (JSONL) here.
        #[arg(long)]
        profiles: Option<PathBuf>,
        /// Draw each person's contexts from this many shared contexts (s0, s1, …), each with
        /// its own effect: the shared-context G-study (0 = contexts c0… per person, no effect).
        #[arg(long, default_value_t = 0)]
        context_pool: usize,
    },
}

fn write(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    chameleon_core::export::write_atomically(path, |w| {
        w.write_all(text.as_bytes())
            .map_err(|source| chameleon_core::CoreError::Io {
                path: path.to_owned(),
                source,
            })
    })?;
    Ok(())
}

pub fn run(cmd: SampleCommand) -> anyhow::Result<()> {
    match cmd {
        SampleCommand::Demo {
            dir,
            persons,
            seed,
            study,
            questionnaire,
        } => {
            std::fs::create_dir_all(&dir)?;
            let files = sample::demo(seed, persons);
            let p = |n: &str| dir.join(n);
            write(&p("profiles.jsonl"), &files.profiles_jsonl)?;
            write(&p("codebook.toml"), &files.codebook_toml)?;
            write(&p("ratings.csv"), &files.ratings_csv)?;
            write(&p("model_ratings.csv"), &files.model_ratings_csv)?;
            write(&p("questionnaire.toml"), &files.questionnaire_toml)?;
            write(&p("questionnaire_ratings.csv"), &files.questionnaire_csv)?;
            println!("{}", dir.display());
            if let Some(path) = study {
                let mut s = chameleon_core::Study::create(&path)?;
                s.import_profiles(&p("profiles.jsonl"))?;
                s.import_codebook(&p("codebook.toml"))?;
                s.import_ratings(&p("ratings.csv"), &Default::default())?;
                s.import_ratings(
                    &p("model_ratings.csv"),
                    &chameleon_core::RatingsImportOptions {
                        rater_kind: chameleon_core::model::RaterKind::Model,
                    },
                )?;
                if questionnaire {
                    s.import_codebook(&p("questionnaire.toml"))?;
                    s.import_ratings(&p("questionnaire_ratings.csv"), &Default::default())?;
                }
                println!("{}", path.display());
            }
        }
        SampleCommand::Bench {
            out,
            persons,
            contexts,
            raters_per_profile,
            rater_pool,
            dimensions,
            seed,
            profiles,
            context_pool,
        } => {
            let shape = BenchShape {
                persons,
                contexts,
                raters_per_profile,
                rater_pool,
                dimensions,
                seed,
            };
            let mut n = 0;
            chameleon_core::export::write_atomically(&out, |w| {
                let written = if context_pool > 0 {
                    sample::write_bench_ratings_shared(shape, context_pool, w)
                } else {
                    sample::write_bench_ratings(shape, w)
                };
                n = written.map_err(|source| chameleon_core::CoreError::Io {
                    path: out.clone(),
                    source,
                })?;
                Ok(())
            })?;
            eprintln!("{n} ratings written to {}", out.display());
            if let Some(pp) = profiles {
                chameleon_core::export::write_atomically(&pp, |w| {
                    sample::write_bench_profiles(shape, w)
                        .map(|_| ())
                        .map_err(|source| chameleon_core::CoreError::Io {
                            path: pp.clone(),
                            source,
                        })
                })?;
            }
        }
    }
    Ok(())
}
