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
        let r = 1.0 / l[i * m + i];
        let (head, tail) = b.split_at_mut((i + 1) * cols);
        let bi = &mut head[i * cols..];
        for k in (i + 1)..m {
            let lki = l[k * m + i];
            let bk = &tail[(k - i - 1) * cols..(k - i) * cols];
            for c in 0..cols {
                bi[c] -= lki * bk[c];
            }
        }
        for v in bi.iter_mut() {
            *v *= r;
        }
    }
}

/// `dq_i += Σ_ab S⁻¹_ab y_ai y_bi` over a person's touched pairs (`y` by columns of `m`; `S⁻¹`
/// holds its lower triangle only): half the products, each pair updating `m` contiguous sums.
/// Inlined so that a constant `m` unrolls.
#[inline(always)]
fn touched_quadratic(
    y: &[f64],
    m: usize,
    touched: &[u32],
    sinv_rows: &[f64],
    g: usize,
    dq: &mut [f64],
) {
    let lower = |a: usize, b: usize| sinv_rows[a.max(b) * g + a.min(b)];
    for (a, &ta) in touched.iter().enumerate() {
        let ta = ta as usize;
        let ya = &y[a * m..a * m + m];
        let saa = lower(ta, ta);
        for i in 0..m {
            dq[i] += saa * ya[i] * ya[i];
        }
        for (b, &tb) in touched[..a].iter().enumerate() {
            let sab = 2.0 * lower(ta, tb as usize);
            let yb = &y[b * m..b * m + m];
            for i in 0..m {
                dq[i] += sab * ya[i] * yb[i];
            }
        }
    }
}

/// [`forward`] and [`backward`] of one column, unrolled for the few nested effects a person
/// usually has (same operations, same order).
fn forward_vector(l: &[f64], m: usize, b: &mut [f64]) {
    fn fixed<const M: usize>(l: &[f64], b: &mut [f64]) {
        let (l, b) = (&l[..M * M], &mut b[..M]);
        for i in 0..M {
            let r = 1.0 / l[i * M + i];
            for k in 0..i {
                b[i] -= l[i * M + k] * b[k];
            }
            b[i] *= r;
        }
    }
    match m {
        1 => fixed::<1>(l, b),
        2 => fixed::<2>(l, b),
        3 => fixed::<3>(l, b),
        4 => fixed::<4>(l, b),
        5 => fixed::<5>(l, b),
        6 => fixed::<6>(l, b),
        _ => forward(l, m, b, 1),
    }
}

