//! Run as `cargo test --test shape`.
//! The source tree's shape, checked: no file in `src/` over 800 lines, no
//! function over 150 lines (data tables are `const`/`static`, not functions),
//! and no import cycle among the engine's modules (a module never uses one
//! that uses it back). A newcomer's map of the code stays true only if these
//! hold; `docs/architecture.md` explains the layering.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 150;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src_files(under: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(under),
        &mut files,
    );
    files.sort();
    files
}

/// A line with string and char literals and `//` comments taken out, so that
/// braces inside them do not count.
fn code_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(d) = chars.next() {
                    match d {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                // A char literal ('{', '\n') or a lifetime ('a): skip the
                // literal only when it closes within three characters.
                let rest: String = chars.clone().take(4).collect();
                if let Some(end) = rest.find('\'') {
                    if end > 0 && (end == 1 || rest.starts_with('\\')) {
                        for _ in 0..=end {
                            chars.next();
                        }
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => break,
            _ => out.push(c),
        }
    }
    out
}

fn fn_name(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace().peekable();
    while let Some(w) = words.next() {
        match w {
            "pub" | "const" | "async" | "unsafe" | "extern" => continue,
            w if w.starts_with("pub(") => continue,
            "fn" => {
                let name = words.next()?;
                return name.split(['(', '<']).next();
            }
            _ => return None,
        }
    }
    None
}

/// Every function longer than `MAX_FN_LINES`, as (lines, "file:line name").
fn long_functions(path: &Path) -> Vec<(usize, String)> {
    let text = fs::read_to_string(path).expect("read");
    let lines: Vec<String> = text.lines().map(code_of).collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        let (mut depth, mut opened) = (0i32, false);
        for (end, body) in lines.iter().enumerate().skip(start) {
            if !opened && body.contains(';') && !body.contains('{') {
                break; // a declaration without a body
            }
            for c in body.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if opened && depth <= 0 {
                let length = end - start + 1;
                if length > MAX_FN_LINES {
                    found.push((length, format!("{}:{} {name}", path.display(), start + 1)));
                }
                break;
            }
        }
    }
    found
}

