"""Errors that end a run with exit code 2: the user's input, not the model, is at fault."""


class ShapecheckError(Exception):
    """A problem with what the user asked for. Printed as one line (plus an optional hint)."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        # Extra lines shown below the message, e.g. the user's own traceback frames.
        self.detail = detail


class SpecError(ShapecheckError):
    """A malformed `--input` or `--arg` value."""


class LoadError(ShapecheckError):
    """The model could not be found, imported or constructed."""


class DryRunStopped(LoadError):
    """A dry run ended before any shape error of a torch call, on `error` (the exception's line):
    a layer above loading says whether that message is a shape error PyTorch raised outside its
    ops (a checkpoint's sizes in `load_state_dict`)."""

    def __init__(self, message: str, hint: str | None, detail: str | None, path: str, error: str):
        super().__init__(message, hint=hint, detail=detail)
        self.path = path
        self.error = error
