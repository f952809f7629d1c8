"""The netdesigner command: validate, summarize and export project files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from designer.cli_deadline import deadline
from designer.cli_inspection import add_commands as add_inspection_commands
from designer.interruption import interrupted
from designer.project import ProjectError, load_project


def open_project(args: argparse.Namespace, runs: bool = False):
    """The project; with --trust, its custom code may run. Without it, a command that `runs`
    the network refuses a project whose code is not trusted, naming its nodes."""
    from designer.compiler.code_trust import trust_document, withheld_names

    project = load_project(args.file)
    if args.trust:
        trust_document(project.graph)
    elif runs and (names := withheld_names(project.graph)):
        raise ProjectError(
            args.file,
            f"carries code of its own in custom-code node(s) {names}; it runs only if you "
            "trust it: add --trust",
        )
    return project


def analyze(args: argparse.Namespace, runs: bool = False):
    """The project and its analysis, within the command's deadline."""
    from designer.compiler import Analyzer

    with deadline(args.command, f"working out the shapes of {args.file}"):
        project = open_project(args, runs)
        return project, Analyzer(project.graph).report()


def command_validate(args: argparse.Namespace) -> int:
    project, report = analyze(args)
    for diagnostic in report.diagnostics:
        fix = f" (fix: {diagnostic.fix.label})" if diagnostic.fix else ""
        print(f"{args.file}: {diagnostic}{fix}")
    if report.ok and report.withheld:
        from designer.compiler.code_trust import withheld_names

        print(
            f"{args.file}: not fully checked: custom-code node(s) {withheld_names(project.graph)} "
            "carry code of their own, which runs only with --trust; the shapes from there on "
            "are unknown"
        )
        return 1
    if report.ok:
        print(f"{args.file}: valid, {len(project.graph)} nodes")
    return 0 if report.ok else 1


def command_summary(args: argparse.Namespace) -> int:
    from designer.compiler.summary import summary_table

    project, report = analyze(args)
    print(f"{project.name}\n")
    print(summary_table(project.graph, report, args.batch_size))
    return 0 if report.ok and not report.withheld else 1


def command_export(args: argparse.Namespace) -> int:
    from designer.data import SetupError
    from designer.export.bundle import ExportRequest, export

    project, _ = analyze(args, runs=True)  # the export's own analysis then comes from the cache
    script = Path(args.output)
    stem = script.with_suffix("") if script.suffix == ".py" else script
    weights = (Path(f"{stem}.safetensors"), Path(f"{stem}.pt")) if args.weights else ()
    request = ExportRequest(
        script=script,
        model_only=args.model_only,
        weights_run=args.weights,
        weights=weights,
        onnx=Path(args.onnx) if args.onnx else None,
        torchscript=Path(args.torchscript) if args.torchscript else None,
        force=args.force,
    )
    try:
        for line in export(project, request):
            print(line)
    except SetupError as error:
        print(f"{args.file}: not exported: {error}", file=sys.stderr)
        return 1
    return 0


def command_import(args: argparse.Namespace) -> int:
    from designer.importer.importing import import_to_project

    weights = Path(args.weights) if args.weights else None
    with deadline("import", f"importing {args.module}"):
        _, lines = import_to_project(
            args.module,
            args.input_shape,
            Path(args.output),
            args.flat,
            weights,
            args.force,
            sequence_first=args.sequence_first,
        )
    for line in lines:
        print(line)
    return 0


