//! The presets' data: the example scenarios of `static/scenarios/`
//! (without their whitespace: `build.rs`), compiled into the app (no network at run time; the same files serve the command
//! line and future URL loading), each with a one-sentence takeaway.

use crate::common::moments::{self, MarkKind};
use crate::engine::scenario::Scenario;

/// A preset scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preset {
    /// Stable id (the file name without `.json`).
    pub id: &'static str,
    /// Title in the picker.
    pub title: &'static str,
    /// What to take away, in one sentence.
    pub takeaway: &'static str,
    /// The scenario JSON.
    pub json: &'static str,
    /// Speed to start at [× real time].
    pub speed: f64,
}

impl Preset {
    /// The preset's scenario, validated.
    ///
    /// Read through [`Scenario::from_json`], the one JSON reader of
    /// scenarios: a second `serde_json::from_str::<Scenario>` would compile
    /// the whole scenario deserializer a second time into the wasm bundle.
    pub fn scenario(&self) -> Result<Scenario, String> {
        Scenario::from_json(self.json).map_err(|errs| {
            errs.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// Every preset, in the picker's order.
pub const PRESETS: &[Preset] = &[
    Preset {
        id: "thumbnails",
        title: "Thumbnails on S3 upload",
        takeaway: "Uploads follow the day: Lambda adds environments for the afternoon peak and lets them expire at night, and you pay only for the resizing done.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/thumbnails.json")),
        speed: 1_000.0,
    },
    Preset {
        id: "steady-api",
        title: "Steady API",
        takeaway: "Under steady traffic almost every request finds a warm environment: cold starts fade to a fraction of a percent after the first seconds.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/steady-api.json")),
        speed: 10.0,
    },
    Preset {
        id: "flash-sale",
        title: "Flash-sale spike",
        takeaway: "A 600× spike outruns Lambda's scaling rate for a few seconds: throttles (HTTP 429) until enough environments exist, then the burst is absorbed.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/flash-sale.json")),
        speed: 10.0,
    },
    Preset {
        id: "nightly-batch",
        title: "Nightly 20-minute batch",
        takeaway: "A job longer than 15 minutes cannot run on Lambda: every attempt is killed at the 900 s timeout, retries included.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/nightly-batch.json")),
        speed: 10_000.0,
    },
    Preset {
        id: "sqs-worker",
        title: "SQS-buffered workers",
        takeaway: "A queue absorbs a burst that the pollers then work off: messages wait instead of being refused, and failures retry until the dead-letter queue.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/sqs-worker.json")),
        speed: 30.0,
    },
    Preset {
        id: "quiet-night",
        title: "Quiet night",
        takeaway: "Idle EC2 instances still cost every hour of the night; idle Lambda costs nothing.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/quiet-night.json")),
        speed: 3_000.0,
    },
    Preset {
        id: "patch-tuesday",
        title: "Patch Tuesday",
        takeaway: "Patching takes EC2 instances out of service one by one, and someone had to do it; Lambda is patched by AWS and is unaffected.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/patch-tuesday.json")),
        speed: 100.0,
    },
    Preset {
        id: "instance-failure",
        title: "Instance failure, fixed fleet",
        takeaway: "A fixed fleet does not heal itself: capacity lost to a crash stays lost until a paged human replaces the instance.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/instance-failure.json")),
        speed: 30.0,
    },
    Preset {
        id: "instance-failure-asg",
        title: "Instance failure, Auto Scaling",
        takeaway: "With Auto Scaling health checks the crashed instance is replaced without a page, but only after detection and a new boot.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/instance-failure-asg.json")),
        speed: 30.0,
    },
    Preset {
        id: "simfaas",
        title: "SimFaaS reference model",
        takeaway: "At under one request per second a few warm environments serve nearly everything: the published model's cold-start probability, reproduced.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/simfaas.json")),
        speed: 1_000.0,
    },
    Preset {
        id: "legacy-burst",
        title: "Legacy burst limits vs today's scaling rate",
        takeaway: "Under the pre-2023 rules this spike got a burst of 500 environments, then 500 more a minute, and throttled for about three minutes; today's 1,000 new environments every 10 seconds absorbs it in about ten (set Scaling model to “current” to compare).",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/legacy-burst.json")),
        speed: 10.0,
    },
    Preset {
        id: "provisioned",
        title: "Provisioned concurrency vs cold starts",
        takeaway: "70 provisioned environments meet every wave warm (no cold starts, p99 under 1 s instead of 2.7 s) but are billed every second, busy or idle (set Provisioned concurrency to 0 to compare).",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/provisioned.json")),
        speed: 30.0,
    },
    Preset {
        id: "api-timeout",
        title: "An API in front of Lambda gives you 30 s, not 15 minutes",
        takeaway: "Behind API Gateway a synchronous request has 30 s (HTTP API; 29 s for a REST API): slower ones get HTTP 504 while the function runs on, keeps its environment busy and is billed to the end.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/api-timeout.json")),
        speed: 10.0,
    },
    Preset {
        id: "sqs-throttled-dlq",
        title: "SQS + low reserved concurrency sends messages to the DLQ",
        takeaway: "The SQS pollers scale on the backlog, not on reserved concurrency: throttled batches stay received until their visibility timeout, so with maxReceiveCount 2 messages reach the dead-letter queue though the code never failed.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/sqs-throttled-dlq.json")),
        speed: 10.0,
    },
    Preset {
        id: "t3-high-cpu",
        title: "A t3 fleet at high CPU costs more than its hourly price",
        takeaway: "T3 instances launch in unlimited mode: above the baseline (10 % per vCPU on a t3.micro) they spend CPU credits they do not earn, and the surplus is billed at $0.05 per vCPU-hour. Two t3.micro at 60 % CPU cost about 5.8 × their on-demand price.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/t3-high-cpu.json")),
        speed: 10.0,
    },
    Preset {
        id: "stress",
        title: "Stress: 1,000 environments, 50 instances",
        takeaway: "A load test of the simulator itself: about 1,000 busy Lambda environments (drawn as density tiles) beside 50 instances; the speed display shows when the engine cannot keep up.",
        json: include_str!(concat!(env!("OUT_DIR"), "/scenarios/stress.json")),
        speed: 100.0,
    },
];

