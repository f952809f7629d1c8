"""The training script's loop: optimizer, schedule, clipping, precision, validation, early
stopping, checkpoints, processes under torchrun and the command line, as the app's trainer."""

from __future__ import annotations

from dataclasses import dataclass

from designer.export.script_text import Snippet, assignment, call, fill, join_code
from designer.training.config import OptimizerConfig, ScheduleConfig, TrainingConfig
from designer.training.metrics import lower_is_better

ARGUMENTS = """

def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Train the network of a NetDesigner project."
    )
    parser.add_argument(
        "--epochs",
        type=positive,
        default=DEFAULT_EPOCHS,
        help="passes over the training data (default: %(default)s)",
    )
    parser.add_argument(
        "--batch-size",
        type=positive,
        default=DEFAULT_BATCH_SIZE,
        help="samples per step over all processes (default: %(default)s)",
    )
    parser.add_argument(
        "--lr",
        type=float,
        default=DEFAULT_LR,
        help="learning rate (default: %(default)s)",
    )
    parser.add_argument(
        "--device",
        default=DEFAULT_DEVICE,
        help="auto, cpu, cuda, cuda:N or mps (default: %(default)s)",
    )
    parser.add_argument(
        "--output",
        default=DEFAULT_OUTPUT,
        help="folder for checkpoints and metrics (default: %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help="seed of the weights and the shuffling (default: %(default)s)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help="torch CPU threads; 0: all cores but one (default: %(default)s)",
    )
    parser.add_argument(
        "--init-weights",
        default=DEFAULT_INIT_WEIGHTS,
        help="a NetDesigner checkpoint (best.pt, last.pt) to start from instead of "
        "fresh weights (default: %(default)s)",
    )
    $file_flags
    return parser.parse_args()
"""


FILE_FLAG_TEXT = {
    "csv": "the CSV file",
    "npz": "the .npz file",
    "npy": "the samples' .npy file",
    "image_folder": "the folder of class folders",
}

HELPERS = '''

def thread_count(setting: int, world_size: int) -> int:
    """0 is automatic: all cores but one, as in NetDesigner; under torchrun, an equal
    share of the cores for each process."""
    if setting:
        return setting
    cores = os.cpu_count() or 1
    return max(1, cores // world_size if world_size > 1 else cores - 1)


def choose_device(name: str, local_rank: int | None) -> torch.device:
    """auto is CUDA when there is a GPU, else Apple's mps, else the CPU. Under torchrun
    each process takes the GPU of its local rank."""
    if name == "auto":
        if torch.cuda.is_available():
            name = "cuda"
        elif torch.backends.mps.is_available():
            name = "mps"
        else:
            name = "cpu"
    device = torch.device(name)
    if device.type == "cuda" and local_rank is not None:
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    return device


def evaluate(
    model: nn.Module,
    part: tuple[torch.Tensor, torch.Tensor],
    batch_size: int,$scale_parameter
) -> dict[str, float]:
    """Loss and scores over one part, batch by batch in order, without gradients."""
    x, y = part
    if len(x) == 0:
        return {}
    model.eval()
    $outputs
    with torch.no_grad():
        for begin in range(0, len(x), batch_size):
            inputs = x[begin : begin + batch_size]
            target = y[begin : begin + batch_size]
            output = model(inputs)
            total += float(loss_function(output, target)) * len(inputs)
            $keep_output
    return $evaluation


def from_first_process(values: dict[str, float], world_size: int) -> dict[str, float]:
    """Process 0's values, sent to every process so that all decide alike."""
    if world_size == 1:
        return values
    box = [values]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def epoch_scores(
    totals: list[float], world_size: int, device: torch.device
) -> dict[str, float]:
    """The epoch's training $what from its totals, summed over processes."""
    if world_size > 1:
        summed = torch.tensor(totals, dtype=torch.float64, device=device)
        dist.all_reduce(summed)
        totals = summed.tolist()
    $scores


def prefixed(prefix: str, values: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}_{name}": value for name, value in values.items()}


def described(values: dict[str, float]) -> str:
    return " ".join(f"{name}={value:.6g}" for name, value in values.items())


def save_checkpoints(
    folder: str, state: dict, improved: bool, history: list[dict[str, float]]
) -> None:
    """last.pt after every epoch, best.pt when the monitored score improved, and the
    scores so far in metrics.json. torch.load(path, weights_only=True) reads the
    checkpoints."""
    if improved:
        torch.save(state, os.path.join(folder, "best.pt"))
    torch.save(state, os.path.join(folder, "last.pt"))
    with open(os.path.join(folder, "metrics.json"), "w") as stream:
        json.dump(history, stream, indent=1)
'''

