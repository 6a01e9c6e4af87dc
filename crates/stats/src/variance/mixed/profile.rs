//! Profile-likelihood intervals of the standard deviations, as lme4's
//! `confint(m, method = "profile")` (`profile.merMod` + `confint.thpr`).
//!
//! lme4 profiles the ML deviance even for a REML fit (`devfun2` calls `refitML`), in the
//! standard-deviation parameters `(σ_1, …, σ_k, σ)`: for parameter `p` fixed at `s`, the other
//! standard deviations are re-optimised and `ζ(s) = sign(s − ŝ) √(d(s) − d̂)`; the interval is
//! where `ζ` crosses `∓ z_{0.975}`. lme4 interpolates `ζ` by a spline through the points it
//! computed; we solve `ζ(s) = ±z` directly (Brent's method), so we sit on the exact profile
//! and lme4 within its spline error. When the profile of a term's SD does not fall to `−z`
//! before the SD reaches 0 (in particular for a term estimated at 0), the lower bound is 0,
//! as lme4 reports it.
//!
//! The deviance at `(θ, σ)` with the fixed effect profiled out comes from the profiled ML
//! criterion `c(θ) = ld(θ) + n(1 + log(2π pwrss/n))` as
//! `d(θ, σ) = ld(θ) + pwrss(θ)/σ² + n log(2πσ²)`. Profiling term `j` at `s > 0` we optimise
//! over all `θ` with `σ = s/|θ_j|`; at `s = 0` it is the ML criterion with `θ_j = 0`;
//! profiling `σ` at `s` we optimise over all `θ`. Every criterion is even in each `θ`, so the
//! unconstrained minimiser of [`crate::variance::optimize`] serves as for the fit itself.

use super::optim::{minimize, Derivs, Options};
use super::{Criterion, FitOptions, Model, ModelError};
use rayon::prelude::*;
use serde::Serialize;

/// `qnorm(0.975)`: the profile's cut-off for 95 % intervals.
pub const PROFILE_Z95: f64 = 1.959_963_984_540_054;

/// A standard deviation's profile interval.
#[derive(Debug, Clone, Serialize)]
pub struct SdInterval {
    /// The term as written in the formula, or `residual`.
    pub label: String,
    /// The SD at the ML optimum (the profile's centre).
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Profile intervals of every term's SD (formula order) and of the residual SD.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileIntervals {
    pub terms: Vec<SdInterval>,
    pub residual: SdInterval,
    /// The ML deviance the profile starts from.
    pub deviance: f64,
}

/// Which standard deviation is profiled.
#[derive(Debug, Clone, Copy)]
enum Param {
    Term(usize),
    Residual,
}

/// The inner optimisations. `ζ = √Δd` near 1.96 moves by `δ/4` for a deviance error `δ`, so
/// 1e-8 is ample; tighter stops only chase the criterion's rounding noise (about 1e-12 of its
/// magnitude, 1e-8 at 10⁴ observations), where the line search can creep for hundreds of
/// iterations.
const INNER: Options = Options {
    max_iter: 60,
    decrement_tol: 1e-8,
    step_rel: 1e-4,
    step_min: 1e-6,
    finish: 0.0,
};

impl Model {
    /// 95 % profile-likelihood intervals of every standard deviation, as lme4's
    /// `confint(m, method = "profile")` for either criterion (both profile the ML deviance).
    /// Parameters are profiled in parallel.
    pub fn profile_intervals(&self) -> Result<ProfileIntervals, ModelError> {
        let ml = self.fit(Criterion::Ml, &FitOptions::default())?;
        let theta = ml.theta();
        let sigma = ml.residual.sqrt();
        let k = theta.len();
        let params: Vec<Param> = (0..k)
            .map(Param::Term)
            .chain(std::iter::once(Param::Residual))
            .collect();
        let out: Vec<Result<SdInterval, ModelError>> = params
            .par_iter()
            .map(|&p| {
                let prof = Profile {
                    model: self,
                    param: p,
                    base: ml.criterion,
                    theta_hat: &theta,
                    sigma_hat: sigma,
                };
                prof.interval().map(|(estimate, lower, upper)| SdInterval {
                    label: match p {
                        Param::Term(j) => ml.terms[j].label.clone(),
                        Param::Residual => "residual".into(),
                    },
                    estimate,
                    lower,
                    upper,
                })
            })
            .collect();
        let mut out = out.into_iter().collect::<Result<Vec<_>, _>>()?;
        let residual = out.pop().ok_or(ModelError::Undefined)?;
        Ok(ProfileIntervals {
            terms: out,
            residual,
            deviance: ml.criterion,
        })
    }

