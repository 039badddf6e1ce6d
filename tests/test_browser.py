"""Open every page of the built site in headless Chromium, offline: math is
typeset, every image loads, nothing is requested from another host, the
console shows no errors and no page weighs more than 1.5 MB with everything
it downloads. Then drive every interactive explorer through random settings
and compare what it shows with torch; check that it can be used with the
keyboard, on a phone-width screen, with reduced motion and in the dark theme.
Screenshots of each explorer go to $CONVBOOK_ARTIFACTS (default
<tmp>/convbook-artifacts/explorers) for review."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest
from book_site import EXPLORER_OPS, torch_explorer

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
MAX_PAGE_BYTES_WITH_ASSETS = 1_500_000
ARTIFACTS = Path(os.environ.get("CONVBOOK_ARTIFACTS", Path(tempfile.gettempdir()) / "convbook-artifacts")) / "explorers"
RESPONSE_MS = 300  # an explorer shows the new output within this long after an input event
RANDOM_SETTINGS = 30  # per explorer, plus one refused setting per rule
PARAMETERS = {
    "conv1d": {"input_size", "kernel_size", "stride", "padding", "dilation"},
    "conv2d": {"input_size", "kernel_size", "stride", "padding", "dilation"},
    "conv_transpose2d": {"input_size", "kernel_size", "stride", "padding", "output_padding", "dilation"},
    "max_pool2d": {"input_size", "kernel_size", "stride", "padding", "dilation", "ceil_mode"},
    "avg_pool2d": {"input_size", "kernel_size", "stride", "padding", "ceil_mode"},
}
FLAGS = ("ceil_mode", "count_include_pad")
# The theme's sticky header would cover part of a tall explorer in its screenshot.
SCREENSHOT_STYLE = ".bd-header, .bd-header-article, .skip-link { visibility: hidden !important; }"


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


@contextlib.contextmanager
def open_page(browser, base: str, rel: str, **options):
    """A fresh browser context (empty cache) on one page of the site. Yields (page, log):
    log["errors"] collects console errors and uncaught exceptions, log["remote"] every
    request for another host (aborted)."""
    context = browser.new_context(**options)
    page = context.new_page()
    log = {"errors": [], "remote": []}
    page.on("console", lambda m: log["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))

    def only_local(route):
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            log["remote"].append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{base}/{rel}", wait_until="load")
    page.wait_for_function("!window.MathJax || !window.MathJax.startup || window.MathJax.startup.promise")
    page.evaluate("window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise : null")
    try:
        yield page, log
    finally:
        context.close()


def site_pages(html_dir: Path) -> list[str]:
    return sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html") if "_static" not in p.parts)


@pytest.fixture(scope="module")
def visits(site_url, browser):
    """Every page opened once: what it showed, what went wrong, how many bytes it downloaded."""
    base, html_dir = site_url
    records = {}
    for rel in site_pages(html_dir):
        with open_page(browser, base, rel) as (page, log):
            page.wait_for_load_state("networkidle")
            records[rel] = {
                "shown": page.url.removeprefix(base + "/"),  # after a redirect, the page shown
                "math": page.locator(".math").count(),
                "typeset": page.locator("mjx-container").count(),
                "broken": page.evaluate(
                    "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
                ),
                # Everything the page downloaded (document, scripts, styles, fonts, images): address -> bytes.
                "downloads": dict(
                    page.evaluate(
                        "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                        ".map(e => [e.name.split('?')[0], e.encodedBodySize])"
                    )
                ),
                "explorers": page.locator(".convbook-explorer").count(),
                # (a redirect page shows another page: count in the HTML of the page shown)
                "explorers_in_html": page.evaluate("fetch(location.href).then(r => r.text())").count(
                    'class="convbook-explorer"'
                ),
                "errors": list(log["errors"]),
                "remote": list(log["remote"]),
            }
    return records


def test_every_page_renders_offline(visits):
    problems = []
    for rel, seen in visits.items():
        if seen["math"] and seen["typeset"] < seen["math"]:
            problems.append(f"{rel}: {seen['math']} math elements but {seen['typeset']} typeset")
        if seen["broken"]:
            problems.append(f"{rel}: images that did not load: {seen['broken'][:3]}")
        if seen["remote"]:
            problems.append(f"{rel}: requests to other hosts: {seen['remote'][:3]}")
        if seen["errors"]:
            problems.append(f"{rel}: console errors: {seen['errors'][:3]}")
    assert not problems, "\n".join(problems)


# Site-wide libraries a reader downloads once and the browser then caches for every page:
# MathJax (on pages with math) and the search index.
SITE_LIBRARIES = ("/_static/mathjax/", "/searchindex.js")


def test_pages_weigh_at_most_1_5_mb_with_assets(visits):
    """A page's weight: everything it downloads except the files every page shares (the theme)
    and the site-wide libraries: its HTML, its images, and page-specific files such as the explorers'."""
    shared = set.intersection(*(set(seen["downloads"]) for seen in visits.values()))
    weights, totals = {}, {}
    for rel, seen in visits.items():
        own = [url for url in seen["downloads"] if url not in shared and not any(lib in url for lib in SITE_LIBRARIES)]
        weights[rel] = sum(seen["downloads"][url] for url in own)
        totals[rel] = sum(seen["downloads"].values())
    heaviest, fullest = max(weights, key=weights.get), max(totals, key=totals.get)
    print(
        f"heaviest page with its assets: {heaviest} ({weights[heaviest] / 1e6:.2f} MB); "
        f"largest first visit with theme and libraries, empty cache: {fullest} ({totals[fullest] / 1e6:.2f} MB)"
    )
    assert all(seen["downloads"] for seen in visits.values()), "the browser reported no downloads"
    too_heavy = {rel: w for rel, w in weights.items() if w > MAX_PAGE_BYTES_WITH_ASSETS}
    assert not too_heavy, f"pages over 1.5 MB with their own assets: {too_heavy}"


