//! Validation and synthesis: compiling a stack to its ordered list of API requests.

use crate::diagnostic::{Diagnostic, Invalid, Rule};
use crate::graph::topological_order;
use crate::kind::Kind;
use crate::lower::{Cx, Index, Node};
use crate::stack::Stack;
use foldhash::HashMap;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Every problem of a stack, errors and warnings, in resource order. Nothing stops at
/// the first problem.
pub fn validate(stack: &Stack) -> Vec<Diagnostic> {
    compile(stack).1
}

/// Lowers every resource and checks everything; returns nodes in dependency order.
fn compile(stack: &Stack) -> (Vec<Node>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    check_names(stack, &mut diagnostics);
    // Most resources lower to one or two requests: sized once, these large buffers are not
    // copied as they grow (and each resource's lists reuse one buffer).
    let expected = stack.entries.len() + stack.entries.len() / 2;
    let mut nodes = Vec::with_capacity(expected);
    let mut placeholder_texts = Vec::with_capacity(expected);
    let mut buffers = (Vec::new(), Vec::new(), Vec::new());
    let index = Index::new(stack);
    for entry in &stack.entries {
        let spec = entry.resource.spec();
        let mut cx = Cx {
            stack,
            index: &index,
            meta: spec.meta(),
            extra_deps: &entry.depends_on,
            diagnostics: std::mem::take(&mut buffers.0),
            nodes: std::mem::take(&mut buffers.1),
            placeholder_texts: std::mem::take(&mut buffers.2),
        };
        if let Some((name, rule)) = spec.aws_name() {
            if let Some(problem) = rule.check(&name) {
                cx.error(Rule::AwsName, rule.field, problem);
            }
        }
        for (i, dep) in entry.depends_on.iter().enumerate() {
            if stack.resolve(dep).is_none() {
                cx.error(
                    Rule::UnknownReference,
                    format!("depends_on[{i}]"),
                    format!(
                        "depends on {} `{}`, which is not in stack `{}`",
                        dep.kind(),
                        dep.name(),
                        stack.name
                    ),
                );
            }
        }
        spec.validate(&mut cx);
        spec.lower(&mut cx);
        diagnostics.append(&mut cx.diagnostics);
        nodes.append(&mut cx.nodes);
        placeholder_texts.append(&mut cx.placeholder_texts);
        buffers = (cx.diagnostics, cx.nodes, cx.placeholder_texts);
    }
    // The kind of every node, for both placeholder checks; the dependencies they find
    // are added once both are done with it.
    let kinds: HashMap<&str, Kind> = nodes.iter().map(|n| (n.address.as_str(), n.kind)).collect();
    let found = check_placeholders(
        stack,
        &index,
        &nodes,
        &kinds,
        &placeholder_texts,
        &mut diagnostics,
    );
    drop(placeholder_texts);
    crate::output::check(stack, &mut diagnostics);
    check_output_placeholders(stack, &kinds, &mut diagnostics);
    drop(kinds);
    add_dependencies(&mut nodes, found);
    crate::request_checks::check_requests(stack, &nodes, &mut diagnostics);
    match topological_order(&nodes) {
        Ok(order) => {
            permute(&mut nodes, order);
            (nodes, diagnostics)
        }
        Err(cycle) => {
            let first = cycle
                .first()
                .map(|a| a.split('#').next().unwrap_or(a).to_string())
                .unwrap_or_default();
            diagnostics.push(Diagnostic::new(
                Rule::DependencyCycle,
                first,
                "",
                format!(
                    "dependency cycle: {}; remove one of the references or explicit dependencies",
                    cycle.join(" -> ")
                ),
            ));
            (nodes, diagnostics)
        }
    }
}

/// Puts `items[order[k]]` at position `k`, in place (`order` is a permutation).
fn permute<T>(items: &mut [T], order: Vec<usize>) {
    // `at[i]`: where the item now at position `i` must go.
    let mut at = vec![0; order.len()];
    for (k, &i) in order.iter().enumerate() {
        at[i] = k;
    }
    for i in 0..items.len() {
        while at[i] != i {
            let j = at[i];
            items.swap(i, j);
            at.swap(i, j);
        }
    }
}

