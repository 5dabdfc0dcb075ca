//! Account input, parsed at the edge into checked values.

use serde::{Deserialize, Serialize};
use yijia_kernel::error::{FieldErrors, Message};
use yijia_kernel::{text, Role};

pub const MIN_PASSWORD: usize = 8;
pub const MAX_PASSWORD: usize = 128;

/// A request to create an account with one role over one scope. Codes name the scope.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccountInput {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub phone: String,
    pub role: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub subdistrict: String,
    #[serde(default)]
    pub community: String,
    #[serde(default)]
    pub grid: String,
    /// Empty: a password is generated and shown once.
    #[serde(default)]
    pub password: String,
}

/// The checked request.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub phone: String,
    pub role: Role,
    pub scope: ScopeCodes,
    pub password: Option<String>,
}

/// Codes naming a grant's scope; which ones are needed depends on the role.
#[derive(Debug, Clone, Default)]
pub struct ScopeCodes {
    pub district: String,
    pub subdistrict: String,
    pub community: String,
    pub grid: String,
}

impl NewAccountInput {
    pub fn parse(&self) -> yijia_kernel::Result<NewAccount> {
        let mut e = FieldErrors::default();
        let username = username(&mut e, "username", &self.username);
        let display_name = text::required(&mut e, "display_name", &self.display_name, 40);
        let phone = text::phone(&mut e, "phone", &self.phone);
        let role = Role::parse(self.role.trim()).filter(|r| *r != Role::Integration);
        if role.is_none() {
            e.add("role", Message::new("accounts.unknown_role"));
        }
        let password = if self.password.is_empty() {
            None
        } else {
            check_password(&mut e, "password", &self.password);
            Some(self.password.clone())
        };
        let mut code = |field: &str, v: &str| {
            if v.trim().is_empty() {
                String::new()
            } else {
                text::code(&mut e, field, v)
            }
        };
        let scope = ScopeCodes {
            district: code("district", &self.district),
            subdistrict: code("subdistrict", &self.subdistrict),
            community: code("community", &self.community),
            grid: code("grid", &self.grid),
        };
        if let Some(r) = role {
            match r {
                Role::PlatformAdmin => {}
                Role::Supervisor if scope.district.is_empty() && scope.subdistrict.is_empty() => {
                    e.add("district", Message::new("accounts.scope_needed"));
                }
                Role::GridWorker if scope.grid.is_empty() || scope.community.is_empty() => {
                    e.add(
                        if scope.community.is_empty() {
                            "community"
                        } else {
                            "grid"
                        },
                        Message::new("accounts.scope_needed"),
                    );
                }
                Role::Supervisor | Role::GridWorker => {}
                _ if scope.community.is_empty() => e.add("community", Message::new("accounts.scope_needed")),
                _ => {}
            }
        }
        e.into_result()?;
        Ok(NewAccount {
            username,
            display_name,
            phone,
            role: role.unwrap_or(Role::Resident),
            scope,
            password,
        })
    }
}

/// A username: 3–32 of lowercase ASCII letters, digits, `.`, `_`, `-` (a phone number works).
pub fn username(e: &mut FieldErrors, field: &str, value: &str) -> String {
    let v = value.trim().to_ascii_lowercase();
    let n = v.chars().count();
    if v.is_empty() {
        e.add(field, Message::new("field.required"));
    } else if !(3..=32).contains(&n)
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        e.add(field, Message::new("accounts.bad_username"));
    }
    v
}

/// A new password: 8–128 characters.
pub fn check_password(e: &mut FieldErrors, field: &str, value: &str) {
    let n = value.chars().count();
    if n < MIN_PASSWORD {
        e.add(field, Message::new("accounts.password_short").arg("min", MIN_PASSWORD));
    } else if n > MAX_PASSWORD {
        e.add(
            field,
            Message::new("field.too_long").arg("max", MAX_PASSWORD).arg("len", n),
        );
    }
}

/// An account as the API shows it.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct AccountView {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub phone: String,
    pub locale: String,
    pub status: String,
    pub created_at: i64,
}

/// A role grant as the API shows it.
#[derive(Debug, Serialize, sqlx::FromRow, Clone)]
pub struct GrantView {
    pub account_id: i64,
    pub role: String,
    pub scope_kind: String,
    pub scope_name: Option<String>,
    pub community_id: Option<i64>,
    pub grid_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: &str) -> NewAccountInput {
        NewAccountInput {
            username: "Wang.Li".into(),
            display_name: "王丽".into(),
            role: role.into(),
            community: "XLG".into(),
            ..Default::default()
        }
    }

    #[test]
    fn usernames_are_folded_to_lowercase() {
        assert_eq!(input("resident").parse().unwrap().username, "wang.li");
    }

    #[test]
    fn a_grid_worker_needs_a_grid() {
        let Err(yijia_kernel::Error::Validation(f)) = input("grid_worker").parse() else {
            panic!()
        };
        assert!(f.get("grid").is_some());
    }

    #[test]
    fn an_unknown_or_internal_role_is_refused() {
        assert!(input("root").parse().is_err());
        assert!(input("integration").parse().is_err());
    }

    #[test]
    fn short_passwords_are_refused() {
        let mut i = input("resident");
        i.password = "1234567".into();
        assert!(i.parse().is_err());
        i.password = "西邻驿家西邻驿家".into();
        assert!(i.parse().is_ok());
    }
}
