//! The structure's pages: the communities one may see, a community with its grids, and one
//! page shape for a grid, building, unit or household with its children.

pub mod community;
pub mod index;
pub mod node;

use yijia_kernel::Error;
use yijia_web::FormErrors;

/// Which form on a page is being shown again, with what the person typed and the errors.
pub struct Shown<T> {
    pub which: &'static str,
    pub input: T,
    pub errors: FormErrors,
}

impl<T: Default> Shown<T> {
    pub fn none() -> Shown<T> {
        Shown {
            which: "",
            input: T::default(),
            errors: FormErrors::default(),
        }
    }
}

impl<T> Shown<T> {
    pub fn is(&self, which: &str) -> bool {
        self.which == which
    }

    pub fn err(&self, which: &str, field: &str) -> Option<&str> {
        if self.which == which {
            self.errors.get(field)
        } else {
            None
        }
    }

    pub fn general(&self, which: &str) -> Option<&str> {
        if self.which == which {
            self.errors.general.as_deref()
        } else {
            None
        }
    }
}

/// Validation and conflict errors go back to the form; anything else becomes an error page.
pub fn is_form_error(e: &Error) -> bool {
    matches!(e, Error::Validation(_) | Error::Conflict(_) | Error::BadRequest(_))
}
