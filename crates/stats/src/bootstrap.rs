//! Seeded resampling shared by every bootstrap in the crate.
//!
//! Each resample `b` draws from its own ChaCha8 stream (`seed`, stream `b`), so the indices
//! drawn for resample `b` never depend on which thread runs it or in which order: results are
//! identical for a given seed whatever the thread count. [`poisson`] draws Poisson(1) person
//! weights from a counter keyed by the person instead (the engine's bootstrap, issue #17).

pub mod poisson;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// Random source for one bootstrap resample.
pub struct ResampleRng(ChaCha8Rng);

impl ResampleRng {
    /// The stream for resample number `resample` under `seed`.
    pub fn new(seed: u64, resample: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(resample);
        ResampleRng(rng)
    }

    /// A uniform index in `0..n` (Lemire's unbiased multiply-and-reject). `n` must be > 0.
    pub fn index(&mut self, n: usize) -> usize {
        assert!(n > 0, "cannot draw an index from an empty range");
        let n = n as u64;
        let mut m = u128::from(self.0.next_u64()) * u128::from(n);
        // The rejection threshold 2^64 mod n is below n, so a low word ≥ n is accepted
        // without it: the division is paid in about n / 2^64 of the draws, and the draws
        // accepted are those a threshold test on every draw accepts.
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.0.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as usize
    }

    /// `n` indices drawn with replacement from `0..n`.
    pub fn resample_indices(&mut self, n: usize) -> Vec<usize> {
        (0..n).map(|_| self.index(n)).collect()
    }
}

/// Percentile interval `[lo, hi]` of `values` at confidence `level` (e.g. 0.95), ignoring
/// non-finite entries, with linear interpolation between order statistics (R's type 7, numpy's
/// default). `None` when no finite value remains.
pub fn percentile_interval(values: &[f64], level: f64) -> Option<[f64; 2]> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let alpha = (1.0 - level) / 2.0;
    Some([quantile_sorted(&v, alpha), quantile_sorted(&v, 1.0 - alpha)])
}

/// Type-7 quantile of an ascending, non-empty slice.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Progress reporting and cancellation for long resampling jobs (the CLI's progress bar and
/// the desktop app's job events use the same callback).
pub struct Control<'a> {
    /// Called with `(done, total)` after each resample, from worker threads, so counts can
    /// arrive slightly out of order; throttle in the callback if it is expensive.
    pub progress: &'a (dyn Fn(u64, u64) + Sync),
    /// Set to stop early; the job then returns a cancellation error.
    pub cancel: &'a std::sync::atomic::AtomicBool,
}

impl Control<'_> {
    /// True once cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<usize> = ResampleRng::new(7, 3).resample_indices(50);
        let b: Vec<usize> = ResampleRng::new(7, 3).resample_indices(50);
        let c: Vec<usize> = ResampleRng::new(7, 4).resample_indices(50);
        assert_eq!(a, b, "same seed and stream must give the same draws");
        assert_ne!(a, c, "different resamples must not share draws");
        assert!(a.iter().all(|&i| i < 50));
    }

    /// The draws of a threshold test on every draw, as `index` made them until issue #19.
    fn index_testing_every_draw(rng: &mut ResampleRng, n: u64) -> u64 {
        loop {
            let m = u128::from(rng.0.next_u64()) * u128::from(n);
            if (m as u64) >= n.wrapping_neg() % n {
                return (m >> 64) as u64;
            }
        }
    }

    #[test]
    fn index_draws_what_a_threshold_test_on_every_draw_draws() {
        // Ranges where rejections are common (2^63 + 1: about half the draws) and rare.
        for n in [1u64, 2, 3, 5001, 1 << 40, (1 << 63) + 1, u64::MAX] {
            let (mut a, mut b) = (ResampleRng::new(9, n), ResampleRng::new(9, n));
            for _ in 0..2000 {
                assert_eq!(
                    a.index(n as usize) as u64,
                    index_testing_every_draw(&mut b, n),
                    "n = {n}"
                );
            }
        }
    }

    #[test]
    fn quantiles_match_r_type7() {
        // R: quantile(c(1,2,3,4,10), c(.025,.975)) -> 1.1, 9.4
        let iv = percentile_interval(&[4.0, 1.0, 10.0, 3.0, 2.0], 0.95).unwrap();
        assert!(
            (iv[0] - 1.1).abs() < 1e-12 && (iv[1] - 9.4).abs() < 1e-12,
            "{iv:?}"
        );
        assert_eq!(percentile_interval(&[f64::NAN], 0.95), None);
    }
}
