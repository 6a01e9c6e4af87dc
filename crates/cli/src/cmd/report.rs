//! `chameleon report STUDY_OR_FILE OUT.html`: the self-contained HTML report (issue #6), made by
//! `chameleon_core::report` (the desktop app calls the same code).

use chameleon_core::analysis::decompose::DecomposeMethod;
use chameleon_core::export::write_atomically;
use chameleon_core::report::{self, ReportOptions};
use chameleon_core::CoreError;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
                  chameleon report study.db report.html --bootstrap 1000 --seed 1\n  \
                  chameleon report ratings.csv report.html --dimension Extraversion --tables tables/\n\n\
                  The report holds a methods paragraph, agreement and decomposition tables and SVG \
                  figures in one HTML file with no external resources. Its numbers are those of \
                  `chameleon agreement --json` and `chameleon decompose --json` with the same \
                  options, embedded unrounded as JSON in script#chameleon-data. See docs/report.md.")]
pub struct ReportArgs {
    /// A study file or a tidy ratings CSV.
    pub input: PathBuf,
    /// Where to write the HTML report (written atomically; `-` for stdout).
    pub output: PathBuf,
    /// Only this dimension.
    #[arg(long)]
    pub dimension: Option<String>,
    /// Decomposition estimator: reml (default) or anova.
    #[arg(long, default_value = "reml", value_parser = ["reml", "anova"])]
    pub method: String,
    /// Bootstrap resamples for confidence intervals (0 = none; 1000 is usual).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Title of the report.
    #[arg(long)]
    pub title: Option<String>,
    /// Also write the tables as CSV and the figures as SVG and PNG into this folder.
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
}

pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let mut ds = chameleon_core::analysis::input::load_dataset(&args.input)?;
    if let Some(d) = &args.dimension {
        ds.only_dimension(d)?;
    }
    let opts = ReportOptions {
        method: match args.method.as_str() {
            "anova" => DecomposeMethod::Anova,
            _ => DecomposeMethod::Reml,
        },
        bootstrap: args.bootstrap,
        seed: args.seed,
        title: args.title.clone(),
        study: study_name(&args.input),
        generated_at: chrono_now(),
    };
    let data = super::with_bootstrap_progress(args.bootstrap, |control| {
        report::compute(&ds, &opts, control)
    })?;
    for w in &data.agreement_warnings {
        eprintln!("warning: {w}");
    }
    for d in &data.decomposition.dimensions {
        for w in &d.warnings {
            eprintln!("warning: {}: {w}", d.dimension);
        }
    }
    let html = report::render_html(&data)?;
    if let Some(dir) = &args.tables {
        write_tables(dir, &data)?;
    }
    write_atomically(&args.output, |w| {
        write_all(w, &args.output, html.as_bytes())
    })?;
    if args.output.as_os_str() != "-" {
        eprintln!("wrote {}", args.output.display());
    }
    Ok(())
}

/// The codebook's name when the input is a study that has one.
fn study_name(path: &Path) -> Option<String> {
    if !chameleon_core::analysis::input::is_sqlite_file(path) {
        return None;
    }
    let study = chameleon_core::Study::open_read_only(path).ok()?;
    study.codebook().ok().flatten().and_then(|c| c.name)
}

fn chrono_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

fn write_all(w: &mut dyn Write, path: &Path, bytes: &[u8]) -> chameleon_core::Result<()> {
    w.write_all(bytes).map_err(|source| CoreError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Pixels per SVG unit of the PNG figures (print-friendly).
const PNG_SCALE: f32 = 2.0;

/// agreement.csv, decomposition.csv, rater_sensitivity.csv, person_profiles.csv and one SVG
/// and one PNG per figure.
fn write_tables(dir: &Path, data: &report::ReportData) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| CoreError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<(String, String)> = vec![
        (
            "agreement.csv".into(),
            report::agreement_csv(&data.agreement)?,
        ),
        (
            "decomposition.csv".into(),
            report::decomposition_csv(&data.decomposition)?,
        ),
        (
            "rater_sensitivity.csv".into(),
            report::rater_sensitivity_csv(&data.decomposition)?,
        ),
    ];
    files.push((
        "person_profiles.csv".into(),
        report::person_profiles_csv(&data.person_profiles)?,
    ));
    let mut pngs: Vec<(String, Vec<u8>)> = Vec::new();
    for f in report::figures(data)? {
        pngs.push((
            format!("{}.png", f.name),
            report::svg_to_png(&f.svg, PNG_SCALE)?,
        ));
        files.push((format!("{}.svg", f.name), f.svg));
    }
    let bytes = files
        .into_iter()
        .map(|(n, c)| (n, c.into_bytes()))
        .chain(pngs);
    for (name, contents) in bytes {
        let path = dir.join(name);
        write_atomically(&path, |w| write_all(w, &path, &contents))?;
    }
    Ok(())
}
