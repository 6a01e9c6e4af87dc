//! lme4's profiled criterion for a [`Model`] at given `θ`.
//!
//! With `W = [Z Λθ, X]` (X the intercept column) and `C = W'W + diag(I, 0)`, Bates et al.
//! (2015, eqs. 34, 41) give, profiled over σ²,
//!
//! ```text
//! REML:  d(θ) = log|C| + (n − 1) (1 + log(2π · pwrss / (n − 1)))
//! ML:    d(θ) = log|L_θ|² + n (1 + log(2π · pwrss / n)),   log|L_θ|² = log|C| − log r_X²
//! pwrss = y'y − ŵ'W'y,   ŵ = C⁻¹W'y
//! ```
//!
//! where `r_X²` is the intercept's pivot after all random effects are eliminated. The rows of
//! `C` are ordered nested effects (person, person:context, rater:person — block diagonal over
//! persons), then crossed levels (context, rater, rater:context), then the intercept. Each
//! person's block is factored densely and its Schur update scattered into the global block,
//! which is then factored densely ([`super::dense`]); the intercept comes last so its pivot
//! is `r_X²`. Persons with identical blocks are eliminated once ([`super::Signature`]).

use super::dense;
use super::{Cell, Criterion, Model};
use nalgebra::DVector;

/// One evaluation of the criterion.
#[derive(Debug, Clone, Copy)]
pub struct Evaluation {
    pub criterion: f64,
    /// Penalised residual sum of squares.
    pub pwrss: f64,
    /// Profiled residual variance: `pwrss / (n − 1)` (REML) or `pwrss / n` (ML).
    pub sigma2: f64,
    pub intercept: f64,
    /// lme4's `sqrt(vcov(m))`: `σ / r_X`.
    pub intercept_se: f64,
}

/// The global Schur complement at `θ` with everything the criterion needs besides it.
pub(crate) struct Reduced {
    /// `g × g`, row-major, symmetric: the lower triangle holds it (all that the
    /// factorisations read); the strict upper triangle is not meaningful.
    pub(crate) s: Vec<f64>,
    pub(crate) rhs: Vec<f64>,
    /// `log |A_p|` summed over person blocks.
    pub(crate) logdet: f64,
    /// `Σ_p ρ_p' A_p⁻¹ ρ_p`.
    pub(crate) quad: f64,
}

/// Where [`Model::eliminate`] adds its person's share of the reduction.
struct Eliminated<'a> {
    s: &'a mut [f64],
    rhs: &'a mut [f64],
    logdet: &'a mut f64,
    quad: &'a mut f64,
    keep: Option<&'a mut Vec<f64>>,
    /// Scratch for `B` by columns, kept across persons.
    columns: Vec<f64>,
}

/// In-place Cholesky of the row-major `m × m` matrix `a` (lower triangle used and
/// overwritten). False when not positive definite.
pub(crate) fn cholesky(a: &mut [f64], m: usize) -> bool {
    for j in 0..m {
        let mut d = a[j * m + j];
        for k in 0..j {
            d -= a[j * m + k] * a[j * m + k];
        }
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        let d = d.sqrt();
        a[j * m + j] = d;
        for i in (j + 1)..m {
            let mut v = a[i * m + j];
            for k in 0..j {
                v -= a[i * m + k] * a[j * m + k];
            }
            a[i * m + j] = v / d;
        }
    }
    true
}

/// Solves `L x = b` in place for each of the `cols` columns of the row-major `m × cols` `b`.
pub(crate) fn forward(l: &[f64], m: usize, b: &mut [f64], cols: usize) {
    for i in 0..m {
        // One division per row, not per entry (the blocks are small and many).
        let r = 1.0 / l[i * m + i];
        let (done, rest) = b.split_at_mut(i * cols);
        let bi = &mut rest[..cols];
        for k in 0..i {
            let lik = l[i * m + k];
            let bk = &done[k * cols..k * cols + cols];
            for c in 0..cols {
                bi[c] -= lik * bk[c];
            }
        }
        for v in bi.iter_mut() {
            *v *= r;
        }
    }
}

