"""File > New From Pretrained: one of torchvision's classification networks, chosen from a
list with its size and published accuracy, its head sized for an image folder's classes and
its backbone frozen or not; its weights fetched now, with a progress bar, or on the first run.
The list is read and the network imported in background threads: the window keeps drawing."""

from __future__ import annotations

import threading
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from designer.ui.background_task import BackgroundTask

COLUMNS = ("Network", "Parameters", "Input", "ImageNet top-1", "Download")
CHOICE_ROLE = Qt.ItemDataRole.UserRole
NUMBER_ROLE = Qt.ItemDataRole.UserRole + 1  # sorts the figures as numbers
FOLDER_PAUSE_MS = 300  # the image folder's classes are counted once typing pauses this long


class NumberItem(QTreeWidgetItem):
    """A row that sorts by the number behind each figure, not by its text."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn()
        mine, theirs = self.data(column, NUMBER_ROLE), other.data(column, NUMBER_ROLE)
        if mine is None or theirs is None:
            return self.text(column) < other.text(column)
        return mine < theirs


class PretrainedDialog(QDialog):
    """After `accepted`, `result` holds the importer's ImportResult for the chosen network."""

    progressed = Signal(int, int)  # a download's bytes so far and in all, from its thread

    def __init__(self, parent: QWidget | None = None, model: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from a pretrained network")
        self.resize(760, 600)
        self.result = None
        self.wanted = model
        self.task: BackgroundTask | None = None
        self.closing = threading.Event()  # a download stops when the dialog closes
        self.filter = QLineEdit(placeholderText="Filter: resnet, mobilenet, vit\u2026")
        self.filter.textChanged.connect(self.show_matching)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(COLUMNS)
        self.table.setRootIsDecorated(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.currentItemChanged.connect(lambda *_: self.choice_changed())
        self.table.itemDoubleClicked.connect(lambda *_: self.accept())
        self.folder = QLineEdit(placeholderText="a folder with a folder of images per class")
        self.counting = QTimer(self, singleShot=True, interval=FOLDER_PAUSE_MS)
        self.counting.timeout.connect(self.folder_changed)
        self.folder.textChanged.connect(self.counting.start)  # counted once typing pauses
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self.browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.classes = QSpinBox(minimum=1, maximum=1_000_000, value=1000)
        self.classes.setToolTip("The new head's outputs: one per class of your data")
        self.classes.setMinimumWidth(120)
        self.classes.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.freeze = QCheckBox("Freeze the backbone: only the new head learns", checked=True)
        self.weights = QLabel(wordWrap=True)
        self.weights.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.download_button = QPushButton("Download now")
        self.download_button.clicked.connect(self.download)
        self.progress = QProgressBar(visible=False)
        self.progressed.connect(self.show_progress)
        fetch_row = QHBoxLayout()
        fetch_row.addWidget(self.download_button)
        fetch_row.addWidget(self.progress, 1)
        self.status = QLabel("Reading torchvision's networks\u2026", wordWrap=True)
        form = QFormLayout()
        form.addRow("Image folder", folder_row)
        form.addRow("Classes", self.classes)
        form.addRow("", self.freeze)
        form.addRow("Weights", self.weights)
        form.addRow("", fetch_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.choice_changed()
        self.run(self.list_choices, self.show_choices)

    # -- the list --------------------------------------------------------------------------

    @staticmethod
    def list_choices():
        from designer.importer.pretrained import pretrained_choices

        return pretrained_choices()

    def show_choices(self, choices) -> None:
        self.status.setText(
            f"{len(choices)} networks with published weights. Choose one; the network comes "
            "in as an editable graph, starting from those weights."
        )
        for choice in choices:
            item = NumberItem(self.table, [choice.model, *figures(choice)])
            item.setData(0, CHOICE_ROLE, choice)
            for column, number in enumerate(
                (None, choice.params, choice.image_size, choice.accuracy, choice.megabytes)
            ):
                item.setData(column, NUMBER_ROLE, number)
                if column:
                    item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
            if choice.model == self.wanted:
                self.table.setCurrentItem(item)
        for column in range(len(COLUMNS)):
            self.table.resizeColumnToContents(column)
        if self.table.currentItem() is not None:
            self.table.scrollToItem(
                self.table.currentItem(), QTreeWidget.ScrollHint.PositionAtCenter
            )
        self.show_matching(self.filter.text())

    def show_matching(self, text: str) -> None:
        words = text.lower().split()
        for index in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(index)
            item.setHidden(not all(word in item.text(0).lower() for word in words))

    @property
    def chosen(self):
        item = self.table.currentItem()
        return item.data(0, CHOICE_ROLE) if item is not None and not item.isHidden() else None

    def choice_changed(self) -> None:
        choice = self.chosen
        busy = self.task is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            choice is not None and not busy
        )
        if choice is None:
            self.weights.setText("Choose a network to see where its weights come from.")
            self.download_button.setEnabled(False)
            return
        file = weights_file(choice.url)
        if file.is_file():
            self.weights.setText(f"In torch's cache: {file}")
            self.download_button.setEnabled(False)
        else:
            size = f"{choice.megabytes:.1f} MB, " if choice.megabytes else ""
            self.weights.setText(
                f"Not yet here ({size}fetched on the first run). Offline, put {file.name} "
                f"into {file.parent}."
            )
            self.download_button.setEnabled(not busy)

    # -- the data --------------------------------------------------------------------------

    def browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Image folder", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def folder_changed(self) -> None:
        """The head gets a class a folder; a folder without class folders is said so."""
        from designer.importer.pretrained import class_folders
        from designer.project import ProjectError

        text = self.folder.text().strip()
        if not text:
            return
        try:
            self.classes.setValue(class_folders(Path(text)))
        except (ProjectError, OSError) as error:
            self.failed(str(error))
        else:
            self.status.setText(f"{self.classes.value()} classes in {text}.")

    # -- fetching and making ---------------------------------------------------------------

    def download(self) -> None:
        from designer.runtime.pretrained_weights import download

        choice = self.chosen
        if choice is None:
            return
        file = weights_file(choice.url)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.status.setText(f"Downloading {choice.url}\u2026")
        self.run(
            lambda: download(choice.url, file, choice.check, self.report),
            lambda _: self.status.setText(f"Downloaded {file.name} into {file.parent}."),
        )

    def report(self, done: int, total: int) -> None:
        """From the download's thread: how far it got; it stops (its partial file goes)
        once the dialog is closed."""
        if self.closing.is_set():
            raise InterruptedError("the dialog was closed")
        self.progressed.emit(done, total)

    def show_progress(self, done: int, total: int) -> None:
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(done * 1000 // total)
        self.progress.setFormat(f"{done / 1e6:.1f} of {total / 1e6:.1f} MB")

    def accept(self) -> None:
        """Import the chosen network in a background thread; the dialog closes when it is in."""
        from designer.importer.pretrained import pretrained_for_data

        choice = self.chosen
        if choice is None or self.task is not None:
            return
        folder = Path(self.folder.text().strip()) if self.folder.text().strip() else None
        classes, freeze = self.classes.value(), self.freeze.isChecked()
        self.status.setText(f"Importing {choice.model}\u2026")
        self.run(
            lambda: pretrained_for_data(choice.model, classes, choice.model, freeze, folder),
            self.imported,
        )

    def imported(self, result) -> None:
        if self.isVisible():  # not cancelled meanwhile
            self.result = result
            super().accept()

    def done(self, code: int) -> None:
        self.closing.set()
        super().done(code)

    def run(self, work, then) -> None:
        """`work` in a background thread, `then` with its result here; a failure is shown.
        Neither reaches a dialog closed meanwhile."""
        task = self.task = BackgroundTask(work, "pretrained")
        task.done.connect(lambda result: isValid(self) and then(result))
        task.failed.connect(lambda message: isValid(self) and self.failed(message))
        task.ended.connect(lambda: isValid(self) and self.task_ended())
        self.choice_changed()
        task.start()

    def failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#d32f2f'>{escape(message)}</span>")

    def task_ended(self) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.choice_changed()


def figures(choice) -> list[str]:
    accuracy = f"{choice.accuracy:.1f}%" if choice.accuracy is not None else "\u2014"
    size = f"{choice.megabytes:.0f} MB" if choice.megabytes else "\u2014"
    square = f"{choice.image_size}\u00d7{choice.image_size}"
    return [f"{choice.params / 1e6:.1f}M", square, accuracy, size]


def weights_file(url: str) -> Path:
    from designer.runtime.pretrained_weights import PretrainedWeights

    return PretrainedWeights("", url, "", {}).file()