/// A course concept and the preset that shows it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Concept {
    /// The concept, as the course names it.
    pub name: &'static str,
    /// Its one-sentence takeaway, in the course's words.
    pub takeaway: &'static str,
    /// The preset's id.
    pub preset: &'static str,
    /// The moment that shows it (None: the generic rule of
    /// [`moments::key_marker`]).
    pub key: Option<MarkKind>,
}

/// The concept cards, in the course's order.
pub const CONCEPTS: &[Concept] = &[
    Concept {
        name: "Managed vs. unmanaged",
        takeaway: "On EC2 you are responsible for patching the operating system; on Lambda AWS does it.",
        preset: "patch-tuesday",
        key: Some(MarkKind::Patching),
    },
    Concept {
        name: "Serverless",
        takeaway: "You write the code and AWS worries about infrastructure availability: when an EC2 instance crashes the on-call operator is paged, Lambda carries on.",
        preset: "instance-failure",
        key: Some(MarkKind::InstanceFailed),
    },
    Concept {
        name: "Event-driven",
        takeaway: "Lambda runs code in response to events: each batch of messages on the queue triggers an invocation, and a burst of orders means more of them.",
        preset: "sqs-worker",
        key: Some(MarkKind::TrafficUp),
    },
    Concept {
        name: "Automatic scaling",
        takeaway: "Lambda scales automatically to handle the requests: a 600× spike is throttled for a few seconds, then absorbed.",
        preset: "flash-sale",
        key: Some(MarkKind::Throttle),
    },
    Concept {
        name: "Pay for what you use",
        takeaway: "You are billed only for the compute time you consume: at night idle Lambda costs next to nothing, while the EC2 instances bill every second.",
        preset: "quiet-night",
        key: Some(MarkKind::Cycle),
    },
    Concept {
        name: "15-minute maximum",
        takeaway: "A single Lambda invocation can run for at most 15 minutes: the 20-minute job is stopped at 15:00 while the EC2 instance finishes it.",
        preset: "nightly-batch",
        key: Some(MarkKind::Timeout),
    },
    Concept {
        name: "Image processing on S3 upload",
        takeaway: "A great use case for Lambda: each photo uploaded to the S3 bucket invokes the function that resizes it.",
        preset: "thumbnails",
        key: Some(MarkKind::ColdStart),
    },
];

/// The index in [`PRESETS`] of a preset's id.
pub fn index_of(id: &str) -> Option<usize> {
    PRESETS.iter().position(|p| p.id == id)
}

/// The concept a preset shows, if any.
pub fn concept_of(preset: usize) -> Option<&'static Concept> {
    let id = PRESETS.get(preset)?.id;
    CONCEPTS.iter().find(|c| c.preset == id)
}

/// Where preset `i` starts when played at `speed` [s since start]:
/// shortly before its key moment (a few seconds of playback at that speed
/// and slow motion). A pick and a link without an instant both start there.
pub fn start_s(i: usize, speed: f64) -> f64 {
    let (Some(p), c) = (PRESETS.get(i), concept_of(i)) else {
        return 0.0;
    };
    let Ok(s) = p.scenario() else { return 0.0 };
    let markers = moments::scenario_markers(&s);
    let anchor = match c.and_then(|c| c.key) {
        Some(k) => match moments::anchor_kind(k) {
            Some(a) => Some(a),
            None => return 0.0,
        },
        None => None,
    };
    let Some(k) = moments::key_marker(&markers, anchor) else {
        return 0.0;
    };
    let segs = moments::schedule(&markers, speed, s.duration_s);
    moments::start_s(&segs, k.t_s, speed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_a_valid_scenario() {
        for p in PRESETS {
            let s = p.scenario();
            assert!(s.is_ok(), "{}: {:?}", p.id, s.err());
            assert_eq!(s.ok(), Scenario::from_json(p.json).ok(), "{}", p.id);
            assert!(p.takeaway.ends_with('.'), "{}: one sentence", p.id);
            assert!((1.0..=10_000.0).contains(&p.speed));
        }
        let mut ids: Vec<_> = PRESETS.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), PRESETS.len());
    }
}
