//! The size floor of the browser bundle: a minimal Yew component plus the
//! engine as the app calls it (a scenario read and checked, simulated,
//! billed and reported as JSON), with nothing of the app's interface.
//! `scripts/size-floor.sh` builds it exactly like the app and prints both
//! sizes: whatever interface is built on this stack starts from this one.
//! It is a measurement, not a product: Trunk never builds it.

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<floor::Floor>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fanout-size-floor is a wasm32 size measurement: run scripts/size-floor.sh.");
    std::process::exit(1);
}

#[cfg(target_arch = "wasm32")]
mod floor {
    use fanout::engine::scenario::Scenario;
    use fanout::engine::Simulation;
    use web_sys::HtmlInputElement;
    use yew::prelude::*;

    /// Reads a scenario, runs it to its end and returns the report JSON,
    /// or every problem found: what the app does with a link or a file.
    fn run(text: &str) -> String {
        match Scenario::from_json(text) {
            Err(errors) => errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            Ok(sc) => match Simulation::new(&sc) {
                Err(e) => format!("{e:?}"),
                Ok(mut sim) => {
                    let end = sim.end();
                    sim.advance_to(end);
                    sim.report().to_json()
                }
            },
        }
    }

    /// A text field for a scenario, a Run button and the report.
    #[function_component(Floor)]
    pub fn floor() -> Html {
        let input = use_node_ref();
        let out = use_state(String::new);
        let onclick = {
            let (input, out) = (input.clone(), out.clone());
            Callback::from(move |_: MouseEvent| {
                if let Some(el) = input.cast::<HtmlInputElement>() {
                    out.set(run(&el.value()));
                }
            })
        };
        html! {
            <main>
                <input ref={input} aria-label="Scenario JSON" />
                <button {onclick}>{ "Run" }</button>
                <pre>{ (*out).clone() }</pre>
            </main>
        }
    }
}
