"""The netdesigner command: a CLI subcommand, the window (nothing or a file), or an error.
Little is imported before main() runs (the standard library), so that Ctrl+C while the rest
loads ends with a message, not a traceback."""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

from designer.interruption import INTERRUPTED, interrupted


def command() -> None:
    """The netdesigner process: main's exit code. After Ctrl+C the process ends at once once
    its message is out, skipping the interpreter's finalisation: under load, a process
    interrupted in lr-find's sweep was seen to end by the signal (-2) after its message."""
    code = main()
    if code == INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    try:
        return start(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        return interrupted()


def start(argv: list[str]) -> int:
    from designer import cli

    if argv and (argv[0] in cli.COMMANDS or argv[0].startswith("-")):
        return cli.main(argv)
    problem = not_a_window(argv)
    if problem is not None:
        print(f"netdesigner: {problem}", file=sys.stderr)
        return 2
    from designer.ui.app import run

    return run(argv)


def not_a_window(argv: list[str]) -> str | None:
    """Why the arguments cannot open the window, or None: the window takes one project file,
    which must be there, and a display to show on (Qt aborts the process without one). A first
    argument that is neither there nor shaped like a file name is taken for a mistyped command."""
    verbs = ", ".join(commands())
    if argv:
        path = Path(argv[0])
        if not (path.exists() or path.suffix or len(path.parts) > 1):
            return unknown_command(argv[0])  # a word, not a file name
        if len(argv) > 1:
            return f"the window opens one project file; for more, use a command: {verbs}"
        if path.is_dir():
            return f"{path}: not a project file (a folder)"
        if not path.exists():
            return f"{path}: no such file"
    if no_display():
        return (
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); run "
            f"it in a desktop session, or use a command: {verbs}"
        )
    return None


def commands() -> tuple[str, ...]:
    from designer.cli import COMMANDS

    return COMMANDS


def unknown_command(word: str) -> str:
    close = difflib.get_close_matches(word, commands(), n=1)
    guess = f", did you mean '{close[0]}'?" if close else ""
    return (
        f"unknown command '{word}'{guess}\n"
        f"commands: {', '.join(commands())}; or give a project file to open it in the window"
    )


def no_display() -> bool:
    """On Linux, no X11 or Wayland display and no Qt platform chosen (offscreen, say)."""
    names = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    return sys.platform.startswith("linux") and not any(os.environ.get(n) for n in names)


if __name__ == "__main__":
    command()
