"""Pretrained networks: torchvision's architectures imported with their head sized for the
user's classes, starting from published weights read from torch's hub cache (written here by
the tests, as no model hub is reachable), downloaded with their hash checked, and refused with
a message when they cannot be had or do not fit."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path

import pytest
import torch

from designer.cli import main as cli_main
from designer.compiler import Analyzer, generate, module_class
from designer.data import SetupError, prepare_data
from designer.export.script import training_script
from designer.importer.head import class_param, head_node
from designer.importer.pretrained import pretrained_project, torchvision_published
from designer.importer.unfreezing import Unfreezing, unfreeze_settings
from designer.project import ProjectError, load_project
from designer.runtime.pretrained_weights import PretrainedWeights, download
from designer.training import Trainer, new_run, prepare_run
from designer.training.events import RunFinished
from designer.training.resume import resume_setup
from designer.training.start_weights import pretrained_start
from tests.pretrained_helpers import (
    FILE,
    image_folder,
    models,
    seeded_hub,
    started_network,
    with_images,
)
from tests.script_helpers import (
    PINNED,
    app_epochs,
    as_printed,
    printed_epochs,
    run_script,
    write_script,
)


@pytest.fixture
def hub(tmp_path, monkeypatch) -> Path:
    return seeded_hub(tmp_path, monkeypatch)


def test_the_imported_network_computes_as_torchvision_with_the_published_weights(hub):
    project = pretrained_project("resnet18", 1000).project
    doc = project.graph
    network = module_class(generate(doc, Analyzer(doc).report(), project.name))
    start = pretrained_start(project.training["start_weights"], network, {})
    assert start.complete and start.path == hub / FILE
    model = network()
    model.load_state_dict(start.state)
    reference = models().resnet18()
    reference.load_state_dict(torch.load(hub / FILE, weights_only=True))
    x = torch.rand(2, 3, 224, 224)
    with torch.no_grad():
        difference = model.eval()(x) - reference.eval()(x)
    assert float(difference.abs().max()) <= 1e-6


def test_a_new_head_starts_fresh_and_the_rest_from_the_weights(hub, tmp_path):
    project = with_images(pretrained_project("resnet18", 2).project, tmp_path)
    head = [node for node in project.graph.nodes() if node.kind == "dense"]
    assert [node.params["units"] for node in head] == [2]
    setup = prepare_run(project)
    assert not setup.start.complete
    assert setup.data.pixels.mean.flatten().tolist() == pytest.approx([0.485, 0.456, 0.406])
    assert setup.data.pixels.std.flatten().tolist() == pytest.approx([0.229, 0.224, 0.225])
    published = torch.load(hub / FILE, weights_only=True)
    state = setup.build_model().state_dict()
    keys = project.training["start_weights"]["keys"]
    assert len(keys) == len(published) - 2  # all but the head's weight and bias
    assert all(torch.equal(state[ours], published[theirs]) for ours, theirs in keys.items())
    assert isinstance(Trainer(setup).run(), RunFinished)


def test_a_frozen_backbone_keeps_its_weights_and_statistics_while_the_head_trains(hub, tmp_path):
    project = pretrained_project("resnet18", 2, freeze_backbone=True).project
    with_images(project, tmp_path)
    setup = prepare_run(project)
    trainer = Trainer(setup)
    before = {key: value.clone() for key, value in setup.build_model().state_dict().items()}
    assert isinstance(trainer.run(), RunFinished)
    after = trainer.model.state_dict()
    head = "fc."
    assert all(torch.equal(after[key], before[key]) for key in before if not key.startswith(head))
    assert not torch.equal(after["fc.weight"], before["fc.weight"])
    assert sum(len(group["params"]) for group in trainer.optimizer.param_groups) == 2


def test_a_run_resumes_from_its_own_checkpoint_without_the_published_file(hub, tmp_path):
    project = with_images(pretrained_project("resnet18", 2).project, tmp_path)
    run = new_run(project.path)
    assert isinstance(Trainer(prepare_run(project), run).run(), RunFinished)
    (hub / FILE).unlink()  # offline now, and the cache emptied
    ended = Trainer(resume_setup(project, run, epochs=2), run, resume=True).run()
    assert isinstance(ended, RunFinished) and ended.epoch == 2


def test_freezing_what_is_not_there_or_everything_says_so(hub, tmp_path):
    project = pretrained_project("resnet18", 2, freeze_backbone=True).project
    with_images(project, tmp_path)
    frozen = project.training["freeze"]
    project.training["freeze"] = [*frozen, "no-such-node"]
    with pytest.raises(SetupError, match="no node 'no-such-node'") as caught:
        prepare_run(project)
    assert caught.value.place == "training.freeze"
    head = next(node.id for node in project.graph.nodes() if node.kind == "dense")
    project.training["freeze"] = [*frozen, head]
    with pytest.raises(SetupError, match="every layer with weights is frozen"):
        prepare_run(project)


@pytest.mark.slow
def test_the_exported_script_starts_from_the_same_weights_and_trains_alike(hub, tmp_path):
    project = pretrained_project("resnet18", 2, freeze_backbone=True).project
    with_images(project, tmp_path, epochs=2)
    app, _ = app_epochs(project, 2)
    script = write_script(project, tmp_path)
    assert "PretrainedWeights(" in script.read_text() and "frozen=(" in script.read_text()
    printed = printed_epochs(run_script(script, *PINNED))
    assert [record["train_loss"] for record in printed] == [
        f"{record['train_loss']:.6g}" for record in app
    ]


@pytest.mark.slow
def test_a_backbone_unfrozen_later_trains_alike_in_the_app_and_the_script(hub, tmp_path):
    unfreezing = Unfreezing("layer4_0", 2, backbone_lr_factor=0.1)
    project = pretrained_project("resnet18", 2, freeze_backbone=True, unfreezing=unfreezing).project
    with_images(project, tmp_path, epochs=2)
    app, _ = app_epochs(project, 2)
    printed = printed_epochs(
        run_script(write_script(project, tmp_path), *PINNED, "--output", "out")
    )
    assert printed == [as_printed(record) for record in app]
    published = torch.load(hub / FILE, weights_only=True)
    keys = project.training["start_weights"]["keys"]
    trained = torch.load(tmp_path / "out" / "last.pt", weights_only=True)
    kept = [ours for ours in keys if torch.equal(trained["model"][ours], published[keys[ours]])]
    assert kept and all(not key.startswith("layer4_") for key in kept)
    assert any(key.startswith("layer4_0.") for key in keys if key not in kept)
    head, backbone = trained["optimizer"]["param_groups"]
    assert (len(head["params"]), len(backbone["params"])) == (2, 9 + 6)  # layer4_0, layer4_1
    assert backbone["lr"] == head["lr"] * 0.1


def test_the_cli_writes_gradual_unfreezing_or_says_what_is_wrong(tmp_path, capsys):
    def pretrained(*arguments: str) -> int:
        output = tmp_path / f"{len(list(tmp_path.iterdir()))}.json"
        return cli_main(["pretrained", "resnet18", "--classes", "2", *arguments, "-o", str(output)])

    unfreezing = ("--unfreeze-from", "layer4_0", "--unfreeze-epoch", "3")
    assert pretrained("--freeze-backbone", *unfreezing, "--backbone-lr-factor", "0.1") == 0
    assert "unfrozen from layer4_0 on at epoch 3, at 0.1 times the rate" in capsys.readouterr().out
    project = load_project(next(tmp_path.glob("*.json")))
    step = project.training["unfreeze"]
    assert project.graph.node(step["from"]).name == "layer4_0" and step["epoch"] == 3
    assert project.training["backbone_lr_factor"] == 0.1
    for arguments, message in (
        (unfreezing[:2], "--unfreeze-from and --unfreeze-epoch go together"),
        (("--backbone-lr-factor", "0.5"), "--backbone-lr-factor needs --unfreeze-from"),
    ):
        assert pretrained(*arguments) == 2  # refused before any import
        assert message in capsys.readouterr().err
    # Refused once imported (the same checks, on one import):
    doc, training = project.graph, {"freeze": project.training["freeze"]}
    for unfreezing, message in (
        (Unfreezing("fc", 3), "fc: is not one of the frozen layers (conv1, bn1, layer1, "),
        (
            Unfreezing("layer4_0", 2, 2),
            "training.backbone_lr_factor: must be at most 1.0, got 2",
        ),
    ):
        with pytest.raises(ProjectError) as caught:
            unfreeze_settings(doc, training, unfreezing)
        assert message in str(caught.value)
    with pytest.raises(ProjectError, match="--unfreeze-from: needs --freeze-backbone"):
        unfreeze_settings(doc, {}, Unfreezing("layer4_0", 2))


def test_weights_that_cannot_be_had_or_do_not_fit_say_why(hub, tmp_path):
    project = with_images(pretrained_project("resnet18", 2).project, tmp_path)
    (hub / FILE).unlink()
    project.training["start_weights"]["url"] = f"http://127.0.0.1:9/{FILE}"  # nothing listens
    with pytest.raises(SetupError, match=rf"put the file {FILE} into {hub}") as caught:
        prepare_run(project)
    assert caught.value.place == "training.start_weights"
    assert list(hub.iterdir()) == []  # no partial download left
    # An export needs no weights: its script reads, or downloads, them when it runs.
    assert "PretrainedWeights(" in training_script(project).source
    torch.save(models().resnet50().state_dict(), hub / FILE)  # another network's weights
    with pytest.raises(SetupError, match=r"no longer fit the network: other shapes: .*conv1"):
        prepare_run(project)
    (hub / FILE).write_bytes(b"not a checkpoint")
    with pytest.raises(SetupError, match="is not a readable weights file"):
        prepare_run(project)


class Serving(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_a_download_is_checked_whole_before_it_takes_the_name(tmp_path, capsys):
    served = tmp_path / "served"
    served.mkdir()
    (served / "weights-1234.pth").write_bytes(b"published bytes" * 1000)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: Serving(*a, directory=str(served))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/weights-1234.pth"
    try:
        target = tmp_path / "cache" / "weights-1234.pth"
        with pytest.raises(SetupError, match="is not the published file"):
            download(url, target, "ffff")
        assert list(target.parent.iterdir()) == []  # the partial download is gone

        check = hashlib.sha256((served / "weights-1234.pth").read_bytes()).hexdigest()[:8]
        told: list[tuple[int, int]] = []
        download(url, target, check, lambda done, total: told.append((done, total)))
        assert target.read_bytes() == (served / "weights-1234.pth").read_bytes()
        assert told[-1] == (15000, 15000)  # how far it got, in bytes of all
        target.unlink()
        download(url, target, check)  # no listener: the progress is printed
        assert "weights-1234.pth: 0.0 of 0.0 MB" in capsys.readouterr().err
    finally:
        server.shutdown()
        server.server_close()
    weights = PretrainedWeights("w", url, "", {"a": "b"})
    assert weights.file().name == "weights-1234.pth"


def test_the_cli_lists_networks_and_writes_a_project_once(hub, tmp_path, capsys):
    assert cli_main(["pretrained", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "resnet18: 11.7M parameters, 224x224, 69.8% top-1" in listed
    output = tmp_path / "mine.json"
    assert cli_main(["pretrained", "resnet18", "--classes", "5", "-o", str(output)]) == 0
    assert "head sized for 5 classes" in capsys.readouterr().out
    assert load_project(output).training["start_weights"]["name"].startswith("ResNet18_Weights")
    assert cli_main(["pretrained", "resnet18", "--classes", "5", "-o", str(output)]) == 2
    assert "exists already" in capsys.readouterr().err
    pictures = image_folder(tmp_path / "pictures")
    made = tmp_path / "folder.json"
    assert cli_main(["pretrained", "resnet18", "--data", str(pictures), "-o", str(made)]) == 0
    assert "head sized for 2 classes" in capsys.readouterr().out
    assert load_project(made).dataset["path"] == str(pictures.resolve())
    assert cli_main(["pretrained", "resnet1000", "-o", str(tmp_path / "x.json")]) == 2
    assert "not one of torchvision's classification models" in capsys.readouterr().err


def test_projects_from_pretrained_weights_refuse_a_bad_class_count():
    with pytest.raises(ProjectError, match="classes"):
        pretrained_project("resnet18", 0)


def test_a_given_mean_and_std_must_fit_the_channels(tmp_path):
    settings = {
        "source": "image_folder",
        "path": str(image_folder(tmp_path / "pictures")),
        "image_size": 8,
        "normalize": True,
        "mean": [0.5] * 3,
        "std": [0.2] * 3,
    }
    with pytest.raises(SetupError, match=r"1 channel\(s\)") as caught:
        prepare_data(settings, None)
    assert caught.value.place == "dataset.std"
    settings |= {"mean": [0.5], "std": [0.25]}
    pixels = prepare_data(settings, None).pixels
    assert float(pixels.mean) == 0.5 and float(pixels.std) == 0.25


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize(
    "model",
    ["mobilenet_v3_small", "squeezenet1_1", "googlenet", "convnext_tiny", "swin_t"],
)
def test_other_families_come_in_with_their_head_resized_and_their_weights(
    model, tmp_path, monkeypatch
):
    """MobileNetV3 (Hardswish, squeeze-excitation), SqueezeNet (its head a convolution),
    GoogLeNet (built without auxiliary heads, as for its weights), ConvNeXt (its head a
    LayerNorm over channels, then Flatten and Linear) and Swin (its window attention custom
    code that builds torchvision's class), sized for 5 classes."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    torch.manual_seed(3)
    extra = {"aux_logits": False, "init_weights": False} if model == "googlenet" else {}
    reference = models().get_model(model, weights=None, num_classes=5, **extra).eval()
    state = reference.state_dict()
    project = pretrained_project(model, 5, freeze_backbone=True).project
    file = PretrainedWeights(**project.training["start_weights"]).file()
    file.parent.mkdir(parents=True)
    torch.save(state, file)  # the published file stands in: the head's tensors are left out
    doc = project.graph
    head = head_node(doc)
    assert doc.node(head).params[class_param(doc, head)] == 5
    mine = started_network(project, state)
    x = torch.rand(2, 3, 224, 224)
    with torch.no_grad():
        assert float((mine(x) - reference(x)).abs().max()) <= 1e-5


@pytest.mark.usefixtures("one_thread")
def test_the_cli_takes_efficientnet_with_its_head_resized_and_its_weights(
    tmp_path, monkeypatch, capsys
):
    """`netdesigner pretrained efficientnet_b0 --classes 3`, its weights seeded in a temporary
    hub cache: stochastic depth comes in, and the head is the Linear after the classifier's
    Dropout."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    torch.manual_seed(3)
    reference = models().efficientnet_b0(num_classes=3).eval()
    url = models().get_model_weights("efficientnet_b0").DEFAULT.url
    file = tmp_path / "torch" / "hub" / "checkpoints" / Path(url).name
    file.parent.mkdir(parents=True)
    torch.save(reference.state_dict(), file)
    output = tmp_path / "e.json"
    assert cli_main(["pretrained", "efficientnet_b0", "--classes", "3", "-o", str(output)]) == 0
    assert "head sized for 3 classes" in capsys.readouterr().out
    project = load_project(output)
    assert PretrainedWeights(**project.training["start_weights"]).file() == file
    doc = project.graph
    head = head_node(doc)
    assert (doc.node(head).kind, doc.node(head).params["units"]) == ("dense", 3)
    assert doc.node(doc.in_edges(head)[0].source).kind == "dropout"
    mine = started_network(project, reference.state_dict())
    x = torch.rand(2, 3, 224, 224)
    with torch.no_grad():
        assert float((mine(x) - reference(x)).abs().max()) <= 1e-5


def test_a_vision_transformer_is_built_for_its_weights_image_size():
    """ViT-H/14's published weights are for 518x518 images, not the 224 it is built for
    without them."""
    published = torchvision_published("vit_h_14")
    assert published.image_size == published.module.image_size == 518
