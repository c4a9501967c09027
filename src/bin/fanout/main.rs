//! `fanout`: the headless command line of the simulator.
//!
//! Exit codes: 0 success, 1 a runtime failure (e.g. a file that cannot be
//! read), 2 bad input (every problem is listed).

mod bill;
mod run;
mod sweep;

use clap::{Parser, Subcommand};
use fanout::engine::scenario::Scenario;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "fanout",
    version,
    about = "Simulate AWS Lambda and an EC2 fleet under the same traffic, and price both."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the version of the engine and the scenario format.
    Version,
    /// Price a month of usage: an itemized bill, every line quantity × rate = amount.
    Bill {
        /// Monthly usage totals (JSON; see static/usage/example.json).
        usage: PathBuf,
        /// Print the bill as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run a scenario headless and print its report.
    Run {
        /// The scenario (JSON; see static/scenarios/).
        scenario: PathBuf,
        /// Print the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Stop at this simulated time (e.g. 90s, 15m, 2h, 1d) instead of the scenario's duration.
        #[arg(long, value_name = "DURATION")]
        until: Option<String>,
    },
    /// Monthly cost of Lambda and of EC2 (fixed for the peak, and Auto
    /// Scaling) across request volumes, and the break-even volume.
    Sweep {
        /// The scenario whose traffic pattern is scaled (JSON; see static/scenarios/).
        scenario: PathBuf,
        /// Lowest volume (e.g. 10k, 2.5M, 1B).
        #[arg(long, value_name = "REQUESTS")]
        from: String,
        /// Highest volume (e.g. 1B).
        #[arg(long, value_name = "REQUESTS")]
        to: String,
        /// The volumes are requests per 30-day month (the only unit).
        #[arg(long)]
        per_month: bool,
        /// Volumes, log-spaced from --from to --to.
        #[arg(long, default_value_t = 11)]
        points: usize,
        /// Print CSV (requests_per_month,lambda_usd,ec2_fixed_usd,ec2_autoscaling_usd).
        #[arg(long)]
        csv: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => {
            println!(
                "fanout {} (scenario format version {})",
                env!("CARGO_PKG_VERSION"),
                1
            );
            ExitCode::SUCCESS
        }
        Command::Bill { usage, json } => bill::run(&usage, json),
        Command::Run {
            scenario,
            json,
            until,
        } => run::run(&scenario, json, until.as_deref()),
        Command::Sweep {
            scenario,
            from,
            to,
            per_month: _,
            points,
            csv,
        } => sweep::run(&sweep::Args {
            scenario: &scenario,
            from: &from,
            to: &to,
            points,
            csv,
        }),
    }
}

/// The text of `path`; an unreadable file is reported as `fanout {cmd}:
/// cannot read …` and exits with 1.
fn read_input(cmd: &str, path: &Path) -> Result<String, ExitCode> {
    std::fs::read_to_string(path).map_err(|e| {
        eprintln!("fanout {cmd}: cannot read {}: {e}", path.display());
        ExitCode::from(1)
    })
}

/// The scenario in `text` (read from `path`); an invalid one lists every
/// problem under `fanout {cmd}: {path} has N problem(s):` and exits with 2.
fn parse_scenario(cmd: &str, path: &Path, text: &str) -> Result<Scenario, ExitCode> {
    Scenario::from_json(text).map_err(|errors| {
        eprintln!(
            "fanout {cmd}: {} has {} problem(s):",
            path.display(),
            errors.len()
        );
        for e in &errors {
            eprintln!("  - {e}");
        }
        ExitCode::from(2)
    })
}
