//! The EC2 example scenarios validate, run, and show their lesson.

use super::*;
use fanout::engine::scenario::ec2::Failure;

#[test]
fn new_examples_exist_and_have_both_sides() {
    for name in [
        "patch-tuesday",
        "instance-failure",
        "instance-failure-asg",
        "quiet-night",
    ] {
        let sc = example(name);
        assert!(sc.lambda && sc.ec2.is_some(), "{name}");
    }
}

#[test]
fn instance_failure_with_and_without_auto_scaling() {
    // The crash moved from 900 s to 60 s to keep the debug run short.
    let run = |name: &str| {
        let mut sc = example(name);
        sc.duration_s = 400.0;
        if let Some(e) = sc.ec2.as_mut() {
            e.failures = vec![Failure::InstanceCrash {
                at_s: 60.0,
                instance: Some(0),
            }];
            // Instances launched at 0 are past the health-check grace by then.
            if let Some(a) = e.auto_scaling.as_mut() {
                a.health_check_grace_s = 0.0;
            }
        }
        let mut s = quiet(&sc);
        s.advance_to(s.end());
        ec2_report(&s)
    };
    let fixed = run("instance-failure");
    assert_eq!(fixed.operator_work.pages, 1);
    assert_eq!(fixed.fleet.replaced_automatically, 0);
    assert_eq!(fixed.max_by_state.failed, 1);
    let asg = run("instance-failure-asg");
    assert_eq!(asg.operator_work.pages, 0);
    assert_eq!(asg.fleet.replaced_automatically, 1);
}

#[test]
fn patch_tuesday_patches_every_instance_by_hand() {
    // The same run, sped up: 60 s per instance from 60 s on.
    let mut sc = example("patch-tuesday");
    let p = sc.ec2.as_mut().unwrap().patching.as_mut().unwrap();
    p.first_at_s = 60.0;
    p.out_of_service_s = 60.0;
    sc.duration_s = 60.0 + 4.0 * 60.0 + 60.0;
    let mut s = quiet(&sc);
    s.advance_to(s.end());
    let r = s.report();
    let e = r.ec2.unwrap();
    assert_eq!(e.operator_work.patches_applied, 4);
    assert_eq!(e.fleet.max_patching_out, 1);
    assert!(r.lambda.operator_work.is_zero());
}
