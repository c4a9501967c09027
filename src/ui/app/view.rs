//! The page: masthead, notices, transport, tour bar, fast-forward and
//! presets, the share bar, the stage with its metrics, the live actions,
//! charts and parameters, the footer and the overlays; each part a
//! function of the app's state.

use super::dialogs::DialogMsg;
use super::files::FileMsg;
use super::link::LinkMsg;
use super::run::RunMsg;
use super::tour::TourMsg;
use super::{App, Msg};
use crate::common::link;
use crate::common::presets::PRESETS;
use crate::engine::scenario::Scenario;
use crate::ui::charts::breakeven::BreakEvenPanel;
use crate::ui::charts::metrics_table::{CostMeters, MetricsPanel};
use crate::ui::charts::over_time::ChartsPanel;
use crate::ui::controls::actions::ActionsPanel;
use crate::ui::controls::fast_forward::FastForwardBar;
use crate::ui::controls::params::ParamsPanel;
use crate::ui::controls::presenter::KeyAction;
use crate::ui::controls::preset_picker::{first_visit, PresetPicker};
use crate::ui::controls::tour_bar::TourBar;
use crate::ui::controls::transport::Controls;
use crate::ui::dialogs::embed::{ControlsLevel, EmbedDialog};
use crate::ui::dialogs::help::HelpOverlay;
use crate::ui::stage::captions::StageOverlay;
use crate::ui::view_model::narration::focus_of;
use crate::ui::web;
use yew::prelude::*;

/// The panels' titles: the function's and the fleet's names, then their
/// settings, separated by " · ".
fn titles(s: &Scenario) -> (String, String) {
    let f = &s.function;
    let name = if f.name.is_empty() {
        "function"
    } else {
        &f.name
    };
    let lambda_title = format!(
        "{name} · {} MB {} · timeout {} s · keep-alive {} s",
        f.memory_mb, f.architecture, f.timeout_s, f.keep_alive_s
    );
    let ec2_title = s.ec2.as_ref().map_or(String::new(), |e| {
        let name = if e.name.is_empty() { "fleet" } else { &e.name };
        let mode = if e.auto_scaling.is_some() {
            "Auto Scaling group"
        } else {
            "fixed fleet"
        };
        format!(
            "{name} · {} · {mode} · boot {} s",
            e.instance_type, e.boot_s
        )
    });
    (lambda_title, ec2_title)
}

/// A section below the stage that can be folded (a `<details>`, open
/// at first: the first screen is the stage's, what follows is read by
/// scrolling).
fn fold(id: &'static str, title: &'static str, body: Html) -> Html {
    html! {
        <details class="fold" id={id} open=true>
            <summary>{ title }</summary>
            { body }
        </details>
    }
}

/// The colour key under the stage.
fn legend() -> Html {
    html! {
        <p class="legend-line" aria-hidden="true">
            // Each swatch and its label together: they never break apart.
            <span class="legend-item"><span class="key key-init"></span>{ "initializing (cold start)" }</span>
            <span class="legend-item"><span class="key key-busy"></span>{ "busy" }</span>
            <span class="legend-item"><span class="key key-idle"></span>{ "idle, warm (fades as keep-alive runs out)" }</span>
            <span class="legend-item"><span class="key key-prov"></span>{ "provisioned" }</span>
            <span class="legend-item"><span class="key key-patching"></span>{ "patching (EC2)" }</span>
            <span class="legend-item"><span class="key key-timeout">{ "✕" }</span>{ "timed out" }</span>
            <span class="legend-item"><span class="key key-particle"></span>{ "request" }</span>
        </p>
    }
}

/// The page's footer, or an embed's link to the full app.
fn footer(embed: bool, fragment: &str) -> Html {
    if embed {
        html! {
            <p class="embed-foot">
                <a href={format!("{}#{}", web::app_url(), fragment)} target="_blank" rel="noopener">{ "Open in Fanout ↗" }</a>
            </p>
        }
    } else {
        html! {
            <footer class="fine">
                { "Numbers come from a deterministic simulation of documented AWS behaviour; where AWS publishes no figure (keep-alive, retry delays, boot time) the engine states its assumption. Drop a scenario JSON file anywhere on the page to import it; press ? for keyboard shortcuts." }
            </footer>
        }
    }
}

