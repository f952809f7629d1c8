"""Why torch.fx could not trace a forward: fx's own message, the line of code it stopped at and
the module whose forward that is; a decision on a traced value is also said plainly."""

from __future__ import annotations

import traceback
from pathlib import Path

import torch
from torch import nn
from torch.fx.proxy import TraceError

from designer.compiler.probe import first_line
from designer.importer.errors import ImportProblem

LIBRARY_FOLDERS = (str(Path(torch.__file__).parent), str(Path(__file__).parent))
CONTROL_FLOW = "cannot be used as inputs to control flow"  # fx's words for bool(proxy)
DECIDES = (
    "decides on a traced value: if, while, and, or and bool() cannot look at a tensor's "
    "contents or size while fx traces, since the trace records one path for every input; "
    "compute both cases with tensor operations (torch.where, for example) instead"
)


def user_frame(error: BaseException) -> traceback.FrameSummary | None:
    """The deepest frame of the error's traceback outside torch and this package: the line of
    the module's own code (the user's, or a library's such as torchvision's) fx stopped at."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith(LIBRARY_FOLDERS)
    ]
    return frames[-1] if frames else None


def traced_forward(inside: list[tuple[str, type]]) -> str:
    """The forward being traced, from the tracer's stack of (path, class) of modules entered."""
    if len(inside) < 2:
        return "forward"
    path, cls = inside[-1]
    return f"the forward of {path} ({cls.__name__})"


class TraceFailed(ImportProblem):
    """fx could not trace a forward: `inside` the modules being traced, (path, class) outermost
    first, and fx's own `error`."""

    def __init__(self, source: str, message: str, place: str, inside: list, error: BaseException):
        super().__init__(source, message, place)
        self.inside = list(inside)
        self.error = error


def trace_failure(
    module: nn.Module, inside: list[tuple[str, type]], error: BaseException
) -> TraceFailed:
    """The problem to report when tracing `module` raised `error` inside the modules `inside`:
    where (file and line, the code and the forward it is in) and why."""
    frame = user_frame(error)
    place = f"{Path(frame.filename).name} line {frame.lineno}" if frame else ""
    code = f"`{frame.line.strip()}` in " if frame and frame.line else ""
    at = f"{code}{traced_forward(inside)}"
    if frame and frame.name != "forward" and not frame.name.startswith("<"):
        at = f"{code}{frame.name} (called in {traced_forward(inside)})"
    if isinstance(error, TraceError) and CONTROL_FLOW in str(error):
        message = f"{at} {DECIDES}"
    else:
        message = f"fx stopped at {at}: {type(error).__name__}: {first_line(error)}"
    return TraceFailed(
        type(module).__name__, f"cannot be traced with torch.fx: {message}", place, inside, error
    )
