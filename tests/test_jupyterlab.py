"""The exercise loop in a real JupyterLab 4 (nbgrader's extensions) driven by headless Chromium.

A scratch course is set up the way an instructor sets one up, by ``tools/setup_course.py`` (gradebook,
assignment 01 generated and registered, a one-line roster, the exchange). One JupyterLab serves it on
127.0.0.1; the student is this machine's account, as in a course on one machine. The instructor
releases the assignment from the formgrader. As a student, the test fetches it from the Assignment
List, opens it, types a wrong ``corr1d`` (a flipped kernel, a true convolution), runs it and reads the
failure message under the test cell, types the right one and reads the success line
(``corr1d: N visible checks passed ...``, required as soon as the test cell calls
``grading.summary``; before that, no error), clicks Validate and reads the verdict (exactly the other
tasks' tests fail: they are still blank), and submits. As an instructor, it collects in the
formgrader, autogrades the submission and reads its score (exactly task 1's points) and the student's
name from the roster, generates and releases feedback; the student fetches it. Along the way: the
released notebook opens unmodified (full kernelspec and language_info), and autograde of the honest
submission logs no "checksum has changed" warning.

Screenshots of every open page go to $CONVBOOK_ARTIFACTS/jupyterlab (default
<tmp>/convbook-artifacts/jupyterlab) when a step fails, with the server's log printed.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbgrader_course import BIN, ROOT

pytestmark = pytest.mark.slow

ASSIGNMENT = "01-conv1d"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = (
    Path(os.environ.get("CONVBOOK_ARTIFACTS", Path(tempfile.gettempdir()) / "convbook-artifacts")) / "jupyterlab"
)
TOKEN = "convbook-test-token"
TIMEOUT_MS = 90_000  # a single step (kernel start, Validate, autograde) on a busy 2-core machine

# Task 1 of 01-conv1d, as a student types it: first sliding the flipped kernel (a true
# convolution, the classic mistake), then the cross-correlation torch computes.
WRONG_CORR1D = """def corr1d(x, w):
    n = len(x) - len(w) + 1
    return np.array([np.sum(x[i:i + len(w)] * w[::-1]) for i in range(n)])
"""
RIGHT_CORR1D = """def corr1d(x, w):
    n = len(x) - len(w) + 1
    return np.array([np.sum(x[i:i + len(w)] * w) for i in range(n)])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def student_id() -> str:
    from nbgrader.utils import get_username

    return get_username()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A scratch course set up by tools/setup_course.py, served by JupyterLab on 127.0.0.1.

    The set-up runs while JupyterLab starts. JupyterLab gets its own (empty) user configuration,
    settings and data folders; the student is this machine's account.
    """
    course = tmp_path_factory.mktemp("course")
    scratch = tmp_path_factory.mktemp("lab")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    roster = scratch / "roster.csv"
    with roster.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email"])
        writer.writerow([student_id(), "Ada", "Lovelace", "ada@example.org"])
    settings = scratch / "settings"
    for plugin, values in {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        # every cell in the DOM (JupyterLab 4 otherwise renders only the cells in view)
        "notebook-extension/tracker": {"windowingMode": "none"},
    }.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "JUPYTER_CONFIG_DIR": str(scratch / "config"),
        "JUPYTER_DATA_DIR": str(scratch / "data"),  # nbgrader's submission cache too
        "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "workspaces"),
        "IPYTHONDIR": str(scratch / "ipython"),
        "CONVBOOK_CELL_TIMEOUT": "30",
    }
    env.pop("CONVBOOK_EXCHANGE", None)
    begun = time.monotonic()
    setup = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "setup_course.py"), "--course", str(course), "--students", str(roster)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    port = free_port()
    log_path = scratch / "jupyterlab.log"
    command = [
        str(BIN / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={course}",
        "--KernelManager.shutdown_wait_time=1",  # a quicker teardown; nothing is left to save
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        output, _ = setup.communicate(timeout=600)
        assert setup.returncode == 0, output
        exchange = course / "exchange"
        assert stat_mode(exchange) == 0o777 and stat_mode(exchange / "convbook" / "inbound") == 0o2733, output
        print(f"course set up in {time.monotonic() - begun:.1f} s")
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
        print(f"JupyterLab up after {time.monotonic() - begun:.1f} s")
        yield {"url": url, "log": log_path, "course": course}
    finally:
        if setup.poll() is None:
            setup.kill()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o7777


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
def screenshots_on_failure(context, lab, name: str):
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(context.pages):
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
        print(f"screenshots: {ARTIFACTS}/{name}-*.png\nJupyterLab log (end):\n{lab['log'].read_text()[-4000:]}")
        raise


def grade_index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def open_menu_item(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def type_into_cell(page, cell, code: str) -> None:
    """Replace the cell's text the way a student does: click in it, select all, type."""
    cell.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(code)
    assert cell.locator(".cm-content").inner_text().strip() == code.strip()


def run_cell(page, cell) -> str:
    """Run one cell (Shift+Enter in it) and wait for it to finish; its outputs' text."""
    from playwright.sync_api import expect

    before = cell.locator(".jp-InputPrompt").inner_text()
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-InputPrompt")).not_to_have_text(before, timeout=TIMEOUT_MS)
    expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=TIMEOUT_MS)
    return cell.locator(".jp-OutputArea").inner_text()


