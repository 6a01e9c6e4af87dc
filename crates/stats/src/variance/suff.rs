//! Sufficient statistics of a (weighted) design that make one REML evaluation independent of
//! the number of persons.
//!
//! Eliminating a profile `c` of size `n_c` (ratings) uses only `D(n_c) = θ_S² n_c + 1`, and a
//! person's remaining pivot, row and right-hand side are
//!
//! ```text
//! a_p = 1 + θ_P² Σ_c n_c / D(n_c)
//! w_p = θ_P Λ Σ_c h_c / D(n_c)          (h_c: the profile's counts per intercept and rater)
//! ρ_p = θ_P Σ_c t_c / D(n_c)            (t_c: the profile's sum of centred values)
//! ```
//!
//! with `Λ = diag(1, θ_R, …, θ_R)`. Grouping profiles by size and persons by the multiset of
//! their profile sizes (their signature), every θ-dependent factor is a scalar per size or per
//! signature, and the Schur updates `Σ_p w_p w_p' / a_p` are weighted sums of θ-free matrices
//! `Σ_p H_{p,l} H_{p,l'}'` accumulated once per design (or bootstrap resample). An evaluation
//! then costs O(signatures × sizes² × (1 + R)²), whatever the number of ratings.

use super::design::{Design, Evaluation};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

/// Accumulated sufficient statistics; see the module docs.
#[derive(Debug, Clone)]
pub struct Suff {
    k: usize,
    rater_term: bool,
    centre: f64,
    n: f64,
    yy: f64,
    b0: Vec<f64>,
    r0: Vec<f64>,
    sizes: Vec<f64>,
    cnt: Vec<f64>,
    hhc: Vec<f64>,
    htc: Vec<f64>,
    ttc: Vec<f64>,
    /// Per signature: weight, offsets into `hh`/`ht`/`tt`.
    sig_m: Vec<f64>,
    sig_off: Vec<(usize, usize, usize)>,
    hh: Vec<f64>,
    ht: Vec<f64>,
    tt: Vec<f64>,
}

const CHUNK: usize = 512;

impl Suff {
    fn zeros(d: &Design) -> Suff {
        let rater_term = d.terms.rater;
        let k = if rater_term { 1 + d.n_raters } else { 1 };
        let ns = d.sizes.len();
        let mut sig_off = Vec::with_capacity(d.sigs.len());
        let (mut oh, mut ot, mut ott) = (0, 0, 0);
        for (sizes, _) in &d.sigs {
            let l = sizes.len();
            sig_off.push((oh, ot, ott));
            oh += l * l * k * k;
            ot += l * l * k;
            ott += l * l;
        }
        Suff {
            k,
            rater_term,
            centre: d.centre,
            n: 0.0,
            yy: 0.0,
            b0: vec![0.0; k * k],
            r0: vec![0.0; k],
            sizes: d.sizes.clone(),
            cnt: vec![0.0; ns],
            hhc: vec![0.0; ns * k * k],
            htc: vec![0.0; ns * k],
            ttc: vec![0.0; ns],
            sig_m: vec![0.0; d.sigs.len()],
            sig_off,
            hh: vec![0.0; oh],
            ht: vec![0.0; ot],
            tt: vec![0.0; ott],
        }
    }

    fn add(&mut self, o: &Suff) {
        fn add_to(a: &mut [f64], b: &[f64]) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.n += o.n;
        self.yy += o.yy;
        add_to(&mut self.b0, &o.b0);
        add_to(&mut self.r0, &o.r0);
        add_to(&mut self.cnt, &o.cnt);
        add_to(&mut self.hhc, &o.hhc);
        add_to(&mut self.htc, &o.htc);
        add_to(&mut self.ttc, &o.ttc);
        add_to(&mut self.sig_m, &o.sig_m);
        add_to(&mut self.hh, &o.hh);
        add_to(&mut self.ht, &o.ht);
        add_to(&mut self.tt, &o.tt);
    }

