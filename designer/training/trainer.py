"""The training loop over torch: yields events to listeners, obeys a RunControl, knows no Qt."""

from __future__ import annotations

import contextlib
import gc
import math
import time
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

import torch
from torch import nn

from designer.runtime.batches import Batcher
from designer.runtime.devices import thread_count
from designer.runtime.errors import DataError
from designer.runtime.freezing import keep_frozen_statistics, thaw
from designer.runtime.loading import feed
from designer.runtime.monitor import Monitor
from designer.runtime.schedules import Schedule
from designer.runtime.scores import lower_is_better, predictions
from designer.runtime.settings import make_optimizer
from designer.runtime.stepping import LossNotFinite, Step
from designer.runtime.streaming import Streamer
from designer.training.checkpoint import (
    CheckpointError,
    load_checkpoint,
    restore_rng,
    rng_states,
    save_checkpoint,
)
from designer.training.control import RunControl
from designer.training.evaluate import evaluate, evaluation
from designer.training.events import (
    CheckpointSaved,
    EndReason,
    EpochDone,
    Event,
    FailureKind,
    LayersSampled,
    Listener,
    RunFailed,
    RunFinished,
    RunStarted,
    StepDone,
)
from designer.training.layer_stats import LayerSampler
from designer.training.position import Position
from designer.training.runs import RunFolder, RunWriteError, writing
from designer.training.schedule_length import check_length
from designer.training.setup import RunSetup
from designer.training.tensorboard import tensorboard_log
from designer.training.val_samples import val_samples

OOM_TEXTS = ("out of memory", "can't allocate memory", "not enough memory")