AUTOCAST = '''

def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """Mixed precision as in NetDesigner: float16 on CUDA, bfloat16 on the CPU, none
    on mps."""
    if device.type not in ("cuda", "cpu"):
        return contextlib.nullcontext()
    dtype = torch.float16 if device.type == "cuda" else torch.bfloat16
    return torch.autocast(device.type, dtype=dtype)
'''

CLASS_EPOCH_SCORES = """loss_sum, samples, correct, targets = totals
return {"loss": loss_sum / max(1, samples), "accuracy": correct / max(1, targets)}"""

VALUE_EPOCH_SCORES = """loss_sum, samples = totals
return {"loss": loss_sum / max(1, samples)}"""

TRAIN = '''

def train(
    args: argparse.Namespace,
    parts: dict[str, tuple[torch.Tensor, torch.Tensor]],$scale_parameter
    device: torch.device,
    rank: int,
    world_size: int,
) -> None:
    """Train with validation after every epoch and checkpoints, then score the kept
    weights on the test part. Only process 0 prints and writes files."""
    train_x, train_y = parts["train"]
    torch.manual_seed(args.seed)
    network = $network().to(device)
    if args.init_weights:
        # weights_only: the file's tensors are read, no code in it can run.
        state = torch.load(args.init_weights, map_location="cpu", weights_only=True)
        network.load_state_dict(state["model"])
    $optimizer
    model, sampler, batch_size = network, None, args.batch_size
    if world_size > 1:
        # Each process takes an equal share of every batch; DDP averages the gradients.
        device_ids = [device.index] if device.type == "cuda" else None
        model = nn.parallel.DistributedDataParallel(network, device_ids=device_ids)
        sampler = torch.utils.data.DistributedSampler(
            range(len(train_x)), world_size, rank, seed=args.seed
        )
        batch_size = max(1, args.batch_size // world_size)
    $scheduler
    $scaler
    shuffle = torch.Generator().manual_seed(args.seed)
    $start
    if rank == 0:
        os.makedirs(args.output, exist_ok=True)
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        if sampler is None:
            order = torch.randperm(len(train_x), generator=shuffle).to(device)
        else:
            sampler.set_epoch(epoch)
            order = torch.tensor(list(sampler), device=device)
        model.train()
        $tally
        for begin in range(0, len(order), batch_size):
            index = order[begin : begin + batch_size]
            x, y = train_x[index], train_y[index]
            $forward
            value = loss.item()
            if not math.isfinite(value):
                raise SystemExit(
                    f"epoch {epoch}: the loss became {value}; "
                    "try a lower learning rate or gradient clipping"
                )
            optimizer.zero_grad()
            $step
            loss_sum += value * len(x)
            samples += len(x)
            $count
        lr = optimizer.param_groups[0]["lr"]
        totals = $totals
        train_scores = epoch_scores(totals, world_size, device)
        val = {}
        if rank == 0:
            val = evaluate(network, parts["val"], args.batch_size$scale)
        val = from_first_process(val, world_size)
        if not math.isfinite(val["loss"]):
            raise SystemExit(f"epoch {epoch}: the validation loss became {val['loss']}")
        record = {**prefixed("train", train_scores), **prefixed("val", val), "lr": lr}
        monitored = record[MONITOR_METRIC]
        improved = best is None or monitored $better
        if improved:
            $keep_best
        else:
            bad_epochs += 1
        $epoch_schedule
        if rank == 0:
            seconds = time.perf_counter() - started
            history.append({"epoch": epoch, **record, "seconds": seconds})
            state = {
                "model": network.state_dict(),
                "optimizer": optimizer.state_dict(),$scheduler_state
                "epoch": epoch,
                "metrics": record,
            }
            save_checkpoints(args.output, state, improved, history)
            print(f"epoch {epoch}/{args.epochs} {described(record)}", flush=True)
        $early_stop
    if rank == 0:
        $restore
        val = evaluate(network, parts["val"], args.batch_size$scale)
        test = evaluate(network, parts["test"], args.batch_size$scale)
        final = {**prefixed("val", val), **prefixed("test", test)}
        print(f"$kept: {described(final)}")
        print(f"checkpoints and metrics.json in {args.output}", flush=True)
'''

SCALE_PARAMETER = "\n    target_scale: tuple[torch.Tensor, torch.Tensor],"
SCALER = 'scaler = torch.amp.GradScaler("cuda") if device.type == "cuda" else None'
START = "best, bad_epochs, history = None, 0, []"
START_WITH_BEST = "best, best_epoch, bad_epochs, best_state, history = None, 0, 0, None, []"
TALLY = "loss_sum, samples = 0.0, 0"
CLASS_TALLY = "loss_sum, samples, correct, targets = 0.0, 0, 0, 0"
TOTALS = "[loss_sum, samples]"
CLASS_TOTALS = "[loss_sum, samples, int(correct), targets]"
SCHEDULER_STATE = '\n                "scheduler": scheduler.state_dict(),'

