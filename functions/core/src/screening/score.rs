//! Comparing two names.

/// Token-aligned similarity in 0..1, independent of word order.
pub fn name_similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let coverage = |from: &[String], to: &[String]| -> f64 {
        let total: usize = from.iter().map(|t| t.len()).sum();
        let weighted: f64 = from
            .iter()
            .map(|t| {
                let best = to
                    .iter()
                    .map(|u| token_similarity(t, u))
                    .fold(0.0, f64::max);
                best * t.len() as f64
            })
            .sum();
        weighted / total.max(1) as f64
    };
    let ab = coverage(a, b);
    let ba = coverage(b, a);
    let (low, high) = if ab < ba { (ab, ba) } else { (ba, ab) };
    0.35 * low + 0.65 * high
}

fn token_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if (a.len() == 1 && b.starts_with(a)) || (b.len() == 1 && a.starts_with(b)) {
        return 0.9;
    }
    let jw = strsim::jaro_winkler(a, b);
    if jw < 0.8 {
        0.0
    } else {
        jw
    }
}
