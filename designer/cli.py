"""The netdesigner command: validate, summarize and export project files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from designer.project import ProjectError, load_project


def analyze(path: str):
    from designer.compiler import Analyzer

    project = load_project(path)
    return project, Analyzer(project.graph).report()


def command_validate(args: argparse.Namespace) -> int:
    project, report = analyze(args.file)
    for diagnostic in report.diagnostics:
        fix = f" (fix: {diagnostic.fix.label})" if diagnostic.fix else ""
        print(f"{args.file}: {diagnostic}{fix}")
    if report.ok:
        print(f"{args.file}: valid, {len(project.graph)} nodes")
    return 0 if report.ok else 1


def command_summary(args: argparse.Namespace) -> int:
    from designer.compiler.summary import summary_table

    project, report = analyze(args.file)
    print(f"{project.name}\n")
    print(summary_table(project.graph, report, args.batch_size))
    return 0 if report.ok else 1


def command_export(args: argparse.Namespace) -> int:
    from designer.atomic import write_atomically
    from designer.compiler import CompileError, generate

    project, report = analyze(args.file)
    try:
        code = generate(project.graph, report, project.name)
    except CompileError as error:
        for diagnostic in error.diagnostics:
            print(f"{args.file}: {diagnostic}", file=sys.stderr)
        print(f"{args.file}: not exported: fix the errors above first", file=sys.stderr)
        return 1
    write_atomically(Path(args.output), code.source)
    print(f"wrote {args.output} (class {code.class_name}, {report.total_params:,} parameters)")
    return 0


COMMANDS = ("validate", "summary", "export")


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="netdesigner", description="Design neural networks by drawing them."
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check a project; exit 1 on errors")
    validate.add_argument("file")
    validate.set_defaults(run=command_validate)
    summary = commands.add_parser("summary", help="layers, shapes, parameters and MACs")
    summary.add_argument("file")
    summary.add_argument("--batch-size", type=int, default=32, help="for activation memory")
    summary.set_defaults(run=command_summary)
    export = commands.add_parser("export", help="write the model as a PyTorch script")
    export.add_argument("file")
    export.add_argument("-o", "--output", required=True, help="the .py file to write")
    export.set_defaults(run=command_export)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ProjectError as error:
        print(f"netdesigner: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"netdesigner: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
