//! Orders and payment: for now, the VietQR bank-transfer code shown on a bank-transfer order's
//! confirmation (issue 4 builds the cart, checkout and the order pipeline around it).
pub mod vietqr;
