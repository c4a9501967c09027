//! Parameter controls: what can be changed, with label, unit, range and a
//! one-line help, how each reads and writes a [`Scenario`], and the grouped
//! form that shows them. Ranges are hints for the input; the scenario's own
//! validation decides, and its message is shown at the control.

use crate::common::format::{count, num};
use crate::engine::billing::pricing::{InitBilling, MAX_EC2_DISCOUNT_PERCENT};
use crate::engine::billing::Catalog;
use crate::engine::scenario::{ProvisionedStep, ScalingModel, Scenario};
use crate::engine::traffic::{rate_peak, with_peak};
use yew::prelude::*;

/// A parameter the user can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    PeakRate,
    Duration,
    Memory,
    Timeout,
    KeepAlive,
    Reserved,
    Provisioned,
    AccountLimit,
    Scaling,
    Instances,
    BootTime,
    AsgMax,
    InstanceType,
    InitBilling,
    Ec2Discount,
}

impl Param {
    /// Whether a change applies to the running simulation (no restart).
    pub fn is_live(self) -> bool {
        self == Param::PeakRate
    }
}

/// A group of controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Traffic,
    Function,
    Account,
    Fleet,
    Pricing,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Traffic => "Traffic",
            Group::Function => "Function",
            Group::Account => "Account",
            Group::Fleet => "EC2 fleet",
            Group::Pricing => "Pricing",
        }
    }
}

/// How a parameter is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spec {
    pub param: Param,
    pub group: Group,
    /// Element id of the input.
    pub id: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    /// Range hint for the input [unit].
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub help: &'static str,
    /// Scenario field paths whose problems belong to this control.
    pub path: &'static str,
}

