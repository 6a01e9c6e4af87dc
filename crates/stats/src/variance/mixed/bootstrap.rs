//! Bootstrap intervals of a fitted formula's components and shares.
//!
//! - [`Model::parametric_bootstrap`]: as lme4's `bootMer(m, FUN, nsim, type = "parametric")`
//!   with `use.u = FALSE`: each resample simulates new responses from the fitted model
//!   (intercept + a Gaussian draw per level of every term with the term's fitted variance +
//!   a Gaussian residual per observation), refits by the same criterion and records every
//!   component and share. The right bootstrap when levels are shared across persons
//!   (contexts, raters): resampling persons would keep every context's effect fixed.
//! - [`person_cluster_bootstrap`]: persons drawn with replacement, each draw a new person with
//!   all its rows, for formulas whose terms are all nested in person.
//!
//! Resample `b` draws from its own ChaCha8 stream (`seed`, stream `b`) and refits start from
//! the full fit's `θ`, so the intervals are identical for a seed whatever the thread count.
//! Percentile intervals as [`crate::bootstrap::percentile_interval`] (R's type 7).

use super::{Criterion, FitOptions, Model, ModelError, ModelFit, Observation};
use crate::bootstrap::{percentile_interval, Control, ResampleRng};
use crate::prec;
use crate::variance::formula::Formula;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which bootstrap made the intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BootstrapMethod {
    Parametric,
    PersonCluster,
}

impl BootstrapMethod {
    /// The bootstrap lme4 users would choose for `formula`: parametric when a term's levels
    /// are shared across persons, person-cluster when every term is nested in person.
    pub fn for_formula(formula: &Formula) -> BootstrapMethod {
        if formula.terms.iter().all(|t| t.kind.nested_in_person()) {
            BootstrapMethod::PersonCluster
        } else {
            BootstrapMethod::Parametric
        }
    }
}

/// Options of a formula bootstrap.
#[derive(Debug, Clone, Copy)]
pub struct ModelBootstrapOptions {
    pub resamples: usize,
    pub seed: u64,
    /// Confidence level of the percentile intervals, e.g. 0.95.
    pub level: f64,
}

/// Percentile intervals of every component and share: the terms in formula order, then the
/// residual (`labels` names them).
#[derive(Debug, Clone, Serialize)]
pub struct ModelBootstrap {
    pub method: BootstrapMethod,
    pub resamples: usize,
    pub seed: u64,
    /// Resamples whose refit failed (left out of the intervals).
    pub failed: usize,
    pub labels: Vec<String>,
    pub components: Vec<Option<[f64; 2]>>,
    pub shares: Vec<Option<[f64; 2]>>,
}

/// A standard normal draw (Box–Muller; one of the pair is kept so each draw consumes the
/// same number of words whatever came before).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let unit = |x: u64| ((x >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
    let u1 = unit(rng.next_u64());
    let u2 = unit(rng.next_u64());
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Components (terms, residual) and shares of one refit.
type Replicate = (Vec<f64>, Vec<f64>);

fn statistics(fit: &ModelFit) -> Replicate {
    let mut c: Vec<f64> = fit.terms.iter().map(|t| t.variance).collect();
    c.push(fit.residual);
    let mut s: Vec<f64> = fit.terms.iter().map(|t| t.share).collect();
    s.push(fit.residual_share);
    (c, s)
}

/// Runs `resamples` replicates of `one` in parallel, in replicate order.
fn replicate(
    opts: &ModelBootstrapOptions,
    control: &Control,
    one: impl Fn(u64) -> Option<Replicate> + Sync,
) -> Result<Vec<Option<Replicate>>, ModelError> {
    let done = AtomicU64::new(0);
    let total = opts.resamples as u64;
    // Outer `None`: skipped after a cancel; inner `None`: the refit failed.
    let out: Vec<Option<Option<Replicate>>> = (0..total)
        .into_par_iter()
        .map(|b| {
            if control.is_cancelled() {
                return None;
            }
            let r = one(b);
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            (control.progress)(d, total);
            Some(r)
        })
        .collect();
    if control.is_cancelled() {
        return Err(ModelError::Cancelled);
    }
    out.into_iter()
        .map(|r| r.ok_or(ModelError::Cancelled))
        .collect()
}

fn summarise(
    method: BootstrapMethod,
    fit: &ModelFit,
    opts: &ModelBootstrapOptions,
    reps: Vec<Option<Replicate>>,
) -> ModelBootstrap {
    let mut labels: Vec<String> = fit.terms.iter().map(|t| t.label.clone()).collect();
    labels.push("residual".into());
    let ok: Vec<&Replicate> = reps.iter().flatten().collect();
    let column = |i: usize, share: bool| -> Option<[f64; 2]> {
        let v: Vec<f64> = ok
            .iter()
            .map(|(c, s)| if share { s[i] } else { c[i] })
            .collect();
        percentile_interval(&v, opts.level)
    };
    ModelBootstrap {
        method,
        resamples: opts.resamples,
        seed: opts.seed,
        failed: reps.len() - ok.len(),
        components: (0..labels.len()).map(|i| column(i, false)).collect(),
        shares: (0..labels.len()).map(|i| column(i, true)).collect(),
        labels,
    }
}