/// Transposes the row-major `m × m` `a` in place.
fn transpose(a: &mut [f64], m: usize) {
    for i in 0..m {
        for j in (i + 1)..m {
            a.swap(i * m + j, j * m + i);
        }
    }
}

/// Per-cell scaled design entries: nested (local index, θ) and crossed (position, scale).
#[inline(always)]
fn entries(
    model: &Model,
    cell: &Cell,
    theta: &[f64],
    a: &mut [(usize, f64); 3],
    b: &mut [(usize, f64); 4],
) -> (usize, usize) {
    let (mut na, mut nb) = (0, 0);
    b[0] = (0, 1.0);
    nb += 1;
    for (t, kind) in model.kinds.iter().enumerate() {
        if kind.nested_in_person() {
            a[na] = (cell.idx[t] as usize, theta[t]);
            na += 1;
        } else {
            b[nb] = (cell.pos[t] as usize, theta[t]);
            nb += 1;
        }
    }
    (na, nb)
}

impl Model {
    /// Person block `block`'s `A` (`m × m`, unfactored), `B` (`m × touched`) and `ρ` at `θ`.
    pub(crate) fn block_system(
        &self,
        block: &super::Block,
        theta: &[f64],
        amat: &mut Vec<f64>,
        bmat: &mut Vec<f64>,
        ra: &mut Vec<f64>,
    ) {
        let range = block.cells.0 as usize..block.cells.1 as usize;
        let (cells, sums) = (&self.cells[range.clone()], &self.sums[range]);
        let gl = (block.touched.1 - block.touched.0) as usize;
        self.cells_system(cells, sums, block.m as usize, gl, theta, amat, bmat, ra);
    }

    /// [`Model::block_system`] of the cells `cells` of a block with `m` nested effects and
    /// `gl` touched global indices.
    #[allow(clippy::too_many_arguments)]
    fn cells_system(
        &self,
        cells: &[Cell],
        sums: &[f64],
        m: usize,
        gl: usize,
        theta: &[f64],
        amat: &mut Vec<f64>,
        bmat: &mut Vec<f64>,
        ra: &mut Vec<f64>,
    ) {
        let mut ae = [(0usize, 0.0f64); 3];
        let mut be = [(0usize, 0.0f64); 4];
        amat.clear();
        amat.resize(m * m, 0.0);
        for i in 0..m {
            amat[i * m + i] = 1.0;
        }
        bmat.clear();
        bmat.resize(m * gl, 0.0);
        ra.clear();
        ra.resize(m, 0.0);
        for (c, &sum) in cells.iter().zip(sums) {
            let (na, nb) = entries(self, c, theta, &mut ae, &mut be);
            for &(li, ti) in &ae[..na] {
                ra[li] += sum * ti;
                for &(lj, tj) in &ae[..na] {
                    amat[li * m + lj] += c.n * ti * tj;
                }
                for &(pj, sj) in &be[..nb] {
                    bmat[li * gl + pj] += c.n * ti * sj;
                }
            }
        }
    }

    /// The global Schur complement at `θ` (one value per term, formula order).
    pub(crate) fn reduce(&self, theta: &[f64]) -> Reduced {
        self.reduce_keeping(theta, None)
    }

