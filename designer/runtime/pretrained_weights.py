"""Published weights a network starts from (torchvision's, say): the file found in
torch's hub cache, or downloaded there with a progress bar and its hash checked, its
tensors renamed to the network's own; offline, the message names the file to place and
the folder to place it in."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import torch
from tqdm import tqdm

from designer.runtime.errors import SetupError

DOWNLOAD_TIMEOUT = 30.0  # seconds a connection may stay silent
DOWNLOAD_CHUNK = 1 << 20


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
        """Where torch keeps downloaded weights: $TORCH_HOME/hub/checkpoints."""
        name = os.path.basename(urlparse(self.url).path)
        return Path(torch.hub.get_dir()) / "checkpoints" / name

    def state(self) -> dict[str, torch.Tensor]:
        """The tensors under the network's names, read from the cache (downloaded
        there first when missing)."""
        path = self.file()
        if not path.is_file():
            download(self.url, path, self.check)
        try:
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


def download(url: str, path: Path, check: str) -> None:
    """`url` to `path` (a partial file beside it, renamed once whole and checked), with
    a progress bar; SetupError when it cannot be fetched or is not the file."""
    advice = f"without a connection, put the file {path.name} into {path.parent}"
    partial = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            size = int(response.headers.get("Content-Length") or 0) or None
            digest = hashlib.sha256()
            folder = path.parent
            descriptor, name = tempfile.mkstemp(".partial", f".{path.name}.", folder)
            partial = Path(name)
            with (
                os.fdopen(descriptor, "wb") as out,
                tqdm(total=size, unit="B", unit_scale=True, desc=path.name) as bar,
            ):
                while chunk := response.read(DOWNLOAD_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        if check and not digest.hexdigest().startswith(check):
            raise SetupError(
                f"the download of {url} is not the published file (its SHA-256 does "
                f"not start with {check}); try again, or {advice}"
            )
        os.replace(partial, path)
        partial = None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise SetupError(f"cannot download {url} ({reason}); {advice}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
