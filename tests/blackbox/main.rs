//! Black-box tests, one binary: each module runs its cases against every store.

mod conformance;
mod use_cases;
