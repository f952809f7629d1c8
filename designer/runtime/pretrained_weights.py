"""Published weights a network starts from (torchvision's, say): the file found in
torch's hub cache, or downloaded there (torch.hub's download: a progress bar where tqdm
is installed, the hash checked), its tensors renamed to the network's own; offline, the
message names the file to place and the folder to place it in."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlparse

import torch

from designer.runtime.errors import SetupError

DOWNLOAD_TIMEOUT = 30.0  # seconds a connection may stay silent


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
    """`url` to `path` with torch.hub's download (a partial file beside it, its hash
    checked before it takes the name, a progress bar), no connection silent for more
    than DOWNLOAD_TIMEOUT; SetupError when it cannot be fetched or is not the file."""
    advice = f"without a connection, put the file {path.name} into {path.parent}"
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)  # torch.hub's urlopen takes no timeout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.hub.download_url_to_file(url, str(path), check or None, progress=True)
    except RuntimeError as error:  # the hash
        raise SetupError(
            f"the download of {url} is not the published file ({error}); try again, "
            f"or {advice}"
        ) from None
    except (URLError, OSError, ValueError, HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        raise SetupError(f"cannot download {url} ({reason}); {advice}") from None
    finally:
        socket.setdefaulttimeout(previous)
