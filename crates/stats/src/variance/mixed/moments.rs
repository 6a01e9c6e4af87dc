//! The fit's starting point: Henderson's Method I moment estimates of the components.
//!
//! For a term `t` with levels `l` (`n_l` observations, centred sums `S_l`), the
//! between-level sum of squares `SS_t = Σ_l S_l² / n_l − S² / n` has, under the model,
//!
//! ```text
//! E[SS_t] = Σ_u v_u (k_tu − k_u) + σ² (L_t − 1),   E[SS_total] = Σ_u v_u (n − k_u) + σ² (n − 1)
//! k_tu = Σ_l Σ_j n_lj² / n_l  (l of t, j of u),     k_u = Σ_j n_j² / n
//! ```
//!
//! for any design (Searle, Casella & McCulloch 1992, § 5.3), so equating them to the data
//! gives unbiased components from one pass over the cells — the counts `n_lj` are the
//! unscaled `Z'Z` the evaluation scales by `θ` anyway. They are not efficient, but close
//! enough that Newton's method from them saves an iteration or two over lme4's `θ = 1`
//! (each a reduction with derivatives, most of a fit's time). A component estimated below
//! zero starts at [`FLOOR`]; the fit's result does not depend on the start beyond the
//! optimiser's tolerance.

use super::Model;
use nalgebra::{DMatrix, DVector};

/// Smallest starting `θ`: far enough from 0 for the analytic derivatives (which need
/// `θ ≥ 1e-4`), small enough for a component the moments put at or below zero.
const FLOOR: f64 = 0.1;

