//! The engine's invariants on a running simulation, written once: what must
//! hold after every event, in every snapshot and cost reading, and in the
//! final report, whatever the (valid) scenario.
//!
//! Self-contained (it needs only the `fanout` crate's engine, no test
//! framework), so that the property tests (`tests/engine/invariants.rs`,
//! through `tests/common/mod.rs`) and the fuzz crate can share it: the fuzz
//! crate can include it by path from `fuzz/src/lib.rs` with
//! `#[path = "../../tests/common/invariants.rs"] mod invariants;`.
//! A broken invariant is an `Err` with its message; the caller fails its
//! test case or panics.

use fanout::engine::scenario::Scenario;
use fanout::engine::InstanceState;
use fanout::engine::Report;
use fanout::engine::SimTime;
use fanout::engine::Simulation;

/// Fails with `message` unless `ok`.
fn require(ok: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(message())
    }
}

/// Follows one run, remembering what must never go back: event time,
/// snapshot time and the cost on each side.
pub struct Invariants {
    /// The Lambda function's concurrency limit: its reserved concurrency,
    /// or else the account's.
    limit: u32,
    /// The configured Auto Scaling maximum, if the fleet has Auto Scaling.
    auto_scaling_max: Option<u32>,
    last_event: SimTime,
    last_snapshot: SimTime,
    /// The last cost reading [µ$]: (Lambda, EC2).
    last_cost: (i64, i64),
}

impl Invariants {
    /// Starts following `sim`, a new simulation of `sc`.
    pub fn new(sc: &Scenario, sim: &Simulation) -> Self {
        Self {
            limit: sc
                .function
                .reserved_concurrency
                .unwrap_or(sc.account.concurrency_limit),
            auto_scaling_max: sc
                .ec2
                .as_ref()
                .and_then(|e| e.auto_scaling.as_ref().map(|a| a.max)),
            last_event: sim.now(),
            last_snapshot: sim.now(),
            last_cost: (0, 0),
        }
    }

    /// The last cost reading [µ$]: (Lambda, EC2).
    pub fn last_cost(&self) -> (i64, i64) {
        self.last_cost
    }

    /// After every event (at `t`): time never goes back, every Lambda
    /// arrival is accounted for, concurrency stays within its limit.
    pub fn after_event(&mut self, sim: &Simulation, t: SimTime) -> Result<(), String> {
        let last = self.last_event;
        require(t >= last, || {
            format!("event time went back: {last:?} -> {t:?}")
        })?;
        self.last_event = t;
        let c = sim.counters();
        require(c.balances(), || {
            format!("Lambda accounting at {t:?}: {c:?}")
        })?;
        let in_use = sim.lambda().concurrency_in_use();
        require(in_use <= self.limit, || {
            format!("concurrency {in_use} above its limit {}", self.limit)
        })
    }

    /// The full picture at `t` (a snapshot and the cost meter; not free,
    /// so every so many events): snapshot time never goes back, busy
    /// environments within the limit, the fleet's accounting and its
    /// bounds (min ≤ desired ≤ max, live instances ≤ max, the maximum no
    /// higher than configured, nothing served while not in service), and
    /// the cost on each side never negative and never decreasing.
    pub fn full_picture(&mut self, sim: &Simulation, t: SimTime) -> Result<(), String> {
        let snap = sim.snapshot();
        require(snap.at >= self.last_snapshot, || {
            "snapshot time went back".to_string()
        })?;
        self.last_snapshot = snap.at;
        require(snap.lambda.busy <= u64::from(self.limit), || {
            format!("{} busy, limit {}", snap.lambda.busy, self.limit)
        })?;
        if let Some(e) = &snap.ec2 {
            require(e.counters.balances(), || {
                format!("EC2 accounting at {t:?}: {:?}", e.counters)
            })?;
            let b = &e.bounds;
            require(b.min <= b.desired && b.desired <= b.max, || {
                format!("{b:?}")
            })?;
            // Instances that exist and are not on their way out: never more
            // than the group's maximum (a fixed fleet's bound is its size,
            // which only the paged operator raises, by hand).
            let live = e
                .instances
                .iter()
                .filter(|i| !matches!(i.state, InstanceState::Draining | InstanceState::Terminated))
                .count() as u32;
            require(live <= b.max, || {
                format!("{live} live instances, maximum {} at {t:?}", b.max)
            })?;
            if let Some(m) = self.auto_scaling_max {
                require(b.max <= m, || {
                    format!("Auto Scaling maximum {} above the configured {m}", b.max)
                })?;
            }
            let served = e.fleet.served_while_not_in_service;
            require(served == 0, || {
                format!("{served} requests served while not in service")
            })?;
        }
        let cost = sim.cost_now();
        let l = cost.lambda.total.as_micros();
        // Pending T3 surplus credits may be paid back by later earnings.
        let x = cost
            .ec2
            .map_or(0, |c| (c.total - c.cpu_credits).as_micros());
        require(l >= 0 && x >= 0, || {
            format!("negative cost at {t:?}: {cost:?}")
        })?;
        let last = self.last_cost;
        require(l >= last.0 && x >= last.1, || {
            format!("cost went down at {t:?}: {last:?} -> {cost:?}")
        })?;
        self.last_cost = (l, x);
        Ok(())
    }

