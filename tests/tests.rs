//! The one integration-test binary of the workspace: each module is a test area.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

#[allow(dead_code)]
#[path = "../examples/visitor_book.rs"]
mod visitor_book;

#[allow(dead_code)]
#[path = "../examples/fintech.rs"]
mod fintech;

mod apply;
mod cli;
mod examples;
mod fault_proxy;
mod moto;
mod plan;
mod synth;
mod waiters;
