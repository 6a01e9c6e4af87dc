//! A small bound-free Newton minimiser with finite-difference derivatives, for the REML
//! criterion in lme4's `θ` (relative standard deviations).
//!
//! The profiled REML criterion is even in each `θ_k` (flipping the sign of a term's effects
//! changes nothing), so its minimum over `θ ≥ 0` is `|θ*|` for an unconstrained minimum `θ*`,
//! and its gradient vanishes on the boundary `θ_k = 0`. We therefore run an unconstrained
//! damped Newton method (Hessian from central differences, Levenberg shift when it is not
//! positive definite, Armijo backtracking) and report `|θ|`. With at most three parameters and
//! an O(ratings) criterion this converges to the floating-point noise of the criterion, far
//! tighter than lme4's default derivative-free optimiser.

/// Settings of [`minimize`].
#[derive(Debug, Clone, Copy)]
pub struct NewtonOptions {
    /// Most Newton steps.
    pub max_iter: usize,
    /// Stop when the predicted decrease `½ g'H⁻¹g` falls below this (criterion units).
    pub decrement_tol: f64,
    /// Relative finite-difference step.
    pub step_rel: f64,
    /// Smallest absolute finite-difference step (near `θ = 0`).
    pub step_min: f64,
}

impl Default for NewtonOptions {
    fn default() -> Self {
        NewtonOptions {
            max_iter: 100,
            decrement_tol: super::super::prec::REML_DECREMENT,
            step_rel: 1e-4,
            step_min: 1e-5,
        }
    }
}

/// The minimiser's result.
#[derive(Debug, Clone)]
pub struct Minimum {
    /// Where the minimum is.
    pub x: Vec<f64>,
    /// The criterion there.
    pub value: f64,
    /// Newton steps taken.
    pub iterations: usize,
    /// Criterion evaluations made.
    pub evaluations: usize,
    /// False when the iteration limit was reached before the decrement test passed.
    pub converged: bool,
}

/// Minimises `f` from `x0`. `f` returns `None` where it is undefined; such points are treated
/// as infinitely bad. `None` when `f(x0)` itself is undefined.
pub fn minimize<F>(f: F, x0: &[f64], opts: NewtonOptions) -> Option<Minimum>
where
    F: Fn(&[f64]) -> Option<f64>,
{
    let k = x0.len();
    let mut evals = 0usize;
    let mut eval = |x: &[f64]| {
        evals += 1;
        f(x).filter(|v| v.is_finite())
    };
    let mut x = x0.to_vec();
    let mut fx = eval(&x)?;
    if k == 0 {
        return Some(Minimum {
            x,
            value: fx,
            iterations: 0,
            evaluations: evals,
            converged: true,
        });
    }
    let mut converged = false;
    let mut iterations = 0;
    let mut xt = vec![0.0; k];
    while iterations < opts.max_iter {
        iterations += 1;
        let h: Vec<f64> = x
            .iter()
            .map(|v| (v.abs() * opts.step_rel).max(opts.step_min))
            .collect();
        let mut g = vec![0.0; k];
        let mut hess = vec![0.0; k * k];
        let mut fp = vec![0.0; k];
        let mut defined = true;
        for i in 0..k {
            xt.copy_from_slice(&x);
            xt[i] = x[i] + h[i];
            let a = eval(&xt);
            xt[i] = x[i] - h[i];
            let b = eval(&xt);
            match (a, b) {
                (Some(a), Some(b)) => {
                    fp[i] = a;
                    g[i] = (a - b) / (2.0 * h[i]);
                    hess[i * k + i] = (a - 2.0 * fx + b) / (h[i] * h[i]);
                }
                _ => defined = false,
            }
        }
        if !defined {
            break;
        }
        for i in 0..k {
            for j in (i + 1)..k {
                xt.copy_from_slice(&x);
                xt[i] += h[i];
                xt[j] += h[j];
                let Some(fij) = eval(&xt) else {
                    defined = false;
                    break;
                };
                let v = (fij - fp[i] - fp[j] + fx) / (h[i] * h[j]);
                hess[i * k + j] = v;
                hess[j * k + i] = v;
            }
        }
        if !defined {
            break;
        }
        let Some(d) = newton_direction(&hess, &g, k) else {
            break;
        };
        let slope: f64 = g.iter().zip(&d).map(|(a, b)| a * b).sum();
        if -slope < 2.0 * opts.decrement_tol {
            // Within noise of the minimum: take the step only if it helps, then stop.
            for i in 0..k {
                xt[i] = x[i] + d[i];
            }
            if let Some(ft) = eval(&xt) {
                if ft < fx {
                    x.copy_from_slice(&xt);
                    fx = ft;
                }
            }
            converged = true;
            break;
        }
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..40 {
            for i in 0..k {
                xt[i] = x[i] + t * d[i];
            }
            if let Some(ft) = eval(&xt) {
                if ft <= fx + 1e-4 * t * slope {
                    x.copy_from_slice(&xt);
                    fx = ft;
                    accepted = true;
                    break;
                }
            }
            t *= 0.5;
        }
        if !accepted {
            // No descent along a direction the finite differences call downhill: we are at the
            // noise floor of the criterion.
            converged = true;
            break;
        }
    }
    for v in &mut x {
        *v = v.abs();
    }
    Some(Minimum {
        x,
        value: fx,
        iterations,
        evaluations: evals,
        converged,
    })
}

/// `−(H + λI)⁻¹ g` with the smallest `λ ≥ 0` (from a short ladder) that makes `H + λI`
/// positive definite.
fn newton_direction(hess: &[f64], g: &[f64], k: usize) -> Option<Vec<f64>> {
    let scale = (0..k)
        .map(|i| hess[i * k + i].abs())
        .fold(0.0, f64::max)
        .max(1e-8);
    let mut lambda = 0.0;
    for _ in 0..30 {
        let mut m = nalgebra::DMatrix::from_row_slice(k, k, hess);
        for i in 0..k {
            m[(i, i)] += lambda;
        }
        if let Some(ch) = m.cholesky() {
            let d = ch.solve(&nalgebra::DVector::from_column_slice(g));
            if d.iter().all(|v| v.is_finite()) {
                return Some(d.iter().map(|v| -v).collect());
            }
        }
        lambda = if lambda == 0.0 {
            1e-6 * scale
        } else {
            lambda * 10.0
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_interior_and_boundary_minima_of_even_functions() {
        // Even in each coordinate; minimum at (|2|, 0).
        let f = |x: &[f64]| Some((x[0] * x[0] - 4.0).powi(2) + x[1] * x[1] + 0.1 * x[1].powi(4));
        let m = minimize(f, &[0.5, 1.0], NewtonOptions::default()).unwrap();
        assert!((m.x[0] - 2.0).abs() < 1e-7, "interior minimum: {:?}", m.x);
        assert!(m.x[1] < 1e-6, "boundary minimum must be reached: {:?}", m.x);
        assert!(m.converged);
    }
}
