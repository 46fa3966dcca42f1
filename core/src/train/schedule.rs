//! Learning-rate schedules: one for every kind of training (a run has one stage).
//!
//! With η the peak rate, W warm-up steps, n the step counted over the whole run and s the step
//! within its stage of S steps:
//!
//! - **Constant**: η.
//! - **Warm-up and cosine** over a fixed number of steps N, to a floor r·η (GPT-2-style
//!   pretraining, as nanoGPT does it; pretraining, fine-tuning, retraining from scratch):
//!   η·(n+1)/W while n < W, then r·η + (η − r·η)·½·(1 + cos(π·min(1, (n − W)/(N − W)))).
//! - **Repeated cosine** (a rewarm at every stage; Gupta et al. 2023, "Continual Pre-Training of
//!   Large Language Models: How to (re)warm your model?"): in each stage, η·(s+1)/W while s < W,
//!   then η_min + (η − η_min)·½·(1 + cos(π·(s − W)/(S − W))).
//! - **Infinite** (Ibrahim et al. 2024, "Simple and Scalable Strategies to Continually Pre-train
//!   Large Language Models"; Singh et al. 2025, "Beyond Cosine Decay"): once, a warm-up η·(n+1)/W
//!   and a cosine cool-down from η to η_c = c·η over C steps; then η_c for every later step, with
//!   no rewarm at stage boundaries. Before a checkpoint is evaluated, an *anneal branch* trains a
//!   copy for A more steps at η_c·(η_min/η_c)^(k/A), k = 0 … A−1, and the copy is evaluated; the
//!   main line continues from before the anneal ([`Schedule::anneal_lr`]).
//! - **Warmup-stable-decay** (Hu et al. 2024, "MiniCPM"): η·(n+1)/W, then η, then a linear decay
//!   to η_min over the last fraction d of the run's N steps.
//!
//! η_min = 0.1·η in the stage schedules (`MIN_RATIO`).

use serde::{Deserialize, Serialize};

/// The floor the decaying schedules reach, as a fraction of the peak rate.
pub const MIN_RATIO: f64 = 0.1;

/// How the learning rate moves over a run of stages (see the module docs for the formulas).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Schedule {
    Constant,
    WarmupCosine { warmup: usize, steps: usize, min_ratio: f64 },
    RepeatedCosine { warmup: usize },
    Infinite { warmup: usize, cooldown: usize, constant_ratio: f64, anneal: usize },
    WarmupStableDecay { warmup: usize, decay_fraction: f64 },
}

impl Schedule {
    /// The schedules by their CLI and URL names, with sensible defaults for runs of ~100 steps
    /// per stage.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "constant" => Schedule::Constant,
            "cosine" | "repeated_cosine" => Schedule::RepeatedCosine { warmup: 10 },
            "infinite" => {
                Schedule::Infinite { warmup: 10, cooldown: 40, constant_ratio: 0.5, anneal: 10 }
            }
            "wsd" => Schedule::WarmupStableDecay { warmup: 10, decay_fraction: 0.2 },
            _ => return None,
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Schedule::Constant => "constant",
            Schedule::WarmupCosine { .. } => "warmup_cosine",
            Schedule::RepeatedCosine { .. } => "cosine",
            Schedule::Infinite { .. } => "infinite",
            Schedule::WarmupStableDecay { .. } => "wsd",
        }
    }

    /// The rate at step `n` (0-based, over the whole run) of a run whose stages have
    /// `stage_steps` steps each, for peak rate `peak`.
    pub fn lr_at(&self, peak: f64, n: usize, stage_steps: &[usize]) -> f64 {
        let min = peak * MIN_RATIO;
        let warm = |step: usize, w: usize| peak * (step + 1) as f64 / w.max(1) as f64;
        let cosine = |from: f64, to: f64, k: usize, len: usize| {
            let t = k as f64 / len.max(1) as f64;
            to + (from - to) * 0.5 * (1.0 + (std::f64::consts::PI * t.min(1.0)).cos())
        };
        match *self {
            Schedule::Constant => peak,
            Schedule::WarmupCosine { warmup, steps, min_ratio } => {
                if n < warmup {
                    warm(n, warmup)
                } else {
                    cosine(peak, peak * min_ratio, n - warmup, steps.saturating_sub(warmup))
                }
            }
            Schedule::RepeatedCosine { warmup } => {
                let (s, len) = position_in_stage(n, stage_steps);
                let w = warmup.min(len);
                if s < w { warm(s, w) } else { cosine(peak, min, s - w, len - w) }
            }
            Schedule::Infinite { warmup, cooldown, constant_ratio, .. } => {
                let constant = peak * constant_ratio;
                if n < warmup {
                    warm(n, warmup)
                } else if n < warmup + cooldown {
                    cosine(peak, constant, n - warmup, cooldown)
                } else {
                    constant
                }
            }
            Schedule::WarmupStableDecay { warmup, decay_fraction } => {
                let total: usize = stage_steps.iter().sum();
                let decay = ((total as f64) * decay_fraction).round() as usize;
                let decay_start = total.saturating_sub(decay);
                if n < warmup {
                    warm(n, warmup)
                } else if n < decay_start {
                    peak
                } else {
                    let t = (n - decay_start + 1) as f64 / decay.max(1) as f64;
                    peak + (min - peak) * t.min(1.0)
                }
            }
        }
    }

    /// The infinite schedule's anneal branch: its rate at anneal step `k`, and how many steps
    /// it has (None for the other schedules, which evaluate the main line).
    pub fn anneal_lr(&self, peak: f64, k: usize) -> Option<(f64, usize)> {
        match *self {
            Schedule::Infinite { constant_ratio, anneal, .. } if anneal > 0 => {
                let constant = peak * constant_ratio;
                let floor = peak * MIN_RATIO;
                Some((constant * (floor / constant).powf(k as f64 / anneal as f64), anneal))
            }
            _ => None,
        }
    }

    /// Every step's rate, for drawing the schedule before a run starts.
    pub fn curve(&self, peak: f64, stage_steps: &[usize]) -> Vec<f64> {
        let total: usize = stage_steps.iter().sum();
        (0..total).map(|n| self.lr_at(peak, n, stage_steps)).collect()
    }
}

