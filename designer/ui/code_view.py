"""A read-only, syntax-highlighted view of the generated code, scrolled to one layer's lines."""

from __future__ import annotations

import keyword
import re

from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QDialog, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

RULES = [
    (r"\b(" + "|".join(keyword.kwlist) + r")\b", "#8959a8", True),
    (r"\b(self|torch|nn)\b", "#c82829", False),
    (r"\b[0-9]+(\.[0-9]*)?(e-?[0-9]+)?\b", "#f5871f", False),
    (r"\"[^\"]*\"|'[^']*'", "#718c00", False),
    (r"#.*$", "#8e908c", False),
]


TRIPLE = '"""'


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, names, numbers, strings and comments, line by line."""

    def __init__(self, document) -> None:
        super().__init__(document)
        self.rules = []
        for pattern, color, bold in RULES:
            text_format = QTextCharFormat()
            text_format.setForeground(QColor(color))
            if bold:
                text_format.setFontWeight(QFont.Weight.Bold)
            self.rules.append((re.compile(pattern), text_format))

    def highlightBlock(self, text: str) -> None:
        for pattern, text_format in self.rules:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), text_format)
        self.mark_triple_quoted(text)

    def mark_triple_quoted(self, text: str) -> None:
        """Docstrings over several lines are strings throughout (block state 1 inside one)."""
        string_format = self.rules[3][1]
        inside = self.previousBlockState() == 1
        start = 0 if inside else text.find(TRIPLE)
        self.setCurrentBlockState(0)
        while start >= 0:
            end = text.find(TRIPLE, start if inside else start + len(TRIPLE))
            if end < 0:
                self.setFormat(start, len(text) - start, string_format)
                self.setCurrentBlockState(1)
                return
            self.setFormat(start, end + len(TRIPLE) - start, string_format)
            inside = False
            start = text.find(TRIPLE, end + len(TRIPLE))


class CodeDialog(QDialog):
    """The generated source; `show_lines` marks and scrolls to the given line numbers."""

    def __init__(self, source: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 640)
        self.text = QPlainTextEdit(source)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = PythonHighlighter(self.text.document())
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)

    def show_lines(self, lines: list[int]) -> None:
        selections = []
        for number in lines:
            block = self.text.document().findBlockByNumber(number - 1)
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(QColor("#fff3b0"))
            selection.format.setProperty(QTextCharFormat.Property.FullWidthSelection, True)
            selection.cursor = QTextCursor(block)
            selections.append(selection)
        self.text.setExtraSelections(selections)
        if lines:
            cursor = QTextCursor(self.text.document().findBlockByNumber(lines[-1] - 1))
            self.text.setTextCursor(cursor)
            self.text.centerCursor()
            cursor = QTextCursor(self.text.document().findBlockByNumber(lines[0] - 1))
            self.text.setTextCursor(cursor)
