"""torchvision, imported so that a build made for another torch still serves: a CUDA
torchvision beside a CPU torch fails on import with "operator torchvision::nms does not
exist" (pytorch/pytorch#122494), only because it registers its compiled detection
operators, which NetDesigner never uses. Its datasets, downloads and transforms work
without them."""

from __future__ import annotations

import sys
import types
import warnings
from typing import Any

OPS_REGISTRATIONS = (
    "torchvision._meta_registrations",
    "torchvision._autograd_registrations",
)


def import_torchvision() -> Any:
    """The torchvision module; where its compiled operators do not fit this torch,
    imported without them, with one warning that says why."""
    try:
        import torchvision
    except RuntimeError as error:
        if "torchvision::" not in str(error):
            raise
        for name in [m for m in sys.modules if m.split(".")[0] == "torchvision"]:
            del sys.modules[name]
        for name in OPS_REGISTRATIONS:
            sys.modules[name] = types.ModuleType(name)
        import torchvision

        warnings.warn(
            f"torchvision {torchvision.__version__} was built for another torch build "
            f"({error}); its datasets and transforms work, its compiled detection "
            "operators (nms, roi_align) do not",
            RuntimeWarning,
            stacklevel=2,
        )
    return torchvision
