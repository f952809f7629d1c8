"""A folder's entries sorted into what may be read (regular files and folders, links
followed only where they stay inside the chosen folder) and what is passed over and
counted: named pipes, devices and sockets, link loops, broken links and links that lead
out."""

from __future__ import annotations

import errno
import os
import stat
from collections import Counter
from pathlib import Path

# Each kind passed over: its name for one, for more.
PASSED_OVER = {
    "pipe": ("named pipe", "named pipes"),
    "device": ("device", "devices"),
    "socket": ("socket", "sockets"),
    "loop": ("link loop", "link loops"),
    "broken": ("broken link", "broken links"),
    "outside": (
        "link that leads out of the folder",
        "links that lead out of the folder",
    ),
    "unreadable": ("entry that cannot be read", "entries that cannot be read"),
}


class FolderEntries:
    """Lists folders inside `root` (a resolved path), counting in `passed_over` what
    cannot be read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.passed_over: Counter[str] = Counter()

    def listing(
        self, folder: Path
    ) -> tuple[list[Path], list[tuple[Path, os.stat_result]]]:
        """The folders and the regular files (with their status) directly in `folder`,
        in name order."""
        folders, files = [], []
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda entry: entry.name):
                kind, status = self.kind(entry)
                if kind == "folder":
                    folders.append(Path(entry.path))
                elif kind == "file":
                    files.append((Path(entry.path), status))
                elif kind:
                    self.passed_over[kind] += 1
        return folders, files

    def kind(self, entry: os.DirEntry) -> tuple[str, os.stat_result | None]:
        """ "folder", "file" (with its status) or the kind passed over."""
        try:
            if entry.is_symlink():
                target = Path(entry.path).resolve(strict=True)
                if not target.is_relative_to(self.root):
                    return "outside", None
                status = target.stat()
            else:
                status = entry.stat(follow_symlinks=False)
        except RuntimeError:  # Python before 3.13 on a loop
            return "loop", None
        except OSError as error:
            if error.errno == errno.ELOOP:
                return "loop", None
            return ("broken" if error.errno == errno.ENOENT else "unreadable"), None
        return file_kind(status.st_mode), status

    def summary(self) -> str:
        """What was passed over, as "1 named pipe and 2 link loops" ("": nothing)."""
        parts = [
            f"{count} {PASSED_OVER[kind][count > 1]}"
            for kind, count in sorted(self.passed_over.items())
        ]
        return " and ".join(
            [", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts
        )


def file_kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device"
