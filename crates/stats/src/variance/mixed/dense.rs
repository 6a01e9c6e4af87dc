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

/// `[Σ a0_i b_i, Σ a1_i b_i, Σ a2_i b_i, Σ a3_i b_i]` over `b`'s length: four rows against
/// one, each of `b`'s elements loaded once (the global block outgrows the cache at several
/// hundred contexts, so memory traffic, not arithmetic, bounds the factorisation).
#[inline]
fn dot4(a: [&[f64]; 4], b: &[f64]) -> [f64; 4] {
    let n = b.len();
    let a = [&a[0][..n], &a[1][..n], &a[2][..n], &a[3][..n]];
    let mut acc = [[0.0f64; 2]; 4];
    let pairs = n / 2;
    for p in 0..pairs {
        let i = 2 * p;
        let (b0, b1) = (b[i], b[i + 1]);
        for r in 0..4 {
            acc[r][0] += a[r][i] * b0;
            acc[r][1] += a[r][i + 1] * b1;
        }
    }
    let mut out = [0.0; 4];
    for r in 0..4 {
        out[r] = acc[r][0] + acc[r][1];
        if n % 2 == 1 {
            out[r] += a[r][n - 1] * b[n - 1];
        }
    }
    out
}

/// The 4 × 4 dot products of rows `a` with rows `b` over `len` elements: each load feeds four
/// products (register blocking), twice `dot4`'s arithmetic per element loaded.
#[inline]
fn dot4x4(a: [&[f64]; 4], b: [&[f64]; 4], len: usize) -> [[f64; 4]; 4] {
    let a = [&a[0][..len], &a[1][..len], &a[2][..len], &a[3][..len]];
    let b = [&b[0][..len], &b[1][..len], &b[2][..len], &b[3][..len]];
    let mut acc = [[0.0f64; 4]; 4];
    for k in 0..len {
        let bk = [b[0][k], b[1][k], b[2][k], b[3][k]];
        for r in 0..4 {
            let ark = a[r][k];
            for c in 0..4 {
                acc[r][c] += ark * bk[c];
            }
        }
    }
    acc
}

