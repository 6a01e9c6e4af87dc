//! Poisson(1) person weights from a counter-based generator (issue #17): the weight of a person
//! in a resample is a pure function of `(seed, resample, person key)`, so it does not depend on
//! which partition, executor or thread meets the person, nor on the order persons arrive in.
//!
//! - The key of a person is [`person_key`] of the person's id text (FNV-1a 64 of its UTF-8
//!   bytes, then one SplitMix64 finalisation), the same on every machine and in every build.
//! - [`uniform_bits`] mixes `seed`, `resample` and the key through three SplitMix64
//!   finalisations (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
//!   generators", the `mix64` of Java's `SplittableRandom`) and keeps 53 bits.
//! - [`poisson1_from_bits`] inverts the Poisson(1) CDF against those 53 bits with a table of
//!   thresholds `T_k = round(2^53 · P(K ≤ k))` computed exactly in 120-bit fixed point at
//!   compile time: `P(weight ≤ k)` is `T_k / 2^53`, the CDF rounded to the nearest multiple of
//!   2^-53.
//!
//! Reference: the "Poisson bootstrap" of Hanley & MacGibbon (2006, Comput. Methods Programs
//! Biomed. 83:57) and Chamandy et al. (2012, "Estimating uncertainty for massive data streams",
//! Google): each unit's multiplicity is an independent Poisson(1) draw instead of the
//! multinomial count of drawing `n` units with replacement.

/// Entries of [`THRESHOLDS`]: every one from `k = 18` on is 2^53 (the CDF rounds to 1).
const TABLE: usize = 20;

/// 2^53: the number of distinct values of [`uniform_bits`].
const ONE: u64 = 1 << 53;

/// `T_k = round(2^53 · P(K ≤ k))` for `K ~ Poisson(1)`, `k = 0..TABLE`.
const THRESHOLDS: [u64; TABLE] = thresholds();

/// The thresholds in 120-bit fixed point: `e^-1 = Σ (-1)^j / j!` (terms to 40!, each
/// truncated by less than one unit of 2^-120), then `P(K = k) = e^-1 / k!` by repeated
/// division and the running sum, rounded to 53 bits. The accumulated truncation (below 100
/// units of 2^-120) is far below the distance of any `2^53 · P(K ≤ k)` from a rounding
/// boundary (checked against 80-digit decimal values in the tests).
const fn thresholds() -> [u64; TABLE] {
    const SHIFT: u32 = 120;
    let one: i128 = 1 << SHIFT;
    let mut e_inv: i128 = 0;
    let mut term: i128 = one;
    let mut j: i128 = 0;
    while j <= 40 {
        if j > 0 {
            term /= j;
        }
        if j % 2 == 0 {
            e_inv += term;
        } else {
            e_inv -= term;
        }
        j += 1;
    }
    let mut out = [0u64; TABLE];
    let mut p = e_inv;
    let mut cdf: i128 = 0;
    let mut k = 0;
    while k < TABLE {
        if k > 0 {
            p /= k as i128;
        }
        cdf += p;
        let half: i128 = 1 << (SHIFT - 53 - 1);
        let t = ((cdf + half) >> (SHIFT - 53)) as u64;
        out[k] = if t > ONE { ONE } else { t };
        k += 1;
    }
    out
}