def explorer_pages(visits) -> list[str]:
    return sorted({seen["shown"] for seen in visits.values() if seen["explorers"]})


def test_explorers_are_found_and_their_files_load_only_where_shown(visits):
    """Every explorer the HTML holds is found in the page; the explorer's files are downloaded by the
    pages that show one, and only by them."""
    for rel, seen in visits.items():
        assert seen["explorers"] == seen["explorers_in_html"], f"{rel}: explorers in the HTML vs in the page"
        loads = sorted(url.rsplit("/", 1)[1] for url in seen["downloads"] if "/_static/convbook-explorer/" in url)
        expected = ["convbook-explorer.css", "convbook-explorer.js", "convbook-shapes.js"] if seen["explorers"] else []
        assert loads == expected, f"{rel}: shows {seen['explorers']} explorers and downloads {loads}"
    assert explorer_pages(visits), "no page shows an explorer"


def controls(explorer) -> dict:
    """The explorer's inputs named after torch's parameters: name -> (type, min, max)."""
    return explorer.evaluate(
        """e => Object.fromEntries(Array.from(e.querySelectorAll('input[name]')).map(i =>
             [i.name, [i.type, i.min === '' ? null : Number(i.min), i.max === '' ? null : Number(i.max)]]))"""
    )


def apply(explorer, settings: dict) -> None:
    """Set the inputs as a user's edits would: a number fires an input event, a checkbox a change event."""
    explorer.evaluate(
        """(e, settings) => {
             for (const [name, value] of Object.entries(settings)) {
               const field = e.querySelector(`input[name="${name}"]`);
               const checkbox = field.type === 'checkbox';
               if (checkbox) field.checked = value;
               else field.value = String(value);
               field.dispatchEvent(new Event(checkbox ? 'change' : 'input', {bubbles: true}));
             }
           }""",
        settings,
    )


def expectation(op: str, settings: dict) -> tuple[int | None, str]:
    try:
        return torch_explorer(op, settings)[0], ""
    except RuntimeError as error:
        return None, str(error).splitlines()[0]


def check_shows(explorer, op: str, settings: dict) -> str | None:
    """None if the explorer shows, within RESPONSE_MS, what torch does for ``settings``; else a description."""
    size, message = expectation(op, settings)
    dims = 1 if op == "conv1d" else 2
    cells = 0 if size is None else size**dims
    wanted = "" if size is None else str(size)
    try:
        explorer.page.wait_for_function(
            """([e, wanted, cells]) => {
                 const size = e.querySelector('[data-output-size]'), error = e.querySelector('[data-error]');
                 const shown = e.querySelectorAll('[data-grid="output"] [data-cell]').length;
                 const errorShown = Boolean(error) && error.offsetParent !== null && error.textContent.trim() !== '';
                 return size && size.textContent.trim() === wanted && shown === cells && errorShown === (wanted === '');
               }""",
            arg=[explorer.element_handle(), wanted, cells],
            timeout=RESPONSE_MS,
        )
    except Exception:  # noqa: BLE001 (playwright's TimeoutError): describe what is shown instead
        shown = explorer.evaluate(
            """e => ({size: e.querySelector('[data-output-size]')?.textContent,
                      cells: e.querySelectorAll('[data-grid="output"] [data-cell]').length,
                      error: e.querySelector('[data-error]')?.hidden === false
                             ? e.querySelector('[data-error]').textContent : null})"""
        )
        torch_says = f"size {size} ({cells} cells)" if size is not None else f"raises: {message}"
        return f"{op} {settings}: torch {torch_says}; the explorer shows {shown}"
    return None