#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = src_files("src")
        .iter()
        .filter_map(|p| {
            let n = fs::read_to_string(p).expect("read").lines().count();
            (n > MAX_FILE_LINES).then(|| format!("{} has {n} lines", p.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn no_function_is_over_150_lines() {
    let mut long: Vec<(usize, String)> = src_files("src")
        .iter()
        .flat_map(|p| long_functions(p))
        .collect();
    long.sort();
    let text: Vec<String> = long
        .iter()
        .map(|(n, at)| format!("{n} lines: {at}"))
        .collect();
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        text.join("\n")
    );
}

#[test]
fn the_length_check_sees_a_long_function() {
    let dir = std::env::temp_dir().join(format!("fanout-shape-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("long.rs");
    let body = "    let _ = \"}\";\n".repeat(MAX_FN_LINES);
    fs::write(
        &file,
        format!("fn short() {{}}\npub(crate) fn long() {{\n{body}}}\n"),
    )
    .expect("write");
    let found = long_functions(&file);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, MAX_FN_LINES + 2);
    assert!(found[0].1.ends_with(" long"));
}

/// The engine module a file defines, as its path below `engine`.
fn module_of(engine: &Path, file: &Path) -> Vec<String> {
    let rel = file
        .strip_prefix(engine)
        .expect("under engine")
        .with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Engine module → the sibling modules it names (edges between the children
/// of the nearest common parent; a child naming its parent does not count).
fn module_graph(engine: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(engine, &mut files);
    files.sort();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(engine, f)).collect();
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let me = module_of(engine, file);
        let text: String = fs::read_to_string(file)
            .expect("read")
            .lines()
            .map(code_of)
            .collect::<Vec<_>>()
            .join("\n");
        let expanded = expand_use_groups(&text);
        let tokens = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .chain(expanded.iter().map(String::as_str));
        for token in tokens {
            let segments: Vec<&str> = token.split("::").filter(|s| !s.is_empty()).collect();
            let (base, rest): (Vec<String>, &[&str]) = match segments.as_slice() {
                ["crate", "engine", rest @ ..] => (Vec::new(), rest),
                ["self", rest @ ..] => (me.clone(), rest),
                ["super", ..] => {
                    let ups = segments.iter().take_while(|s| **s == "super").count();
                    (
                        me[..me.len().saturating_sub(ups)].to_vec(),
                        &segments[ups..],
                    )
                }
                _ => continue,
            };
            let mut target = base;
            for seg in rest {
                let mut next = target.clone();
                next.push((*seg).to_string());
                if modules.contains(&next) {
                    target = next;
                } else {
                    break;
                }
            }
            if target.is_empty()
                || target == me
                || me.starts_with(&target)
                || target.starts_with(&me)
            {
                continue;
            }
            let common = me.iter().zip(&target).take_while(|(a, b)| a == b).count();
            graph
                .entry(me[..=common].to_vec())
                .or_default()
                .insert(target[..=common].to_vec());
        }
    }
    graph
}

/// `use super::{a, b::c}` names `super::a` and `super::b::c`: the paths that
/// a brace group stands for, one level deep (a nested group's items are
/// found from its own prefix too).
fn expand_use_groups(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find("::{") {
        let at = from + found;
        let mut start = at;
        while start > 0
            && (bytes[start - 1].is_ascii_alphanumeric()
                || bytes[start - 1] == b'_'
                || bytes[start - 1] == b':')
        {
            start -= 1;
        }
        let prefix = &text[start..at];
        let (mut depth, mut item) = (0, String::new());
        for c in text[at + 3..].chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    paths.push(format!("{prefix}::{}", item.trim()));
                    item.clear();
                    continue;
                }
                _ => {}
            }
            if depth == 0 && (c.is_alphanumeric() || c == '_' || c == ':' || c.is_whitespace()) {
                item.push(c);
            }
        }
        paths.push(format!("{prefix}::{}", item.trim()));
        from = at + 3;
    }
    paths
        .into_iter()
        .map(|p| p.split_whitespace().next().unwrap_or("").to_string())
        .collect()
}

/// Each edge that lies on a cycle, as "a -> b -> … -> a".
fn cycles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<String> {
    let mut cycles = Vec::new();
    for (from, tos) in graph {
        for to in tos {
            let mut seen = BTreeSet::new();
            let mut stack = vec![to.clone()];
            while let Some(at) = stack.pop() {
                if &at == from {
                    cycles.push(format!(
                        "{} -> {} -> … -> {}",
                        from.join("::"),
                        to.join("::"),
                        from.join("::")
                    ));
                    break;
                }
                if seen.insert(at.clone()) {
                    stack.extend(graph.get(&at).into_iter().flatten().cloned());
                }
            }
        }
    }
    cycles
}

#[test]
fn engine_modules_have_no_import_cycle() {
    let engine = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
    let found = cycles(&module_graph(&engine));
    assert!(
        found.is_empty(),
        "engine import cycles:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_cycle_check_sees_a_cycle() {
    let dir = std::env::temp_dir().join(format!("fanout-cycle-{}", std::process::id()));
    fs::create_dir_all(dir.join("side")).expect("dir");
    fs::write(dir.join("mod.rs"), "pub mod a;\npub mod side;\n").expect("write");
    fs::write(dir.join("a.rs"), "use super::side::{view, Thing};\n").expect("write");
    fs::write(dir.join("side/mod.rs"), "pub mod view;\n").expect("write");
    fs::write(
        dir.join("side/view.rs"),
        "use crate::engine::a::X;\nuse super::super::a as _;\n",
    )
    .expect("write");
    let graph = module_graph(&dir);
    let found = cycles(&graph);
    assert_eq!(found.len(), 2, "{graph:?} {found:?}");
    fs::write(dir.join("side/view.rs"), "use super::Local;\n").expect("write");
    assert!(cycles(&module_graph(&dir)).is_empty());
}
