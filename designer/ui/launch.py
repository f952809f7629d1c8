"""The netdesigner command: a subcommand runs the CLI; nothing or a file opens the window."""

from __future__ import annotations

import sys

from designer import cli


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and (argv[0] in cli.COMMANDS or argv[0].startswith("-")):
        return cli.main(argv)
    from designer.ui.app import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