/// Every parameter, in display order.
pub const SPECS: &[Spec] = &[
    Spec {
        param: Param::PeakRate,
        group: Group::Traffic,
        id: "p-rate",
        label: "Peak rate",
        unit: "req/s",
        min: 0.0,
        max: 100_000.0,
        step: 1.0,
        help: "Highest arrival rate of the first source; its whole pattern scales with it. Applies live, from now on.",
        path: "sources[0].pattern",
    },
    Spec {
        param: Param::Duration,
        group: Group::Traffic,
        id: "p-duration",
        label: "Run length",
        unit: "s",
        min: 1.0,
        max: 2_592_000.0,
        step: 60.0,
        help: "Simulated time during which the sources send.",
        path: "duration_s",
    },
    Spec {
        param: Param::Memory,
        group: Group::Function,
        id: "p-memory",
        label: "Memory",
        unit: "MB",
        min: 128.0,
        max: 10_240.0,
        step: 64.0,
        help: "Sets the price per second and the CPU share (1,769 MB = 1 vCPU).",
        path: "function.memory_mb",
    },
    Spec {
        param: Param::Timeout,
        group: Group::Function,
        id: "p-timeout",
        label: "Timeout",
        unit: "s",
        min: 1.0,
        max: 900.0,
        step: 1.0,
        help: "An invocation running longer is killed; Lambda's maximum is 15 minutes.",
        path: "function.timeout_s",
    },
    Spec {
        param: Param::KeepAlive,
        group: Group::Function,
        id: "p-keepalive",
        label: "Keep-alive",
        unit: "s",
        min: 0.0,
        max: 7_200.0,
        step: 10.0,
        help: "How long an idle environment stays warm (an assumption: AWS does not publish it).",
        path: "function.keep_alive_s",
    },
    Spec {
        param: Param::Reserved,
        group: Group::Function,
        id: "p-reserved",
        label: "Reserved concurrency",
        unit: "executions",
        min: 0.0,
        max: 10_000.0,
        step: 1.0,
        help: "Caps (and guarantees) the function's concurrency; empty = unreserved.",
        path: "function.reserved_concurrency",
    },
    Spec {
        param: Param::Provisioned,
        group: Group::Function,
        id: "p-provisioned",
        label: "Provisioned concurrency",
        unit: "environments",
        min: 0.0,
        max: 10_000.0,
        step: 1.0,
        help: "Environments kept initialized all run (billed while on); 0 = none.",
        path: "function.provisioned",
    },
    Spec {
        param: Param::AccountLimit,
        group: Group::Account,
        id: "p-limit",
        label: "Concurrency limit",
        unit: "executions",
        min: 1.0,
        max: 100_000.0,
        step: 100.0,
        help: "The Region's limit for all functions (default 1,000).",
        path: "account.concurrency_limit",
    },
    Spec {
        param: Param::Scaling,
        group: Group::Account,
        id: "p-scaling",
        label: "Scaling model",
        unit: "",
        min: 0.0,
        max: 0.0,
        step: 0.0,
        help: "Today: 1,000 new environments per 10 s; legacy: a burst, then +500 a minute.",
        path: "account.scaling",
    },
    Spec {
        param: Param::Instances,
        group: Group::Fleet,
        id: "p-instances",
        label: "Instances",
        unit: "instances",
        min: 0.0,
        max: 1_000.0,
        step: 1.0,
        help: "Fleet size at the start (the initial desired capacity with Auto Scaling).",
        path: "ec2.instances",
    },
    Spec {
        param: Param::BootTime,
        group: Group::Fleet,
        id: "p-boot",
        label: "Boot time",
        unit: "s",
        min: 0.0,
        max: 3_600.0,
        step: 5.0,
        help: "Launch to in service: billed, not serving (an assumption; default 75 s).",
        path: "ec2.boot_s",
    },
    Spec {
        param: Param::AsgMax,
        group: Group::Fleet,
        id: "p-asg-max",
        label: "Auto Scaling maximum",
        unit: "instances",
        min: 1.0,
        max: 1_000.0,
        step: 1.0,
        help: "The group never grows past this, whatever the load.",
        path: "ec2.auto_scaling",
    },
    Spec {
        param: Param::InstanceType,
        group: Group::Fleet,
        id: "p-instance-type",
        label: "Instance type",
        unit: "",
        min: 0.0,
        max: 0.0,
        step: 0.0,
        help: "From the price catalog (us-east-1, Linux on-demand): sets the vCPUs, hence the worker slots, and the hourly price.",
        path: "ec2.instance_type",
    },
    Spec {
        param: Param::InitBilling,
        group: Group::Pricing,
        id: "p-init-billing",
        label: "INIT billing rule",
        unit: "",
        min: 0.0,
        max: 0.0,
        step: 0.0,
        help: "Since 1 Aug 2025 the INIT phase of on-demand cold starts is billed as duration; before, it was free.",
        path: "pricing.init_billing",
    },
    Spec {
        param: Param::Ec2Discount,
        group: Group::Pricing,
        id: "p-ec2-discount",
        label: "EC2 discount",
        unit: "%",
        min: 0.0,
        max: MAX_EC2_DISCOUNT_PERCENT,
        step: 1.0,
        help: "An assumption standing for a Savings Plan (up to 72 %) or Spot: off on-demand instance prices.",
        path: "pricing.ec2_discount_percent",
    },
];

/// The instance types of the price catalog: (name, vCPUs, $/hour).
pub fn instance_types() -> Vec<(String, u32, f64)> {
    Catalog::us_east_1()
        .ec2
        .instances
        .iter()
        .map(|t| {
            let usd = t.price.usd.0 as f64 / 1e12 / t.price.per.max(1) as f64;
            (t.name.clone(), t.vcpu, usd)
        })
        .collect()
}

fn scaling_name(m: &ScalingModel) -> &'static str {
    match m {
        ScalingModel::Current => "current",
        ScalingModel::Legacy { .. } => "legacy",
        ScalingModel::Unlimited => "unlimited",
    }
}

