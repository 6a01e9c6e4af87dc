//! `chameleon report STUDY_OR_FILE OUT.html`: the self-contained HTML report (issue #6), made by
//! `chameleon_core::report` (the desktop app calls the same code).

use chameleon_core::analysis::decompose::prepare_model;
use chameleon_core::analysis::decompose::DecomposeMethod;
use chameleon_core::export::write_atomically;
use chameleon_core::report::{self, ReportModelOptions, ReportOptions};
use chameleon_core::CoreError;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
                  chameleon report study.db report.html --bootstrap 1000 --seed 1\n  \
                  chameleon report ratings.csv report.html --dimension Extraversion --tables tables/\n  \
                  chameleon report ratings.csv report.html --model \
                  \"value ~ 1 + (1|person) + (1|context) + (1|person:context)\" --profile-ci\n\n\
                  The report holds a methods paragraph, agreement and decomposition tables and SVG \
                  figures in one HTML file with no external resources. Its numbers are those of \
                  `chameleon agreement --json` and `chameleon decompose --json` with the same \
                  options (the report pools every rater unless --raters, --rater-kind or --min-ratings say \
                  otherwise; agreement's own default is humans with 10 or more ratings), embedded \
                  unrounded as JSON in script#chameleon-data. See docs/report.md.")]
pub struct ReportArgs {
    /// A study file or a tidy ratings CSV.
    pub input: PathBuf,
    #[command(flatten)]
    pub shape: super::WideArgs,
    /// Where to write the HTML report (written atomically; `-` for stdout).
    pub output: PathBuf,
    /// Only this dimension.
    #[arg(long)]
    pub dimension: Option<String>,
    /// Decomposition estimator: reml (default) or anova.
    #[arg(long, default_value = "reml", value_parser = ["reml", "anova"])]
    pub method: String,
    #[arg(long, default_value_t = 0, value_parser = super::resamples, help = super::RESAMPLES_HELP)]
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
    /// Also fit this lme4 random-intercept formula per dimension (as `chameleon decompose
    /// --model`): the report names it, with a methods paragraph, its components and shares
    /// (bootstrap intervals with --bootstrap) and, with a context term, the context effects.
    #[arg(long, value_name = "FORMULA")]
    pub model: Option<String>,
    /// Fit --model by maximum likelihood instead of REML.
    #[arg(long, requires = "model")]
    pub ml: bool,
    /// Profile-likelihood intervals of the --model standard deviations.
    #[arg(long, requires = "model")]
    pub profile_ci: bool,
    /// Default: every rater, for agreement and decomposition alike (docs/report.md).
    #[command(flatten)]
    pub raters: super::RaterArgs,
}

pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let mut ds = super::load_shaped(
        &args.input,
        chameleon_core::store::ModelSamples::Mean,
        &args.shape,
    )?;
    if let Some(d) = &args.dimension {
        ds.only_dimension(d)?;
    }
    let choice = super::select(
        &mut ds,
        &args
            .raters
            .selection(chameleon_core::analysis::raters::RaterSelection::all()),
    )?;
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
    // Checked before anything runs: a bad formula is exit 2 with nothing written.
    let model = args
        .model
        .as_deref()
        .map(|text| prepare_model(&ds, text))
        .transpose()?;
    let model_opts = ReportModelOptions {
        ml: args.ml,
        profile_ci: args.profile_ci,
    };
    let mut data = super::with_bootstrap_progress(args.bootstrap, |control| {
        report::compute_with_model(&ds, &opts, model.as_ref().map(|m| (m, model_opts)), control)
    })?;
    data.raters = Some(choice);
    data.models = model_raters(&args)?;
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

/// The model raters' analyses when the input is a study with raters of kind model (the same
/// as `chameleon model report` with the report's bootstrap and seed).
fn model_raters(
    args: &ReportArgs,
) -> anyhow::Result<Option<chameleon_core::models::analysis::ModelsReport>> {
    use chameleon_core::models::analysis::{model_rater_data, report_section};
    if !chameleon_core::store::is_sqlite_file(&args.input) {
        return Ok(None);
    }
    let study = chameleon_core::Study::open_read_only(&args.input)?;
    let Some(input) = model_rater_data(&study, chameleon_core::store::ModelSamples::Mean)? else {
        return Ok(None);
    };
    let dims: Vec<String> = args.dimension.iter().cloned().collect();
    Ok(report_section(&input, args.bootstrap, args.seed, &dims)?)
}

/// The codebook's name when the input is a study that has one.
fn study_name(path: &Path) -> Option<String> {
    if !chameleon_core::store::is_sqlite_file(path) {
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

/// The export bundle of core (the app's "export everything" without the report, which goes
/// to OUTPUT): every table as CSV and every figure as SVG and PNG.
fn write_tables(dir: &Path, data: &report::ReportData) -> anyhow::Result<()> {
    use chameleon_core::app::analysis::{bundle_files, tables_of, write_bundle};
    let figures = report::figures(data)?;
    let files = bundle_files(
        None,
        &tables_of(data)?,
        figures.iter().map(|f| (f.name, f.svg.as_str())),
    )?;
    write_bundle(dir, &files)?;
    Ok(())
}
