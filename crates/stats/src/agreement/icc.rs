//! Intraclass correlations of Shrout & Fleiss (1979) / McGraw & Wong (1996).

use super::fdist::{f_ppf, f_sf};
use super::{AgreementError, RatingTable};

/// One ICC form with its F test and 95% interval (the interval and test are `None` for the
/// variance-components ICC, and when F is infinite because the error mean square is 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IccEstimate {
    /// The estimate.
    pub value: f64,
    /// F statistic of the test against 0 (complete designs).
    pub f: Option<f64>,
    /// Degrees of freedom of the F test; `None` for the variance-components ICCs (no test).
    pub df1: Option<f64>,
    /// Denominator degrees of freedom (see `df1`).
    pub df2: Option<f64>,
    /// p value of the F test.
    pub p_value: Option<f64>,
    /// F-based 95% interval (McGraw & Wong 1996; complete designs).
    pub ci95: Option<[f64; 2]>,
}

/// The six forms, on `units` units and `raters` raters.
#[derive(Debug, Clone, PartialEq)]
pub struct IccSet {
    /// One-way random, single rater.
    pub icc1: Result<IccEstimate, AgreementError>,
    /// Two-way random, absolute agreement, single rater.
    pub icc2: Result<IccEstimate, AgreementError>,
    /// Two-way mixed, consistency, single rater.
    pub icc3: Result<IccEstimate, AgreementError>,
    /// ICC1 for the mean of k raters.
    pub icc1k: Result<IccEstimate, AgreementError>,
    /// ICC2 for the mean of k raters.
    pub icc2k: Result<IccEstimate, AgreementError>,
    /// ICC3 for the mean of k raters.
    pub icc3k: Result<IccEstimate, AgreementError>,
    /// Units the forms were computed on.
    pub units: usize,
    /// Raters the forms were computed on.
    pub raters: usize,
    /// The k of the average-measure forms (the number of raters for complete data, the mean
    /// number of ratings per unit for variance components); `None` when no ICC is defined.
    pub k: Option<f64>,
    /// Sentences about the fit the values depend on (a component at its boundary).
    pub warnings: Vec<String>,
}

impl IccSet {
    fn all_err(e: AgreementError, units: usize, raters: usize) -> Self {
        IccSet {
            icc1: Err(e.clone()),
            icc2: Err(e.clone()),
            icc3: Err(e.clone()),
            icc1k: Err(e.clone()),
            icc2k: Err(e.clone()),
            icc3k: Err(e),
            units,
            raters,
            k: None,
            warnings: Vec::new(),
        }
    }
}

/// ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k on the units rated by every rater present in the
/// table (Shrout & Fleiss 1979, Table 1; McGraw & Wong 1996 for ICC(A,·)/ICC(C,·)), from the
/// two-way ANOVA mean squares of the n × k matrix: MSR (units), MSC (raters), MSE (residual),
/// MSW = (SSC + SSE)/(n(k − 1)).
///
/// ICC1 = (MSR − MSW)/(MSR + (k−1)MSW); ICC2 = (MSR − MSE)/(MSR + (k−1)MSE + k(MSC − MSE)/n);
/// ICC3 = (MSR − MSE)/(MSR + (k−1)MSE); ICC1k = (MSR − MSW)/MSR;
/// ICC2k = (MSR − MSE)/(MSR + (MSC − MSE)/n); ICC3k = (MSR − MSE)/MSR.
/// F tests: F1 = MSR/MSW on (n−1, n(k−1)); F2 = F3 = MSR/MSE on (n−1, (n−1)(k−1)).
/// 95% intervals: the F-based limits of Shrout & Fleiss for ICC1/ICC3 and McGraw & Wong's
/// Satterthwaite limits for ICC2, exactly as pingouin's `intraclass_corr` and R psych's `ICC`
/// compute them (tested against pingouin 0.5.x to `prec::EXACT_REL` for the point values and
/// `prec::DISTRIBUTION_REL` for intervals and p-values).
///
/// Errors: fewer than 2 complete units or 2 raters; [`AgreementError::NoVariation`] when all
/// complete-unit ratings are equal.
pub fn icc_complete(table: &RatingTable) -> IccSet {
    // Raters present, and the units rated by all of them.
    let mut present = vec![false; table.n_raters];
    for &r in &table.rater {
        present[r as usize] = true;
    }
    let raters: Vec<usize> = (0..table.n_raters).filter(|&r| present[r]).collect();
    let k = raters.len();
    let complete: Vec<usize> = (0..table.n_units)
        .filter(|&u| k > 0 && table.range(u).len() == k)
        .collect();
    let n = complete.len();
    if k < 2 {
        return IccSet::all_err(
            AgreementError::TooFewRaters {
                needed: 2,
                found: k,
            },
            n,
            k,
        );
    }
    if n < 2 {
        return IccSet::all_err(
            AgreementError::TooFewUnits {
                needed: 2,
                found: n,
            },
            n,
            k,
        );
    }
    if table.squares_overflow() {
        return IccSet::all_err(table.overflow(), n, k);
    }
    // Within a complete unit the raters are sorted, so column j is the j-th present rater.
    let y = |i: usize, j: usize| table.value[table.offsets[complete[i]] + j];
    let (nf, kf) = (n as f64, k as f64);
    let grand = (0..n)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .map(|(i, j)| y(i, j))
        .sum::<f64>()
        / (nf * kf);
    let row: Vec<f64> = (0..n)
        .map(|i| (0..k).map(|j| y(i, j)).sum::<f64>() / kf)
        .collect();
    let col: Vec<f64> = (0..k)
        .map(|j| (0..n).map(|i| y(i, j)).sum::<f64>() / nf)
        .collect();
    let ssr = kf * row.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let ssc = nf * col.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let mut sse = 0.0;
    for (i, rm) in row.iter().enumerate() {
        for (j, cm) in col.iter().enumerate() {
            sse += (y(i, j) - rm - cm + grand).powi(2);
        }
    }
    let msr = ssr / (nf - 1.0);
    let msc = ssc / (kf - 1.0);
    let mse = sse / ((nf - 1.0) * (kf - 1.0));
    let msw = (ssc + sse) / (nf * (kf - 1.0));
    if ![msr, msc, mse, msw].iter().all(|m| m.is_finite()) {
        return IccSet::all_err(table.overflow(), n, k);
    }
    shrout_fleiss(n, k, msr, msc, mse, msw)
}

