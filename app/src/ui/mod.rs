//! Shared widgets: the page frame, money, star badges and small marks used by every domain.
pub mod badges;
pub mod dates;
pub mod forms;
pub mod layout;
pub mod lazy;
pub mod money;
pub mod next;
