"""The command line: wires spec → loading → trace → diagnose → render, nothing more.

torch is imported only by the commands that trace; `--help` stays fast.
"""

import gc
import os
import sys
from enum import Enum
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from .errors import ShapecheckError


class _DefaultToCheck(TyperGroup):
    """`shapecheck vgg16 …` means `shapecheck check vgg16 …`; bare `shapecheck` runs the config."""

    def parse_args(self, ctx, args):
        top_level = {"--help", "-h", "--version", "--install-completion", "--show-completion"}
        if not args or (args[0] not in self.commands and args[0] not in top_level):
            args = ["check", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultToCheck,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Find tensor shape mismatches in PyTorch models, explain them, and suggest fixes.\n\n"
         "Usage: shapecheck MODEL [--input SPEC ...] (MODEL: a torchvision name, file.py[:Name], "
         "package.module:Name or a saved file); `shapecheck check --help` lists the options. "
         "Without MODEL, shapecheck runs the checks of the tool.shapecheck table in pyproject.toml.",
)


class Engine(str, Enum):
    auto = "auto"
    meta = "meta"
    real = "real"


class Format(str, Enum):
    table = "table"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _fail(err: ShapecheckError) -> typer.Exit:
    lines = [f"error: {err.message}"]
    if err.hint:
        lines.append(f"  hint: {err.hint}")
    if err.detail:
        lines.append(err.detail)
    print("\n".join(lines), file=sys.stderr)
    return typer.Exit(err.exit_code)


@app.command("check")
def check_command(
    model: Annotated[Optional[str], typer.Argument(help="torchvision name (vgg16), path/to/file.py[:Name], or package.module:Name; omit it to run the checks of the config")] = None,
    input: Annotated[Optional[list[str]], typer.Option("--input", "-i", help="per-sample dims of one forward argument, e.g. 3x224x224 or 64:long; repeat for each argument")] = None,
    batch: Annotated[Optional[int], typer.Option(help="batch size put in front of every input (default 1)")] = None,
    no_batch: Annotated[bool, typer.Option("--no-batch", help="feed the shapes exactly as written (no batch dim)")] = False,
    arg: Annotated[Optional[list[str]], typer.Option("--arg", help="constructor keyword argument KEY=VALUE (VALUE as a Python literal); repeatable")] = None,
    train: Annotated[bool, typer.Option("--train", help="trace in training mode (default: eval)")] = False,
    engine: Annotated[Optional[Engine], typer.Option(help="meta: shapes only, no weights; real: random weights; auto (default): meta, real when needed")] = None,
    device: Annotated[str, typer.Option(help="device for the real engine: cpu or cuda")] = "cpu",
    depth: Annotated[Optional[int], typer.Option(help="fold the table below this depth")] = None,
    format: Annotated[Optional[Format], typer.Option("--format", "-f", help="output format (default table, or the config's)")] = None,
    strict: Annotated[Optional[bool], typer.Option("--strict/--no-strict", help="exit 1 on warnings too")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="a rule code or name to suppress (SC103, size-locked-head); repeatable")] = None,
    weights: Annotated[Optional[str], typer.Option("--weights", help="a checkpoint (state dict, wrapped, or .safetensors) to compare with MODEL")] = None,
    trust_pickle: Annotated[bool, typer.Option("--trust-pickle", help="allow unpickling a whole saved model: this runs code from the file")] = False,
    config: Annotated[Optional[str], typer.Option("--config", help="config file (default: shapecheck.toml or pyproject.toml [tool.shapecheck], searched upwards)")] = None,
    color: Annotated[Color, typer.Option(help="colour in the table output")] = Color.auto,
    symbolic: Annotated[bool, typer.Option("--symbolic", help="trace with symbolic dims (B, C, H, W): show each row's shape as an expression and which input sizes the model accepts")] = False,
    budget: Annotated[float, typer.Option("--budget", metavar="SECONDS", help="time limit for --symbolic; past it, sizes come from concrete probes")] = 5.0,
) -> None:
    """Trace MODEL on a dummy input, print per-layer shapes and diagnose shape errors.

    Without MODEL, runs every check of the config with one summary.

    Exit codes: 0 no error findings, 1 error findings (or warnings with --strict),
    2 bad usage, input spec, config, model loading or internal error.
    """
    from .config import find_config, load_config
    from .spec import parse_arg

    try:
        path = config or find_config()
        cfg = load_config(path) if path else None
        if model is None and cfg is None:
            raise ShapecheckError("no MODEL given and no config found",
                                  hint="pass a model (shapecheck vgg16 --input 3x224x224) or add "
                                       "[tool.shapecheck] checks to pyproject.toml")
        fmt = (format.value if format else None) or (cfg.format if cfg else None) or "table"
        strict_mode = strict if strict is not None else (cfg.strict if cfg else False)
        from .api import parse_inputs

        specs = parse_inputs(input or None)  # a malformed --input fails before torch is imported
        args = dict(parse_arg(a) for a in arg or [])
        import torch  # noqa: F401 - every check needs it; imported here so its objects can be frozen

        # torch's import leaves about a million long-lived objects; a full garbage collection
        # rescans them all (0.15 s each, several per run). Moving them to the permanent
        # generation keeps collection for what shapecheck itself allocates.
        gc.freeze()
        from .api import check, run_checks
        from .render import renderer
        from .report import CheckResult, run_exit_code

        if model is None:
            results = run_checks(cfg, ignore=ignore or [], engine=engine.value if engine else None,
                                 batch=batch, train=True if train else None, device=device)
        else:
            report = check(model, specs, batch=1 if batch is None else batch, no_batch=no_batch, train=train,
                           engine=engine.value if engine else (cfg.engine if cfg and cfg.engine else "auto"),
                           device=device, args=args, ignore=[*(cfg.ignore if cfg else []), *(ignore or [])],
                           weights=weights, trust_pickle=trust_pickle, symbolic=symbolic, budget_s=budget)
            results = [CheckResult(model, report)]
    except ShapecheckError as err:
        raise _fail(err) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - a bug in shapecheck, not in the user's model
        if os.environ.get("SHAPECHECK_DEBUG"):
            raise
        print(f"error: internal error: {type(exc).__name__}: {exc} "
              "(set SHAPECHECK_DEBUG=1 for the traceback)", file=sys.stderr)
        raise typer.Exit(2) from None
    renderer(fmt)(results, sys.stdout, depth=depth, color=color.value, strict=strict_mode,
                  config_run=model is None)
    raise typer.Exit(run_exit_code(results, strict_mode))


