//! One use case per file: check permission, validate, write, audit, in one transaction.

pub mod change_password;
pub mod create_account;
pub mod login;
pub mod set_locale;
pub mod tokens;
