"""Import and warm up torch in the background so the window shows at once; analysis waits."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, Signal


class TorchLoader(QObject):
    """Emits `ready` (in the GUI thread) once torch is imported; `is_ready` says if it was."""

    ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._done = threading.Event()
        self._started = False
        if "torch" in sys.modules:
            self._done.set()

    @property
    def is_ready(self) -> bool:
        return self._done.is_set()

    def start(self) -> None:
        if not self.is_ready and not self._started:
            self._started = True
            threading.Thread(target=self._load, name="import-torch", daemon=True).start()

    def _load(self) -> None:
        import torch

        from designer.compiler.without_dynamo import without_dynamo

        # torch sets up its dispatch machinery (about a second) on the first meta-tensor op,
        # and would import torch._dynamo (two more), which shapes do not need.
        with without_dynamo():
            torch.empty(1, device="meta").relu()
        # The trainer and its data sources (scikit-learn) too, so Start does not freeze.
        import designer.training.run_process  # noqa: F401

        self._done.set()
        self.ready.emit()

    def when_ready(self, callback) -> None:
        """Call `callback` in the GUI thread once torch is there (now, if it already is)."""
        if self.is_ready:
            callback()
        else:
            self.ready.connect(callback)
            self.start()


LOADER: TorchLoader | None = None


def torch_loader() -> TorchLoader:
    global LOADER
    if LOADER is None:
        LOADER = TorchLoader()
    return LOADER