/// The parameter's value in `s` as the input shows it; None when it does
/// not apply to this scenario.
pub fn get(s: &Scenario, p: Param) -> Option<String> {
    let f = &s.function;
    Some(match p {
        Param::PeakRate => trim(rate_peak(&s.sources.first()?.pattern)?),
        Param::Duration => trim(s.duration_s),
        Param::Memory => f.memory_mb.to_string(),
        Param::Timeout => trim(f.timeout_s),
        Param::KeepAlive => trim(f.keep_alive_s),
        Param::Reserved => f
            .reserved_concurrency
            .map_or(String::new(), |r| r.to_string()),
        Param::Provisioned => f
            .provisioned
            .iter()
            .map(|p| p.level)
            .max()
            .unwrap_or(0)
            .to_string(),
        Param::AccountLimit => s.account.concurrency_limit.to_string(),
        Param::Scaling => scaling_name(&s.account.scaling).to_string(),
        Param::Instances => s.ec2.as_ref()?.instances.to_string(),
        Param::BootTime => trim(s.ec2.as_ref()?.boot_s),
        Param::AsgMax => s.ec2.as_ref()?.auto_scaling.as_ref()?.max.to_string(),
        Param::InstanceType => s.ec2.as_ref()?.instance_type.clone(),
        Param::InitBilling => match s.pricing.init_billing {
            InitBilling::SinceAug2025 => "since_aug_2025",
            InitBilling::BeforeAug2025 => "before_aug_2025",
        }
        .to_string(),
        Param::Ec2Discount => {
            s.ec2.as_ref()?;
            trim(s.pricing.ec2_discount_percent)
        }
    })
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn number(text: &str) -> Result<f64, String> {
    crate::common::format::parse_f64(&text.trim().replace(',', ""))
        .ok_or_else(|| format!("“{}” is not a number", text.trim()))
}

fn whole(text: &str) -> Result<u32, String> {
    let x = number(text)?;
    if x < 0.0 || x.fract() != 0.0 || x > f64::from(u32::MAX) {
        Err(format!(
            "{} is not a whole number of 0 or more",
            text.trim()
        ))
    } else {
        Ok(x as u32)
    }
}

/// Writes the parameter into `s`; only a value that cannot be read at all
/// is refused here (ranges are the scenario validation's job).
pub fn set(s: &mut Scenario, p: Param, text: &str) -> Result<(), String> {
    let f = &mut s.function;
    match p {
        Param::PeakRate => {
            let v = number(text)?;
            if let Some(src) = s.sources.first_mut() {
                src.pattern = with_peak(&src.pattern, v);
            }
        }
        Param::Duration => s.duration_s = number(text)?,
        Param::Memory => f.memory_mb = whole(text)?,
        Param::Timeout => f.timeout_s = number(text)?,
        Param::KeepAlive => f.keep_alive_s = number(text)?,
        Param::Reserved => {
            f.reserved_concurrency = if text.trim().is_empty() {
                None
            } else {
                Some(whole(text)?)
            }
        }
        Param::Provisioned => {
            let level = whole(text)?;
            f.provisioned = if level == 0 {
                Vec::new()
            } else {
                vec![ProvisionedStep { at_s: 0.0, level }]
            };
        }
        Param::AccountLimit => s.account.concurrency_limit = whole(text)?,
        Param::Scaling => {
            s.account.scaling = match text {
                "current" => ScalingModel::Current,
                "legacy" => match s.account.scaling {
                    ScalingModel::Legacy { initial_burst } => {
                        ScalingModel::Legacy { initial_burst }
                    }
                    _ => ScalingModel::Legacy {
                        initial_burst: crate::engine::defaults::LEGACY_BURST_LARGE,
                    },
                },
                "unlimited" => ScalingModel::Unlimited,
                other => return Err(format!("unknown scaling model “{other}”")),
            }
        }
        Param::InitBilling => {
            s.pricing.init_billing = match text {
                "since_aug_2025" => InitBilling::SinceAug2025,
                "before_aug_2025" => InitBilling::BeforeAug2025,
                other => return Err(format!("unknown INIT billing rule “{other}”")),
            }
        }
        Param::Ec2Discount => {
            s.pricing.ec2_discount_percent = number(text.trim().trim_end_matches('%'))?
        }
        Param::InstanceType => {
            let Some(e) = s.ec2.as_mut() else {
                return Err("this scenario has no EC2 fleet".into());
            };
            e.instance_type = text.trim().to_string();
        }
        Param::Instances | Param::BootTime | Param::AsgMax => {
            let Some(e) = s.ec2.as_mut() else {
                return Err("this scenario has no EC2 fleet".into());
            };
            match p {
                Param::Instances => e.instances = whole(text)?,
                Param::BootTime => e.boot_s = number(text)?,
                _ => {
                    if let Some(a) = e.auto_scaling.as_mut() {
                        a.max = whole(text)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Properties of [`ParamsPanel`].
#[derive(Properties, PartialEq)]
pub struct ParamsProps {
    /// The scenario running now (values shown).
    pub scenario: Scenario,
    /// The control whose last change was refused: (parameter, text entered, why).
    pub error: Option<(Param, String, String)>,
    /// The note after the last accepted change.
    pub note: Option<String>,
    /// Whether bills apply the monthly free tier.
    pub free_tier: bool,
    /// Called with a parameter and the text entered.
    pub on_set: Callback<(Param, String)>,
    /// Called when the free-tier switch changes.
    pub on_free_tier: Callback<bool>,
}

/// The choices of a parameter set from a list (value, label); None for a
/// number.
fn choices(param: Param) -> Option<Vec<(String, String)>> {
    match param {
        Param::Scaling => Some(
            [
                ("current", "current (since 2023)"),
                ("legacy", "legacy burst"),
                ("unlimited", "unlimited"),
            ]
            .iter()
            .map(|(v, l)| (v.to_string(), l.to_string()))
            .collect(),
        ),
        Param::InitBilling => Some(vec![
            ("since_aug_2025".into(), "billed (since 1 Aug 2025)".into()),
            ("before_aug_2025".into(), "free (before 1 Aug 2025)".into()),
        ]),
        Param::InstanceType => Some(
            instance_types()
                .into_iter()
                .map(|(n, vcpu, usd)| {
                    let label = format!("{n} · {vcpu} vCPU · ${usd:.4}/h");
                    (n, label)
                })
                .collect(),
        ),
        _ => None,
    }
}

/// A parameter's input: a select of its choices or a number field.
fn input_html(
    spec: &Spec,
    value: String,
    invalid: bool,
    described: String,
    on_set: &Callback<(Param, String)>,
) -> Html {
    let param = spec.param;
    if let Some(choices) = choices(param) {
        let cb = on_set.clone();
        let onchange = Callback::from(move |e: Event| {
            let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
            cb.emit((param, el.value()));
        });
        return html! {
            <select id={spec.id} onchange={onchange} aria-describedby={described}>
                { for choices.into_iter().map(|(v, l)| { let sel = value == v; html! { <option value={v} selected={sel}>{ l }</option> } }) }
            </select>
        };
    }
    let cb = on_set.clone();
    let onchange = Callback::from(move |e: Event| {
        let el: web_sys::HtmlInputElement = e.target_unchecked_into();
        cb.emit((param, el.value()));
    });
    html! {
        <input id={spec.id} type="number" inputmode="decimal"
               min={spec.min.to_string()} max={spec.max.to_string()} step={spec.step.to_string()}
               value={value} onchange={onchange}
               aria-invalid={invalid.to_string()} aria-describedby={described} />
    }
}

/// A range's bound as its hint reads: a whole number as one (`1`,
/// `1,000`), not `1.00`.
fn bound(x: f64) -> String {
    if x.fract() == 0.0 && (0.0..1e15).contains(&x) {
        count(x as u64)
    } else {
        num(x)
    }
}

/// One parameter: label, input and unit, help with its range, and the
/// refusal of the last value entered (which stays in its input).
fn control(props: &ParamsProps, spec: &Spec) -> Html {
    let Some(value) = get(&props.scenario, spec.param) else {
        return Html::default();
    };
    let refused = props.error.as_ref().filter(|(p, _, _)| *p == spec.param);
    let err = refused.map(|(_, _, m)| m.clone());
    // A refused value stays in its input, beside its message.
    let value = refused.map_or(value, |(_, text, _)| text.clone());
    let help_id = format!("{}-help", spec.id);
    let err_id = format!("{}-error", spec.id);
    let described = if err.is_some() {
        format!("{help_id} {err_id}")
    } else {
        help_id.clone()
    };
    let input = input_html(spec, value, err.is_some(), described, &props.on_set);
    html! {
        <div class={classes!("param", err.is_some().then_some("invalid"))}>
            <label for={spec.id}>{ spec.label }</label>
            <span class="param-input">
                { input }
                if !spec.unit.is_empty() { <span class="unit">{ spec.unit }</span> }
            </span>
            <small class="help" id={help_id}>
                { spec.help }
                if spec.max > spec.min {
                    { format!(" Range {}–{} {}.", bound(spec.min), bound(spec.max), spec.unit) }
                }
            </small>
            if let Some(m) = err {
                <p class="error" id={err_id} role="alert">{ m }</p>
            }
        </div>
    }
}

/// A group's fieldset, when the scenario has any of its parameters.
fn group_html(props: &ParamsProps, group: Group) -> Html {
    if !SPECS
        .iter()
        .any(|s| s.group == group && get(&props.scenario, s.param).is_some())
    {
        return Html::default();
    }
    html! {
        <fieldset class="group">
            <legend>{ group.title() }</legend>
            { for SPECS.iter().filter(|s| s.group == group).map(|spec| control(props, spec)) }
        </fieldset>
    }
}

/// The pricing group: its parameters and the free-tier switch.
fn pricing_html(props: &ParamsProps) -> Html {
    let on_free = {
        let cb = props.on_free_tier.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::HtmlInputElement = e.target_unchecked_into();
            cb.emit(el.checked());
        })
    };
    html! {
        <fieldset class="group">
            <legend>{ Group::Pricing.title() }</legend>
            { for SPECS.iter().filter(|s| s.group == Group::Pricing).map(|spec| control(props, spec)) }
            <div class="param">
                <label for="p-free-tier" class="check">
                    <input id="p-free-tier" type="checkbox" checked={props.free_tier} onchange={on_free} />
                    { " Apply the monthly free tier" }
                </label>
                <small class="help">{ "The scenario's pricing: 1 M Lambda requests and 400,000 GB-s, 1 M SQS requests a month, applied to the simulated window. A change restarts the run (prices: us-east-1, on-demand)." }</small>
            </div>
        </fieldset>
    }
}

/// The grouped parameter form.
#[function_component(ParamsPanel)]
pub fn params_panel(props: &ParamsProps) -> Html {
    let groups = [
        Group::Traffic,
        Group::Function,
        Group::Account,
        Group::Fleet,
    ]
    .map(|g| group_html(props, g));
    html! {
        <section class="params" aria-label="Parameters">
            <h2>{ "Parameters" }</h2>
            <p class="muted">{ "The peak rate applies live; any other change restarts the run with the new settings (same seed, so pricing changes re-price the same traffic). A value the scenario cannot take is refused and the run goes on." }</p>
            if let Some(n) = &props.note { <p class="note" data-testid="param-note">{ n }</p> }
            <div class="groups">
                { for groups }
                { pricing_html(props) }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Pattern;

    fn steady() -> Scenario {
        Scenario::from_json(include_str!("../../../static/scenarios/flash-sale.json")).unwrap()
    }

    /// The restart note lowercases a label with `to_ascii_lowercase`
    /// (Unicode lowercasing would add its case tables, about 8 KB gzip, to
    /// the wasm): that is the full lowercasing only while labels are ASCII.
    #[test]
    fn labels_are_ascii() {
        for spec in SPECS {
            assert!(spec.label.is_ascii(), "{}", spec.label);
            assert_eq!(spec.label.to_ascii_lowercase(), spec.label.to_lowercase());
        }
    }

    #[test]
    fn every_param_round_trips() {
        let s = steady();
        for spec in SPECS {
            let Some(v) = get(&s, spec.param) else {
                assert_eq!(spec.group, Group::Fleet, "{:?}", spec.param);
                continue;
            };
            let mut t = s.clone();
            if spec.param == Param::Provisioned {
                continue; // a schedule becomes one level: not a round trip
            }
            set(&mut t, spec.param, &v).unwrap();
            assert_eq!(t, s, "{:?}", spec.param);
        }
    }

    #[test]
    fn peak_rate_scales_the_pattern() {
        let mut s = steady();
        assert_eq!(get(&s, Param::PeakRate).unwrap(), "12000");
        set(&mut s, Param::PeakRate, "6,000").unwrap();
        match &s.sources[0].pattern {
            Pattern::Steps { steps, .. } => {
                assert_eq!(steps[0].rate_per_s, 10.0);
                assert_eq!(steps[1].rate_per_s, 6_000.0);
            }
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn pricing_and_instance_type_controls_write_the_scenario() {
        let mut s = steady();
        set(&mut s, Param::InitBilling, "before_aug_2025").unwrap();
        assert_eq!(s.pricing.init_billing, InitBilling::BeforeAug2025);
        assert!(!s.pricing.lambda_options().init_billed);
        set(&mut s, Param::Ec2Discount, "30 %").unwrap();
        assert_eq!(s.pricing.ec2_options().discount_basis_points, 3_000);
        assert!(set(&mut s, Param::InitBilling, "someday").is_err());
        set(&mut s, Param::Ec2Discount, "95").unwrap();
        let errs = s.validate().unwrap_err();
        assert!(
            errs.iter().any(|e| e.path == "pricing.ec2_discount_percent"
                && e.to_string().contains("maximum of 90")),
            "{errs:?}"
        );
        let types = instance_types();
        assert!(types.len() >= 5 && types.iter().all(|(_, v, usd)| *v > 0 && *usd > 0.0));
        let mut s = steady();
        set(&mut s, Param::InstanceType, "m5.large").unwrap();
        assert!(s.validate().is_ok());
        set(&mut s, Param::InstanceType, "m9.huge").unwrap();
        assert!(
            s.validate().is_err(),
            "an unknown type is refused by validation"
        );
    }

    #[test]
    fn bad_text_is_refused_and_ranges_are_left_to_validation() {
        let mut s = steady();
        assert!(set(&mut s, Param::Memory, "lots").is_err());
        assert!(set(&mut s, Param::Memory, "-5").is_err());
        set(&mut s, Param::Memory, "20000").unwrap();
        let errs = s.validate().unwrap_err();
        assert!(errs
            .iter()
            .any(|e| e.path.starts_with("function.memory_mb")));
        set(&mut s, Param::Reserved, "").unwrap();
        assert_eq!(s.function.reserved_concurrency, None);
        set(&mut s, Param::Provisioned, "0").unwrap();
        assert!(s.function.provisioned.is_empty());
        set(&mut s, Param::Scaling, "legacy").unwrap();
        assert_eq!(get(&s, Param::Scaling).unwrap(), "legacy");
    }

    #[test]
    fn whole_number_ranges_read_as_whole_numbers() {
        assert_eq!(bound(1.0), "1");
        assert_eq!(bound(1_000.0), "1,000");
        assert_eq!(bound(0.0), "0");
        assert_eq!(bound(0.5), "0.50");
        for spec in SPECS.iter().filter(|s| s.step.fract() == 0.0) {
            for b in [spec.min, spec.max] {
                assert!(!bound(b).contains('.'), "{}: {}", spec.id, bound(b));
            }
        }
    }
}