    /// [`Model::reduce`]; with `keep`, also each signature's factor `L` (`m × m`) followed
    /// by `L⁻¹B` (`m × touched`), in signature order.
    pub(crate) fn reduce_keeping(&self, theta: &[f64], mut keep: Option<&mut Vec<f64>>) -> Reduced {
        let g = self.g;
        if let Some(k) = keep.as_deref_mut() {
            k.clear();
            // Sized once: grown by doubling, the factors (about a megabyte at the Chameleon
            // scale) were copied twice over and their fresh pages faulted in per call.
            let size: usize = self
                .signatures
                .iter()
                .map(|sig| {
                    let m = sig.block.m as usize;
                    m * m + m * (sig.block.touched.1 - sig.block.touched.0) as usize
                })
                .sum();
            k.reserve_exact(size);
        }
        let mut s = vec![0.0; g * g];
        let mut rhs = vec![0.0; g];
        let mut logdet = 0.0;
        let mut quad = 0.0;
        let mut amat: Vec<f64> = Vec::new();
        let mut bmat: Vec<f64> = Vec::new();
        let mut ra: Vec<f64> = Vec::new();
        // The crossed part of W'W and W'y needs no elimination: θ-free sums over all cells,
        // scaled here (a few thousand level pairs instead of every cell's).
        let scale = |gi: u32| -> f64 {
            match self.global_term.get(gi as usize) {
                Some(&t) => theta[t],
                None => 1.0,
            }
        };
        let scales: Vec<f64> = (0..g as u32).map(scale).collect();
        for &(i, j, w) in &self.cross {
            s[i as usize * g + j as usize] += w * scales[i as usize] * scales[j as usize];
        }
        for &(i, v) in &self.cross_rhs {
            rhs[i as usize] += v * scales[i as usize];
        }
        let mut r2: Vec<f64> = Vec::new();
        let mut bt: Vec<f64> = Vec::new();
        let mut columns: Vec<f64> = Vec::new();
        for sig in &self.signatures {
            let block = &sig.block;
            let count = sig.count;
            let (pool, pool_sums) = if sig.pooled {
                (&self.sig_cells, &self.sig_sums)
            } else {
                (&self.cells, &self.sums)
            };
            let range = block.cells.0 as usize..block.cells.1 as usize;
            let (cells, sums) = (&pool[range.clone()], &pool_sums[range]);
            let touched = &self.touched[block.touched.0 as usize..block.touched.1 as usize];
            let m = block.m as usize;
            let gl = touched.len();
            if m == 0 {
                continue;
            }
            if sig.r2.1 == sig.r2.0 {
                let mut out = Eliminated {
                    s: &mut s,
                    rhs: &mut rhs,
                    logdet: &mut logdet,
                    quad: &mut quad,
                    keep: keep.as_deref_mut(),
                    columns: std::mem::take(&mut columns),
                };
                let done = match m {
                    1 => Some(self.eliminate::<1>(cells, sums, touched, theta, count, &mut out)),
                    2 => Some(self.eliminate::<2>(cells, sums, touched, theta, count, &mut out)),
                    3 => Some(self.eliminate::<3>(cells, sums, touched, theta, count, &mut out)),
                    4 => Some(self.eliminate::<4>(cells, sums, touched, theta, count, &mut out)),
                    5 => Some(self.eliminate::<5>(cells, sums, touched, theta, count, &mut out)),
                    6 => Some(self.eliminate::<6>(cells, sums, touched, theta, count, &mut out)),
                    _ => None,
                };
                columns = out.columns;
                match done {
                    Some(true) => continue,
                    Some(false) => {
                        return Reduced {
                            s: Vec::new(),
                            rhs,
                            logdet: f64::NAN,
                            quad,
                        }
                    }
                    None => {}
                }
            }
            // `ra` is `Λ` times the group's summed sums: linear, so its share of W'y is exact.
            self.cells_system(cells, sums, m, gl, theta, &mut amat, &mut bmat, &mut ra);
            if !cholesky(&mut amat, m) {
                // Cannot happen for θ real (A ⪰ I); keep the evaluation undefined.
                return Reduced {
                    s: Vec::new(),
                    rhs,
                    logdet: f64::NAN,
                    quad,
                };
            }
            for i in 0..m {
                logdet += count * 2.0 * amat[i * m + i].ln();
            }
            forward(&amat, m, &mut bmat, gl);
            if let Some(k) = keep.as_deref_mut() {
                k.extend_from_slice(&amat);
                k.extend_from_slice(&bmat);
            }
            if sig.r2.1 > sig.r2.0 {
                // Σ_p |L⁻¹ D r_p|² = tr(L⁻¹ (D R2 D) L⁻ᵀ).
                let scale = |i: usize| theta[self.nested[block.nested.0 as usize + i].0 as usize];
                r2.clear();
                r2.extend_from_slice(&self.sig_r2[sig.r2.0 as usize..sig.r2.1 as usize]);
                for i in 0..m {
                    for j in 0..m {
                        r2[i * m + j] *= scale(i) * scale(j);
                    }
                }
                forward(&amat, m, &mut r2, m);
                transpose(&mut r2, m);
                forward(&amat, m, &mut r2, m);
                quad += (0..m).map(|i| r2[i * m + i]).sum::<f64>();
                forward(&amat, m, &mut ra, 1);
            } else {
                forward(&amat, m, &mut ra, 1);
                quad += ra.iter().map(|v| v * v).sum::<f64>();
            }
            // `L⁻¹B` by columns: each touched position's m entries contiguous.
            bt.clear();
            bt.resize(gl * m, 0.0);
            for i in 0..m {
                for k in 0..gl {
                    bt[k * m + i] = bmat[i * gl + k];
                }
            }
            for k in 0..gl {
                let gk = touched[k] as usize;
                let bk = &bt[k * m..k * m + m];
                let mut r = 0.0;
                for i in 0..m {
                    r += bk[i] * ra[i];
                }
                rhs[gk] -= r;
                // B'B is symmetric: only the lower triangle of `s` is written (and read by
                // the factorisation and by `conditional_modes`).
                for l in 0..=k {
                    let bl = &bt[l * m..l * m + m];
                    let mut v = 0.0;
                    for i in 0..m {
                        v += bk[i] * bl[i];
                    }
                    let v = count * v;
                    let gl_ = touched[l] as usize;
                    let (a, b) = if gk >= gl_ { (gk, gl_) } else { (gl_, gk) };
                    s[a * g + b] -= v;
                }
            }
        }
        for i in 0..g - 1 {
            s[i * g + i] += 1.0;
        }
        Reduced {
            s,
            rhs,
            logdet,
            quad,
        }
    }

