//! Bad `ec2` input: every problem listed with its path, value and range;
//! `fanout run` exits 2.

use super::*;

/// `fanout run` on `text` written to a file `name`: exit code and stderr.
fn fanout_run(text: &str, name: &str) -> (i32, String) {
    let p = temp(name, text);
    let (code, _, err) = fanout(&["run", p.to_str().unwrap()]);
    (code, err)
}

#[test]
fn every_ec2_problem_is_listed_with_its_path_and_exit_code_2() {
    let text = both(
        600.0,
        1,
        &api(10.0, true),
        r#"{"timeout_s": 5}"#,
        r#"{"instance_type": "m9.huge", "instances": 12, "worker_slots": 0, "boot_s": 99999,
            "auto_scaling": {"min": 5, "max": 2},
            "patching": {"every_days": 0.001, "out_of_service_s": 600, "mode": "all_at_once"},
            "failures": [{"type": "az_outage", "at_s": 10, "zone": 7, "duration_s": 60}],
            "operator": {"response_s": -1}}"#,
    );
    let errs = Scenario::from_json(&text).unwrap_err();
    let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    for want in [
        "ec2.instance_type: \"m9.huge\" is not in the price catalog",
        "ec2.worker_slots: 0 is below the engine minimum of 1",
        "ec2.boot_s: 99999 is above the engine maximum of 3600",
        "ec2.auto_scaling.max: 2 is below auto_scaling.min (5)",
        "ec2.patching.out_of_service_s: 600 makes a patch window",
        "ec2.failures[0].zone: 7 is not a zone of this fleet (0 to 2)",
        "ec2.operator.response_s: -1 is below the engine minimum of 0",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(want)),
            "missing {want:?} in {lines:#?}"
        );
    }
    let (code, err) = fanout_run(&text, "bad-ec2.json");
    assert_eq!(code, 2, "{err}");
    for e in &errs {
        assert!(err.contains(&e.to_string()), "{e} not in {err}");
    }
}

#[test]
fn zero_instances_without_auto_scaling() {
    let text = ec2_only(
        60.0,
        1,
        &api(1.0, false),
        r#"{"instances": 0, "duration": {"type": "fixed", "ms": 10}}"#,
    );
    let (code, err) = fanout_run(&text, "zero.json");
    assert_eq!(code, 2);
    assert!(
        err.contains("ec2.instances: 0 leaves a fixed fleet with no instance"),
        "{err}"
    );
}

#[test]
fn a_scenario_needs_a_deployment() {
    let none = format!(
        r#"{{"version": 1, "duration_s": 60, "sources": [{}], "function": {{}}, "lambda": false}}"#,
        api(1.0, false)
    );
    let errs = Scenario::from_json(&none).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        errs[0].to_string(),
        "lambda: false leaves the scenario with no deployment: add an ec2 section or set lambda to true"
    );
    let (code, err) = fanout_run(&none, "none.json");
    assert_eq!(code, 2);
    assert!(
        err.contains("lambda: false leaves the scenario with no deployment"),
        "{err}"
    );
}

#[test]
fn unknown_ec2_field_is_an_error_with_its_path() {
    let text = ec2_only(
        60.0,
        1,
        &api(1.0, false),
        r#"{"instances": 1, "duration": {"type": "fixed", "ms": 10}, "spot": true}"#,
    );
    let errs = Scenario::from_json(&text).unwrap_err();
    assert!(errs[0].path.starts_with("ec2"), "{errs:?}");
    assert!(errs[0].message.contains("unknown field"), "{errs:?}");
    let (code, _) = fanout_run(&text, "unknown.json");
    assert_eq!(code, 2);
}
