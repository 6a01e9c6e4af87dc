//! `chameleon sample demo|bench`: seeded data for a first look and for benchmarks.

use chameleon_core::sample::{self, BenchContexts, BenchShape};
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
        #[arg(long, default_value_t = chameleon_core::app::start::DEMO_PERSONS)]
        persons: usize,
        #[arg(long, default_value_t = chameleon_core::app::start::DEMO_SEED)]
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
        after_help = "Examples:\n  chameleon sample bench big.csv --persons 1667 --profiles big.jsonl\n  \
                      chameleon sample bench big.parquet --persons 1111112   (100M ratings)"
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
        /// The file format: csv, or parquet (the tidy columns; needs a build with the
        /// `parquet` feature). Default: parquet for a .parquet name, else csv.
        #[arg(long, value_enum)]
        format: Option<BenchFormat>,
    },
}

/// What `sample bench` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchFormat {
    Csv,
    Parquet,
}

impl BenchFormat {
    fn of(out: &std::path::Path) -> anyhow::Result<BenchFormat> {
        use chameleon_core::tidy::Columnar;
        match Columnar::of(out) {
            None => Ok(BenchFormat::Csv),
            Some(Columnar::Parquet) => Ok(BenchFormat::Parquet),
            Some(kind) => Err(chameleon_core::CoreError::Invalid(format!(
                "{}: sample bench writes CSV or Parquet, not {} (name the file .csv or \
                 .parquet, or give --format)",
                out.display(),
                kind.name()
            ))
            .into()),
        }
    }
}

/// Writes the bench ratings in `format`; how many.
fn write_bench(
    shape: BenchShape,
    contexts: BenchContexts,
    format: BenchFormat,
    w: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    match format {
        BenchFormat::Csv => sample::write_bench_csv(shape, contexts, w),
        #[cfg(feature = "parquet")]
        BenchFormat::Parquet => sample::write_bench_parquet(shape, contexts, w),
        // Refused before anything is opened (`run`).
        #[cfg(not(feature = "parquet"))]
        BenchFormat::Parquet => Err(std::io::Error::other("no Parquet writer in this build")),
    }
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
            // The app's demo study is made by the same two calls.
            chameleon_core::app::start::write_demo_files(&dir, seed, persons)?;
            println!("{}", dir.display());
            if let Some(path) = study {
                chameleon_core::app::start::create_demo_study(&path, &dir, questionnaire)?;
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
            format,
        } => {
            let format = match format {
                Some(format) => format,
                None => BenchFormat::of(&out)?,
            };
            if format == BenchFormat::Parquet && !chameleon_core::tidy::COLUMNAR_BUILT {
                return Err(chameleon_core::CoreError::Invalid(format!(
                    "{}: --format parquet needs a chameleon built with the `parquet` feature \
                     (cargo build --release -p chameleon-cli --features parquet)",
                    out.display()
                ))
                .into());
            }
            let drawn = if context_pool > 0 {
                BenchContexts::Shared(context_pool)
            } else {
                BenchContexts::PerPerson
            };
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
                n = write_bench(shape, drawn, format, w).map_err(|source| {
                    chameleon_core::CoreError::Io {
                        path: out.clone(),
                        source,
                    }
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
