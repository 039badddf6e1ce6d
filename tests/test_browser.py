"""Open every page of the built site in headless Chromium, offline: math is
typeset, every image loads, nothing is requested from another host, and the
console shows no errors."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(built_book):
    html_dir, _ = built_book
    handler = functools.partial(QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", html_dir
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: .ci/run installs it with apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_every_page_renders_offline(site_url, browser):
    base, html_dir = site_url
    pages = sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html") if "_static" not in p.parts)
    problems = []
    for rel in pages:
        page = browser.new_page()
        errors, remote = [], []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))

        def only_local(route, remote=remote):
            if route.request.url.startswith(base):
                route.continue_()
            else:
                remote.append(route.request.url)
                route.abort()

        page.route("**/*", only_local)
        page.goto(f"{base}/{rel}", wait_until="load")
        page.wait_for_function("!window.MathJax || !window.MathJax.startup || window.MathJax.startup.promise")
        page.evaluate("window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
        math = page.locator(".math").count()
        typeset = page.locator("mjx-container").count()
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        if math and typeset < math:
            problems.append(f"{rel}: {math} math elements but {typeset} typeset")
        if broken:
            problems.append(f"{rel}: images that did not load: {broken[:3]}")
        if remote:
            problems.append(f"{rel}: requests to other hosts: {remote[:3]}")
        if errors:
            problems.append(f"{rel}: console errors: {errors[:3]}")
        page.close()
    assert not problems, "\n".join(problems)
