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

/// Where each statistic lives in [`Suff::data`].
#[derive(Debug, Clone)]
struct Layout {
    k: usize,
    rater_term: bool,
    person_context: bool,
    // Offsets: n, yy, b0 (k×k, upper), r0 (k), then per size: cnt, ttc, hhc (k×k), htc (k);
    // per signature: m, then per pair of its sizes: tt, hh (k×k), ht (k).
    b0: usize,
    r0: usize,
    size_off: Vec<usize>,
    sig_off: Vec<usize>,
    len: usize,
}

const N: usize = 0;
const YY: usize = 1;

impl Layout {
    fn new(d: &Design) -> Layout {
        let rater_term = d.terms.rater;
        let k = if rater_term { 1 + d.n_raters } else { 1 };
        let b0 = 2;
        let r0 = b0 + k * k;
        let mut at = r0 + k;
        let mut size_off = Vec::with_capacity(d.sizes.len());
        for _ in &d.sizes {
            size_off.push(at);
            at += 2 + k * k + k;
        }
        let mut sig_off = Vec::with_capacity(d.sigs.len());
        for (sizes, _) in &d.sigs {
            sig_off.push(at);
            let l = sizes.len();
            at += 1 + l * l * (1 + k * k + k);
        }
        Layout {
            k,
            rater_term,
            person_context: d.terms.person_context,
            b0,
            r0,
            size_off,
            sig_off,
            len: at,
        }
    }
}

/// Accumulated sufficient statistics; see the module docs.
#[derive(Debug, Clone)]
pub struct Suff {
    layout: Layout,
    sizes: Vec<f64>,
    centre: f64,
    data: Vec<f64>,
}

/// Each person's contribution to [`Suff`] as sparse `(index, value)` pairs at weight 1, so
/// that a bootstrap resample is a weighted scatter instead of a pass over the ratings.
#[derive(Debug, Clone)]
pub struct SuffBasis {
    layout: Layout,
    sizes: Vec<f64>,
    centre: f64,
    /// Person id of each block, and its range in `index`/`value` (indices merged per person).
    ids: Vec<u32>,
    offsets: Vec<u32>,
    index: Vec<u32>,
    value: Vec<f64>,
    /// Entries whose value is a small count (an integer below 2^16), packed as
    /// `index << 16 | count` when the layout has fewer than 2^16 slots: a third of the bytes,
    /// which matters because a resample streams every person's entries. Range per person in
    /// `packed_offsets`.
    packed: Vec<u32>,
    packed_offsets: Vec<u32>,
    /// One-way designs (person term only) keep per person just `(signature, n, Σy, Σy²)`:
    /// their contribution has eight entries that follow from these four numbers.
    one_way: Vec<(u32, f64, f64, f64)>,
}

const CHUNK: usize = 512;

impl SuffBasis {
    /// Records every person's contribution (O(ratings) once).
    pub fn new(d: &Design) -> SuffBasis {
        let layout = Layout::new(d);
        if !layout.person_context && !layout.rater_term {
            let one_way = (0..d.persons.len())
                .map(|b| {
                    let p = &d.persons[b];
                    (
                        layout.sig_off[d.person_sig[b] as usize] as u32,
                        p.n,
                        p.sum,
                        p.sumsq,
                    )
                })
                .collect();
            return SuffBasis {
                ids: d.persons.iter().map(|p| p.id).collect(),
                layout,
                sizes: d.sizes.clone(),
                centre: d.centre,
                offsets: Vec::new(),
                index: Vec::new(),
                value: Vec::new(),
                packed: Vec::new(),
                packed_offsets: Vec::new(),
                one_way,
            };
        }
        let (mut index, mut value) = (Vec::new(), Vec::new());
        let can_pack = layout.len < (1 << 16);
        let mut packed: Vec<u32> = Vec::new();
        let mut packed_offsets = Vec::with_capacity(d.persons.len() + 1);
        packed_offsets.push(0);
        let mut merged: Vec<(u32, f64)> = Vec::new();
        let mut offsets = Vec::with_capacity(d.persons.len() + 1);
        let mut ids = Vec::with_capacity(d.persons.len());
        let mut sc = Scratch::default();
        let mut one: Vec<(u32, f64)> = Vec::new();
        offsets.push(0);
        for b in 0..d.persons.len() {
            one.clear();
            person(&layout, d, b, 1.0, &mut sc, &mut |i, v| {
                one.push((i as u32, v))
            });
            // Merge repeated indices (a person's profiles of one size share their slots).
            one.sort_by_key(|e| e.0);
            merged.clear();
            for &(i, v) in &one {
                match merged.last_mut() {
                    Some(last) if last.0 == i => last.1 += v,
                    _ => merged.push((i, v)),
                }
            }
            for &(i, v) in &merged {
                let small = (0.0..65536.0).contains(&v) && v.fract() == 0.0;
                if can_pack && small {
                    packed.push(i << 16 | v as u32);
                } else {
                    index.push(i);
                    value.push(v);
                }
            }
            ids.push(d.persons[b].id);
            offsets.push(index.len() as u32);
            packed_offsets.push(packed.len() as u32);
        }
        SuffBasis {
            layout,
            sizes: d.sizes.clone(),
            centre: d.centre,
            ids,
            offsets,
            index,
            value,
            packed,
            packed_offsets,
            one_way: Vec::new(),
        }
    }

