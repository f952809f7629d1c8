"""Everything checked before a run starts: settings, device, graph, memory, data, loss. Any problem
raises one SetupError naming its place, so nothing fails halfway through training."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from designer.compiler import Analyzer, GeneratedCode, generate, module_class
from designer.compiler.code_trust import withheld_names
from designer.data import PreparedData, SetupError, fit_input, input_node, prepare_data
from designer.model import GraphDocument
from designer.project import Project
from designer.project.training_settings import TrainingConfig
from designer.runtime.freezing import freeze, frozen_during
from designer.runtime.loading import Loading
from designer.runtime.pretrained_weights import Progress
from designer.runtime.settings import TrainingSettings
from designer.training.config import ConfigError, parse_training, with_overrides
from designer.training.device import resolve_device
from designer.training.losses import LossChoice, choose_loss
from designer.training.memory import check_memory
from designer.training.optim import runtime_settings
from designer.training.start_weights import StartWeights, pretrained_start, start_weights
from designer.training.unfreezing import (
    backbone_warnings,
    check_unfreezing,
    late_step_warnings,
    unfreeze_steps,
)
from nodes import Role


@dataclass
class RunSetup:
    """A checked run: the network class built from the generated source, data and settings."""

    project: Project
    config: TrainingConfig
    data: PreparedData
    code: GeneratedCode
    network: type
    loss: LossChoice
    device: torch.device
    training_settings: dict[str, Any]
    dataset_settings: dict[str, Any]
    warnings: tuple[str, ...] = ()
    start: StartWeights | None = None  # init_from's or start_weights' weights, checked
    # training.unfreeze's steps: (epoch, the ids of the frozen nodes that train from its start)
    unfreeze: tuple[tuple[int, tuple[str, ...]], ...] = ()

    @property
    def loading(self) -> Loading:
        """How batches are read: worker processes, and the data's augmentation."""
        return Loading(self.config.workers, self.data.augmentation, self.data.skip_unreadable)

    @property
    def settings(self) -> TrainingSettings:
        """The training settings as the runtime's loop (and the exported script) reads them."""
        from_run = self.start is not None and self.config.init_from
        start = str(self.start.path) if from_run else None
        names = self.code.names
        unfreeze = tuple(
            (epoch, tuple(names[node] for node in nodes if node in names))
            for epoch, nodes in self.unfreeze
        )
        return runtime_settings(self.config, start, frozen_paths(self.config, self.code), unfreeze)

    def build_model(self) -> nn.Module:
        """A fresh network, its weights drawn from the run's seed, or those of the run that
        training.init_from names, or the published ones of training.start_weights (a new
        head keeps its drawn ones; the seed still sets the other random draws). The layers
        frozen in the first epoch take no gradient."""
        torch.manual_seed(self.config.seed)
        model = self.network()
        if self.start is not None:
            model.load_state_dict(self.start.state, strict=self.start.complete)
        freeze(model, frozen_during(self.settings, 1))
        return model.to(self.device)

    def metric_names(self) -> list[str]:
        if self.data.task == "regression":
            return ["loss", "mae", "rmse", "r2"]
        if self.data.task == "multilabel":
            return ["loss", "accuracy", "f1"]
        if self.data.is_classification:
            names = ["loss", "accuracy", "precision", "recall", "f1"]
            if len(self.data.class_names) > 5:
                names.append(f"top{self.config.top_k}_accuracy")
            return names
        return ["loss"]

    def run_config(self) -> dict[str, Any]:
        """What the run folder keeps so the run can be repeated or resumed."""
        return {
            "project": str(self.project.path) if self.project.path else None,
            "name": self.project.name,
            "training": self.training_settings,
            "dataset": self.dataset_settings,
            "resolved": self.config.to_json(),
            "loss": self.loss.name,
            "task": self.data.task,
            "classes": list(self.data.class_names),
            "split_digest": self.data.split_digest,
            "torch": torch.__version__,
            "started_from": str(self.start.path) if self.start is not None else None,
        }


