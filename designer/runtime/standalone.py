"""The exported script's own part: its command line, its processes under torchrun, and
the loop that prints each epoch and writes checkpoints and metrics.json to its output
folder."""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from designer.runtime.checkpoints import load_into, load_weights, save_checkpoint
from designer.runtime.devices import choose_device, thread_count, worker_count
from designer.runtime.errors import DataError, SetupError
from designer.runtime.evaluation import Evaluation, Scorer
from designer.runtime.files import (
    OutputRefused,
    make_output_folder,
    writable_target,
    write_atomically,
)
from designer.runtime.freezing import (
    freeze,
    frozen_during,
    keep_frozen_statistics,
    thaw,
)
from designer.runtime.loading import Loading, feed
from designer.runtime.monitor import Monitor
from designer.runtime.prepare import Preparation, Prepared, prepare
from designer.runtime.schedules import Schedule
from designer.runtime.scores import lower_is_better, predictions
from designer.runtime.settings import TrainingSettings, make_optimizer
from designer.runtime.stepping import LossNotFinite, Step
from designer.runtime.tally import Tally

OUTPUT_FILES = ("best.pt", "last.pt", "metrics.json")  # in the output folder
FILE_FLAGS = {
    "path": "data",
    "targets": "targets",
    "root": "data-root",
    "cache": "data-cache",
}
FILE_HELP = {
    "path": "the data",
    "targets": "the targets",
    "root": "the sets' folder",
    "cache": "folder of decoded data kept beyond the memory budget ('': none)",
}


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def parse_arguments(
    training: TrainingSettings, data: Any, loading: Loading
) -> argparse.Namespace:
    """The command line; each default is the project's setting. A data source read from
    files gets --data (--targets, --data-root) to read others of the same layout."""
    parser = argparse.ArgumentParser(
        description="Train the network of a NetDesigner project.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--epochs", type=positive, default=training.epochs, help="passes over the data")
    add(
        "--batch-size",
        type=positive,
        default=training.batch_size,
        help="samples per step over all processes",
    )
    add("--lr", type=float, default=training.lr, help="learning rate")
    add("--device", default=training.device, help="auto, cpu, cuda, cuda:N or mps")
    add("--output", default="checkpoints", help="folder for checkpoints and metrics")
    add(
        "--seed",
        type=int,
        default=training.seed,
        help="seed of the weights and shuffling",
    )
    add(
        "--threads",
        type=int,
        default=training.threads,
        help="CPU threads; 0: the cores the reading processes leave",
    )
    add(
        "--workers",
        type=int,
        default=loading.workers,
        help="processes reading samples where they stream; -1: cores - 1, at most 4",
    )
    add(
        "--init-weights",
        default=training.init_weights,
        help="a NetDesigner checkpoint (best.pt, last.pt) to start from",
    )
    for setting in dataclasses.fields(data):
        if setting.name in FILE_FLAGS:
            add(
                f"--{FILE_FLAGS[setting.name]}",
                default=getattr(data, setting.name),
                help=FILE_HELP[setting.name],
            )
    return parser.parse_args()


def join_processes(device: torch.device) -> int:
    """Join the group of torchrun's processes (gloo on the CPU, NCCL on GPUs); this
    process's rank."""
    # The functions of torch.distributed.nn keep the group that exists when it is
    # imported, as a default argument; DDP imports it (through torch._dynamo). Imported
    # before the group, they keep none, and destroy_process_group ends the group and
    # joins gloo's threads. A thread left running frees the last collectives' tensors
    # when it next runs (the barrier's work holds the broadcast's); if Python is
    # shutting down by then, it cannot take the GIL and the process aborts:
    # "terminate called without an active exception".
    importlib.import_module("torch.distributed.nn")
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return dist.get_rank()


def from_first_process(values: dict[str, float], world_size: int) -> dict[str, float]:
    """Process 0's values, sent to every process so that all decide alike."""
    if world_size == 1:
        return values
    box = [values]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def epoch_scores(
    tally: Tally, classes: bool, world_size: int, device: torch.device
) -> dict[str, float]:
    """The epoch's training loss (and accuracy), summed over the processes."""
    if world_size == 1:
        return tally.scores(classes)
    summed = torch.tensor(tally.totals(), dtype=torch.float64, device=device)
    dist.all_reduce(summed)
    loss_sum, samples, correct, targets = summed.tolist()
    return Tally(loss_sum, int(samples), int(correct), int(targets)).scores(classes)


