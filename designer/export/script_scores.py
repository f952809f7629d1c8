"""The training script's loss and scores: the loss function the app trains with and the
metrics it reports for the task, written out the way designer.training computes them."""

from __future__ import annotations

import torch.nn.functional as F

from designer.data import PreparedData, SetupError
from designer.export.script_text import (
    Snippet,
    assignment,
    fill,
    function_docstring,
    join_code,
)
from designer.training import losses
from designer.training.losses import LossChoice

# The loss functions the app may pick, keyed by the function itself: the script computes
# exactly what the app does or the export stops.
LOSS_CODE = {
    F.cross_entropy: (
        "Cross-entropy of the logits against class numbers.",
        "F.cross_entropy(output, target)",
    ),
    F.nll_loss: ("Negative log-likelihood of log-probabilities.", "F.nll_loss(output, target)"),
    F.binary_cross_entropy_with_logits: (
        "Binary cross-entropy of the logits against 0 / 1 labels.",
        "F.binary_cross_entropy_with_logits(output, target)",
    ),
    F.mse_loss: ("Mean squared error.", "F.mse_loss(output, target)"),
    F.l1_loss: ("Mean absolute error.", "F.l1_loss(output, target)"),
    F.smooth_l1_loss: ("Smooth L1 (Huber-like) loss.", "F.smooth_l1_loss(output, target)"),
    losses.sequence_cross_entropy: (
        "Cross-entropy over the classes at every position of the sequence.",
        "F.cross_entropy(output.flatten(0, -2), target.flatten())",
    ),
    losses.sequence_nll: (
        "Negative log-likelihood at every position of the sequence.",
        "F.nll_loss(output.flatten(0, -2), target.flatten())",
    ),
    losses.binary_cross_entropy: (
        "Binary cross-entropy of one logit per sample against class 0 / 1.",
        "F.binary_cross_entropy_with_logits(\n"
        "    output, target.to(output.dtype).view_as(output)\n"
        ")",
    ),
}

LOSS = '''
def loss_function(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """$what"""
    $body
'''

COUNT_CORRECT = '''

def count_correct(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Right answers: one logit means class 1 above 0, more logits pick the largest."""
    if output.shape[-1] == 1:
        predicted = (output.reshape(output.shape[:-1]) > 0).long()
    else:
        predicted = output.argmax(-1)
    return (predicted == target).sum()
'''

CLASS_SCORES = '''

def scores(output: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    """Accuracy, and precision, recall and F1 averaged over the classes present, from
    the confusion matrix (rows: true class, columns: predicted)."""
    classes = CLASS_COUNT
    logits = output.detach().cpu().numpy()
    logits = logits.reshape(-1, logits.shape[-1])
    truth = target.detach().cpu().numpy().reshape(-1)
    predicted = logits.argmax(axis=1) if logits.shape[1] > 1 else (logits[:, 0] > 0)
    pairs = truth * classes + predicted
    counts = np.bincount(pairs, minlength=classes * classes)
    matrix = counts.reshape(classes, classes).tolist()
    true_counts = [sum(row) for row in matrix]
    predicted_counts = [sum(column) for column in zip(*matrix, strict=True)]
    present = [c for c in range(classes) if true_counts[c]]
    precision = [ratio(matrix[c][c], predicted_counts[c]) for c in present]
    recall = [ratio(matrix[c][c], true_counts[c]) for c in present]
    f1 = [ratio(2 * p * r, p + r) for p, r in zip(precision, recall, strict=True)]
    found = {
        "accuracy": sum(matrix[c][c] for c in range(classes)) / max(1, len(truth)),
        "precision": sum(precision) / len(present),
        "recall": sum(recall) / len(present),
        "f1": sum(f1) / len(present),
    }
    $top_k
    return found


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0
'''

TOP_K = """top = np.argpartition(logits, -$k, axis=1)[:, -$k:]
found["top$k_accuracy"] = float((top == truth[:, None]).any(axis=1).mean())"""

MULTILABEL_SCORES = '''

def scores(output: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    """Exact-match accuracy (every label right) and F1 over all labels."""
    predicted = output > 0
    truth = target > 0.5
    true_positive = (predicted & truth).sum().item()
    wrong = (predicted ^ truth).sum().item()
    return {
        "accuracy": float((predicted == truth).all(dim=1).double().mean()),
        "f1": 2 * true_positive / max(1, 2 * true_positive + wrong),
    }
'''

VALUE_SCORES = """

$signature
    $doc
    $undo_scale
    error = (output.double() - target.double()).reshape(-1)
    total = ((target.double() - target.double().mean()) ** 2).sum().item()
    residual = (error**2).sum().item()
    return {
        "mae": float(error.abs().mean()),
        "rmse": math.sqrt(residual / max(1, error.numel())),
        "r2": 1.0 - residual / total if total > 0 else 0.0,
    }
"""

PLAIN_SIGNATURE = "def scores(output: torch.Tensor, target: torch.Tensor) -> dict[str, float]:"
SCALED_SIGNATURE = """def scores(
    output: torch.Tensor,
    target: torch.Tensor,
    target_scale: tuple[torch.Tensor, torch.Tensor],
) -> dict[str, float]:"""

UNDO_SCALE = """mean, std = target_scale
output = output * std.to(output.device) + mean.to(output.device)
target = target * std.to(target.device) + mean.to(target.device)"""


def loss_code(loss: LossChoice) -> Snippet:
    if loss.function not in LOSS_CODE:
        raise SetupError(
            f"the {loss.name} loss cannot be exported as a script yet", "training.loss"
        )
    what, expression = LOSS_CODE[loss.function]
    return Snippet(fill(LOSS, what=what, body=f"return {expression}"))


def scores_code(data: PreparedData, output_shape: tuple[int, ...], top_k: int) -> Snippet:
    """The `scores` function for the task (none where only the loss is measured) and, where
    there are classes, `count_correct` for the training accuracy."""
    if data.task == "multilabel":
        return Snippet(MULTILABEL_SCORES)
    if data.task == "regression":
        scaled = data.targets is not None
        code = fill(
            VALUE_SCORES,
            signature=SCALED_SIGNATURE if scaled else PLAIN_SIGNATURE,
            doc=function_docstring(
                "Mean absolute error, root mean squared error and R2 over every value"
                + (", in the targets' own units." if scaled else ".")
            ),
            undo_scale=UNDO_SCALE if scaled else "",
        )
        return Snippet(code)
    if not data.is_classification:
        return Snippet()
    classes = len(data.class_names)
    top_k_lines = ""
    if classes > 5 and output_shape and output_shape[-1] > top_k:
        top_k_lines = TOP_K.replace("$k", str(top_k))
    code = join_code(COUNT_CORRECT, fill(CLASS_SCORES, top_k=top_k_lines))
    return Snippet(code, (assignment("CLASS_COUNT", classes),))