/// (step within its stage, that stage's length) for step `n` of the run.
fn position_in_stage(n: usize, stage_steps: &[usize]) -> (usize, usize) {
    let mut start = 0;
    for &len in stage_steps {
        if n < start + len {
            return (n - start, len);
        }
        start += len;
    }
    (n.saturating_sub(start), stage_steps.last().copied().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAGES: [usize; 3] = [100, 100, 100];

    #[test]
    fn repeated_cosine_rewarms_at_every_stage_and_the_infinite_schedule_does_not() {
        let cosine = Schedule::parse("cosine").unwrap();
        let lr = |n| cosine.lr_at(1.0, n, &STAGES);
        assert!((lr(9) - 1.0).abs() < 1e-12, "warm-up ends at the peak");
        assert!(lr(99) < 0.11 && lr(99) >= MIN_RATIO, "decays to the floor: {}", lr(99));
        assert!(lr(100) < 0.2 && lr(109) > 0.99, "rewarms in stage 2");
        let infinite = Schedule::parse("infinite").unwrap();
        let lr = |n| infinite.lr_at(1.0, n, &STAGES);
        assert!((lr(9) - 1.0).abs() < 1e-12);
        assert!((lr(50) - 0.5).abs() < 1e-12, "cooled down to the constant");
        assert!(STAGES.iter().sum::<usize>() > 50);
        assert!((50..300).all(|n| (lr(n) - 0.5).abs() < 1e-12), "no rewarm at stage boundaries");
        let (first, steps) = infinite.anneal_lr(1.0, 0).unwrap();
        let (last, _) = infinite.anneal_lr(1.0, steps - 1).unwrap();
        assert!((first - 0.5).abs() < 1e-12 && last < first && last > MIN_RATIO);
        assert!(cosine.anneal_lr(1.0, 0).is_none());
    }

    #[test]
    fn warmup_stable_decay_decays_over_its_last_fraction_only() {
        let wsd = Schedule::parse("wsd").unwrap();
        let curve = wsd.curve(2.0, &STAGES);
        assert_eq!(curve.len(), 300);
        assert!((curve[9] - 2.0).abs() < 1e-12 && (curve[239] - 2.0).abs() < 1e-12);
        assert!(curve[240] < 2.0 && (curve[299] - 0.2).abs() < 1e-12, "{}", curve[299]);
        assert!(curve.windows(2).skip(240).all(|w| w[1] <= w[0]));
        assert_eq!(Schedule::parse("constant").unwrap().curve(1.0, &[5]), vec![1.0; 5]);
        assert!(Schedule::parse("step").is_none());
    }
}
