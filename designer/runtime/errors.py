"""Problems found before training starts, each naming its setting or file."""

from __future__ import annotations


class SetupError(Exception):
    """Something to fix before a run can start; `place` is the setting (dataset.path) or
    file."""

    def __init__(self, message: str, place: str = "") -> None:
        self.message, self.place = message, place
        super().__init__(f"{place}: {message}" if place else message)


class DataError(SetupError):
    """The dataset cannot be read, or does not fit the network or the loss."""
