// A Fargate task definition needs its CPU/memory size.
use ecs_iac_core::prelude::*;

fn main() {
    let _task = TaskDefinition::fargate("app-task");
}