    /// Accumulates the statistics of `design` with optional person weights (by person id).
    /// `parallel`: fixed chunks of persons on rayon, combined in order (deterministic).
    pub fn new(d: &Design, weights: Option<&[f64]>, parallel: bool) -> Suff {
        let blocks: Vec<usize> = (0..d.persons.len()).collect();
        let chunk = |ix: &[usize]| {
            let mut s = Suff::zeros(d);
            let mut scratch = Scratch::default();
            for &b in ix {
                let p = &d.persons[b];
                let m = match weights {
                    Some(ws) => ws.get(p.id as usize).copied().unwrap_or(0.0),
                    None => 1.0,
                };
                if m != 0.0 {
                    s.person(d, b, m, &mut scratch);
                }
            }
            s
        };
        if parallel && blocks.len() > CHUNK {
            let parts: Vec<Suff> = blocks.par_chunks(CHUNK).map(chunk).collect();
            let mut it = parts.into_iter();
            let mut acc = it.next().unwrap_or_else(|| Suff::zeros(d));
            for p in it {
                acc.add(&p);
            }
            acc
        } else {
            chunk(&blocks)
        }
    }

    fn person(&mut self, d: &Design, b: usize, m: f64, sc: &mut Scratch) {
        let k = self.k;
        let p = &d.persons[b];
        let prs = &d.person_raters[p.raters.0 as usize..p.raters.1 as usize];
        sc.coords.clear();
        sc.coords.push(0);
        if self.rater_term {
            sc.coords.extend(prs.iter().map(|r| 1 + r.rater as usize));
        }
        let kp = sc.coords.len();
        let sig = d.person_sig[b] as usize;
        let sig_sizes = &d.sigs[sig].0;
        let l = sig_sizes.len();
        sc.h.clear();
        sc.h.resize(l * kp, 0.0);
        sc.t.clear();
        sc.t.resize(l, 0.0);
        sc.hc.resize(kp, 0.0);
        // Base cross-products.
        self.n += m * p.n;
        self.yy += m * p.sumsq;
        self.b0[0] += m * p.n;
        self.r0[0] += m * p.sum;
        if self.rater_term {
            for (j, r) in prs.iter().enumerate() {
                let g = sc.coords[j + 1];
                // Upper triangle only (row < column); mirrored in `evaluate`.
                self.b0[g] += m * r.n;
                self.b0[g * k + g] += m * r.n;
                self.r0[g] += m * r.sum;
            }
        }
        if !d.terms.person_context {
            // One pseudo-profile per person: h = the person's counts, t = its sum.
            sc.h[0] = p.n;
            if self.rater_term {
                for (j, r) in prs.iter().enumerate() {
                    sc.h[j + 1] = r.n;
                }
            }
            sc.t[0] = p.sum;
        }
        for q in p.profiles.0..p.profiles.1 {
            if !d.terms.person_context {
                break;
            }
            let prof = &d.profiles[q as usize];
            let s = d.profile_size[q as usize] as usize;
            let li = sig_sizes.iter().position(|&x| x as usize == s).unwrap_or(0);
            // h_c over the person's coordinates, and its non-zero entries.
            for v in sc.hc.iter_mut() {
                *v = 0.0;
            }
            sc.hc[0] = prof.n;
            sc.nz.clear();
            sc.nz.push((0, prof.n));
            if self.rater_term {
                for c in &d.cells[prof.cells.0 as usize..prof.cells.1 as usize] {
                    sc.hc[1 + c.local as usize] += c.n;
                    sc.nz.push((sc.coords[1 + c.local as usize], c.n));
                }
            }
            let t = prof.sum;
            self.cnt[s] += m;
            self.ttc[s] += m * t * t;
            let (hhc, htc) = (
                &mut self.hhc[s * k * k..(s + 1) * k * k],
                &mut self.htc[s * k..],
            );
            for (a, &(gi, hi)) in sc.nz.iter().enumerate() {
                let mh = m * hi;
                htc[gi] += mh * t;
                for &(gj, hj) in &sc.nz[a..] {
                    let (r, c) = if gi <= gj { (gi, gj) } else { (gj, gi) };
                    hhc[r * k + c] += mh * hj;
                }
            }
            for i in 0..kp {
                sc.h[li * kp + i] += sc.hc[i];
            }
            sc.t[li] += t;
        }
        self.sig_m[sig] += m;
        let (oh, ot, ott) = self.sig_off[sig];
        for l1 in 0..l {
            for l2 in 0..l {
                let pair = l1 * l + l2;
                self.tt[ott + pair] += m * sc.t[l1] * sc.t[l2];
                let ht = &mut self.ht[ot + pair * k..ot + (pair + 1) * k];
                for i in 0..kp {
                    ht[sc.coords[i]] += m * sc.h[l1 * kp + i] * sc.t[l2];
                }
                // Σ over pairs (l1, l2) of H_l1 H_l2' is symmetric as a whole, so the upper
                // triangle of each block, filled from both orders, carries everything.
                let hh = &mut self.hh[oh + pair * k * k..oh + (pair + 1) * k * k];
                for i in 0..kp {
                    let hi = m * sc.h[l1 * kp + i];
                    if hi == 0.0 {
                        continue;
                    }
                    let gi = sc.coords[i];
                    for j in 0..kp {
                        let gj = sc.coords[j];
                        if gi < gj {
                            hh[gi * k + gj] += hi * sc.h[l2 * kp + j];
                        } else if gi == gj {
                            hh[gi * k + gi] += hi * sc.h[l2 * kp + j];
                        }
                    }
                }
            }
        }
    }