    /// `(ld(θ), pwrss(θ))` of the ML criterion, `None` where undefined.
    fn ml_parts(&self, theta: &[f64]) -> Option<(f64, f64)> {
        let e = self.evaluate(theta, Criterion::Ml)?;
        let n = self.n;
        let ld = e.criterion - n * (1.0 + (2.0 * std::f64::consts::PI * e.pwrss / n).ln());
        Some((ld, e.pwrss))
    }

    /// The ML deviance at `(θ, S)` with `S = σ²` held (`Residual`) or `S = (s/θ_j)²` (term
    /// `j` profiled at `s`), its analytic gradient in `θ` and an average-information Hessian
    /// (the fit's, with `S` held instead of profiled out, plus `S(θ)`'s chain rule): one
    /// reduction per Newton step instead of `2k + k(k−1)/2` criterion evaluations. `None`
    /// where a `θ` is near 0 (the minimiser then falls back to finite differences).
    fn deviance_derivs(&self, theta: &[f64], held: Held) -> Option<Derivs> {
        let p = self.pieces(theta, Criterion::Ml)?;
        let k = theta.len();
        let e = &p.evaluation;
        let n = self.n;
        let ld = e.criterion - n * (1.0 + (2.0 * std::f64::consts::PI * e.pwrss / n).ln());
        let (big_s, j) = match held {
            Held::Sigma2(v) => (v, None),
            Held::TermSd(j, sd) => ((sd / theta[j]).powi(2), Some(j)),
        };
        if !(big_s > 0.0 && big_s.is_finite()) {
            return None;
        }
        let value = ld + e.pwrss / big_s + n * (2.0 * std::f64::consts::PI * big_s).ln();
        let mut gradient = self.gradient_at(theta, &p, big_s);
        let mut hessian = vec![0.0; k * k];
        for t in 0..k {
            for u in 0..k {
                hessian[t * k + u] = p.ai[t * k + u] / big_s;
            }
            hessian[t * k + t] += gradient[t] / theta[t];
        }
        if let Some(j) = j {
            // S(θ) = sd²/θ_j²: dS/dθ_j = −2S/θ_j, d²S/dθ_j² = 6S/θ_j².
            let f_s = n / big_s - e.pwrss / (big_s * big_s);
            let f_ss = -n / (big_s * big_s) + 2.0 * e.pwrss / (big_s * big_s * big_s);
            let ds = -2.0 * big_s / theta[j];
            for t in 0..k {
                // ∂²F/∂θ_t∂S = 2 wsq_t / (θ_t S²).
                let f_ts = 2.0 * p.wsq[t] / (theta[t] * big_s * big_s);
                hessian[t * k + j] += f_ts * ds;
                hessian[j * k + t] += f_ts * ds;
            }
            hessian[j * k + j] += f_ss * ds * ds + f_s * 6.0 * big_s / (theta[j] * theta[j]);
            gradient[j] += f_s * ds;
        }
        if !value.is_finite() || gradient.iter().chain(&hessian).any(|v| !v.is_finite()) {
            return None;
        }
        Some((value, gradient, hessian))
    }

    /// The ML deviance at `(θ, σ²)`.
    fn deviance_at(&self, theta: &[f64], sigma2: f64) -> Option<f64> {
        let (ld, pwrss) = self.ml_parts(theta)?;
        (sigma2 > 0.0 && sigma2.is_finite())
            .then(|| ld + pwrss / sigma2 + self.n * (2.0 * std::f64::consts::PI * sigma2).ln())
    }
}

/// What a profile holds fixed besides the optimised `θ`.
#[derive(Debug, Clone, Copy)]
enum Held {
    /// The residual variance.
    Sigma2(f64),
    /// Term `j`'s standard deviation (so `σ = sd/|θ_j|`).
    TermSd(usize, f64),
}

struct Profile<'a> {
    model: &'a Model,
    param: Param,
    base: f64,
    theta_hat: &'a [f64],
    sigma_hat: f64,
}

