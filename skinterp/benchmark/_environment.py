"""What every benchmark record says about the machine and the code it ran on."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

__all__ = ["environment"]


def environment(device: str = "cpu") -> dict:
    """Versions, machine and thread settings, recorded with every run."""
    import sklearn
    import skorch
    import torch
    import transformers

    from .. import __version__

    env = {
        "skinterp": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "scikit-learn": sklearn.__version__,
        "skorch": skorch.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "device": device,
    }
    if str(device).startswith("cuda") and torch.cuda.is_available():
        env["gpu"] = torch.cuda.get_device_name(torch.device(device))
    try:
        root = Path(__file__).resolve().parents[2]
        git = ["git", "-C", str(root)]
        commit = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        # uncommitted changes to the package make the commit alone a wrong provenance
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", "skinterp"], capture_output=True, text=True
        ).stdout.strip()
        env["git_commit"] = commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):  # not a git checkout, or no git
        env["git_commit"] = None
    return env
