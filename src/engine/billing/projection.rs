//! A monthly PROJECTION from a simulated window.
//!
//! Method: the window's usage RATES are projected to a 30-day month, and
//! the month's rules are applied once, to the projected month:
//! - every usage counter of the window is scaled linearly by (30-day month
//!   ÷ window length), rounded half up to an integer;
//! - EXCEPT the per-launch rules of work still running at the window's end:
//!   an instance still running is one launch (not one per window), and the
//!   60-second minimum its window bill carried is left out (an instance that
//!   keeps running never pays it); then every projected launch bills at
//!   least 60 s, once;
//! - likewise a provisioned-concurrency span still enabled at the window's
//!   end is projected without the 5-minute rounding its window bill
//!   carried;
//! - the month's tiers and free tier are then applied to the projected
//!   usage. The window's bill is NOT scaled: a 10-minute window's bill has
//!   no tier or free-tier effect that a month would, and a 30-second
//!   window's bill carries each launch's minimum.
//!
//! The load balancer is taken to exist all month (720 ALB-hours: its
//! partial-hour rule applied once), every hour carrying the window's
//! AVERAGE hourly traffic, so an hourly peak's extra LCUs are not
//! projected. Public IPv4 addresses are billed per second, so their
//! address-seconds scale linearly. What the window did not see (a scale-out
//! after its end) is not projected: a projection of a fleet still settling
//! differs from one of a longer window for that reason, not for its rules.

use super::usage::{
    AlbHour, AlbUsage, Ec2Usage, EventSourceUsage, LambdaUsage, EC2_MINIMUM_SECONDS, MONTH_SECONDS,
};
use crate::engine::time::SimDuration;

/// The label to show beside a projected bill.
pub fn projection_note(window: SimDuration) -> String {
    format!(
        "PROJECTION, not a bill: usage rates of the simulated {} window projected to a 30-day month (instances still running count as one launch each, without the window's 60 s minimum), then priced with the month's minimums, tiers and free tier.",
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
    // A span still enabled keeps running: its window's 5-minute rounding
    // is not a rate (a month-long span is a whole number of 5 minutes).
    let running = LambdaUsage {
        provisioned_env_seconds: u.provisioned_env_seconds
            - u.open_provisioned_rounding_seconds
                .min(u.provisioned_env_seconds),
        open_provisioned_rounding_seconds: 0,
        ..*u
    };
    running.scaled(month_micros(), window.as_micros())
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
        let open = p.open_launches.min(p.launches);
        p.launches = open.saturating_add(s(p.launches - open));
        let running = p.billable_seconds - p.open_minimum_seconds.min(p.billable_seconds);
        // The 60 s minimum, once, on the projected month's launches.
        p.billable_seconds = s(running).max(p.launches.saturating_mul(EC2_MINIMUM_SECONDS));
        p.open_launches = 0;
        p.open_minimum_seconds = 0;
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
        public_ipv4_seconds: s(u.public_ipv4_seconds),
        surplus_vcpu_seconds: s(u.surplus_vcpu_seconds),
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
    fn an_enabled_provisioned_span_is_projected_without_its_window_rounding() {
        // 70 environments enabled through a 30 s window: the window bills
        // 70 × 300 s (rounded up to 5 minutes); the month 70 × 30 days, not
        // 10 × that.
        let mut u = LambdaUsage::new(crate::engine::billing::Architecture::X86_64, 2_048, 512);
        u.record_provisioned_span(70, SimDuration::from_secs(30));
        u.open_provisioned_rounding_seconds = 70 * 270;
        let m = project_lambda(&u, SimDuration::from_secs(30));
        assert_eq!(m.provisioned_env_seconds, 70 * MONTH_SECONDS);
        assert_eq!(m.open_provisioned_rounding_seconds, 0);
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
    fn a_running_instance_is_one_launch_without_its_window_minimum() {
        // Three instances running through a 30 s window: the window bills
        // 3 × 60 s (the minimum); the month is 3 instances × 720 h, not
        // 2 × that, and 3 launches, not 259,200.
        let mut u = Ec2Usage::default();
        for _ in 0..3 {
            u.record_running("m7g.large", SimDuration::from_secs(30));
        }
        u.record_public_ipv4(2, SimDuration::from_secs(30));
        assert_eq!(u.instances["m7g.large"].billable_seconds, 180);
        assert_eq!(u.instances["m7g.large"].open_minimum_seconds, 90);
        let m = project_ec2(&u, SimDuration::from_secs(30));
        let i = m.instances["m7g.large"];
        assert_eq!((i.launches, i.billable_seconds), (3, 3 * MONTH_SECONDS));
        assert_eq!(m.public_ipv4_seconds, 2 * MONTH_SECONDS);
        // A longer window of the same fleet projects the same month.
        let mut long = Ec2Usage::default();
        for _ in 0..3 {
            long.record_running("m7g.large", SimDuration::from_mins(10));
        }
        assert_eq!(
            project_ec2(&long, SimDuration::from_mins(10)).instances,
            m.instances
        );
        // A launch that ended inside the window is churn: it scales, and
        // keeps its minimum (a 10 s launch per 10 minutes = 4,320 a month,
        // 60 s each).
        let mut churn = Ec2Usage::default();
        churn.record_launch("m7g.large", SimDuration::from_secs(10));
        let c = project_ec2(&churn, SimDuration::from_mins(10)).instances["m7g.large"];
        assert_eq!((c.launches, c.billable_seconds), (4_320, 4_320 * 60));
    }

    #[test]
    fn describe_windows() {
        assert_eq!(describe(SimDuration::from_secs(9_045)), "2 h 30 min 45 s");
        assert_eq!(describe(SimDuration::ZERO), "0 s");
        assert_eq!(describe(SimDuration::from_hours(1)), "1 h");
    }
}
