"""Run skinterp's text-estimator checks over every exported estimator and every backbone."""

from __future__ import annotations

import pytest

from skinterp.utils.estimator_checks import all_checks, all_estimators

TINY = dict(
    embedding_dim=16,
    num_filters=8,
    hidden_size=8,
    max_epochs=3,
    lr=1e-2,
    batch_size=16,
    random_state=0,
)


#: Exported estimators that are not a paper's method (not in the method registry): a whole
#: Hugging Face sequence classifier runs on transformer backbones only.
ADAPTERS = {"TransformersClassifier": ("transformer",)}


def _instances(bert_config, fast_tokenizer):
    from skinterp import TransformersClassifier

    yield (
        "TransformersClassifier-transformer",
        TransformersClassifier(
            pretrained=bert_config,
            tokenizer=fast_tokenizer,
            max_epochs=2,
            lr=5e-3,
            batch_size=16,
            random_state=0,
        ),
    )
    for name, cls in all_estimators():
        yield f"{name}-cnn", cls(encoder="cnn", **TINY)
        yield f"{name}-lstm", cls(encoder="lstm", **TINY)
        yield (
            f"{name}-transformer",
            cls(
                encoder="transformer",
                pretrained=bert_config,
                tokenizer=fast_tokenizer,
                max_epochs=2,
                lr=5e-3,
                batch_size=16,
                random_state=0,
            ),
        )


def _ids():
    from _tiny import tiny_bert_config, tiny_fast_tokenizer

    tok = tiny_fast_tokenizer()
    return [
        (label, est, check)
        for label, est in _instances(tiny_bert_config(len(tok)), tok)
        for check in all_checks()
    ]


CASES = _ids()


@pytest.mark.parametrize(
    "label, estimator, check", CASES, ids=[f"{c[0]}-{c[2].__name__}" for c in CASES]
)
def test_estimator_check(label, estimator, check):
    check(label, estimator)


def test_every_estimator_is_checked():
    """The checks run over the method registry, and the registry holds every exported
    estimator class (a new estimator that is not registered fails here)."""
    import skinterp
    from skinterp.core import TextClassifier

    exported = {
        name
        for name in skinterp.__all__
        if isinstance(obj := getattr(skinterp, name), type) and issubclass(obj, TextClassifier)
    }
    names = {name for name, _ in all_estimators()}
    assert names | set(ADAPTERS) == exported
    # and the parametrised checks cover every registered estimator on every backbone with
    # every check
    covered = {(type(est).__name__, label.rsplit("-", 1)[1], check) for label, est, check in CASES}
    want = {(n, b, c) for n in names for b in ("cnn", "lstm", "transformer") for c in all_checks()}
    want |= {
        (n, b, c) for n, backbones in ADAPTERS.items() for b in backbones for c in all_checks()
    }
    assert covered == want