    /// The final report of the run that `self` followed: accounting
    /// balances on both sides; the cost series time-ordered, never
    /// negative, never decreasing, its fields summing to its totals and its
    /// last point no higher than the bill so far; every itemized bill (so
    /// far and the projected month) summing to its total with no negative
    /// line; an undeployed Lambda side fed nothing.
    pub fn report(&self, sc: &Scenario, r: &Report) -> Result<(), String> {
        require(r.lambda.accounting_balances, || {
            "Lambda accounting in the report".to_string()
        })?;
        if let Some(e) = &r.ec2 {
            require(e.accounting_balances, || {
                "EC2 accounting in the report".to_string()
            })?;
        }
        if !sc.lambda {
            require(r.lambda.counters.arrived == 0, || {
                format!(
                    "{} arrivals on an undeployed Lambda side",
                    r.lambda.counters.arrived
                )
            })?;
        }
        let Some(cost) = r.cost.as_ref() else {
            return Ok(());
        };
        let mut last_t = f64::NEG_INFINITY;
        let mut prev = (0i64, 0i64);
        for p in &cost.series {
            require(p.t_s >= last_t, || {
                format!("cost series: time went back from {last_t} to {}", p.t_s)
            })?;
            last_t = p.t_s;
            let l = p.lambda.total.as_micros();
            // T3 surplus credits still pending may be paid back by later
            // earnings (documented), so only the rest of the EC2 cost is
            // monotone.
            let x = p.ec2.map_or(0, |c| (c.total - c.cpu_credits).as_micros());
            require(l >= prev.0 && x >= prev.1 && l >= 0 && x >= 0, || {
                format!("cost series {prev:?} -> {p:?}")
            })?;
            // The five fields sum to the total on each side.
            let lc = p.lambda;
            let sum = lc.requests + lc.duration + lc.provisioned + lc.ephemeral + lc.event_sources;
            require(sum == lc.total, || format!("Lambda cost point {lc:?}"))?;
            if let Some(ec) = p.ec2 {
                let sum = ec.instances
                    + ec.alb
                    + ec.sqs
                    + ec.ebs
                    + ec.event_sources
                    + ec.public_ipv4
                    + ec.cpu_credits;
                require(sum == ec.total, || format!("EC2 cost point {ec:?}"))?;
            }
            prev = (l, x);
        }
        // Every itemized bill (so far and the projected month) sums to its total.
        for side in [&cost.lambda, &cost.ec2].into_iter().flatten() {
            for bill in [&side.bill, &side.projected_month.bill] {
                require(bill.sum_of_lines() == bill.total, || {
                    format!("{}: the lines do not sum to the total", bill.title)
                })?;
                require(bill.lines.iter().all(|l| l.amount.as_micros() >= 0), || {
                    format!("{}: a negative line", bill.title)
                })?;
            }
            require(side.so_far == side.bill.total, || {
                "so far is not the bill's total".to_string()
            })?;
            let floor = self.last_cost.0.min(self.last_cost.1).min(0);
            require(side.so_far.as_micros() >= floor, || {
                "negative cost so far".to_string()
            })?;
        }
        if let (Some(side), Some(last)) = (&cost.lambda, cost.series.last()) {
            require(last.lambda.total <= side.so_far, || {
                "series above the bill so far".to_string()
            })?;
        }
        if !sc.lambda {
            require(cost.lambda.is_none(), || {
                "a Lambda bill for an undeployed Lambda side".to_string()
            })?;
        }
        Ok(())
    }
}