fn shrout_fleiss(n: usize, k: usize, msr: f64, msc: f64, mse: f64, msw: f64) -> IccSet {
    let (nf, kf) = (n as f64, k as f64);
    if msr <= 0.0 && msw <= 0.0 {
        return IccSet::all_err(AgreementError::NoVariation, n, k);
    }
    let ratio = |num: f64, den: f64| {
        if den > 0.0 && den.is_finite() {
            Ok(num / den)
        } else {
            Err(AgreementError::NoVariation)
        }
    };
    let icc1 = ratio(msr - msw, msr + (kf - 1.0) * msw);
    let icc2 = ratio(msr - mse, msr + (kf - 1.0) * mse + kf * (msc - mse) / nf);
    let icc3 = ratio(msr - mse, msr + (kf - 1.0) * mse);
    let icc1k = ratio(msr - msw, msr);
    let icc2k = ratio(msr - mse, msr + (msc - mse) / nf);
    let icc3k = ratio(msr - mse, msr);

    let df1 = nf - 1.0;
    let df1kd = nf * (kf - 1.0);
    let df2kd = (nf - 1.0) * (kf - 1.0);
    let q = 0.975;
    // F ratios; infinite when the denominator mean square is 0 (then no interval).
    let f1 = if msw > 0.0 { Some(msr / msw) } else { None };
    let f3 = if mse > 0.0 { Some(msr / mse) } else { None };
    let p1 = f1.map(|f| f_sf(f, df1, df1kd));
    let p3 = f3.map(|f| f_sf(f, df1, df2kd));
    let ci1 = f1.map(|f| {
        let fl = f / f_ppf(q, df1, df1kd);
        let fu = f * f_ppf(q, df1kd, df1);
        (
            [(fl - 1.0) / (fl + kf - 1.0), (fu - 1.0) / (fu + kf - 1.0)],
            [1.0 - 1.0 / fl, 1.0 - 1.0 / fu],
        )
    });
    let ci3 = f3.map(|f| {
        let fl = f / f_ppf(q, df1, df2kd);
        let fu = f * f_ppf(q, df2kd, df1);
        (
            [(fl - 1.0) / (fl + kf - 1.0), (fu - 1.0) / (fu + kf - 1.0)],
            [1.0 - 1.0 / fl, 1.0 - 1.0 / fu],
        )
    });
    let ci2 = match (&icc2, mse > 0.0) {
        (Ok(icc2), true) => {
            let icc2 = *icc2;
            let fj = msc / mse;
            let vn = df2kd * (kf * icc2 * fj + nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2).powi(2);
            let vd = df1 * kf * kf * icc2 * icc2 * fj * fj
                + (nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2).powi(2);
            let v = vn / vd;
            if v.is_finite() && v > 0.0 {
                let f2u = f_ppf(q, nf - 1.0, v);
                let f2l = f_ppf(q, v, nf - 1.0);
                let c = kf * msc + (kf * nf - kf - nf) * mse;
                let l2 = nf * (msr - f2u * mse) / (f2u * c + nf * msr);
                let u2 = nf * (f2l * msr - mse) / (c + nf * f2l * msr);
                Some((
                    [l2, u2],
                    [
                        l2 * kf / (1.0 + l2 * (kf - 1.0)),
                        u2 * kf / (1.0 + u2 * (kf - 1.0)),
                    ],
                ))
            } else {
                None
            }
        }
        _ => None,
    };
    let est = |value: Result<f64, AgreementError>,
               f: Option<f64>,
               d2: f64,
               p: Option<f64>,
               ci: Option<[f64; 2]>| {
        value.map(|value| IccEstimate {
            value,
            f,
            df1: Some(df1),
            df2: Some(d2),
            p_value: p,
            ci95: ci.filter(|c| c.iter().all(|x| x.is_finite())),
        })
    };
    IccSet {
        icc1: est(icc1, f1, df1kd, p1, ci1.map(|c| c.0)),
        icc2: est(icc2, f3, df2kd, p3, ci2.map(|c| c.0)),
        icc3: est(icc3, f3, df2kd, p3, ci3.map(|c| c.0)),
        icc1k: est(icc1k, f1, df1kd, p1, ci1.map(|c| c.1)),
        icc2k: est(icc2k, f3, df2kd, p3, ci2.map(|c| c.1)),
        icc3k: est(icc3k, f3, df2kd, p3, ci3.map(|c| c.1)),
        units: n,
        raters: k,
        k: Some(kf),
        warnings: Vec::new(),
    }
}

/// Variance components of y_ur = μ + u_u + r_r + e_ur (unit and rater crossed random effects)
/// for any pattern of missing ratings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarianceComponents {
    /// σ²_u, between units.
    pub unit: f64,
    /// σ²_r, between raters.
    pub rater: f64,
    /// σ²_e, residual.
    pub residual: f64,
    /// One-way (raters ignored) within-unit variance σ²_r + σ²_e as estimated from same-unit
    /// pairs, and the one-way unit variance, for ICC1.
    pub within_unit: f64,
    /// The one-way unit variance (see `within_unit`).
    pub unit_oneway: f64,
}