impl Profile<'_> {
    fn estimate(&self) -> f64 {
        match self.param {
            Param::Term(j) => self.theta_hat[j] * self.sigma_hat,
            Param::Residual => self.sigma_hat,
        }
    }

    /// The profiled deviance at `s` and the `θ` reaching it, from `start`.
    fn deviance(&self, s: f64, start: &[f64]) -> Option<(f64, Vec<f64>)> {
        let m = self.model;
        match self.param {
            Param::Term(j) if s == 0.0 => {
                // The model without term j: its θ_j is 0, the others free.
                let free: Vec<f64> = (0..start.len())
                    .filter(|&i| i != j)
                    .map(|i| start[i])
                    .collect();
                let full = |x: &[f64]| {
                    let mut t = Vec::with_capacity(x.len() + 1);
                    t.extend_from_slice(&x[..j]);
                    t.push(0.0);
                    t.extend_from_slice(&x[j..]);
                    t
                };
                let r = minimize(
                    |x| m.evaluate(&full(x), Criterion::Ml).map(|e| e.criterion),
                    |_: &[f64]| None,
                    &free,
                    INNER,
                )?;
                let x: Vec<f64> = r.x.iter().map(|v| v.abs()).collect();
                Some((r.value, full(&x)))
            }
            Param::Term(j) => {
                let mut x0 = start.to_vec();
                if x0[j] == 0.0 {
                    x0[j] = s / self.sigma_hat;
                }
                let r = minimize(
                    |x| {
                        let tj = x[j].abs();
                        if tj == 0.0 {
                            return None;
                        }
                        m.deviance_at(x, (s / tj).powi(2))
                    },
                    |x| m.deviance_derivs(x, Held::TermSd(j, s)),
                    &x0,
                    INNER,
                )?;
                Some((r.value, r.x.iter().map(|v| v.abs()).collect()))
            }
            Param::Residual => {
                let r = minimize(
                    |x| m.deviance_at(x, s * s),
                    |x| m.deviance_derivs(x, Held::Sigma2(s * s)),
                    start,
                    INNER,
                )?;
                Some((r.value, r.x.iter().map(|v| v.abs()).collect()))
            }
        }
    }

    /// `(estimate, lower, upper)`.
    fn interval(&self) -> Result<(f64, f64, f64), ModelError> {
        let hat = self.estimate();
        let scale = if hat > 0.0 { hat } else { 0.1 * self.sigma_hat };
        let upper = self.bound(hat, scale, 1.0)?;
        let lower = if hat == 0.0 {
            0.0
        } else {
            self.bound(hat, scale, -1.0)?
        };
        Ok((hat, lower, upper))
    }

    /// The bound on side `dir` (+1 upper, −1 lower): where `|ζ|` reaches z along the distance
    /// `t = |s − ŝ|`. `|ζ|` is close to linear in `t`, so each step extrapolates it linearly
    /// through the last two points (aiming 10 % beyond z, at most 4 times the last step) until
    /// it passes z; Brent's method then solves within that bracket. On the lower side of a
    /// term, 0 when `|ζ(0)| < z`; the residual SD's lower side approaches 0 geometrically.
    fn bound(&self, hat: f64, scale: f64, dir: f64) -> Result<f64, ModelError> {
        let z = PROFILE_Z95;
        // Warm start: the θ of the last evaluated point.
        let mut start = self.theta_hat.to_vec();
        let at = |t: f64, start: &mut Vec<f64>| -> Result<f64, ModelError> {
            let (d, x) = self
                .deviance((hat + dir * t).max(0.0), start)
                .ok_or(ModelError::Undefined)?;
            *start = x;
            Ok((d - self.base).max(0.0).sqrt())
        };
        let limit = (dir < 0.0).then_some(hat);
        let residual = matches!(self.param, Param::Residual);
        let (mut t0, mut z0) = (0.0, 0.0);
        let mut t = match limit {
            Some(l) if residual => (0.1 * scale).min(0.5 * l),
            Some(l) => (0.1 * scale).min(l),
            None => 0.1 * scale,
        };
        for _ in 0..200 {
            let zt = at(t, &mut start)?;
            if zt >= z {
                let u = brent(t0, t, z0 - z, zt - z, scale, |u| {
                    at(u, &mut start).map(|v| v - z)
                })?;
                return Ok((hat + dir * u).max(0.0));
            }
            if limit.is_some_and(|l| t >= l) {
                // A term's SD at 0 and the profile still above −z: lme4's lower bound 0.
                return Ok(0.0);
            }
            let span = t - t0;
            let slope = (zt - z0) / span;
            let aim = if slope > 0.0 {
                t + 1.1 * (z - zt) / slope
            } else {
                t + 2.0 * span
            };
            let mut next = aim.clamp(t + 0.1 * span, t + 4.0 * span);
            if let Some(l) = limit {
                next = if residual {
                    next.min(t + 0.5 * (l - t))
                } else {
                    next.min(l)
                };
            }
            t0 = t;
            z0 = zt;
            t = next;
        }
        Err(ModelError::Undefined)
    }
}

