"""Run each check in a worker process, so model code cannot hang, end or corrupt the run.

The CLI never imports user code. Each check runs `api.check` in a fresh child process (forked
where the platform allows, spawned elsewhere) with:

- a time limit (`--timeout`, default 300 s) and a memory limit on its resident size
  (`--memory-limit`, default the smaller of 8 GiB and three quarters of the machine's memory);
- its stdout and stderr redirected at the file-descriptor level into a file, so `print`,
  `os.write(1, ...)` and `sys.__stdout__` cannot reach the report; the parent copies that
  output to its own stderr afterwards;
- network connections refused;
- no stdin.

The child sends back which stage it reached and, at the end, a `CheckResult` (plain data, as
JSON: see `wire`).
A child that exits, is killed, times out or runs out of memory becomes a `CheckResult` with an
error (exit 2) naming the check and why. Several checks run side by side (`-j N`); results
come back in the order the checks were given.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field

from . import wire
from .errors import ShapecheckError
from .options import CheckOptions
from .report import CheckResult

DEFAULT_TIMEOUT_S = 300.0
OUTPUT_LIMIT = 256 * 2**20  # what model code may print before its worker is stopped
SHOWN_OUTPUT = 64 * 1024  # of it, the first and the last this many bytes are copied to stderr
MESSAGE_LIMIT = 256 * 2**20  # the largest report a worker may send (a 70B Llama's is ~2 MB)
_GIB = 1024**3

# What the model's code was doing at each stage, for messages ("while building the model").
_STAGES = {
    None: "starting",
    "loading": "importing and building the model",
    "tracing": "tracing the model",
    "symbolic": "tracing the model symbolically",
    "diagnosing": "checking the fixes (each is a trace of the fixed model)",
    "memory": "measuring memory (a pass with gradients on, on meta)",
}


@dataclass
class Limits:
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_bytes: int | None = None  # None: the default for this machine

    def memory(self) -> int:
        return self.memory_bytes if self.memory_bytes else default_memory()


@dataclass
class Job:
    """One check: a name for messages, the model, and how to check it."""

    name: str
    model: str
    options: CheckOptions = field(default_factory=CheckOptions)


def default_memory() -> int:
    """The smaller of 8 GiB and three quarters of this machine's memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * _GIB
    return min(8 * _GIB, int(total * 0.75))


def in_process() -> bool:
    """SHAPECHECK_IN_PROCESS=1 runs checks in the CLI's own process (for debugging shapecheck)."""
    return os.environ.get("SHAPECHECK_IN_PROCESS") == "1"


def run(jobs: list[Job], limits: Limits, parallel: int = 1, output=None, progress=None) -> list[CheckResult]:
    """Run every job in its own worker, at most `parallel` at a time; results in job order.
    What the workers' model code printed is copied to `output` (default: stderr).
    `progress(text)` is called as workers move from stage to stage ("vgg16: tracing the
    model"), and with None at the end."""
    output = output or sys.stderr
    here = in_process()
    context = None if here else _context()
    if "torch" not in sys.modules and (context is None or context.get_start_method() == "fork"):
        _import_once()
    if here:
        return [_run_here(job) for job in jobs]
    _check_memory_limit(limits)
    return _run_in_workers(jobs, limits, context, parallel, output, progress)


def _run_in_workers(jobs: list[Job], limits: Limits, context, parallel: int, output, progress) -> list[CheckResult]:
    results: list[CheckResult | None] = [None] * len(jobs)
    running: list[_Worker] = []
    waiting = list(enumerate(jobs))
    previous = _stop_workers_on_signals(running)
    try:
        while waiting or running:
            while waiting and len(running) < max(1, parallel):
                index, job = waiting.pop(0)
                running.append(_Worker(context, index, job, limits))
            _collect_finished(running, results, output)
            if running and progress is not None:
                progress(_progress_line(running[0], results))
            if running:
                time.sleep(0.02)
    finally:
        _stop_all(running, previous, progress)
    return [r for r in results if r is not None]


def _stop_all(running: list[_Worker], previous: dict, progress) -> None:
    """On the way out, also on an interrupt: end the progress line, stop what still runs, put
    back the signal handlers."""
    if progress is not None:
        progress(None)
    for worker in running:
        worker.stop()
        worker.captured()  # removes the capture file
    for number, handler in previous.items():
        signal.signal(number, handler)


