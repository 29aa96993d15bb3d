"""Fair comparisons on a busy machine: the two sides of a benchmark interleaved A B B A, A B B A,
... so neither always runs first (the first run of a pair wins 10-15 % under load: warm caches,
a quieter neighbour), several rounds, every figure reported as min / median / max.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))


def abba(first: Callable[[int], float], second: Callable[[int], float], rounds: int = ROUNDS):
    """Run ``first`` and ``second`` (each given its run number, returning seconds) in the order
    A B B A per round; returns the seconds of each side, in run order."""
    a: list[float] = []
    b: list[float] = []
    for n in range(rounds):
        if n % 2 == 0:
            a.append(first(len(a)))
            b.append(second(len(b)))
            b.append(second(len(b)))
            a.append(first(len(a)))
        else:
            b.append(second(len(b)))
            a.append(first(len(a)))
            a.append(first(len(a)))
            b.append(second(len(b)))
    return a, b


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """min / median / max of ``values``."""
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def speed(reference: list[float], candidate: list[float]) -> list[float]:
    """How fast the candidate runs next to the reference, run by run: reference seconds over
    candidate seconds (above 1: the candidate is faster)."""
    return [r / c for r, c in zip(reference, candidate, strict=True)]