fn refit_options(fit: &ModelFit) -> FitOptions {
    FitOptions {
        start: Some(fit.theta()),
        decrement_tol: Some(prec::BOOTSTRAP_DECREMENT),
    }
}

impl Model {
    /// This model's design with responses simulated from `fit` (see the module docs), drawn
    /// from `rng`: crossed levels first, then each person's nested levels, then the residuals
    /// cell by cell.
    fn simulated(&self, fit: &ModelFit, rng: &mut ChaCha8Rng) -> Model {
        let sd: Vec<f64> = fit.terms.iter().map(|t| t.sd).collect();
        let sigma = fit.residual.sqrt();
        let global: Vec<f64> = self
            .global_term
            .iter()
            .map(|&t| sd[t] * normal(rng))
            .collect();
        let mut m = self.clone();
        let mut sums = vec![0.0; m.cells.len()];
        let (mut total, mut squares) = (0.0, 0.0);
        let mut local: Vec<f64> = Vec::new();
        for block in &self.blocks {
            local.clear();
            for &(t, _) in &self.nested[block.nested.0 as usize..block.nested.1 as usize] {
                local.push(sd[t as usize] * normal(rng));
            }
            let range = block.cells.0 as usize..block.cells.1 as usize;
            for (cell, sum) in self.cells[range.clone()].iter().zip(&mut sums[range]) {
                let mut mu = 0.0;
                for (t, kind) in self.kinds.iter().enumerate() {
                    let i = cell.idx[t] as usize;
                    mu += if kind.nested_in_person() {
                        local[i]
                    } else {
                        global[i]
                    };
                }
                let mut s = 0.0;
                for _ in 0..cell.n as usize {
                    let y = mu + sigma * normal(rng);
                    s += y;
                    squares += y * y;
                }
                *sum = s;
                total += s;
            }
        }
        // Values are simulated around the intercept, so centring loses no precision.
        let mean = total / self.n;
        for ((sum, c), s) in m.sums.iter_mut().zip(m.cells.iter()).zip(&sums) {
            *sum = s - c.n * mean;
        }
        m.yy = squares - self.n * mean * mean;
        m.centre = fit.intercept + mean;
        // The crossed right-hand side and the signatures hold sums of the values: rebuild
        // them so the refit sees the new ones.
        m.summarise_values();
        m
    }

    /// Parametric bootstrap of `fit` (this model's fit by `criterion`), as lme4's `bootMer`.
    pub fn parametric_bootstrap(
        &self,
        fit: &ModelFit,
        criterion: Criterion,
        opts: &ModelBootstrapOptions,
        control: &Control,
    ) -> Result<ModelBootstrap, ModelError> {
        let fo = refit_options(fit);
        let reps = replicate(opts, control, |b| {
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
            rng.set_stream(b);
            let m = self.simulated(fit, &mut rng);
            m.fit(criterion, &fo).ok().map(|f| statistics(&f))
        })?;
        Ok(summarise(BootstrapMethod::Parametric, fit, opts, reps))
    }
}