def _import_once() -> None:
    """What every check imports on its first meta op (torch's compile wrappers import dynamo)
    and shapecheck's own stages: imported once here, not once per worker (a config of 20 tiny
    checks: 30 s before, see benchmarks/config_run.py)."""
    import gc

    import torch

    with _private_inductor_cache():
        import torch._dynamo  # noqa: F401

    from . import api, diagnose  # noqa: F401
    from .trace import engines  # noqa: F401

    # torch's import leaves about a million long-lived objects; a full collection rescans
    # them all (0.15 s each, several per run): frozen, they are left out of it.
    gc.freeze()


def _collect_finished(running: list[_Worker], results: list[CheckResult | None], output) -> None:
    """Take the results of the workers that have finished, copying what they printed."""
    for worker in list(running):
        if worker.poll():
            results[worker.index] = worker.result
            _copy_output(worker, output)
            running.remove(worker)


def _progress_line(first: _Worker, results: list[CheckResult | None]) -> str:
    """The first running worker's stage, counted among the jobs when there are several."""
    done = sum(r is not None for r in results)
    count = f" ({done + 1}/{len(results)})" if len(results) > 1 else ""
    return f"{first.job.name}{count}: {_STAGES[first.stage]}"


def _check_memory_limit(limits: Limits) -> None:
    """A limit below what a worker holds as it starts (this process, torch imported, is what a
    forked worker starts as) would end every check at once: refused, naming a limit that works."""
    start = _resident(os.getpid())
    if start is None or limits.memory_bytes is None:
        return
    # MB: the start size and 64 MB of room, rounded up to a multiple of 64
    needed = -(-(start + 64 * 2**20) // (64 * 2**20)) * 64
    if limits.memory_bytes < needed * 2**20:
        raise ShapecheckError(
            f"--memory-limit {limits.memory_bytes // 2**20} MB is below what a check needs to start "
            f"({start // 2**20} MB: Python with torch imported)",
            hint=f"use at least {needed} MB",
        )


def _stop_workers_on_signals(running: list[_Worker]) -> dict:
    """A CI cancel (SIGTERM, SIGHUP) ends every worker's process group, removes the capture
    files, then ends this process by the same signal. The previous handlers are returned."""
    previous: dict = {}

    def handle(number, frame):
        for worker in list(running):
            worker.stop()
            worker.captured()
        before = previous.get(number)
        if callable(before):  # the caller's own cleanup (`removed_on_signals`)
            before(number, frame)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)

    for number in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[number] = signal.signal(number, handle)
        except (ValueError, OSError):  # not the main thread, or no such signal here
            pass
    return previous


@contextlib.contextmanager
def removed_on_signals(folder: str):
    """A temporary folder that goes when the block ends, also when a SIGTERM or SIGHUP (a CI
    cancel) ends this process inside it; the process then dies by that signal."""

    def handle(number, frame):
        shutil.rmtree(folder, ignore_errors=True)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)

    previous: dict = {}
    for number in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[number] = signal.signal(number, handle)
        except (ValueError, OSError):  # not the main thread, or no such signal here
            pass
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        for number, handler in previous.items():
            signal.signal(number, handler)


_FORK_SAFE = "torch" not in sys.modules  # as this module is imported: before any torch work here


@contextlib.contextmanager
def _private_inductor_cache():
    """torch 2.15's dynamo makes its cache folder in TMPDIR as it is imported
    (`torchinductor_<user>`); shapecheck compiles nothing, so it goes to a folder of its own,
    removed at once, and the user's TMPDIR keeps nothing of the run."""
    key = "TORCHINDUCTOR_CACHE_DIR"
    before = os.environ.get(key)
    folder = tempfile.mkdtemp(prefix="shapecheck-")
    os.environ[key] = folder
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = before
        shutil.rmtree(folder, ignore_errors=True)


def _context():
    """fork where it is safe: in a process that has not run torch code yet (the CLI). Once torch
    has run here (a test suite, a notebook), its OpenMP threads do not survive a fork and the
    child can hang, so workers are spawned instead."""
    methods = multiprocessing.get_all_start_methods()
    fork = "fork" in methods and sys.platform != "darwin" and _FORK_SAFE
    return multiprocessing.get_context("fork" if fork else "spawn")


def _copy_output(worker: _Worker, output) -> None:
    text = worker.captured()
    if text:
        output.write(text if text.endswith("\n") else text + "\n")
        output.flush()


