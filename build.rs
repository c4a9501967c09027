//! Compiles the price catalog (`src/engine/billing/catalog/us-east-1.json`,
//! the single source of every price and its source) into Rust code that
//! builds the `Catalog` value, so the wasm bundle carries neither the JSON
//! text nor a deserializer for it. The JSON file stays the one place to edit
//! a price; `cargo` reruns this script when it changes, and a unit test
//! checks that the generated value equals the one serde reads from the file.
//!
//! The generator knows the shape of each catalog struct (field → type) and
//! refuses an unknown field, a wrong JSON type or an unknown `status` with a
//! build error naming the JSON path; a missing field is a compile error.

use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

const CATALOGS: &[(&str, &str)] = &[("us-east-1", "catalog_us_east_1.rs")];

/// Field types of each catalog struct, in the order of `catalog.rs`.
fn fields(ty: &str) -> Option<&'static [(&'static str, &'static str)]> {
    Some(match ty {
        "Catalog" => &[
            ("region", "Region"),
            ("currency", "String"),
            ("notes", "String"),
            ("lambda", "LambdaPrices"),
            ("ec2", "Ec2Prices"),
            ("alb", "AlbPrices"),
            ("sqs", "SqsPrices"),
            ("api_gateway", "ApiGatewayPrices"),
            ("s3", "S3Prices"),
            ("ebs_gp3", "Price"),
            ("public_ipv4", "Price"),
            ("t3_unlimited_surplus", "Price"),
        ],
        "Price" => &[
            ("usd", "PicoUsd"),
            ("per", "u64"),
            ("unit", "String"),
            ("status", "Provenance"),
            ("read", "String"),
            ("source", "String"),
        ],
        "Tier" => &[("up_to_gb_s", "Option<u64>"), ("price", "Price")],
        "PerArch<Vec<Tier>>" => &[("x86_64", "Vec<Tier>"), ("arm64", "Vec<Tier>")],
        "PerArch<Price>" => &[("x86_64", "Price"), ("arm64", "Price")],
        "LambdaFreeTier" => &[
            ("requests", "u64"),
            ("gb_seconds", "u64"),
            ("status", "Provenance"),
            ("read", "String"),
            ("source", "String"),
        ],
        "LambdaPrices" => &[
            ("requests", "Price"),
            ("duration", "PerArch<Vec<Tier>>"),
            ("provisioned_configured", "PerArch<Price>"),
            ("provisioned_duration", "PerArch<Price>"),
            ("ephemeral_storage", "Price"),
            ("included_ephemeral_storage_mb", "u32"),
            ("free_tier", "LambdaFreeTier"),
        ],
        "InstanceType" => &[
            ("name", "String"),
            ("vcpu", "u32"),
            ("memory_gib", "u32"),
            ("price", "Price"),
        ],
        "DiscountNote" => &[
            ("status", "Provenance"),
            ("read", "String"),
            ("source", "String"),
        ],
        "Ec2Prices" => &[
            ("instances", "Vec<InstanceType>"),
            ("discount", "DiscountNote"),
        ],
        "LcuDimensions" => &[
            ("new_connections_per_second", "u64"),
            ("active_connections_per_minute", "u64"),
            ("processed_bytes_per_hour_ec2", "u64"),
            ("processed_bytes_per_hour_lambda", "u64"),
            ("rule_evaluations_per_second", "u64"),
            ("status", "Provenance"),
            ("read", "String"),
            ("source", "String"),
        ],
        "AlbPrices" => &[
            ("hour", "Price"),
            ("lcu_hour", "Price"),
            ("lcu", "LcuDimensions"),
        ],
        "SqsPrices" => &[
            ("standard", "Price"),
            ("fifo", "Price"),
            ("free_requests", "u64"),
            ("chunk_bytes", "u64"),
            ("free_tier", "DiscountNote"),
        ],
        "ApiGatewayPrices" => &[("http", "Price"), ("rest", "Price")],
        "S3Prices" => &[("put", "Price"), ("get", "Price")],
        _ => return None,
    })
}