def command_pretrained(args: argparse.Namespace) -> int:
    from designer.importer.pretrained import pretrained_choices, pretrained_to_project
    from designer.importer.unfreezing import Unfreezing
    from designer.project.output_file import check_output_file

    if args.list or args.model is None:
        for choice in pretrained_choices():
            print(choice.describe())
        return 0
    output = Path(args.output) if args.output else None
    if output is None:
        raise ProjectError(args.model, "say where to write the project: -o PROJECT.json")
    check_output_file(output, args.force)
    data = Path(args.data) if args.data else None
    unfreezing = None
    if args.unfreeze_from is not None or args.unfreeze_epoch is not None:
        if args.unfreeze_from is None or args.unfreeze_epoch is None:
            raise ProjectError(args.model, "--unfreeze-from and --unfreeze-epoch go together")
        unfreezing = Unfreezing(args.unfreeze_from, args.unfreeze_epoch, args.backbone_lr_factor)
    elif args.backbone_lr_factor != 1:
        raise ProjectError(args.model, "--backbone-lr-factor needs --unfreeze-from")
    _, lines = pretrained_to_project(
        args.model, args.classes, output, args.freeze_backbone, data, unfreezing
    )
    for line in lines:
        print(line)
    return 0


def command_train(args: argparse.Namespace) -> int:
    import json
    import signal

    from designer.data import SetupError
    from designer.runtime.files import write_atomically
    from designer.training import RunControl, RunFailed, Trainer, new_run, open_run, prepare_run
    from designer.training.background_baseline import run_with_baseline
    from designer.training.events import EndReason
    from designer.training.output_owners import check_outputs
    from designer.training.progress import ProgressPrinter, final_scores, score_lines
    from designer.training.resume import resume_setup
    from designer.training.runs import RunWriteError

    project, _ = analyze(args, runs=True)
    metrics_json = [Path(args.metrics_json)] if args.metrics_json else []
    check_outputs(metrics_json, project.path, "trained", args.force)
    overrides = {
        "epochs": args.epochs,
        "device": args.device,
        "seed": args.seed,
        "threads": args.threads,
        "init_from": args.init_from,
    }
    try:
        if args.resume:
            run = open_run(project.path, args.resume)
            setup = resume_setup(project, run, **overrides)
        else:
            setup = prepare_run(project, **overrides)
            run = new_run(project.path)
        for warning in setup.warnings:
            print(f"{args.file}: warning: {warning}", file=sys.stderr)
        print(setup.data.describe())
        if setup.start is not None:
            print(f"starting from {setup.start.describe()}")
        control = RunControl()
        trainer = Trainer(setup, run, control, [ProgressPrinter(sys.stdout)], bool(args.resume))
        previous = signal.signal(signal.SIGINT, lambda *_: control.stop())
        try:
            result, baseline, note = run_with_baseline(trainer, None)
        finally:
            signal.signal(signal.SIGINT, previous)
    except SetupError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    except RunWriteError as error:
        print(f"{args.file}: the run's folder: {error}", file=sys.stderr)
        return 2
    if isinstance(result, RunFailed):
        print(f"{args.file}: training failed: {result.message}", file=sys.stderr)
        return 1
    if result.reason == EndReason.STOPPED:
        print(f"resume with: netdesigner train {args.file} --resume {run.id}")
    if note:
        print(f"{args.file}: {note}", file=sys.stderr)
    scores = final_scores(result, baseline, run.id)
    for line in score_lines(scores):
        print(line)
    if args.metrics_json:
        write_atomically(metrics_json[0], json.dumps(scores, indent=2) + "\n")
    return 0


