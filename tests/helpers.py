"""Build traces by hand, so rules can be tested without running torch."""

from shapecheck.trace.records import MODULE, OP, LayerRecord, Location, TensorInfo, Trace


class TraceBuilder:
    def __init__(self, input_shape, batch=1):
        self.trace = Trace(model="Hand", inputs=[TensorInfo(tuple(input_shape), tid=1)], engine="meta", batch=batch)
        self._tid = 1
        self.last = self.trace.inputs[0]

    def _add(self, name, type_, kind, inputs, out_shape, attrs=None, status="ok", **kw):
        index = len(self.trace.layers)
        outputs = []
        if out_shape is not None:
            self._tid += 1
            outputs = [TensorInfo(tuple(out_shape), tid=self._tid, source=index)]
        row = LayerRecord(
            index=index,
            name=name,
            type=type_,
            kind=kind,
            depth=1,
            inputs=inputs,
            outputs=outputs,
            attrs=attrs or {},
            status=status,
            parent=None,
            **kw,
        )
        self.trace.layers.append(row)
        if outputs:
            self.last = outputs[0]
        return row

    def module(self, name, type_, out_shape, attrs=None, status="ok", **kw):
        return self._add(name, type_, MODULE, [self.last], out_shape, attrs, status, **kw)

    def op(self, type_, out_shape, attrs=None, line=10, source="x = op(x)", status="ok", inputs=None):
        return self._add(
            type_.split(".")[-1],
            type_,
            OP,
            inputs or [self.last],
            out_shape,
            attrs,
            status,
            called_at=Location("model.py", line, source),
        )

    def tensor(self, shape, source=None):
        """A tensor made earlier (by row `source`), to pass as an extra input."""
        self._tid += 1
        return TensorInfo(tuple(shape), tid=self._tid, source=source)

    def fail(self, message="boom"):
        from shapecheck.trace.records import TraceError

        row = self.trace.layers[-1]
        row.status = "failed"
        row.outputs = []
        self.trace.error = TraceError("RuntimeError", message, row.index)
        return self.trace


def load_module(path, name: str):
    """A fixture file imported as module `name` (its classes and case lists)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def python_and_run(tmp_path, text: str, *argv: str, unset: tuple[str, ...] = ("SHAPECHECK_IN_PROCESS",)):
    """(python's result, `shapecheck run`'s result) for the same script, from the script's folder,
    with the environment variables `unset` removed."""
    import os
    import subprocess
    import sys
    import textwrap

    (tmp_path / "script.py").write_text(textwrap.dedent(text))
    environ = {k: v for k, v in os.environ.items() if k not in unset}

    def go(*command):
        return subprocess.run(
            [sys.executable, *command],
            cwd=tmp_path,
            env=environ,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return go("script.py", *argv), go("-m", "shapecheck", "run", "script.py", *argv)
