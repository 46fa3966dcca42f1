//! The fuzzer's input maker: seeded, so a failing input is found again from its number.
//!
//! Each input is either a seed file changed by one to four mutations (the classic byte-level
//! ones of AFL and libFuzzer: bit flips, interesting bytes, insertions, deletions, duplicated
//! ranges, truncation, splicing two seeds, plus the target's own tokens and boundary numbers),
//! or, one time in ten, text generated from the target's tokens alone.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Bytes that break parsers: quotes, brackets, separators, escapes, NUL, invalid UTF-8.
const INTERESTING_BYTES: &[u8] =
    b"\0\x01\x7f\x80\xbf\xc0\xff\"'\\{}[]:,=&%?#\n\r\t .-+eE0123456789";

/// Numbers at the edges: zero, negatives, huge, non-finite spellings, overflowing integers.
const INTERESTING_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1",
    "255",
    "256",
    "65535",
    "-2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    "1e308",
    "1e309",
    "-1e309",
    "1e-320",
    "0.5",
    "NaN",
    "inf",
    "-inf",
    "1.7976931348623157e308",
    "",
];

pub struct Mutator {
    rng: StdRng,
    seeds: Vec<Vec<u8>>,
    tokens: Vec<&'static str>,
}

impl Mutator {
    /// `seeds`: real files of the format; `tokens`: the format's keywords and punctuation.
    pub fn new(seed: u64, seeds: Vec<Vec<u8>>, tokens: &[&'static str]) -> Self {
        assert!(!seeds.is_empty(), "a fuzz target needs at least one seed input");
        Self { rng: StdRng::seed_from_u64(seed), seeds, tokens: tokens.to_vec() }
    }

    /// The next input.
    pub fn next_input(&mut self) -> Vec<u8> {
        if self.rng.random_ratio(1, 10) {
            return self.generated();
        }
        let mut data = self.seeds[self.rng.random_range(0..self.seeds.len())].clone();
        for _ in 0..self.rng.random_range(1..=4) {
            self.mutate(&mut data);
        }
        data
    }

    fn generated(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..self.rng.random_range(0..40) {
            match self.rng.random_range(0..4) {
                0 => out.extend_from_slice(self.token().as_bytes()),
                1 => out.extend_from_slice(self.number().as_bytes()),
                2 => out.push(self.interesting_byte()),
                _ => out.push(self.rng.random()),
            }
        }
        out
    }

    fn token(&mut self) -> &'static str {
        if self.tokens.is_empty() {
            ""
        } else {
            self.tokens[self.rng.random_range(0..self.tokens.len())]
        }
    }

    fn number(&mut self) -> &'static str {
        INTERESTING_NUMBERS[self.rng.random_range(0..INTERESTING_NUMBERS.len())]
    }

    fn interesting_byte(&mut self) -> u8 {
        INTERESTING_BYTES[self.rng.random_range(0..INTERESTING_BYTES.len())]
    }

    fn position(&mut self, data: &[u8]) -> usize {
        self.rng.random_range(0..=data.len())
    }

    /// A range of at most 64 bytes inside `data` (empty when `data` is).
    fn range(&mut self, data: &[u8]) -> (usize, usize) {
        let start = self.position(data);
        let len = self.rng.random_range(0..=64.min(data.len() - start));
        (start, start + len)
    }

    fn mutate(&mut self, data: &mut Vec<u8>) {
        match self.rng.random_range(0..10) {
            0 if !data.is_empty() => {
                let i = self.rng.random_range(0..data.len());
                data[i] ^= 1 << self.rng.random_range(0..8);
            }
            1 if !data.is_empty() => {
                let i = self.rng.random_range(0..data.len());
                data[i] = self.interesting_byte();
            }
            2 => {
                let at = self.position(data);
                let n = self.rng.random_range(1..=8);
                let bytes: Vec<u8> = (0..n).map(|_| self.rng.random()).collect();
                data.splice(at..at, bytes);
            }
            3 => {
                let (a, b) = self.range(data);
                data.drain(a..b);
            }
            4 => {
                let (a, b) = self.range(data);
                let copy = data[a..b].to_vec();
                let at = self.position(data);
                data.splice(at..at, copy);
            }
            5 => {
                let at = self.position(data);
                data.truncate(at);
            }
            6 => {
                let at = self.position(data);
                let token = self.token().as_bytes().to_vec();
                data.splice(at..at, token);
            }
            7 => self.replace_a_number(data),
            8 => {
                // Splice: this input's head with another seed's tail.
                let other = self.seeds[self.rng.random_range(0..self.seeds.len())].clone();
                let at = self.position(data);
                let from = self.position(&other);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => {
                let at = self.position(data);
                let number = self.number().as_bytes().to_vec();
                data.splice(at..at, number);
            }
        }
    }

    /// Swap a run of digits (a size, an offset, a count) for a boundary number.
    fn replace_a_number(&mut self, data: &mut Vec<u8>) {
        let starts: Vec<usize> = (0..data.len())
            .filter(|&i| data[i].is_ascii_digit() && (i == 0 || !data[i - 1].is_ascii_digit()))
            .collect();
        if starts.is_empty() {
            return;
        }
        let start = starts[self.rng.random_range(0..starts.len())];
        let end = (start..data.len()).find(|&i| !data[i].is_ascii_digit()).unwrap_or(data.len());
        let number = self.number().as_bytes().to_vec();
        data.splice(start..end, number);
    }

    /// A random choice for structure-aware targets.
    pub fn coin(&mut self) -> bool {
        self.rng.random()
    }
}