/// Symmetric-sums moment estimator (Koch 1967, "A general approach to the estimation of
/// variance components", Technometrics 9): with d_U, d_R, d_X half the mean squared difference
/// over pairs of ratings sharing the unit only, the rater only, and neither,
/// E\[d_U\] = σ²_r + σ²_e, E\[d_R\] = σ²_u + σ²_e, E\[d_X\] = σ²_u + σ²_r + σ²_e, so
/// σ²_u = d_X − d_U, σ²_r = d_X − d_R, σ²_e = d_U + d_R − d_X. Each sum is O(N) through
/// within-group sums of squares. Unbiased for any missing pattern; on complete data it equals
/// the two-way ANOVA estimators (σ²_u = (MSR − MSE)/k, σ²_r = (MSC − MSE)/n, σ²_e = MSE), so the
/// ICCs below coincide with Shrout & Fleiss's (a test checks this). Like every ANOVA-type
/// estimator it can go negative; values are reported as computed.
pub fn variance_components(table: &RatingTable) -> Result<VarianceComponents, AgreementError> {
    if table.pairable_units() == 0 {
        return Err(AgreementError::NoPairableUnits);
    }
    if table.squares_overflow() {
        return Err(table.overflow());
    }
    // Sum over ordered pairs in a group of (y_i − y_j)² = 2 m Σ (y − ȳ)², with its pair count.
    let group = |m: f64, ss: f64| {
        if m < 2.0 {
            (0.0, 0.0)
        } else {
            (2.0 * m * ss, m * (m - 1.0))
        }
    };
    let slice_ss = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>()
    };
    let (s_all, p_all) = group(table.value.len() as f64, slice_ss(&table.value));
    let (mut s_u, mut p_u) = (0.0, 0.0);
    for u in 0..table.n_units {
        let v = &table.value[table.range(u)];
        let (s, p) = group(v.len() as f64, slice_ss(v));
        s_u += s;
        p_u += p;
    }
    // Raters: means first, then centred sums of squares (two passes, no per-rater vectors).
    let mut sum = vec![0.0f64; table.n_raters];
    let mut count = vec![0.0f64; table.n_raters];
    for (&r, &y) in table.rater.iter().zip(&table.value) {
        sum[r as usize] += y;
        count[r as usize] += 1.0;
    }
    let mean: Vec<f64> = sum
        .iter()
        .zip(&count)
        .map(|(s, c)| s / c.max(1.0))
        .collect();
    let mut ss = vec![0.0f64; table.n_raters];
    for (&r, &y) in table.rater.iter().zip(&table.value) {
        let d = y - mean[r as usize];
        ss[r as usize] += d * d;
    }
    let (mut s_r, mut p_r) = (0.0, 0.0);
    for (c, q) in count.iter().zip(&ss) {
        let (s, p) = group(*c, *q);
        s_r += s;
        p_r += p;
    }
    let s_x = s_all - s_u - s_r;
    let p_x = p_all - p_u - p_r;
    if p_r <= 0.0 || p_x <= 0.0 {
        return Err(AgreementError::TooFewUnits {
            needed: 2,
            found: table.rated_units(),
        });
    }
    let d_u = s_u / (2.0 * p_u);
    let d_r = s_r / (2.0 * p_r);
    let d_x = s_x / (2.0 * p_x);
    let d_b = (s_all - s_u) / (2.0 * (p_all - p_u));
    Ok(VarianceComponents {
        unit: d_x - d_u,
        rater: d_x - d_r,
        residual: d_u + d_r - d_x,
        within_unit: d_u,
        unit_oneway: d_b - d_u,
    })
}

/// ICCs from [`variance_components`], for incomplete designs:
/// ICC1 = σ²_u1/(σ²_u1 + σ²_w) (one-way), ICC2 = σ²_u/(σ²_u + σ²_r + σ²_e),
/// ICC3 = σ²_u/(σ²_u + σ²_e), and the k forms with the error part divided by k̄, the mean
/// number of ratings per pairable unit. No F tests or intervals (use the bootstrap).
pub fn icc_variance_components(table: &RatingTable) -> (IccSet, Option<VarianceComponents>) {
    let units = table.pairable_units();
    let raters = table.active_raters();
    let vc = match variance_components(table) {
        Ok(vc) => vc,
        Err(e) => return (IccSet::all_err(e, units, raters), None),
    };
    let pairable_ratings: usize = (0..table.n_units)
        .map(|u| table.range(u).len())
        .filter(|&m| m >= 2)
        .sum();
    let kbar = pairable_ratings as f64 / units as f64;
    let ratio = |num: f64, den: f64| -> Result<IccEstimate, AgreementError> {
        if den > 0.0 && den.is_finite() {
            Ok(IccEstimate {
                value: num / den,
                f: None,
                df1: None,
                df2: None,
                p_value: None,
                ci95: None,
            })
        } else {
            Err(AgreementError::NoVariation)
        }
    };
    let set = IccSet {
        icc1: ratio(vc.unit_oneway, vc.unit_oneway + vc.within_unit),
        icc2: ratio(vc.unit, vc.unit + vc.rater + vc.residual),
        icc3: ratio(vc.unit, vc.unit + vc.residual),
        icc1k: ratio(vc.unit_oneway, vc.unit_oneway + vc.within_unit / kbar),
        icc2k: ratio(vc.unit, vc.unit + (vc.rater + vc.residual) / kbar),
        icc3k: ratio(vc.unit, vc.unit + vc.residual / kbar),
        units,
        raters,
        k: Some(kbar),
        warnings: Vec::new(),
    };
    (set, Some(vc))
}