class Trainer:
    """Trains `setup`'s network. `run` stores config, metrics and checkpoints (None keeps
    everything in memory); `resume` continues from that run's last checkpoint; `layer_stats`
    samples live per-layer values (LayersSampled) at most once per that many seconds;
    `beside_window` leaves a core to the app's window."""

    def __init__(
        self,
        setup: RunSetup,
        run: RunFolder | None = None,
        control: RunControl | None = None,
        listeners: Iterable[Listener] = (),
        resume: bool = False,
        layer_stats: float = 0.0,
        beside_window: bool = False,
    ) -> None:
        if resume and run is None:
            raise ValueError("resuming needs the run folder")
        self.setup, self.run_folder, self.resume = setup, run, resume
        self.layer_stats, self.beside_window = layer_stats, beside_window
        self.control = control or RunControl()
        self.listeners: list[Listener] = list(listeners)
        self.model: nn.Module | None = None

    def run(self) -> RunFinished | RunFailed:
        """Train to the end and return the last event (finished or failed)."""
        last = None
        for event in self.events():
            last = event
        return last

    def threads(self, readers: int) -> int:
        return thread_count(self.setup.config.threads, readers=readers, window=self.beside_window)

    def events(self) -> Iterator[Event]:
        """Train, yielding every event as it happens; a failure ends with RunFailed. Runs with
        the setup's torch thread count (training.threads; automatic: the cores the reading
        processes leave, less one `beside_window`, set each epoch) in the
        thread that iterates, and restores that thread's count after; with OpenMP the count is
        per thread, so a GUI thread keeps its own. A stored run also gets TensorBoard files
        when tensorboard is installed."""
        previous = torch.get_num_threads()
        torch.set_num_threads(self.threads(readers=0))
        board = tensorboard_log(self.run_folder.root) if self.run_folder is not None else None
        if board is not None:
            self.listeners.append(board)
        try:
            yield from self._train()
        finally:
            torch.set_num_threads(previous)
            if board is not None:
                self.listeners.remove(board)
                board.close()

    def emit(self, event: Event) -> Event:
        for listener in self.listeners:
            listener(event)
        return event

    # -- the loop ---------------------------------------------------------------------------

    def _train(self) -> Iterator[Event]:
        setup, config, settings = self.setup, self.setup.config, self.setup.settings
        self.model = model = setup.build_model()
        self.optimizer = optimizer = make_optimizer(model, settings, settings.lr)
        self.settings = settings
        self.validation = evaluation(setup, setup.data.val, config.batch_size)
        self.batches = batcher = feed(
            setup.data.train, config.batch_size, setup.loading, setup.device, True
        )
        self.reported: set[str] = set()  # unreadable samples the events named already
        self.val_scores: dict[int, dict[str, float]] = {}  # by epoch, of this process's epochs
        self.schedule = Schedule(
            settings.schedule, optimizer, config.epochs, len(batcher), settings.lr
        )
        loss = setup.loss.function
        self.step = Step(model, model, loss, optimizer, self.schedule, settings, setup.device)
        self.monitor = Monitor(
            config.monitor, config.min_delta, config.patience, config.restore_best
        )
        self.shuffle = torch.Generator().manual_seed(config.seed)
        self.pos = Position(1, self.shuffle.get_state())
        if self.resume:
            self._restore()
        elif self.run_folder is not None:
            self.run_folder.write_start(
                setup.run_config(), setup.data.split_json(), setup.code.source
            )
        yield self.emit(
            RunStarted(
                self.run_folder.id if self.run_folder else "",
                self.run_folder.root if self.run_folder else None,
                config.epochs,
                len(batcher),
                str(setup.device),
                self.pos.step,
                setup.warnings,
                setup.data.class_names,
            )
        )
        try:
            finished = yield from self._epochs(batcher)
            if finished is not None:
                yield from self._finish(finished)
        except Exception as error:  # the run fails, the process and its caller stay alive
            yield self._failed(error)

    def _epochs(self, batcher: Batcher | Streamer) -> Iterator[Event]:
        """Runs the epochs; returns the reason the run ended, or None after a failure event."""
        setup, config, pos, model = self.setup, self.setup.config, self.pos, self.model
        optimizer, step, control = self.optimizer, self.step, self.control
        classes = setup.data.is_classification
        sampler = None
        if self.layer_stats > 0:
            sampler = LayerSampler(model, setup.code.names, self.layer_stats)
        while pos.epoch <= config.epochs:
            started = time.perf_counter()
            self.shuffle.set_state(pos.epoch_start)
            torch.set_num_threads(self.threads(batcher.readers()))
            order = batcher.order(self.shuffle)
            frozen = thaw(model, self.settings, pos.epoch)  # gradual unfreezing, if due
            model.train()
            keep_frozen_statistics(model, frozen)
            for x, y in batcher.shuffled(order, pos.batch):
                if control.asked:
                    control.wait_while_paused()
                    if control.stop_requested:
                        yield from self._save("last")
                        return EndReason.STOPPED
                sampling = sampler is not None and sampler.due()
                if sampling:
                    sampler.arm()
                try:
                    output, value = step(x, y)
                except LossNotFinite as error:
                    yield self._nan(error.value, pos.batch + 1)
                    return None
                samples = x.shape[0]
                # The predicted classes, not the outputs: no autograd link, and a few bytes a
                # sample whatever the output's size (a token task's vocabulary, say).
                answers = (predictions(output), y) if classes else None
                pos.counts(value, samples, answers)
                lr = optimizer.param_groups[0]["lr"]
                yield self.emit(
                    StepDone(pos.epoch, pos.batch, pos.step, value, lr, samples, answers)
                )
                if sampling:
                    yield self.emit(LayersSampled(pos.epoch, pos.step, sampler.collect()))
            seconds = time.perf_counter() - started
            val_scores, confusion = self.validation(self.model)
            self.val_scores[pos.epoch] = val_scores
            if not math.isfinite(val_scores["loss"]):
                yield self._nan(val_scores["loss"], pos.batch, "validation loss")
                return None
            ended = yield from self._end_epoch(seconds, val_scores, confusion)
            if ended is not None:
                return ended
        return EndReason.COMPLETED

    def _end_epoch(
        self, seconds: float, val_scores: dict[str, float], confusion: list[list[int]] | None
    ) -> Iterator[Event]:
        """Step the schedule, keep the best, save; returns a reason to stop or None."""
        setup, config, pos, monitor = self.setup, self.setup.config, self.pos, self.monitor
        lr = self.optimizer.param_groups[0]["lr"]
        train_scores = pos.tally.scores(setup.data.is_classification)
        record = {"epoch": pos.epoch, "step": pos.step, "lr": lr}
        record.update({f"train_{name}": value for name, value in train_scores.items()})
        record.update({f"val_{name}": value for name, value in val_scores.items()})
        epoch = pos.epoch
        improved = monitor.update(record, epoch, self.model)
        self.schedule.after_epoch(record[config.monitor], lower_is_better(config.monitor))
        pos.next_epoch(self.shuffle.get_state())
        skipped = set(self.batches.skipped)
        if skipped:
            record["skipped"] = len(skipped)
        if improved:
            yield from self._save("best", epoch)
        yield from self._save("last", epoch)
        if self.run_folder is not None:
            self.run_folder.append(
                {**record, "seconds": round(seconds, 4), "val_confusion": confusion}
            )
        samples = (
            val_samples(setup.data, self.model, setup.data.val, setup.device)
            if self.listeners
            else None
        )
        yield self.emit(
            EpochDone(
                epoch,
                pos.step,
                train_scores,
                val_scores,
                lr,
                seconds,
                confusion,
                improved,
                samples,
                tuple(sorted(skipped - self.reported)),
                len(skipped),
            )
        )
        self.reported |= skipped
        return EndReason.EARLY_STOPPED if monitor.should_stop() else None

    def _finish(self, reason: EndReason) -> Iterator[Event]:
        setup, config, best = self.setup, self.setup.config, self.monitor.best_state
        restores = reason != EndReason.STOPPED and best is not None
        if restores:
            self.model.load_state_dict(best)
        val = self.known_val(restores)
        if val is None:
            val, _ = self.validation(self.model)
        test = {}
        if reason != EndReason.STOPPED:
            test, _ = evaluate(setup, self.model, setup.data.test, config.batch_size)
        epoch = self.pos.epoch - (1 if self.pos.batch == 0 else 0)
        if self.run_folder is not None:
            self.run_folder.append(
                {"final": reason, "step": self.pos.step, "val": val, "test": test}
            )
        yield self.emit(RunFinished(reason, epoch, self.pos.step, val, test))

    def known_val(self, restored: bool) -> dict[str, float] | None:
        """The validation scores of the weights kept, where an epoch's end scored them already
        (the best epoch's, restored; or the last epoch's, with no step since): a second pass
        over the validation part would give the same numbers."""
        if restored:
            return self.val_scores.get(self.monitor.best_epoch)
        if self.pos.batch != 0:
            return None
        return self.val_scores.get(self.pos.epoch - 1)

    # -- checkpoints --------------------------------------------------------------------------

    def checkpoint_state(self) -> dict[str, Any]:
        scaler, monitor = self.step.scaler, self.monitor
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.schedule.state_dict(),
            "scaler": scaler.state_dict() if scaler is not None else None,
            "rng": rng_states(self.pos.epoch_start),
            "split_digest": self.setup.data.split_digest,
            "best": monitor.best,
            "best_epoch": monitor.best_epoch,
            "bad_epochs": monitor.bad_epochs,
            **self.pos.to_state(),
        }

    def _save(self, kind: str, epoch: int | None = None) -> Iterator[Event]:
        if self.run_folder is None:
            return
        path = self.run_folder.checkpoint(kind)
        with writing(path):
            save_checkpoint(path, self.checkpoint_state())
        shown = epoch if epoch is not None else self.pos.epoch
        yield self.emit(CheckpointSaved(kind, path, shown, self.pos.step))

    def _restore(self) -> None:
        """Restore model, optimizer, schedule, RNGs, position and the monitored best from the
        last checkpoint."""
        folder, monitor = self.run_folder, self.monitor
        path = folder.checkpoint("last")
        state = load_checkpoint(path)
        if state.get("split_digest") != self.setup.data.split_digest:
            raise CheckpointError(
                f"the data split differs from the one run {folder.id} trained on; resuming needs "
                "the same dataset and split settings"
            )
        check_length(
            self.schedule,
            state.get("scheduler"),
            folder.id,
            self.setup.config.epochs,
            len(self.batches),
        )
        try:
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
            self.schedule.load_state_dict(state["scheduler"])
            if self.step.scaler is not None and state.get("scaler") is not None:
                self.step.scaler.load_state_dict(state["scaler"])
            restore_rng(state["rng"], self.shuffle)
            self.pos = Position.from_state(state)
            monitor.best, monitor.best_epoch = state["best"], state["best_epoch"]
            monitor.bad_epochs = state["bad_epochs"]
        except (RuntimeError, KeyError, ValueError, TypeError) as error:
            first = str(error).strip().splitlines()[0][:200]
            raise CheckpointError(f"{path} does not fit this network ({first})") from None
        best = folder.checkpoint("best")
        if self.setup.config.restore_best and best.exists():
            monitor.best_state = load_checkpoint(best)["model"]
        folder.truncate_after(self.pos.step)

    # -- failures -----------------------------------------------------------------------------

    def _last_good(self) -> str:
        if self.run_folder is None or not self.run_folder.checkpoint("last").exists():
            return "there is no checkpoint yet"
        return f"the last good checkpoint is kept: {self.run_folder.checkpoint('last')}"

    def _nan(self, value: float, batch: int, what: str = "loss") -> RunFailed:
        pos = self.pos
        lr = self.optimizer.param_groups[0]["lr"]
        message = (
            f"the {what} became {value} at epoch {pos.epoch}, step {pos.step + 1} (batch {batch}); "
            f"the run stopped and {self._last_good()}. Try a lower learning rate (now {lr:g}) or "
            "gradient clipping (training.clip.norm)"
        )
        return self._fail(FailureKind.NAN, message)

    def _failed(self, error: Exception) -> RunFailed:
        pos = self.pos
        where = f"at epoch {pos.epoch}, step {pos.step + 1}"
        if is_out_of_memory(error):
            self.model = None
            gc.collect()
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            message = (
                f"out of memory {where} on {self.setup.device}: lower the batch size (now "
                f"{self.setup.config.batch_size}) or make the network smaller; {self._last_good()}"
            )
            return self._fail(FailureKind.OUT_OF_MEMORY, message)
        if isinstance(error, RunWriteError):
            message = (
                f"{error} after step {pos.step}: make the folder writable or free some space; "
                f"{self._last_good()}"
            )
            return self._fail(FailureKind.WRITE, message)
        if isinstance(error, DataError):
            return self._fail(FailureKind.DATA, f"{error} {where}; {self._last_good()}")
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        message = f"{type(error).__name__} {where}: {text}"
        return self._fail(FailureKind.ERROR, message, traceback.format_exc())

    def _fail(self, kind: FailureKind, message: str, details: str = "") -> RunFailed:
        if self.run_folder is not None and self.run_folder.root.exists():
            with contextlib.suppress(RunWriteError):  # the folder may be what failed
                self.run_folder.append(
                    {"final": "failed", "step": self.pos.step, "failure": kind, "message": message}
                )
        return self.emit(RunFailed(kind, message, self.pos.epoch, self.pos.step + 1, details))


def is_out_of_memory(error: BaseException) -> bool:
    if isinstance(error, torch.cuda.OutOfMemoryError | MemoryError):
        return True
    return isinstance(error, RuntimeError) and any(text in str(error) for text in OOM_TEXTS)
