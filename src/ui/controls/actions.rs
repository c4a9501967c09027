//! The live actions (shown as the "Operations" group): things you do to the running
//! simulation without restarting it — fail an instance, take an
//! Availability Zone down (and bring it back), turn the traffic up or down.
//! Each goes to the engine as an [`Action`]; the engine validates it and a
//! refused one shows its message here while the run carries on.

use crate::engine::action::{Action, LoggedAction};
use crate::engine::defaults::MAX_TRAFFIC_FACTOR;
use yew::prelude::*;

/// Which control an action (or its refusal) belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionField {
    Instance,
    Zone,
    Traffic,
}

/// Zone index to the letter AWS uses in zone names (us-east-1a, …).
pub fn zone_name(z: u32) -> String {
    let c = char::from_u32(u32::from(b'a') + z.min(25)).unwrap_or('?');
    format!("zone {c}")
}

/// One line of the action log, e.g. "0:02:13 · AZ outage in zone b".
pub fn describe(a: &LoggedAction) -> String {
    let what = match a.action {
        Action::FailInstance { instance: Some(i) } => format!("instance #{i} failed"),
        Action::FailInstance { instance: None } => "oldest instance in service failed".into(),
        Action::AzOutage { zone } => format!("AZ outage in {}", zone_name(zone)),
        Action::EndAzOutage { zone } => format!("{} back up", zone_name(zone)),
        Action::SetRate { source, rate_per_s } => format!(
            "source {} peak rate set to {} req/s",
            source + 1,
            crate::common::format::num(rate_per_s)
        ),
        Action::ScaleTraffic { factor, .. } => format!("traffic × {factor}"),
    };
    format!("{} · {what}", a.at)
}

/// Reads the traffic factor typed, refusing what is not a number in range.
pub fn parse_factor(text: &str) -> Result<f64, String> {
    let t = text.trim().trim_end_matches(['×', 'x']).trim();
    let v = crate::common::format::parse_f64(&t.replace(',', ""))
        .ok_or_else(|| format!("factor: “{}” is not a number", text.trim()))?;
    crate::engine::action::check_factor(v).map_err(|e| e.to_string())?;
    Ok(v)
}

/// Reads an instance id typed: empty = the oldest in service.
pub fn parse_instance(text: &str) -> Result<Option<u64>, String> {
    let t = text.trim().trim_start_matches('#');
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u64>().map(Some).map_err(|_| {
        format!(
            "instance: “{}” is not an instance number (0 or more; empty = the oldest in service)",
            text.trim()
        )
    })
}

/// Properties of [`ActionsPanel`].
#[derive(Properties, PartialEq)]
pub struct ActionsProps {
    /// Whether the scenario has an EC2 fleet.
    pub has_ec2: bool,
    /// Availability Zones of the fleet.
    pub zones: u32,
    /// Zones down now.
    pub zones_down: Vec<u32>,
    /// The live traffic factor in force.
    pub traffic_factor: f64,
    /// The last refusal: which control, and why.
    pub error: Option<(ActionField, String)>,
    /// The run's action log, newest last.
    pub log: Vec<String>,
    /// Called with an action to apply now.
    pub on_action: Callback<(ActionField, Action)>,
    /// Called when the text typed cannot be read at all.
    pub on_refused: Callback<(ActionField, String)>,
}

/// Reads the instance field and fails that instance (or says why not).
fn fail_callback(props: &ActionsProps, input: NodeRef) -> Callback<MouseEvent> {
    let (act, refuse) = (props.on_action.clone(), props.on_refused.clone());
    Callback::from(move |_: MouseEvent| {
        let text = input
            .cast::<web_sys::HtmlInputElement>()
            .map(|el| el.value())
            .unwrap_or_default();
        match parse_instance(&text) {
            Ok(instance) => act.emit((ActionField::Instance, Action::FailInstance { instance })),
            Err(m) => refuse.emit((ActionField::Instance, m)),
        }
    })
}

/// Reads the traffic field and scales every source (or says why not).
fn traffic_callback(props: &ActionsProps) -> Callback<Event> {
    let (act, refuse) = (props.on_action.clone(), props.on_refused.clone());
    Callback::from(move |e: Event| {
        let el: web_sys::HtmlInputElement = e.target_unchecked_into();
        match parse_factor(&el.value()) {
            Ok(factor) => act.emit((
                ActionField::Traffic,
                Action::ScaleTraffic {
                    source: None,
                    factor,
                },
            )),
            Err(m) => refuse.emit((ActionField::Traffic, m)),
        }
    })
}

/// A refusal's message under its field.
fn message(error: &Option<String>, id: &str) -> Html {
    match error {
        Some(m) => html! { <p class="error" id={id.to_string()} role="alert">{ m.clone() }</p> },
        None => Html::default(),
    }
}

/// What a field's help says when there is no fleet.
const NO_FLEET: &str = "This scenario has no EC2 fleet.";

/// "Fail an instance": a number field and its button.
fn instance_field(
    has_ec2: bool,
    input: NodeRef,
    on_fail: Callback<MouseEvent>,
    error: Option<String>,
) -> Html {
    html! {
        <div class={classes!("param", error.is_some().then_some("invalid"))}>
            <label for="op-instance">{ "Fail an instance" }</label>
            <span class="param-input">
                <input id="op-instance" ref={input} type="number" min="0" step="1" inputmode="numeric"
                       placeholder="oldest" disabled={!has_ec2}
                       aria-invalid={error.is_some().to_string()}
                       aria-describedby="op-instance-help" />
                <button id="op-fail" type="button" onclick={on_fail} disabled={!has_ec2}>{ "Fail an instance" }</button>
            </span>
            <small class="help" id="op-instance-help">
                { if has_ec2 { "Instance # (empty: the oldest in service) crashes now; health checks, Auto Scaling or a paged operator do the rest." } else { NO_FLEET } }
            </small>
            { message(&error, "op-instance-error") }
        </div>
    }
}

