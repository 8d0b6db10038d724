"""The built-in benchmark profiles and ``extends``: a configuration that starts from one."""

from __future__ import annotations

import copy
import sys
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["PROFILES", "tomllib"]

PROFILES = ("quick", "full", "claims", "claims-minilm", "defaults", "defaults-minilm")


def _profile_text(name: str) -> str:
    return resources.files("skinterp.benchmark").joinpath(f"profiles/{name}.toml").read_text()


def _merge(parent: dict, child: dict) -> dict:
    """``child`` on top of ``parent``: tables merge key by key, anything else is replaced."""
    out = copy.deepcopy(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _extend(raw: dict, seen: tuple[str, ...] = ()) -> dict:
    """Resolve ``extends = "<profile>"``: the child's keys on top of the profile's. When the
    child narrows ``methods``, the parent's protocols and claims keep only those methods (a
    claim whose method or baseline is not run is left out), so a subset profile stays valid.
    ``[[claims]]`` in the child replaces the profile's claims; ``[[more_claims]]`` adds to the
    ones it keeps (e.g. claims on variants the profile does not run)."""
    parent_name = raw.get("extends")
    if parent_name is None:
        if "more_claims" in raw:
            raise ValueError(
                "more_claims adds to the claims of the profile named by extends; without "
                "extends, list every claim under [[claims]]."
            )
        return raw
    if parent_name not in PROFILES or parent_name in seen:
        raise ValueError(
            f"extends = {parent_name!r}: name one of the profiles {list(PROFILES)} (and no cycle)."
        )
    parent = _extend(tomllib.loads(_profile_text(parent_name)), (*seen, parent_name))
    child = {k: v for k, v in raw.items() if k not in ("extends", "more_claims")}
    merged = _merge(parent, child)
    if "methods" in child:
        keep = set(child["methods"]) | {"base"}
        for proto in merged.get("protocols", {}).values():
            if "methods" in proto:
                proto["methods"] = [m for m in proto["methods"] if m in keep]
        merged["claims"] = [
            c
            for c in merged.get("claims", [])
            if c.get("method") in keep and c.get("baseline", c.get("method")) in keep
        ]
    more = raw.get("more_claims", [])
    if not isinstance(more, list):
        raise ValueError("more_claims must be an array of tables ([[more_claims]]).")
    merged["claims"] = [*merged.get("claims", []), *copy.deepcopy(more)]
    return merged
