//! The pages, compiled into the binary (`include_str!`): no CDN, no build step.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

const INDEX: &str = include_str!("../assets/index.html");
const LAB: &str = include_str!("../assets/lab.html");
const FILES: [(&str, &str, &str); 7] = [
    ("style.css", "text/css; charset=utf-8", include_str!("../assets/style.css")),
    ("chart.js", "text/javascript; charset=utf-8", include_str!("../assets/chart.js")),
    ("runs.js", "text/javascript; charset=utf-8", include_str!("../assets/runs.js")),
    ("lab.js", "text/javascript; charset=utf-8", include_str!("../assets/lab.js")),
    ("draw.js", "text/javascript; charset=utf-8", include_str!("../assets/draw.js")),
    ("steer.js", "text/javascript; charset=utf-8", include_str!("../assets/steer.js")),
    ("prompt.js", "text/javascript; charset=utf-8", include_str!("../assets/prompt.js")),
];

pub async fn index() -> Html<&'static str> {
    Html(INDEX)
}

pub async fn lab() -> Html<&'static str> {
    Html(LAB)
}

pub async fn file(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, ..)| *n == name) {
        Some((_, kind, body)) => ([(header::CONTENT_TYPE, *kind)], *body).into_response(),
        None => not_found().await.into_response(),
    }
}

pub async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, axum::Json(serde_json::json!({ "error": "not found" })))
}