    /// One person's (or an unpooled signature's) share of [`Model::reduce_keeping`] with
    /// its `M` nested effects known at compile time, so the `M`-long loops unroll and `B`
    /// is built by columns (no transposition). The same operations in the same order as the
    /// general path, so the result is bit-identical; false when `A` is not positive definite.
    // Index loops, as in `cholesky` and `forward`: the same operations in the same order.
    #[allow(clippy::needless_range_loop)]
    fn eliminate<const M: usize>(
        &self,
        cells: &[Cell],
        sums: &[f64],
        touched: &[u32],
        theta: &[f64],
        count: f64,
        out: &mut Eliminated<'_>,
    ) -> bool {
        let g = self.g;
        let gl = touched.len();
        let mut ae = [(0usize, 0.0f64); 3];
        let mut be = [(0usize, 0.0f64); 4];
        let mut a = [[0.0f64; M]; M];
        for (i, row) in a.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        let mut ra = [0.0f64; M];
        // `B` by columns: each touched position's M entries together.
        let b = &mut out.columns;
        b.clear();
        b.resize(gl * M, 0.0);
        for (c, &sum) in cells.iter().zip(sums) {
            let (na, nb) = entries(self, c, theta, &mut ae, &mut be);
            for &(li, ti) in &ae[..na] {
                ra[li] += sum * ti;
                for &(lj, tj) in &ae[..na] {
                    a[li][lj] += c.n * ti * tj;
                }
                for &(pj, sj) in &be[..nb] {
                    b[pj * M + li] += c.n * ti * sj;
                }
            }
        }
        // `cholesky`, on the array.
        for j in 0..M {
            let mut d = a[j][j];
            for k in 0..j {
                d -= a[j][k] * a[j][k];
            }
            if d.is_nan() || d <= 0.0 {
                return false;
            }
            let d = d.sqrt();
            a[j][j] = d;
            for i in (j + 1)..M {
                let mut v = a[i][j];
                for k in 0..j {
                    v -= a[i][k] * a[j][k];
                }
                a[i][j] = v / d;
            }
        }
        for (i, row) in a.iter().enumerate() {
            *out.logdet += count * 2.0 * row[i].ln();
        }
        let recip: [f64; M] = std::array::from_fn(|i| 1.0 / a[i][i]);
        let solve = |col: &mut [f64]| {
            for i in 0..M {
                for k in 0..i {
                    col[i] -= a[i][k] * col[k];
                }
                col[i] *= recip[i];
            }
        };
        for col in b.chunks_exact_mut(M) {
            solve(col);
        }
        if let Some(k) = out.keep.as_deref_mut() {
            k.extend(a.iter().flatten());
            for i in 0..M {
                k.extend(b.chunks_exact(M).map(|col| col[i]));
            }
        }
        solve(&mut ra);
        *out.quad += ra.iter().map(|v| v * v).sum::<f64>();
        let b = &out.columns;
        for (k, bk) in b.chunks_exact(M).enumerate() {
            let gk = touched[k] as usize;
            let mut r = 0.0;
            for i in 0..M {
                r += bk[i] * ra[i];
            }
            out.rhs[gk] -= r;
            for (l, bl) in b[..(k + 1) * M].chunks_exact(M).enumerate() {
                let mut v = 0.0;
                for i in 0..M {
                    v += bk[i] * bl[i];
                }
                let v = count * v;
                let gl_ = touched[l] as usize;
                let (x, y) = if gk >= gl_ { (gk, gl_) } else { (gl_, gk) };
                out.s[x * g + y] -= v;
            }
        }
        true
    }