/// ICCs from REML variance components of `value ~ 1 + (1|unit) + (1|rater)`, fitted by the
/// decomposition's engine (`variance::fit_reml`, the model of
/// [`crate::variance::fit_unit_rater`], tested there against lme4 `lmer`; here the components
/// and ICCs are tested against lme4's to `prec::ICC_REML_REL`). In the random-rater model the one-way and two-way absolute-agreement
/// ICCs estimate the same quantity, so ICC1 = ICC2 = σ²_u/(σ²_u + σ²_r + σ²_e);
/// ICC3 = σ²_u/(σ²_u + σ²_e); k forms divide the error part by k̄ (mean ratings per pairable
/// unit). REML components are never negative. No F tests or intervals.
pub fn icc_reml(table: &RatingTable) -> Result<(IccSet, VarianceComponents), AgreementError> {
    let units = table.pairable_units();
    let raters = table.active_raters();
    if units == 0 {
        return Err(AgreementError::NoPairableUnits);
    }
    if table.squares_overflow() {
        return Err(table.overflow());
    }
    // The model of `variance::fit_unit_rater`, fitted without the engine's inner parallelism:
    // callers (the agreement report) already run dimensions in parallel.
    use crate::variance::{fit_reml, Design, FitOptions, Rating as VRating, Terms};
    let mut ratings = Vec::with_capacity(table.value.len());
    for u in 0..table.n_units {
        for i in table.range(u) {
            ratings.push(VRating {
                person: u as u32,
                profile: u as u32,
                rater: table.rater[i],
                value: table.value[i],
            });
        }
    }
    let est = |e: crate::variance::VarianceError| AgreementError::Estimation(e.to_string());
    let mut terms = Terms {
        person: true,
        person_context: false,
        rater: true,
    };
    let mut design = Design::new(&ratings, terms).map_err(est)?;
    if design.n_rater_levels() < 2 {
        terms.rater = false;
        design = Design::new(&ratings, terms).map_err(est)?;
    }
    let fit = fit_reml(
        &design,
        &FitOptions {
            parallel: false,
            ..Default::default()
        },
    )
    .map_err(est)?;
    let c = fit.components;
    let pairable_ratings: usize = (0..table.n_units)
        .map(|u| table.range(u).len())
        .filter(|&m| m >= 2)
        .sum();
    let kbar = pairable_ratings as f64 / units as f64;
    let ratio = |num: f64, den: f64| -> Result<IccEstimate, AgreementError> {
        if den > 0.0 && den.is_finite() && num.is_finite() {
            Ok(IccEstimate {
                value: num / den,
                f: None,
                df1: None,
                df2: None,
                p_value: None,
                ci95: None,
            })
        } else {
            Err(AgreementError::NoVariation)
        }
    };
    let (u, r, mut e) = (c.person, c.rater, c.residual);
    let mut warnings = Vec::new();
    // A residual this small relative to the total is the optimizer approaching σ²_e = 0 (the
    // ratings are fitted exactly by unit and rater effects), where ICC3 is 1, not 1 − 1e-11.
    if e > 0.0 && e <= RESIDUAL_BOUNDARY * (u + r + e) {
        e = 0.0;
        warnings.push(
            "the residual variance is at its boundary 0 (unit and rater effects fit the ratings \
             exactly); the ICCs are the boundary values"
                .to_owned(),
        );
    }
    // With every rater rating once, a rater's effect and the error of that rating are the same
    // quantity: only σ²_r + σ²_e is estimable, so forms that separate them are not identified
    // (the REML criterion is flat along σ²_r + σ²_e = const).
    let separable = rater_with_two_ratings(table);
    let consistency = |num: f64, den: f64| {
        if separable {
            ratio(num, den)
        } else {
            Err(AgreementError::NotIdentified(
                "no rater rated two units, so rater and residual variance cannot be separated \
                 (ICC3 needs the residual alone)",
            ))
        }
    };
    let set = IccSet {
        icc1: ratio(u, u + r + e),
        icc2: ratio(u, u + r + e),
        icc3: consistency(u, u + e),
        icc1k: ratio(u, u + (r + e) / kbar),
        icc2k: ratio(u, u + (r + e) / kbar),
        icc3k: consistency(u, u + e / kbar),
        units,
        raters,
        k: Some(kbar),
        warnings,
    };
    let vc = VarianceComponents {
        unit: u,
        rater: r,
        residual: e,
        within_unit: r + e,
        unit_oneway: u,
    };
    Ok((set, vc))
}

