"""Rounds, medians and ratios: the part of the benchmark that does not touch Redis.

A case has two sides, ours and a reference, each a callable that runs once and returns one
figure: operations per second (throughput), seconds or bytes. The harness runs both sides in
alternating order for several rounds and reports the median and the min–max of each side.
The ratio is the median over the rounds of ours / reference. For throughput a higher ratio
is better and the target is a minimum. For seconds and bytes a lower ratio is better and the
target is a maximum.
"""

from __future__ import annotations

import dataclasses
import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

THROUGHPUT = "ops/s"
SECONDS = "s"
BYTES = "bytes"

Side = Callable[[], float]


class Unavailable(Exception):
    """Raised while preparing a case that cannot run here; the message gives the reason."""


@dataclasses.dataclass(frozen=True)
class Target:
    """The ratio a case must reach: at least `value` for throughput, at most it otherwise."""

    value: float
    higher_is_better: bool

    def met_by(self, ratio: float) -> bool:
        """Return whether `ratio` reaches this target."""
        return ratio >= self.value if self.higher_is_better else ratio <= self.value

    def __str__(self) -> str:
        return f"{'≥' if self.higher_is_better else '≤'} {self.value:.2f}"


@dataclasses.dataclass
class Case:
    """One line of the table: what is measured against what, and how to set both sides up.

    `prepare` receives the run's context (servers, sizes, scratch folder), writes whatever
    data the case needs, and returns the two sides. It raises Unavailable when a part is
    missing.
    """

    name: str  # may name a size of the run, as in "add() of {bulk_records:,} models"
    reference: str
    unit: str
    target: float | None
    prepare: Callable[[Any], tuple[Side, Side]]
    heavy: bool = False  # for cases of seconds a round: at most `sizes.heavy_rounds` rounds, no warm-up

    def title(self, sizes: Any) -> str:
        """Return the name with the run's sizes filled in (`{bulk_records:,}` and the like)."""
        return self.name.format_map(_size_names(sizes))

    def reference_title(self, sizes: Any) -> str:
        """Return the reference's description with the run's sizes filled in."""
        return self.reference.format_map(_size_names(sizes))

    @property
    def goal(self) -> Target | None:
        """The target with its direction, or None for a case that is only reported."""
        if self.target is None:
            return None
        return Target(self.target, higher_is_better=self.unit == THROUGHPUT)


def _size_names(sizes: Any) -> dict[str, Any]:
    return {**dataclasses.asdict(sizes), "import_scope": sizes.import_scope}


@dataclasses.dataclass
class Result:
    """The figures of one case, or the reason it did not run."""

    case: Case
    title: str
    reference_title: str
    ours: list[float] = dataclasses.field(default_factory=list)
    reference: list[float] = dataclasses.field(default_factory=list)
    unavailable: str | None = None
    rounds: int = 0

    @property
    def round_ratios(self) -> list[float]:
        """Ours / reference of each round: the two runs of a round are next to each other in time."""
        return [ours / reference for ours, reference in zip(self.ours, self.reference)]

    @property
    def ratio(self) -> float | None:
        """The median of the round ratios, or None without figures.

        Other processes on the machine slow both runs of a round alike, so the ratio of
        each round is steadier than either side's figures.
        """
        ratios = self.round_ratios
        return statistics.median(ratios) if ratios else None

    @property
    def met(self) -> bool | None:
        """Whether the ratio reaches the target; None when there is no target or no ratio."""
        goal = self.case.goal
        ratio = self.ratio
        if goal is None or ratio is None:
            return None
        return goal.met_by(ratio)

    def to_json(self) -> dict[str, Any]:
        """Return this result as plain data for `--json`."""
        case = self.case
        data: dict[str, Any] = {
            "case": self.title,
            "reference": self.reference_title,
            "unit": case.unit,
            "target": str(case.goal) if case.goal else None,
        }
        if self.unavailable is not None:
            return {**data, "available": False, "reason": self.unavailable}
        return {
            **data,
            "available": True,
            "rounds": self.rounds,
            "ours": _summary(self.ours),
            "reference_figures": _summary(self.reference),
            "ratio": self.ratio,
            "round_ratios": self.round_ratios,
            "met": self.met,
        }


def _summary(figures: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(figures), "min": min(figures), "max": max(figures), "figures": figures}


def run_case(case: Case, context: Any, rounds: int, report: Callable[[str], None]) -> Result:
    """Prepare a case, then run its two sides in alternating order for `rounds` rounds.

    Except for heavy cases, one untimed warm-up run of each side comes first, so that
    connections, caches and lazily imported modules are in place before anything is timed.
    """
    sizes = context.sizes
    result = Result(case, case.title(sizes), case.reference_title(sizes))
    if case.heavy:
        rounds = min(rounds, sizes.heavy_rounds)
    result.rounds = rounds
    try:
        ours, reference = case.prepare(context)
        _run_rounds(result, ours, reference, rounds, report)
    except Unavailable as missing:
        result.unavailable = str(missing)
    except Exception as error:  # noqa: BLE001 - one failing case must not end the whole run
        result.ours, result.reference = [], []
        result.unavailable = f"failed: {type(error).__name__}: {error}"
        report(f"{result.title}: {result.unavailable}")
    return result


def _run_rounds(result: Result, ours: Side, reference: Side, rounds: int, report: Callable[[str], None]) -> None:
    if not result.case.heavy:  # a heavy round takes seconds, so a cold start weighs little
        report(f"{result.title}: warm-up")
        ours()
        reference()
    for number in range(rounds):
        report(f"{result.title}: round {number + 1} of {rounds}")
        order = [(ours, result.ours), (reference, result.reference)]
        if number % 2:
            order.reverse()
        for side, figures in order:
            gc.collect()
            figures.append(side())


# The shortest run of one side of a throughput case; set per run by `set_min_round_seconds`.
_min_round_seconds = 0.0


def set_min_round_seconds(seconds: float) -> None:
    """Make `throughput` repeat its body until at least `seconds` have passed."""
    global _min_round_seconds
    _min_round_seconds = seconds


def throughput(operations: int, body: Callable[[], Any]) -> float:
    """Run `body` (which does `operations` operations) and return operations per second.

    The body runs again until the minimum round time has passed, because a run of a few
    milliseconds measures the scheduler of a busy machine more than the code.
    """
    started = time.perf_counter()
    runs = 0
    while True:
        body()
        runs += 1
        took = time.perf_counter() - started
        if took >= _min_round_seconds:
            return operations * runs / took


def elapsed(body: Callable[[], Any]) -> float:
    """Run `body` once and return its wall-clock time in seconds."""
    started = time.perf_counter()
    body()
    return time.perf_counter() - started

