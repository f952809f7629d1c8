"""Published weights a network starts from (torchvision's, or timm's on the Hugging Face
hub): the file found in torch's hub cache, or downloaded there (its progress shown, its
hash checked), its tensors renamed to the network's own; offline, the message names the
file to place and the folder to place it in. The download is ours, not torch.hub's,
as that tells no caller how far it got (the app draws a progress bar)."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlparse
from urllib.request import urlopen

import torch

from designer.runtime.errors import SetupError
from designer.runtime.file_weights import SAFETENSORS, read_state_dict

DOWNLOAD_TIMEOUT = 30.0  # seconds a connection may stay silent
CHUNK = 1 << 20  # bytes read at a time
Progress = Callable[[int, int], None]  # bytes so far, bytes in all (0: not said)


@dataclass(frozen=True)
class PretrainedWeights:
    """The weights `name` published at `url` (the file's SHA-256 starts with `check`;
    "" checks nothing); `keys` maps each of the network's tensors that start from them
    to the file's tensor name."""

    name: str
    url: str
    check: str
    keys: dict[str, str]

    def file(self) -> Path:
        """Where torch keeps downloaded weights: $TORCH_HOME/hub/checkpoints, under the
        file's name; a file of a repository (OWNER/REPO/resolve/REVISION/FILE, as the
        Hugging Face hub publishes, where every model's file has one name) under
        OWNER--REPO--FILE."""
        parts = urlparse(self.url).path.strip("/").split("/")
        if len(parts) >= 5 and parts[2] == "resolve":
            name = "--".join((parts[0], parts[1], parts[-1]))
        else:
            name = os.path.basename(urlparse(self.url).path)
        return Path(torch.hub.get_dir()) / "checkpoints" / name

    def state(self, progress: Progress | None = None) -> dict[str, torch.Tensor]:
        """The tensors under the network's names, read from the cache (downloaded
        there first when missing, telling `progress`)."""
        path = self.file()
        if not path.is_file():
            download(self.url, path, self.check, progress)
        try:
            if path.suffix.lower() == SAFETENSORS:  # as the Hugging Face hub's are
                found = read_state_dict(path)
            else:
                found = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as error:  # any damage: a message, and how to mend it
            raise SetupError(
                f"{path} is not a readable weights file ({error}); remove it to "
                "download it again"
            ) from None
        if not isinstance(found, dict):
            raise SetupError(f"{path} holds no named tensors")
        missing = [theirs for theirs in self.keys.values() if theirs not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise SetupError(
                f"{path} is not the file of {self.name}: it lacks {len(missing)} "
                f"tensors ({shown})"
            )
        return {ours: found[theirs] for ours, theirs in self.keys.items()}


def download(
    url: str, path: Path, check: str, progress: Progress | None = None
) -> None:
    """`url` to `path` (a partial file beside it, its SHA-256 checked against `check`
    before it takes the name), telling `progress` (else printing) how far it got; no
    connection silent for more than DOWNLOAD_TIMEOUT. SetupError when it cannot be
    fetched or is not the published file."""
    advice = f"without a connection, put the file {path.name} into {path.parent}"
    partial: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            total = int(response.headers.get("Content-Length") or 0)
            report = progress or PrintedProgress(path.name)
            digest, done = hashlib.sha256(), 0
            with tempfile.NamedTemporaryFile(
                dir=path.parent,
                prefix=f".{path.name}.",
                suffix=".partial",
                delete=False,
            ) as file:
                partial = Path(file.name)
                while chunk := response.read(CHUNK):
                    file.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    report(done, total)
        if check and not digest.hexdigest().startswith(check):
            raise SetupError(
                f"the download of {url} is not the published file (its SHA-256 does "
                f"not start with {check}); try again, or {advice}"
            )
        os.replace(partial, path)
        partial = None
    except (URLError, OSError, ValueError, HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        raise SetupError(f"cannot download {url} ({reason}); {advice}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


class PrintedProgress:
    """A download's progress on stderr, a line redrawn at each whole per cent (each
    chunk when the size is not said)."""

    def __init__(self, name: str) -> None:
        self.name, self.shown = name, -1

    def __call__(self, done: int, total: int) -> None:
        step = done * 100 // total if total else done // CHUNK
        if step == self.shown:
            return
        self.shown = step
        ending = "\n" if done == total else ""
        size = f" of {total / 1e6:.1f}" if total else ""
        print(f"\r{self.name}: {done / 1e6:.1f}{size} MB", end=ending, file=sys.stderr)
