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

use super::{Criterion, FitOptions, Model, ModelError};
use crate::variance::optimize::{minimize, NewtonOptions};
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
const INNER: NewtonOptions = NewtonOptions {
    max_iter: 60,
    decrement_tol: 1e-8,
    step_rel: 1e-4,
    step_min: 1e-6,
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

    /// The ML deviance at `(θ, σ²)`.
    fn deviance_at(&self, theta: &[f64], sigma2: f64) -> Option<f64> {
        let (ld, pwrss) = self.ml_parts(theta)?;
        (sigma2 > 0.0 && sigma2.is_finite())
            .then(|| ld + pwrss / sigma2 + self.n * (2.0 * std::f64::consts::PI * sigma2).ln())
    }
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
                    &x0,
                    INNER,
                )?;
                Some((r.value, r.x.iter().map(|v| v.abs()).collect()))
            }
            Param::Residual => {
                let r = minimize(|x| m.deviance_at(x, s * s), start, INNER)?;
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

    #[test]
    fn brent_finds_a_root() {
        let r = brent(0.0, 2.0, -2.0, 2.0, 1.0, |x| Ok(x * x - 2.0)).unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-9, "{r}");
    }
}
