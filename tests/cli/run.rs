//! `fanout run`: tables, JSON, `--until`, and exit codes on bad input.

use crate::common::{fanout, temp};

#[test]
fn prints_a_table() {
    let (code, out, err) = fanout(&["run", "static/scenarios/nightly-batch.json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Nightly batch job"), "{out}");
    assert!(
        out.contains("accounting balances                yes"),
        "{out}"
    );
    assert!(
        out.contains(&format!("  {:<34} {:<34} 0\n", "timeouts", "3")),
        "{out}"
    );
}

#[test]
fn prints_json_and_honours_until() {
    let (code, out, err) = fanout(&[
        "run",
        "static/scenarios/steady-api.json",
        "--json",
        "--until",
        "90s",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["simulated_s"], 90.0);
    let arrived = v["lambda"]["counters"]["arrived"].as_u64().unwrap();
    assert!((15_000..21_000).contains(&arrived), "{arrived}");
    assert_eq!(v["lambda"]["accounting_balances"], true);
}

#[test]
fn bad_scenario_lists_every_problem_and_exits_2() {
    let text = std::fs::read_to_string("static/scenarios/steady-api.json")
        .unwrap()
        .replace("\"timeout_s\": 10", "\"timeout_s\": 1200")
        .replace("\"memory_mb\": 512", "\"memory_mb\": 64");
    let p = temp("bad.json", &text);
    let (code, out, err) = fanout(&["run", p.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("2 problem(s)"), "{err}");
    assert!(
        err.contains("function.timeout_s: 1200 is above the Lambda maximum of 900"),
        "{err}"
    );
    assert!(
        err.contains("function.memory_mb: 64 is below the Lambda minimum of 128"),
        "{err}"
    );
}

#[test]
fn unknown_field_and_broken_json_exit_2() {
    let p = temp(
        "unknown.json",
        r#"{"version":1,"duration_s":10,"sources":[],"function":{},"colour":"red"}"#,
    );
    let (code, _, err) = fanout(&["run", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown field `colour`"), "{err}");
    let p = temp("broken.json", "{\"version\": 1,");
    let (code, _, err) = fanout(&["run", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn bad_until_exits_2_and_missing_file_exits_1() {
    let (code, _, err) = fanout(&["run", "static/scenarios/steady-api.json", "--until", "soon"]);
    assert_eq!(code, 2);
    assert!(err.contains("--until"), "{err}");
    let (code, _, err) = fanout(&["run", "no/such/file.json"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read no/such/file.json"), "{err}");
}
