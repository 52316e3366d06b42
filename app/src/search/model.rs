//! Search types shared by the server and the browser.
use serde::{Deserialize, Serialize};

use crate::lang::Text;

/// One suggestion while typing: a product to open directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub slug: String,
    pub name: Text,
}

pub const MAX_SUGGESTIONS: i64 = 6;

/// The longest search text used, in characters: the product list and the suggestions cut
/// what is typed (or sent) to this before any folding or matching.
pub const MAX_QUERY_CHARS: usize = 100;