def prepare_run(
    project: Project,
    training: dict[str, Any] | None = None,
    dataset: dict[str, Any] | None = None,
    published: bool = True,
    progress: Progress | None = None,
    **overrides: Any,
) -> RunSetup:
    """Check and prepare a run of `project`; `training` and `dataset` replace its sections
    (a resumed run uses its own saved ones), `overrides` replace single training settings.
    Without `published`, published start weights are not read (an export, whose script
    reads, or downloads, them when it runs); `progress` hears how their download goes."""
    training_settings = with_overrides(
        project.training if training is None else training, **overrides
    )
    dataset_settings = project.dataset if dataset is None else dataset
    config = parse_training(training_settings)
    device = resolve_device(config.device)
    doc = project.graph
    report = Analyzer(doc).report()
    if not report.ok:
        problems = "; ".join(str(diagnostic) for diagnostic in report.errors[:3])
        raise SetupError(f"the network has errors, fix them first: {problems}", "graph")
    if report.withheld:
        raise SetupError(
            f"the network carries code of its own in custom-code node(s) "
            f"{withheld_names(doc)}, which runs only once you trust it (File > Trust Project "
            "Code in the app, --trust on the command line)",
            "graph",
        )
    unfreeze = unfreeze_steps(config, doc, report.order)
    check_memory(report, config.batch_size, device)
    base = project.path.parent if project.path is not None else None
    float_samples = input_node(doc).params.get("dtype") != "long"
    data = fit_input(prepare_data(dataset_settings, base, float_samples), doc, dataset_settings)
    output_shape, last_layer = output_of(doc, report)
    loss = choose_loss(config.loss, data, output_shape, last_layer)
    code = generate(doc, report, project.name)
    network = module_class(code)
    names = {node.id: node.name for node in doc.nodes()}
    layers = {attribute: names.get(node, attribute) for node, attribute in code.names.items()}
    start = None
    if config.init_from:
        start = start_weights(project.path, config.init_from, network, layers)
    elif published and config.start_weights is not None:
        start = pretrained_start(config.start_weights, network, layers, progress)
    setup = RunSetup(
        project,
        config,
        data,
        code,
        network,
        loss,
        device,
        training_settings,
        dataset_settings,
        loss.warnings
        + precision_warnings(config, device)
        + late_step_warnings(config, doc)
        + backbone_warnings(config),
        start,
        unfreeze,
    )
    check_frozen(setup)
    check_monitor(setup)
    return setup


def output_of(doc: GraphDocument, report) -> tuple[tuple[int, ...], tuple[str, str]]:
    """The shape the single Output node receives and the (kind, name) of the layer feeding it."""
    outputs = [node for node in doc.nodes() if node.spec.role == Role.OUTPUT]
    if len(outputs) != 1:
        names = ", ".join(repr(node.name) for node in outputs) or "none"
        raise SetupError(
            f"training needs one Output node; the graph has {len(outputs)} ({names})", "graph"
        )
    node = outputs[0]
    edges = doc.in_edges(node.id)
    source = doc.node(edges[0].source)
    return tuple(report.nodes[node.id].inputs[0].shape), (source.kind, source.name)


def frozen_paths(config: TrainingConfig, code: GeneratedCode) -> tuple[str, ...]:
    """The generated module's attributes of the nodes training.freeze names."""
    return tuple(code.names[node] for node in config.freeze if node in code.names)


def check_frozen(setup: RunSetup) -> None:
    """ConfigError at training.freeze when nothing would be left to train in the first epoch,
    and at training.unfreeze for a step that thaws nothing (checked on the meta device: no
    memory)."""
    settings = setup.settings
    with torch.device("meta"):
        network = setup.network()
        try:
            freeze(network, frozen_during(settings, 1))
        except SetupError as error:
            raise ConfigError(error.message, "training.freeze") from None
    check_unfreezing(settings, network, setup.config)


def precision_warnings(config: TrainingConfig, device: torch.device) -> tuple[str, ...]:
    if config.mixed_precision and device.type == "mps":
        return ("mixed precision is not used on mps; training runs in float32",)
    return ()


def check_monitor(setup: RunSetup) -> None:
    part, _, metric = setup.config.monitor.partition("_")
    names = setup.metric_names() if part == "val" else ["loss", "accuracy"]
    if metric not in names or (
        part == "train" and metric == "accuracy" and not setup.data.is_classification
    ):
        known = ", ".join(f"val_{name}" for name in setup.metric_names())
        raise ConfigError(
            f"{setup.config.monitor!r} is not measured for this task "
            f"(choose from train_loss, {known})",
            "training.monitor",
        )
