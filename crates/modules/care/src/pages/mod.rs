//! The care module's pages: the wish wall and a wish's page, the carer's phone page, the grid
//! worker's coverage page with a pairing's page, and the reports with their spreadsheet.

pub mod care;
pub mod reports;
pub mod wishes;

use yijia_kernel::clock::format_local;

use crate::model::visits::{Outcome, Tier};
use crate::model::wish::{ClaimantKind, WishAction, WishCategory, WishStatus};
use crate::model::{CarerKind, VisitState};

pub use yijia_web::form::{chosen, community_of, options, Typed};

/// Labels of the module's codes in the reader's language, and the formats pages share.
pub struct Labels {
    pub lang: &'static str,
    pub tz: String,
}

macro_rules! label_fns {
    ($($fn:ident: $ty:ident),+ $(,)?) => {
        impl Labels {
            $(pub fn $fn(&self, code: &str) -> &'static str {
                $ty::parse(code).map_or("", |v| v.label(self.lang))
            })+
        }
    };
}

label_fns!(
    status: WishStatus,
    action: WishAction,
    category: WishCategory,
    claimant: ClaimantKind,
    carer: CarerKind,
    state: VisitState,
    outcome: Outcome,
    tier: Tier,
);

impl Labels {
    pub fn when(&self, ms: &i64) -> String {
        format_local(*ms, &self.tz)
    }
}

/// Answers a page's form: where to go when it worked, or the page again with the error beside
/// the form named `which`.
pub async fn answer<F, Fut>(
    ctx: &yijia_web::PageCtx,
    which: &'static str,
    typed: Typed,
    result: yijia_kernel::Result<String>,
    page: F,
) -> yijia_web::WebResult<axum::response::Response>
where
    F: FnOnce(yijia_web::Shown<Typed>) -> Fut,
    Fut: std::future::Future<Output = yijia_web::WebResult<axum::response::Response>>,
{
    use axum::response::{IntoResponse, Redirect};
    let result = result.map(|to| Redirect::to(&to).into_response());
    yijia_web::respond(result, |e| yijia_web::Shown::failed(which, typed, e, &ctx.tr), page).await
}
