//! The one integration-test binary of the workspace: each module is a test area.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[allow(dead_code)]
#[path = "../examples/visitor_book.rs"]
mod visitor_book;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/fintech.rs"]
mod fintech;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/fintech_hardened.rs"]
mod fintech_hardened;

#[allow(dead_code, clippy::duplicate_mod)]
#[path = "../examples/two_stacks.rs"]
mod two_stacks;

mod apply;
mod around;
mod cli;
mod drift;
mod examples;
mod existing;
mod fault_proxy;
mod kinds;
mod lint;
mod moto;
mod plan;
mod platform;
mod preflight;
mod secrets;
mod state_s3;
mod synth;
mod updates;
mod waiters;

/// The value of a future that is ready at once, as the local state store's are: usable
/// inside and outside a runtime.
pub fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => panic!("a local state store call was not ready at once"),
    }
}