impl App {
    /// The whole page.
    pub(super) fn page_html(&self, ctx: &Context<Self>) -> Html {
        let e = &self.page.embed;
        let full = !e.embed || e.controls == ControlsLevel::Full;
        // Encoding the link (JSON merge patch, deflate) is work: only when
        // an embed's footer or the embed dialog shows it, not every frame.
        let fragment = if e.embed || self.dialogs.embed {
            link::encode(&self.link_state(None))
        } else {
            String::new()
        };
        let app_class = classes!("app", e.embed.then_some("embedded"));
        html! {
            <div class={app_class} ref={self.browser.root.clone()} id="app-root"
                 data-running={self.run.clock.is_running().to_string()}
                 data-auto-paused={self.run.auto_paused.to_string()}
                 data-seeking={self.run.seek.is_some().to_string()}>
                if !e.embed {
                    { self.title_bar(ctx) }
                } else if full {
                    <div class="titlebar">{ self.menus(ctx) }</div>
                }
                { for self.copied_link_html() }
                { for self.problems_html(ctx) }
                { for self.controls_html(ctx, false) }
                if e.embed && e.controls == ControlsLevel::None {
                    <output id="sim-clock" class="embed-clock" aria-live="off">{ self.run.handle.now().to_string() }</output>
                }
                { for self.tour_bar_html(ctx) }
                { for self.import_errors_html(ctx) }
                { self.main_html() }
                { self.under_stage(ctx, full) }
                // A phone's restart, new seed and speed: after the stage,
                // which has the first screen (nothing on a wider one).
                { for self.controls_html(ctx, true) }
                if full {
                    { fold("fold-operations", "Operations: fail an instance, an AZ outage, traffic", self.actions_html()) }
                }
                if e.shows("cost") {
                    { self.metrics_html() }
                }
                { self.lower_panels() }
                { footer(e.embed, &fragment) }
                { self.overlays(ctx, fragment) }
            </div>
        }
    }

    /// The one-line title bar: the name, the preset picker, the tour, the
    /// share and export menus, the keys.
    fn title_bar(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        html! {
            <header class="titlebar">
                <h1>{ "Fanout" }</h1>
                <span class="tagline">{ "Lambda vs EC2, same traffic" }</span>
                <PresetPicker selected={self.setup.preset} on_pick={self.callbacks.on_pick.clone()} />
                { self.concepts_html() }
                // On a first visit the tour is the call to action.
                <button id="tour-start" class={classes!("cta", first_visit().then_some("first-visit"))}
                        onclick={link.callback(|_| Msg::Tour(TourMsg::Start))}>
                    { if first_visit() { "▶ Start the tour" } else { "▶ Tour" } }
                </button>
                { self.menus(ctx) }
            </header>
        }
    }

    /// The live metrics table, folded in an embed.
    fn metrics_html(&self) -> Html {
        let embed = self.page.embed.embed;
        html! {
            <details class="fold" id="fold-metrics" open={!embed}>
                <summary>{ "Live metrics and operator work" }</summary>
                <MetricsPanel live={self.run.live.clone()} />
            </details>
        }
    }

    /// What the preset teaches, the stage's key, and skipping ahead.
    fn under_stage(&self, ctx: &Context<Self>, full: bool) -> Html {
        let link = ctx.link();
        let lesson = self
            .setup
            .preset
            .and_then(|i| PRESETS.get(i))
            .map(|p| p.takeaway);
        html! {
            <div class="under-stage">
                if let Some(l) = lesson {
                    <p class="lesson">{ l }</p>
                }
                if self.page.embed.shows("stage") {
                    { legend() }
                }
                if full {
                    <FastForwardBar active={self.run.fast_forward} now={self.run.handle.now()} end={self.run.handle.end()}
                                    on_fast_forward={link.callback(|secs| Msg::Run(RunMsg::FastForward(secs)))}
                                    on_cancel={link.callback(|()| Msg::Run(RunMsg::CancelFastForward))} />
                }
            </div>
        }
    }

    /// What a link could not restore.
    fn problems_html(&self, ctx: &Context<Self>) -> Option<Html> {
        let link = ctx.link();
        (!self.dialogs.problems.is_empty()).then(|| html! {
            <section class="notice" role="alert" data-testid="link-problems">
                <p><strong>{ "Some of this link could not be restored; the closest valid state opened." }</strong></p>
                <ul>{ for self.dialogs.problems.iter().map(|p| html! { <li>{ p.clone() }</li> }) }</ul>
                <button id="dismiss-problems" onclick={link.callback(|_| Msg::Dialog(DialogMsg::DismissProblems))}>{ "Dismiss" }</button>
            </section>
        })
    }

