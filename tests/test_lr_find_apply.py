"""lr-find --apply while the window saves the project: only the rate is merged into the file
as it is then, so the window's edit is kept, and the line printed says so."""

from __future__ import annotations

from designer.cli import main
from designer.project import load_project, save_project
from designer.project.learning_rate import apply_learning_rate, file_state
from designer.training import lr_finder
from tests.train_helpers import example_copy


def test_an_edit_saved_during_the_sweep_is_kept(tmp_path, capsys, monkeypatch):
    project = example_copy(tmp_path, "mlp_iris")
    save_project(project)
    sweep = lr_finder.find_lr

    def sweep_while_the_window_saves(*args, **kwargs):
        found = sweep(*args, **kwargs)
        edited = load_project(project.path)  # as the window has it, with the user's edit
        edited.description = "edited in the window during the sweep"
        edited.training["epochs"] = 7
        save_project(edited)
        return found

    monkeypatch.setattr(lr_finder, "find_lr", sweep_while_the_window_saves)
    assert main(["lr-find", str(project.path), "--steps", "50", "--apply"]) == 0
    out = capsys.readouterr().out
    saved = load_project(project.path)
    assert saved.description == "edited in the window during the sweep"
    assert saved.training["epochs"] == 7
    rate = saved.training["optimizer"]["lr"]
    assert out.split("suggested learning rate: ")[1].startswith(f"{rate:.2e}")
    assert (
        f"saved as training.optimizer.lr in {project.path}: the file changed while the rate was "
        "found, so only the rate was merged into it and its other changes are kept"
    ) in out


def test_an_unchanged_file_gets_the_rate_and_a_plain_line(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    save_project(project)
    line = apply_learning_rate(project.path, 0.0123, file_state(project.path))
    assert line == f"saved as training.optimizer.lr in {project.path}"
    saved = load_project(project.path)
    assert saved.training["optimizer"]["lr"] == 0.0123
    assert saved.description == project.description
