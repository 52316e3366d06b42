//! What a signed-in user sees of their messages (`messages`): the bell in the header with its
//! unread count, rung live over the page's WebSocket; the notices page; the choice of emails and
//! their language on `/account`; and the page of an email's one-click unsubscribe link.
pub mod api;
pub mod bell;
pub mod pages;