fn backward_vector(l: &[f64], m: usize, b: &mut [f64]) {
    fn fixed<const M: usize>(l: &[f64], b: &mut [f64]) {
        let (l, b) = (&l[..M * M], &mut b[..M]);
        for i in (0..M).rev() {
            let r = 1.0 / l[i * M + i];
            for k in (i + 1)..M {
                b[i] -= l[k * M + i] * b[k];
            }
            b[i] *= r;
        }
    }
    match m {
        1 => fixed::<1>(l, b),
        2 => fixed::<2>(l, b),
        3 => fixed::<3>(l, b),
        4 => fixed::<4>(l, b),
        5 => fixed::<5>(l, b),
        6 => fixed::<6>(l, b),
        _ => backward(l, m, b, 1),
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
        let (e, sol, chol) = self.solve_global(red, criterion)?;
        // The inverse whose diagonal gives tr_k: of C's global Schur complement (REML), or of
        // its random-effects part alone (ML: C_uu excludes the intercept; its row stays 0).
        // The intercept is the last row, so the factor of the random-effects part is the
        // leading `(g − 1) × (g − 1)` block of the global factor.
        let mut sinv_rows = vec![0.0; g * g];
        let inverted = match criterion {
            Criterion::Reml => g,
            Criterion::Ml => g - 1,
        };
        dense::inverse_leading(&chol, g, inverted, &mut sinv_rows);
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
        let mut yt: Vec<f64> = Vec::new();
        let mut dq: Vec<f64> = Vec::new();
        let mut linv: Vec<f64> = Vec::new();
        let mut share = [0.0f64; 6];
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
            match m {
                1 => self.trace_share::<1>(l, x, touched, &sinv_rows, &mut yt, &mut share),
                2 => self.trace_share::<2>(l, x, touched, &sinv_rows, &mut yt, &mut share),
                3 => self.trace_share::<3>(l, x, touched, &sinv_rows, &mut yt, &mut share),
                4 => self.trace_share::<4>(l, x, touched, &sinv_rows, &mut yt, &mut share),
                5 => self.trace_share::<5>(l, x, touched, &sinv_rows, &mut yt, &mut share),
                6 => self.trace_share::<6>(l, x, touched, &sinv_rows, &mut yt, &mut share),
                _ => {}
            }
            if m <= 6 {
                for (i, d) in share[..m].iter().enumerate() {
                    let t = self.nested[sig.block.nested.0 as usize + i].0 as usize;
                    tr[t] += sig.count * d;
                }
                continue;
            }
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
            // diag(Y S⁻¹ Y') over S⁻¹'s lower triangle at the touched pairs (symmetric:
            // half the products), with Y by columns so each pair updates m contiguous sums.
            yt.clear();
            yt.resize(gl * m, 0.0);
            for i in 0..m {
                for a in 0..gl {
                    yt[a * m + i] = y[i * gl + a];
                }
            }
            dq.clear();
            dq.resize(m, 0.0);
            touched_quadratic(&yt, m, touched, &sinv_rows, g, &mut dq);
            for i in 0..m {
                let d: f64 = (0..m)
                    .map(|j| linv[j * m + i] * linv[j * m + i])
                    .sum::<f64>()
                    + dq[i];
                let t = self.nested[sig.block.nested.0 as usize + i].0 as usize;
                tr[t] += sig.count * d;
            }
        }
        // Person by person: ŵ of the nested effects, x_k per cell, W'x_k and the residuals.
        let kk = k * k;
        let pass = match k {
            1 => self.person_pass::<1>(theta, sol.as_slice(), &fac, &offsets, &mut wsq),
            2 => self.person_pass::<2>(theta, sol.as_slice(), &fac, &offsets, &mut wsq),
            3 => self.person_pass::<3>(theta, sol.as_slice(), &fac, &offsets, &mut wsq),
            4 => self.person_pass::<4>(theta, sol.as_slice(), &fac, &offsets, &mut wsq),
            5 => self.person_pass::<5>(theta, sol.as_slice(), &fac, &offsets, &mut wsq),
            6 => self.person_pass::<6>(theta, sol.as_slice(), &fac, &offsets, &mut wsq),
            // A formula has one to six terms (`formula::parse`).
            _ => return None,
        };
        let PersonPass { xx, q, rz, ag } = pass;
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

    /// One signature's `diag(A⁻¹) + diag(Y S⁻¹ Y')` of [`Model::pieces`] with its `M` nested
    /// effects known at compile time (`l` its factor, `x` its `L⁻¹B`, `y` scratch): the same
    /// operations in the same order as the general loop, so bit-identical, with the `M`-long
    /// loops unrolled and `Y` solved by columns (no transposition).
    // Index loops, as in the general kernels: the same operations in the same order.
    #[allow(clippy::needless_range_loop)]
    fn trace_share<const M: usize>(
        &self,
        l: &[f64],
        x: &[f64],
        touched: &[u32],
        sinv_rows: &[f64],
        y: &mut Vec<f64>,
        share: &mut [f64; 6],
    ) {
        let g = self.g;
        let gl = touched.len();
        let lf = |i: usize, j: usize| l[i * M + j];
        let recip: [f64; M] = std::array::from_fn(|i| 1.0 / lf(i, i));
        // L⁻¹ (`forward` on the identity).
        let mut linv = [[0.0f64; M]; M];
        for i in 0..M {
            linv[i][i] = 1.0;
        }
        for i in 0..M {
            for k in 0..i {
                let lik = lf(i, k);
                for c in 0..M {
                    let v = lik * linv[k][c];
                    linv[i][c] -= v;
                }
            }
            for v in linv[i].iter_mut() {
                *v *= recip[i];
            }
        }
        // Y = L⁻ᵀ (L⁻¹B) by columns (`backward`).
        y.clear();
        y.resize(gl * M, 0.0);
        for (a, col) in y.chunks_exact_mut(M).enumerate() {
            for i in 0..M {
                col[i] = x[i * gl + a];
            }
            for i in (0..M).rev() {
                for k in (i + 1)..M {
                    col[i] -= lf(k, i) * col[k];
                }
                col[i] *= recip[i];
            }
        }
        let mut dq = [0.0f64; M];
        touched_quadratic(y, M, touched, sinv_rows, g, &mut dq);
        for i in 0..M {
            share[i] = (0..M).map(|j| linv[j][i] * linv[j][i]).sum::<f64>() + dq[i];
        }
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

/// The person-by-person sums of [`Model::pieces`] (`k × k` row-major, `k`, `g × k`).
struct PersonPass {
    xx: Vec<f64>,
    q: Vec<f64>,
    rz: Vec<f64>,
    ag: Vec<f64>,
}

impl Model {
    /// ŵ of each person's nested effects (its `|ŵ_k|²` added to `wsq`), then per cell `x_k`,
    /// the residual, and `W'x_k` with its nested part eliminated. `K` is the number of
    /// terms, so the per-cell `K × K` sums stay in registers.
    fn person_pass<const K: usize>(
        &self,
        theta: &[f64],
        sol: &[f64],
        fac: &[f64],
        offsets: &[usize],
        wsq: &mut [f64],
    ) -> PersonPass {
        let g = self.g;
        let mut th = [0.0; K];
        th.copy_from_slice(&theta[..K]);
        let mut nested = [false; K];
        for (t, kind) in self.kinds.iter().enumerate().take(K) {
            nested[t] = kind.nested_in_person();
        }
        let mut xx = [[0.0; K]; K];
        let mut q = [[0.0; K]; K];
        let mut rz = [0.0; K];
        let mut ag = vec![0.0; g * K];
        let int = sol[g - 1];
        // Per block: ŵ of the nested effects, then the global solution at its touched
        // positions (the intercept is position 0), so a cell's `x_t` is `w[slot_t]`.
        let mut w: Vec<f64> = Vec::new();
        // Per block row (nested effects, then touched positions): `Σ_cells θ_t n x`.
        let mut acc: Vec<[f64; K]> = Vec::new();
        for (b, block) in self.blocks.iter().enumerate() {
            let m = block.m as usize;
            let touched = &self.touched[block.touched.0 as usize..block.touched.1 as usize];
            let gl = touched.len();
            let range = block.cells.0 as usize..block.cells.1 as usize;
            let (cells, sums) = (&self.cells[range.clone()], &self.sums[range]);
            let off = offsets[self.sig_of[b] as usize];
            w.clear();
            w.resize(m, 0.0);
            w.extend(touched.iter().map(|&ta| sol[ta as usize]));
            acc.clear();
            acc.resize(m + gl, [0.0; K]);
            let (l, x) = if m > 0 {
                (
                    &fac[off..off + m * m],
                    &fac[off + m * m..off + m * m + m * gl],
                )
            } else {
                (&fac[..0], &fac[..0])
            };
            if m > 0 {
                let (wn, wg) = w.split_at_mut(m);
                for (c, &sum) in cells.iter().zip(sums) {
                    for t in 0..K {
                        if nested[t] {
                            wn[c.idx[t] as usize] += th[t] * sum;
                        }
                    }
                }
                forward_vector(l, m, wn);
                for i in 0..m {
                    wn[i] -= dense::dot(&x[i * gl..i * gl + gl], wg);
                }
                backward_vector(l, m, wn);
                for (li, v) in wn.iter().enumerate() {
                    wsq[self.nested[block.nested.0 as usize + li].0 as usize] += v * v;
                }
            }
            for (c, &sum) in cells.iter().zip(sums) {
                let mut slot = [0usize; K];
                let mut xc = [0.0; K];
                let mut fit = int;
                for t in 0..K {
                    slot[t] = if nested[t] {
                        c.idx[t] as usize
                    } else {
                        m + c.pos[t] as usize
                    };
                    xc[t] = w[slot[t]];
                    fit += th[t] * xc[t];
                }
                let res = sum - c.n * fit;
                for t in 0..K {
                    rz[t] += xc[t] * res;
                    let nx = c.n * xc[t];
                    for u in 0..K {
                        xx[t][u] += nx * xc[u];
                    }
                }
                for t2 in 0..K {
                    let sc = th[t2] * c.n;
                    let row = &mut acc[slot[t2]];
                    for t in 0..K {
                        row[t] += sc * xc[t];
                    }
                }
                let row = &mut acc[m];
                for t in 0..K {
                    row[t] += c.n * xc[t];
                }
            }
            let (an, agl) = acc.split_at_mut(m);
            if m > 0 {
                // L⁻¹ of the nested rows, then their share of the global rows removed.
                for i in 0..m {
                    let d = l[i * m + i];
                    for j in 0..i {
                        let lij = l[i * m + j];
                        let aj = an[j];
                        for t in 0..K {
                            an[i][t] -= lij * aj[t];
                        }
                    }
                    for v in an[i].iter_mut() {
                        *v /= d;
                    }
                }
                for (i, ai) in an.iter().enumerate() {
                    for t in 0..K {
                        for u in 0..K {
                            q[t][u] += ai[t] * ai[u];
                        }
                    }
                    let xi = &x[i * gl..i * gl + gl];
                    for (row, &xa) in agl.iter_mut().zip(xi) {
                        for t in 0..K {
                            row[t] -= xa * ai[t];
                        }
                    }
                }
            }
            for (row, &ta) in agl.iter().zip(touched) {
                let out = &mut ag[ta as usize * K..ta as usize * K + K];
                for t in 0..K {
                    out[t] += row[t];
                }
            }
        }
        PersonPass {
            xx: xx.iter().flatten().copied().collect(),
            q: q.iter().flatten().copied().collect(),
            rz: rz.to_vec(),
            ag,
        }
    }
}
