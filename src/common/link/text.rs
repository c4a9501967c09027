//! The small text formats inside a link: exact seconds, speeds, percent
//! escapes, quoting of untrusted text, and where a named tour is read from.

use crate::engine::time::SimTime;

/// Seconds, with at most 6 decimals, as written in a link.
pub(super) fn fmt_secs(t: SimTime) -> String {
    let us = t.as_micros();
    let (s, frac) = (us / 1_000_000, us % 1_000_000);
    if frac == 0 {
        s.to_string()
    } else {
        format!("{s}.{frac:06}").trim_end_matches('0').to_string()
    }
}

/// Parses decimal seconds exactly (no float rounding) into a time.
pub(super) fn parse_secs(text: &str) -> Option<SimTime> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty()
        || frac.len() > 6
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let s: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let f: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().ok()?
    };
    s.checked_mul(1_000_000)?
        .checked_add(f)
        .map(SimTime::from_micros)
}

pub(super) fn fmt_speed(s: f64) -> String {
    if s.fract() == 0.0 && s.abs() < 1e15 {
        format!("{}", s as i64)
    } else {
        format!("{s}")
    }
}

/// Escapes everything but unreserved characters and `/` `:` `.`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Reverses [`percent_encode`] (and any `%XX` escape); None when the
/// escapes are broken or do not make UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Shortens untrusted text for a message.
pub(super) fn quote(s: &str) -> String {
    let mut q: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        q.push('…');
    }
    format!("“{q}”")
}

/// Where a tour named in a link is read from: a bare name means
/// `tours/<name>.json`; a path must stay on this site (no scheme, no
/// `//`, no `..`). Returns the relative URL to fetch.
pub fn tour_source(name: &str) -> Result<String, String> {
    if name.is_empty() || name.len() > 200 {
        return Err("the tour name is empty or longer than 200 characters".into());
    }
    if name.contains("..") || name.contains("//") || name.contains(':') || name.starts_with('/') {
        return Err(format!(
            "{} is not a tour on this site (a name like “intro” or a relative path like “tours/mine.json”)",
            quote(name)
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
    {
        return Err(format!(
            "{} may use only letters, digits, - _ . and /",
            quote(name)
        ));
    }
    if name.ends_with(".json") {
        Ok(name.to_string())
    } else if name.contains('/') || name.contains('.') {
        Err(format!("{} is a path but not a .json file", quote(name)))
    } else {
        Ok(format!("tours/{name}.json"))
    }
}