/// "Availability Zone": the zone select and its outage button.
fn zone_field(props: &ActionsProps, zone: &UseStateHandle<u32>, error: Option<String>) -> Html {
    let zone_now = (**zone).min(props.zones.saturating_sub(1));
    let down = props.zones_down.contains(&zone_now);
    let on_zone = {
        let zone = zone.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(z) = el.value().parse::<u32>() {
                zone.set(z);
            }
        })
    };
    let on_az = {
        let act = props.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            let a = if down {
                Action::EndAzOutage { zone: zone_now }
            } else {
                Action::AzOutage { zone: zone_now }
            };
            act.emit((ActionField::Zone, a));
        })
    };
    let az_label = if down {
        format!("End the outage of {}", zone_name(zone_now))
    } else {
        "AZ outage".to_owned()
    };
    let has_ec2 = props.has_ec2;
    html! {
        <div class={classes!("param", error.is_some().then_some("invalid"))}>
            <label for="op-zone">{ "Availability Zone" }</label>
            <span class="param-input">
                <select id="op-zone" onchange={on_zone} disabled={!has_ec2} aria-describedby="op-zone-help">
                    { for (0..props.zones).map(|z| html! {
                        <option value={z.to_string()} selected={z == zone_now}>
                            { zone_name(z) }{ if props.zones_down.contains(&z) { " (down)" } else { "" } }
                        </option>
                    }) }
                </select>
                <button id="op-az" type="button" onclick={on_az} disabled={!has_ec2}
                        class={classes!(down.then_some("active"))} aria-pressed={down.to_string()}>{ az_label }</button>
            </span>
            <small class="help" id="op-zone-help">
                { if has_ec2 { "Every instance in the zone fails and nothing launches there until you end the outage; Auto Scaling relaunches in the other zones." } else { NO_FLEET } }
            </small>
            { message(&error, "op-zone-error") }
        </div>
    }
}

/// "Traffic": the factor on every source's rates.
fn traffic_field(traffic_factor: f64, on_traffic: Callback<Event>, error: Option<String>) -> Html {
    html! {
        <div class={classes!("param", error.is_some().then_some("invalid"))}>
            <label for="op-traffic">{ "Traffic" }</label>
            <span class="param-input">
                <input id="op-traffic" type="number" min="0" max={MAX_TRAFFIC_FACTOR.to_string()} step="0.1"
                       inputmode="decimal" value={format!("{}", traffic_factor)} onchange={on_traffic}
                       aria-invalid={error.is_some().to_string()}
                       aria-describedby="op-traffic-help" />
                <span class="unit">{ "× the settings" }</span>
            </span>
            <small class="help" id="op-traffic-help">
                { format!("Multiplies every source's rates from now on, without a restart (1 = as set). Range 0–{} ×.", MAX_TRAFFIC_FACTOR) }
            </small>
            { message(&error, "op-traffic-error") }
        </div>
    }
}

/// The run's last five actions, newest first.
fn action_log(log: &[String]) -> Html {
    html! {
        <div class="op-log">
            <small class="help">{ "Applied to this run (replayable with the same seed):" }</small>
            <ol data-testid="op-log">
                { for log.iter().rev().take(5).map(|l| html! { <li>{ l }</li> }) }
            </ol>
        </div>
    }
}

/// The Operations group.
#[function_component(ActionsPanel)]
pub fn actions_panel(props: &ActionsProps) -> Html {
    let instance_ref = use_node_ref();
    let zone = use_state(|| 0u32);
    let error = |f: ActionField| {
        props
            .error
            .as_ref()
            .filter(|(g, _)| *g == f)
            .map(|(_, m)| m.clone())
    };
    let on_fail = fail_callback(props, instance_ref.clone());
    html! {
        <fieldset class="group ops" data-testid="operations">
            <legend>{ "Operations (live, no restart)" }</legend>
            { instance_field(props.has_ec2, instance_ref, on_fail, error(ActionField::Instance)) }
            { zone_field(props, &zone, error(ActionField::Zone)) }
            { traffic_field(props.traffic_factor, traffic_callback(props), error(ActionField::Traffic)) }
            if !props.log.is_empty() {
                { action_log(&props.log) }
            }
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::SimTime;

    #[test]
    fn inputs_are_read_or_refused_with_the_field() {
        assert_eq!(parse_factor(" 2.5 ×"), Ok(2.5));
        assert!(parse_factor("lots").unwrap_err().starts_with("factor:"));
        assert!(parse_factor("500")
            .unwrap_err()
            .starts_with("factor: 500 is above the maximum of 100"));
        assert_eq!(parse_instance(""), Ok(None));
        assert_eq!(parse_instance("#3"), Ok(Some(3)));
        assert!(parse_instance("-1").unwrap_err().starts_with("instance:"));
    }

    #[test]
    fn log_lines_say_when_and_what() {
        let l = LoggedAction {
            at: SimTime::from_micros(133_000_000),
            action: Action::AzOutage { zone: 1 },
        };
        let d = describe(&l);
        assert!(d.ends_with("AZ outage in zone b"), "{d}");
        assert!(d.starts_with(&l.at.to_string()));
    }
}
