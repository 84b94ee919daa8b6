//! Dependency order of nodes: a stable topological sort that reports cycles.

use crate::lower::Node;
use foldhash::HashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Node indices in dependency order (ties broken by declaration order), or the addresses
/// of one dependency cycle.
pub fn topological_order(nodes: &[Node]) -> Result<Vec<usize>, Vec<String>> {
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.address.as_str(), i))
        .collect();
    // Edges as one flat list, grouped by the node depended on (`dependents_of(d)`): one
    // allocation instead of a list per node.
    let mut edges: Vec<(usize, usize)> =
        Vec::with_capacity(nodes.iter().map(|n| n.depends_on.len()).sum());
    let mut indegree = vec![0usize; nodes.len()];
    let mut start = vec![0usize; nodes.len() + 1];
    for (i, node) in nodes.iter().enumerate() {
        for dep in &node.depends_on {
            if let Some(&d) = index.get(dep.as_str()) {
                if d != i {
                    indegree[i] += 1;
                    start[d + 1] += 1;
                    edges.push((d, i));
                }
            }
        }
    }
    for d in 0..nodes.len() {
        start[d + 1] += start[d];
    }
    let mut dependents = vec![0usize; edges.len()];
    let mut fill = start.clone();
    for (d, i) in edges {
        dependents[fill[d]] = i;
        fill[d] += 1;
    }
    let dependents_of = |d: usize| &dependents[start[d]..start[d + 1]];
    let mut ready: BinaryHeap<Reverse<usize>> = BinaryHeap::with_capacity(nodes.len());
    ready.extend((0..nodes.len()).filter(|&i| indegree[i] == 0).map(Reverse));
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &j in dependents_of(i) {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Reverse(j));
            }
        }
    }
    if order.len() == nodes.len() {
        return Ok(order);
    }
    // Walk dependencies from a node left over until one repeats: that is a cycle.
    let Some(start) = (0..nodes.len()).find(|&i| indegree[i] > 0) else {
        return Ok(order);
    };
    let mut path = vec![start];
    let mut current = start;
    loop {
        let next = nodes[current]
            .depends_on
            .iter()
            .filter_map(|d| index.get(d.as_str()).copied())
            .find(|&d| d != current && indegree[d] > 0);
        let Some(next) = next else { break };
        if let Some(pos) = path.iter().position(|&p| p == next) {
            let mut cycle: Vec<String> = path[pos..]
                .iter()
                .map(|&i| nodes[i].address.clone())
                .collect();
            cycle.push(nodes[next].address.clone());
            return Err(cycle);
        }
        path.push(next);
        current = next;
    }
    Err(path.iter().map(|&i| nodes[i].address.clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::Operation;
    use serde_json::json;

    fn node(address: &str, deps: &[&str]) -> Node {
        Node {
            address: address.to_string(),
            resource: address.to_string(),
            kind: crate::kind::Kind::VPC,
            operation: Operation {
                service: "test",
                action: "Create",
            },
            body: json!({}),
            depends_on: deps.iter().map(|d| d.to_string()).collect(),
            data_source: false,
            protection: Default::default(),
            initial_value: None,
        }
    }

    #[test]
    fn orders_dependencies_first_and_keeps_declaration_order_for_ties() {
        let nodes = vec![node("b", &["a"]), node("a", &[]), node("c", &[])];
        assert_eq!(topological_order(&nodes), Ok(vec![1, 0, 2]));
    }

    #[test]
    fn reports_a_cycle() {
        let nodes = vec![
            node("a", &["c"]),
            node("b", &["a"]),
            node("c", &["b"]),
            node("d", &[]),
        ];
        let cycle = topological_order(&nodes).unwrap_err();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4);
    }
}