KEEP_BEST = """best, best_epoch, bad_epochs = monitored, epoch, 0
best_state = {k: v.clone() for k, v in network.state_dict().items()}"""

FORWARD = """output = model(x)
loss = loss_function(output, y)"""

COUNT = """correct += count_correct(output.detach(), y)
targets += y.numel()"""

EARLY_STOP = """if bad_epochs >= EARLY_STOP_PATIENCE:
    if rank == 0:
        print(f"no better {MONITOR_METRIC} for {bad_epochs} epochs: stopped")
    break"""

MAIN = """

def main() -> None:
    args = parse_arguments()
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = choose_device(args.device, local_rank if world_size > 1 else None)
    rank = 0
    if world_size > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        rank = dist.get_rank()
    $prepare
    parts = {name: (x.to(device), y.to(device)) for name, (x, y) in parts.items()}
    # Threads are set once the data is ready, as in NetDesigner, where preparing the
    # data runs with torch's default thread count.
    torch.set_num_threads(thread_count(args.threads, world_size))
    if rank == 0:
        sizes = " / ".join(f"{len(x)} {name}" for name, (x, _) in parts.items())
        print(f"{PROJECT_NAME}: {sizes} samples on {device}, {world_size} process(es)")
    train(args, parts, ${scale_argument}device, rank, world_size)
    if world_size > 1:
        # Wait until every process is done (process 0 still writes checkpoints): gloo
        # aborts a process that tears its group down while another still uses it.
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
"""


@dataclass(frozen=True)
class LoopChoices:
    """What the loop's code depends on besides the training settings."""

    class_name: str
    classification: bool
    scaled_targets: bool
    scores: bool
    file_flags: tuple[str, ...]
    source: str


def optimizer_line(config: OptimizerConfig) -> str:
    head = {
        "sgd": "optimizer = torch.optim.SGD",
        "adam": "optimizer = torch.optim.Adam",
        "adamw": "optimizer = torch.optim.AdamW",
        "rmsprop": "optimizer = torch.optim.RMSprop",
        "adagrad": "optimizer = torch.optim.Adagrad",
    }[config.name]
    arguments = ["network.parameters()", "args.lr"]
    if config.name == "sgd":
        arguments += [f"momentum={config.momentum!r}", f"nesterov={config.nesterov!r}"]
    if config.name in ("adam", "adamw"):
        betas = ", ".join(repr(beta) for beta in config.betas)
        arguments.append(f"betas=({betas})")
    if config.name == "rmsprop":
        arguments.append(f"momentum={config.momentum!r}")
    arguments.append(f"weight_decay={config.weight_decay!r}")
    return call(head, arguments)


def scheduler_lines(config: ScheduleConfig) -> tuple[str, str, str]:
    """The scheduler's creation, what runs after each step and what after each epoch."""
    if config.name == "step":
        made = call(
            "scheduler = torch.optim.lr_scheduler.StepLR",
            ["optimizer", repr(config.step_size), repr(config.gamma)],
        )
        return made, "", "scheduler.step()"
    if config.name == "cosine":
        made = call(
            "scheduler = torch.optim.lr_scheduler.CosineAnnealingLR",
            ["optimizer", "args.epochs", repr(config.min_lr)],
        )
        return made, "", "scheduler.step()"
    if config.name == "one_cycle":
        peak = repr(config.max_lr) if config.max_lr else "args.lr * 10"
        made = "\n".join(
            [
                "epoch_samples = len(train_x) if sampler is None else len(sampler)",
                "steps_per_epoch = math.ceil(epoch_samples / batch_size)",
                call(
                    "scheduler = torch.optim.lr_scheduler.OneCycleLR",
                    ["optimizer", peak, "epochs=args.epochs", "steps_per_epoch=steps_per_epoch"],
                ),
            ]
        )
        return made, "scheduler.step()", ""
    if config.name == "plateau":
        made = call(
            "scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau",
            [
                "optimizer",
                '"min"',
                f"factor={config.factor!r}",
                f"patience={config.patience!r}",
                f"min_lr={config.min_lr!r}",
            ],
        )
        return made, "", "scheduler.step(monitored)"
    return "", "", ""


