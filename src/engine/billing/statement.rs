//! A statement: the bills of priced monthly usage (`fanout bill`'s output),
//! as the aligned table and as JSON, every line `quantity × rate = amount`.

use super::bill::{Bill, Rate};
use super::catalog::Region;
use super::money::Money;
use super::usage::MONTH_SECONDS;
use serde::Serialize;

/// Priced usage: the price table's Region and one bill per side.
#[derive(Clone, Debug)]
pub struct Statement {
    /// Region of the price table.
    pub region: Region,
    /// One bill per side (Lambda, EC2), in the order of the input.
    pub bills: Vec<Bill>,
}

/// The human-readable statement: per bill one aligned row per line, then
/// the total and the notes; with two bills, a side-by-side line.
pub fn render_table(priced: &Statement) -> String {
    let mut out = format!(
        "Monthly bill, {} prices (a 30-day month; amounts exact to the micro-dollar, shown in cents)\n",
        priced.region
    );
    for bill in &priced.bills {
        let rows: Vec<[String; 4]> = bill
            .lines
            .iter()
            .map(|l| {
                [
                    l.item.clone(),
                    format!("{} {}", l.quantity, l.unit),
                    l.rate.to_string(),
                    l.amount.to_string(),
                ]
            })
            .collect();
        let w = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
        let (w0, w1, w2) = (w(0), w(1), w(2));
        let w3 = w(3).max(bill.total.to_string().len());
        out.push_str(&format!("\n{}\n", bill.title));
        for r in &rows {
            out.push_str(&format!(
                "  {:<w0$}  {:>w1$} × {:<w2$} = {:>w3$}\n",
                r[0], r[1], r[2], r[3]
            ));
        }
        let label = format!("Total {}", bill.title);
        let pad = w0 + w1 + w2 + 7;
        out.push_str(&format!("  {label:<pad$}{:>w3$}\n", bill.total.to_string()));
        for note in &bill.notes {
            out.push_str(&format!("  * {note}\n"));
        }
    }
    if priced.bills.len() > 1 {
        out.push_str("\nSide by side:");
        for b in &priced.bills {
            out.push_str(&format!(" {} {};", b.title, b.total));
        }
        out.pop();
        out.push('\n');
    }
    out
}

/// The statement as `fanout bill --json` writes it.
#[derive(Serialize)]
pub struct StatementJson {
    region: String,
    month_hours: u64,
    bills: Vec<JsonBill>,
}

#[derive(Serialize)]
struct JsonBill {
    title: String,
    lines: Vec<JsonLine>,
    total: JsonMoney,
    notes: Vec<String>,
}

#[derive(Serialize)]
struct JsonLine {
    item: String,
    /// Exact when it fits 6 decimals.
    quantity: String,
    unit: String,
    rate: Rate,
    amount: JsonMoney,
}

#[derive(Serialize)]
struct JsonMoney {
    /// Exact [USD] to the micro-dollar, as a decimal string.
    usd: String,
    /// Exact [µ$].
    micro_usd: i64,
    /// Rounded to cents.
    display: String,
}

impl From<Money> for JsonMoney {
    fn from(m: Money) -> Self {
        JsonMoney {
            usd: m.to_exact_string(),
            micro_usd: m.as_micros(),
            display: m.to_string(),
        }
    }
}

impl From<&Statement> for StatementJson {
    fn from(p: &Statement) -> Self {
        StatementJson {
            region: p.region.to_string(),
            month_hours: MONTH_SECONDS / 3_600,
            bills: p
                .bills
                .iter()
                .map(|b| JsonBill {
                    title: b.title.clone(),
                    lines: b
                        .lines
                        .iter()
                        .map(|l| JsonLine {
                            item: l.item.clone(),
                            quantity: l.quantity.to_decimal_string(false),
                            unit: l.unit.clone(),
                            rate: l.rate.clone(),
                            amount: l.amount.into(),
                        })
                        .collect(),
                    total: b.total.into(),
                    notes: b.notes.clone(),
                })
                .collect(),
        }
    }
}