    /// The profiled criterion at `θ`; `None` where it is undefined (no residual variation
    /// left, or a singular fixed-effect block).
    pub fn evaluate(&self, theta: &[f64], criterion: Criterion) -> Option<Evaluation> {
        self.evaluate_with(theta, criterion).map(|(e, _)| e)
    }

    /// [`Model::evaluate`] and the global solution `ŵ_global` (crossed effects in `Λ`-scaled
    /// units, then the centred intercept).
    pub(crate) fn evaluate_with(
        &self,
        theta: &[f64],
        criterion: Criterion,
    ) -> Option<(Evaluation, DVector<f64>)> {
        if theta.len() != self.kinds.len() || theta.iter().any(|t| !t.is_finite()) {
            return None;
        }
        let red = self.reduce(theta);
        self.solve_global(red, criterion)
            .map(|(e, sol, _)| (e, sol))
    }

    /// The criterion from a reduction: factors the global block (in place: it is most of
    /// the reduction's memory) and solves it.
    pub(crate) fn solve_global(
        &self,
        red: Reduced,
        criterion: Criterion,
    ) -> Option<(Evaluation, DVector<f64>, Vec<f64>)> {
        if !red.logdet.is_finite() {
            return None;
        }
        let g = self.g;
        let mut l = red.s;
        if !dense::cholesky(&mut l, g) {
            return None;
        }
        let mut logdet = red.logdet;
        for i in 0..g {
            logdet += 2.0 * l[i * g + i].ln();
        }
        let rx = l[(g - 1) * g + (g - 1)];
        let mut x = red.rhs.clone();
        dense::solve(&l, g, &mut x);
        let pwrss = self.yy - red.quad - dense::dot(&red.rhs, &x);
        let sol = DVector::from_vec(x);
        let n = self.n;
        if pwrss.is_nan() || pwrss <= 0.0 || n < 2.0 || !logdet.is_finite() || rx <= 0.0 {
            return None;
        }
        let two_pi = 2.0 * std::f64::consts::PI;
        let (crit, sigma2) = match criterion {
            Criterion::Reml => {
                let dof = n - 1.0;
                (
                    logdet + dof * (1.0 + (two_pi * pwrss / dof).ln()),
                    pwrss / dof,
                )
            }
            Criterion::Ml => (
                logdet - 2.0 * rx.ln() + n * (1.0 + (two_pi * pwrss / n).ln()),
                pwrss / n,
            ),
        };
        let e = Evaluation {
            criterion: crit,
            pwrss,
            sigma2,
            intercept: self.centre + sol[g - 1],
            intercept_se: sigma2.sqrt() / rx,
        };
        Some((e, sol, l))
    }
}
