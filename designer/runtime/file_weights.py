"""Weights a network starts from, read from a file of the user's (a state dict saved
with torch.save, or a .safetensors file): the file checked against the SHA-256 recorded
when it was chosen, its tensors renamed to the network's own."""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from pathlib import Path

import torch

from designer.runtime.checkpoints import check_state_dict
from designer.runtime.errors import SetupError

SAFETENSORS = ".safetensors"


@dataclass(frozen=True)
class FileWeights:
    """The weights `name` in the file at `path`, whose SHA-256 starts with `check`
    ("" checks nothing); `keys` maps each of the network's tensors to the file's."""

    name: str
    path: str
    check: str
    keys: dict[str, str]

    def file(self) -> Path:
        return Path(self.path)

    def state(self) -> dict[str, torch.Tensor]:
        """The tensors under the network's names; SetupError, naming the file, when
        it is missing, changed since it was recorded, unreadable, or lacks a tensor."""
        path = self.file()
        if not path.is_file():
            raise SetupError(
                f"the start weights file {path} is missing; put it back, or record "
                "other start weights (import the network again with --weights)"
            )
        digest = file_digest(path)
        if not digest.startswith(self.check):
            raise SetupError(
                f"the start weights file {path} has changed since it was recorded "
                f"(its SHA-256 is {digest[:16]}..., recorded {self.check[:16]}...); "
                "put the recorded file back, or import the network again with --weights"
            )
        found = read_state_dict(path)
        missing = [theirs for theirs in self.keys.values() if theirs not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise SetupError(f"{path} lacks {len(missing)} tensors ({shown})")
        return {ours: found[theirs] for ours, theirs in self.keys.items()}


def file_digest(path: Path) -> str:
    """The file's SHA-256, as hex."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """The named tensors of a .safetensors file (with the safetensors package) or of a
    file torch.save wrote (read with weights_only: no code in it can run), checked
    (see check_state_dict); SetupError naming the file when it holds something else or
    cannot be read."""
    if path.suffix.lower() == SAFETENSORS:
        try:
            from safetensors.torch import load_file
        except ImportError:
            raise SetupError(
                f"reading {path} needs the safetensors package: pip install safetensors"
            ) from None
        try:
            found = load_file(path)
        except Exception as error:  # any damage: say which file
            message = f"{path} is not a readable .safetensors file ({error})"
            raise SetupError(message) from None
        return check_state_dict(found, str(path))
    try:
        found = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise SetupError(
            f"{path} cannot be read as tensors only: it is damaged, or holds objects "
            "besides tensors (a whole pickled module, say), which are not loaded as "
            "they could run code; save module.state_dict() instead"
        ) from None
    except Exception as error:  # any other damage: say which file
        raise SetupError(f"{path} is not a readable weights file ({error})") from None
    return check_state_dict(found, str(path))