fn valid_logical_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('/')
        && !name.ends_with('/')
        && !name.contains("//")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_/".contains(c))
}

fn check_names(stack: &Stack, out: &mut Vec<Diagnostic>) {
    if stack.name.is_empty()
        || stack.name.len() > 128
        || !stack
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
    {
        out.push(Diagnostic::new(
            Rule::InvalidName,
            "",
            "",
            format!(
                "stack name `{}` must be 1-128 letters, digits, `-` or `_`",
                stack.name
            ),
        ));
    }
    let mut logical = BTreeSet::new();
    let mut aws: BTreeMap<(Kind, String), &str> = BTreeMap::new();
    for entry in &stack.entries {
        let name = entry.resource.logical_name();
        let address = name;
        if !valid_logical_name(name) {
            out.push(Diagnostic::new(
                Rule::InvalidName,
                address,
                "",
                format!("logical name `{name}` must be 1-128 letters, digits, `-`, `_` or `/` (not at the ends)"),
            ));
        }
        if !logical.insert(name) {
            out.push(Diagnostic::new(
                Rule::DuplicateName,
                address,
                "",
                format!("another resource is already named `{name}`; logical names are unique in a stack"),
            ));
        }
        if let Some((aws_name, rule)) = entry.resource.spec().aws_name() {
            let kind = entry.resource.kind();
            if let Some(first) = aws.insert((kind, aws_name.clone()), name) {
                if first != name {
                    out.push(Diagnostic::new(
                        Rule::DuplicateName,
                        address,
                        rule.field,
                        format!("{} `{aws_name}` is also used by `{first}`; AWS names of one kind must differ", rule.field),
                    ));
                }
            }
        }
    }
}

/// The compiled stack: every API request, in dependency order, and the outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Synth {
    /// The stack's name.
    pub stack: String,
    /// The requests, dependencies first.
    pub nodes: Vec<Node>,
    /// The declared outputs, placeholders unresolved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<crate::output::OutputSpec>,
}

/// One row of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestEntry {
    /// The node address.
    pub address: String,
    /// The node kind.
    pub kind: Kind,
    /// `service:Action`, e.g. `ecs:RegisterTaskDefinition`.
    pub operation: String,
    /// The request file, relative to the output directory.
    pub file: String,
    /// Addresses that must exist first.
    pub depends_on: Vec<String>,
}

/// A file of the synth output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthFile {
    /// Path relative to the output directory.
    pub path: String,
    /// File contents (pretty JSON with a final newline).
    pub contents: String,
}

/// Reports every placeholder (`${name.attribute}`, written by hand in an environment
/// value, a tag, …) that names no node of the stack, or an attribute its kind does not
/// record: it could never be resolved, and apply would fail after creating other things;
/// and returns the placeholders that name another resource of the stack, as `(node
/// index, address)` dependencies to add. It reads the strings noted as each body was
/// rendered (`texts`, one list per node), not the bodies; `kinds` is each node's kind.
fn check_placeholders(
    stack: &Stack,
    index: &Index<'_>,
    nodes: &[Node],
    kinds: &HashMap<&str, Kind>,
    texts: &[Vec<String>],
    out: &mut Vec<Diagnostic>,
) -> Vec<(usize, String)> {
    let mut found: Vec<(usize, String)> = Vec::new();
    let placeholders = nodes
        .iter()
        .zip(texts)
        .enumerate()
        .flat_map(|(i, (node, texts))| texts.iter().map(move |text| (i, node, text.as_str())));
    for (i, node, text) in placeholders {
        crate::resolve::each_placeholder_in(text, |address, attribute| {
            if let Some(problem) = placeholder_problem(stack, kinds, address, attribute) {
                out.push(Diagnostic::new(
                    Rule::UnknownAttribute,
                    node.resource.to_string(),
                    path_of_placeholder(&node.body, address, attribute),
                    problem,
                ));
            }
            if address != node.address
                && address != "aws"
                && index.resources.contains(address)
                && node
                    .depends_on
                    .binary_search_by(|d| d.as_str().cmp(address))
                    .is_err()
            {
                found.push((i, address.to_string()));
            }
        });
    }
    found
}