def step_lines(config: TrainingConfig) -> str:
    """Backward pass, clipping and the optimizer step, with a gradient scaler on CUDA when
    mixed precision is on (as the app's trainer does)."""
    clip = []
    if config.clip_norm:
        clip.append(f"nn.utils.clip_grad_norm_(network.parameters(), {config.clip_norm!r})")
    if config.clip_value:
        clip.append(f"nn.utils.clip_grad_value_(network.parameters(), {config.clip_value!r})")
    if not config.mixed_precision:
        return "\n".join(["loss.backward()", *clip, "optimizer.step()"])
    unscale = ["    scaler.unscale_(optimizer)"] if clip else []
    return "\n".join(
        [
            "if scaler is None:",
            "    loss.backward()",
            "else:",
            "    scaler.scale(loss).backward()",
            *unscale,
            *clip,
            "if scaler is None:",
            "    optimizer.step()",
            "else:",
            "    scaler.step(optimizer)",
            "    scaler.update()",
        ]
    )


def loop_code(config: TrainingConfig, choices: LoopChoices) -> Snippet:
    """The command line, the helpers, the training function and main for these settings."""
    settings = [
        assignment("MONITOR_METRIC", config.monitor),
        assignment("MIN_DELTA", config.min_delta),
    ]
    if config.patience:
        settings.append(assignment("EARLY_STOP_PATIENCE", config.patience))
    code = join_code(
        fill(ARGUMENTS, file_flags=file_flag_lines(choices)),
        helpers_code(choices),
        AUTOCAST if config.mixed_precision else "",
        train_code(config, choices),
        main_code(choices),
    )
    imports = frozenset({"import contextlib"} if config.mixed_precision else ())
    return Snippet(code, tuple(settings), imports)


def helpers_code(choices: LoopChoices) -> str:
    classes = choices.classification
    return fill(
        HELPERS,
        scale_parameter=SCALE_PARAMETER if choices.scaled_targets else "",
        outputs="outputs, total = [], 0.0" if choices.scores else "total = 0.0",
        keep_output="outputs.append(output.float())" if choices.scores else "",
        evaluation=evaluation(choices),
        what="loss and accuracy" if classes else "loss",
        scores=CLASS_EPOCH_SCORES if classes else VALUE_EPOCH_SCORES,
    )


def train_code(config: TrainingConfig, choices: LoopChoices) -> str:
    lower = lower_is_better(config.monitor)
    made, after_step, after_epoch = scheduler_lines(config.schedule)
    if config.schedule.name == "plateau" and not lower:
        after_epoch = "scheduler.step(-monitored)"  # the scheduler works in "min" mode
    forward = FORWARD
    if config.mixed_precision:
        forward = "with autocast(device):\n" + indent(FORWARD)
    classes, restore = choices.classification, config.restore_best
    return fill(
        TRAIN,
        scale_parameter=SCALE_PARAMETER if choices.scaled_targets else "",
        network=choices.class_name,
        optimizer=optimizer_line(config.optimizer),
        scheduler=made,
        scaler=SCALER if config.mixed_precision else "",
        start=START_WITH_BEST if restore else START,
        tally=CLASS_TALLY if classes else TALLY,
        forward=forward,
        step="\n".join(filter(None, [step_lines(config), after_step])),
        count=COUNT if classes else "",
        totals=CLASS_TOTALS if classes else TOTALS,
        scale=", target_scale" if choices.scaled_targets else "",
        better="< best - MIN_DELTA" if lower else "> best + MIN_DELTA",
        keep_best=KEEP_BEST if restore else "best, bad_epochs = monitored, 0",
        epoch_schedule=after_epoch,
        scheduler_state=SCHEDULER_STATE if made else "",
        early_stop=EARLY_STOP if config.patience else "",
        restore="network.load_state_dict(best_state)" if restore else "",
        kept="kept the weights of epoch {best_epoch}" if restore else "final weights",
    )


def main_code(choices: LoopChoices) -> str:
    scaled = choices.scaled_targets
    prepare = fill(
        "$names = prepare_data($arguments)",
        names="parts, target_scale" if scaled else "parts",
        arguments=", ".join(f"args.{flag}" for flag in choices.file_flags),
    )
    return fill(MAIN, prepare=prepare, scale_argument="target_scale, " if scaled else "")


def evaluation(choices: LoopChoices) -> str:
    if not choices.scores:
        return '{"loss": total / len(x)}'
    scale = ", target_scale" if choices.scaled_targets else ""
    return f'{{"loss": total / len(x), **scores(torch.cat(outputs), y{scale})}}'


def file_flag_lines(choices: LoopChoices) -> str:
    if not choices.file_flags:
        return ""
    helps = {"data": FILE_FLAG_TEXT[choices.source], "targets": "the targets' .npy file"}
    lines = [
        call(
            "parser.add_argument",
            [
                f'"--{flag}"',
                f"default={flag.upper()}_PATH",
                f'help="{helps[flag]} (default: %(default)s)"',
            ],
        )
        for flag in choices.file_flags
    ]
    return "\n".join(lines)


def indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
