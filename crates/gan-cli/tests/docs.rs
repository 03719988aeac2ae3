//! The README and the guide stay whole: every relative link and image in them names a file
//! or folder of the repository (external addresses and in-page anchors are left alone).

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The targets of `[text](target)`, `![alt](target)` and `<img src="target">` in `text`.
fn targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("](") {
        let rest = &text[i + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].split_whitespace().next().unwrap_or("").to_string());
        }
    }
    for (i, _) in text.match_indices("src=\"") {
        let rest = &text[i + 5..];
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].to_string());
        }
    }
    out
}

fn pages() -> Vec<PathBuf> {
    let mut pages = vec![repo().join("README.md"), repo().join("ARCHITECTURE.md")];
    for e in std::fs::read_dir(repo().join("docs/guide")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            pages.push(p);
        }
    }
    pages
}

#[test]
fn every_relative_link_and_image_of_the_readme_and_the_guide_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for t in targets(&text) {
            if t.is_empty() || t.starts_with('#') || t.contains("://") || t.starts_with("mailto:") {
                continue;
            }
            let file = t.split('#').next().unwrap();
            checked += 1;
            if !page.parent().unwrap().join(file).exists() {
                broken.push(format!("{}: {t}", page.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 20, "only {checked} links were found: is the scanner reading the pages?");
}

#[test]
fn the_scanner_finds_links_images_and_html_images() {
    let t = targets("see [a](docs/a.md#x) and ![g](docs/g.png \"title\") and <img src=\"x.png\" width=\"9\">");
    assert_eq!(t, vec!["docs/a.md#x", "docs/g.png", "x.png"]);
}
