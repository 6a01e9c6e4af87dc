//! The methods paragraph: what each statistic is and how it was computed, with citations.

use super::esc;
use crate::report::ReportData;
use std::fmt::Write as _;

pub(super) fn methods(h: &mut String, d: &ReportData) {
    let reml = d.method == "reml";
    h.push_str("<section id=\"methods\" class=\"methods\">\n<h2>Methods</h2>\n");
    h.push_str(
        "<p><strong>Agreement.</strong> The unit of agreement is the profile (one person in one \
         context). Krippendorff's alpha (Krippendorff, 2011) is computed from the coincidence \
         matrix, <span class=\"formula\">o<sub>ck</sub> = Σ<sub>u</sub> (number of c–k pairs in \
         u) / (m<sub>u</sub> − 1)</span>, as <span class=\"formula\">α = 1 − D<sub>o</sub> / \
         D<sub>e</sub></span> with the nominal, ordinal, interval and ratio difference functions; \
         units with fewer than two ratings are not pairable, and missing ratings are allowed. \
         The alpha shown first is the one at the dimension's level of measurement (from the \
         codebook; interval when the data carry none). Fleiss' kappa (Fleiss, 1971; the \
         generalised form when units have different numbers of ratings) and Cohen's kappa for \
         every pair of raters on their shared units (unweighted, linear and quadratic weights; \
         Cohen, 1960, 1968) are reported for categorical scales. Intraclass correlations follow \
         Shrout and Fleiss (1979): ICC1, ICC2, ICC3 and their k-rater forms from two-way ANOVA \
         mean squares when every unit is rated by every rater; for incomplete designs they are \
         computed from REML variance components of <span class=\"formula\">y<sub>ur</sub> = μ + \
         u<sub>u</sub> + r<sub>r</sub> + e<sub>ur</sub></span> (method of moments when REML \
         fails), as shown in the ICC method column. Percent agreement is the mean over pairable \
         units of the share of rating pairs that agree exactly (and within one scale point for \
         discrete ordered scales).</p>\n",
    );
    let _ = writeln!(
        h,
        "<p><strong>State–trait decomposition.</strong> Variance components are estimated by {} \
         per dimension. At the profile level, the profile score s<sub>pc</sub> (the mean of the \
         ratings of person p in context c) follows <span class=\"formula\">s<sub>pc</sub> = μ + \
         T<sub>p</sub> + S<sub>pc</sub></span> with random person (trait, variance \
         σ<sup>2</sup><sub>T</sub>) and person × context (state, σ<sup>2</sup><sub>S</sub>) \
         effects; the <em>trait share</em> is <span class=\"formula\">σ<sup>2</sup><sub>T</sub> / \
         (σ<sup>2</sup><sub>T</sub> + σ<sup>2</sup><sub>S</sub>)</span> and the state share is one \
         minus the trait share. When raters are known, the rater level is a generalizability \
         study of the individual ratings, <span class=\"formula\">y<sub>pcr</sub> = μ + \
         T<sub>p</sub> + S<sub>pc</sub> + R<sub>r</sub> + E<sub>pcr</sub></span> with crossed \
         random rater effects, giving the variance of person (trait), person × context (state), \
         rater (leniency) and residual (disagreement and error), the reliability of a profile \
         score averaged over k raters, and the latent state–trait coefficients consistency, \
         occasion specificity and reliability. {} The pooled split is the mean over dimensions \
         of the profile-level trait and state shares. Per-rater state sensitivity is the \
         within-person (state) share of one rater's own ratings from the profile-level model; a \
         rater with a state share below 0.10 is flagged as state-blind.</p>",
        if reml {
            "restricted maximum likelihood (REML)"
        } else {
            "the method of moments (ANOVA)"
        },
        if reml {
            "The REML criterion reported is −2 × the REML log-likelihood, as lme4's \
             <code>REMLcrit</code>; REML components are never negative."
        } else {
            "Method-of-moments estimates can be negative; they are reported as computed and \
             flagged."
        }
    );
    super::model::model_methods(h, d);
    if d.bootstrap > 0 {
        let _ = writeln!(
            h,
            "<p><strong>Confidence intervals.</strong> 95% percentile intervals from {n} \
             person-cluster bootstrap resamples for the decomposition (persons resampled with all \
             their profiles and ratings, the same persons for every dimension) and {n} unit \
             bootstrap resamples for alpha and Fleiss' kappa, seed {s}; the results are \
             identical for a given seed whatever the number of threads. Intraclass correlation \
             intervals, where shown, are F-based (complete designs only).</p>",
            n = d.bootstrap,
            s = d.seed.unwrap_or_default()
        );
    } else {
        h.push_str(
            "<p><strong>Confidence intervals.</strong> No bootstrap was run for this report \
             (<code>--bootstrap N</code> adds percentile intervals).</p>\n",
        );
    }
    let _ = write!(
        h,
        "<p><strong>Software and data.</strong> {} {} (<code>chameleon</code> command-line tool \
         and desktop app share this code). The data hash identifies the analysed ratings \
         snapshot (BLAKE3 over names, structure and values); the same data give the same hash. \
         Tables are rounded to 4 decimals; the unrounded results are embedded in this file as \
         JSON.</p>\n</section>\n",
        esc(d.software),
        esc(d.version),
    );
}
