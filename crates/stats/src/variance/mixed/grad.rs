//! The gradient of the profiled criterion and an average-information approximation of its
//! Hessian, so [`super::Model::fit`] needs one reduction per Newton iteration instead of the
//! `2k + k(k−1)/2` of finite differences.
//!
//! With `ŵ` the solution of `C ŵ = W'y`, `ŵ_k` its part for term `k` (`q_k` levels), `σ²`
//! the profiled residual variance and `tr_k` the sum of the diagonal of `C⁻¹` (REML) or of
//! the random-effects block's own inverse `C_uu⁻¹` (ML) over term `k`:
//!
//! ```text
//! ∂d/∂θ_k = (2/θ_k) (q_k − tr_k − |ŵ_k|² / σ²)
//! ```
//!
//! (`∂ log|C| / ∂θ_k = 2 (q_k − tr_k) / θ_k`; `∂ pwrss / ∂θ_k = −2 |ŵ_k|² / θ_k` by the
//! normal equations.) For the Hessian, `F(θ, s) = log|C| + ν log s + pwrss / s` (ν = n − 1
//! or n; ML's `log|C|` without the intercept's pivot) is approximated by the average information `y'P V_a P V_b P y` in `(θ, s)` plus
//! the terms of `∂²V` (which are gradients: `δ_kl g_k / θ_k` and `g_k / s`), and `s` is
//! profiled out (`H = F_θθ − F_θs F_ss⁻¹ F_sθ`). With `x_k = Z_k ŵ_k`:
//!
//! ```text
//! AI_kl = 4 (x_k'x_l − (W'x_k)' C⁻¹ (W'x_l)) / s,  AI_ks = 2 r'x_k / s²,  AI_ss = pwrss / s³
//! ```
//!
//! `r` the residual `y − W ŵ`. All of it reuses the reduction's factors.

use super::dense;
use super::eval::forward;
use super::{Criterion, Model};

/// The criterion with its gradient and approximate Hessian (`k × k`, row-major) at `θ`.
#[derive(Debug, Clone)]
pub(crate) struct Derivatives {
    pub(crate) value: f64,
    pub(crate) gradient: Vec<f64>,
    pub(crate) hessian: Vec<f64>,
}

/// What the derivatives of `F(θ, s)` are made of at one `θ`, for any `s`: `∂F/∂θ_k =
/// 2 (q_k − tr_k − wsq_k / s) / θ_k`, the average information `ai / s`, and `rz` (`r'x_k`).
/// The fit profiles `s` out; the likelihood profile holds it at a value of its own.
#[derive(Debug, Clone)]
pub(crate) struct Pieces {
    pub(crate) evaluation: super::Evaluation,
    pub(crate) tr: Vec<f64>,
    pub(crate) wsq: Vec<f64>,
    pub(crate) ai: Vec<f64>,
    pub(crate) rz: Vec<f64>,
}

/// Solves `L' x = b` in place (`l` lower-triangular row-major `m × m`, `b` `m × cols`).
fn backward(l: &[f64], m: usize, b: &mut [f64], cols: usize) {
    for i in (0..m).rev() {
        for k in (i + 1)..m {
            let lki = l[k * m + i];
            if lki != 0.0 {
                for c in 0..cols {
                    b[i * cols + c] -= lki * b[k * cols + c];
                }
            }
        }
        let d = l[i * m + i];
        for c in 0..cols {
            b[i * cols + c] /= d;
        }
    }
}

