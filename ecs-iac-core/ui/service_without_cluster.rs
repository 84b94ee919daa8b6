// A service needs its cluster and its task definition.
use ecs_iac_core::prelude::*;

fn main() {
    let mut stack = Stack::new("demo");
    let task = stack.add(TaskDefinition::fargate("task", Fargate::CPU_256_MEM_512));
    let _service = Service::new("service", &task);
}
