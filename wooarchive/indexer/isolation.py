"""Reading documents in processes of their own, each with hard limits.

A municipality may publish anything, and a file may be built to hurt: a zip bomb, a PDF whose
page tree loops, an image of a gigapixel. Whatever one document does to its reader (raise, eat
memory, spin, crash, get killed by the kernel), it must become that document's status and error,
and the run must go on. So every document is read by a long-lived reader process that:

- is the leader of its own process group, so Tesseract, Ghostscript and qpdf started for it are
  killed with it;
- dies with its parent (PR_SET_PDEATHSIG, and a watchdog thread for the moment before that is
  set), so a SIGKILLed `woo index` leaves nothing behind;
- runs under RLIMIT_AS (address space) and RLIMIT_CPU (per document), while the parent enforces
  the wall time and kills the group when it runs out.

A reader that failed in any way is not reused: a fresh one takes its place.
"""

from __future__ import annotations

import ctypes
import faulthandler
import logging
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

PR_SET_PDEATHSIG = 1


class LimitExceeded(Exception):
    """A document asked for more than a reader may give (size, pixels, ratio): the message
    names the limit. Raised inside readers; becomes the status ``limit``."""


@dataclass(frozen=True)
class Limits:
    """Per-document limits of a reader process."""

    memory_mb: int = 2048  # WOO_READ_MAX_MEMORY_MB: address space of a reader and its tools
    cpu_seconds: int = 1800  # WOO_READ_MAX_CPU: CPU time of the reader itself per document
    wall_seconds: float = 3600.0  # WOO_READ_TIMEOUT: wall time per document, OCR included


@dataclass(frozen=True)
class Failure:
    """What became of a document whose reader did not return a result."""

    status: str  # limit | crashed | unreadable
    error: str


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _die_with_parent(parent: int) -> None:
    """Kill this reader's whole group as soon as the parent is gone."""

    def kill_all(*_: Any) -> None:
        os.killpg(os.getpgrp(), signal.SIGKILL)

    signal.signal(signal.SIGTERM, kill_all)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the watchdog alone
        pass

    def watchdog() -> None:
        while True:
            if os.getppid() != parent:
                kill_all()
            time.sleep(0.5)

    if os.getppid() != parent:
        kill_all()
    threading.Thread(target=watchdog, daemon=True, name="woo-reader-watchdog").start()


def _reader_main(
    conn: multiprocessing.connection.Connection,
    function: Callable[[Any], Any],
    limits: Limits,
    parent: int,
) -> None:
    os.setsid()
    _die_with_parent(parent)
    faulthandler.disable()  # a crashing document is recorded, not dumped on the user's terminal
    # Tesseract's OpenMP threads and glibc's per-thread arenas reserve address space that is
    # never used; without these a reader would hit RLIMIT_AS on ordinary pages
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ["MALLOC_ARENA_MAX"] = "2"
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # a damaged file makes pypdf and openpyxl warn on every page: the document's errors say it
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(used.ru_utime + used.ru_stime)
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (spent + limits.cpu_seconds, hard))
        try:
            reply: tuple[str, Any] = ("ok", function(job))
        except LimitExceeded as exc:
            reply = ("limit", str(exc))
        except MemoryError:
            reply = ("limit", f"needed more than the memory limit of {limits.memory_mb} MB")
        except RecursionError:
            reply = ("limit", "nested too deeply to read")
        except BaseException as exc:  # noqa: BLE001 - a document's failure, whatever it is
            reply = ("unreadable", _describe(exc))
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("limit", f"result larger than the memory limit of {limits.memory_mb} MB"))
        except Exception as exc:  # an unpicklable result is the document's problem too
            conn.send(("unreadable", f"result could not be returned ({_describe(exc)})"))


def _describe(exc: BaseException) -> str:
    message = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _death(exitcode: int | None, limits: Limits) -> Failure:
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == signal.SIGXCPU:
            return Failure("limit", f"used more than {limits.cpu_seconds} s of CPU time")
        if number == signal.SIGKILL:
            return Failure(
                "crashed",
                "reader was killed (signal 9: out of memory, or killed by someone else)",
            )
        return Failure("crashed", f"reader died of signal {number} ({signal.strsignal(number)})")
    return Failure("crashed", f"reader exited unexpectedly (exit code {exitcode})")


@dataclass
class _Reader:
    pid: int
    conn: multiprocessing.connection.Connection
    job: Any = None
    deadline: float = 0.0
    exitcode: int | None = None

    def reap(self) -> int | None:
        """The reader's exit code (negative: the signal that ended it), once it has ended."""
        if self.exitcode is None:
            try:
                _, status = os.waitpid(self.pid, 0)
                self.exitcode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                pass
        return self.exitcode

    def stop(self) -> None:
        _kill_group(self.pid)
        self.conn.close()
        self.reap()


class ReaderPool:
    """``workers`` reader processes running ``function`` on jobs, one job at a time each.

    ``run(jobs)`` yields ``(job, result)`` as documents finish, where the result is what
    ``function`` returned or a :class:`Failure`. Use it as a context manager, so that every
    reader (and everything a reader started) is killed when the caller is done or fails.

    Readers are forked directly rather than through multiprocessing.Process, which refuses to
    start children from a daemonic process such as a Celery pool worker (where readers run
    too); a reader's death shows as the end of its pipe.
    """

    def __init__(self, function: Callable[[Any], Any], workers: int, limits: Limits):
        self.function = function
        self.workers = max(1, workers)
        self.limits = limits
        self._idle: list[_Reader] = []
        self._busy: list[_Reader] = []

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for reader in self._idle + self._busy:
            reader.stop()
        self._idle.clear()
        self._busy.clear()

    def _start(self) -> _Reader:
        parent_end, child_end = multiprocessing.Pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the reader
            code = 0
            try:
                parent_end.close()
                _reader_main(child_end, self.function, self.limits, parent)
            except BaseException:  # noqa: BLE001 - nothing may escape into the parent's code
                code = 1
            finally:
                os._exit(code)
        child_end.close()
        return _Reader(pid, parent_end)

    def run(self, jobs: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
        queue = deque(jobs)
        while queue or self._busy:
            while queue and len(self._busy) < self.workers:
                reader = self._idle.pop() if self._idle else self._start()
                reader.job = queue.popleft()
                reader.deadline = time.monotonic() + self.limits.wall_seconds
                try:
                    reader.conn.send(reader.job)
                except OSError:
                    reader.stop()
                    queue.appendleft(reader.job)
                    continue
                self._busy.append(reader)
            timeout = max(0.0, min(r.deadline for r in self._busy) - time.monotonic())
            multiprocessing.connection.wait([r.conn for r in self._busy], timeout=timeout)
            for reader in list(self._busy):
                outcome = self._outcome(reader)
                if outcome is None:
                    continue
                self._busy.remove(reader)
                job, reader.job = reader.job, None
                if isinstance(outcome, Failure):
                    reader.stop()
                else:
                    self._idle.append(reader)
                yield job, outcome

    def _outcome(self, reader: _Reader) -> Any:
        """The reader's result, a Failure, or None while it is still working."""
        if reader.conn.poll():
            try:
                status, value = reader.conn.recv()
            except (EOFError, OSError):  # its end of the pipe closed: the reader died
                _kill_group(reader.pid)  # whatever it started dies with it
                return _death(reader.reap(), self.limits)
            return value if status == "ok" else Failure(status, value)
        if time.monotonic() >= reader.deadline:
            return Failure("limit", f"took longer than the limit of {self.limits.wall_seconds:g} s")
        return None
