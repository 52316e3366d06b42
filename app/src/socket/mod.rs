//! The server side of the live socket, above every domain: who may follow which topic (asking
//! the fairs and inquiries domains whose the booth or conversation is), and the relay that
//! carries events between server instances (re-reading each from the domain that owns it).
//! The protocol, the hub and the feed are `crate::live`, below the domains that publish.
pub mod relay;
pub mod service;
