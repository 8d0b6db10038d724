"""docs/developers.md's "how to add a method", tried on a toy method; the hook table is
enforced; the model protocol is what explainers and metrics see."""

from __future__ import annotations

import sys
from numbers import Real

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import Interval

from skinterp.core import HOOKS, TextClassifier
from skinterp.explain import OcclusionExplainer
from skinterp.interface import PROTOCOL_METHODS, is_token_model
from skinterp.methods import REGISTRY, MethodSpec
from skinterp.utils.estimator_checks import all_checks, toy_text_data


class LogitPenaltyClassifier(TextClassifier):
    """Toy method (steps 1-5 of docs/developers.md): cross-entropy + ``lam`` * mean squared
    logit, logged as ``logit_penalty``. It poses as a module of ``skinterp/methods/``, so the
    hook table is enforced on it and ``save``/``load`` know it, as for a real method."""

    __module__ = "skinterp.methods._logit_penalty"

    _parameter_constraints = {
        **TextClassifier._parameter_constraints,
        "lam": [Interval(Real, 0, None, closed="left")],
    }
    _extra_loss_names = ("logit_penalty",)

    def __init__(self, lam: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.lam = lam

    def get_loss_terms(self, y_pred, y_true, X=None, training=False):
        logits, _ = y_pred
        return {"logit_penalty": self.lam * logits.pow(2).mean()}


# the module it poses as resolves to this file, so pickling finds the class
sys.modules[LogitPenaltyClassifier.__module__] = sys.modules[__name__]

TINY = dict(embedding_dim=8, num_filters=4, max_epochs=2, lr=1e-2, random_state=0)


def test_toy_method_passes_every_common_check():
    spec = MethodSpec("logit_penalty", LogitPenaltyClassifier, "base", "LogitPenalty")
    for check in all_checks():
        check("LogitPenaltyClassifier", spec.make(**TINY))


def test_toy_method_logs_its_term_and_the_penalty_shrinks_logits():
    X, y = toy_text_data()
    plain = LogitPenaltyClassifier(lam=0.0, **TINY).fit(X, y)
    strong = LogitPenaltyClassifier(lam=5.0, **TINY).fit(X, y)
    assert len(strong.history[:, "logit_penalty"]) == 2
    assert (
        np.abs(np.log(strong.predict_proba(X))).mean()
        < np.abs(np.log(plain.predict_proba(X))).mean()
    )


def test_a_skinterp_method_overriding_the_core_is_refused():
    with pytest.raises(TypeError, match="overrides the estimator core"):
        type(
            "Bad",
            (TextClassifier,),
            {"__module__": "skinterp.methods._bad", "get_loss": lambda self: 0},
        )


def test_a_skinterp_method_missing_an_abstract_hook_is_refused():
    from skinterp.methods import MaskedTextClassifier

    with pytest.raises(TypeError, match="_mask_layer"):
        type("NoLayer", (MaskedTextClassifier,), {"__module__": "skinterp.methods._x"})


def test_user_subclasses_may_override_what_they_like():
    class Custom(TextClassifier):
        def get_loss(self, *args, **kwargs):
            return super().get_loss(*args, **kwargs)

    assert "get_loss" not in HOOKS and Custom(**TINY).fit(*toy_text_data()).classes_.size == 2


def test_model_protocol_is_public_and_consistent_with_predict_proba():
    X, y = toy_text_data()
    clf = TextClassifier(**TINY).fit(X, y)
    assert is_token_model(clf)
    encs = clf.encode(X[:5])
    rows = [e.input_ids for e in encs]
    np.testing.assert_allclose(clf.predict_proba_tokens(rows), clf.predict_proba(X[:5]), atol=1e-6)
    seen = []
    for idx, batch in clf.iter_batches(encs):
        grad, emb, logits = clf.token_gradients(batch)
        assert grad.shape == emb.shape and logits.shape == (len(idx), 2)
        assert torch.is_tensor(batch["word_ids"])
        seen.extend(idx.tolist())
    assert sorted(seen) == list(range(5))
    assert set(PROTOCOL_METHODS) <= set(dir(clf))


def test_plain_sklearn_classifier_uses_the_string_path():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X, y = toy_text_data()
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(X, y)
    assert not is_token_model(pipe)
    (exp,) = OcclusionExplainer().explain(pipe, ["a dull film"])
    assert exp.words == ["a", "dull", "film"] and exp.top_k(1)[0][0] == "dull"


def test_registry_names_every_method_once_with_its_native_explanation():
    assert REGISTRY["vmask"].native_explanation == "mask"
    assert REGISTRY["base"].native_explanation == "gradient_x_input"
    assert {s.estimator.__name__ for s in REGISTRY.values()} >= {"VMaskClassifier", "PCTClassifier"}
