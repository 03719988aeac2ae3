//! A tiny, portable, seedable generator (SplitMix64, Steele et al. 2014).
//!
//! Used for data order so that shuffles are identical on every platform and every version
//! of every dependency: the sequence is fixed by this file alone.

/// SplitMix64: 64-bit state, full period, passes BigCrush; ample for shuffling.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `0..bound` (Lemire's multiply-shift, with rejection: unbiased).
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "below(0)");
        loop {
            let m = (self.next_u64() as u128) * (bound as u128);
            let low = m as u64;
            if low >= bound.wrapping_neg() % bound {
                return (m >> 64) as u64;
            }
        }
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw (Box-Muller; one of the pair is discarded, so every draw
    /// costs two uniforms and the stream stays simple to reproduce).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]: ln is finite
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Mixes several words into one seed, so that `(seed, epoch)` pairs give unrelated streams.
pub fn mix(words: &[u64]) -> u64 {
    let mut r = SplitMix64::new(0x6A09_E667_F3BC_C909);
    let mut acc = 0u64;
    for &w in words {
        r.state ^= w;
        acc = acc.rotate_left(17) ^ r.next_u64();
    }
    acc
}

/// A uniformly random permutation of `0..n` (Fisher-Yates).
pub fn permutation(n: usize, seed: u64) -> Vec<u32> {
    let mut p: Vec<u32> = (0..n as u32).collect();
    let mut r = SplitMix64::new(seed);
    for i in (1..n).rev() {
        let j = r.below(i as u64 + 1) as usize;
        p.swap(i, j);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_reference_values() {
        // Reference values from an independent Python transcription of Vigna's splitmix64.c:
        //   M = (1 << 64) - 1; s = 1234567
        //   for _ in range(3):
        //       s = (s + 0x9E3779B97F4A7C15) & M; z = s
        //       z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        //       z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        //       print(z ^ (z >> 31))
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
        assert_eq!(r.next_u64(), 9817491932198370423);
    }

    #[test]
    fn permutation_is_a_permutation_and_seeded() {
        let p = permutation(1000, 7);
        let mut s = p.clone();
        s.sort();
        assert_eq!(s, (0..1000).collect::<Vec<u32>>());
        assert_eq!(p, permutation(1000, 7));
        assert_ne!(p, permutation(1000, 8));
        assert_ne!(p, (0..1000).collect::<Vec<u32>>());
    }

    #[test]
    fn below_is_roughly_uniform() {
        let mut r = SplitMix64::new(3);
        let mut counts = [0usize; 6];
        for _ in 0..60_000 {
            counts[r.below(6) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = SplitMix64::new(11);
        let xs: Vec<f64> = (0..100_000).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.02, "mean {mean} var {var}");
        let tail = xs.iter().filter(|x| x.abs() > 1.96).count() as f64 / xs.len() as f64;
        assert!((tail - 0.05).abs() < 0.004, "two-sided 5% tail: {tail}");
    }

    #[test]
    fn mix_separates_streams() {
        assert_ne!(mix(&[1, 0]), mix(&[0, 1]));
        assert_ne!(mix(&[1, 2]), mix(&[1, 3]));
        assert_eq!(mix(&[5, 9]), mix(&[5, 9]));
    }
}
