//! Static assets under `/assets/`: Heard's stylesheet and scripts, govuk-frontend's script and
//! Heard's icon, embedded in the binary when `build.rs` has built them from the npm packages.

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

/// The names carry no content hash, so browsers keep an asset an hour, not forever.
const CACHE: HeaderValue = HeaderValue::from_static("public, max-age=3600");

struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Heard's stylesheet, built from govuk-frontend's Sass by `build.rs`.
const STYLESHEET: &str = include_str!(concat!(env!("OUT_DIR"), "/heard.css"));

const ASSETS: &[Asset] = &[
    Asset { path: "/assets/heard.css", content_type: "text/css; charset=utf-8", bytes: STYLESHEET.as_bytes() },
    Asset {
        path: "/assets/govuk-frontend.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!(concat!(env!("OUT_DIR"), "/govuk-frontend.min.js")),
    },
    Asset {
        path: "/assets/body-class.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/body-class.js"),
    },
    Asset {
        path: "/assets/heard.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/heard.js"),
    },
    Asset {
        path: "/assets/film.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/film.js"),
    },
    Asset {
        path: "/assets/coding.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/coding.js"),
    },
    Asset {
        path: "/assets/import.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/import.js"),
    },
    Asset {
        path: "/assets/projector.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/projector.js"),
    },
    Asset {
        path: "/assets/images/favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../assets/images/favicon.svg"),
    },
];

/// Heard's stylesheet, for a standalone document (`render::render_standalone`).
pub(crate) fn stylesheet() -> &'static str {
    STYLESHEET
}

/// Routes for every asset, plus `/favicon.ico` for browsers that ask for it unprompted.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let router = ASSETS
        .iter()
        .fold(Router::new(), |router, asset| router.route(asset.path, get(move || async move { serve(asset) })));
    router.route("/favicon.ico", get(|| async { Redirect::permanent("/assets/images/favicon.svg") }))
}

fn serve(asset: &'static Asset) -> Response {
    ([(CONTENT_TYPE, HeaderValue::from_static(asset.content_type)), (CACHE_CONTROL, CACHE)], asset.bytes)
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    async fn get(path: &str) -> Response {
        let request = Request::get(path).body(Body::empty()).expect("request");
        router::<()>().oneshot(request).await.expect("infallible")
    }

    #[tokio::test]
    async fn serves_the_stylesheet_built_with_heards_settings() {
        let response = get("/assets/heard.css").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[CONTENT_TYPE], "text/css; charset=utf-8");
        assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=3600");
        let css = to_bytes(response.into_body(), usize::MAX).await.expect("body");
        let css = String::from_utf8(css.to_vec()).expect("utf-8");
        assert!(css.contains(".govuk-button"), "all of govuk-frontend is compiled in");
        assert!(css.contains("system-ui"), "the system font stack is set");
        assert!(!css.contains("GDS Transport"), "the GOV.UK typeface is not used");
        assert!(!css.contains("@font-face"), "no font files are asked for");
    }

    #[tokio::test]
    async fn serves_scripts_and_icon_with_their_types() {
        for (path, content_type) in [
            ("/assets/govuk-frontend.min.js", "text/javascript; charset=utf-8"),
            ("/assets/heard.js", "text/javascript; charset=utf-8"),
            ("/assets/film.js", "text/javascript; charset=utf-8"),
            ("/assets/coding.js", "text/javascript; charset=utf-8"),
            ("/assets/body-class.js", "text/javascript; charset=utf-8"),
            ("/assets/images/favicon.svg", "image/svg+xml"),
        ] {
            let response = get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers()[CONTENT_TYPE], content_type, "{path}");
        }
        let script = to_bytes(get("/assets/govuk-frontend.min.js").await.into_body(), usize::MAX).await;
        let script = script.expect("body");
        assert!(!script.ends_with(b".map"), "the source map comment is stripped");
    }

    #[tokio::test]
    async fn favicon_ico_points_at_the_icon_and_unknown_assets_are_not_found() {
        let response = get("/favicon.ico").await;
        assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(response.headers()["location"], "/assets/images/favicon.svg");
        assert_eq!(get("/assets/images/govuk-crest.svg").await.status(), StatusCode::NOT_FOUND);
    }
}
