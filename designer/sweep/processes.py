"""The training processes a sweep's trials run in, as many as the jobs at a time; each takes
one trial's run after another, torch imported once."""

from __future__ import annotations

import threading

from designer.training.run_process import TrainingProcess

CLOSE_SECONDS = 30.0  # a process that has not ended by then, asked to, is killed


class ProcessPool:
    """Lends a training process to a trial (an idle one, or a new one) and takes it back;
    `stop_all` stops the runs under way (each saves its checkpoint first)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: list[TrainingProcess] = []
        self.busy: set[TrainingProcess] = set()

    def take(self) -> TrainingProcess:
        with self.lock:
            while self.idle:
                process = self.idle.pop()
                if process.alive:
                    break
                process.close(0)
            else:
                process = TrainingProcess()
            self.busy.add(process)
            return process

    def give_back(self, process: TrainingProcess) -> None:
        with self.lock:
            self.busy.discard(process)
            if process.alive:
                self.idle.append(process)
            else:
                process.close(0)

    def stop_all(self) -> None:
        with self.lock:
            for process in self.busy:
                process.stop()

    def close(self) -> None:
        with self.lock:
            processes, self.idle = [*self.idle, *self.busy], []
        for process in processes:
            process.close(CLOSE_SECONDS)
