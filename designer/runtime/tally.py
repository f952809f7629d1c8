"""An epoch's running training loss and right answers, counted in bulk rather than per
step."""

from __future__ import annotations

import torch

from designer.runtime.scores import right_answers

# Steps held before they are counted: bounds memory, and counting this many at once
# costs about what one step's count does.
FOLD_STEPS = 32


class Tally:
    """Loss summed over samples, and right answers over targets where there are classes.
    A step only files its predicted classes and targets; they are counted together on
    their device every FOLD_STEPS steps, and the count is read (one device sync) only
    when the totals are."""

    def __init__(
        self,
        loss_sum: float = 0.0,
        samples: int = 0,
        correct: int = 0,
        targets: int = 0,
    ) -> None:
        self.loss_sum, self.samples, self.targets = loss_sum, samples, targets
        self.correct = correct  # read already (from a checkpoint)
        self.counted: torch.Tensor | None = None  # counted on the device, not read yet
        self.waiting: list[tuple[torch.Tensor, torch.Tensor]] = []

    def add(
        self,
        loss: float,
        samples: int,
        answers: tuple[torch.Tensor, torch.Tensor] | None,
    ) -> None:
        self.loss_sum += loss * samples
        self.samples += samples
        if answers is not None:
            self.waiting.append(answers)
            if len(self.waiting) >= FOLD_STEPS:
                self.fold()

    def fold(self) -> None:
        if not self.waiting:
            return
        predicted, targets = zip(*self.waiting, strict=True)
        self.waiting.clear()
        target = torch.cat(targets)
        count = right_answers(torch.cat(predicted), target)
        self.counted = count if self.counted is None else self.counted + count
        self.targets += target.numel()

    def totals(self) -> list[float | int]:
        """[loss sum, samples, correct, targets], as a checkpoint stores them."""
        self.fold()
        correct = self.correct + (int(self.counted) if self.counted is not None else 0)
        return [self.loss_sum, self.samples, correct, self.targets]

    def scores(self, classification: bool) -> dict[str, float]:
        loss_sum, samples, correct, targets = self.totals()
        scores = {"loss": loss_sum / max(1, samples)}
        if classification:
            scores["accuracy"] = correct / max(1, targets)
        return scores
