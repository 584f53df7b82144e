"""How to check one model: `CheckOptions`, and the one rule for which setting wins.

A setting comes from the command line, else from the check's own table in the config, else from
the config's top level, else from its default (`options_for`). The options travel as one frozen
value from the CLI through the worker to `api.check_with`; `validate()` refuses values that
cannot work before a worker starts or anything is imported.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import SpecError
from .spec import MAX_DIM
from .trace.budget import DEFAULT_RERUN_S, DEFAULT_SYMBOLIC_S, MAX_PROBES, MAX_RERUNS

if TYPE_CHECKING:
    from .config import CheckSpec, Config

ENGINES = ("auto", "meta", "real")
_DEVICE = re.compile(r"cpu|cuda(:\d+)?|mps")


@dataclass(frozen=True)
class CheckOptions:
    """Every setting of one check but the model itself (`api.check`'s keywords)."""

    inputs: Any = None  # --input: specs as written or parsed; None: the model's own defaults
    batch: int = 1
    no_batch: bool = False
    train: bool = False
    engine: str = "auto"  # one of ENGINES
    device: str = "cpu"
    args: Mapping[str, Any] = field(default_factory=dict)  # --arg: the model's constructor keywords
    ignore: tuple[str, ...] = ()  # codes or rule names to suppress
    weights: str | None = None  # a checkpoint to compare with the model (SC110)
    trust_pickle: bool = False
    probe_budget_s: float = DEFAULT_RERUN_S  # 10×: the safety cap of diagnosis's re-runs
    symbolic: bool = False
    budget_s: float = DEFAULT_SYMBOLIC_S  # --budget; 10×: the safety cap of --symbolic
    memory: bool = False
    fit: int | None = None  # bytes (--fit); implies memory
    max_reruns: int = MAX_RERUNS
    max_probes: int = MAX_PROBES
    # engine auto: the real engine only where meta cannot run an op, never for a failure no rule
    # explains (a live module's own run already failed for real: its real error is known)
    real_for_limits_only: bool = False

    def validate(self) -> None:
        """SpecError for a value that cannot work, before anything is imported or started."""
        if self.engine not in ENGINES:
            raise SpecError(f"unknown engine '{self.engine}'; choose one of {', '.join(ENGINES)}")
        _check_batch(self.batch)
        _check_seconds("--budget", self.budget_s)
        _check_seconds("probe_budget_s", self.probe_budget_s)
        _check_device(self.device)
        self.ignored_codes()
        _check_traces("max_reruns", self.max_reruns)
        _check_traces("max_probes", self.max_probes)

    def ignored_codes(self) -> set[str]:
        """The codes `ignore` names (codes or rule names); SpecError for one that is no rule's."""
        from .diagnose.suppress import normalize

        try:
            return normalize(self.ignore)
        except KeyError as err:
            raise SpecError(f"unknown rule '{err.args[0]}' to ignore; run `shapecheck rule` to list them") from None


def _check_seconds(name: str, value: object) -> None:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise SpecError(f"{name} must be a positive number of seconds, got {value}")


def _check_device(device: object) -> None:
    if not isinstance(device, str) or not _DEVICE.fullmatch(device):
        raise SpecError(
            f"unknown device '{device}'",
            hint="use cpu, cuda, cuda:N or mps (the meta device is what --engine meta uses)",
        )


def _check_traces(name: str, count: object) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise SpecError(f"{name} must be a whole number of traces (0 or more), got {count}")


def _check_batch(batch: object) -> None:
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise SpecError(f"--batch must be at least 1, got {batch}")
    if batch > MAX_DIM:
        raise SpecError(f"--batch {batch} is too large (at most {MAX_DIM})")


@dataclass(frozen=True)
class Given:
    """What the command line said about a check: None (or False, empty) where it said nothing."""

    inputs: Any = None
    batch: int | None = None
    no_batch: bool = False
    train: bool = False
    engine: str | None = None
    device: str = "cpu"
    args: Mapping[str, Any] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    weights: str | None = None
    trust_pickle: bool = False
    symbolic: bool = False
    budget_s: float = DEFAULT_SYMBOLIC_S
    memory: bool = False
    fit: int | None = None


def options_for(config: Config | None, check: CheckSpec | None, cli: Given) -> CheckOptions:
    """The options of one check: the command line's, else the check's, else the config's, else
    the defaults. `check` is None for the model named on the command line, which takes its
    inputs, arguments and checkpoint from the command line alone; a config's check takes those
    from its own table. Ignored rules add up from every level."""
    shared: dict[str, Any] = dict(
        device=cli.device, budget_s=cli.budget_s, symbolic=cli.symbolic, memory=cli.memory, fit=cli.fit
    )
    config_ignore = tuple(config.ignore) if config else ()
    config_engine = config.engine if config else None
    if check is None:
        return CheckOptions(
            inputs=cli.inputs,
            batch=1 if cli.batch is None else cli.batch,
            no_batch=cli.no_batch,
            train=cli.train,
            engine=cli.engine or config_engine or "auto",
            args=dict(cli.args),
            ignore=(*config_ignore, *cli.ignore),
            weights=cli.weights,
            trust_pickle=cli.trust_pickle,
            **shared,
        )
    return CheckOptions(
        inputs=check.inputs,
        batch=check.batch if cli.batch is None else cli.batch,
        no_batch=check.no_batch,
        train=cli.train or check.train,
        engine=cli.engine or check.engine or config_engine or "auto",
        args=dict(check.args),
        ignore=(*config_ignore, *check.ignore, *cli.ignore),
        weights=check.weights,
        **shared,
    )
