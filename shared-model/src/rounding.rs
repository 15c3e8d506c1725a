//! Integer rounding and exact allocation: the arithmetic every money rule stands on.

/// `n / d` rounded half away from zero (half-up for the non-negative amounts we price).
///
/// `d` must be positive.
pub fn div_round_half_up(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// Splits `total` over `weights` in proportion, by the largest-remainder method.
///
/// The shares always sum to `total` exactly. With `0 <= total <= sum(weights)` and
/// non-negative weights, no share exceeds its weight, so a discount spread this way
/// never pushes a line below zero. Ties go to the earlier line, which keeps the
/// result deterministic on every till and on the server. All-zero weights get nothing
/// unless `total` is non-zero, in which case the first line carries it.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let n = weights.len();
    if n == 0 {
        return Vec::new();
    }
    let sum: i128 = weights.iter().map(|w| *w as i128).sum();
    if sum == 0 {
        let mut out = vec![0; n];
        out[0] = total;
        return out;
    }
    let total_i = total as i128;
    let mut shares = Vec::with_capacity(n);
    let mut remainders = Vec::with_capacity(n);
    let mut given: i128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let exact = total_i * *w as i128;
        let share = exact.div_euclid(sum);
        shares.push(share);
        remainders.push((exact.rem_euclid(sum), i));
        given += share;
    }
    let mut left = total_i - given;
    // Largest remainders first; on equal remainders the lower index wins.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| s as i64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounds_half_up() {
        assert_eq!(div_round_half_up(5, 10), 1);
        assert_eq!(div_round_half_up(4, 10), 0);
        assert_eq!(div_round_half_up(15, 10), 2);
        assert_eq!(div_round_half_up(-15, 10), -2);
        assert_eq!(div_round_half_up(-14, 10), -1);
    }

    #[test]
    fn allocates_by_largest_remainder() {
        assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(allocate(10, &[500, 300, 200]), vec![5, 3, 2]);
        assert_eq!(allocate(1, &[1, 1]), vec![1, 0]);
        assert_eq!(allocate(0, &[5, 5]), vec![0, 0]);
        assert_eq!(allocate(7, &[]), Vec::<i64>::new());
    }

    proptest! {
        #[test]
        fn allocation_is_exact_and_bounded(
            weights in proptest::collection::vec(0i64..10_000_000, 1..40),
            frac in 0u32..=1000,
        ) {
            let sum: i64 = weights.iter().sum();
            let total = sum * frac as i64 / 1000;
            let shares = allocate(total, &weights);
            prop_assert_eq!(shares.iter().sum::<i64>(), total);
            for (s, w) in shares.iter().zip(&weights) {
                prop_assert!(*s >= 0);
                if sum > 0 { prop_assert!(s <= w, "share {} over weight {}", s, w); }
            }
        }

        #[test]
        fn allocation_is_proportional_within_one(
            weights in proptest::collection::vec(1i64..1_000_000, 1..20),
            total in 0i64..1_000_000,
        ) {
            let sum: i128 = weights.iter().map(|w| *w as i128).sum();
            for (s, w) in allocate(total, &weights).iter().zip(&weights) {
                let exact = total as i128 * *w as i128;
                let diff = (*s as i128 * sum - exact).abs();
                prop_assert!(diff < sum, "share off by a whole unit or more");
            }
        }
    }
}
