"""What each example project must reach, and in what budget: one table for tests and docs."""

from __future__ import annotations

from dataclasses import dataclass

METRIC_NAMES = {"accuracy": "accuracy", "r2": "R2", "loss": "loss"}


@dataclass(frozen=True)
class Goal:
    """A validation score to reach (`at_most`: stay at or under it) within the epochs of the
    project's training section and `seconds` of a whole `netdesigner train` on 2 CPU cores."""

    metric: str
    bound: float
    seconds: int
    at_most: bool = False

    def met(self, scores: dict[str, float]) -> bool:
        score = scores[self.metric]
        return score <= self.bound if self.at_most else score >= self.bound

    def bar(self) -> str:
        """As people read it: 'validation accuracy >= 0.95'."""
        name = METRIC_NAMES[self.metric]
        return f"validation {name} {'<=' if self.at_most else '>='} {self.bound:g}"

    def budget(self, epochs: int) -> str:
        return f"{epochs} epochs, under {self.seconds} s on 2 CPU cores"


GOALS = {
    "attention_sequences": Goal("accuracy", 0.90, seconds=40),
    "attention_sequences_blocks": Goal("accuracy", 0.90, seconds=40),
    "autoencoder_digits": Goal("loss", 0.045, seconds=40, at_most=True),
    "binary_breast_cancer": Goal("accuracy", 0.95, seconds=30),
    "cnn_image_folder": Goal("accuracy", 0.95, seconds=60),
    "gru_sequences": Goal("accuracy", 0.90, seconds=40),
    "lenet5_digits": Goal("accuracy", 0.97, seconds=60),
    "lstm_sequences": Goal("accuracy", 0.90, seconds=40),
    "mlp_iris": Goal("accuracy", 0.93, seconds=30),
    "optimizer_tour": Goal("accuracy", 0.90, seconds=40),
    "regression_diabetes": Goal("r2", 0.40, seconds=30),
    "sweep_iris": Goal("accuracy", 0.93, seconds=30),
    "transfer_image_folder": Goal("accuracy", 0.65, seconds=120),
    "resnet_digits": Goal("accuracy", 0.97, seconds=60),
    "resnet_digits_blocks": Goal("accuracy", 0.97, seconds=60),
}
