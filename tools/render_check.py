"""Render HTML pages to PNG in headless Chromium: check what a person sees.

Usage: python tools/render_check.py [OUT_DIR]

Trains a small base and VMASK model on Rotten Tomatoes (Kim-CNN over GloVe-50d), writes an
explanation page (both models side by side, with a text that tries to inject markup) and an
`evaluate` report, screenshots both with Chromium (Debian packages ``chromium`` and
``chromium-driver``), and draws every figure of ``skinterp.plotting`` from these real models
into OUT_DIR/figures. Prints the paths of the files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The first Chromium-like browser on PATH, or None."""
    return next((shutil.which(n) for n in BROWSERS if shutil.which(n)), None)


def chromium() -> str:
    path = find_chromium()
    if path is None:
        raise SystemExit("no Chromium found: apt-get install chromium")
    return path


def dump_dom(html: Path) -> str:
    """The page's DOM after Chromium parsed and laid it out (``--dump-dom``)."""
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, "--dump-dom", html.resolve().as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return done.stdout.decode("utf-8")


def screenshot(html: Path, png: Path, size: str = "1200,900") -> Path:
    subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            "--hide-scrollbars",
            f"--window-size={size}",
            f"--screenshot={png}",
            html.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return png


def main(out: Path) -> None:
    from skinterp import TextClassifier, VMaskClassifier, evaluate
    from skinterp.datasets import load_rotten_tomatoes
    from skinterp.plotting import render_html

    out.mkdir(parents=True, exist_ok=True)
    data = load_rotten_tomatoes()
    X, y = data.X_train[:3000], data.y_train[:3000]
    common = dict(encoder="cnn", embeddings="glove-50d", max_epochs=4, random_state=0)
    base = TextClassifier(**common).fit(X, y)
    vmask = VMaskClassifier(**common).fit(X, y)
    texts = [*data.X_test[:4], "a <script>alert('x')</script> <b>great</b> & moving film"]
    page = render_html(
        {"base (gradient x input)": base.explain(texts), "VMASK (mask)": vmask.explain(texts)},
        out / "explanations.html",
        title="Rotten Tomatoes: base vs VMASK",
    )
    assert "<script>" not in page
    report = evaluate(
        vmask,
        data.X_test[:200],
        data.y_test[:200],
        metrics=["aopc", "posthoc_accuracy", "comprehensiveness", "sufficiency"],
        explainers=["native", "occlusion", "random"],
        k=10,
        progress=False,
    )
    report.to_html(out / "report.html", title="VMASK on Rotten Tomatoes")
    for name in ("explanations", "report"):
        png = screenshot(out / f"{name}.html", out / f"{name}.png")
        print(out / f"{name}.html", png, png.stat().st_size, "bytes")
    figures(base, vmask, data, out / "figures")


def figures(base, vmask, data, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skinterp import plotting

    out.mkdir(parents=True, exist_ok=True)
    X, y = data.X_test[:300], data.y_test[:300]
    models = {"base": base, "VMASK": vmask}
    drawn = {
        "posthoc_accuracy": plotting.plot_posthoc_accuracy(models, X, k=10),
        "aopc": plotting.plot_aopc(models, X, k=10),
        "tsne_vmask": plotting.plot_embedding(vmask, X, y),
        "confidence_density_base": plotting.plot_confidence_density(
            base, X[:200], max_reduced=10, explainer="gradient"
        ),
        "importance_vs_frequency": plotting.plot_importance_vs_frequency(
            vmask, data.X_train[:3000]
        ),
        "top_words": plotting.plot_top_words(vmask.global_importance_, n=20),
    }
    for name, fig in drawn.items():
        fig.savefig(out / f"{name}.png", dpi=90)
        plt.close(fig)
        print(out / f"{name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("render-check"))
