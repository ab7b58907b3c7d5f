//! Timing loops and their summaries.

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

/// How many runs to warm up with and to measure.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub warmup: usize,
    pub samples: usize,
    /// Stop taking samples once a line has run this long (warm-up included) and has at least
    /// [`MIN_SAMPLES_IN_BUDGET`]: a line far off its target need not hold up the whole run.
    pub budget: Option<Duration>,
}

/// The fewest samples a line stopped by its time budget still takes.
pub const MIN_SAMPLES_IN_BUDGET: usize = 50;

/// The summary of one measurement: a line of the table.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub name: String,
    pub dataset: String,
    /// The speed target for the median, ms.
    pub target_ms: Option<f64>,
    /// Each sample, ms, in the order taken.
    pub samples_ms: Vec<f64>,
    /// How many samples were planned (more than taken when the time budget ran out).
    pub planned: usize,
    /// Mean number of results per call (hits, receptors): what the time was spent on.
    pub mean_results: f64,
    /// Per-input medians (label, median ms, mean results), for inputs that repeat.
    pub per_input: Vec<(String, f64, f64)>,
}

impl Measurement {
    pub fn count(&self) -> usize {
        self.samples_ms.len()
    }
    /// Whether the time budget stopped the line before its planned samples.
    pub fn cut_short(&self) -> bool {
        self.count() < self.planned
    }
    fn sorted(&self) -> Vec<f64> {
        let mut s = self.samples_ms.clone();
        s.sort_by(f64::total_cmp);
        s
    }
    pub fn median(&self) -> f64 {
        percentile(&self.sorted(), 0.5)
    }
    pub fn p90(&self) -> f64 {
        percentile(&self.sorted(), 0.9)
    }
    pub fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(f64::NAN)
    }
    pub fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }
    /// Whether the median meets the target (`None` when there is none).
    pub fn meets_target(&self) -> Option<bool> {
        self.target_ms.map(|t| self.median() < t)
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs `f` on the inputs round-robin: `plan.warmup` untimed calls, then `plan.samples` timed
/// ones, each timed on its own. `f` returns how many results it produced. Inputs are labelled
/// by `label` for the per-input breakdown (pass `None` when each input is used once).
pub fn measure<I>(
    name: &str,
    dataset: &str,
    target_ms: Option<f64>,
    plan: Plan,
    inputs: &[I],
    label: Option<&dyn Fn(&I) -> String>,
    mut f: impl FnMut(&I) -> anyhow::Result<usize>,
) -> anyhow::Result<Measurement> {
    assert!(!inputs.is_empty());
    let begun = Instant::now();
    // Warm-up takes inputs from the end, so the first timed calls are not on warmed inputs
    // only (it matters when there are fewer inputs than samples and caches are per query).
    for i in 0..plan.warmup {
        black_box(f(&inputs[inputs.len() - 1 - i % inputs.len()])?);
    }
    let mut samples_ms = Vec::with_capacity(plan.samples);
    let mut results = Vec::with_capacity(plan.samples);
    for i in 0..plan.samples {
        if plan.budget.is_some_and(|b| begun.elapsed() > b) && i >= MIN_SAMPLES_IN_BUDGET {
            break;
        }
        let input = &inputs[i % inputs.len()];
        let start = Instant::now();
        let n = black_box(f(black_box(input))?);
        samples_ms.push(start.elapsed().as_secs_f64() * 1e3);
        results.push(n);
    }
    let mean_results = results.iter().sum::<usize>() as f64 / results.len().max(1) as f64;
    let mut per_input = Vec::new();
    if let Some(label) = label {
        for (j, input) in inputs.iter().enumerate() {
            let mut own: Vec<f64> = samples_ms.iter().skip(j).step_by(inputs.len()).copied().collect();
            if own.is_empty() {
                continue;
            }
            let hits: Vec<usize> = results.iter().skip(j).step_by(inputs.len()).copied().collect();
            own.sort_by(f64::total_cmp);
            per_input.push((
                label(input),
                percentile(&own, 0.5),
                hits.iter().sum::<usize>() as f64 / hits.len() as f64,
            ));
        }
    }
    Ok(Measurement {
        name: name.to_owned(),
        dataset: dataset.to_owned(),
        target_ms,
        samples_ms,
        planned: plan.samples,
        mean_results,
        per_input,
    })
}

/// A duration in ms, printed with a sensible unit: µs below 1 ms.
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        "-".to_owned()
    } else if ms < 1.0 {
        format!("{:.0} µs", ms * 1e3)
    } else if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 5.0);
        assert_eq!(percentile(&v, 0.9), 9.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 1.0), 10.0);
        assert!(percentile(&[], 0.5).is_nan());
    }

    #[test]
    fn units() {
        assert_eq!(fmt_ms(0.0123), "12 µs");
        assert_eq!(fmt_ms(1.234), "1.23 ms");
        assert_eq!(fmt_ms(12.34), "12.3 ms");
        assert_eq!(fmt_ms(1234.0), "1234 ms");
    }
}