/// Person-cluster bootstrap of `fit` (the fit of `formula` to `rows` by `criterion`): each
/// resample draws as many persons as there are with replacement, each draw a new person with
/// all the rows of the drawn one, and refits.
pub fn person_cluster_bootstrap(
    formula: &Formula,
    rows: &[Observation],
    has_rater: bool,
    fit: &ModelFit,
    criterion: Criterion,
    opts: &ModelBootstrapOptions,
    control: &Control,
) -> Result<ModelBootstrap, ModelError> {
    let mut persons: Vec<u32> = rows.iter().map(|r| r.person).collect();
    persons.sort_unstable();
    persons.dedup();
    let mut by_person: Vec<Vec<Observation>> = vec![Vec::new(); persons.len()];
    for r in rows {
        if let Ok(i) = persons.binary_search(&r.person) {
            by_person[i].push(*r);
        }
    }
    let fo = refit_options(fit);
    let reps = replicate(opts, control, |b| {
        let mut rng = ResampleRng::new(opts.seed, b);
        let mut sample = Vec::with_capacity(rows.len());
        for (new_id, i) in rng
            .resample_indices(by_person.len())
            .into_iter()
            .enumerate()
        {
            sample.extend(by_person[i].iter().map(|o| Observation {
                person: new_id as u32,
                ..*o
            }));
        }
        let m = Model::new(formula, &sample, has_rater).ok()?;
        m.fit(criterion, &fo).ok().map(|f| statistics(&f))
    })?;
    Ok(summarise(BootstrapMethod::PersonCluster, fit, opts, reps))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variance::formula::parse;
    use std::sync::atomic::AtomicBool;

    fn rows() -> Vec<Observation> {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let ctx: Vec<f64> = (0..8).map(|_| 0.6 * normal(&mut rng)).collect();
        let mut out = Vec::new();
        for p in 0..30u32 {
            let pe = 0.8 * normal(&mut rng);
            for c in 0..4u32 {
                let c = (p + 3 * c) % 8;
                out.push(Observation {
                    person: p,
                    context: c,
                    rater: 0,
                    value: 3.0 + pe + ctx[c as usize] + 0.5 * normal(&mut rng),
                });
            }
        }
        out
    }

    fn control(cancel: &AtomicBool) -> Control<'_> {
        Control {
            progress: &|_, _| {},
            cancel,
        }
    }

    #[test]
    fn simulated_responses_have_the_fitted_moments() {
        let f = parse("value ~ 1 + (1|person) + (1|context)").unwrap();
        let rows = rows();
        let m = Model::new(&f, &rows, false).unwrap();
        let fit = m.fit(Criterion::Reml, &FitOptions::default()).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (mut mean, mut var) = (0.0, 0.0);
        let reps = 400;
        for _ in 0..reps {
            let s = m.simulated(&fit, &mut rng);
            mean += s.centre / reps as f64;
            var += s.yy / (s.n - 1.0) / reps as f64;
        }
        let total = fit.residual + fit.terms.iter().map(|t| t.variance).sum::<f64>();
        // The grand mean varies by the SD of a mean of correlated draws (< 0.35 here); the
        // expected sample variance is below the total by the between-level share it loses.
        assert!(
            (mean - fit.intercept).abs() < 0.1,
            "{mean} {}",
            fit.intercept
        );
        assert!(var > 0.6 * total && var < 1.05 * total, "{var} {total}");
    }

    #[test]
    fn same_seed_same_intervals_other_seed_other_intervals() {
        let f = parse("value ~ 1 + (1|person) + (1|context)").unwrap();
        let rows = rows();
        let m = Model::new(&f, &rows, false).unwrap();
        let fit = m.fit(Criterion::Reml, &FitOptions::default()).unwrap();
        let cancel = AtomicBool::new(false);
        let run = |seed, threads| {
            let opts = ModelBootstrapOptions {
                resamples: 40,
                seed,
                level: 0.95,
            };
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    m.parametric_bootstrap(&fit, Criterion::Reml, &opts, &control(&cancel))
                        .unwrap()
                })
        };
        let a = run(5, 1);
        let b = run(5, 3);
        let c = run(6, 2);
        assert_eq!(a.components, b.components);
        assert_eq!(a.shares, b.shares);
        assert_ne!(a.components, c.components);
        assert_eq!(a.failed, 0);
        for (i, iv) in a.components.iter().enumerate() {
            let [lo, hi] = iv.unwrap();
            assert!(lo < hi, "{}: {lo} {hi}", a.labels[i]);
        }
    }

    #[test]
    fn nested_formulas_use_the_person_cluster_bootstrap() {
        let nested = parse("value ~ 1 + (1|person) + (1|person:context)").unwrap();
        let crossed = parse("value ~ 1 + (1|person) + (1|context)").unwrap();
        assert_eq!(
            BootstrapMethod::for_formula(&nested),
            BootstrapMethod::PersonCluster
        );
        assert_eq!(
            BootstrapMethod::for_formula(&crossed),
            BootstrapMethod::Parametric
        );
        let mut rows = rows();
        // Replicates so person:context is separable from the residual.
        let extra: Vec<Observation> = rows
            .iter()
            .step_by(2)
            .map(|o| Observation {
                value: o.value + 0.3,
                ..*o
            })
            .collect();
        rows.extend(extra);
        let m = Model::new(&nested, &rows, false).unwrap();
        let fit = m.fit(Criterion::Reml, &FitOptions::default()).unwrap();
        let cancel = AtomicBool::new(false);
        let opts = ModelBootstrapOptions {
            resamples: 30,
            seed: 2,
            level: 0.95,
        };
        let r = person_cluster_bootstrap(
            &nested,
            &rows,
            false,
            &fit,
            Criterion::Reml,
            &opts,
            &control(&cancel),
        )
        .unwrap();
        assert_eq!(r.method, BootstrapMethod::PersonCluster);
        let [lo, hi] = r.components[0].unwrap();
        assert!(lo <= fit.terms[0].variance && fit.terms[0].variance <= hi);
    }

    #[test]
    fn a_cancelled_bootstrap_says_so() {
        let f = parse("value ~ 1 + (1|person) + (1|context)").unwrap();
        let rows = rows();
        let m = Model::new(&f, &rows, false).unwrap();
        let fit = m.fit(Criterion::Reml, &FitOptions::default()).unwrap();
        let cancel = AtomicBool::new(true);
        let opts = ModelBootstrapOptions {
            resamples: 10,
            seed: 1,
            level: 0.95,
        };
        let r = m.parametric_bootstrap(&fit, Criterion::Reml, &opts, &control(&cancel));
        assert_eq!(r.unwrap_err(), ModelError::Cancelled);
    }
}
