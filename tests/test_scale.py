"""Long and device tests, outside the default run: ``pytest -m slow`` and ``pytest -m gpu``.

- slow: explaining a corpus keeps memory bounded by a chunk, not by the corpus;
- gpu: the CUDA paths (fit, predict, explain, save/load with the optimizer state, a corpus run)
  give what the CPU gives; skipped without CUDA.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import torch

from skinterp import TextClassifier, VMaskClassifier, explain_corpus, load

TINY = dict(embedding_dim=16, num_filters=8, max_epochs=2, random_state=0)


def _peak_mib(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_corpus_memory_does_not_grow_with_the_corpus(fitted_cnn, toy, tmp_path):
    texts = list(toy[0])

    def run(n):
        corpus = (texts * (n // len(texts) + 1))[:n]
        out = tmp_path / f"e{n}.parquet"
        return lambda: explain_corpus(fitted_cnn, iter(corpus), out, chunk_size=500, verbose=0)

    run(100)()  # imports and first-call caches (pyarrow, ...) out of the way
    small, large = _peak_mib(run(2_000)), _peak_mib(run(40_000))
    # 20x the texts; the peak of Python-side allocations stays within a chunk's worth
    # (measured: about 1.3 MiB for both; keeping every explanation would take about 36 MiB)
    assert large < 1.5 * small + 5, (small, large)


needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("cls", [TextClassifier, VMaskClassifier])
def test_cuda_matches_cpu_and_round_trips(toy, tmp_path, cls):
    X, y = toy
    gpu = cls(device="cuda", warm_start=True, **TINY).fit(X, y)
    cpu = cls(device="cpu", **TINY).fit(X, y)
    assert next(gpu.module_.parameters()).is_cuda
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), atol=1e-3)
    gpu.save(tmp_path / "m")
    again = load(tmp_path / "m")  # on the saved device, optimizer state included
    assert next(again.module_.parameters()).is_cuda
    np.testing.assert_allclose(again.predict_proba(X), gpu.predict_proba(X), atol=1e-6)
    gpu.fit(X, y)
    again.fit(X, y)  # continues as the uninterrupted model (GPU kernels: to a tolerance)
    np.testing.assert_allclose(again.predict_proba(X), gpu.predict_proba(X), atol=1e-4)
    out = explain_corpus(gpu, list(X), tmp_path / "e.parquet", verbose=0)
    assert out.is_file()
