// A subnet needs its VPC.
use ecs_iac_core::prelude::*;

fn main() {
    let _subnet = Subnet::private("app-a", cidr("10.0.1.0/24"), Az::US_EAST_1A);
}