impl Model {
    /// [`Derivatives`] at `θ`; `None` where the criterion is undefined or a `θ_k` is so close
    /// to 0 that `g_k / θ_k` loses its digits (the caller falls back to finite differences).
    /// The pieces of the derivatives at `θ` (see [`Pieces`]); `None` where the criterion is
    /// undefined or a `θ_k` is within 1e-4 of 0.
    pub(crate) fn pieces(&self, theta: &[f64], criterion: Criterion) -> Option<Pieces> {
        let k = self.kinds.len();
        if theta.len() != k || theta.iter().any(|t| !t.is_finite() || t.abs() < 1e-4) {
            return None;
        }
        let mut fac = Vec::new();
        let red = self.reduce_keeping(theta, Some(&mut fac));
        let g = self.g;
        // ML's trace needs the random-effects part of the unfactored block.
        let srr: Option<Vec<f64>> = match criterion {
            Criterion::Reml => None,
            Criterion::Ml => {
                let q = g - 1;
                let mut srr = vec![0.0; q * q];
                for i in 0..q {
                    srr[i * q..i * q + q].copy_from_slice(&red.s[i * g..i * g + q]);
                }
                Some(srr)
            }
        };
        let (e, sol, chol) = self.solve_global(red, criterion)?;
        // The inverse whose diagonal gives tr_k: of C's global Schur complement (REML), or of
        // its random-effects part alone (ML: C_uu excludes the intercept; its row stays 0).
        let sinv_rows: Vec<f64> = match srr {
            None => dense::inverse(&chol, g),
            Some(mut srr) => {
                let q = g - 1;
                let mut full = vec![0.0; g * g];
                if q > 0 {
                    if !dense::cholesky(&mut srr, q) {
                        return None;
                    }
                    let inv = dense::inverse(&srr, q);
                    for i in 0..q {
                        full[i * g..i * g + q].copy_from_slice(&inv[i * q..i * q + q]);
                    }
                }
                full
            }
        };
        let sinv = |i: usize, j: usize| sinv_rows[i * g + j];
        let mut tr = vec![0.0; k];
        for (gi, &t) in self.global_term.iter().enumerate() {
            tr[t] += sinv(gi, gi);
        }
        let mut wsq = vec![0.0; k];
        for (gi, &t) in self.global_term.iter().enumerate() {
            wsq[t] += sol[gi] * sol[gi];
        }
        // Offsets of each signature's factors in `fac` (signatures with nested effects only).
        let mut offsets = Vec::with_capacity(self.signatures.len());
        let mut off = 0usize;
        let mut y: Vec<f64> = Vec::new();
        let mut sloc: Vec<f64> = Vec::new();
        let mut linv: Vec<f64> = Vec::new();
        for sig in &self.signatures {
            let m = sig.block.m as usize;
            let touched = &self.touched[sig.block.touched.0 as usize..sig.block.touched.1 as usize];
            let gl = touched.len();
            offsets.push(off);
            if m == 0 {
                continue;
            }
            let l = &fac[off..off + m * m];
            let x = &fac[off + m * m..off + m * m + m * gl];
            off += m * m + m * gl;
            // diag(A⁻¹) from L⁻¹'s columns; diag(Y S⁻¹ Y') with Y = L⁻ᵀ (L⁻¹ B) = A⁻¹ B.
            linv.clear();
            linv.resize(m * m, 0.0);
            for i in 0..m {
                linv[i * m + i] = 1.0;
            }
            forward(l, m, &mut linv, m);
            y.clear();
            y.extend_from_slice(x);
            backward(l, m, &mut y, gl);
            // S⁻¹ at this signature's touched pairs, gathered once (random access into a
            // matrix far larger than the cache), then m quadratic forms on it.
            sloc.clear();
            for &ta in touched {
                let row = &sinv_rows[ta as usize * g..ta as usize * g + g];
                sloc.extend(touched.iter().map(|&tb| row[tb as usize]));
            }
            for i in 0..m {
                let mut d: f64 = (0..m).map(|j| linv[j * m + i] * linv[j * m + i]).sum();
                let yi = &y[i * gl..i * gl + gl];
                for a in 0..gl {
                    if yi[a] != 0.0 {
                        d += yi[a] * dense::dot(&sloc[a * gl..a * gl + gl], yi);
                    }
                }
                let t = self.nested[sig.block.nested.0 as usize + i].0 as usize;
                tr[t] += sig.count * d;
            }
        }
        // Person by person: ŵ of the nested effects, x_k per cell, W'x_k and the residuals.
        let kk = k * k;
        let mut xx = vec![0.0; kk];
        let mut q = vec![0.0; kk];
        let mut rz = vec![0.0; k];
        let mut ag = vec![0.0; g * k];
        let int = g - 1;
        let (mut wn, mut an, mut xc) = (Vec::new(), Vec::new(), vec![0.0; k]);
        for (b, block) in self.blocks.iter().enumerate() {
            let m = block.m as usize;
            let touched = &self.touched[block.touched.0 as usize..block.touched.1 as usize];
            let gl = touched.len();
            let cells = &self.cells[block.cells.0 as usize..block.cells.1 as usize];
            let off = offsets[self.sig_of[b] as usize];
            let term_of = |li: usize| self.nested[block.nested.0 as usize + li].0 as usize;
            wn.clear();
            wn.resize(m, 0.0);
            an.clear();
            an.resize(m * k, 0.0);
            if m > 0 {
                let l = &fac[off..off + m * m];
                let x = &fac[off + m * m..off + m * m + m * gl];
                for c in cells {
                    for (t, kind) in self.kinds.iter().enumerate() {
                        if kind.nested_in_person() {
                            wn[c.idx[t] as usize] += theta[t] * c.sum;
                        }
                    }
                }
                forward(l, m, &mut wn, 1);
                for i in 0..m {
                    let mut v = 0.0;
                    for a in 0..gl {
                        v += x[i * gl + a] * sol[touched[a] as usize];
                    }
                    wn[i] -= v;
                }
                backward(l, m, &mut wn, 1);
                for (li, w) in wn.iter().enumerate() {
                    wsq[term_of(li)] += w * w;
                }
            }
            for c in cells {
                let mut fit = sol[int];
                for (t, kind) in self.kinds.iter().enumerate() {
                    xc[t] = if kind.nested_in_person() {
                        wn[c.idx[t] as usize]
                    } else {
                        sol[c.idx[t] as usize]
                    };
                    fit += theta[t] * xc[t];
                }
                let res = c.sum - c.n * fit;
                for t in 0..k {
                    rz[t] += xc[t] * res;
                    for u in 0..k {
                        xx[t * k + u] += c.n * xc[t] * xc[u];
                    }
                }
                for (t2, kind) in self.kinds.iter().enumerate() {
                    let sc = theta[t2] * c.n;
                    if kind.nested_in_person() {
                        let li = c.idx[t2] as usize;
                        for t in 0..k {
                            an[li * k + t] += sc * xc[t];
                        }
                    } else {
                        let gi = c.idx[t2] as usize;
                        for t in 0..k {
                            ag[gi * k + t] += sc * xc[t];
                        }
                    }
                }
                for t in 0..k {
                    ag[int * k + t] += c.n * xc[t];
                }
            }
            if m > 0 {
                let l = &fac[off..off + m * m];
                let x = &fac[off + m * m..off + m * m + m * gl];
                forward(l, m, &mut an, k);
                for i in 0..m {
                    let ai = &an[i * k..i * k + k];
                    for t in 0..k {
                        let ut = ai[t];
                        for u in 0..k {
                            q[t * k + u] += ut * ai[u];
                        }
                    }
                    // Row by row of W'x: each entry still takes its i in order.
                    for (a, &ta) in touched.iter().enumerate() {
                        let xa = x[i * gl + a];
                        let row = &mut ag[ta as usize * k..ta as usize * k + k];
                        for t in 0..k {
                            row[t] -= xa * ai[t];
                        }
                    }
                }
            }
        }
        // v' S⁻¹ v for the global parts, one solve per term.
        let mut qg = vec![0.0; kk];
        let mut cols: Vec<Vec<f64>> = (0..k)
            .map(|t| (0..g).map(|i| ag[i * k + t]).collect())
            .collect();
        let orig = cols.clone();
        for c in &mut cols {
            dense::solve(&chol, g, c);
        }
        for t in 0..k {
            for u in 0..k {
                qg[t * k + u] = dense::dot(&orig[t], &cols[u]);
            }
        }
        let mut ai = vec![0.0; kk];
        for t in 0..kk {
            ai[t] = 4.0 * (xx[t] - q[t] - qg[t]);
        }
        Some(Pieces {
            evaluation: e,
            tr,
            wsq,
            ai,
            rz,
        })
    }