@app.command("list")
def list_command() -> None:
    """List the torchvision model names, grouped by family, with each one's default input."""
    from .catalog import family_order, named_models

    models = named_models()
    for family in family_order():
        names = sorted(n for n, m in models.items() if m.family == family)
        if not names:
            continue
        print(f"{family} ({len(names)})")
        width = max(len(n) for n in names)
        for name in names:
            print(f"  {name:<{width}}  {'  '.join(models[name].default_inputs)}")


@app.command("explain")
def explain_command(
    message: Annotated[Optional[str], typer.Argument(help="the error message; read from stdin when omitted or -")] = None,
) -> None:
    """Explain a pasted PyTorch shape error without a model.

    Says which layer type raised it, what each number means, likely causes and fixes. Exit 1
    when the message is not one shapecheck knows.
    """
    from .explain import explain

    if message is None or message == "-":
        message = sys.stdin.read()
    found = explain(message or "")
    if found is None:
        print("shapecheck does not recognise this message as a PyTorch shape error it knows; run "
              "`shapecheck MODEL --input SPEC` on the model to trace it", file=sys.stderr)
        raise typer.Exit(1)
    print(found.text())


@app.command("rule")
def rule_command(
    code: Annotated[Optional[str], typer.Argument(help="a rule code (SC101) or name (missing-flatten); all when omitted")] = None,
) -> None:
    """Print what a rule checks, why, an example, the fix, and how safe the fix is."""
    import importlib

    from .diagnose.registry import CHECKS, CODES

    if code is None:
        for info in CODES.values():
            print(f"{info.code}  {info.name:<24} {info.status:<9} {info.summary}")
        return
    info = CODES.get(code.upper()) or next((i for i in CODES.values() if i.name == code), None)
    if info is None:
        print(f"error: no rule '{code}'; run `shapecheck rule` to list them", file=sys.stderr)
        raise typer.Exit(2)
    print(f"{info.code} {info.name} ({info.status}{', ' + info.severity if info.severity else ''})")
    if info.code in CHECKS:
        doc = importlib.import_module(CHECKS[info.code].__module__).__doc__ or ""
        print("\n".join(doc.strip().splitlines()[1:]).strip())
    else:
        print(info.summary)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
