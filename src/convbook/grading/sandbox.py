"""The sandbox a student's kernel runs in at autograde: bubblewrap, an unprivileged user, limits.

What the kernel sees (everything else does not exist for it):

- read-only: the system's ``/usr`` (and its ``/bin``, ``/lib`` links), the base
  Python and the sandbox's own virtual environment (NumPy and ipykernel only,
  ``requirements-sandbox.txt``), a ``convbook`` package holding only
  ``convbook.grading`` (or the whole package, for an assignment that allows it),
  the files of its own notebook folder, the grader's requests;
- writable: a private ``/tmp`` of limited size (its working folder is
  ``/tmp/work``), the folder it answers the grader in, its IPC sockets;
- no network (its own empty network namespace), its own process namespace
  (nothing it starts outlives the kernel), no environment variables of the
  grader's, limits on address space, CPU time, processes, file size and open files.

As root, bubblewrap builds the namespaces and ``setpriv`` drops to a uid of
its own (no capabilities, ``no_new_privs``) before Python starts. Without
root, bubblewrap uses a user namespace instead (it must be enabled).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

GRADING_DIR = Path(__file__).resolve().parent
CONVBOOK_DIR = GRADING_DIR.parent
PROJECT_DIR = CONVBOOK_DIR.parent.parent
SITE = "/opt/convbook-site"
WORK = "/tmp/work"
_PASSED_ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG")


class SandboxUnavailableError(RuntimeError):
    """bubblewrap cannot start a sandbox on this machine (the message says why and what to do)."""


@dataclass
class Limits:
    """Resource limits of one sandboxed kernel."""

    memory_mb: int = 4096
    cpu_seconds: int = 1800
    processes: int = 64
    file_mb: int = 256
    tmp_mb: int = 512
    open_files: int = 256
    exchange_mb: int = 320

    def prlimit_args(self) -> list[str]:
        mb = 1024 * 1024
        args = [f"--cpu={self.cpu_seconds}", f"--nproc={self.processes}", f"--fsize={self.file_mb * mb}",
                f"--nofile={self.open_files}", "--core=0"]
        if self.memory_mb > 0:
            args.append(f"--as={self.memory_mb * mb}")
        return args


def sandbox_python() -> str:
    """The interpreter of the sandbox's environment (``CONVBOOK_SANDBOX_PYTHON`` or ``.venv-sandbox``)."""
    return os.environ.get("CONVBOOK_SANDBOX_PYTHON") or str(PROJECT_DIR / ".venv-sandbox" / "bin" / "python")


