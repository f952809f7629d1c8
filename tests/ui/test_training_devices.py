"""The Train panel's device list is there to choose from before any run, once torch is loaded."""

from __future__ import annotations

from designer.ui.torch_loader import TorchLoader


def devices(panel) -> list[str]:
    return [panel.device.itemData(index) for index in range(panel.device.count())]


def test_the_device_list_is_filled_before_start_or_find_lr(window, example):
    window.open_file(example("mlp_iris"))
    window.training_dock.show()
    panel = window.train_panel
    assert devices(panel)[:2] == ["auto", "cpu"]
    assert panel.device.currentData() == "auto"


def test_a_panel_made_while_torch_loads_fills_the_list_when_it_is_loaded(
    window, example, qtbot, monkeypatch
):
    loading = TorchLoader()
    loading._done.clear()  # as if the background import were still going
    loading._started = True  # this test finishes it
    monkeypatch.setattr("designer.ui.training.panel.torch_loader", lambda: loading)
    window.open_file(example("mlp_iris"))
    window.training_dock.show()
    panel = window.train_panel
    assert devices(panel) == []  # asking torch now would hold the window until it loads
    with qtbot.waitSignal(loading.ready):
        loading._done.set()
        loading.ready.emit()
    assert devices(panel)[:2] == ["auto", "cpu"]
