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

use super::eval::forward;
use super::{Criterion, Model};
use nalgebra::DMatrix;

/// The criterion with its gradient and approximate Hessian (`k × k`, row-major) at `θ`.
#[derive(Debug, Clone)]
pub(crate) struct Derivatives {
    pub(crate) value: f64,
    pub(crate) gradient: Vec<f64>,
    pub(crate) hessian: Vec<f64>,
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
    pub(crate) fn derivatives(&self, theta: &[f64], criterion: Criterion) -> Option<Derivatives> {
        let k = self.kinds.len();
        if theta.len() != k || theta.iter().any(|t| !t.is_finite() || t.abs() < 1e-4) {
            return None;
        }
        let mut fac = Vec::new();
        let red = self.reduce_keeping(theta, Some(&mut fac));
        let (e, sol, chol) = self.solve_global(&red, criterion)?;
        let g = self.g;
        let s = e.sigma2;
        // The inverse whose diagonal gives tr_k: of C's global Schur complement (REML), or of
        // its random-effects part alone (ML: C_uu excludes the intercept).
        let sinv: DMatrix<f64> = match criterion {
            Criterion::Reml => chol.inverse(),
            Criterion::Ml => {
                let q = g - 1;
                let mut full = DMatrix::zeros(g, g);
                if q > 0 {
                    let srr = DMatrix::from_fn(q, q, |i, j| red.s[i * g + j]);
                    let inv = srr.cholesky()?.inverse();
                    full.view_mut((0, 0), (q, q)).copy_from(&inv);
                }
                full
            }
        };
        let mut tr = vec![0.0; k];
        for (gi, &t) in self.global_term.iter().enumerate() {
            tr[t] += sinv[(gi, gi)];
        }
        let mut wsq = vec![0.0; k];
        for (gi, &t) in self.global_term.iter().enumerate() {
            wsq[t] += sol[gi] * sol[gi];
        }
        // Offsets of each signature's factors in `fac` (signatures with nested effects only).
        let mut offsets = Vec::with_capacity(self.signatures.len());
        let mut off = 0usize;
        let mut y: Vec<f64> = Vec::new();
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
            let mut linv = vec![0.0; m * m];
            for i in 0..m {
                linv[i * m + i] = 1.0;
            }
            forward(l, m, &mut linv, m);
            y.clear();
            y.extend_from_slice(x);
            backward(l, m, &mut y, gl);
            for i in 0..m {
                let mut d: f64 = (0..m).map(|j| linv[j * m + i] * linv[j * m + i]).sum();
                for a in 0..gl {
                    let ya = y[i * gl + a];
                    if ya == 0.0 {
                        continue;
                    }
                    let ga = touched[a] as usize;
                    let mut v = 0.0;
                    for b in 0..gl {
                        v += sinv[(ga, touched[b] as usize)] * y[i * gl + b];
                    }
                    d += ya * v;
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
            let sig = &self.signatures[self.sig_of[b] as usize];
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
            debug_assert_eq!(sig.block.m as usize, m);
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
                    for t in 0..k {
                        let ut = an[i * k + t];
                        for u in 0..k {
                            q[t * k + u] += ut * an[i * k + u];
                        }
                        for a in 0..gl {
                            ag[touched[a] as usize * k + t] -= x[i * gl + a] * ut;
                        }
                    }
                }
            }
        }
        let agm = DMatrix::from_row_slice(g, k, &ag);
        let z = chol.solve(&agm);
        let qg = agm.transpose() * z;
        let mut gradient = vec![0.0; k];
        for t in 0..k {
            let big_t = self.levels[t] as f64 - tr[t] - wsq[t] / s;
            gradient[t] = 2.0 * big_t / theta[t];
        }
        // F's Hessian in (θ, s), then s profiled out.
        let mut htt = vec![0.0; kk];
        let mut hts = vec![0.0; k];
        for t in 0..k {
            for u in 0..k {
                htt[t * k + u] = 4.0 * (xx[t * k + u] - q[t * k + u] - qg[(t, u)]) / s;
            }
            htt[t * k + t] += gradient[t] / theta[t];
            hts[t] = 2.0 * rz[t] / (s * s) + gradient[t] / s;
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
        Some(Derivatives {
            value: e.criterion,
            gradient,
            hessian,
        })
    }
}
