//! OCOP certificates: the rules every domain applies to them (validity, expiry, where one stands
//! today) and the product's latest one. Cooperatives record them, the shop shows their stars,
//! the department keeps the registry and the traceability page prints them.
pub mod model;
#[cfg(feature = "ssr")]
pub mod service;
