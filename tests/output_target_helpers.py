"""Special files for the output-target tests, made in a temporary folder (never in /dev), and
what a folder holds, to show that a refused write left everything as it was."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

MODES = {
    "device": stat.S_IFCHR,
    "block": stat.S_IFBLK,
    "fifo": stat.S_IFIFO,
    "socket": stat.S_IFSOCK,
}


def make_special(path: Path, kind: str) -> Path:
    """A private device node (the null device's numbers), FIFO, socket or folder at `path`."""
    if kind == "folder":
        path.mkdir()
    else:
        os.mknod(path, 0o600 | MODES[kind], os.makedev(1, 3))
    return path


def listing(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every name in `folder` (and below) with its type, device numbers and, for a file, the
    hash of its bytes: a refused write changes none, and leaves no temporary file."""
    found = {}
    for path in sorted(folder.rglob("*")):
        info = os.lstat(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(info.st_mode) else ""
        found[str(path.relative_to(folder))] = (stat.S_IFMT(info.st_mode), info.st_rdev, digest)
    return found


@contextlib.contextmanager
def open_reader(path: Path) -> Iterator[object]:
    """For a FIFO, its reading end, opened without blocking: a writer that wrongly opened the
    FIFO would then not block but leave its bytes there to see. Else a reader of nothing."""
    if not (path.is_symlink() or path.exists()) or not stat.S_ISFIFO(os.lstat(path).st_mode):
        yield Nothing()
        return
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        yield Pipe(handle)
    finally:
        os.close(handle)


class Nothing:
    def read(self) -> bytes:
        return b""


class Pipe:
    def __init__(self, handle: int) -> None:
        self.handle = handle

    def read(self) -> bytes:
        try:
            return os.read(self.handle, 1 << 16)
        except BlockingIOError:
            return b""
