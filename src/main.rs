//! The web entry point: mounts the Yew app. Built by Trunk for wasm32.

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::Renderer::<fanout::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fanout-web is the browser app: build it with `trunk build` (see README).");
    std::process::exit(1);
}
