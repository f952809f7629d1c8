"""The netdesigner commands that look inside a network: profile (where a training step's
time and memory go, layer by layer) and explain (why a trained run answered as it did)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

KINETO_QUIET = "6"  # above its USDT trace lines' level


def command_profile(args: argparse.Namespace) -> int:
    # Read when torch loads: the profiler's library otherwise prints a line to stderr at
    # each start and stop of a trace.
    os.environ.setdefault("KINETO_LOG_LEVEL", KINETO_QUIET)
    from designer.cli import analyze
    from designer.data import SetupError
    from designer.inspection.layer_profile import profile_run
    from designer.inspection.profile_table import profile_table
    from designer.runtime.stepping import LossNotFinite
    from designer.training import prepare_run

    project, _ = analyze(args, runs=True)
    try:
        setup = prepare_run(project, device=args.device, threads=args.threads)
        batch = args.batch or setup.config.batch_size
        print(f"profiling {args.file} at batch {batch} on {setup.device}", flush=True)
        profile = profile_run(setup, batch)
    except SetupError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    except LossNotFinite as error:
        print(f"{args.file}: not profiled: {error}", file=sys.stderr)
        return 1
    print(profile_table(profile))
    print(f"(mean of the middle {profile.steps} of the profiled steps; times per step)")
    return 0


def command_explain(args: argparse.Namespace) -> int:
    from designer.cli import analyze
    from designer.data import SetupError
    from designer.inspection.explain import explain
    from designer.inspection.pictures import explanation_picture, save_png
    from designer.inspection.trained import trained_network
    from designer.training.output_owners import check_outputs

    project, _ = analyze(args, runs=True)
    if not args.wrong and (args.sample is None or args.output is None):
        needed = "--sample K -o OUT.png (or list the wrong answers with --wrong)"
        print(f"{args.file}: say which sample to explain and where: {needed}", file=sys.stderr)
        return 2
    output = None if args.wrong else Path(args.output)
    if output is not None:
        check_outputs([output], project.path, "explained", args.force)
    try:
        trained = trained_network(project, args.run_id, device=args.device)
        if args.wrong:
            return print_wrong(trained)
        explanation = explain(trained, args.sample, args.method, args.layer)
    except SetupError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    print(f"sample {args.sample}: {explanation.describe()}")
    print(f"weights: {trained.weights.kind} checkpoint of run {trained.weights.run_id}")
    if explanation.labels:
        ranked = sorted(zip(explanation.labels, explanation.values, strict=True), key=rank)
        for label, value in ranked:
            print(f"  {label:>24}  {value:+.4g}")
    save_png(explanation_picture(explanation), output)
    print(f"wrote {output}")
    return 0


def print_wrong(trained) -> int:
    """List the validation samples the run answers wrongly: number, answer, true class."""
    from designer.inspection.answers import val_answers

    answers = val_answers(trained)
    names = trained.setup.data.class_names
    wrong = answers.wrong
    print(f"{len(wrong)} of {len(answers.true)} validation samples answered wrongly")
    for sample in wrong:
        predicted, true = names[answers.predicted[sample]], names[answers.true[sample]]
        print(f"  sample {sample}: answered {predicted}, true {true}")
    return 0


def positive(text: str) -> int:
    """A whole number from 1, for argparse."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1")
    return number


def rank(item: tuple) -> float:
    return -abs(float(item[1]))


def add_commands(commands, trust_help: str, force_help: str, threads_help: str) -> None:
    """The profile and explain subcommands."""
    profile = commands.add_parser(
        "profile", help="time and memory of a training step, layer by layer"
    )
    profile.add_argument("file")
    profile.add_argument("--batch", type=positive, help="batch size (default: training.batch_size)")
    profile.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
    profile.add_argument("--threads", type=int, help=threads_help)
    profile.add_argument("--trust", action="store_true", help=trust_help)
    profile.set_defaults(run=command_profile)
    explain = commands.add_parser(
        "explain", help="draw why a trained run answered as it did for a validation sample"
    )
    explain.add_argument("file")
    explain.add_argument("--run", dest="run_id", required=True, help="the run (its id or folder)")
    explain.add_argument("--sample", type=int, help="the validation sample, from 0")
    explain.add_argument(
        "--wrong",
        action="store_true",
        help="list the validation samples the run answers wrongly (to choose one)",
    )
    explain.add_argument(
        "--method",
        default="gradcam",
        choices=("gradcam", "ig", "saliency", "occlusion"),
        help="Grad-CAM (images), integrated gradients, saliency or occlusion",
    )
    explain.add_argument("--layer", help="Grad-CAM's convolution layer (default: the last one)")
    explain.add_argument("-o", "--output", help="the PNG file to write")
    explain.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
    explain.add_argument("--force", action="store_true", help=force_help)
    explain.add_argument("--trust", action="store_true", help=trust_help)
    explain.set_defaults(run=command_explain)