/// Brent's root of `f` in `[a, b]` with `f(a) = fa`, `f(b) = fb` of opposite signs, to
/// `1e-8 · scale` or `|f| < 1e-7` (`f` is `ζ − z`: the bound then moves by 1e-7 standard
/// errors).
fn brent(
    mut a: f64,
    mut b: f64,
    mut fa: f64,
    mut fb: f64,
    scale: f64,
    mut f: impl FnMut(f64) -> Result<f64, ModelError>,
) -> Result<f64, ModelError> {
    if fa == 0.0 {
        return Ok(a);
    }
    if fb == 0.0 {
        return Ok(b);
    }
    let tol = 1e-8 * scale.max(f64::MIN_POSITIVE);
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb.abs() < 1e-7 {
            return Ok(b);
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qa = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qa * (qa - r) - (b - a) * (r - 1.0));
                q = (qa - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b)?;
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::variance::formula::parse;
    use crate::variance::mixed::Observation;

    fn rows() -> Vec<Observation> {
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f64) / (1u64 << 31) as f64
        };
        let mut rows = Vec::new();
        for p in 0..25 {
            let t = next() - 0.5;
            for _ in 0..3 {
                let c = (next() * 6.0) as u32;
                for r in 0..2 {
                    let v = 3.0 + t + 0.3 * c as f64 - 0.2 * r as f64 + next();
                    rows.push(Observation {
                        person: p,
                        context: c,
                        rater: r,
                        value: v,
                    });
                }
            }
        }
        rows
    }

    /// The profile's analytic derivatives are those of the deviance it minimises (a wrong
    /// chain rule through `S(θ)` would still converge, slowly, so the values are compared).
    #[test]
    fn profile_derivatives_equal_finite_differences() {
        let formula =
            parse("value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)").unwrap();
        let model = Model::new(&formula, &rows(), true).unwrap();
        let theta = [0.7, 0.5, 0.4, 0.3];
        let value = |x: &[f64], held: Held| match held {
            Held::Sigma2(v) => model.deviance_at(x, v),
            Held::TermSd(j, sd) => model.deviance_at(x, (sd / x[j]).powi(2)),
        };
        for held in [
            Held::Sigma2(0.8),
            Held::TermSd(1, 0.45),
            Held::TermSd(3, 0.2),
        ] {
            let (v, g, hess) = model.deviance_derivs(&theta, held).unwrap();
            assert!((v - value(&theta, held).unwrap()).abs() < 1e-9 * v.abs());
            let h = 1e-5;
            for i in 0..theta.len() {
                let (mut a, mut b) = (theta.to_vec(), theta.to_vec());
                a[i] += h;
                b[i] -= h;
                let (fa, fb) = (value(&a, held).unwrap(), value(&b, held).unwrap());
                let fd = (fa - fb) / (2.0 * h);
                assert!(
                    (g[i] - fd).abs() < 1e-5 * fd.abs().max(1.0),
                    "{held:?} θ_{i}: {} vs {fd}",
                    g[i]
                );
                // The Hessian is an approximation (average information), but positive where
                // the exact one is and of its magnitude on the diagonal.
                let fdd = (fa - 2.0 * v + fb) / (h * h);
                let hd = hess[i * theta.len() + i];
                // The Hessian is an approximation (average information) and positive; on
                // the profiled term's diagonal the exact chain rule through S(θ) dominates.
                assert!(hd > 0.0, "{held:?} θ_{i}: {hd}");
                if matches!(held, Held::TermSd(j, _) if j == i) {
                    assert!(
                        (hd / fdd - 1.0).abs() < 0.05,
                        "{held:?} θ_{i}: {hd} vs {fdd}"
                    );
                }
            }
        }
    }

    #[test]
    fn brent_finds_a_root() {
        let r = brent(0.0, 2.0, -2.0, 2.0, 1.0, |x| Ok(x * x - 2.0)).unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-9, "{r}");
    }
}
