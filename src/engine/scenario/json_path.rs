//! Where in a JSON text a parse error is: the path of the value being read
//! at serde_json's line and column (`sources[0].pattern.rate_per_s`, the
//! form serde_path_to_error writes), found by scanning the text up to that
//! point. Reading a scenario through serde_path_to_error doubled the
//! deserializer in the wasm bundle (about 120 KB before optimisation); an
//! error is rare, so the path is found again from the text instead.

/// One level of nesting while scanning.
enum Frame {
    /// An object: its current key, and whether that key's value has begun
    /// (after its `:`).
    Object(Option<String>),
    /// An array: the index of its current element.
    Array(usize),
}

/// The byte offset just after `column` bytes of line `line` (both 1-based,
/// as serde_json counts them), clamped to the text.
fn offset(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    (start + column).min(text.len())
}

/// The path of the value (or key) being read at `line`:`column`; "." for
/// the top level.
pub fn path_at(text: &str, line: usize, column: usize) -> String {
    let end = offset(text, line, column);
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                // A string: to its closing quote (or the error's place).
                let mut j = i + 1;
                while j < end && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let s = &text[i + 1..j.min(end).min(text.len())];
                if let Some(Frame::Object(key)) = stack.last_mut() {
                    if key.is_none() {
                        *key = Some(s.to_string());
                    }
                }
                i = j + 1;
                continue;
            }
            b'{' => stack.push(Frame::Object(None)),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object(key)) => *key = None,
                Some(Frame::Array(n)) => *n += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for f in &stack {
        match f {
            Frame::Object(Some(k)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Object(None) => {}
            Frame::Array(n) => {
                path.push('[');
                path.push_str(&n.to_string());
                path.push(']');
            }
        }
    }
    if path.is_empty() {
        ".".into()
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        rate: f64,
        #[serde(default)]
        name: String,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        seed: u64,
        items: Vec<Inner>,
    }

    /// The path serde_path_to_error gives and the one found from the text
    /// agree.
    fn both(text: &str) -> (String, String) {
        let de = &mut serde_json::Deserializer::from_str(text);
        let tracked = serde_path_to_error::deserialize::<_, Outer>(de).unwrap_err();
        let plain = serde_json::from_str::<Outer>(text).unwrap_err();
        (
            tracked.path().to_string(),
            path_at(text, plain.line(), plain.column()),
        )
    }

    #[test]
    fn finds_the_path_serde_path_to_error_finds() {
        for text in [
            r#"{"seed": "x", "items": []}"#,
            r#"{"seed": 1, "items": [{"rate": 1}, {"rate": "fast"}]}"#,
            r#"{"seed": 1, "items": [{"rate": 1}, {"rate": 2, "colour": 3}]}"#,
            "{\n  \"seed\": 1,\n  \"items\": [\n    {\"rate\": 1, \"name\": \"a,b}\"},\n    {\"rate\": true}\n  ]\n}",
            r#"{"seed": 1, "items": [{"name": "a \" quote"}, {"rate": []}]}"#,
            r#"{"seed": 1, "items": {"rate": 1}}"#,
            r#"{"seed": 1, "extra": 2, "items": []}"#,
        ] {
            let (tracked, found) = both(text);
            assert_eq!(found, tracked, "{text}");
        }
    }

    #[test]
    fn the_top_level_is_a_dot_and_offsets_clamp() {
        assert_eq!(path_at("[1, 2", 1, 99), "[1]");
        assert_eq!(path_at("", 3, 4), ".");
        assert_eq!(path_at("{\"a\": {\"b\": 1}}", 1, 15), ".");
    }
}