    /// `∂F/∂θ` at `θ` and a given `s` (the residual variance; `F` as in the module's notes).
    pub(crate) fn gradient_at(&self, theta: &[f64], p: &Pieces, s: f64) -> Vec<f64> {
        (0..theta.len())
            .map(|t| {
                let big_t = self.levels[t] as f64 - p.tr[t] - p.wsq[t] / s;
                2.0 * big_t / theta[t]
            })
            .collect()
    }

    /// [`Derivatives`] at `θ`; `None` where the criterion is undefined or a `θ_k` is so close
    /// to 0 that `g_k / θ_k` loses its digits (the caller falls back to finite differences).
    #[cfg(test)]
    pub(crate) fn derivatives(&self, theta: &[f64], criterion: Criterion) -> Option<Derivatives> {
        self.derivatives_with(theta, criterion).map(|(d, _)| d)
    }

    /// [`Model::derivatives`] and the evaluation at `θ` they come with.
    pub(crate) fn derivatives_with(
        &self,
        theta: &[f64],
        criterion: Criterion,
    ) -> Option<(Derivatives, super::Evaluation)> {
        let p = self.pieces(theta, criterion)?;
        let k = theta.len();
        let kk = k * k;
        let e = &p.evaluation;
        let s = e.sigma2;
        let gradient = self.gradient_at(theta, &p, s);
        // F's Hessian in (θ, s), then s profiled out.
        let mut htt = vec![0.0; kk];
        let mut hts = vec![0.0; k];
        for t in 0..k {
            for u in 0..k {
                htt[t * k + u] = p.ai[t * k + u] / s;
            }
            htt[t * k + t] += gradient[t] / theta[t];
            hts[t] = 2.0 * p.rz[t] / (s * s) + gradient[t] / s;
        }
        let hss = e.pwrss / (s * s * s);
        let mut hessian = htt;
        for t in 0..k {
            for u in 0..k {
                hessian[t * k + u] -= hts[t] * hts[u] / hss;
            }
        }
        if gradient.iter().chain(&hessian).any(|v| !v.is_finite()) {
            return None;
        }
        Some((
            Derivatives {
                value: e.criterion,
                gradient,
                hessian,
            },
            *e,
        ))
    }
}