def command_lr_find(args: argparse.Namespace) -> int:
    from designer.data import SetupError
    from designer.project.learning_rate import apply_learning_rate, file_state
    from designer.training import prepare_run
    from designer.training.lr_finder import find_lr

    project, _ = analyze(args, runs=True)
    read_at = file_state(project.path)
    try:
        setup = prepare_run(project, device=args.device, threads=args.threads)
    except SetupError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    print(f"sweeping the learning rate from {args.start:.2e} to {args.end:.2e}", flush=True)
    found = find_lr(setup, args.start, args.end, args.steps)
    shown = range(0, len(found.rates), max(1, len(found.rates) // 12))
    for index in shown:
        print(f"lr {found.rates[index]:10.2e}  loss {found.losses[index]:.4f}")
    if found.suggestion is None:
        print("no rate made the loss fall; try a wider range (--start, --end)")
        return 1
    print(f"suggested learning rate: {found.suggestion:.2e}")
    if args.apply:
        print(apply_learning_rate(project.path, float(f"{found.suggestion:.2e}"), read_at))
    return 0


def command_sweep(args: argparse.Namespace) -> int:
    from designer.sweep.command import sweep

    project, _ = analyze(args, runs=True)
    return sweep(project, args)


def at_least_one(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {number}")
    return number


def seconds(text: str) -> float:
    number = float(text)
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, got {text}")
    return number


COMMANDS = (
    "validate",
    "summary",
    "export",
    "import",
    "pretrained",
    "train",
    "lr-find",
    "profile",
    "explain",
    "sweep",
)
TRUST_HELP = "run the custom code the project carries (only for projects you trust)"
FORCE_HELP = "let an output replace the project or a training run's file"
THREADS_HELP = (
    "torch CPU threads (default: training.threads, automatic: the cores that the reading "
    "processes leave)"
)


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="netdesigner", description="Design neural networks by drawing them."
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check a project; exit 1 on errors")
    validate.add_argument("file")
    validate.add_argument("--trust", action="store_true", help=TRUST_HELP)
    validate.set_defaults(run=command_validate)
    summary = commands.add_parser("summary", help="layers, shapes, parameters and MACs")
    summary.add_argument("file")
    summary.add_argument("--batch-size", type=int, default=32, help="for activation memory")
    summary.add_argument("--trust", action="store_true", help=TRUST_HELP)
    summary.set_defaults(run=command_summary)
    export = commands.add_parser(
        "export", help="write a standalone PyTorch training script (or the model), weights, ONNX"
    )
    export.add_argument("file")
    export.add_argument("-o", "--output", required=True, help="the .py file to write")
    export.add_argument(
        "--model-only", action="store_true", help="only the nn.Module class, no training code"
    )
    export.add_argument(
        "--weights",
        metavar="RUN",
        help="also write that run's trained weights beside the script (.safetensors and .pt)",
    )
    export.add_argument("--onnx", metavar="OUT.onnx", help="also export ONNX (checked)")
    export.add_argument("--torchscript", metavar="OUT.pt", help="also export TorchScript")
    export.add_argument("--force", action="store_true", help=FORCE_HELP)
    export.add_argument("--trust", action="store_true", help=TRUST_HELP)
    export.set_defaults(run=command_export)
    import_ = commands.add_parser(
        "import", help="trace a PyTorch nn.Module into a project (runs the file's code)"
    )
    import_.add_argument("module", metavar="MODULE.py:NAME", help="a class or a function")
    import_.add_argument(
        "--input-shape",
        action="append",
        required=True,
        metavar="3x224x224",
        help="an input's shape without the batch; repeat for several inputs",
    )
    import_.add_argument("-o", "--output", required=True, help="the project file to write")
    import_.add_argument("--force", action="store_true", help="replace an existing file")
    import_.add_argument(
        "--flat",
        action="store_true",
        help="trace through every submodule; by default, classes of your own used two or more "
        "times become reusable blocks",
    )
    import_.add_argument(
        "--weights",
        metavar="FILE.pt",
        help="the module's state dict (.pt from torch.save, or .safetensors) to start from: "
        "checked against the module, recorded with its SHA-256 as training.start_weights",
    )
    import_.add_argument(
        "--sequence-first",
        action="store_true",
        help="the module takes (sequence, batch, ...) tensors (an LSTM with batch_first=False); "
        "the graph takes them batch first: the input shape is (sequence, ...)",
    )
    import_.set_defaults(run=command_import)
    pretrained = commands.add_parser(
        "pretrained",
        help="start a project from a torchvision network with published weights (--list)",
    )
    pretrained.add_argument("model", nargs="?", help="resnet18, mobilenet_v3_small, ...")
    pretrained.add_argument(
        "--classes", type=int, help="outputs of the new head (default: --data's classes, or 1000)"
    )
    pretrained.add_argument("--data", metavar="FOLDER", help="an image folder, a folder a class")
    pretrained.add_argument("-o", "--output", help="the project file to write")
    pretrained.add_argument("--force", action="store_true", help="replace an existing file")
    pretrained.add_argument(
        "--freeze-backbone",
        action="store_true",
        help="keep every layer but the new head as published (training.freeze)",
    )
    pretrained.add_argument(
        "--unfreeze-from",
        metavar="LAYER",
        help="with --freeze-backbone: the frozen layers from this one on (e.g. layer4_0) train "
        "again from --unfreeze-epoch (training.unfreeze)",
    )
    pretrained.add_argument("--unfreeze-epoch", type=int, metavar="N", help="see --unfreeze-from")
    pretrained.add_argument(
        "--backbone-lr-factor",
        type=float,
        default=1.0,
        metavar="F",
        help="the unfrozen layers learn at F times the rate, e.g. 0.1 "
        "(training.backbone_lr_factor)",
    )
    pretrained.add_argument("--list", action="store_true", help="list the networks")
    pretrained.set_defaults(run=command_pretrained)
    train = commands.add_parser("train", help="train the network; runs go to runs/ beside it")
    train.add_argument("file")
    train.add_argument("--epochs", type=int, help="override training.epochs")
    train.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
    train.add_argument("--seed", type=int, help="override training.seed")
    train.add_argument("--threads", type=int, help=THREADS_HELP)
    start = train.add_mutually_exclusive_group()
    start.add_argument("--resume", metavar="RUN", help="continue a run (its id or folder)")
    start.add_argument(
        "--init-from",
        metavar="RUN",
        help="start from a run's best weights, else its last (override training.init_from)",
    )
    train.add_argument("--metrics-json", metavar="PATH", help="write the final scores as JSON")
    train.add_argument("--force", action="store_true", help=FORCE_HELP)
    train.add_argument("--trust", action="store_true", help=TRUST_HELP)
    train.set_defaults(run=command_train)
    lr_find = commands.add_parser("lr-find", help="sweep the learning rate and propose one")
    lr_find.add_argument("file")
    lr_find.add_argument("--start", type=float, default=1e-6, help="lowest rate tried")
    lr_find.add_argument("--end", type=float, default=1.0, help="highest rate tried")
    lr_find.add_argument("--steps", type=int, default=100, help="batches in the sweep")
    lr_find.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
    lr_find.add_argument("--threads", type=int, help=THREADS_HELP)
    lr_find.add_argument("--apply", action="store_true", help="save the proposal in the project")
    lr_find.add_argument("--trust", action="store_true", help=TRUST_HELP)
    lr_find.set_defaults(run=command_lr_find)
    add_inspection_commands(commands, TRUST_HELP, FORCE_HELP, THREADS_HELP)
    sweep = commands.add_parser(
        "sweep", help="search the project's sweep section with Optuna, each trial a run"
    )
    sweep.add_argument("file")
    sweep.add_argument(
        "--trials",
        type=at_least_one,
        default=20,
        help="the study's trials in all; the same command again continues it up to that",
    )
    sweep.add_argument("--jobs", type=at_least_one, default=1, help="trials at a time")
    sweep.add_argument("--timeout", type=seconds, help="start no trial after this many seconds")
    sweep.add_argument(
        "--sampler", choices=("tpe", "random", "grid"), help="override sweep.sampler"
    )
    sweep.add_argument(
        "--storage",
        metavar="URL",
        help="an Optuna storage URL (default: sqlite file runs/<project>/sweep.db)",
    )
    sweep.add_argument(
        "--apply",
        metavar="TRIAL",
        help="run nothing: save that complete trial's values (its number, or best) in the "
        "project, whose file then holds the trial's network",
    )
    sweep.add_argument("--trust", action="store_true", help=TRUST_HELP)
    sweep.set_defaults(run=command_sweep)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return args.run(args)
    except KeyboardInterrupt:
        return interrupted()
    except ProjectError as error:
        print(f"netdesigner: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"netdesigner: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