/// The Rust expression for JSON value `v` of Rust type `ty` at `path`.
fn expr(v: &Value, ty: &str, path: &str) -> String {
    let fail = |what: &str| -> ! { panic!("{path}: {what} (type {ty}, value {v})") };
    if let Some(fs) = fields(ty) {
        let Some(m) = v.as_object() else {
            fail("expected an object")
        };
        if let Some(k) = m.keys().find(|k| !fs.iter().any(|(f, _)| f == k)) {
            fail(&format!("unknown field `{k}`"));
        }
        let name = ty.split('<').next().unwrap_or(ty);
        let mut out = format!("{name} {{");
        for (f, fty) in fs {
            let Some(fv) = m.get(*f) else {
                fail(&format!("missing field `{f}`"))
            };
            write!(out, "{f}: {},", expr(fv, fty, &format!("{path}.{f}"))).unwrap();
        }
        out.push('}');
        return out;
    }
    if let Some(inner) = ty.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
        let Some(items) = v.as_array() else {
            fail("expected an array")
        };
        let parts: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, x)| expr(x, inner, &format!("{path}[{i}]")))
            .collect();
        return format!("vec![{}]", parts.join(","));
    }
    match ty {
        "String" => match v.as_str() {
            Some(s) => format!("String::from({s:?})"),
            None => fail("expected a string"),
        },
        "u64" | "u32" => match v.as_u64() {
            Some(n) if ty == "u64" || u32::try_from(n).is_ok() => format!("{n}"),
            _ => fail("expected a whole number in range"),
        },
        "Option<u64>" => match v {
            Value::Null => "None".into(),
            _ => format!("Some({})", expr(v, "u64", path)),
        },
        // Parsed at run time by `PicoUsd`'s own parser (the one serde uses),
        // so the generated value equals the deserialized one exactly.
        "PicoUsd" => match v {
            Value::String(s) => format!("pico({s:?})"),
            // As `PicoUsd`'s deserializer reads a number: Rust's shortest
            // round-trip decimal of the f64.
            Value::Number(n) => match n.as_f64() {
                Some(x) if x.is_finite() && x >= 0.0 => format!("pico({:?})", format!("{x}")),
                _ => fail("expected a non-negative price"),
            },
            _ => fail("expected a decimal string of dollars"),
        },
        "Provenance" => match v.as_str() {
            Some("aws") => "Provenance::Aws".into(),
            Some("secondary") => "Provenance::Secondary".into(),
            Some("assumption") => "Provenance::Assumption".into(),
            Some("override") => "Provenance::Override".into(),
            _ => fail("expected aws, secondary, assumption or override"),
        },
        "Region" => match v.as_str() {
            Some("us-east-1") => "Region::UsEast1".into(),
            _ => fail("expected a known region"),
        },
        _ => fail("no generator for this type"),
    }
}

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for (region, file) in CATALOGS {
        let src = format!("src/engine/billing/catalog/{region}.json");
        println!("cargo:rerun-if-changed={src}");
        let text = std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{src}: {e}"));
        let code = format!(
            "// Generated by build.rs from {src}: do not edit.\n{}\n",
            expr(&v, "Catalog", region)
        );
        std::fs::write(Path::new(&out).join(file), code).expect("OUT_DIR is writable");
    }
    minify_scenarios(&out);
    println!("cargo:rerun-if-changed=build.rs");
}

/// The example scenarios without the whitespace between their tokens, for
/// the presets the app compiles in (`common::presets`): the files stay
/// readable, the bundle carries less. Nothing else changes: keys keep their
/// order and strings are copied as they are.
fn minify_scenarios(out: &str) {
    minify_folder(out, "scenarios");
}

/// Every `static/<folder>/*.json` into `OUT_DIR/<folder>/`, minified.
fn minify_folder(out: &str, folder: &str) {
    let dir = Path::new(out).join(folder);
    std::fs::create_dir_all(&dir).expect("OUT_DIR is writable");
    let src = format!("static/{folder}");
    println!("cargo:rerun-if-changed={src}");
    let entries = std::fs::read_dir(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
    for e in entries {
        let path = e.expect("a readable directory").path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let (mut min, mut in_str, mut esc) = (String::with_capacity(text.len()), false, false);
        for c in text.chars() {
            if in_str {
                min.push(c);
                if esc {
                    esc = false;
                } else if c == '\\' {
                    esc = true;
                } else if c == '"' {
                    in_str = false;
                }
            } else if c == '"' {
                in_str = true;
                min.push(c);
            } else if !c.is_whitespace() {
                min.push(c);
            }
        }
        let name = path.file_name().expect("a file name");
        std::fs::write(dir.join(name), min).expect("OUT_DIR is writable");
    }
}
