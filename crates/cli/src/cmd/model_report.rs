//! `chameleon model report STUDY`: humans vs each model rater, state sensitivity, sample
//! consistency and models vs models (`chameleon_core::models::analysis`).

use chameleon_core::analysis::minimum::Caution;
use chameleon_core::models::analysis::{analyse_study, ModelAnalysisOptions, DEFAULT_BLIND_RATIO};
use chameleon_core::store::ModelSamples;
use chameleon_core::Study;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    chameleon model report s.db --json --bootstrap 1000 --seed 1\n  \
    chameleon model report s.db --sample 0          # one sample per model run instead of the mean\n\n\
    Every rater of kind model is analysed: model runs and imported model ratings (e.g. \
    reward-model scores imported with --rater-kind model). See docs/models.md.")]
pub struct ReportArgs {
    pub study: PathBuf,
    /// Only this dimension.
    #[arg(long)]
    pub dimension: Option<String>,
    #[arg(long, default_value_t = 0, value_parser = super::resamples, help = super::RESAMPLES_HELP)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Use one sample (0-based) of each model run instead of the samples' mean.
    #[arg(long)]
    pub sample: Option<u32>,
    /// A model whose state share is below this fraction of the humans' is flagged state-blind.
    #[arg(long, default_value_t = DEFAULT_BLIND_RATIO)]
    pub blind_ratio: f64,
    #[arg(long)]
    pub json: bool,
}

fn f(x: Option<f64>) -> String {
    x.map_or("—".to_owned(), |v| format!("{v:.3}"))
}

fn ci(x: Option<[f64; 2]>) -> String {
    x.map_or(String::new(), |[a, b]| format!(" [{a:.2}, {b:.2}]"))
}

/// `shown`, or the caution's message in its place.
fn unless(shown: String, caution: Option<&Caution>) -> String {
    caution.map_or(shown, |c| c.message.clone())
}

pub fn run(a: ReportArgs) -> anyhow::Result<()> {
    let opts = ModelAnalysisOptions::new(
        a.bootstrap,
        a.seed,
        a.blind_ratio,
        a.sample.map_or(ModelSamples::Mean, ModelSamples::One),
    )?;
    let study = Study::open_read_only(&a.study)?;
    if let Some(d) = &a.dimension {
        // The same check (and message) as every other verb's --dimension.
        study.dataset()?.only_dimension(d)?;
    }
    let mut r = analyse_study(&study, &opts)?;
    if let Some(d) = &a.dimension {
        r.dimensions.retain(|x| x.dimension.eq_ignore_ascii_case(d));
    }
    for n in &r.notes {
        eprintln!("note: {n}");
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "models: {} · humans: {} · model values: {} · state-blind below {:.0}% of the humans' state share",
        r.models.join(", "),
        r.humans.join(", "),
        r.samples,
        100.0 * r.blind_ratio
    );
    for d in &r.dimensions {
        println!();
        println!("{} ({})", d.dimension, d.level);
        println!(
            "  {:<22} {:>8} {:>22} {:>22} {:>8} {:>8} {:>22} {:>18}",
            "model",
            "profiles",
            "alpha vs humans",
            "ICC(A,1) vs humans",
            "state",
            "humans",
            "ratio",
            "sample alpha"
        );
        for m in &d.models {
            println!(
                "  {:<22} {:>8} {:>22} {:>22} {:>8} {:>8} {:>22} {:>18}",
                m.model,
                m.profiles,
                unless(
                    format!("{}{}", f(m.alpha), ci(m.alpha_ci)),
                    m.agreement_caution.as_ref()
                ),
                unless(
                    format!("{}{}", f(m.icc), ci(m.icc_ci)),
                    m.agreement_caution.as_ref()
                ),
                unless(f(m.model_state_share), m.state_caution.as_ref()),
                unless(f(m.human_state_share), m.state_caution.as_ref()),
                unless(
                    format!(
                        "{}{}{}",
                        f(m.state_ratio),
                        ci(m.state_ratio_ci),
                        if m.state_blind == Some(true) {
                            " BLIND"
                        } else {
                            ""
                        }
                    ),
                    m.state_caution.as_ref()
                ),
                unless(
                    format!("{}{}", f(m.sample_alpha), ci(m.sample_alpha_ci)),
                    m.sample_caution.as_ref()
                ),
            );
            for n in &m.notes {
                eprintln!("note: {} on {}: {n}", m.model, d.dimension);
            }
        }
        if let Some(b) = &d.between_models {
            println!(
                "  between models: rater:person share {} · Kendall's W {} on {} profiles",
                unless(f(b.rater_person_share), b.caution.as_ref()),
                f(b.kendall_w),
                b.kendall_units
            );
            for p in &b.sign_agreement {
                println!(
                    "    {} vs {}: same side of their mean for {} of {} persons",
                    p.a,
                    p.b,
                    p.agreement
                        .map_or("—".into(), |x| format!("{:.0}%", 100.0 * x)),
                    p.persons
                );
            }
            for n in &b.notes {
                eprintln!("note: between models on {}: {n}", d.dimension);
            }
        }
    }
    println!();
    for s in &r.summary {
        println!(
            "{:<22} state-blind in {} of {} dimensions{}{}",
            s.model,
            s.blind_in,
            s.judged,
            s.mean_state_ratio
                .map_or(String::new(), |x| format!(", mean ratio {x:.2}")),
            if s.state_blind { ": STATE-BLIND" } else { "" }
        );
    }
    Ok(())
}