    /// The statistics of a resample with person weights indexed by person id.
    pub fn weighted(&self, weights: &[f64]) -> Suff {
        self.weighted_block(&[weights]).remove(0)
    }

    /// The statistics of up to [`LANES`] resamples in one pass over the recorded entries,
    /// `weights[l]` for resample `l` (by person id). Every statistic of a resample is added up
    /// in person order, as one resample alone would add it, so each result is bit for bit the
    /// same whatever the other resamples of the block; the block lets one read of an entry
    /// serve every resample, and the resamples' additions, which do not depend on each other,
    /// run side by side instead of waiting on one chain of additions.
    /// More than [`LANES`] resamples are weighed [`LANES`] at a time.
    pub fn weighted_block(&self, weights: &[&[f64]]) -> Vec<Suff> {
        weights
            .chunks(LANES)
            .flat_map(|lanes| self.weighted_lanes(lanes))
            .collect()
    }

    /// [`SuffBasis::weighted_block`] of at most [`LANES`] resamples.
    fn weighted_lanes(&self, weights: &[&[f64]]) -> Vec<Suff> {
        let mut acc = vec![[0.0f64; LANES]; self.layout.len];
        let mut m = [0.0f64; LANES];
        // One person's weight in every lane; false when no lane draws them.
        let lanes_of = |id: u32, m: &mut [f64; LANES]| {
            for (l, w) in weights.iter().enumerate() {
                m[l] = w.get(id as usize).copied().unwrap_or(0.0);
            }
            m.iter().any(|&x| x != 0.0)
        };
        if !self.one_way.is_empty() {
            // The entries `person` writes for a one-way design (k = 1, one pseudo-profile).
            let (b0, r0) = (self.layout.b0, self.layout.r0);
            for (&id, &(o, n, t, ss)) in self.ids.iter().zip(&self.one_way) {
                if !lanes_of(id, &mut m) {
                    continue;
                }
                let o = o as usize;
                add(&mut acc[N], &m, n);
                add(&mut acc[YY], &m, ss);
                add(&mut acc[b0], &m, n);
                add(&mut acc[r0], &m, t);
                add(&mut acc[o], &m, 1.0);
                add(&mut acc[o + 1], &m, t * t);
                add(&mut acc[o + 2], &m, n * n);
                add(&mut acc[o + 3], &m, n * t);
            }
        } else {
            for (b, &id) in self.ids.iter().enumerate() {
                if !lanes_of(id, &mut m) {
                    continue;
                }
                let r = self.packed_offsets[b] as usize..self.packed_offsets[b + 1] as usize;
                for &e in &self.packed[r] {
                    add(&mut acc[(e >> 16) as usize], &m, (e & 0xffff) as f64);
                }
                let r = self.offsets[b] as usize..self.offsets[b + 1] as usize;
                for (&i, &v) in self.index[r.clone()].iter().zip(&self.value[r]) {
                    add(&mut acc[i as usize], &m, v);
                }
            }
        }
        (0..weights.len())
            .map(|l| Suff {
                layout: self.layout.clone(),
                sizes: self.sizes.clone(),
                centre: self.centre,
                data: acc.iter().map(|a| a[l]).collect(),
            })
            .collect()
    }
}

