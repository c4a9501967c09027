//! Happenings: a bounded log of what happened since the UI last looked, for
//! the animation ("request from source S went to environment E").
//!
//! The log keeps at most [`MAX_HAPPENINGS`] entries between two drains and
//! counts the rest, so a fast run never slows down or grows memory for it.

use super::defaults::MAX_HAPPENINGS;
use super::time::SimTime;
use serde::Serialize;

/// Which deployment something happened on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The Lambda function.
    Lambda,
    /// The self-managed EC2 fleet.
    Ec2,
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HappeningKind {
    /// An invocation went to a warm environment.
    RoutedWarm,
    /// An invocation went to a new environment: a cold start began.
    ColdStart,
    /// An invocation went to a provisioned environment.
    RoutedProvisioned,
    /// An invocation finished successfully.
    Succeeded,
    /// An invocation returned an error.
    Errored,
    /// An invocation (or its INIT) was killed at the timeout.
    TimedOut,
    /// An invocation attempt was throttled (concurrency limit or scaling
    /// rate).
    Throttled,
    /// API Gateway answered an API request HTTP 504 at its integration
    /// timeout; the invocation runs on (`env` is its environment).
    GatewayTimeout,
    /// An invocation attempt was throttled over the requests-per-second
    /// limit (10 × the concurrency limit).
    ThrottledRate,
    /// An async event was queued for a retry.
    RetryScheduled,
    /// An SQS message was moved to the dead-letter queue.
    ToDlq,
    /// A batch the SQS pollers received but could not invoke (throttled)
    /// went back to the queue at its visibility timeout, its receive
    /// counted (messages past `maxReceiveCount` also log `ToDlq`).
    SqsThrottledReturn,
    /// An event was dropped (age, retention, queue limit).
    Dropped,
    /// An idle environment reached the end of its keep-alive.
    EnvExpired,
    /// An environment was discarded after a timeout.
    EnvKilled,
    /// A provisioned environment was created.
    EnvProvisioned,
    /// A provisioned environment was removed.
    EnvDeprovisioned,
    // The EC2 side also uses the kinds above with these meanings:
    // `RoutedWarm` a request routed to an instance (or a message received by
    // one), `Throttled` an HTTP 503 from the load balancer, `Succeeded`,
    // `Errored`, `TimedOut`, `ToDlq`, `Dropped` as for Lambda.
    /// EC2: a request hit a dead target or was cut off (HTTP 502).
    BadGateway,
    /// EC2: an instance was launched (booting, billed).
    InstanceLaunched,
    /// EC2: an instance entered service (booted, or back from patching).
    InstanceInService,
    /// EC2: an instance was deregistered and drains its work.
    InstanceDraining,
    /// EC2: an instance was terminated.
    InstanceTerminated,
    /// EC2: an instance was taken out of service to be patched.
    PatchStarted,
    /// EC2: an instance was patched and rebooted.
    Patched,
    /// EC2: an instance crashed (or its Availability Zone failed).
    InstanceFailed,
    /// EC2: a failed instance was replaced (by Auto Scaling or by hand).
    InstanceReplaced,
    /// EC2: the on-call operator was paged.
    Paged,
    /// EC2: an Availability Zone went down (live operation); `env` holds
    /// the zone's index.
    ZoneDown,
    /// EC2: an Availability Zone recovered (live operation); `env` holds
    /// the zone's index.
    ZoneUp,
    /// A source's traffic changed (live operation); `source` says which.
    /// Logged on the Lambda side: both sides see the same arrivals.
    TrafficChanged,
}

/// One thing that happened, with where it came from and where it went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Happening {
    /// When [µs since start].
    pub at: SimTime,
    /// On which deployment.
    pub side: Side,
    /// What.
    pub kind: HappeningKind,
    /// Index of the event source involved, if any.
    pub source: Option<u32>,
    /// Id of the environment (or instance) involved, if any.
    pub env: Option<u64>,
}

/// What `Simulation::drain_happenings` returns: one drain of the log.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HappeningBatch {
    /// Up to [`MAX_HAPPENINGS`] happenings, in time order.
    pub happenings: Vec<Happening>,
    /// How many more happened but were left out \[happenings\].
    pub left_out: u64,
}

/// The bounded log.
#[derive(Debug)]
pub struct Happenings {
    buf: Vec<Happening>,
    left_out: u64,
    /// When off, nothing is recorded (headless runs).
    pub enabled: bool,
}

impl Default for Happenings {
    fn default() -> Self {
        Happenings {
            buf: Vec::new(),
            left_out: 0,
            enabled: true,
        }
    }
}

impl Happenings {
    #[inline]
    pub fn push(
        &mut self,
        at: SimTime,
        side: Side,
        kind: HappeningKind,
        source: Option<u32>,
        env: Option<u64>,
    ) {
        if !self.enabled {
            return;
        }
        if self.buf.len() < MAX_HAPPENINGS {
            self.buf.push(Happening {
                at,
                side,
                kind,
                source,
                env,
            });
        } else {
            self.left_out += 1;
        }
    }

    /// Everything since the last drain.
    pub fn drain(&mut self) -> HappeningBatch {
        let out = HappeningBatch {
            happenings: std::mem::take(&mut self.buf),
            left_out: self.left_out,
        };
        self.left_out = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_with_count_of_the_rest() {
        let mut log = Happenings::default();
        for i in 0..(MAX_HAPPENINGS as u64 + 10) {
            log.push(
                SimTime::from_micros(i),
                Side::Lambda,
                HappeningKind::Throttled,
                Some(0),
                None,
            );
        }
        let batch = log.drain();
        assert_eq!(batch.happenings.len(), MAX_HAPPENINGS);
        assert_eq!(batch.left_out, 10);
        assert_eq!(log.drain(), HappeningBatch::default());
        log.enabled = false;
        log.push(
            SimTime::ZERO,
            Side::Lambda,
            HappeningKind::Throttled,
            None,
            None,
        );
        assert!(log.drain().happenings.is_empty());
    }
}