def prefixed(prefix: str, values: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}_{name}": value for name, value in values.items()}


def described(values: dict[str, float]) -> str:
    return " ".join(f"{name}={value:.6g}" for name, value in values.items())


def save_outputs(
    folder: Path, state: dict, improved: bool, history: list[dict[str, float]]
) -> None:
    """last.pt after every epoch, best.pt when the monitored score improved, and the
    scores so far in metrics.json."""
    best, last, metrics = (folder / name for name in OUTPUT_FILES)
    if improved:
        save_checkpoint(best, state)
    save_checkpoint(last, state)
    write_atomically(metrics, json.dumps(history, indent=1))


def train(
    args: argparse.Namespace,
    prepared: Prepared,
    network_class: Callable[[], nn.Module],
    loss_function: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    scorer: Scorer | None,
    training: TrainingSettings,
    loading: Loading,
    device: torch.device,
    rank: int,
    world_size: int,
) -> None:
    """Train with validation after every epoch and checkpoints, then score the kept
    weights on the test part. Only process 0 prints and writes files."""
    train_part = prepared.parts["train"]
    torch.manual_seed(args.seed)
    network = network_class().to(device)
    try:
        if args.init_weights:
            weights = load_weights(args.init_weights)
            load_into(network, weights, args.init_weights)
        elif training.pretrained is not None:  # a new head keeps its drawn weights
            network.load_state_dict(training.pretrained.state(), strict=False)
        freeze(network, frozen_during(training, 1))
    except SetupError as error:
        raise SystemExit(str(error)) from None
    optimizer = make_optimizer(network, training, args.lr)
    model, sampler, batch_size = network, None, args.batch_size
    if world_size > 1:
        # Each process takes an equal share of every batch; DDP (made as each epoch
        # starts, see below) averages the gradients.
        sampler = torch.utils.data.DistributedSampler(
            range(len(train_part)), world_size, rank, seed=args.seed
        )
        batch_size = max(1, args.batch_size // world_size)
    batcher = feed(train_part, batch_size, loading, device, train=True)
    steps = math.ceil(
        (len(train_part) if sampler is None else len(sampler)) / batch_size
    )
    schedule = Schedule(training.schedule, optimizer, args.epochs, steps, args.lr)
    step = Step(model, network, loss_function, optimizer, schedule, training, device)
    monitor = Monitor(
        training.monitor, training.min_delta, training.patience, training.restore_best
    )
    lower = lower_is_better(training.monitor)
    evaluations = {
        name: Evaluation(
            prepared.parts[name],
            args.batch_size,
            loading,
            loss_function,
            scorer,
            device,
            prepared.targets,
        )
        for name in ("val", "test")
    }
    classes = scorer is not None and scorer.counts_answers
    shuffle = torch.Generator().manual_seed(args.seed)
    output_folder, history = Path(args.output), []
    reported: set[str] = set()  # unreadable samples printed already
    val_scores = {}  # by epoch: the end reports the kept weights' without a new pass
    frozen = None  # the paths frozen in the epoch before
    if rank == 0:  # a device or FIFO with an output's name stops the run now
        make_output_folder(output_folder)
        for name in OUTPUT_FILES:
            writable_target(output_folder / name)
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        thawed = thaw(network, training, epoch)  # gradual unfreezing, if due
        if world_size > 1 and thawed != frozen:
            # DDP averages the gradients of the parameters that train when it is made:
            # made again when unfreezing adds some.
            device_ids = [device.index] if device.type == "cuda" else None
            model = nn.parallel.DistributedDataParallel(network, device_ids=device_ids)
            step.model = model
        frozen = thawed
        # The cores the reading processes leave (all of them once pixels are at hand).
        torch.set_num_threads(thread_count(args.threads, world_size, batcher.readers()))
        order = batcher.order(shuffle)  # and the epoch's augmentation seed
        if sampler is not None:
            sampler.set_epoch(epoch)
            order = torch.tensor(list(sampler), device=order.device)
        model.train()
        keep_frozen_statistics(network, frozen)
        tally = Tally()
        for x, y in batcher.shuffled(order):
            try:
                output, value = step(x, y)
            except LossNotFinite as error:
                raise SystemExit(
                    f"epoch {epoch}: {error}; try a lower learning rate or clipping"
                ) from None
            tally.add(value, x.shape[0], (predictions(output), y) if classes else None)
        lr = optimizer.param_groups[0]["lr"]
        train_scores = epoch_scores(tally, classes, world_size, device)
        val = evaluations["val"](network)[0] if rank == 0 else {}
        val = from_first_process(val, world_size)
        if not math.isfinite(val["loss"]):
            raise SystemExit(f"epoch {epoch}: the validation loss became {val['loss']}")
        val_scores[epoch] = val
        record = {**prefixed("train", train_scores), **prefixed("val", val), "lr": lr}
        improved = monitor.update(record, epoch, network)
        schedule.after_epoch(record[training.monitor], lower)
        if rank == 0:
            seconds = time.perf_counter() - started
            history.append({"epoch": epoch, **record, "seconds": seconds})
            state = {
                "model": network.state_dict(),
                "optimizer": optimizer.state_dict(),
                "scheduler": schedule.state_dict(),
                "epoch": epoch,
                "metrics": record,
            }
            save_outputs(output_folder, state, improved, history)
            print(f"epoch {epoch}/{args.epochs} {described(record)}", flush=True)
            for message in sorted(batcher.skipped - reported):
                print(f"left out of training: {message}", flush=True)
            reported |= batcher.skipped
        if monitor.should_stop():
            if rank == 0:
                epochs = monitor.bad_epochs
                print(f"no better {training.monitor} for {epochs} epochs: stopped")
            break
    if rank == 0:
        kept, val = "final weights", val_scores[epoch]
        if monitor.best_state is not None:
            network.load_state_dict(monitor.best_state)
            kept = f"kept the weights of epoch {monitor.best_epoch}"
            val = val_scores[monitor.best_epoch]
        test = evaluations["test"](network)[0]
        print(
            f"{kept}: {described({**prefixed('val', val), **prefixed('test', test)})}"
        )
        print(f"checkpoints and metrics.json in {output_folder}", flush=True)


def main(
    project_name: str,
    network_class: Callable[[], nn.Module],
    data: Any,
    preparation: Preparation,
    loss_function: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    scorer: Scorer | None,
    training: TrainingSettings,
    loading: Loading,
) -> None:
    """Read the data as the project does, then train; a data problem ends with its
    message."""
    args = parse_arguments(training, data, loading)
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    workers = worker_count(args.workers, world_size)
    loading = dataclasses.replace(loading, workers=workers)
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = choose_device(args.device, local_rank if world_size > 1 else None)
    rank = join_processes(device) if world_size > 1 else 0
    files = {
        name: getattr(args, flag.replace("-", "_"))
        for name, flag in FILE_FLAGS.items()
        if hasattr(data, name)
    }
    data = dataclasses.replace(data, **files)
    if rank > 0:  # process 0 reads first: a set it downloads is there for the others
        dist.barrier()
    try:
        prepared = prepare(data.load(), preparation)
    except SetupError as error:
        raise SystemExit(f"{project_name}: {error}") from None
    if world_size > 1 and rank == 0:
        dist.barrier()
    # Threads are set once the data is ready, as in NetDesigner, where preparing the
    # data runs with torch's default thread count.
    torch.set_num_threads(thread_count(args.threads, world_size))
    if rank == 0:
        sizes = " / ".join(
            f"{len(part)} {name}" for name, part in prepared.parts.items()
        )
        print(f"{project_name}: {sizes} samples on {device}, {world_size} process(es)")
    try:
        train(
            args,
            prepared,
            network_class,
            loss_function,
            scorer,
            training,
            loading,
            device,
            rank,
            world_size,
        )
    except DataError as error:  # an image gone or broken since it was found
        saved = Path(args.output, "last.pt")
        kept = f"; the last checkpoint is {saved}" if saved.exists() else ""
        raise SystemExit(f"{project_name}: {error}{kept}") from None
    except OutputRefused as error:
        raise SystemExit(f"{project_name}: {error}") from None
    if world_size > 1:
        # Wait until every process is done (process 0 still writes checkpoints): gloo
        # aborts a process that tears its group down while another still uses it. The
        # group then ends here, while Python runs (see join_processes).
        dist.barrier()
        dist.destroy_process_group()
