"""Atomic file writes: a file on disk is always its old or its new version, never half
of one, and only a regular file (or nothing) is written over."""

from __future__ import annotations

import glob
import os
import stat
import tempfile
from pathlib import Path

KINDS = (
    (stat.S_ISREG, "a file"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a link that leads nowhere"),
)


class OutputRefused(OSError):
    """A path NetDesigner will not write to (a device, a FIFO, a folder, a file holding
    other work): nothing was written. `filename` is the path, `strerror` says why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(None, reason, str(path))

    def __str__(self) -> str:
        return f"{self.filename} {self.strerror}"

    def __reduce__(self):
        return type(self), (self.filename, self.strerror)


def kind_of(mode: int) -> str:
    """What a file of `mode` is, in words ("a character device")."""
    return next((kind for test, kind in KINDS if test(mode)), "not a regular file")


def writable_target(path: Path) -> Path:
    """Where writing `path` puts a file (its links followed), once it is sure that only
    a regular file, or nothing, is there and that its folder exists; else OutputRefused.
    Nothing is opened: a FIFO is refused before anything could block on it."""
    target = Path(os.path.realpath(path))
    try:
        mode = os.lstat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        folder = target.parent
        if not folder.is_dir():
            problem = f"{folder} is not a folder"
            if not folder.exists():
                problem = f"the folder {folder} does not exist"
            reason = f"cannot be written: {problem}; nothing was written"
            raise OutputRefused(path, reason) from None
        return target
    if stat.S_ISREG(mode):
        return target
    kind = kind_of(mode)
    if target == Path(os.path.abspath(path)):
        reason = f"is {kind}, not a file: nothing was written"
    else:
        reason = f"leads to {target}, {kind}, not a file: nothing was written"
    raise OutputRefused(path, reason)


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
    private 0600. Only a regular file is replaced: OutputRefused for a device, FIFO,
    socket or folder at `path` (or where its link leads), checked again just before the
    rename."""
    original = path
    path = writable_target(path)
    handle, temporary = temporary_beside(path)
    try:
        os.fchmod(handle, file_mode(path))
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if writable_target(original) != path:  # checked again: it may have changed
            raise OutputRefused(
                original, "changed while it was written: nothing was written"
            )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def make_output_folder(path: Path) -> Path:
    """Make the folder `path` (with its parents) for files to be written in it;
    OutputRefused when something other than a folder has its name."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        taken = next(
            part
            for part in (path, *path.parents)
            if os.path.lexists(part) and not part.is_dir()
        )
        try:
            kind = kind_of(taken.stat().st_mode)
        except OSError:  # a link that leads nowhere
            kind = kind_of(taken.lstat().st_mode)
        raise OutputRefused(
            taken, f"is {kind}, not a folder: nothing was written"
        ) from None
    return path
