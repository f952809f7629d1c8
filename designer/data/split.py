"""A split's fingerprint: a resumed run checks that its data did not change."""

from __future__ import annotations

import hashlib

import numpy as np

from designer.runtime.split import PARTS


def split_digest(indices: dict[str, np.ndarray]) -> str:
    """A short fingerprint of a split's indices."""
    digest = hashlib.sha256()
    for part in PARTS:
        digest.update(part.encode())
        digest.update(np.asarray(indices[part], dtype=np.int64).tobytes())
    return digest.hexdigest()[:16]
