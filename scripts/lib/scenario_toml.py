"""Scenario files for the Python scripts: a scenario with its `extends` chain merged in
(as Grapevine's loader does) and TOML written back (sections as tables, arrays of
tables, the rest inline). Shared by check-switches-off.py and mechanism-table.py."""

import json
import tomllib
from pathlib import Path


def merged(path: Path) -> dict:
    """The scenario at `path` with its `extends` chain merged in, as the loader does."""
    data = tomllib.loads(path.read_text())
    base = data.pop("extends", None)
    if base is None:
        return data
    out = merged((path.parent / base).resolve())
    deep_merge(out, data)
    return out


def deep_merge(base: dict, over: dict) -> None:
    """Merges `over` into `base`: tables key by key, a distribution (`dist`) whole."""
    for k, v in over.items():
        if isinstance(v, dict) and "dist" not in v and isinstance(base.get(k), dict):
            deep_merge(base[k], v)
        else:
            base[k] = v


def toml_key(k: str) -> str:
    """A key, quoted only when it is not a bare key."""
    return k if k.replace("-", "").replace("_", "").isalnum() else json.dumps(k)


def inline(v) -> str:
    """A value as inline TOML."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(inline(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {inline(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def dump(doc: dict) -> str:
    """TOML for a scenario: sections as tables, arrays of tables, the rest inline."""
    out: list[str] = []

    def table_array(path: list[str], v) -> bool:
        return path == [] and isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)

    def table(path: list[str], d: dict, header: str | None) -> None:
        if header:
            out.append(header)
        for k, v in d.items():
            if not isinstance(v, dict) and not table_array(path, v):
                out.append(f"{toml_key(k)} = {inline(v)}")
        for k, v in d.items():
            if isinstance(v, dict):
                name = ".".join(toml_key(x) for x in path + [k])
                out.append("")
                table(path + [k], v, f"[{name}]")
            elif table_array(path, v):
                for item in v:
                    out.append("")
                    table([k], item, f"[[{toml_key(k)}]]")

    table([], doc, None)
    return "\n".join(out) + "\n"
