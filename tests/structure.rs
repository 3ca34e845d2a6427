//! The core's module structure (issue 12): `src/sim` has no import cycle. Reads every module's paths to
//! its siblings (`use super::x`, `super::x::Y`, `crate::x`; its test module excluded) and finds the cycles.
//!
//! It reads paths, not calls, so two more tests check what paths cannot show: that every node's
//! handlers are its own (only the engine and the view are `impl Simulation` blocks), and that no node
//! module names the engine.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};

const KNOWN_CYCLES: &[&[&str]] = &[];

/// Each module of `src/sim` and the sibling modules it names.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim");
    // A folder (`broker/`) is one module: its files' code together.
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    let mut read = |name: String, path: &std::path::Path| {
        let text = std::fs::read_to_string(path).expect("readable");
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        sources.entry(name).or_default().push_str(code);
    };
    for entry in std::fs::read_dir(&dir).expect("src/sim") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            for file in std::fs::read_dir(&path).expect("a module folder") {
                let file = file.expect("entry").path();
                if file.extension().is_some_and(|ext| ext == "rs") {
                    read(name.clone(), &file);
                }
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            read(name, &path);
        }
    }
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, code) in &sources {
        let mut names = BTreeSet::new();
        for prefix in ["super::", "crate::"] {
            for (at, _) in code.match_indices(prefix) {
                let rest = &code[at + prefix.len()..];
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if modules.contains(&word) && word != *name {
                    names.insert(word);
                }
            }
            // `use super::{a, b::C}`
            for (at, _) in code.match_indices(&format!("{prefix}{{")) {
                let rest = &code[at + prefix.len() + 1..];
                let group = &rest[..rest.find('}').unwrap_or(0)];
                for item in group.split(',') {
                    let word = item.trim().split("::").next().unwrap_or("").to_string();
                    if modules.contains(&word) && word != *name {
                        names.insert(word);
                    }
                }
            }
        }
        graph.insert(name.clone(), names);
    }
    graph
}

/// The strongly connected components with more than one module (Tarjan's algorithm).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        let next = state.index.len();
        state.index.insert(node, next);
        state.low.insert(node, next);
        state.stack.push(node);
        state.on_stack.insert(node);
        for target in &state.graph[node] {
            let target = target.as_str();
            if !state.index.contains_key(target) {
                visit(state, target);
                let low = state.low[node].min(state.low[target]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(target) {
                let low = state.low[node].min(state.index[target]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            loop {
                let member = state.stack.pop().expect("on the stack");
                state.on_stack.remove(member);
                component.push(member.to_string());
                if member == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found.sort();
    state.found
}

#[test]
fn the_core_has_no_import_cycle() {
    let graph = imports();
    assert!(
        graph.len() > 15 && graph["engine"].contains("log"),
        "read the modules: {graph:?}"
    );
    let found = cycles(&graph);
    let known: Vec<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|cycle| cycle.iter().map(|name| name.to_string()).collect())
        .collect();
    assert_eq!(
        found, known,
        "import cycles in src/sim (a module and the ones it names: {graph:?})"
    );
}

/// The nodes whose handlers are their own (`impl Producer`, `impl Member`, `impl Group`, `impl Broker`,
/// `impl Controller`)
/// reach the rest of the run only through the kernel and what they are handed (a broker: its `Host`):
/// their modules name nothing of the engine (no `Simulation`).
#[test]
fn the_nodes_with_their_own_handlers_name_nothing_of_the_engine() {
    let graph = imports();
    for node in [
        "producer",
        "consumer",
        "coordinator",
        "broker",
        "host",
        "controller",
    ] {
        let names = graph
            .get(node)
            .unwrap_or_else(|| panic!("module {node}: {graph:?}"));
        assert!(
            !names.contains("engine"),
            "{node} names the engine: {names:?}"
        );
        assert!(
            names.contains("kernel") || names.contains("host"),
            "{node} works through the kernel (a broker, through its host): {names:?}"
        );
    }
}

/// A partition's registration (leader, ISR, leader epoch) is the controller's: the brokers change an ISR
/// only by AlterPartition (`Host::alter_partition`, which runs the controller's `metadata::alter_partition`),
/// and no broker or client code writes one.
#[test]
fn only_the_controller_writes_a_partitions_registration() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("broker"))
        .expect("src/sim/broker")
        .map(|entry| entry.expect("entry").path())
        .collect();
    for node in ["producer.rs", "consumer.rs", "coordinator.rs", "host.rs"] {
        files.push(root.join(node));
    }
    // The registration's fields, and the one mutable accessor (its log-keeping mark aside).
    let writes = [
        ".isr.push(",
        ".isr.retain(",
        ".isr = ",
        "partition.leader = ",
        ".leader_epoch += ",
        ".recovering = ",
        "partition_mut(",
    ];
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (number, line) in code.lines().enumerate() {
            let write = writes.iter().find(|write| line.contains(**write));
            assert!(
                write.is_none() || line.contains(".summarize_at = "),
                "{}:{}: writes a partition's registration: {line}",
                file.display(),
                number + 1
            );
        }
    }
    assert!(files.len() > 5, "read the node modules: {files:?}");
}

/// Every node's handlers are its own (`impl Producer`, `impl Member`, `impl Group`, `impl Broker`,
/// `impl Controller`), each changing only its node: only the engine (the dispatcher, the public API, and
/// what it carries between nodes) and the view (read-only) are `impl Simulation` blocks.
#[test]
fn only_the_engine_and_the_view_are_written_on_the_whole_simulation() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("src/sim") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let files: Vec<std::path::PathBuf> = if path.is_dir() {
            std::fs::read_dir(&path)
                .expect("a module folder")
                .map(|file| file.expect("entry").path())
                .collect()
        } else {
            vec![path]
        };
        for file in files
            .iter()
            .filter(|file| file.extension().is_some_and(|ext| ext == "rs"))
        {
            let text = std::fs::read_to_string(file).expect("readable");
            if text.lines().any(|line| line.starts_with("impl Simulation")) {
                found.insert(name.clone());
            }
        }
    }
    let expected: BTreeSet<String> = ["engine".to_string(), "view".to_string()].into();
    assert_eq!(found, expected, "modules with `impl Simulation` blocks");
}

#[test]
fn the_cycle_finder_finds_a_cycle_through_three_modules_and_none_in_a_chain() {
    let graph = |edges: &[(&str, &str)]| {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in edges {
            graph
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string());
            graph.entry(to.to_string()).or_default();
        }
        graph
    };
    let looped = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]);
    assert_eq!(
        cycles(&looped),
        vec![vec!["a".to_string(), "b".into(), "c".into()]]
    );
    let chain = graph(&[("a", "b"), ("b", "c"), ("a", "c")]);
    assert!(cycles(&chain).is_empty());
}