    /// Why an import was refused.
    fn import_errors_html(&self, ctx: &Context<Self>) -> Option<Html> {
        let link = ctx.link();
        self.dialogs.import_errors.as_ref().map(|(name, errs)| html! {
            <section class="notice" role="alert" data-testid="import-errors">
                <p><strong>{ format!("Import refused: {name} has {} problem{}; the current scenario is unchanged.", errs.len(), if errs.len() == 1 { "" } else { "s" }) }</strong></p>
                <ul>{ for errs.iter().map(|p| html! { <li>{ p.clone() }</li> }) }</ul>
                <button id="dismiss-import" onclick={link.callback(|_| Msg::Dialog(DialogMsg::DismissProblems))}>{ "Dismiss" }</button>
            </section>
        })
    }

    /// The tour's caption bar, when a tour is loaded.
    fn tour_bar_html(&self, ctx: &Context<Self>) -> Option<Html> {
        let link = ctx.link();
        self.tour.as_ref().map(|(t, i)| {
            let step = &t.steps[*i];
            html! {
                <TourBar title={t.title.clone()} step={*i} steps={t.steps.len()}
                         step_title={step.title.clone()} caption={step.caption.clone()}
                         on_prev={link.callback(|()| Msg::Key(KeyAction::PrevStep))}
                         on_next={link.callback(|()| Msg::Key(KeyAction::NextStep))}
                         on_close={link.callback(|()| Msg::Tour(TourMsg::Close))} />
            }
        })
    }

    /// The share and export menus (pop-overs that open with a click, Enter
    /// or Space on their summary) and the keys' help.
    fn menus(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let embed = self.page.embed.embed;
        let on_file = link.batch_callback(|ev: Event| {
            let input: web_sys::HtmlInputElement = ev.target_unchecked_into();
            let f = input.files().and_then(|f| f.get(0));
            input.set_value("");
            f.map(|f| Msg::File(FileMsg::Import(f)))
        });
        let export = |m: fn() -> FileMsg| link.callback(move |_: MouseEvent| Msg::File(m()));
        html! {
            <>
                <details class="menu" id="share-menu">
                    <summary>{ "Share ▾" }</summary>
                    <div class="menu-body" role="group" aria-label="Share">
                        <button id="copy-link" onclick={link.callback(|_| Msg::Link(LinkMsg::Copy))}
                                title="Copy a link to this exact state (paused: to this instant)">{ "Copy link" }</button>
                        if !embed {
                            <button id="embed-open" onclick={link.callback(|_| Msg::Dialog(DialogMsg::ShowEmbed(true)))}>{ "Embed…" }</button>
                        }
                    </div>
                </details>
                <details class="menu" id="export-menu">
                    <summary>{ "Export ▾" }</summary>
                    <div class="menu-body" role="group" aria-label="Import and export">
                        <button id="export-json" onclick={export(|| FileMsg::ExportJson)}>{ "Scenario JSON" }</button>
                        <button id="export-metrics" onclick={export(|| FileMsg::ExportMetrics)}>{ "Metrics CSV" }</button>
                        <button id="export-bill" onclick={export(|| FileMsg::ExportBill)}>{ "Bill CSV" }</button>
                        <button id="export-chart" onclick={export(|| FileMsg::ExportChart)}>{ "Chart SVG" }</button>
                        <button id="export-png" onclick={export(|| FileMsg::ExportPng)}>{ "Chart PNG" }</button>
                        <input id="import-file" type="file" accept=".json,application/json" onchange={on_file} />
                        <label class="import-label" for="import-file">{ "Import JSON…" }</label>
                    </div>
                </details>
                <button id="help-open" onclick={link.callback(|_| Msg::Dialog(DialogMsg::ShowHelp(true)))} title="Keyboard shortcuts (?)">{ "⌨ Keys" }</button>
            </>
        }
    }

    /// The link just copied, shown for copying by hand.
    fn copied_link_html(&self) -> Option<Html> {
        (!self.dialogs.copied_link.is_empty()).then(|| html! {
            <input id="share-link" class="share-link" type="text" readonly=true value={self.dialogs.copied_link.clone()}
                   aria-label="The copied link" />
        })
    }