/// SplitMix64's finaliser after its increment: a bijection of `u64` with full avalanche.
fn mix64(z: u64) -> u64 {
    let z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key of a person by its id text: FNV-1a 64 of the UTF-8 bytes, finalised by SplitMix64.
/// Stable across machines, builds and versions (std's hashers are not). Two distinct ids
/// share a key with probability about `n² / 2^65` for `n` persons.
///
/// ```
/// use chameleon_stats::bootstrap::poisson::person_key;
/// assert_eq!(person_key("u001"), person_key("u001"));
/// assert_ne!(person_key("u001"), person_key("u002"));
/// ```
pub fn person_key(id: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in id.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix64(h)
}

/// 53 uniform bits (a value in `0..2^53`) for `(seed, resample, person)`: counter-based, so
/// any triple can be drawn alone, in any order, anywhere.
pub fn uniform_bits(seed: u64, resample: u64, person: u64) -> u64 {
    mix64(mix64(mix64(seed) ^ resample) ^ person) >> 11
}

/// The Poisson(1) draw of 53 uniform bits `m` (`0 ≤ m < 2^53`, higher bits ignored): the
/// smallest `k` with `m < T_k`, so `P(k ≤ K) = T_k / 2^53` exactly.
pub fn poisson1_from_bits(m: u64) -> u32 {
    let m = m & (ONE - 1);
    let mut k = 0;
    // THRESHOLDS ends in 2^53 > m, so the loop stops inside the table.
    while k + 1 < TABLE && m >= THRESHOLDS[k] {
        k += 1;
    }
    k as u32
}

/// The Poisson(1) weight of `person` (a [`person_key`]) in resample `resample` under `seed`.
///
/// ```
/// use chameleon_stats::bootstrap::poisson::{person_key, poisson1_weight};
/// let w = poisson1_weight(1, 0, person_key("u001"));
/// assert_eq!(w, poisson1_weight(1, 0, person_key("u001")));
/// ```
pub fn poisson1_weight(seed: u64, resample: u64, person: u64) -> u32 {
    poisson1_from_bits(uniform_bits(seed, resample, person))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `round(2^53 · P(K ≤ k))`, K ~ Poisson(1), from Python's `decimal` at 80 digits:
    /// `c += exp(-1)/k!; (c * 2**53).quantize(1, ROUND_HALF_EVEN)`.
    const REFERENCE: [u64; TABLE] = [
        3313563428353948,
        6627126856707896,
        8283908570884870,
        8836169142277194,
        8974234285125276,
        9001847313694892,
        9006449485123161,
        9007106938184342,
        9007189119816990,
        9007198251109507,
        9007199164238758,
        9007199247250508,
        9007199254168154,
        9007199254700281,
        9007199254738290,
        9007199254740824,
        9007199254740982,
        9007199254740991,
        9007199254740992,
        9007199254740992,
    ];

    #[test]
    fn thresholds_are_the_cdf_rounded_to_53_bits() {
        assert_eq!(THRESHOLDS, REFERENCE);
        // And the f64 CDF agrees to its own rounding.
        let (mut p, mut c) = ((-1.0f64).exp(), 0.0);
        for (k, &t) in THRESHOLDS.iter().enumerate() {
            if k > 0 {
                p /= k as f64;
            }
            c += p;
            assert!((t as f64 / ONE as f64 - c).abs() < 4e-16, "k = {k}");
        }
    }

    #[test]
    fn inversion_is_exact_at_the_table_boundaries() {
        assert_eq!(poisson1_from_bits(0), 0);
        for (k, &t) in THRESHOLDS.iter().enumerate().take(18) {
            assert_eq!(poisson1_from_bits(t - 1), k as u32, "just below T_{k}");
            assert_eq!(poisson1_from_bits(t), k as u32 + 1, "at T_{k}");
        }
        // T_17 = 2^53 − 1: the largest value of 53 bits is the one draw of 18.
        assert_eq!(poisson1_from_bits(ONE - 1), 18);
        assert_eq!(poisson1_from_bits(u64::MAX), 18, "only 53 bits count");
    }

    #[test]
    fn weights_are_a_function_of_seed_resample_and_person() {
        let keys: Vec<u64> = (0..200).map(|i| person_key(&format!("p{i}"))).collect();
        let draw =
            |seed, r| -> Vec<u32> { keys.iter().map(|&k| poisson1_weight(seed, r, k)).collect() };
        assert_eq!(draw(7, 3), draw(7, 3));
        // In reverse order, one at a time: the same weights.
        let backwards: Vec<u32> = keys
            .iter()
            .rev()
            .map(|&k| poisson1_weight(7, 3, k))
            .collect();
        assert_eq!(backwards.into_iter().rev().collect::<Vec<_>>(), draw(7, 3));
        assert_ne!(draw(7, 3), draw(7, 4), "resamples differ");
        assert_ne!(draw(7, 3), draw(8, 3), "seeds differ");
        // Stable values, from an independent Python implementation of the same functions
        // (FNV-1a 64, SplitMix64's mix64, the threshold table).
        assert_eq!(person_key("u001"), 0x86dc_d94d_f647_e541);
        let first: Vec<u32> = (0..12)
            .map(|r| poisson1_weight(1, r, person_key("u001")))
            .collect();
        assert_eq!(first, [0, 1, 2, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    }

    /// Mean and variance 1, and each probability `P(K = k)` for k ≤ 4, over 400,000 draws
    /// (persons × resamples): the tolerances are 5 standard errors — mean `√(1/n)`, variance
    /// `√(Var((K−1)²)/n) = √(3/n)` (Poisson(1): fourth central moment 4), frequencies
    /// `√(p(1−p)/n)`. A Binomial(2, 1/2) weight (mean 1, variance 1/2) or a Poisson(1.02)
    /// weight fails them.
    #[test]
    fn weights_have_the_poisson1_distribution() {
        let n = 400_000usize;
        let mut counts = [0usize; TABLE];
        let (mut s, mut ss) = (0.0f64, 0.0f64);
        for r in 0..100u64 {
            for p in 0..(n as u64 / 100) {
                let k = poisson1_weight(42, r, person_key(&p.to_string()));
                counts[k as usize] += 1;
                s += f64::from(k);
                ss += (f64::from(k) - 1.0).powi(2);
            }
        }
        let nf = n as f64;
        let (mean, var) = (s / nf, ss / nf);
        assert!((mean - 1.0).abs() < 5.0 * (1.0 / nf).sqrt(), "mean {mean}");
        assert!(
            (var - 1.0).abs() < 5.0 * (3.0 / nf).sqrt(),
            "variance {var}"
        );
        let mut p = (-1.0f64).exp();
        for (k, &c) in counts.iter().enumerate().take(5) {
            if k > 0 {
                p /= k as f64;
            }
            let f = c as f64 / nf;
            let se = (p * (1.0 - p) / nf).sqrt();
            assert!((f - p).abs() < 5.0 * se, "P(K = {k}): {f} vs {p}");
        }
    }

    /// Neighbouring resamples and persons are uncorrelated: the correlation of a person's
    /// weights in resamples `r` and `r + 1`, and of persons `i` and `i + 1` in one resample,
    /// within 5 standard errors (`1/√n`) of 0.
    #[test]
    fn neighbouring_draws_are_uncorrelated() {
        let n = 100_000u64;
        let corr = |pairs: &mut dyn Iterator<Item = (u32, u32)>| {
            let (mut sxy, mut cnt) = (0.0, 0.0);
            for (a, b) in pairs {
                sxy += (f64::from(a) - 1.0) * (f64::from(b) - 1.0);
                cnt += 1.0;
            }
            sxy / cnt
        };
        let key = |i: u64| person_key(&format!("u{i:05}"));
        let across_resamples = corr(&mut (0..n).map(|i| {
            (
                poisson1_weight(1, i, key(7)),
                poisson1_weight(1, i + 1, key(7)),
            )
        }));
        let across_persons = corr(&mut (0..n).map(|i| {
            (
                poisson1_weight(1, 0, key(i)),
                poisson1_weight(1, 0, key(i + 1)),
            )
        }));
        let tol = 5.0 / (n as f64).sqrt();
        assert!(across_resamples.abs() < tol, "{across_resamples}");
        assert!(across_persons.abs() < tol, "{across_persons}");
    }
}
