"""The book builds clean with every cell executed, publishes only the pages
in _toc.yml, never the solutions, loads nothing from another host, and keeps
each page light."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from book_site import page_weight, toc_pages

pytestmark = pytest.mark.slow

MAX_PAGE_BYTES = 3_000_000


def html_pages(html_dir):
    return sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts)


def test_every_toc_page_is_built(built_book):
    html_dir, seconds = built_book
    print(f"clean build with execution: {seconds:.0f} s")
    for page in toc_pages():
        assert (html_dir / f"{page}.html").is_file(), f"{page} missing from the site"


def test_solutions_and_sources_are_not_published(built_book):
    html_dir, _ = built_book
    published = {p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*")}
    for folder in ("solutions/", "src/", "tests/", "submitted/", "autograded/", "feedback/"):
        assert not any(p.startswith(folder) for p in published), f"{folder} was published"
    for page in html_pages(html_dir):
        text = page.read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS"):
            assert marker not in text, f"{page.name} contains {marker}"


def test_nothing_is_loaded_from_another_host(built_book):
    html_dir, _ = built_book
    pattern = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*(?:src|href)="((?:https?:)?//[^"]+)"')
    for page in html_pages(html_dir):
        remote = pattern.findall(page.read_text(encoding="utf-8"))
        assert not remote, f"{page.name} loads {remote[:3]} from another host"


def test_mathjax_is_served_by_the_site(built_book):
    html_dir, _ = built_book
    text = (html_dir / "book" / "00-preface.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', text, flags=re.I)
    assert scripts, "no MathJax script tag"
    for src in scripts:
        assert not src.startswith(("http", "//")), src


def test_pages_weigh_at_most_3_mb(built_book):
    html_dir, _ = built_book
    weights = {page.relative_to(html_dir).as_posix(): page_weight(html_dir, page) for page in html_pages(html_dir)}
    heaviest = max(weights, key=weights.get)
    print(f"heaviest page: {heaviest} ({weights[heaviest] / 1e6:.2f} MB)")
    too_heavy = {p: w for p, w in weights.items() if w > MAX_PAGE_BYTES}
    assert not too_heavy, f"pages over 3 MB with their images: {too_heavy}"


CHAPTERS = [p for p in toc_pages() if re.fullmatch(r"book/(0[1-9]|1\d)-[\w-]+", p)]


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_has_figures_questions_and_its_exercise(built_book, page):
    """Each chapter: at least two figures, answers in dropdowns, and a download of its student notebook."""
    html_dir, _ = built_book
    text = (html_dir / f"{page}.html").read_text(encoding="utf-8")
    figures = re.findall(r'<img[^>]+src="[^"]*_images/[^"]+\.(?:png|gif|svg|jpg)"', text)
    assert len(figures) >= 2, f"{page}: {len(figures)} figure(s)"
    assert "Check your understanding" in text, f"{page}: no 'Check your understanding' section"
    assert text.count("sd-dropdown") >= 3, f"{page}: fewer than 3 answers in dropdowns"
    slug = page.split("/")[-1]
    link = re.search(rf'href="([^"]*_downloads/[^"]+/{slug}\.ipynb)"', text)
    assert link, f"{page}: no download link to {slug}.ipynb"
    downloaded = (html_dir / "book" / link.group(1)).resolve()
    exercise = Path(__file__).resolve().parents[1] / "exercises" / slug / f"{slug}.ipynb"
    assert downloaded.read_bytes() == exercise.read_bytes(), f"{page} links something other than the student notebook"
