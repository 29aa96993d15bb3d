"""A reader process that raises, eats memory, spins, hangs or dies becomes that job's status,
the pool goes on with the next job, and nothing a reader started outlives it."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from tests.processes import survivors
from wooarchive.indexer.isolation import Failure, Limits, ReaderPool


def behave(job: str) -> str:
    if job == "raise":
        raise ValueError("kapot bestand")
    if job == "memory":
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    if job == "spin":
        while True:
            pass
    if job == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if job == "hang-with-child":
        subprocess.Popen(["sleep", "600"])
        time.sleep(600)
    return f"read {job}"


def run(jobs: list[str], limits: Limits, workers: int = 2) -> dict[str, object]:
    with ReaderPool(behave, workers, limits) as pool:
        return dict(pool.run(jobs))


def test_each_failure_becomes_its_jobs_status_and_the_rest_are_read() -> None:
    limits = Limits(memory_mb=512, cpu_seconds=2, wall_seconds=30)
    results = run(["a", "raise", "memory", "b", "spin", "segfault", "c"], limits)
    assert results["a"] == "read a" and results["b"] == "read b" and results["c"] == "read c"
    assert results["raise"] == Failure("unreadable", "ValueError: kapot bestand")
    assert results["memory"] == Failure("limit", "needed more than the memory limit of 512 MB")
    assert results["spin"] == Failure("limit", "used more than 2 s of CPU time")
    assert results["segfault"].status == "crashed"
    assert "signal 11" in results["segfault"].error


def test_a_reader_past_its_wall_time_is_killed_with_everything_it_started(monkeypatch) -> None:
    marker = "isolation-test-marker"
    monkeypatch.setenv("WOO_TEST_MARKER", marker)
    limits = Limits(memory_mb=512, cpu_seconds=60, wall_seconds=2)
    started = time.monotonic()
    results = run(["hang-with-child", "after"], limits, workers=1)
    assert results["hang-with-child"] == Failure("limit", "took longer than the limit of 2 s")
    assert results["after"] == "read after"
    assert time.monotonic() - started < 30
    deadline = time.monotonic() + 10
    while survivors(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert survivors(marker) == []