def _real_prefixes(python: str) -> list[str]:
    """The folders the interpreter needs: its virtual environment and the base installation."""
    out = subprocess.run(
        [python, "-I", "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout.split()
    return sorted({os.path.realpath(p) for p in out} | {os.path.abspath(p) for p in out})


@dataclass
class Sandbox:
    """Everything one sandboxed kernel needs: its folders on the host and the command that starts it."""

    notebook_dir: str
    allow_packages: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    python: str = field(default_factory=sandbox_python)

    def __post_init__(self) -> None:
        self.root = tempfile.mkdtemp(prefix="convbook-sandbox-")
        self.uid = 200_000 + os.getpid() % 100_000 if os.geteuid() == 0 else os.getuid()
        self.mounted = _mount_tmpfs(self.root, self.limits.exchange_mb)
        self.kernel_dir = self._folder("kernel", writable=True)  # IPC sockets and the connection file
        self.request_dir = self._folder("requests", writable=False)
        self.answer_dir = self._folder("answers", writable=True)
        self.site_dir = self._site()

    def _folder(self, name: str, writable: bool) -> str:
        path = os.path.join(self.root, name)
        os.mkdir(path, 0o755)
        if writable and os.geteuid() == 0:
            os.chown(path, self.uid, self.uid)
        return path

    def _site(self) -> str:
        """A ``convbook`` package for the kernel: only ``grading``, unless the assignment allows all of it."""
        site = os.path.join(self.root, "site")
        os.makedirs(os.path.join(site, "convbook"))
        if "convbook" not in self.allow_packages:
            os.mkdir(os.path.join(site, "convbook", "grading"))  # where the grading package is mounted
            Path(site, "convbook", "__init__.py").write_text(
                '"""convbook inside the grading sandbox: only the grading helpers."""\n'
            )
        return site

    def binds(self) -> list[str]:
        args = ["--ro-bind", self.site_dir, SITE]
        if "convbook" in self.allow_packages:
            args += ["--ro-bind", str(CONVBOOK_DIR), f"{SITE}/convbook"]
        else:
            args += ["--ro-bind", str(GRADING_DIR), f"{SITE}/convbook/grading"]
        for name in self.allow_packages:
            if name != "convbook":
                for entry in _installed_entries(name):
                    mount_point = os.path.join(self.site_dir, os.path.basename(entry))
                    if os.path.isdir(entry):
                        os.makedirs(mount_point, exist_ok=True)
                    else:
                        Path(mount_point).touch()
                    args += ["--ro-bind", entry, f"{SITE}/{os.path.basename(entry)}"]
        for prefix in _real_prefixes(self.python):
            args += ["--ro-bind", prefix, prefix]
        for name in sorted(os.listdir(self.notebook_dir)):
            if not name.endswith(".ipynb") and not name.startswith("."):
                args += ["--ro-bind", os.path.join(self.notebook_dir, name), f"{WORK}/{name}"]
        args += ["--bind", self.kernel_dir, self.kernel_dir, "--ro-bind", self.request_dir, self.request_dir]
        args += ["--bind", self.answer_dir, self.answer_dir]
        return args

    def environment(self) -> list[str]:
        env = {
            "HOME": "/tmp/home",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": SITE,
            "PYTHONDONTWRITEBYTECODE": "1",
            "IPYTHONDIR": "/tmp/home/.ipython",
            "JUPYTER_RUNTIME_DIR": "/tmp/home/.runtime",
            "MPLBACKEND": "agg",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "JOBLIB_MULTIPROCESSING": "0",  # no /dev/shm semaphores in the sandbox
        }
        env.update({k: os.environ[k] for k in _PASSED_ENVIRONMENT if k in os.environ})
        args = ["--clearenv"]
        for key, value in env.items():
            args += ["--setenv", key, value]
        return args

    def command(self, kernel_args: list[str]) -> list[str]:
        """The full command line: limits, bubblewrap, the drop to the sandbox's user, the kernel."""
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise SandboxUnavailableError(_HOW_TO_ENABLE.format(reason="bubblewrap (bwrap) is not installed"))
        mb = 1024 * 1024
        args = [shutil.which("prlimit") or "prlimit", *self.limits.prlimit_args(), "--", bwrap]
        args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        args += ["--die-with-parent", "--new-session", "--hostname", "sandbox"]
        args += ["--ro-bind", "/usr", "/usr"]
        for link in ("bin", "lib", "lib64", "sbin"):
            target = os.readlink(f"/{link}") if os.path.islink(f"/{link}") else None
            if target:
                args += ["--symlink", target, f"/{link}"]
            elif os.path.isdir(f"/{link}"):
                args += ["--ro-bind", f"/{link}", f"/{link}"]
        args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
        args += ["--ro-bind-try", "/etc/localtime", "/etc/localtime"]
        args += ["--proc", "/proc", "--dev", "/dev"]
        args += ["--perms", "1777", "--size", str(self.limits.tmp_mb * mb), "--tmpfs", "/tmp"]
        args += ["--perms", "0777", "--dir", "/tmp/home", "--perms", "0777", "--dir", WORK]
        args += _with_parent_folders(self.binds())
        args += self.environment()
        args += ["--chdir", WORK]
        if os.geteuid() == 0:
            args += ["--", "setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                     "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all"]
        else:
            args += ["--unshare-user", "--disable-userns", "--uid", "65534", "--gid", "65534"]
        return [*args, "--", self.python, *kernel_args]

    def kill_strays(self, bwrap_pid: int) -> int:
        """Kill every process in this sandbox but its init and the kernel; return how many.

        Nothing a cell starts in the background (a lingering child, a fork bomb)
        outlives the cell: the kernel is process 2 of the sandbox's namespace.
        """
        init = _children(bwrap_pid)
        namespace = _pid_namespace(init[0]) if init else None
        if namespace is None:
            return 0
        killed = 0
        for _ in range(50):  # a fork bomb refills what is killed: stop them all, then kill, until none is left
            strays = [
                pid for pid in (int(e) for e in os.listdir("/proc") if e.isdigit())
                if pid not in (bwrap_pid, init[0]) and _pid_namespace(pid) == namespace
                and _inner_pid(pid) not in (None, 1, 2)
            ]
            if not strays:
                break
            for sig in (signal.SIGSTOP, signal.SIGKILL):
                for pid in strays:
                    with contextlib.suppress(OSError):
                        os.kill(pid, sig)
            killed += len(strays)
        return killed

    def cleanup(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "--lazy", self.root], capture_output=True, timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _pid_namespace(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def _inner_pid(pid: int) -> int | None:
    """The process's pid inside its own (innermost) namespace."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return None


def _mount_tmpfs(folder: str, size_mb: int) -> bool:
    """As root, put the folders the kernel writes on the host (sockets, answers) on a tmpfs of ``size_mb``.

    A kernel could otherwise fill the grading machine's disk through them. Without root
    they stay on the host's temporary directory (limited per file by the sandbox's file-size limit).
    """
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "convbook-sandbox", folder],
                          capture_output=True, timeout=30)
    return done.returncode == 0


def _installed_entries(package: str) -> list[str]:
    """The grader's installed files of ``package`` and what it requires (NumPy aside: the sandbox has its own)."""
    from importlib import metadata

    providers = metadata.packages_distributions().get(package)
    if not providers:
        raise SandboxUnavailableError(f"an assignment allows {package!r}, which is not installed for the grader")
    pending, seen, entries = list(providers), set(), set()
    while pending:
        name = pending.pop()
        key = name.lower().replace("-", "_")
        if key in seen or key == "numpy":
            continue
        seen.add(key)
        dist = metadata.distribution(name)
        for file in dist.files or []:
            top = file.parts[0]
            if top != ".." and not top.endswith(".pth") and top != "__pycache__":
                entries.add(str(dist.locate_file(top)))
        for requirement in dist.requires or []:
            if "extra ==" not in requirement:
                pending.append(re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0])
    return sorted(e for e in entries if os.path.exists(e))


def _with_parent_folders(binds: list[str]) -> list[str]:
    """Bind arguments preceded by ``--dir`` for every missing parent (bubblewrap would make them 0700)."""
    made = {"/", "/tmp", "/usr", "/proc", "/dev", "/tmp/home", WORK}
    out: list[str] = []
    for i in range(0, len(binds), 3):
        option, source, target = binds[i : i + 3]
        parents = [str(p) for p in reversed(Path(target).parents)]
        for parent in parents:
            if parent not in made:
                made.add(parent)
                out += ["--perms", "0755", "--dir", parent]
        out += [option, source, target]
    return out


_HOW_TO_ENABLE = (
    "The grading sandbox cannot start: {reason}. Install bubblewrap (Debian/Ubuntu: apt-get install "
    "bubblewrap) and the sandbox environment (make setup creates .venv-sandbox; or set "
    "CONVBOOK_SANDBOX_PYTHON). Without root, user namespaces must be enabled "
    "(sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0). To grade without "
    "the sandbox (only submissions you trust), set c.TrustedExecute.sandbox = False in nbgrader_config.py."
)

_probe_result: dict[str, str | None] = {}


def check_available(python: str | None = None) -> None:
    """Start one throwaway sandbox running ``python -c pass``; raise :class:`SandboxUnavailableError` if it fails."""
    python = python or sandbox_python()
    if python in _probe_result:
        reason = _probe_result[python]
    else:
        reason = None
        if not os.path.exists(python):
            reason = f"the sandbox's Python {python} does not exist"
        else:
            folder = tempfile.mkdtemp(prefix="convbook-probe-")
            box = Sandbox(folder, python=python)
            try:
                cmd = box.command(["-c", "import numpy, ipykernel"])
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
                if done.returncode != 0:
                    reason = f"bubblewrap failed: {done.stderr.strip()[-500:] or done.returncode}"
            except SandboxUnavailableError as error:
                reason = str(error)
            except (OSError, subprocess.SubprocessError) as error:
                reason = f"{type(error).__name__}: {error}"
            finally:
                box.cleanup()
                shutil.rmtree(folder, ignore_errors=True)
        _probe_result[python] = reason
    if reason is not None:
        raise SandboxUnavailableError(reason if reason.startswith("The grading sandbox") else
                                 _HOW_TO_ENABLE.format(reason=reason))


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside :attr:`sandbox`, talking over IPC sockets."""

    sandbox: Sandbox | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        assert self.sandbox is not None
        flag = kernel_cmd.index("-f")
        kernel_args = ["-m", "ipykernel_launcher", *kernel_cmd[flag:]]
        kw["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        # what the kernel writes to its own stdout/stderr (not to a cell) must not flood the grader's log
        kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
        kw["cwd"] = self.sandbox.root
        if os.geteuid() == 0:  # the kernel, under its own uid, reads its connection file
            os.chown(self.connection_file, self.sandbox.uid, self.sandbox.uid)
        return await super()._async_launch_kernel(self.sandbox.command(kernel_args), **kw)


def kernel_manager_for(sandbox: Sandbox | None, **kwargs: Any) -> AsyncKernelManager:
    """A kernel manager whose kernel runs in ``sandbox`` (or, with ``None``, an ordinary local kernel)."""
    if sandbox is None:
        return AsyncKernelManager(**kwargs)
    manager = SandboxKernelManager(**kwargs)
    manager.sandbox = sandbox
    manager.transport = "ipc"
    manager.ip = os.path.join(sandbox.kernel_dir, "k")
    manager.connection_file = os.path.join(sandbox.kernel_dir, "connection.json")
    return manager


__all__ = [
    "Limits",
    "Sandbox",
    "SandboxKernelManager",
    "SandboxUnavailableError",
    "check_available",
    "kernel_manager_for",
]
