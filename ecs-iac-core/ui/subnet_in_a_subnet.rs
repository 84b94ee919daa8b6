// References are typed: a subnet takes a VPC, not another subnet.
use ecs_iac_core::prelude::*;

fn main() {
    let mut stack = Stack::new("demo");
    let vpc = stack.add(Vpc::new("vpc", cidr("10.0.0.0/16")));
    let a = stack.add(Subnet::private("a", &vpc, cidr("10.0.1.0/24"), Az::US_EAST_1A));
    let _b = Subnet::private("b", &a, cidr("10.0.2.0/24"), Az::US_EAST_1B);
}
