//! Files in and out: the scenario, metrics and bill exported as downloads,
//! the over-time chart as SVG or PNG, and a scenario file imported (picked
//! or dropped) with every problem named.

use super::{App, Command, Msg};
use crate::ui::dialogs::import_export as io;
use crate::ui::web;
use yew::prelude::*;

/// Messages about files.
pub enum FileMsg {
    ExportJson,
    ExportMetrics,
    ExportBill,
    ExportChart,
    ExportPng,
    /// A file to import (picked or dropped).
    Import(web_sys::File),
    /// A file's text (or why it was not read): file name, result.
    Imported(String, Result<String, String>),
}

/// The first over-time chart's SVG markup, from the page.
fn chart_svg() -> Option<String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".charts figure svg").ok().flatten())
        .map(|e| e.outer_html())
}

impl App {
    pub(super) fn update_file(&mut self, ctx: &Context<Self>, msg: FileMsg) -> bool {
        match msg {
            FileMsg::Import(f) => self.import(ctx, f),
            FileMsg::Imported(name, r) => {
                let command = self.imported(name, r);
                self.command(command);
                true
            }
            export => {
                self.export(export);
                false
            }
        }
    }

    /// Downloads what `msg` asks for.
    fn export(&self, msg: FileMsg) {
        let scenario = self.run.handle.scenario();
        let stem = io::file_stem(scenario);
        match msg {
            FileMsg::ExportJson => web::download(
                &format!("{stem}.json"),
                "application/json",
                &scenario.to_json(),
            ),
            FileMsg::ExportMetrics => web::download(
                &format!("{stem}-metrics.csv"),
                "text/csv",
                &io::metrics_csv(self.run.handle.history().samples()),
            ),
            FileMsg::ExportBill => web::download(
                &format!("{stem}-bill.csv"),
                "text/csv",
                &io::bill_csv(&self.run.handle.bills()),
            ),
            FileMsg::ExportChart => {
                if let Some(svg) = chart_svg().and_then(|outer| io::standalone_svg(&outer)) {
                    web::download(&format!("{stem}-chart.svg"), "image/svg+xml", &svg);
                }
            }
            FileMsg::ExportPng => {
                if let Some(outer) = chart_svg() {
                    if let (Some(svg), Some((w, h))) =
                        (io::standalone_svg(&outer), io::svg_size(&outer))
                    {
                        web::download_png(&format!("{stem}-chart.png"), &svg, w, h, 2.0);
                    }
                }
            }
            FileMsg::Import(_) | FileMsg::Imported(..) => {}
        }
    }

    /// Starts reading a file, refusing a big one unread.
    fn import(&mut self, ctx: &Context<Self>, f: web_sys::File) -> bool {
        let name = f.name();
        let size = f.size() as u64;
        if let Err(e) = io::check_size(&name, size) {
            self.dialogs.import_errors = Some((name, vec![e]));
            return true;
        }
        let link = ctx.link().clone();
        let file = gloo::file::File::from(f);
        self.browser.reader = Some(gloo::file::callbacks::read_as_text(&file, move |r| {
            link.send_message(Msg::File(FileMsg::Imported(
                name,
                r.map_err(|e| format!("the file could not be read ({e})")),
            )))
        }));
        false
    }

    /// Opens an imported scenario; a refused one leaves the run and its
    /// settings as they were.
    fn imported(&mut self, name: String, r: Result<String, String>) -> Command {
        self.browser.reader = None;
        let s = match r.map_err(|e| vec![e]).and_then(|t| io::import(&t)) {
            Ok(s) => s,
            Err(errs) => {
                self.dialogs.import_errors = Some((name, errs));
                return Command::None;
            }
        };
        if let Err(e) = self.load(&s) {
            self.dialogs.import_errors = Some((name, e.iter().map(|e| e.to_string()).collect()));
            return Command::None;
        }
        self.setup.base = None;
        self.setup.preset = None;
        self.tour = None;
        self.run.seek = None;
        self.dialogs.import_errors = None;
        self.setup.param_error = None;
        self.setup.note = Some(format!("Imported {name}."));
        Command::SyncUrl { push: true }
    }
}