/// In-place Cholesky `A = L L'` of the row-major `m × m` `a` (lower triangle read and
/// overwritten; the strict upper triangle is left as it was). False when not positive
/// definite.
pub(crate) fn cholesky(a: &mut [f64], m: usize) -> bool {
    let mut i0 = 0;
    while i0 < m {
        let rows = (m - i0).min(4);
        let (done, rest) = a.split_at_mut(i0 * m);
        if rows == 4 {
            // Columns left of the block, four at a time: the 4 × 4 products over the columns
            // before them at once, then the few columns inside the 4 × 4 tile in order (each
            // entry needs its row's entries to its left).
            let mut j0 = 0;
            while j0 + 4 <= i0 {
                let p = dot4x4(
                    [
                        &rest[..j0],
                        &rest[m..m + j0],
                        &rest[2 * m..2 * m + j0],
                        &rest[3 * m..3 * m + j0],
                    ],
                    [
                        &done[j0 * m..j0 * m + j0],
                        &done[(j0 + 1) * m..(j0 + 1) * m + j0],
                        &done[(j0 + 2) * m..(j0 + 2) * m + j0],
                        &done[(j0 + 3) * m..(j0 + 3) * m + j0],
                    ],
                    j0,
                );
                for (r, pr) in p.iter().enumerate() {
                    for (c, prc) in pr.iter().enumerate() {
                        let j = j0 + c;
                        let row_j = &done[j * m..j * m + j + 1];
                        let mut v = rest[r * m + j] - prc;
                        for k in j0..j {
                            v -= rest[r * m + k] * row_j[k];
                        }
                        rest[r * m + j] = v / row_j[j];
                    }
                }
                j0 += 4;
            }
            for j in j0..i0 {
                let row_j = &done[j * m..j * m + j + 1];
                let d = dot4(
                    [
                        &rest[..j],
                        &rest[m..m + j],
                        &rest[2 * m..2 * m + j],
                        &rest[3 * m..3 * m + j],
                    ],
                    &row_j[..j],
                );
                for r in 0..4 {
                    rest[r * m + j] = (rest[r * m + j] - d[r]) / row_j[j];
                }
            }
        }
        // The diagonal block (and, for a short last block, everything) row by row.
        for r in 0..rows {
            let i = i0 + r;
            let start = if rows == 4 { i0 } else { 0 };
            for j in start..i {
                let v = {
                    let (row_j, row_i): (&[f64], &[f64]) = if j < i0 {
                        (&done[j * m..j * m + j + 1], &rest[r * m..r * m + j])
                    } else {
                        (
                            &rest[(j - i0) * m..(j - i0) * m + j + 1],
                            &rest[r * m..r * m + j],
                        )
                    };
                    (rest[r * m + j] - dot(row_i, &row_j[..j])) / row_j[j]
                };
                rest[r * m + j] = v;
            }
            let row_i = &rest[r * m..r * m + i];
            let d = rest[r * m + i] - dot(row_i, row_i);
            if d.is_nan() || d <= 0.0 {
                return false;
            }
            rest[r * m + i] = d.sqrt();
        }
        i0 += rows;
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

/// The lower triangle (diagonal included; the rest 0) of `A⁻¹` (row-major) from the factor
/// `L` of [`cholesky`]: `U = L⁻ᵀ` row by row, then `A⁻¹ = U U'`, both as contiguous dot
/// products. Symmetric: the upper triangle would only double the (strided) writes.
#[cfg(test)]
pub(crate) fn inverse(l: &[f64], m: usize) -> Vec<f64> {
    let mut inv = vec![0.0; m * m];
    inverse_leading(l, m, m, &mut inv);
    inv
}

/// [`inverse`] of the leading `m × m` block of `A` (row stride `ld ≥ m`) from the factor `L`
/// of all of `A`, written into the leading block of `inv` (stride `ld`; nothing else is
/// touched). The leading block of a Cholesky factor is the factor of the leading block, so
/// the inverse of `A` without its last rows and columns needs no factorisation of its own.
pub(crate) fn inverse_leading(l: &[f64], ld: usize, m: usize, inv: &mut [f64]) {
    // U upper-triangular, row-major: U[j][i] = (L⁻¹)[i][j] for i ≥ j.
    let mut u = vec![0.0; m * m];
    for i in 0..m {
        let lii = l[i * ld + i];
        u[i * m + i] = 1.0 / lii;
        let li = &l[i * ld..i * ld + i];
        for j in 0..i {
            // (L⁻¹)[i][j] = −Σ_{k=j}^{i−1} L[i][k] (L⁻¹)[k][j] / L[i][i].
            let v = -dot(&li[j..i], &u[j * m + j..j * m + i]) / lii;
            u[j * m + i] = v;
        }
    }
    let mut a0 = 0;
    while a0 < m {
        let rows = (m - a0).min(4);
        if rows == 4 {
            // Σ_{k ≥ a} U[a][k] U[b][k] for b < a0, four a at once (U[a][k] = 0 for k < a).
            let ua = [
                &u[a0 * m + a0..a0 * m + m],
                &u[(a0 + 1) * m + a0..(a0 + 1) * m + m],
                &u[(a0 + 2) * m + a0..(a0 + 2) * m + m],
                &u[(a0 + 3) * m + a0..(a0 + 3) * m + m],
            ];
            let len = m - a0;
            let mut b0 = 0;
            while b0 + 4 <= a0 {
                let ub = [
                    &u[b0 * m + a0..b0 * m + m],
                    &u[(b0 + 1) * m + a0..(b0 + 1) * m + m],
                    &u[(b0 + 2) * m + a0..(b0 + 2) * m + m],
                    &u[(b0 + 3) * m + a0..(b0 + 3) * m + m],
                ];
                let d = dot4x4(ua, ub, len);
                for r in 0..4 {
                    for c in 0..4 {
                        inv[(a0 + r) * ld + b0 + c] = d[r][c];
                    }
                }
                b0 += 4;
            }
            for b in b0..a0 {
                let d = dot4(ua, &u[b * m + a0..b * m + m]);
                for r in 0..4 {
                    inv[(a0 + r) * ld + b] = d[r];
                }
            }
        }
        for a in a0..a0 + rows {
            let start = if rows == 4 { a0 } else { 0 };
            for b in start..=a {
                let v = dot(&u[a * m + a..a * m + m], &u[b * m + a..b * m + m]);
                inv[a * ld + b] = v;
            }
        }
        a0 += rows;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_solve_and_inverse_equal_nalgebra() {
        for m in [1, 2, 5, 8, 13, 37, 64, 101] {
            let mut a = vec![0.0; m * m];
            for i in 0..m {
                for j in 0..m {
                    a[i * m + j] =
                        ((i * 7 + j * 3) % 11) as f64 * 0.01 + ((i + j) % 5) as f64 * 0.02;
                }
            }
            // Symmetric, diagonally dominant.
            let mut s = vec![0.0; m * m];
            for i in 0..m {
                for j in 0..m {
                    s[i * m + j] = a[i * m + j]
                        + a[j * m + i]
                        + if i == j { 1.0 + 0.3 * m as f64 } else { 0.0 };
                }
            }
            let reference = nalgebra::DMatrix::from_row_slice(m, m, &s);
            let inv_ref = reference.clone().cholesky().unwrap().inverse();
            let mut l = s.clone();
            assert!(cholesky(&mut l, m));
            let inv = inverse(&l, m);
            for i in 0..m {
                for j in 0..m {
                    let want = if j <= i { inv_ref[(i, j)] } else { 0.0 };
                    assert!((inv[i * m + j] - want).abs() < 1e-12);
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
            // The leading block's inverse from the whole factor, as ML's trace takes it.
            if m > 1 {
                let q = m - 1;
                let lead = nalgebra::DMatrix::from_fn(q, q, |i, j| s[i * m + j]);
                let lead_inv = lead.cholesky().unwrap().inverse();
                let mut out = vec![7.0; m * m];
                inverse_leading(&l, m, q, &mut out);
                for i in 0..m {
                    for j in 0..m {
                        let want = if i < q && j <= i {
                            lead_inv[(i, j)]
                        } else {
                            7.0
                        };
                        assert!((out[i * m + j] - want).abs() < 1e-12, "{m}: ({i}, {j})");
                    }
                }
            }
            let mut bad = s.clone();
            bad[0] = -1.0;
            assert!(!cholesky(&mut bad, m));
        }
    }
}
