"""Shared fixtures: seeded, offline, tiny."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))

from _tiny import tiny_bert_config, tiny_fast_tokenizer, toy_data

# 2 threads on CI's 2 cores; SKINTERP_TEST_THREADS=1 while a benchmark holds the other core
torch.set_num_threads(int(os.environ.get("SKINTERP_TEST_THREADS", "2")))


@pytest.fixture(autouse=True)
def _seed_everything():
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def toy():
    return toy_data()


@pytest.fixture(scope="session")
def fast_tokenizer():
    return tiny_fast_tokenizer()


@pytest.fixture(scope="session")
def bert_config(fast_tokenizer):
    return tiny_bert_config(len(fast_tokenizer))


def small_cnn(**kw):
    from skinterp import TextClassifier

    params = dict(
        embedding_dim=16, num_filters=8, max_epochs=8, lr=1e-2, batch_size=16, random_state=0
    )
    params.update(kw)
    return TextClassifier(**params)


@pytest.fixture(scope="module")
def fitted_cnn(toy):
    X, y = toy
    return small_cnn().fit(X, y)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def need_data(fn, *args, **kwargs):
    """Call a loader of real data; skip (with the fetch command) when it cannot be had
    offline -- except under CI, where a missing source is a failure."""
    from skinterp.datasets import DataNotFoundError

    try:
        return fn(*args, **kwargs)
    except DataNotFoundError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"not available offline: {exc}")