def confirm(formgrader) -> str:
    """Wait for the formgrader's success dialog, read it, close it; its text (with nbgrader's log)."""
    from playwright.sync_api import expect

    modal = formgrader.locator(".modal.in, .modal.show").last
    modal.wait_for(timeout=TIMEOUT_MS)
    text = modal.inner_text()
    assert modal.get_attribute("id") == "success-modal", text
    modal.locator(".modal-footer button").click()
    expect(formgrader.locator(".modal")).to_have_count(0)
    return text


def test_student_and_instructor_in_jupyterlab(lab, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    started = time.monotonic()
    course = lab["course"]
    release = nbformat.read(course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    points = {
        c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"]
        for c in release.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    test_source = release.cells[grade_index(release, "test_corr1d")].source
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    with screenshots_on_failure(context, lab, "student"):
        page.goto(f"{lab['url']}/lab?token={TOKEN}")
        page.locator("#jp-main-dock-panel").wait_for()

        # The instructor releases the assignment from the formgrader (the exchange is ready).
        open_menu_item(page, "Nbgrader", "Formgrader")
        formgrader = page.frame_locator("#formgrader-iframe iframe")
        row = formgrader.locator("tr", has=formgrader.locator("td.name", has_text=ASSIGNMENT))
        row.locator(".release a").click()
        confirm(formgrader)
        expect(row.locator(".status")).to_have_text("released")

        # The Assignment List lists the released assignment; Fetch puts a copy in the student's folder.
        open_menu_item(page, "Nbgrader", "Assignment List")
        released = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
        released.get_by_role("button", name="Fetch").click()
        fetched = page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
        fetched.wait_for()
        assert (course / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()

        # Open the fetched notebook from the list; it opens unmodified once its kernel is up.
        fetched.locator(".assignment-notebooks-link").click()
        fetched.locator(".assignment-notebooks a", has_text=ASSIGNMENT).click()
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
        cells = notebook.locator(".jp-Cell")
        expect(cells).to_have_count(len(release.cells))
        # the status bar says "Python 3 (ipykernel) | Idle" once the kernel is connected
        expect(page.locator("#jp-main-statusbar")).to_contain_text(re.compile(r"Python 3 \(ipykernel\) \| Idle"))
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
        page.wait_for_timeout(1500)  # JupyterLab writes the kernel's metadata just after it connects
        assert "jp-mod-dirty" not in (tab.get_attribute("class") or ""), "the released notebook opens as modified"

        setup, solution, test = (cells.nth(grade_index(release, g)) for g in ("setup", "corr1d", "test_corr1d"))
        run_cell(page, setup)

        # A wrong solution: the failure message is on the page, under the test cell.
        type_into_cell(page, solution, WRONG_CORR1D)
        run_cell(page, solution)
        output = run_cell(page, test)
        message = test.locator(".jp-OutputArea-output", has_text="expected")
        expect(message).to_be_visible()
        assert re.search(r"corr1d\(.*\).*expected", output, re.S), output

        # The right one: no error, and the success line once the test cells print one.
        type_into_cell(page, solution, RIGHT_CORR1D)
        run_cell(page, solution)
        output = run_cell(page, test)
        expect(test.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(0)
        if "grading.summary(" in test_source:
            assert re.search(r"corr1d: \d+ visible checks? passed", output), output
        else:
            assert "Error" not in output, output

        # Validate: saves, runs every test; tasks 2-5 are still blank, so it fails and says which.
        page.locator(".validate-button").click()
        verdict = page.locator("#validation-message")
        verdict.wait_for(timeout=TIMEOUT_MS)
        text = verdict.inner_text()
        assert "validation-failed" in (verdict.get_attribute("class") or ""), text
        shown = " ".join(text.split())
        sources = {
            c.metadata.nbgrader["grade_id"]: " ".join(c.source.split())
            for c in release.cells
            if c.metadata.get("nbgrader", {}).get("grade")
        }
        assert {g for g, source in sources.items() if source in shown} == set(points) - {"test_corr1d"}, text
        page.locator(".jp-Dialog .jp-mod-accept").click()

        # Submit from the Assignment List.
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        fetched = page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
        fetched.get_by_role("button", name="Submit").click()
        expect(page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first).to_be_visible()
        student_seconds = time.monotonic() - started

    with screenshots_on_failure(context, lab, "instructor"):
        # The formgrader: collect, then autograde the submission and read the score.
        page.locator(".lm-TabBar-tab", has_text="Formgrader").click()
        row.locator(".collect a").click()
        confirm(formgrader)
        row.locator("td.num-submissions a", has_text="1").click()

        submission = formgrader.locator("tr", has=formgrader.locator("td.student-id", has_text=student_id()))
        expect(submission.locator(".student-name")).to_have_text("Lovelace, Ada")
        expect(submission.locator(".status")).to_have_text("needs autograding")
        submission.locator(".autograde a").click()
        log = confirm(formgrader)
        assert "checksum" not in log, f"autograde warned about untouched test cells:\n{log}"
        total = sum(points.values())
        expect(submission.locator(".score")).to_have_text(f"{points['test_corr1d']} / {total}", timeout=TIMEOUT_MS)
        expect(formgrader.locator("body")).not_to_contain_text("None, None")

        # Feedback: generate and release it here, the student fetches it from the Assignment List.
        submission.locator(".generate-feedback a").click()
        confirm(formgrader)
        submission.locator(".release-feedback a").click()
        confirm(formgrader)
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        page.locator("#refresh_assignments_list").click()
        submitted = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
        submitted.get_by_role("button", name="Fetch Feedback").click()
        expect(page.locator("#submitted_assignments_list a", has_text="view feedback")).to_be_visible()
        assert list((course / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    print(f"student part {student_seconds:.1f} s, whole test {time.monotonic() - started:.1f} s")
    context.close()
