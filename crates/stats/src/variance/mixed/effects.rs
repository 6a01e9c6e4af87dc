//! Conditional modes of the random effects and their conditional standard deviations, as
//! lme4's `ranef(m, condVar = TRUE)`: `b̂ = Λθ ŵ_u` at the fitted intercept, and
//! `Var(b | y) = σ² Λθ (Λθ'Z'ZΛθ + I)⁻¹ Λθ'` (the random-effects block alone, as lme4's
//! `condVar`, not widened for the intercept's uncertainty).

use super::eval::{cholesky, forward};
use super::{Criterion, Model};
use crate::variance::formula::TermKind;
use nalgebra::DMatrix;
use serde::Serialize;

/// One level's conditional mode.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Effect {
    /// The level's ids in [`TermKind::factors`] order (the second is 0 for main effects).
    pub ids: [u32; 2],
    pub mode: f64,
    pub sd: f64,
}

/// The conditional modes of one term.
#[derive(Debug, Clone, Serialize)]
pub struct TermEffects {
    pub label: String,
    pub kind: TermKind,
    pub effects: Vec<Effect>,
}

impl Model {
    /// Conditional modes of every term at `θ` (a fit's [`super::ModelFit::theta`]). `None`
    /// where the criterion is undefined.
    pub fn conditional_modes(
        &self,
        theta: &[f64],
        criterion: Criterion,
    ) -> Option<Vec<TermEffects>> {
        let (e, sol) = self.evaluate_with(theta, criterion)?;
        let sigma2 = e.sigma2;
        let red = self.reduce(theta);
        let q = self.g - 1;
        // Inverse of the random-effects-only Schur complement (no intercept row).
        let sinv = if q > 0 {
            // The reduction holds its lower triangle only.
            let srr = DMatrix::from_fn(q, q, |i, j| red.s[i.max(j) * self.g + i.min(j)]);
            srr.cholesky()?.inverse()
        } else {
            DMatrix::zeros(0, 0)
        };
        let mut out: Vec<TermEffects> = self
            .formula
            .terms
            .iter()
            .map(|t| TermEffects {
                label: t.label.clone(),
                kind: t.kind,
                effects: Vec::new(),
            })
            .collect();
        let mut seen = vec![0usize; self.kinds.len()];
        for (gi, &t) in self.global_term.iter().enumerate() {
            let th = theta[t];
            out[t].effects.push(Effect {
                ids: self.level_ids[t][seen[t]],
                mode: th * sol[gi],
                sd: (sigma2 * th * th * sinv[(gi, gi)]).max(0.0).sqrt(),
            });
            seen[t] += 1;
        }
        let (mut amat, mut bmat, mut ra) = (Vec::new(), Vec::new(), Vec::new());
        for block in &self.blocks {
            let m = block.m as usize;
            if m == 0 {
                continue;
            }
            let touched = &self.touched[block.touched.0 as usize..block.touched.1 as usize];
            let gl = touched.len();
            self.block_system(block, theta, &mut amat, &mut bmat, &mut ra);
            // ŵ_n = A⁻¹ (ρ − B ŵ_global).
            let mut rhs = ra.clone();
            for i in 0..m {
                for k in 0..gl {
                    rhs[i] -= bmat[i * gl + k] * sol[touched[k] as usize];
                }
            }
            if !cholesky(&mut amat, m) {
                return None;
            }
            forward(&amat, m, &mut rhs, 1);
            let w = back(&amat, m, rhs);
            // K = L⁻¹; X = L⁻¹ B without the intercept column; V = K'(I + X S⁻¹ X')K.
            let mut k = vec![0.0; m * m];
            for i in 0..m {
                k[i * m + i] = 1.0;
            }
            forward(&amat, m, &mut k, m);
            forward(&amat, m, &mut bmat, gl);
            let mut mm = vec![0.0; m * m];
            for i in 0..m {
                mm[i * m + i] = 1.0;
            }
            for a in 0..m {
                for b in 0..m {
                    let mut v = 0.0;
                    for x in 1..gl {
                        let xa = bmat[a * gl + x];
                        if xa == 0.0 {
                            continue;
                        }
                        let gx = touched[x] as usize;
                        for y in 1..gl {
                            v += xa * sinv[(gx, touched[y] as usize)] * bmat[b * gl + y];
                        }
                    }
                    mm[a * m + b] += v;
                }
            }
            for j in 0..m {
                let mut v = 0.0;
                for a in 0..m {
                    for b in 0..m {
                        v += k[a * m + j] * mm[a * m + b] * k[b * m + j];
                    }
                }
                let (t, ids) = self.nested[block.nested.0 as usize + j];
                let th = theta[t as usize];
                out[t as usize].effects.push(Effect {
                    ids,
                    mode: th * w[j],
                    sd: (sigma2 * th * th * v).max(0.0).sqrt(),
                });
            }
        }
        Some(out)
    }
}

/// Solves `L' x = b` for the lower-triangular row-major `m × m` `l`.
fn back(l: &[f64], m: usize, mut b: Vec<f64>) -> Vec<f64> {
    for i in (0..m).rev() {
        let mut v = b[i];
        for k in (i + 1)..m {
            v -= l[k * m + i] * b[k];
        }
        b[i] = v / l[i * m + i];
    }
    b
}