class _Worker:
    """One child process and what the parent knows of it."""

    def __init__(self, context, index: int, job: Job, limits: Limits):
        self.index, self.job, self.limits = index, job, limits
        self.stage: str | None = None
        self.result: CheckResult | None = None
        self._group_checked, self._group_extra = 0.0, 0
        # A folder of its own: the capture file, and the child's TMPDIR, so what model code and
        # torch write there (torch 2.15 makes `torchinductor_<user>` as dynamo is imported) goes
        # with it.
        self.folder = tempfile.mkdtemp(prefix="shapecheck-")
        self.out_path = os.path.join(self.folder, "output")
        open(self.out_path, "wb").close()
        self.conn, child_conn = context.Pipe(duplex=False)
        self.reader = _Frames(self.conn.fileno())
        self.process = context.Process(target=_child, args=(job, child_conn, self.out_path, os.getpid()), daemon=True)
        self.started = time.monotonic()
        self.process.start()
        child_conn.close()

    def _receive(self) -> None:
        """Take in the messages the child has sent in full; never waits for the rest of one (a
        worker that writes a header without its body meets the time limit, not a blocked read)."""
        try:
            for data in self.reader.messages():
                # JSON, never a pickle: the child runs model code and may have been taken over.
                self._take(wire.loads(data))
        except _TooLarge:
            self.result = self._error("its result was larger than the limit for a report")
        except Exception as exc:
            self.result = self._error(f"its result could not be read ({type(exc).__name__}: {exc})")

    def _take(self, message) -> None:
        """A `[kind, value]` message: the stage the child has reached, or its result."""
        if not (isinstance(message, list) and len(message) == 2):
            raise wire.WireError("not a [kind, value] pair")
        kind, value = message
        if kind == "stage" and value in _STAGES:
            self.stage = value
        elif kind == "result" and isinstance(value, CheckResult):
            self.result = value
        else:
            raise wire.WireError(f"unexpected {kind!r} message")

    def poll(self) -> bool:
        """Read what the child sent; True when it is done (a result, an exit, or a limit)."""
        self._receive()
        if self.result is None and not self.process.is_alive():
            self._receive()  # what it sent just before it ended
            if self.result is None:
                self.stop()  # what model code started goes with it, however the worker ended
                self.result = self._error(self._exit_reason(self.process.exitcode))
                return True
        if self.result is not None:
            self.process.join(5)
            self.stop()
            return True
        over = self._over_limit()
        if over is None:
            return False
        self.stop()
        self.result = over
        return True

    def _over_limit(self) -> CheckResult | None:
        """The error of a worker past a limit (its time, its memory, or what model code printed);
        None while it is within them."""
        if time.monotonic() - self.started > self.limits.timeout_s:
            return self._error(
                f"timed out after {self.limits.timeout_s:g} s while {_STAGES[self.stage]}",
                hint="a loop that never ends in model code? raise the limit with "
                "--timeout SECONDS (or `timeout` in the config)",
            )
        used = self._memory()
        if used is not None and used > self.limits.memory():
            return self._error(
                f"used {used / _GIB:.1f} GiB of memory, over the limit of {self.limits.memory() / _GIB:.1f} GiB, "
                f"while {_STAGES[self.stage]}",
                hint="raise it with --memory-limit MB (or `memory_limit` in the config)",
            )
        if self._printed() > OUTPUT_LIMIT:
            return self._error(
                f"model code printed more than {OUTPUT_LIMIT // 2**20} MiB while {_STAGES[self.stage]}",
                hint="a print in a loop? the report needs no output from the model",
            )
        return None

    def _printed(self) -> int:
        try:
            return os.path.getsize(self.out_path)
        except OSError:
            return 0

    def _memory(self) -> int | None:
        """Resident memory of the worker, with every process of its group (what model code
        started) added up a few times a second: scanning /proc on every poll costs too much."""
        pid = self.process.pid
        own = _resident(pid) if pid is not None else None
        now = time.monotonic()
        if pid is not None and now - self._group_checked > 0.25:
            self._group_checked = now
            self._group_extra = _group_resident(pid, leader=pid)
        if own is None:
            return None
        return own + self._group_extra

    def _exit_reason(self, code: int | None) -> str:
        where = _STAGES[self.stage]
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            cause = " (the system may have run out of memory)" if -code == signal.SIGKILL else ""
            return f"the worker was killed by {name}{cause} while {where}"
        return (
            f"model code ended the worker process (exit code {code}) while {where}, without a result: "
            "os._exit() or a crash in native code"
        )

    def _error(self, message: str, hint: str | None = None) -> CheckResult:
        return CheckResult(self.job.name, error=message, hint=hint)

    def captured(self) -> str:
        """What model code printed: the first and the last SHOWN_OUTPUT bytes of it, with a line
        saying how much was left out between them (never the whole of a huge file in memory)."""
        try:
            with open(self.out_path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size <= 2 * SHOWN_OUTPUT:
                    data = f.read()
                else:
                    head = f.read(SHOWN_OUTPUT)
                    f.seek(size - SHOWN_OUTPUT)
                    skipped = f"\n[… {size - 2 * SHOWN_OUTPUT:,} bytes of model output left out …]\n"
                    data = head + skipped.encode() + f.read(SHOWN_OUTPUT)
        except OSError:
            return ""
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
        return data.decode("utf-8", errors="replace")

    def stop(self) -> None:
        """End the worker and every process model code started from it (its process group)."""
        pid = self.process.pid
        if pid is not None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, OSError):
                pass
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class _TooLarge(Exception):
    """A message longer than MESSAGE_LIMIT."""


