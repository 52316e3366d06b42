//! The shape of the code: layers that only point down (issue 19).
//!
//! Read from the sources' own `use crate::…`, `use super::…` and inline `crate::…` paths, so the
//! rules hold whatever feature set is compiled:
//! - **layers**: the foundation (`error`, `clock`, `db`, `lang`, …) imports nothing above it; `ui`
//!   imports only the foundation; domains import the foundation, `ui` and lower domains; the shell,
//!   the live socket's server side and the demo seed sit on top, and nothing imports them;
//! - **domains in one order**: a domain imports only domains below it in [`DOMAINS`], so no two
//!   domains import each other and the domains form no cycle;
//! - **through the front door**: a domain reaches another domain only through what its `mod.rs`
//!   makes public (Rust enforces that), and never its pages: a screen that shows several domains
//!   is put together a layer above, in the shell, from parts the domains export;
//! - **no import cycles** between any two files.
//!
//! No exemptions: a new import that breaks a rule fails the test, which names it.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The bottom layer: no domain knowledge.
const FOUNDATION: &[&str] =
    &["error", "clock", "db", "lang", "i18n_keys", "drafts", "export", "site", "token", "audit", "changes"];
/// Shared pieces of the interface (layout, guards, forms, widgets).
const UI: &str = "ui";
/// Domains from the bottom up: each may import only those before it.
const DOMAINS: &[&str] = &[
    "search",
    "media",
    "certificates",
    "live",
    "messages",
    "accounts",
    "notifications",
    "trace",
    "coops",
    "orders",
    "inquiries",
    "catalog",
    "admin",
    "fairs",
];
/// The top: assembles the domains, and nothing imports it.
const TOP: &[&str] = &["shell", "socket", "seed", ""];
/// What one domain may not reach in another: its pages. A part of its interface meant for others
/// (a product card, the add-to-cart button) lives in a module of its own; its other internals
/// are kept out by Rust itself (a module its `mod.rs` does not declare `pub`).
const PAGE_MODULES: &[&str] = &["pages", "moderation_pages"];

fn layer(top: &str) -> u8 {
    if FOUNDATION.contains(&top) {
        0
    } else if top == UI {
        1
    } else if DOMAINS.contains(&top) {
        2
    } else if TOP.contains(&top) {
        3
    } else {
        panic!("module `{top}` is in no layer: add it to FOUNDATION, DOMAINS or TOP in tests/layers.rs")
    }
}

/// Every module of `src/`, by path (`catalog::service`), with its file.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<String, PathBuf>) {
        let mut entries: Vec<_> =
            std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, src, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).expect("under src").with_extension("");
                let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                    parts.pop();
                }
                out.insert(parts.join("::"), path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    out
}

