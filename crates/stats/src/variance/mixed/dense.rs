//! Dense kernels for the global Schur complement (row-major `g × g`): Cholesky, solves and
//! the inverse from the factor. Every inner loop is a dot product of two contiguous slices
//! with independent accumulators, which the compiler vectorises (a single running sum is a
//! dependency chain it may not reorder); at the Chameleon scale's 650 shared contexts this
//! is several times nalgebra's generic column loops.

/// `Σ a_i b_i` over equal-length slices.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// In-place Cholesky `A = L L'` of the row-major `m × m` `a` (lower triangle read and
/// overwritten; the strict upper triangle is left as it was). False when not positive
/// definite.
pub(crate) fn cholesky(a: &mut [f64], m: usize) -> bool {
    for i in 0..m {
        let (done, rest) = a.split_at_mut(i * m);
        let row_i = &mut rest[..m];
        for j in 0..i {
            let row_j = &done[j * m..j * m + m];
            let v = (row_i[j] - dot(&row_i[..j], &row_j[..j])) / row_j[j];
            row_i[j] = v;
        }
        let d = row_i[i] - dot(&row_i[..i], &row_i[..i]);
        if d.is_nan() || d <= 0.0 {
            return false;
        }
        row_i[i] = d.sqrt();
    }
    true
}

/// Solves `L L' x = b` in place with the factor of [`cholesky`].
pub(crate) fn solve(l: &[f64], m: usize, b: &mut [f64]) {
    for i in 0..m {
        b[i] = (b[i] - dot(&l[i * m..i * m + i], &b[..i])) / l[i * m + i];
    }
    for i in (0..m).rev() {
        let mut v = b[i];
        for k in (i + 1)..m {
            v -= l[k * m + i] * b[k];
        }
        b[i] = v / l[i * m + i];
    }
}

/// `A⁻¹` (full, row-major) from the factor `L` of [`cholesky`]: `U = L⁻ᵀ` row by row, then
/// `A⁻¹ = U U'`, both as contiguous dot products.
pub(crate) fn inverse(l: &[f64], m: usize) -> Vec<f64> {
    // U upper-triangular, row-major: U[j][i] = (L⁻¹)[i][j] for i ≥ j.
    let mut u = vec![0.0; m * m];
    for i in 0..m {
        let lii = l[i * m + i];
        u[i * m + i] = 1.0 / lii;
        let li = &l[i * m..i * m + i];
        for j in 0..i {
            // (L⁻¹)[i][j] = −Σ_{k=j}^{i−1} L[i][k] (L⁻¹)[k][j] / L[i][i].
            let v = -dot(&li[j..i], &u[j * m + j..j * m + i]) / lii;
            u[j * m + i] = v;
        }
    }
    let mut inv = vec![0.0; m * m];
    for a in 0..m {
        for b in 0..=a {
            // Σ_{k ≥ a} U[a][k] U[b][k] (U[a][k] = 0 below k = a).
            let v = dot(&u[a * m + a..a * m + m], &u[b * m + a..b * m + m]);
            inv[a * m + b] = v;
            inv[b * m + a] = v;
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_solve_and_inverse_equal_nalgebra() {
        let m = 37;
        let mut a = vec![0.0; m * m];
        for i in 0..m {
            for j in 0..m {
                a[i * m + j] = ((i * 7 + j * 3) % 11) as f64 * 0.01 + ((i + j) % 5) as f64 * 0.02;
            }
        }
        // Symmetric, diagonally dominant.
        let mut s = vec![0.0; m * m];
        for i in 0..m {
            for j in 0..m {
                s[i * m + j] = a[i * m + j] + a[j * m + i] + if i == j { 3.0 } else { 0.0 };
            }
        }
        let reference = nalgebra::DMatrix::from_row_slice(m, m, &s);
        let inv_ref = reference.clone().cholesky().unwrap().inverse();
        let mut l = s.clone();
        assert!(cholesky(&mut l, m));
        let inv = inverse(&l, m);
        for i in 0..m {
            for j in 0..m {
                assert!((inv[i * m + j] - inv_ref[(i, j)]).abs() < 1e-12);
            }
        }
        let mut b: Vec<f64> = (0..m).map(|i| (i as f64).sin()).collect();
        let x_ref = reference
            .cholesky()
            .unwrap()
            .solve(&nalgebra::DVector::from_column_slice(&b));
        solve(&l, m, &mut b);
        for i in 0..m {
            assert!((b[i] - x_ref[i]).abs() < 1e-12);
        }
        let mut bad = s.clone();
        bad[0] = -1.0;
        assert!(!cholesky(&mut bad, m));
    }
}
