//! A monthly PROJECTION from a simulated window.
//!
//! Method: every usage counter of the window is scaled linearly by
//! (30-day month ÷ window length), rounded half up to an integer, and the
//! month's rules (tiers, free tier, 60 s minimum already inside the
//! counters) are then applied to the projected usage. The window's bill is
//! NOT scaled: a 10-minute window's bill has no tier or free-tier effect
//! that a month would. The load balancer is taken to exist all month
//! (720 ALB-hours), every hour carrying the window's AVERAGE hourly traffic,
//! so an hourly peak's extra LCUs are not projected.

use super::usage::{AlbHour, AlbUsage, Ec2Usage, EventSourceUsage, LambdaUsage, MONTH_SECONDS};
use crate::engine::time::SimDuration;

/// The label to show beside a projected bill.
pub fn projection_note(window: SimDuration) -> String {
    format!(
        "PROJECTION, not a bill: usage of the simulated {} window scaled linearly to a 30-day month, then priced with the month's tiers and free tier.",
        describe(window)
    )
}

fn month_micros() -> u64 {
    MONTH_SECONDS * 1_000_000
}

/// The window's Lambda usage scaled to a 30-day month (unchanged for an
/// empty window).
pub fn project_lambda(u: &LambdaUsage, window: SimDuration) -> LambdaUsage {
    if window.is_zero() {
        return *u;
    }
    u.scaled(month_micros(), window.as_micros())
}

/// The window's event-source requests scaled to a 30-day month.
pub fn project_event_sources(u: &EventSourceUsage, window: SimDuration) -> EventSourceUsage {
    if window.is_zero() {
        return *u;
    }
    u.scaled(month_micros(), window.as_micros())
}

/// The window's EC2 usage scaled to a 30-day month; the ALB runs all month
/// with the window's average hour.
pub fn project_ec2(u: &Ec2Usage, window: SimDuration) -> Ec2Usage {
    if window.is_zero() {
        return u.clone();
    }
    let (num, den) = (month_micros(), window.as_micros());
    let s = |v: u64| super::usage::scale(v, num, den);
    // Scaled in a copy, not collected into a new map: collecting into a
    // BTreeMap sorts first, and that sort is about 5 KB of wasm used
    // nowhere else.
    let mut instances = u.instances.clone();
    for p in instances.values_mut() {
        p.launches = s(p.launches);
        p.billable_seconds = s(p.billable_seconds);
    }
    let alb = u.alb.as_ref().map(|alb| {
        // Totals over the window, then the average hour: × 1 h / window.
        let mut t = AlbHour::default();
        for h in &alb.hours {
            let add = |sum: &mut u64, v: u64| *sum = sum.saturating_add(v.saturating_mul(h.hours));
            add(&mut t.new_connections, h.new_connections);
            add(
                &mut t.active_connection_minutes,
                h.active_connection_minutes,
            );
            add(&mut t.processed_bytes, h.processed_bytes);
            add(&mut t.rule_evaluations, h.rule_evaluations);
        }
        let hour = |v: u64| super::usage::scale(v, 3_600_000_000, den);
        AlbUsage {
            lambda_targets: alb.lambda_targets,
            hours: vec![AlbHour {
                hours: MONTH_SECONDS / 3_600,
                new_connections: hour(t.new_connections),
                active_connection_minutes: hour(t.active_connection_minutes),
                processed_bytes: hour(t.processed_bytes),
                rule_evaluations: hour(t.rule_evaluations),
            }],
        }
    });
    Ec2Usage {
        instances,
        alb,
        ebs_gb_seconds: s(u.ebs_gb_seconds),
    }
}

/// "10 min", "2 h 30 min", "45 s".
fn describe(window: SimDuration) -> String {
    let s = window.as_micros() / 1_000_000;
    let (h, m, sec) = (s / 3_600, s % 3_600 / 60, s % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if sec > 0 || parts.is_empty() {
        parts.push(format!("{sec} s"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::billing::{lambda_bill, Architecture, Catalog, LambdaBillOptions, Money};

    #[test]
    fn a_ten_minute_window_scales_by_4320_before_the_free_tier() {
        // 10 minutes: 1,000 requests of 100 ms at 1,024 MB.
        let mut u = LambdaUsage::new(Architecture::X86_64, 1_024, 512);
        u.on_demand.requests = 1_000;
        u.on_demand.billed_ms = 100_000;
        u.on_demand.billed_ms_with_init = 100_000;
        let window = SimDuration::from_mins(10);
        let m = project_lambda(&u, window);
        // A month is 4,320 ten-minute windows.
        assert_eq!(m.on_demand.requests, 4_320_000);
        assert_eq!(m.on_demand.billed_ms, 432_000_000);
        // The projected month: 432,000 GB-s − 400,000 free = 32,000 ×
        // $0.0000166667 = $0.533334; 3.32 M requests × $0.20/M = $0.664.
        let c = Catalog::us_east_1();
        let b = lambda_bill(
            &m,
            &EventSourceUsage::default(),
            &c,
            LambdaBillOptions::default(),
        );
        assert_eq!(b.total, Money::from_micros(1_197_334));
        // Scaling the window's bill instead would give 4,320 × $0 = $0:
        // the window alone is inside the free tier.
        let w = lambda_bill(
            &u,
            &EventSourceUsage::default(),
            &c,
            LambdaBillOptions::default(),
        );
        assert_eq!(w.total, Money::ZERO);
        assert!(projection_note(window).contains("10 min window"));
    }

    #[test]
    fn ec2_projection_runs_the_alb_all_month_at_the_average_hour() {
        let mut u = Ec2Usage::default();
        u.record_launch("t3.micro", SimDuration::from_mins(30));
        u.alb = Some(AlbUsage {
            lambda_targets: false,
            hours: vec![AlbHour {
                hours: 1,
                new_connections: 45_000,
                ..AlbHour::default()
            }],
        });
        let m = project_ec2(&u, SimDuration::from_mins(30));
        assert_eq!(m.instances["t3.micro"].billable_seconds, MONTH_SECONDS);
        let alb = m.alb.unwrap();
        assert_eq!(alb.total_hours(), 720);
        // 45,000 connections in 30 minutes = 90,000 an hour.
        assert_eq!(alb.hours[0].new_connections, 90_000);
    }

    #[test]
    fn describe_windows() {
        assert_eq!(describe(SimDuration::from_secs(9_045)), "2 h 30 min 45 s");
        assert_eq!(describe(SimDuration::ZERO), "0 s");
        assert_eq!(describe(SimDuration::from_hours(1)), "1 h");
    }
}
