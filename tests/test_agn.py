"""AGN: token-label statistics at fit time and the valve-gated injection."""

from __future__ import annotations

import numpy as np
import torch

from skinterp import AGNClassifier
from skinterp.nn import AdaptiveGateModule, CNNEncoder

TINY = dict(embedding_dim=16, num_filters=8, lr=1e-2, batch_size=16, random_state=0)


def test_tcol_is_the_label_distribution_per_token():
    X = ["good film", "good plot", "bad film"]
    y = ["pos", "pos", "neg"]
    clf = AGNClassifier(max_epochs=1, **TINY).fit(X, y)
    stoi, tcol = clf.tokenizer_.stoi_, clf.tcol_
    np.testing.assert_allclose(tcol[stoi["good"]], [0.0, 1.0])  # classes_ = [neg, pos]
    np.testing.assert_allclose(tcol[stoi["film"]], [0.5, 0.5])
    np.testing.assert_allclose(tcol[clf.tokenizer_.pad_id], [0.0, 0.0])
    np.testing.assert_allclose(tcol[clf.tokenizer_.unk_id], [0.0, 0.0])


def test_statistic_enters_only_where_the_valve_is_undecided():
    torch.manual_seed(0)
    enc = CNNEncoder(10, 4, num_filters=2, filter_sizes=(3,))
    tcol = torch.rand(10, 2)
    module = AdaptiveGateModule(enc, 2, tcol, epsilon=0.1).eval()
    ids = torch.tensor([[2, 3, 4]])
    mask = torch.ones_like(ids)
    with torch.no_grad():
        module.valve.weight.zero_()
        module.valve.bias.fill_(10.0)  # decided everywhere: statistics ignored
        a, _ = module(ids, mask)
        module.tcol.mul_(5.0)
        b, _ = module(ids, mask)
        assert torch.allclose(a, b)
        module.valve.bias.zero_()  # valve = 0.5: undecided everywhere
        c, _ = module(ids, mask)
        module.tcol.div_(5.0)
        d, _ = module(ids, mask)
        assert not torch.allclose(c, d)


def test_agn_fits_and_explains(toy):
    X, y = toy
    clf = AGNClassifier(max_epochs=4, **TINY).fit(X, y)
    assert clf.score(X, y) > 0.6
    assert len(clf.explain("a dull film").words) == 3
