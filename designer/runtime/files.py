"""Atomic file writes: a file on disk is always its old or its new version, never half
of one."""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path


def file_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def temporary_beside(path: Path) -> tuple[int, str]:
    """A new temporary file (open handle, name) beside `path`, named .NAME.PID.XXXX.tmp.
    Those that processes killed mid-write left behind (their process is gone) are
    removed first."""
    for orphan in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = orphan.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not is_running(int(pid)):
            orphan.unlink(missing_ok=True)
    return tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )


def write_atomically(path: Path, text: str) -> None:
    """Write `text` as UTF-8, atomically (see write_bytes_atomically)."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: Path, data: bytes | memoryview) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over
    `path`. A link is followed (its target is rewritten); the file keeps its
    permissions, and a new one gets the usual ones (0666 less the umask), not mkstemp's
    private 0600."""
    path = Path(path).resolve()
    handle, temporary = temporary_beside(path)
    try:
        os.fchmod(handle, file_mode(path))
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