impl Model {
    /// Starting `θ` from the moment estimates; `None` when they give no positive residual.
    pub(crate) fn moment_start(&self) -> Option<Vec<f64>> {
        let k = self.kinds.len();
        let g = self.g;
        let n = self.n;
        let int = g - 1;
        let mut kk = vec![0.0; k * k];
        let mut ku = vec![0.0; k];
        let mut ss = vec![0.0; k];
        let mut total_sum = 0.0;
        // Crossed × crossed: `cross` holds n_ab for every pair of global indices.
        let mut na = vec![0.0; g];
        for &(a, b, w) in &self.cross {
            if a == b {
                na[a as usize] = w;
            }
        }
        for &(a, b, w) in &self.cross {
            let (a, b) = (a as usize, b as usize);
            if a == int || b == int {
                continue;
            }
            let (t, u) = (self.global_term[a], self.global_term[b]);
            kk[t * k + u] += w * w / na[a];
        }
        for (a, &t) in self.global_term.iter().enumerate() {
            ku[t] += na[a] * na[a] / n;
        }
        for &(a, v) in &self.cross_rhs {
            let a = a as usize;
            if a == int {
                total_sum = v;
            } else if na[a] > 0.0 {
                ss[self.global_term[a]] += v * v / na[a];
            }
        }
        // Blocks: nested × anything from the block's counts (A − I and B at θ = 1).
        let ones = vec![1.0; k];
        let (mut amat, mut bmat, mut ra) = (Vec::new(), Vec::new(), Vec::new());
        // Per global index and nested term: Σ_j n_aj² (divided by n_a at the end).
        let mut cn = vec![0.0; g * k];
        for block in &self.blocks {
            let m = block.m as usize;
            if m == 0 {
                continue;
            }
            let touched = &self.touched[block.touched.0 as usize..block.touched.1 as usize];
            let gl = touched.len();
            self.block_system(block, &ones, &mut amat, &mut bmat, &mut ra);
            let term_of = |li: usize| self.nested[block.nested.0 as usize + li].0 as usize;
            for li in 0..m {
                let t = term_of(li);
                let nl = bmat[li * gl];
                if nl <= 0.0 {
                    continue;
                }
                ku[t] += nl * nl / n;
                ss[t] += ra[li] * ra[li] / nl;
                for lj in 0..m {
                    let w = amat[li * m + lj] - if li == lj { 1.0 } else { 0.0 };
                    kk[t * k + term_of(lj)] += w * w / nl;
                }
                for (p, &a) in touched.iter().enumerate().skip(1) {
                    let w = bmat[li * gl + p];
                    let u = self.global_term[a as usize];
                    kk[t * k + u] += w * w / nl;
                    cn[a as usize * k + t] += w * w;
                }
            }
        }
        for (a, &t) in self.global_term.iter().enumerate() {
            if na[a] <= 0.0 {
                continue;
            }
            for u in 0..k {
                if cn[a * k + u] != 0.0 {
                    kk[t * k + u] += cn[a * k + u] / na[a];
                }
            }
        }
        let s2n = total_sum * total_sum / n;
        let mut lhs = DMatrix::zeros(k + 1, k + 1);
        let mut rhs = DVector::zeros(k + 1);
        for t in 0..k {
            for u in 0..k {
                lhs[(t, u)] = kk[t * k + u] - ku[u];
            }
            lhs[(t, k)] = self.levels[t] as f64 - 1.0;
            rhs[t] = ss[t] - s2n;
        }
        for u in 0..k {
            lhs[(k, u)] = n - ku[u];
        }
        lhs[(k, k)] = n - 1.0;
        rhs[k] = self.yy;
        let v = lhs.lu().solve(&rhs)?;
        let sigma2 = v[k];
        if !(sigma2.is_finite() && sigma2 > 0.0) {
            return None;
        }
        Some(
            (0..k)
                .map(|t| {
                    let th = (v[t] / sigma2).max(0.0).sqrt();
                    if th.is_finite() {
                        th.max(FLOOR)
                    } else {
                        1.0
                    }
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Criterion, FitOptions, Model, Observation};
    use crate::variance::formula::parse;

    /// A deterministic standard normal stream (LCG + Box–Muller).
    fn normals(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        let mut uniform = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        move || {
            let (u, v) = (uniform(), uniform());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        }
    }

    /// One-way balanced: Method I is the ANOVA estimator `(MSB − MSW) / n_per`.
    #[test]
    fn one_way_moments_are_the_anova_estimator() {
        let mut z = normals(3);
        let (persons, per) = (40u32, 5u32);
        let mut rows = Vec::new();
        for p in 0..persons {
            let u = 0.8 * z();
            for c in 0..per {
                rows.push(Observation {
                    person: p,
                    context: p * per + c,
                    rater: 0,
                    value: 2.0 + u + 0.5 * z(),
                });
            }
        }
        let model = Model::new(&parse("value ~ 1 + (1|person)").unwrap(), &rows, false).unwrap();
        let theta = model.moment_start().unwrap();
        let mean = rows.iter().map(|r| r.value).sum::<f64>() / rows.len() as f64;
        let (mut ssb, mut ssw) = (0.0, 0.0);
        for p in 0..persons as usize {
            let group = &rows[p * per as usize..(p + 1) * per as usize];
            let m = group.iter().map(|r| r.value).sum::<f64>() / per as f64;
            ssb += per as f64 * (m - mean).powi(2);
            ssw += group.iter().map(|r| (r.value - m).powi(2)).sum::<f64>();
        }
        let msb = ssb / (persons - 1) as f64;
        let msw = ssw / (persons * (per - 1)) as f64;
        let expected = ((msb - msw) / per as f64 / msw).sqrt();
        assert!(
            (theta[0] - expected).abs() < 1e-10 * expected,
            "{} vs {expected}",
            theta[0]
        );
    }

    /// Shared contexts and raters with known components: the moments land near the REML
    /// optimum, and the fit from them needs fewer reductions than from lme4's θ = 1 for the
    /// same optimum.
    #[test]
    fn the_moment_start_saves_reductions_on_a_crossed_design() {
        let mut z = normals(7);
        let (persons, contexts, raters) = (300u32, 25u32, 6u32);
        let ctx: Vec<f64> = (0..contexts).map(|_| 0.7 * z()).collect();
        let rat: Vec<f64> = (0..raters).map(|_| 0.4 * z()).collect();
        let mut rows = Vec::new();
        for p in 0..persons {
            let u = z();
            for j in 0..3 {
                let c = (p * 7 + j * 11) % contexts;
                let pc = 0.9 * z();
                for r in 0..2 {
                    let r = (p + j + 3 * r) % raters;
                    rows.push(Observation {
                        person: p,
                        context: c,
                        rater: r,
                        value: u + ctx[c as usize] + pc + rat[r as usize] + 0.6 * z(),
                    });
                }
            }
        }
        let formula =
            parse("value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)").unwrap();
        let model = Model::new(&formula, &rows, true).unwrap();
        let start = model.moment_start().unwrap();
        let ones = FitOptions {
            start: Some(vec![1.0; 4]),
            ..FitOptions::default()
        };
        for crit in [Criterion::Reml, Criterion::Ml] {
            let from_moments = model.fit(crit, &FitOptions::default()).unwrap();
            let from_ones = model.fit(crit, &ones).unwrap();
            assert!(
                from_moments.evaluations < from_ones.evaluations,
                "{crit:?}: {} reductions from the moments, {} from θ = 1",
                from_moments.evaluations,
                from_ones.evaluations
            );
            assert!((from_moments.criterion - from_ones.criterion).abs() < 1e-8);
            for (s, t) in start.iter().zip(from_moments.theta()) {
                assert!((s - t).abs() < 0.25 * t, "start {start:?}, optimum {t}");
            }
        }
    }
}