    /// The profiled REML criterion at `θ` (see [`Design::evaluate`], which computes the same
    /// value person by person).
    pub fn evaluate(&self, d: &Design, [tp, ts, tr]: [f64; 3]) -> Option<Evaluation> {
        let mask = d.terms.mask();
        let tp = if mask[0] { tp } else { 0.0 };
        let ts = if mask[1] { ts } else { 0.0 };
        let tr = if mask[2] { tr } else { 0.0 };
        let k = self.k;
        let mut mm = self.b0.clone();
        let mut rv = self.r0.clone();
        let mut logdet = 0.0;
        let mut quad = 0.0;
        let dn: Vec<f64> = self.sizes.iter().map(|&n| ts * ts * n + 1.0).collect();
        for (s, &dv) in dn.iter().enumerate() {
            if self.cnt[s] == 0.0 {
                continue;
            }
            logdet += self.cnt[s] * dv.ln();
            let f = ts * ts / dv;
            quad += f * self.ttc[s];
            if f != 0.0 {
                axpy(&mut mm, -f, &self.hhc[s * k * k..(s + 1) * k * k]);
                axpy(&mut rv, -f, &self.htc[s * k..(s + 1) * k]);
            }
        }
        for (sig, (sizes, counts)) in d.sigs.iter().enumerate() {
            let m = self.sig_m[sig];
            if m == 0.0 {
                continue;
            }
            let l = sizes.len();
            let mut a = 1.0;
            for (li, &s) in sizes.iter().enumerate() {
                a += tp * tp * counts[li] * self.sizes[s as usize] / dn[s as usize];
            }
            logdet += m * a.ln();
            let c = tp * tp / a;
            if c == 0.0 {
                continue;
            }
            let (oh, ot, ott) = self.sig_off[sig];
            for l1 in 0..l {
                for l2 in 0..l {
                    let pair = l1 * l + l2;
                    let f = c / (dn[sizes[l1] as usize] * dn[sizes[l2] as usize]);
                    quad += f * self.tt[ott + pair];
                    axpy(
                        &mut mm,
                        -f,
                        &self.hh[oh + pair * k * k..oh + (pair + 1) * k * k],
                    );
                    axpy(&mut rv, -f, &self.ht[ot + pair * k..ot + (pair + 1) * k]);
                }
            }
        }
        // S = Λ M Λ + diag(0, I), rhs = Λ rv.
        let lam = |i: usize| if i == 0 { 1.0 } else { tr };
        let mut s = DMatrix::<f64>::zeros(k, k);
        for i in 0..k {
            for j in i..k {
                let v = lam(i) * mm[i * k + j] * lam(j);
                s[(i, j)] = v;
                s[(j, i)] = v;
            }
            if i > 0 {
                s[(i, i)] += 1.0;
            }
        }
        let rhs = DVector::from_iterator(k, (0..k).map(|i| lam(i) * rv[i]));
        let chol = s.cholesky()?;
        let lmat = chol.l_dirty();
        for i in 0..k {
            logdet += 2.0 * lmat[(i, i)].ln();
        }
        let sol = chol.solve(&rhs);
        let quad = quad + rhs.dot(&sol);
        let pwrss = self.yy - quad;
        let dof = self.n - 1.0;
        if pwrss.is_nan() || pwrss <= 0.0 || dof <= 0.0 || !logdet.is_finite() {
            return None;
        }
        let criterion = logdet + dof * (1.0 + (2.0 * std::f64::consts::PI * pwrss / dof).ln());
        Some(Evaluation {
            criterion,
            pwrss,
            n: self.n,
            intercept: self.centre + sol[0],
        })
    }
}

fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[derive(Default)]
struct Scratch {
    coords: Vec<usize>,
    nz: Vec<(usize, f64)>,
    h: Vec<f64>,
    t: Vec<f64>,
    hc: Vec<f64>,
}