/// Adds the dependencies [`check_placeholders`] found, keeping each list sorted.
fn add_dependencies(nodes: &mut [Node], found: Vec<(usize, String)>) {
    for (i, address) in found {
        let deps = &mut nodes[i].depends_on;
        if let Err(at) = deps.binary_search(&address) {
            deps.insert(at, address);
        }
    }
}

/// The same check for the outputs' values.
fn check_output_placeholders(
    stack: &Stack,
    kinds: &HashMap<&str, Kind>,
    out: &mut Vec<Diagnostic>,
) {
    for (i, o) in stack.outputs.iter().enumerate() {
        crate::resolve::each_placeholder_in(o.value.as_str(), |address, attribute| {
            if let Some(problem) = placeholder_problem(stack, kinds, address, attribute) {
                out.push(Diagnostic::new(
                    Rule::UnknownAttribute,
                    format!("output:{}", o.name),
                    format!("outputs[{i}]"),
                    problem,
                ));
            }
        });
    }
}

/// Why the placeholder `${address.attribute}` can never be resolved in `stack` (whose
/// nodes have `kinds`).
fn placeholder_problem(
    stack: &Stack,
    kinds: &HashMap<&str, Kind>,
    address: &str,
    attribute: &str,
) -> Option<String> {
    match (address, kinds.get(address)) {
        ("aws", _) if matches!(attribute, "account_id" | "region" | "partition") => None,
        ("aws", _) => Some(format!(
            "`${{aws.{attribute}}}` is not a value ecs-iac knows; `${{aws.account_id}}`, `${{aws.region}}` and `${{aws.partition}}` are"
        )),
        (_, None) => Some(format!(
            "`${{{address}.{attribute}}}` names no resource of stack `{}`; pass the resource's reference instead of writing its name",
            stack.name
        )),
        (_, Some(kind))
            if attribute == "secret_value" && matches!(*kind, Kind::SECRET_REF | Kind::SECRET) =>
        {
            None
        }
        (_, Some(kind)) if kind.spec().attribute(attribute).is_some() => None,
        (_, Some(kind)) => Some(format!(
            "`{address}` ({kind}) has no attribute `{attribute}`; it records {}",
            kind.spec()
                .attributes
                .iter()
                .map(|a| format!("`{}`", a.name))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The path of the first string in `body` holding `${address.attribute}`.
fn path_of_placeholder(body: &Value, address: &str, attribute: &str) -> String {
    fn walk(value: &Value, path: &mut String, needle: &str) -> bool {
        match value {
            Value::String(s) => s.contains(needle),
            Value::Array(items) => items.iter().enumerate().any(|(i, v)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(v, path, needle);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            Value::Object(map) => map.iter().any(|(k, v)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                let found = walk(v, path, needle);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = String::new();
    walk(body, &mut path, &format!("${{{address}.{attribute}}}"));
    path
}

/// Validates and compiles a stack. Fails with every diagnostic when any is an error.
pub fn synth(stack: &Stack) -> Result<Synth, Invalid> {
    let (nodes, diagnostics) = compile(stack);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Invalid(diagnostics));
    }
    Ok(Synth {
        stack: stack.name.clone(),
        nodes,
        outputs: crate::output::render(stack),
    })
}

fn file_stem(address: &str) -> String {
    address
        .chars()
        .map(|c| match c {
            '/' | '#' => '.',
            ':' => '-',
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' => c,
            _ => '_',
        })
        .collect()
}

fn pretty(value: &impl Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

impl Synth {
    /// The node at `address`.
    pub fn node(&self, address: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.address == address)
    }

    /// File names per node, unique even when two addresses sanitize alike.
    fn file_names(&self) -> Vec<String> {
        // The names of the files beside the requests are taken.
        let mut used: BTreeSet<String> = ["manifest.json", "outputs.json"]
            .into_iter()
            .map(String::from)
            .collect();
        self.nodes
            .iter()
            .map(|n| {
                let stem = file_stem(&n.address);
                let mut name = format!("{stem}.json");
                let mut k = 2;
                while !used.insert(name.clone()) {
                    name = format!("{stem}-{k}.json");
                    k += 1;
                }
                name
            })
            .collect()
    }

    /// The manifest: one entry per request, in dependency order.
    pub fn manifest(&self) -> Vec<ManifestEntry> {
        self.nodes
            .iter()
            .zip(self.file_names())
            .map(|(n, file)| ManifestEntry {
                address: n.address.clone(),
                kind: n.kind,
                operation: n.operation.to_string(),
                file,
                depends_on: n.depends_on.clone(),
            })
            .collect()
    }

    /// Every output file: one request body per node plus `manifest.json` (and
    /// `outputs.json` when the stack declares outputs). Byte-for-byte deterministic.
    pub fn files(&self) -> Vec<SynthFile> {
        let mut files: Vec<SynthFile> = self
            .nodes
            .iter()
            .zip(self.file_names())
            .map(|(n, path)| SynthFile {
                path,
                contents: pretty(&n.body),
            })
            .collect();
        files.push(SynthFile {
            path: "manifest.json".to_string(),
            contents: pretty(&self.manifest()),
        });
        if !self.outputs.is_empty() {
            files.push(SynthFile {
                path: "outputs.json".to_string(),
                contents: pretty(&self.outputs),
            });
        }
        files
    }

    /// The dependency graph in Graphviz DOT, one box per request.
    pub fn to_dot(&self) -> String {
        let mut out = format!(
            "digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box];\n",
            self.stack
        );
        for n in &self.nodes {
            out.push_str(&format!(
                "  \"{}\" [label=\"{}\\n{}\"];\n",
                n.address, n.address, n.operation
            ));
        }
        for n in &self.nodes {
            for d in &n.depends_on {
                out.push_str(&format!("  \"{}\" -> \"{}\";\n", n.address, d));
            }
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_in_any_request_string_orders_the_apply_and_is_checked() {
        use crate::prelude::*;
        let build = |value: &str, ownership: &str| {
            let mut stack = Stack::new("tags");
            stack.add(Topic::new("topic", "events"));
            stack.add(
                Bucket::new("bucket", "tags-bucket-1")
                    .tag("events", value)
                    .tag(crate::STACK_TAG, ownership),
            );
            stack
        };
        // S3 tags are their own request (PutBucketTagging), written by hand-made bodies.
        let good = synth(&build("${topic.arn}", "x")).unwrap();
        let tags = good.node("bucket#tags").unwrap();
        assert!(tags.depends_on.contains(&"topic".to_string()), "{tags:?}");
        let bad = validate(&build("${topic.arm}", "x"));
        assert!(
            bad.iter().any(|d| d.rule == Rule::UnknownAttribute
                && d.address == "bucket"
                && d.message
                    .contains("`topic` (sns.topic) has no attribute `arm`")),
            "{bad:#?}"
        );
        // A value under an ownership key is never written (the stack's own wins), so its
        // placeholder neither orders nor fails anything.
        let shadowed = synth(&build("plain", "${topic.arm}")).unwrap();
        assert!(shadowed
            .nodes
            .iter()
            .all(|n| !n.depends_on.contains(&"topic".to_string())));
    }

    #[test]
    fn permute_puts_each_item_where_the_order_says() {
        for order in [
            vec![],
            vec![0],
            vec![2, 0, 1],
            vec![1, 0, 3, 2],
            vec![3, 1, 4, 0, 2],
        ] {
            let mut items: Vec<usize> = (0..order.len()).map(|i| i * 10).collect();
            permute(&mut items, order.clone());
            let expected: Vec<usize> = order.iter().map(|i| i * 10).collect();
            assert_eq!(items, expected, "order {order:?}");
        }
    }

    #[test]
    fn file_stems_are_flat_and_safe() {
        assert_eq!(file_stem("network/vpc"), "network.vpc");
        assert_eq!(
            file_stem("public-rt#route:0.0.0.0/0"),
            "public-rt.route-0.0.0.0.0"
        );
    }

    #[test]
    fn logical_names() {
        assert!(valid_logical_name("network/vpc"));
        assert!(!valid_logical_name("/vpc"));
        assert!(!valid_logical_name("a.b"));
        assert!(!valid_logical_name(""));
    }
}
