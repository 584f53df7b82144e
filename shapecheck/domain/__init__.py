"""Which input sizes a model accepts (`--symbolic`).

`records` holds the result as plain data (no torch), `expressions` prints and evaluates
PyTorch's sympy sizes, `formulas` evaluates the printed ones for rules, `symbolic` runs the
symbolic trace, and `analysis` turns its guards (or, within the time budget, concrete probes)
into an `AcceptedInputs`.
"""