/// Residual share of the total below which a REML fit is taken to be at σ²_e = 0.
const RESIDUAL_BOUNDARY: f64 = 1e-8;

/// True when some rater rated two or more units.
fn rater_with_two_ratings(table: &RatingTable) -> bool {
    let mut count = vec![0u32; table.n_raters];
    table.rater.iter().any(|&r| {
        count[r as usize] += 1;
        count[r as usize] >= 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::Rating;

    #[test]
    fn reml_icc_reports_boundaries_and_unidentified_forms() {
        // Rotating pool, ratings exactly unit effect + rater effect: σ²_e = 0, ICC3 = 1.
        let unit = [0.0, 3.0, 1.0, 4.0, 2.0, 6.0];
        let rater = [0.0, 0.5, -1.0];
        let mut rows = Vec::new();
        for u in 0..6u32 {
            for j in 0..2u32 {
                let r = (u + j) % 3;
                rows.push(Rating::new(u, r, unit[u as usize] + rater[r as usize]));
            }
        }
        let (set, _) = icc_reml(&RatingTable::new(&rows).unwrap()).unwrap();
        assert_eq!(set.icc3.clone().unwrap().value, 1.0, "{set:?}");
        assert!(!set.warnings.is_empty(), "the boundary is said");
        // Every rater rates one unit: ICC3 is not identified (issue 11, item 20).
        let mut rows = Vec::new();
        let values = [
            [1.0, 2.0],
            [4.0, 3.0],
            [2.0, 2.5],
            [5.0, 6.0],
            [3.0, 1.5],
            [0.0, 1.0],
        ];
        for (u, v) in values.iter().enumerate() {
            rows.push(Rating::new(u as u32, 2 * u as u32, v[0]));
            rows.push(Rating::new(u as u32, 2 * u as u32 + 1, v[1]));
        }
        let (set, _) = icc_reml(&RatingTable::new(&rows).unwrap()).unwrap();
        assert!(
            matches!(set.icc3, Err(AgreementError::NotIdentified(_))),
            "{:?}",
            set.icc3
        );
        assert!(matches!(set.icc3k, Err(AgreementError::NotIdentified(_))));
        assert!(set.icc2.is_ok(), "σ²_u/(σ²_u + σ²_r + σ²_e) is identified");
    }

    fn shrout_fleiss_table() -> RatingTable {
        let data = [
            [9.0, 2.0, 5.0, 8.0],
            [6.0, 1.0, 3.0, 2.0],
            [8.0, 4.0, 6.0, 8.0],
            [7.0, 1.0, 2.0, 6.0],
            [10.0, 5.0, 6.0, 9.0],
            [6.0, 2.0, 4.0, 7.0],
        ];
        let mut r = Vec::new();
        for (u, row) in data.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                r.push(Rating::new(u as u32, j as u32, v));
            }
        }
        RatingTable::new(&r).unwrap()
    }

    #[test]
    fn variance_components_equal_anova_on_complete_data() {
        let t = shrout_fleiss_table();
        let sf = icc_complete(&t);
        let (vc, _) = icc_variance_components(&t);
        let pairs = [
            (&sf.icc1, &vc.icc1),
            (&sf.icc2, &vc.icc2),
            (&sf.icc3, &vc.icc3),
            (&sf.icc1k, &vc.icc1k),
            (&sf.icc2k, &vc.icc2k),
            (&sf.icc3k, &vc.icc3k),
        ];
        for (a, b) in pairs {
            let (a, b) = (a.clone().unwrap().value, b.clone().unwrap().value);
            assert!(
                (a - b).abs() < 1e-12,
                "moment ICC must equal ANOVA ICC on complete data: {a} vs {b}"
            );
        }
    }

    #[test]
    fn too_few_units_or_raters() {
        let t = RatingTable::new(&[Rating::new(0, 0, 1.0), Rating::new(0, 1, 2.0)]).unwrap();
        assert!(matches!(
            icc_complete(&t).icc2,
            Err(AgreementError::TooFewUnits { .. })
        ));
        let t = RatingTable::new(&[Rating::new(0, 0, 1.0), Rating::new(1, 0, 2.0)]).unwrap();
        assert!(matches!(
            icc_complete(&t).icc1,
            Err(AgreementError::TooFewRaters { .. })
        ));
    }
}
