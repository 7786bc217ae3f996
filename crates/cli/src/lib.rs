//! The `chuishao` binary's library half: reference data, the demo, and the commands' work,
//! shared with the integration tests.

pub mod city;
pub mod demo;
pub mod evaluate;
pub mod reference;
