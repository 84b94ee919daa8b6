// A service needs its cluster and its task definition.
use ecs_iac_core::prelude::*;

fn main() {
    let mut stack = Stack::new("demo");
    let cluster = stack.add(Cluster::new("cluster"));
    let _service = Service::new("service", &cluster);
}
