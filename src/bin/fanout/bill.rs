//! `fanout bill usage.json [--json]`: the pricing calculator. Monthly usage
//! totals in, an itemized bill out, every line `quantity × rate = amount`.
//!
//! Reading and pricing the usage file is the library's
//! ([`fanout::engine::scenario::usage::price`]); this command prints the
//! statement or lists every problem (exit code 2).

use fanout::engine::billing::{render_table, StatementJson};
use fanout::engine::scenario::usage::price;
use std::path::Path;
use std::process::ExitCode;

/// Runs `fanout bill`.
pub fn run(path: &Path, json: bool) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    match price(&text) {
        Ok(statement) => {
            if json {
                match serde_json::to_string_pretty(&StatementJson::from(&statement)) {
                    Ok(s) => println!("{s}"),
                    Err(e) => {
                        eprintln!("error: cannot write JSON: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                print!("{}", render_table(&statement));
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            eprintln!("error: bad usage input in {}:", path.display());
            for problem in problems {
                eprintln!("  - {problem}");
            }
            ExitCode::from(2)
        }
    }
}
