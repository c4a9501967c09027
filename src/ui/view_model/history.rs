//! What the charts draw: values read from the engine at simulated-time
//! intervals, kept in a bounded buffer (when full, every other sample is
//! dropped and the interval doubles). Nothing is computed here; each sample
//! is a copy of numbers the engine and the bill reported at that instant.

/// One side's numbers at a sample instant.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SideSample {
    /// Requests being processed now (busy environments or busy worker slots) \[executions\].
    pub busy: f64,
    /// Environments (Lambda) or instances (EC2) that exist now.
    pub units: f64,
    /// Median end-to-end latency of everything finished so far \[ms\].
    pub p50_ms: f64,
    /// 99th percentile of the same \[ms\].
    pub p99_ms: f64,
    /// Requests refused so far: 429 throttles (Lambda) or 503s (EC2) \[requests\].
    pub rejected: u64,
    /// Invocations that errored or timed out so far \[invocations\].
    pub failed: u64,
    /// Cost so far \[USD\].
    pub cost_usd: f64,
}

/// Both sides at one instant.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    /// [s since start]
    pub t_s: f64,
    pub lambda: SideSample,
    /// None when the scenario has no EC2 fleet.
    pub ec2: Option<SideSample>,
}

/// Most samples kept.
pub const MAX_SAMPLES: usize = 480;

/// The bounded sample buffer.
#[derive(Clone, Debug)]
pub struct History {
    samples: Vec<Sample>,
    every_s: f64,
    next_s: f64,
}

impl History {
    /// A buffer for a run of `duration_s`: a sample every quarter second
    /// at first (the charts' time axis grows with the run, so its first
    /// minute of a day-long run fills them too), the interval doubling as
    /// the buffer fills: 240 to 480 samples over any run.
    pub fn new(duration_s: f64) -> History {
        let every_s = (duration_s / 300.0).clamp(0.001, 0.25);
        History {
            samples: Vec::new(),
            every_s,
            next_s: 0.0,
        }
    }

    /// Whether a sample is due at `t_s`.
    pub fn due(&self, t_s: f64) -> bool {
        t_s >= self.next_s
    }

    /// Adds a sample (taken at `s.t_s`, at or after the due time).
    pub fn push(&mut self, s: Sample) {
        if let Some(last) = self.samples.last() {
            if s.t_s <= last.t_s {
                return;
            }
        }
        self.samples.push(s);
        // The next one is due at the next multiple of the interval.
        self.next_s = ((s.t_s / self.every_s).floor() + 1.0) * self.every_s;
        if self.samples.len() > MAX_SAMPLES {
            // Keep the first and every other one after it.
            let kept: Vec<Sample> = self.samples.iter().step_by(2).copied().collect();
            self.samples = kept;
            self.every_s *= 2.0;
        }
    }

    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t_s: f64) -> Sample {
        Sample {
            t_s,
            ..Sample::default()
        }
    }

    #[test]
    fn samples_when_due_and_stays_bounded() {
        let mut h = History::new(3_000.0);
        assert!(h.due(0.0));
        h.push(at(0.0));
        assert!(!h.due(0.2));
        assert!(h.due(0.25));
        h.push(at(10.0));
        h.push(at(10.0));
        assert!(!h.due(10.1));
        assert_eq!(h.samples().len(), 2, "no two samples at one instant");
        let mut t = 20.0;
        while t < 100_000.0 {
            if h.due(t) {
                h.push(at(t));
            }
            t += 1.0;
        }
        assert!(h.samples().len() <= MAX_SAMPLES);
        assert!(h.samples().len() > MAX_SAMPLES / 3);
        // A minute into the run, the first minute was in hundreds of samples.
        let mut h = History::new(86_400.0);
        for i in 0..=600 {
            let t = i as f64 * 0.1;
            if h.due(t) {
                h.push(at(t));
            }
        }
        assert!(h.samples().len() >= 200, "{}", h.samples().len());
        assert!(h.samples().windows(2).all(|w| w[0].t_s < w[1].t_s));
        assert_eq!(h.samples()[0].t_s, 0.0);
    }
}
