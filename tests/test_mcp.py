"""`shapecheck mcp`: a real MCP client session over stdio (initialize, tools/list, tool calls)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("mcp")

ROOT = Path(__file__).resolve().parent.parent


def _session(calls):
    """Start `python -m shapecheck mcp`, initialize, and run `calls(session)`; its result."""
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "shapecheck", "mcp"], cwd=str(ROOT), env=dict(os.environ)
    )

    async def main():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            return init, await calls(session)

    return anyio.run(main)


def _field(obj, snake: str, camel: str):
    """mcp 2 names fields in snake case, mcp 1 in camel case."""
    return getattr(obj, snake) if hasattr(obj, snake) else getattr(obj, camel)


def _json(result) -> dict:
    assert not _field(result, "is_error", "isError"), result.content
    return json.loads(result.content[0].text)


def test_an_agent_lists_the_tools_and_checks_a_model_over_stdio():
    async def calls(session):
        tools = await session.list_tools()
        report = await session.call_tool(
            "check_model", {"model": "fixtures/vgg_no_flatten.py", "inputs": ["3x224x224"]}
        )
        explained = await session.call_tool(
            "explain_error", {"message": "mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x100)"}
        )
        return tools, report, explained

    init, (tools, report, explained) = _session(calls)
    assert _field(init, "server_info", "serverInfo").name == "shapecheck"
    assert {t.name for t in tools.tools} == {"check_model", "check_program", "explain_error", "propose_fixes"}
    document = _json(report)
    assert document["schema"] == "shapecheck/1" and document["exit_code"] == 1
    assert [f["code"] for f in document["findings"]] == ["SC101"]
    assert document["findings"][0]["fixes"]
    reading = _json(explained)
    assert reading["known"] and reading["code"].startswith("SC")


def test_fixes_come_with_the_diff_fix_would_write_and_errors_are_answers():
    async def calls(session):
        fixes = await session.call_tool(
            "propose_fixes", {"model": "fixtures/vgg_no_flatten.py", "inputs": ["3x224x224"]}
        )
        missing = await session.call_tool("check_model", {"model": "no_such_file.py"})
        return fixes, missing

    _, (fixes, missing) = _session(calls)
    proposed = _json(fixes)
    assert proposed["findings"][0]["code"] == "SC101"
    assert "+++" in proposed["diff"] and "flatten" in proposed["diff"].lower()
    answer = _json(missing)
    assert answer["exit_code"] == 2 and answer["error"]["message"] == "no such file: no_such_file.py"