/// Resamples weighed together by [`SuffBasis::weighted_block`].
pub const LANES: usize = 8;

/// `acc[l] += m[l] · v` in every lane where `m[l]` is non-zero: a lane that did not draw the
/// person adds nothing, as a resample alone skips them (even where `0 · v` would be NaN).
#[inline(always)]
fn add(acc: &mut [f64; LANES], m: &[f64; LANES], v: f64) {
    for l in 0..LANES {
        let p = m[l] * v;
        acc[l] += if m[l] != 0.0 { p } else { 0.0 };
    }
}

impl Suff {
    /// Accumulates the statistics of `design` with optional person weights (by person id).
    /// `parallel`: fixed chunks of persons on rayon, combined in order (deterministic).
    pub fn new(d: &Design, weights: Option<&[f64]>, parallel: bool) -> Suff {
        let layout = Layout::new(d);
        let chunk = |range: std::ops::Range<usize>| {
            let mut data = vec![0.0; layout.len];
            let mut sc = Scratch::default();
            for b in range {
                let m = match weights {
                    Some(ws) => ws.get(d.persons[b].id as usize).copied().unwrap_or(0.0),
                    None => 1.0,
                };
                if m != 0.0 {
                    person(&layout, d, b, m, &mut sc, &mut |i, v| data[i] += v);
                }
            }
            data
        };
        let n = d.persons.len();
        let data = if parallel && n > CHUNK {
            let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
            let parts: Vec<Vec<f64>> = starts
                .par_iter()
                .map(|&s| chunk(s..(s + CHUNK).min(n)))
                .collect();
            let mut it = parts.into_iter();
            let mut acc = it.next().unwrap_or_else(|| vec![0.0; layout.len]);
            for p in it {
                for (a, b) in acc.iter_mut().zip(&p) {
                    *a += b;
                }
            }
            acc
        } else {
            chunk(0..n)
        };
        Suff {
            layout,
            sizes: d.sizes.clone(),
            centre: d.centre,
            data,
        }
    }

    /// The profiled REML criterion at `θ` (see [`Design::evaluate`], which computes the same
    /// value person by person).
    pub fn evaluate(&self, d: &Design, [tp, ts, tr]: [f64; 3]) -> Option<Evaluation> {
        let mask = d.terms.mask();
        let tp = if mask[0] { tp } else { 0.0 };
        let ts = if mask[1] { ts } else { 0.0 };
        let tr = if mask[2] { tr } else { 0.0 };
        let lay = &self.layout;
        let k = lay.k;
        let x = &self.data;
        let mut mm = x[lay.b0..lay.b0 + k * k].to_vec();
        let mut rv = x[lay.r0..lay.r0 + k].to_vec();
        let mut logdet = 0.0;
        let mut quad = 0.0;
        let dn: Vec<f64> = self.sizes.iter().map(|&n| ts * ts * n + 1.0).collect();
        for (s, &dv) in dn.iter().enumerate() {
            let o = lay.size_off[s];
            if x[o] == 0.0 {
                continue;
            }
            logdet += x[o] * dv.ln();
            let f = ts * ts / dv;
            if f != 0.0 {
                quad += f * x[o + 1];
                axpy(&mut mm, -f, &x[o + 2..o + 2 + k * k]);
                axpy(&mut rv, -f, &x[o + 2 + k * k..o + 2 + k * k + k]);
            }
        }
        let block = 1 + k * k + k;
        for (sig, (sizes, counts)) in d.sigs.iter().enumerate() {
            let o = lay.sig_off[sig];
            let m = x[o];
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
            for l1 in 0..l {
                for l2 in 0..l {
                    let b = o + 1 + (l1 * l + l2) * block;
                    let f = c / (dn[sizes[l1] as usize] * dn[sizes[l2] as usize]);
                    quad += f * x[b];
                    axpy(&mut mm, -f, &x[b + 1..b + 1 + k * k]);
                    axpy(&mut rv, -f, &x[b + 1 + k * k..b + block]);
                }
            }
        }
        // S = Λ M Λ + diag(0, I) from M's upper triangle, rhs = Λ rv.
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
        let n = x[N];
        let pwrss = x[YY] - quad;
        let dof = n - 1.0;
        if pwrss.is_nan() || pwrss <= 0.0 || dof <= 0.0 || !logdet.is_finite() {
            return None;
        }
        let criterion = logdet + dof * (1.0 + (2.0 * std::f64::consts::PI * pwrss / dof).ln());
        Some(Evaluation {
            criterion,
            pwrss,
            n,
            intercept: self.centre + sol[0],
        })
    }
}

