"""Mutation check of the loss-term tests: change one loss term's sign or weight (or a
sampling detail) at a time, run ``tests/test_loss_terms.py``, report which test caught it,
and restore the file.

Usage: python tools/mutate_losses.py [NAME ...]   (no names: every mutation; ~10 s each)
"""

import os
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[1]
M = [
    (
        "vmask sign",
        "skinterp/methods/_vmask.py",
        'return {"neg_entropy": self.module_.beta * extras',
        'return {"neg_entropy": -self.module_.beta * extras',
    ),
    (
        "vmask x2",
        "skinterp/methods/_vmask.py",
        'return {"neg_entropy": self.module_.beta * extras',
        'return {"neg_entropy": 2 * self.module_.beta * extras',
    ),
    (
        "vmask unannealed",
        "skinterp/methods/_vmask.py",
        'return {"neg_entropy": self.module_.beta * extras',
        'return {"neg_entropy": self.beta * extras',
    ),
    (
        "iba sign",
        "skinterp/methods/_iba.py",
        'return {"capacity": self.beta *',
        'return {"capacity": -self.beta *',
    ),
    (
        "iba x2",
        "skinterp/methods/_iba.py",
        'return {"capacity": self.beta *',
        'return {"capacity": 2 * self.beta *',
    ),
    (
        "evarm sign",
        "skinterp/methods/_evarm.py",
        'return {"neg_entropy": self.beta * extras',
        'return {"neg_entropy": -self.beta * extras',
    ),
    (
        "evarm x2",
        "skinterp/methods/_evarm.py",
        'return {"neg_entropy": self.beta * extras',
        'return {"neg_entropy": 2 * self.beta * extras',
    ),
    (
        "evarm con sign",
        "skinterp/methods/_evarm.py",
        "loss = supervised_contrastive_loss(out.pooled, yi.repeat(3), temperature=self.tau)",
        "loss = -supervised_contrastive_loss(out.pooled, yi.repeat(3), temperature=self.tau)",
    ),
    (
        "evarm con tau",
        "skinterp/methods/_evarm.py",
        "loss = supervised_contrastive_loss(out.pooled, yi.repeat(3), temperature=self.tau)",
        "loss = supervised_contrastive_loss(out.pooled, yi.repeat(3), temperature=2 * self.tau)",
    ),
    (
        "evarm vib+con sign",
        "skinterp/methods/_evarm.py",
        "            loss = loss + con",
        "            loss = loss - con",
    ),
    (
        "scc l1 sign",
        "skinterp/methods/_scc.py",
        'terms["sparse_coding"] = self.sparsity * l1 + self.module_.gamma',
        'terms["sparse_coding"] = -self.sparsity * l1 + self.module_.gamma',
    ),
    (
        "scc entropy sign",
        "skinterp/methods/_scc.py",
        'terms["sparse_coding"] = self.sparsity * l1 + self.module_.gamma',
        'terms["sparse_coding"] = self.sparsity * l1 - self.module_.gamma',
    ),
    (
        "scc gamma unannealed",
        "skinterp/methods/_scc.py",
        'terms["sparse_coding"] = self.sparsity * l1 + self.module_.gamma * negent',
        'terms["sparse_coding"] = self.sparsity * l1 + self.gamma * negent',
    ),
    (
        "scc lam sign",
        "skinterp/methods/_scc.py",
        'terms["contrastive"] = self.lam *',
        'terms["contrastive"] = -self.lam *',
    ),
    (
        "scc lam x2",
        "skinterp/methods/_scc.py",
        'terms["contrastive"] = self.lam *',
        'terms["contrastive"] = 2 * self.lam *',
    ),
    (
        "scc whole view without gradients",
        "skinterp/nn/_masks.py",
        'extras["whole_pooled"] = whole.pooled',
        'extras["whole_pooled"] = whole.pooled.detach()',
    ),
    (
        "scc whole view replaced by the foreground",
        "skinterp/methods/_scc.py",
        "z = torch.cat([whole, foreground, *pooled])",
        "z = torch.cat([foreground, foreground, *pooled])",
    ),
    (
        "scl sign",
        "skinterp/methods/_contrastive.py",
        'return {"supcon": self.lam * loss}',
        'return {"supcon": -self.lam * loss}',
    ),
    (
        "scl x2",
        "skinterp/methods/_contrastive.py",
        'return {"supcon": self.lam * loss}',
        'return {"supcon": 2 * self.lam * loss}',
    ),
    (
        "simcse sign",
        "skinterp/methods/_contrastive.py",
        'return {"simcse": self.lam * loss}',
        'return {"simcse": -self.lam * loss}',
    ),
    (
        "simcse x2",
        "skinterp/methods/_contrastive.py",
        'return {"simcse": self.lam * loss}',
        'return {"simcse": 2 * self.lam * loss}',
    ),
    (
        "vat sign",
        "skinterp/methods/_vat.py",
        'return {"kl": self.beta * extras["kl"]',
        'return {"kl": -self.beta * extras["kl"]',
    ),
    (
        "vat x2",
        "skinterp/methods/_vat.py",
        'return {"kl": self.beta * extras["kl"]',
        'return {"kl": 2 * self.beta * extras["kl"]',
    ),
    (
        "vat phase",
        "skinterp/methods/_vat.py",
        'use = getattr(self, "phase_", "compressor") == "compressor" or not training',
        "use = True",
    ),
    (
        "pct sign",
        "skinterp/methods/_pct.py",
        'return {"contrastive": self.alpha * loss}',
        'return {"contrastive": -self.alpha * loss}',
    ),
    (
        "pct x2",
        "skinterp/methods/_pct.py",
        'return {"contrastive": self.alpha * loss}',
        'return {"contrastive": 2 * self.alpha * loss}',
    ),
    (
        "entropy sign",
        "skinterp/methods/_entropy.py",
        "return -self.lam * entropy",
        "return self.lam * entropy",
    ),
    (
        "entropy x2",
        "skinterp/methods/_entropy.py",
        "return -self.lam * entropy",
        "return -2 * self.lam * entropy",
    ),
    (
        "l2x tau",
        "skinterp/nn/_masks.py",
        "samples = torch.softmax((logits.unsqueeze(0) + gumbel) / self.tau, -1)",
        "samples = torch.softmax((logits.unsqueeze(0) + gumbel) * self.tau, -1)",
    ),
    (
        "l2x max->mean",
        "skinterp/nn/_masks.py",
        "scale = samples.max(0).values",
        "scale = samples.mean(0)",
    ),
    (
        "l2x topk+1",
        "skinterp/nn/_masks.py",
        "k = min(self.k, logits.shape[1])",
        "k = min(self.k + 1, logits.shape[1])",
    ),
    (
        "get_loss sign",
        "skinterp/core/_training.py",
        "            loss = loss + term\n",
        "            loss = loss - term\n",
    ),
]
only = sys.argv[1:]
for name, f, old, new in M:
    if only and name not in only:
        continue
    p = root / f
    src = p.read_text()
    assert src.count(old) == 1, (name, src.count(old))
    p.write_text(src.replace(old, new))
    try:
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-x",
                "-p",
                "no:cacheprovider",
                "tests/test_loss_terms.py",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "SKINTERP_TEST_THREADS": "1", "OMP_NUM_THREADS": "1"},
        )
        failed = [
            line.split("::")[1].split(" ")[0]
            for line in r.stdout.splitlines()
            if line.startswith("FAILED")
        ]
        print(
            f"{name:22s} {'CAUGHT by ' + ', '.join(failed) if failed else 'NOT CAUGHT'}", flush=True
        )
    finally:
        p.write_text(src)