class _Frames:
    """Messages from a worker's pipe as `multiprocessing.Connection.send_bytes` frames them (a
    4-byte big-endian length, or -1 and an 8-byte one), read without blocking: a poll takes
    what has come, at most READ_PER_POLL bytes, and keeps a message's first part until the rest
    comes."""

    READ_PER_POLL = 16 * 2**20  # then the caller checks its limits again (a worker may flood the pipe)

    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = bytearray()
        os.set_blocking(fd, False)

    def messages(self) -> list[bytes]:
        self._read()
        out = []
        message = self._next()
        while message is not None:
            out.append(message)
            message = self._next()
        return out

    def _read(self) -> None:
        """What has come, up to READ_PER_POLL bytes, onto the buffer."""
        read = 0
        while read < self.READ_PER_POLL:
            try:
                chunk = os.read(self.fd, 2**16)
            except OSError:  # nothing more now (BlockingIOError, InterruptedError), or closed
                break
            if not chunk:
                break
            read += len(chunk)
            self.buffer += chunk
            if len(self.buffer) > MESSAGE_LIMIT + 12:
                raise _TooLarge

    def _next(self) -> bytes | None:
        """The buffer's first whole message, taken off it; None until one has come whole."""
        if len(self.buffer) < 4:
            return None
        (size,) = struct.unpack("!i", self.buffer[:4])
        start = 4
        if size == -1:
            if len(self.buffer) < 12:
                return None
            (size,) = struct.unpack("!Q", self.buffer[4:12])
            start = 12
        elif size < 0:
            raise wire.WireError("bad message length")
        if size > MESSAGE_LIMIT:
            raise _TooLarge
        if len(self.buffer) < start + size:
            return None
        message = bytes(self.buffer[start : start + size])
        del self.buffer[: start + size]
        return message


def _group_resident(group: int, leader: int) -> int:
    """Resident memory of the processes of a process group other than its leader (Linux)."""
    total = 0
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0
    for name in names:
        if not name.isdigit() or int(name) == leader:
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:  # pgrp, after state and ppid
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # rss in pages
        except (OSError, ValueError, IndexError):
            continue
    return total


