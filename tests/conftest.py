import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "fixtures")
ASSETS = os.path.join(ROOT, "tests", "assets")


def fixture_path(*parts: str) -> str:
    return os.path.join(FIXTURES, *parts)


def asset_path(name: str) -> str:
    return os.path.join(ASSETS, name)


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch):
    # Locations are printed relative to the working directory.
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    # Tables fit the terminal's width: the suite's outputs must not follow the terminal it is run
    # from (pytest-xdist's workers are given COLUMNS=80).
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    # CLI tests run each check in this process: the output is the same, and a worker per
    # invocation would cost a torch import each (torch has run here, so workers are spawned).
    # tests/test_isolation.py runs the real CLI in subprocesses, with workers.
    monkeypatch.setenv("SHAPECHECK_IN_PROCESS", "1")
    yield


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


sys.path.insert(0, os.path.join(ROOT, "tests"))
pytest_plugins = ["pytester"]