/// One person's contribution at weight `m`, written through `put(index, value)`.
fn person(
    lay: &Layout,
    d: &Design,
    b: usize,
    m: f64,
    sc: &mut Scratch,
    put: &mut impl FnMut(usize, f64),
) {
    let k = lay.k;
    let p = &d.persons[b];
    let prs = &d.person_raters[p.raters.0 as usize..p.raters.1 as usize];
    sc.coords.clear();
    sc.coords.push(0);
    if lay.rater_term {
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
    // Base cross-products (upper triangle of b0).
    put(N, m * p.n);
    put(YY, m * p.sumsq);
    put(lay.b0, m * p.n);
    put(lay.r0, m * p.sum);
    if lay.rater_term {
        for (j, r) in prs.iter().enumerate() {
            let g = sc.coords[j + 1];
            put(lay.b0 + g, m * r.n);
            put(lay.b0 + g * k + g, m * r.n);
            put(lay.r0 + g, m * r.sum);
        }
    }
    if lay.person_context {
        for q in p.profiles.0..p.profiles.1 {
            let prof = &d.profiles[q as usize];
            let s = d.profile_size[q as usize] as usize;
            let li = sig_sizes.iter().position(|&x| x as usize == s).unwrap_or(0);
            sc.nz.clear();
            sc.nz.push((0, 0, prof.n));
            if lay.rater_term {
                for c in &d.cells[prof.cells.0 as usize..prof.cells.1 as usize] {
                    sc.nz
                        .push((1 + c.local as usize, sc.coords[1 + c.local as usize], c.n));
                }
            }
            let t = prof.sum;
            let o = lay.size_off[s];
            put(o, m);
            put(o + 1, m * t * t);
            let (hhc, htc) = (o + 2, o + 2 + k * k);
            for (a, &(local, gi, hi)) in sc.nz.iter().enumerate() {
                let mh = m * hi;
                put(htc + gi, mh * t);
                for &(_, gj, hj) in &sc.nz[a..] {
                    let (r, c) = if gi <= gj { (gi, gj) } else { (gj, gi) };
                    put(hhc + r * k + c, mh * hj);
                }
                sc.h[li * kp + local] += hi;
            }
            sc.t[li] += t;
        }
    } else {
        // One pseudo-profile per person: h = the person's counts, t = its sum.
        sc.h[0] = p.n;
        if lay.rater_term {
            for (j, r) in prs.iter().enumerate() {
                sc.h[j + 1] = r.n;
            }
        }
        sc.t[0] = p.sum;
    }
    let o = lay.sig_off[sig];
    put(o, m);
    let block = 1 + k * k + k;
    for l1 in 0..l {
        for l2 in 0..l {
            let b = o + 1 + (l1 * l + l2) * block;
            put(b, m * sc.t[l1] * sc.t[l2]);
            let (hh, ht) = (b + 1, b + 1 + k * k);
            for i in 0..kp {
                let hi = m * sc.h[l1 * kp + i];
                if hi == 0.0 {
                    continue;
                }
                let gi = sc.coords[i];
                put(ht + gi, hi * sc.t[l2]);
                // The sum over ordered pairs (l1, l2) is symmetric, so each block's upper
                // triangle, filled from both orders, carries everything.
                for j in 0..kp {
                    let gj = sc.coords[j];
                    if gi <= gj {
                        put(hh + gi * k + gj, hi * sc.h[l2 * kp + j]);
                    }
                }
            }
        }
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
    /// (local coordinate, global coordinate, count) of a profile's non-zero counts.
    nz: Vec<(usize, usize, f64)>,
    h: Vec<f64>,
    t: Vec<f64>,
}
