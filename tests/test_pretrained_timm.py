"""timm's pretrained models: listed when timm is installed, imported with their head sized for
the user's classes, starting from their default weights on the Hugging Face hub, read from
torch's hub cache (a .safetensors file the tests write there, under the name a download gets),
and refused with a message naming the file to place when offline."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from designer.cli import main as cli_main
from designer.data import SetupError
from designer.importer.pretrained import pretrained_choices, pretrained_project
from designer.importer.timm_models import COMMON, import_timm
from designer.runtime.pretrained_weights import PretrainedWeights
from tests.pretrained_helpers import started_network, with_images
from tests.script_helpers import PINNED, app_epochs, printed_epochs, run_script, write_script

URL = "https://huggingface.co/timm/resnet18.a1_in1k/resolve/main/model.safetensors"
FILE = "timm--resnet18.a1_in1k--model.safetensors"

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def hub(tmp_path, monkeypatch) -> Path:
    """torch's hub cache in tmp_path, empty."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub" / "checkpoints"


def seeded_weights(hub: Path, classes: int) -> dict[str, torch.Tensor]:
    """A seeded timm ResNet-18's tensors, written where a download of its weights goes."""
    torch.manual_seed(5)
    state = import_timm().create_model("resnet18", num_classes=classes).state_dict()
    hub.mkdir(parents=True)
    save_file(state, hub / FILE)
    return state


def test_timm_models_are_listed_with_their_figures():
    choices = {c.model: c for c in pretrained_choices() if c.model.startswith("timm:")}
    assert sorted(choices) == sorted(f"timm:{name}" for name in COMMON)
    resnet = choices["timm:resnet18"]
    assert (resnet.params, resnet.image_size, resnet.weights) == (
        11_689_512,
        224,
        "resnet18.a1_in1k",
    )
    assert resnet.url == URL


def test_a_timm_network_computes_as_timm_with_its_published_weights(hub):
    project = pretrained_project("timm:resnet18", 5, freeze_backbone=True).project
    start = project.training["start_weights"]
    assert (start["name"], start["url"]) == ("resnet18.a1_in1k", URL)
    assert "check" not in start  # timm says no hash of its files
    assert PretrainedWeights(check="", **start).file() == hub / FILE
    # as timm prepares images for these weights: 224 cut from 235 (224 / 0.95), ImageNet's
    assert (project.dataset["image_size"], project.dataset["resize"]) == (224, 235)
    assert project.dataset["mean"] == [0.485, 0.456, 0.406]
    state = seeded_weights(hub, 5)
    reference = import_timm().create_model("resnet18", num_classes=5).eval()
    reference.load_state_dict(state)
    mine = started_network(project, state)
    x = torch.rand(2, 3, 224, 224)
    with torch.no_grad():
        assert float((mine(x) - reference(x)).abs().max()) <= 1e-5


def test_offline_the_message_names_the_file_to_place(hub):
    url = URL.replace("https://huggingface.co", "http://127.0.0.1:9")  # nothing listens
    weights = PretrainedWeights("resnet18.a1_in1k", url, "", {})
    with pytest.raises(SetupError, match=rf"put the file {FILE} into {hub}"):
        weights.state()
    assert not hub.exists() or list(hub.iterdir()) == []  # no partial download left


def test_the_cli_names_the_timm_models_it_takes(tmp_path, capsys):
    output = tmp_path / "p.json"
    assert cli_main(["pretrained", "timm:vit_base_patch16_224", "-o", str(output)]) != 0
    error = capsys.readouterr().err
    assert "timm:vit_base_patch16_224: not one of timm's models" in error
    assert "timm:resnet18" in error and not output.exists()


@pytest.mark.slow
def test_the_exported_script_starts_from_the_same_timm_weights(hub, tmp_path):
    project = pretrained_project("timm:resnet18", 2, freeze_backbone=True).project
    seeded_weights(hub, 1000)  # the published file: its head is left out
    with_images(project, tmp_path, epochs=2)
    app, _ = app_epochs(project, 2)
    script = write_script(project, tmp_path)
    printed = printed_epochs(run_script(script, *PINNED))
    assert [record["train_loss"] for record in printed] == [
        f"{record['train_loss']:.6g}" for record in app
    ]