    /// The transport and the timeline (unless an embed hides them), or
    /// with `more` a phone's further controls, which follow the stage.
    fn controls_html(&self, ctx: &Context<Self>, more: bool) -> Option<Html> {
        let link = ctx.link();
        let run = &self.run;
        let achieved = run.achieved_shown();
        (self.page.embed.controls != ControlsLevel::None).then(|| {
            html! {
                <><Controls running={run.clock.is_running()} speed={run.clock.speed()} {achieved}
                          now={run.handle.now()} end={run.handle.end()} seed={run.handle.scenario().seed}
                          on_toggle={link.callback(|()| Msg::Run(RunMsg::TogglePlay))}
                          on_step={link.callback(|()| Msg::Run(RunMsg::Step))}
                          on_restart={link.callback(|()| Msg::Run(RunMsg::Restart))}
                          on_new_seed={link.callback(|()| Msg::Run(RunMsg::NewSeed))}
                          on_speed={link.callback(|s| Msg::Run(RunMsg::SetSpeed(s)))} more={more} />
                if !more {
                    { self.timeline_html(ctx) }
                }</>
            }
        })
    }

    /// The stage and each side's cost meter beside its panel.
    fn main_html(&self) -> Html {
        let e = &self.page.embed;
        let (lambda_title, ec2_title) = titles(self.run.handle.scenario());
        let projector = self.page.view.projector;
        html! {
            <main class={classes!("main", (!e.shows("cost")).then_some("no-side"))}>
                if e.shows("stage") {
                    <div class="stage-col">
                        <StageOverlay frame={self.run.frame.clone()} {lambda_title} {ec2_title} {projector} captions={self.page.captions} traffic_factor={self.actions.traffic_factor}
                                      focus={self.tour.as_ref().and_then(|(t, i)| focus_of(&t.steps[*i].caption))} controls={e.controls == ControlsLevel::Full || !e.embed}
                                      on_action={self.callbacks.on_action.clone()} on_captions={self.callbacks.on_captions.clone()} />
                    </div>
                }
                if e.shows("cost") {
                    <CostMeters live={self.run.live.clone()} />
                }
            </main>
        }
    }

    /// The live actions ("Operations").
    fn actions_html(&self) -> Html {
        let ec2 = self.run.frame.snapshot.ec2.as_ref();
        let a = &self.actions;
        html! {
            <section class="params operations" aria-label="Operations">
                if let Some(n) = &a.note { <p class="note">{ n }</p> }
                <div class="groups">
                    <ActionsPanel has_ec2={ec2.is_some()} zones={ec2.map_or(0, |e| e.zones)}
                                  zones_down={ec2.map(|e| e.zones_down.clone()).unwrap_or_default()}
                                  traffic_factor={a.traffic_factor} error={a.error.clone()}
                                  log={a.log.clone()} on_action={self.callbacks.on_action.clone()}
                                  on_refused={self.callbacks.on_action_refused.clone()} />
                </div>
            </section>
        }
    }

    /// The charts and the parameter form, as the embed asks.
    fn lower_panels(&self) -> Html {
        let e = &self.page.embed;
        let s = self.run.handle.scenario();
        html! {
            <>
                if e.shows("charts") {
                    { fold("fold-charts", "Charts over time", html! {
                        <ChartsPanel samples={self.run.samples.clone()} x_max={s.duration_s}
                                     finished={self.run.handle.now() >= self.run.handle.end()} />
                    }) }
                    { fold("fold-breakeven", "Break-even", html! { <BreakEvenPanel scenario={s.clone()} /> }) }
                }
                if e.shows("params") || (e.embed && e.controls == ControlsLevel::Full) {
                    { fold("fold-params", "Parameters", html! {
                        <ParamsPanel scenario={s.clone()} error={self.setup.param_error.clone()} note={self.setup.note.clone()}
                                     free_tier={s.pricing.free_tier}
                                     on_set={self.callbacks.on_set.clone()} on_free_tier={self.callbacks.on_free_tier.clone()} />
                    }) }
                }
            </>
        }
    }

    /// The help overlay and the embed dialog, when open.
    fn overlays(&self, ctx: &Context<Self>, fragment: String) -> Html {
        let link = ctx.link();
        html! {
            <>
                if self.dialogs.help {
                    <HelpOverlay on_close={link.callback(|()| Msg::Dialog(DialogMsg::ShowHelp(false)))} />
                }
                if self.dialogs.embed {
                    <EmbedDialog app={web::app_url()} {fragment} title={self.scenario_title()}
                                 on_close={link.callback(|()| Msg::Dialog(DialogMsg::ShowEmbed(false)))} />
                }
            </>
        }
    }

    fn scenario_title(&self) -> String {
        let s = self.run.handle.scenario();
        if s.name.is_empty() {
            "scenario".into()
        } else {
            s.name.clone()
        }
    }
}
