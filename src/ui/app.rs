//! The top-level component: owns the virtual clock and the animation loop.

use super::clock::SimClock;
use super::stage::Stage;
use gloo::render::{request_animation_frame, AnimationFrame};
use yew::prelude::*;

/// Speeds offered by the speed control [× real time].
const SPEEDS: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];

pub enum Msg {
    /// An animation frame fired, with its timestamp [ms].
    Frame(f64),
    TogglePlay,
    SetSpeed(f64),
    Restart,
}

pub struct App {
    clock: SimClock,
    /// Dropping the handle cancels the pending frame.
    _frame: Option<AnimationFrame>,
}

impl App {
    fn request_frame(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self._frame = Some(request_animation_frame(move |ts| {
            link.send_message(Msg::Frame(ts))
        }));
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let mut app = App {
            clock: SimClock::new(1.0),
            _frame: None,
        };
        app.request_frame(ctx);
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Frame(ts) => {
                let before = self.clock.now();
                self.clock.tick(ts);
                self.request_frame(ctx);
                self.clock.now() != before
            }
            Msg::TogglePlay => {
                self.clock.toggle();
                true
            }
            Msg::SetSpeed(s) => {
                self.clock.set_speed(s);
                true
            }
            Msg::Restart => {
                self.clock.restart();
                true
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let running = self.clock.is_running();
        let speed_buttons = SPEEDS.iter().map(|&s| {
            let active = (self.clock.speed() - s).abs() < f64::EPSILON;
            html! {
                <button class={classes!("speed", active.then_some("active"))}
                        aria-pressed={active.to_string()}
                        onclick={link.callback(move |_| Msg::SetSpeed(s))}>
                    { format!("{}×", s as u64) }
                </button>
            }
        });
        html! {
            <div class="app">
                <header class="masthead">
                    <h1>{ "Fanout" }</h1>
                    <p class="tagline">
                        { "See how AWS compute scales and what it costs: events fan out to \
                           serverless Lambda functions that AWS scales for you, beside an EC2 \
                           fleet that you patch, scale and keep available yourself." }
                    </p>
                </header>
                <section class="toolbar" aria-label="Simulation controls">
                    <button id="play-toggle" class="primary" aria-pressed={(!running).to_string()}
                            onclick={link.callback(|_| Msg::TogglePlay)}>
                        { if running { "❚❚ Pause" } else { "▶ Play" } }
                    </button>
                    <button id="restart" onclick={link.callback(|_| Msg::Restart)}>{ "↺ Restart" }</button>
                    <span class="speeds" role="group" aria-label="Speed">{ for speed_buttons }</span>
                    <span class="clock" aria-live="off">
                        <span class="clock-label">{ "simulated time" }</span>
                        <output id="sim-clock">{ self.clock.now().to_string() }</output>
                    </span>
                </section>
                <Stage now={self.clock.now()} />
            </div>
        }
    }
}
