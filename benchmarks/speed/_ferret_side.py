"""ferret 0.4.2's side of bench_peers.py, run by the Python of ferret's own virtualenv (ferret
pins transformers<5 and numpy<2, so it cannot share skinterp's environment). Imports ferret,
never skinterp.

    python _ferret_side.py REQUEST.json RESULT.json

REQUEST: ``folder`` (a save_pretrained model), ``texts``, ``targets`` (class index per text),
``token_scores`` (per text, one score per token of ferret's own tokenization, [CLS] and [SEP]
included), ``lime_samples``, ``threads``. RESULT: the wall time of each ferret explainer and
evaluator over all texts, each explainer's token scores and each evaluator's per-text value.
"""

from __future__ import annotations

import copy
import json
import sys
import time

import numpy as np
import torch
from ferret import GradientExplainer, IntegratedGradientExplainer, LIMEExplainer
from ferret.evaluators.faithfulness_measures import (
    AOPC_Comprehensiveness_Evaluation,
    AOPC_Sufficiency_Evaluation,
)
from ferret.explainers.explanation import Explanation
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def main() -> None:
    request = json.load(open(sys.argv[1]))
    torch.set_num_threads(int(request["threads"]))
    model = AutoModelForSequenceClassification.from_pretrained(request["folder"]).eval()
    tok = AutoTokenizer.from_pretrained(request["folder"])
    texts, targets = request["texts"], request["targets"]
    out: dict = {"versions": _versions(), "explainers": {}, "evaluators": {}}

    explainers = {
        "gradient_x_input": (GradientExplainer(model, tok, multiply_by_inputs=True), {}),
        "integrated_gradients": (IntegratedGradientExplainer(model, tok), {}),
        "lime": (
            LIMEExplainer(model, tok),
            {
                "init_args": {"random_state": 0},
                "call_args": {"num_samples": int(request["lime_samples"])},
            },
        ),
    }
    for name, (explainer, args) in explainers.items():
        start = time.perf_counter()
        # ferret pops its arguments out of the dicts it is given: a fresh copy per call
        scores = [
            np.asarray(explainer(t, target=c, **copy.deepcopy(args)).scores, dtype=float).tolist()
            for t, c in zip(texts, targets, strict=True)
        ]
        out["explainers"][name] = {"seconds": time.perf_counter() - start, "scores": scores}

    evaluators = {
        "aopc_comprehensiveness": AOPC_Comprehensiveness_Evaluation(model, tok),
        "aopc_sufficiency": AOPC_Sufficiency_Evaluation(model, tok),
    }
    explanations = [
        Explanation(t, tok.convert_ids_to_tokens(tok(t)["input_ids"]), np.asarray(s), "given", c)
        for t, s, c in zip(texts, request["token_scores"], targets, strict=True)
    ]
    for name, evaluator in evaluators.items():
        start = time.perf_counter()
        values = [
            float(evaluator.compute_evaluation(e, target=e.target).score) for e in explanations
        ]
        out["evaluators"][name] = {"seconds": time.perf_counter() - start, "per_text": values}
    json.dump(out, open(sys.argv[2], "w"))


def _versions() -> dict:
    from importlib.metadata import version

    return {p: version(p) for p in ("ferret-xai", "transformers", "torch", "numpy", "captum")}


if __name__ == "__main__":
    main()
