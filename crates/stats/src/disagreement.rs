//! How much the raters of one unit disagree, measured on the scale, so a PI can adjudicate the
//! worst units first: a 4 vs 5 on a 7-point scale is not a full disagreement.

/// Disagreement of one unit's values.
///
/// * nominal: the share of rater pairs that differ (0 = all agree, 1 = all pairs differ);
/// * otherwise: the mean absolute pairwise difference divided by the scale's range
///   (`range = max − min` of the scale, or of the data when no scale is known), so 1 means
///   every pair sits at opposite ends of the scale.
///
/// `None` for fewer than two values or a non-positive range; non-finite values are ignored.
pub fn unit_disagreement(values: &[f64], nominal: bool, range: f64) -> Option<f64> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return None;
    }
    let mut sum = 0.0;
    let mut pairs = 0usize;
    for i in 0..v.len() {
        for j in i + 1..v.len() {
            sum += if nominal {
                f64::from(u8::from(v[i] != v[j]))
            } else {
                (v[i] - v[j]).abs()
            };
            pairs += 1;
        }
    }
    let mean = sum / pairs as f64;
    if nominal {
        Some(mean)
    } else if range > 0.0 && range.is_finite() {
        Some(mean / range)
    } else if mean == 0.0 {
        Some(0.0)
    } else {
        None
    }
}

/// `max − min` of the values (the spread a PI sees next to the score).
pub fn spread(values: &[f64]) -> Option<f64> {
    let mut it = values.iter().copied().filter(|x| x.is_finite());
    let first = it.next()?;
    let (lo, hi) = it.fold((first, first), |(lo, hi), x| (lo.min(x), hi.max(x)));
    Some(hi - lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_points_are_a_small_disagreement() {
        let near = unit_disagreement(&[4.0, 5.0], false, 6.0).unwrap();
        let far = unit_disagreement(&[1.0, 7.0], false, 6.0).unwrap();
        assert!((near - 1.0 / 6.0).abs() < 1e-12 && (far - 1.0).abs() < 1e-12);
        assert_eq!(unit_disagreement(&[3.0, 3.0, 3.0], false, 6.0), Some(0.0));
    }

    #[test]
    fn nominal_counts_differing_pairs_and_degenerate_input_is_none() {
        assert_eq!(
            unit_disagreement(&[1.0, 1.0, 2.0], true, 0.0),
            Some(2.0 / 3.0)
        );
        assert_eq!(unit_disagreement(&[1.0], true, 0.0), None);
        assert_eq!(unit_disagreement(&[1.0, f64::NAN], false, 4.0), None);
        assert_eq!(spread(&[2.0, 5.0, 3.0]), Some(3.0));
        assert_eq!(spread(&[]), None);
    }
}