def random_settings(rng: np.random.Generator, fields: dict) -> dict:
    settings = {}
    for name, (kind, low, high) in fields.items():
        if kind == "checkbox":
            settings[name] = bool(rng.integers(2))
        elif kind == "number":
            settings[name] = int(rng.integers(low, high + 1))
    return settings


def refused_settings(op: str, fields: dict) -> list[dict]:
    """One setting per rule torch enforces for ``op`` (every other value valid)."""
    valid = {"input_size": 5, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1, "output_padding": 0}
    base = {name: valid.get(name, False) for name in fields}
    cases = [{**base, "stride": 0}, {**base, "padding": -1}, {**base, "kernel_size": 0}]
    if "dilation" in fields:
        cases.append({**base, "dilation": 0})
    if op in ("conv1d", "conv2d"):
        cases.append({**base, "input_size": 2, "kernel_size": 4})
    if op == "conv_transpose2d":
        cases.append({**base, "stride": 2, "output_padding": 2})
        cases.append({**base, "input_size": 1, "kernel_size": 1, "padding": 1})
    if op.endswith("pool2d"):
        cases.append({**base, "kernel_size": 3, "padding": 2})
        cases.append({**base, "input_size": 2, "kernel_size": 4, "padding": 0})
    return cases


# Settings where a wrong rule shows (with the random ones): ceil_mode dropping or keeping a last
# window, dilation, output_padding allowed by dilation alone, windows reading padding only.
CORNERS = {
    "conv1d": [{"input_size": 7, "kernel_size": 3, "stride": 2, "padding": 0, "dilation": 3}],
    "conv2d": [{"input_size": 6, "kernel_size": 3, "stride": 4, "padding": 1, "dilation": 2}],
    "conv_transpose2d": [
        {"input_size": 3, "kernel_size": 3, "stride": 1, "padding": 0, "output_padding": 1, "dilation": 2},
        {"input_size": 2, "kernel_size": 2, "stride": 3, "padding": 1, "output_padding": 2, "dilation": 1},
    ],
    "max_pool2d": [
        {"input_size": 5, "kernel_size": 3, "stride": 3, "padding": 1, "dilation": 1, "ceil_mode": True},
        {"input_size": 6, "kernel_size": 2, "stride": 4, "padding": 1, "dilation": 1, "ceil_mode": True},
        {"input_size": 1, "kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2, "ceil_mode": False},
    ],
    "avg_pool2d": [
        {"input_size": 5, "kernel_size": 3, "stride": 3, "padding": 1, "ceil_mode": True, "count_include_pad": False},
        {"input_size": 6, "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": True},
        {"input_size": 4, "kernel_size": 2, "stride": 3, "padding": 1, "ceil_mode": True, "count_include_pad": False},
    ],
}


def every_explorer(page):
    for index, explorer in enumerate(page.locator(".convbook-explorer").all()):
        yield index, explorer, explorer.get_attribute("data-op")


def test_explorers_agree_with_torch(site_url, browser, visits):
    """Random settings of every explorer: output size and output cells as torch; refusals show the rule."""
    base, _ = site_url
    problems, checked, ops = [], 0, set()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for rel in explorer_pages(visits):
        with open_page(browser, base, rel, viewport={"width": 1200, "height": 900}) as (page, log):
            for index, explorer, op in every_explorer(page):
                assert op in EXPLORER_OPS, f"{rel}: explorer {index} has data-op={op!r}"
                ops.add(op)
                fields = controls(explorer)
                missing = PARAMETERS[op] - set(fields)
                assert not missing, f"{rel}: the {op} explorer has no input named {sorted(missing)}"
                assert all(fields[f][0] == "checkbox" for f in FLAGS if f in fields), f"{rel}: {op} flags"
                rng = np.random.default_rng(1313 + index)
                randoms = [random_settings(rng, fields) for _ in range(RANDOM_SETTINGS)]
                corners = [{k: v for k, v in c.items() if k in fields} for c in CORNERS[op]]
                for settings in randoms + corners + refused_settings(op, fields):
                    apply(explorer, settings)
                    problem = check_shows(explorer, op, settings)
                    checked += 1
                    if problem:
                        problems.append(f"{rel} explorer {index}: {problem}")
                explorer.scroll_into_view_if_needed()
                stem = re.sub(r"\W+", "-", rel.removesuffix(".html"))
                explorer.screenshot(path=str(ARTIFACTS / f"{stem}-{index}-{op}-refused.png"), style=SCREENSHOT_STYLE)
            if log["errors"] or log["remote"]:
                problems.append(f"{rel}: console errors {log['errors'][:3]}, other hosts {log['remote'][:3]}")
    print(f"{checked} explorer settings compared with torch; screenshots in {ARTIFACTS}")
    assert ops == set(EXPLORER_OPS), f"the site shows no {sorted(set(EXPLORER_OPS) - ops)} explorer"
    assert not problems, "\n".join(problems[:20])


def contrast(foreground: list[float], background: list[float]) -> float:
    """WCAG contrast ratio of two sRGB colours (0-255)."""

    def luminance(rgb):
        c = np.asarray(rgb[:3], dtype=float) / 255
        c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


COLOURS = """e => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const box = getComputedStyle(e), cell = e.querySelector('[data-grid="input"] .cbx-in text');
  return {text: rgb(box.color), background: rgb(box.backgroundColor),
          cellText: cell ? rgb(getComputedStyle(cell).fill) : null,
          cellFill: cell ? rgb(getComputedStyle(cell.previousElementSibling).fill) : null};
}"""


LABELS = """e => Array.from(e.querySelectorAll('input, button, select')).filter(c => {
  const label = c.labels && c.labels.length ? c.labels[0].textContent : '';
  const own = (c.getAttribute('aria-label') || '') + (c.tagName === 'BUTTON' ? c.textContent : '');
  return !(label + own).trim();
}).map(c => c.outerHTML.slice(0, 80))"""

SETTINGS = """e => Object.fromEntries(Array.from(e.querySelectorAll('input[name]')).map(i =>
  [i.name, i.type === 'checkbox' ? i.checked : Number(i.value)]))"""


def keyboard_problems(page, explorer, op: str, where: str) -> list[str]:
    """Every control labelled and reached with Tab in order; ArrowUp changes a number (and the
    output follows torch); Enter steps and plays."""
    problems = []
    unlabelled = explorer.evaluate(LABELS)
    if unlabelled:
        problems.append(f"{where}: controls without a label: {unlabelled}")
    count = explorer.evaluate("e => Array.from(e.querySelectorAll('input, button')).filter(c => !c.disabled).length")
    explorer.locator("input").first.focus()
    reached = 1
    for _ in range(count - 1):
        page.keyboard.press("Tab")
        reached += explorer.evaluate("e => e.contains(document.activeElement)")
    if reached != count:
        problems.append(f"{where}: Tab reached {reached} of {count} controls")
    stride = explorer.locator('input[name="stride"]')
    stride.fill("1")
    stride.dispatch_event("change")
    stride.focus()
    page.keyboard.press("ArrowUp")
    settings = explorer.evaluate(SETTINGS)
    if settings["stride"] != 2:
        problems.append(f"{where}: ArrowUp on stride gave {settings['stride']}")
    problem = check_shows(explorer, op, settings)
    if problem:
        problems.append(f"{where}: after ArrowUp: {problem}")
    slider = explorer.locator('[data-role="position"]')
    if slider.is_disabled():
        return problems
    last, before = int(slider.get_attribute("max")), int(slider.input_value())
    explorer.locator('[data-action="next"]').press("Enter")
    stepped = int(slider.input_value())
    if stepped != min(before + 1, last):
        problems.append(f"{where}: Enter on the next-step button went from {before} to {stepped}")
    if stepped < last:
        explorer.locator('[data-action="play"]').press("Enter")
        page.wait_for_timeout(1600)  # at least two steps
        explorer.locator('[data-action="play"]').press("Enter")
        if int(slider.input_value()) <= stepped:
            problems.append(f"{where}: Play did not advance the steps")
    return problems


def colour_problems(explorer, where: str, theme: str) -> list[str]:
    """Text on the explorer and numbers in the grid readable (WCAG contrast 4.5); dark theme dark."""
    colours = explorer.evaluate(COLOURS)
    problems = []
    if theme == "dark" and contrast(colours["background"], [0, 0, 0]) > 3:
        problems.append(f"{where}: dark theme background {colours['background']} is not dark")
    for part, fg, bg in (("text", "text", "background"), ("grid", "cellText", "cellFill")):
        if colours[fg] and contrast(colours[fg], colours[bg]) < 4.5:
            problems.append(f"{where}: {theme} theme {part} contrast {contrast(colours[fg], colours[bg]):.1f}")
    return problems


def phone_problems(explorer, where: str, width: int) -> list[str]:
    """At phone width nothing sticks out of the screen (code and formulas may scroll inside their
    box), inputs keep a readable font, and under reduced motion the window does not glide."""
    problems = []
    overflow = explorer.evaluate(
        """(e, width) => Array.from(e.querySelectorAll('*')).filter(c => {
             const r = c.getBoundingClientRect();
             const scrolls = c.parentElement && c.parentElement.closest('pre, .cbx-formula');
             return r.width > 0 && (r.right > width + 1 || r.left < -1) && !scrolls;
           }).map(c => c.tagName + '.' + (c.getAttribute('class') || '')).slice(0, 5)""",
        width,
    )
    if overflow:
        problems.append(f"{where}: wider than the screen: {overflow}")
    if explorer.evaluate("e => e.scrollWidth > e.clientWidth + 1"):
        problems.append(f"{where}: scrolls sideways")
    font = explorer.evaluate("e => parseFloat(getComputedStyle(e.querySelector('input[name]')).fontSize)")
    if font < 14:
        problems.append(f"{where}: inputs use a {font}px font")
    glide = explorer.evaluate("e => getComputedStyle(e.querySelector('.cbx-window') || e).transitionDuration")
    if glide not in ("0s", ""):
        problems.append(f"{where}: the window still moves with a {glide} transition under reduced motion")
    return problems


def test_explorers_work_with_keyboard_phone_reduced_motion_and_dark_theme(site_url, browser, visits):
    base, _ = site_url
    problems = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for rel in explorer_pages(visits):
        stem = re.sub(r"\W+", "-", rel.removesuffix(".html"))
        with open_page(browser, base, rel, viewport={"width": 1200, "height": 900}) as (page, log):
            for index, explorer, op in every_explorer(page):
                where = f"{rel} explorer {index} ({op})"
                problems += keyboard_problems(page, explorer, op, where)
                problems += colour_problems(explorer, where, "light")
                explorer.scroll_into_view_if_needed()
                explorer.screenshot(path=str(ARTIFACTS / f"{stem}-{index}-{op}-light.png"), style=SCREENSHOT_STYLE)
            page.evaluate("document.documentElement.dataset.theme = 'dark'")  # what the theme switch does
            for index, explorer, op in every_explorer(page):
                problems += colour_problems(explorer, f"{rel} explorer {index} ({op})", "dark")
                explorer.scroll_into_view_if_needed()
                explorer.screenshot(path=str(ARTIFACTS / f"{stem}-{index}-{op}-dark.png"), style=SCREENSHOT_STYLE)
            problems += [f"{rel}: console error {e}" for e in log["errors"]]
            problems += [f"{rel}: request to another host {url}" for url in log["remote"]]
        phone = {"width": 360, "height": 760}
        with open_page(browser, base, rel, viewport=phone, reduced_motion="reduce") as (page, log):
            width = page.evaluate("document.documentElement.clientWidth")
            for index, explorer, op in every_explorer(page):
                problems += phone_problems(explorer, f"{rel} explorer {index} ({op}) at {width} px", width)
                explorer.scroll_into_view_if_needed()
                explorer.screenshot(path=str(ARTIFACTS / f"{stem}-{index}-{op}-phone.png"), style=SCREENSHOT_STYLE)
            problems += [f"{rel}: console error {e}" for e in log["errors"]]
        # Without reduced motion the window does glide (so the check above can fail).
        with open_page(browser, base, rel) as (page, log):
            glide = page.evaluate(
                "getComputedStyle(document.querySelector('.convbook-explorer .cbx-window')).transitionDuration"
            )
            if glide in ("0s", ""):
                problems.append(f"{rel}: the window has no transition at all ({glide!r})")
    assert not problems, "\n".join(problems[:20])