/// The source without comments and string literals, which may mention paths they do not use.
fn code_only(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1)) {
            ('/', Some('/')) => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ('/', Some('*')) => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            }
            ('"', _) => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            // A char literal such as '"' or '{' (not a lifetime: those have no closing quote).
            ('\'', _) if chars.get(i + 2) == Some(&'\'') => {
                i += 3;
            }
            ('\'', Some('\\')) => {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Splits `a, b::{c, d}, e` at the commas outside braces.
fn split_top(body: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(body[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(body[start..].trim());
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// The paths a `use` tree names: `crate::a::{b, c::{d}}` → `crate::a::b`, `crate::a::c::d`.
fn use_paths(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(inner) = tree.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        for item in split_top(inner) {
            use_paths(prefix, item, out);
        }
        return;
    }
    let join = |p: &str| if prefix.is_empty() { p.to_string() } else { format!("{prefix}::{p}") };
    match tree.find("::{") {
        Some(at) if tree.ends_with('}') => use_paths(&join(&tree[..at]), &tree[at + 2..], out),
        _ => out.push(join(tree.split(" as ").next().unwrap_or(tree).trim())),
    }
}

/// The crate paths a file names, in `use` items and inline.
fn named_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = String::new();
    let mut cursor = 0;
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    while let Some(at) = code[cursor..].find("use ") {
        let start = cursor + at;
        let before_ok = code[..start].chars().next_back().is_none_or(|c| !is_ident(c));
        rest.push_str(&code[cursor..start]);
        let Some(end) = code[start..].find(';') else { break };
        let item = &code[start + 4..start + end];
        if before_ok {
            let tree: String = item.split_whitespace().collect::<Vec<_>>().join(" ");
            let tree = tree.replace(":: ", "::").replace(" ::", "::").replace("{ ", "{").replace(" }", "}");
            if ["crate::", "super::", "self::"].iter().any(|p| tree.starts_with(p)) {
                use_paths("", &tree, &mut out);
            }
        } else {
            rest.push_str(&code[start..start + end + 1]);
        }
        cursor = start + end + 1;
    }
    rest.push_str(&code[cursor..]);
    // Inline paths: `crate::x::y`, `super::x`.
    let bytes: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let at_word = i == 0 || !is_ident(bytes[i - 1]);
        let tail: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        if at_word && (tail.starts_with("crate::") || tail.starts_with("super::")) {
            let mut j = i;
            while j < bytes.len() && (is_ident(bytes[j]) || bytes[j] == ':') {
                j += 1;
            }
            out.push(bytes[i..j].iter().collect::<String>().trim_end_matches(':').to_string());
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// The module a path lands in, named in the module `from` (`self` is `from`, `super` its parent).
fn resolve(path: &str, from: &str, mods: &BTreeMap<String, PathBuf>) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = if from.is_empty() { vec![] } else { from.split("::").collect() };
    if parts.first() == Some(&"crate") {
        base.clear();
        parts.remove(0);
    } else {
        while let Some(&head) = parts.first() {
            match head {
                "super" => {
                    base.pop();
                }
                "self" => {}
                _ => break,
            }
            parts.remove(0);
        }
    }
    let full: Vec<&str> = base.into_iter().chain(parts).collect();
    (1..=full.len()).rev().map(|n| full[..n].join("::")).find(|m| mods.contains_key(m))
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

/// Files in import cycles: the strongly connected components with more than one file (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, node: &'a str) {
        let n = s.index.len();
        s.index.insert(node, n);
        s.low.insert(node, n);
        s.stack.push(node);
        s.on_stack.insert(node);
        if let Some(next) = s.graph.get(node) {
            for m in next {
                let m = m.as_str();
                if !s.index.contains_key(m) {
                    visit(s, m);
                    let low = s.low[node].min(s.low[m]);
                    s.low.insert(node, low);
                } else if s.on_stack.contains(m) {
                    let low = s.low[node].min(s.index[m]);
                    s.low.insert(node, low);
                }
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = Vec::new();
            while let Some(m) = s.stack.pop() {
                s.on_stack.remove(m);
                component.push(m.to_string());
                if m == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !s.index.contains_key(node.as_str()) {
            visit(&mut s, node);
        }
    }
    s.found.sort();
    s.found
}

/// Every import edge between two modules of the crate.
fn import_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules(src);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &mods {
        let code = code_only(&std::fs::read_to_string(file).expect("read a source file"));
        let entry = graph.entry(module.clone()).or_default();
        for path in named_paths(&code) {
            if let Some(target) = resolve(&path, module, &mods)
                && &target != module
            {
                entry.insert(target);
            }
        }
    }
    graph
}

/// What breaks the rules, one line each.
fn violations(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (from, targets) in graph {
        for to in targets {
            let (a, b) = (top(from), top(to));
            // The crate root only declares the modules.
            if a == b || from.is_empty() {
                continue;
            }
            let (la, lb) = (layer(a), layer(b));
            if lb > la || (lb == 3 && la == 3) {
                found.insert(format!("upward: {from} -> {to}"));
            } else if la == 2 && lb == 2 {
                let (ia, ib) = (DOMAINS.iter().position(|d| *d == a), DOMAINS.iter().position(|d| *d == b));
                if ib > ia {
                    found.insert(format!("upward: {from} -> {to}"));
                }
                if to.split("::").skip(1).any(|m| PAGE_MODULES.contains(&m)) {
                    found.insert(format!("into pages: {from} -> {to}"));
                }
            }
        }
    }
    for component in cycles(graph) {
        found.insert(format!("cycle: {}", component.join(" ")));
    }
    found
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_layers_only_point_down() {
    let found = violations(&import_graph(&src_dir()));
    assert!(
        found.is_empty(),
        "the import rules (tests/layers.rs) are broken by:\n  {}",
        found.iter().map(String::as_str).collect::<Vec<_>>().join("\n  "),
    );
}

/// The reader itself: these would pass silently if it missed paths.
#[test]
fn the_reader_sees_grouped_nested_inline_and_relative_imports() {
    let code = code_only(
        "use crate::a::{b, c::{d, e as f}};\n\
         use super::g;\n\
         // use crate::commented::out;\n\
         let s = \"crate::in::a::string\";\n\
         fn x() -> crate::h::I { super::super::j::k() }\n\
         let c = '\"'; let k = crate::after::quote;\n",
    );
    let paths = named_paths(&code);
    for expected in [
        "crate::a::b",
        "crate::a::c::d",
        "crate::a::c::e",
        "super::g",
        "crate::h::I",
        "super::super::j::k",
        "crate::after::quote",
    ] {
        assert!(paths.iter().any(|p| p == expected), "missed {expected} in {paths:?}");
    }
    assert!(!paths.iter().any(|p| p.contains("commented") || p.contains("string")), "{paths:?}");

    let mods: BTreeMap<String, PathBuf> = ["orders", "orders::model", "orders::pages", "ui", "ui::forms"]
        .iter()
        .map(|m| (m.to_string(), PathBuf::new()))
        .collect();
    assert_eq!(resolve("super::model::Cart", "orders::pages", &mods).as_deref(), Some("orders::model"));
    assert_eq!(resolve("self::model::Cart", "orders", &mods).as_deref(), Some("orders::model"));
    assert_eq!(resolve("crate::ui::forms::Field", "orders::pages", &mods).as_deref(), Some("ui::forms"));
}

#[test]
fn the_rules_catch_a_cycle_an_upward_import_and_a_reach_into_pages() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("ui::layout", vec!["accounts::pages"]),
        ("accounts::pages", vec!["ui::layout"]),
        ("search::service", vec!["orders::service"]),
        ("fairs::pages", vec!["catalog::pages", "catalog::components"]),
        ("catalog::service", vec!["orders::model", "db"]),
    ]
    .into_iter()
    .map(|(a, bs)| (a.to_string(), bs.into_iter().map(String::from).collect()))
    .collect();
    let found = violations(&graph);
    for expected in [
        "upward: ui::layout -> accounts::pages",
        "upward: search::service -> orders::service",
        "into pages: fairs::pages -> catalog::pages",
        "cycle: accounts::pages ui::layout",
    ] {
        assert!(found.contains(expected), "missed {expected:?} in {found:#?}");
    }
    assert!(!found.iter().any(|v| v.contains("catalog::service -> orders::model")), "{found:#?}");
    assert!(!found.iter().any(|v| v.contains("-> catalog::components")), "{found:#?}");
}
