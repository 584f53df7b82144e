"""`shapecheck mcp`: a Model Context Protocol server over stdio, for coding agents and editors.

Tools (each returns plain JSON):
- `check_model`: trace a model (a torchvision name, `file.py[:Name]`, `package.module:Name` or a
  saved file) on inputs such as `3x224x224`, and return the report (`--format json`, schema
  `shapecheck/1`): per-layer shapes, findings with their fixes, totals;
- `check_program`: the same for a training or inference script, checked by its dry run;
- `explain_error`: read a pasted PyTorch error message: which layer raised it, what each number
  means, likely causes and fixes (no model needed, nothing run);
- `propose_fixes`: a model's findings with their fixes, and the unified diff `--fix` would write
  (`--diff`: nothing is changed on disk).

Model code runs as the CLI runs it, in its own worker process with a time limit: the server
launches `python -m shapecheck check ...` for each check, so a model that crashes, hangs or
prints cannot take the server or its stdout (the protocol's channel) with it. The `mcp`
package is an optional extra: `pip install 'torch-shapecheck[mcp]'`.
"""

from __future__ import annotations

import json
import subprocess
import sys

NAME = "shapecheck"
# What a check may take before the server answers with an error instead (the worker has its
# own --timeout; this bounds the whole command, imports included).
COMMAND_TIMEOUT_S = 300


def _command(target: str, inputs: list[str], batch: int | None, args: dict[str, object], ignore: list[str]) -> list:
    command = [sys.executable, "-m", "shapecheck", "check", target]
    for spec in inputs:
        command += ["--input", spec]
    if batch is not None:
        command += ["--batch", str(batch)]
    for key, value in args.items():
        command += ["--arg", f"{key}={value!r}" if not isinstance(value, str) else f"{key}={value}"]
    for code in ignore:
        command += ["--ignore", code]
    return command


def _run(command: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", f"shapecheck took more than {COMMAND_TIMEOUT_S} s")


def _report(command: list[str]) -> dict:
    """The JSON report of a check; for a usage or load error (exit 2), the error and its hint."""
    done = _run([*command, "--format", "json"])
    if done.stdout.strip():
        try:
            document = json.loads(done.stdout)
        except json.JSONDecodeError:
            document = None
        if isinstance(document, dict):
            document["exit_code"] = done.returncode
            return document
    return {"exit_code": done.returncode, "error": _error_text(done.stderr)}


def _error_text(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return "\n".join(lines[-12:]) or "shapecheck ended without a report"


def check_model(
    model: str, inputs: list[str] | None = None, batch: int | None = None, args: dict | None = None, ignore=None
) -> dict:
    """Trace MODEL on dummy inputs and diagnose shape errors.

    model: a torchvision name (resnet18), file.py or file.py:ClassName, package.module:Name, or a
    saved file (.pt, .pt2). inputs: per-sample dims of each forward argument, e.g. ["3x224x224"]
    or ["128:long"]; omitted: the model's default. batch: the batch size put in front (default
    1). args: constructor keyword arguments. ignore: rule codes or names to suppress. Returns
    the JSON report: layers with input and output shapes, findings (code, message, why, fixes).
    """
    return _report(_command(model, list(inputs or []), batch, dict(args or {}), list(ignore or [])))


def check_program(path: str) -> dict:
    """Check a training or inference script (a .py file that builds its own tensors and runs a
    model) by its dry run on meta tensors; returns the JSON report of the model it runs."""
    return _report(_command(path, [], None, {}, []))


def explain_error(message: str) -> dict:
    """Explain a pasted PyTorch error message without a model: the rule code, which layer type
    raised it, what each number means, likely causes and fixes. `known` is false when the
    message is not a shape error shapecheck knows."""
    from dataclasses import asdict

    from .explain import explain

    found = explain(message)
    if found is None:
        return {"known": False, "message": message}
    return {"known": True, **asdict(found), "text": found.text()}


def propose_fixes(
    model: str, inputs: list[str] | None = None, batch: int | None = None, unsafe: bool = False, args=None
) -> dict:
    """The fixes shapecheck proposes for MODEL's shape errors: each finding's fixes (code,
    safety: safe / unsafe / display-only, verified by tracing again), and the unified diff that
    `shapecheck --fix` would write to the model's own files (nothing is changed). unsafe: include
    fixes that change parameters (existing checkpoints would no longer load)."""
    command = _command(model, list(inputs or []), batch, dict(args or {}), [])
    report = _report(command)
    findings = [
        {"code": f["code"], "message": f["message"], "location": f.get("location"), "fixes": f["fixes"]}
        for f in report.get("findings", [])
    ]
    diff = _run([*command, "--diff", *(["--unsafe-fixes"] if unsafe else [])])
    return {
        "exit_code": report.get("exit_code"),
        "error": report.get("error"),
        "findings": findings,
        "diff": diff.stdout if diff.returncode in (0, 1) else "",
    }


TOOLS = (check_model, check_program, explain_error, propose_fixes)


def server():
    """The MCP server with shapecheck's tools (mcp 2's MCPServer, or FastMCP of mcp 1)."""
    try:
        from mcp.server.mcpserver import MCPServer as Server
    except ImportError:
        try:
            from mcp.server.fastmcp import FastMCP as Server
        except ImportError:
            raise ImportError("the MCP server needs the mcp package: pip install 'torch-shapecheck[mcp]'") from None
    from . import __version__

    instructions = (
        "shapecheck traces PyTorch models on shape-only tensors and explains shape mismatches. "
        "Call check_model before running a model you changed; explain_error on a pasted traceback."
    )
    try:
        app = Server(NAME, instructions=instructions, version=__version__)
    except TypeError:  # mcp 1's FastMCP takes no version
        app = Server(NAME, instructions=instructions)
    for tool in TOOLS:
        app.tool()(tool)
    return app


def serve() -> None:
    """Answer MCP requests on stdin/stdout until the client closes the connection."""
    server().run("stdio")
