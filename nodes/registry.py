"""The catalog of layer kinds by stable id, with renamed ids resolved."""

from __future__ import annotations

from collections.abc import Iterator

from nodes.spec import LayerSpec


class UnknownKindError(KeyError):
    """A kind id that no registered spec has, now or under an earlier name."""

    def __str__(self) -> str:
        return f"unknown layer kind {self.args[0]!r}"


class Registry:
    """Layer specs by id; registering an id or old id twice is an error."""

    def __init__(self) -> None:
        self._specs: dict[str, LayerSpec] = {}
        self._renamed: dict[str, str] = {}

    def register(self, spec: LayerSpec) -> LayerSpec:
        for kind in (spec.kind, *spec.renamed_from):
            if kind in self._specs or kind in self._renamed:
                raise ValueError(f"layer kind {kind!r} is registered twice")
        self._specs[spec.kind] = spec
        for old in spec.renamed_from:
            self._renamed[old] = spec.kind
        return spec

    def resolve(self, kind: str) -> str:
        """The current id of `kind`, following renames."""
        current = self._renamed.get(kind, kind)
        if current not in self._specs:
            raise UnknownKindError(kind)
        return current

    def get(self, kind: str) -> LayerSpec:
        return self._specs[self.resolve(kind)]

    def __contains__(self, kind: object) -> bool:
        return kind in self._specs or kind in self._renamed

    def __iter__(self) -> Iterator[LayerSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def categories(self) -> dict[str, list[LayerSpec]]:
        grouped: dict[str, list[LayerSpec]] = {}
        for spec in self._specs.values():
            grouped.setdefault(spec.category, []).append(spec)
        return grouped


REGISTRY = Registry()
register = REGISTRY.register