def _resident(pid: int) -> int | None:
    """The resident memory of a process in bytes (Linux; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


# -- in the child ---------------------------------------------------------------------------------


def _child(job: Job, conn, out_path: str, parent: int) -> None:
    os.environ["TMPDIR"] = os.path.dirname(out_path)  # the worker's folder, removed after it
    tempfile.tempdir = None  # tempfile reads TMPDIR again
    _own_group(parent, os.path.dirname(out_path))
    _capture_output(out_path)
    _refuse_network()
    stage: list[str | None] = [None]

    def notify(name: str) -> None:
        stage[0] = name
        conn.send_bytes(wire.dumps(["stage", name]))

    result = _run_here(job, notify, stage)
    try:
        conn.send_bytes(wire.dumps(["result", result]))
    except Exception as exc:
        failed = CheckResult(
            job.name, error=f"internal error: the report could not be sent ({type(exc).__name__}: {exc})"
        )
        conn.send_bytes(wire.dumps(["result", failed]))
    sys.stdout.flush()
    sys.stderr.flush()
    conn.close()
    os._exit(0)  # no atexit handlers or finalizers of model code


def _run_here(job: Job, notify=None, stage=None) -> CheckResult:
    """One check in this process, every outcome as a CheckResult."""
    from .api import check_with
    from .trace.recorder import RecorderBug

    stage = stage if stage is not None else [None]

    def track(name: str) -> None:
        stage[0] = name
        if notify is not None:
            notify(name)

    try:
        return CheckResult(job.name, check_with(job.model, job.options, stage=track))
    except ShapecheckError as err:
        return CheckResult(job.name, error=err.message, hint=err.hint, detail=err.detail)
    except SystemExit as exc:
        return CheckResult(
            job.name,
            error=f"model code called sys.exit({exc.code!r}) {_where(exc, stage[0])}",
            hint="a model file should define the model, not run a program: guard "
            'script code with `if __name__ == "__main__":`',
        )
    except KeyboardInterrupt:
        raise
    except (Exception, RecorderBug) as exc:
        if os.environ.get("SHAPECHECK_DEBUG"):
            traceback.print_exc()
        return CheckResult(
            job.name,
            error=f"internal error: {type(exc).__name__}: {first_line(exc)} (set SHAPECHECK_DEBUG=1 for the traceback)",
        )
    except BaseException as exc:
        return CheckResult(
            job.name,
            error=f"model code raised {type(exc).__name__}"
            f"{': ' + str(exc) if str(exc) else ''} {_where(exc, stage[0])}",
            hint="it derives from BaseException, not Exception, so it is not reported as a finding",
        )


def first_line(exc: BaseException) -> str:
    """An exception's message without the C++ backtrace torch may append."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def _where(exc: BaseException, stage: str | None) -> str:
    """ "in forward (model.py:12)", from the last frame outside shapecheck and torch."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = os.path.dirname(os.path.abspath(__file__))
    for frame in reversed(frames):
        path = os.path.abspath(frame.filename)
        if path.startswith(own) or f"{os.sep}torch{os.sep}" in path or f"{os.sep}site-packages{os.sep}" in path:
            continue
        from .trace.sources import display_path  # imports torch if the model code did not: a failure path

        if frame.name == "<module>":
            return f"at import of {display_path(path)} (line {frame.lineno})"
        return f"in {frame.name} ({display_path(path)}:{frame.lineno})"
    return f"while {_STAGES.get(stage, stage)}"


def _own_group(parent: int, folder: str) -> None:
    """The worker leads a process group of its own, so the parent can end it together with any
    process model code starts. When the parent dies, even by SIGKILL, the kernel kills the
    worker with SIGKILL (Linux's parent-death signal; model code cannot catch it), and a guard
    process kills what is left of its group and removes the worker's `folder` (`_guard_group`)."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    signal.signal(signal.SIGTERM, lambda number, frame: os.killpg(0, signal.SIGKILL))
    if sys.platform.startswith("linux"):
        _parent_death_signal(signal.SIGKILL)
        _guard_group(parent, folder)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _parent_death_signal(number: int) -> bool:
    """PR_SET_PDEATHSIG: the signal this process gets when its parent ends (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, number) == 0
    except (OSError, AttributeError):
        return False


def _guard_group(command: int, folder: str) -> None:
    """Fork a guard, before any model code runs, that kills the worker's process group when the
    worker ends, however it ends (SIGKILL, a segfault, `os._exit`, or its parent's death): the
    processes model code started do not outlive it. When the command has ended too (it was
    SIGKILLed, so nothing else cleans up), the guard removes the worker's folder (its capture
    file and TMPDIR). The guard is in a group of its own (its memory is not the check's), holds
    no file of the worker's, and only waits for the parent-death signal."""
    group, worker = os.getpgid(0), os.getpid()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid != 0:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        return
    try:
        os.setpgid(0, 0)
        os.closerange(0, 2**16)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if not _parent_death_signal(signal.SIGTERM):
            os._exit(0)  # it would not learn when the worker ends
        if os.getppid() == worker:  # else the worker has ended already
            signal.sigwait({signal.SIGTERM})
        os.killpg(group, signal.SIGKILL)
        if not _running(command):
            shutil.rmtree(folder, ignore_errors=True)
    except BaseException:
        pass
    os._exit(0)


def _running(pid: int) -> bool:
    """Alive and not a zombie (Linux's /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _capture_output(path: str) -> None:
    """fds 1 and 2 into the capture file, stdin from /dev/null; Python's streams on top of them."""
    import io

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    out = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="replace", line_buffering=True)
    # The __std*__ originals too: model code that writes to them must reach the captured fds.
    sys.stdout = sys.__stdout__ = out  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = out  # type: ignore[misc]
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))  # type: ignore[misc]


def _refuse_network() -> None:
    """Model code runs offline. On Linux the worker moves into a network namespace of its own,
    which has no interface but a loopback that is down: no packet leaves it, whatever makes it
    (UDP, `_socket`, ctypes, a subprocess). Where namespaces are not allowed, and in any case,
    Python's socket functions raise instead of connecting, with a message that says why."""
    _own_network_namespace()
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access is off while shapecheck runs model code (it never downloads)")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


def _own_network_namespace() -> bool:
    """unshare(CLONE_NEWNET), as root or inside a new user namespace; False where neither is
    allowed (not Linux, unprivileged user namespaces off, seccomp)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    if libc.unshare(clone_newnet) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(clone_newuser | clone_newnet) != 0:
        return False
    try:  # keep our own uid and gid inside, so files read and write as before
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
    except OSError:
        pass
    return True
