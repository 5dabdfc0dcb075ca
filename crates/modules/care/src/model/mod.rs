//! The rules of wishes and care visits, as pure functions with their tests.

pub mod pairing;
pub mod visits;
pub mod wish;
