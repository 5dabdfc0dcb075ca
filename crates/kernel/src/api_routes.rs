//! A module's JSON API as it is routed, with the list of the paths it serves.
//!
//! axum cannot list a router's routes, yet the OpenAPI document must describe exactly what is
//! served: so each module builds its API through [`ApiRoutes`], which keeps every path it hands
//! to the router. A test asks the router which methods each path takes (the `Allow` header of a
//! 405) and compares that with the document.

use axum::routing::MethodRouter;
use axum::Router;

use crate::state::AppState;

/// Routes under `/api/v1` and the paths they were given, relative to `/api/v1`.
#[derive(Default)]
pub struct ApiRoutes {
    router: Router<AppState>,
    paths: Vec<String>,
}

impl ApiRoutes {
    pub fn new() -> ApiRoutes {
        ApiRoutes::default()
    }

    /// Routes a path, as `Router::route` does, and remembers it.
    pub fn route(mut self, path: &str, methods: MethodRouter<AppState>) -> ApiRoutes {
        self.router = self.router.route(path, methods);
        self.paths.push(path.to_owned());
        self
    }

    /// Adds another set of routes (a module's sub-API) to this one.
    pub fn merge(mut self, other: ApiRoutes) -> ApiRoutes {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }

    /// Applies something to the whole router, such as a layer over every route so far.
    pub fn wrap(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> ApiRoutes {
        self.router = f(self.router);
        self
    }

    /// The paths served, relative to `/api/v1`, in the order they were routed.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
