"""`hatch-harmony check-secrets FILE...`: refuse files that would commit a connector secret (pre-commit).

The pre-commit hook `hatch-harmony-no-secrets` (.pre-commit-hooks.yaml) runs it on the staged
files. A file is refused when it is a generated manifest (the configured `manifest` path of the
base table or of any environment: it holds the key and secret by design), or when it holds the
connector key or secret of a registration this project can see: the one in a generated manifest,
or HARMONY_CONNECTOR_KEY/_SECRET. Each refusal names the file and where the value came from,
never the value. It reads files only: no request, no write, no git call (pre-commit has already
stashed what is not staged, so the working tree holds what would be committed).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hatch_harmony.cli.output import Output
from hatch_harmony.errors import HarmonyError
from hatch_harmony.vocabulary import ENV_VAR, KEY, KEY_VAR, SECRET, SECRET_VAR, is_placeholder

#: Files larger than this are not read (a jar or an image holds no manifest text worth the time).
MAX_BYTES = 8 << 20


@dataclass(frozen=True)
class Known:
    """A key or secret this project can see; `where` names its source, never the value."""

    value: bytes
    what: str
    where: str

    def __repr__(self) -> str:
        return f"Known(what={self.what!r}, where={self.where!r})"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], formatter: Any) -> None:
    text = "refuse files that are generated manifests or hold the connector key or secret (pre-commit)"
    parser = sub.add_parser("check-secrets", help=text, description=text, formatter_class=formatter)
    parser.add_argument(
        "--project", metavar="DIR", type=Path, default=Path(), help="project directory (default: .)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="the files to check (pre-commit: the staged ones)"
    )
    parser.set_defaults(verbose=False)  # no request to log


def generated_manifests(root: Path, env: Mapping[str, str]) -> tuple[list[Path], list[str]]:
    """The manifest paths of the base table and every environment, and why any could not be read."""
    from hatch_harmony.config import load_config, read_project_table

    try:
        table, table_path = read_project_table(root)
    except HarmonyError as exc:
        return [], [exc.message]
    environments = table.get("environments")
    names: list[str | None] = [None, *(environments if isinstance(environments, dict) else {})]
    plain = {k: v for k, v in env.items() if k != ENV_VAR}
    paths: list[Path] = []
    problems: list[str] = []
    for name in names:
        try:
            config = load_config(table, root, plain, table_path=table_path, environment=name)
        except HarmonyError as exc:
            problems.append(exc.message)
            continue
        if config.manifest not in paths:
            paths.append(config.manifest)
    return paths, problems


def known_secrets(manifests: list[Path], env: Mapping[str, str], root: Path) -> list[Known]:
    from hatch_harmony.jar_manifest import Manifest

    known: list[Known] = []
    for variable, what in ((KEY_VAR, "key"), (SECRET_VAR, "secret")):
        value = env.get(variable, "").strip()
        if value and not is_placeholder(value):
            known.append(Known(value.encode(), what, variable))
    for path in manifests:
        try:
            manifest = Manifest.parse(path.read_bytes(), source=str(path))
        except (OSError, HarmonyError):
            continue  # not generated yet, or not a manifest we can read: nothing to compare with
        for attribute, what in ((KEY, "key"), (SECRET, "secret")):
            value = (manifest.get(attribute) or "").strip()
            if value and not is_placeholder(value):
                known.append(Known(value.encode(), what, f"the generated manifest {shown(path, root)}"))
    return known


def shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def refusals(files: list[str], manifests: list[Path], known: list[Known], root: Path) -> list[str]:
    lines: list[str] = []
    for name in files:
        path = Path(os.path.normpath(Path(name).absolute()))
        if path in manifests:
            lines.append(
                f"{name}: is a generated manifest (it holds the connector key and secret); "
                f"unstage it (git rm --cached {name}) and keep it in .gitignore"
            )
            continue
        try:
            if not path.is_file() or path.stat().st_size > MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        sources: dict[str, list[str]] = {}
        for k in known:
            if k.value in data and k.where not in sources.get(k.what, []):
                sources.setdefault(k.what, []).append(k.where)
        if sources:
            held = " and ".join(
                f"the connector {what} (as in {' and '.join(where)})"
                for what, where in sorted(sources.items())
            )
            lines.append(f"{name}: holds {held}; remove it before committing")
    return lines


def cmd_check_secrets(args: argparse.Namespace, out: Output) -> int:
    root = Path(os.path.normpath(args.project.absolute()))
    env = dict(os.environ)
    manifests, problems = generated_manifests(root, env)
    known = known_secrets(manifests, env, root)
    refused = refusals(list(args.files), manifests, known, root)
    lines = [f"hatch-harmony: refused {line}" for line in refused]
    lines += [f"hatch-harmony: note: {problem}" for problem in problems]
    out.emit({"refused": refused, "checked": len(args.files), "known": len(known)}, lines)
    return 1 if refused else 0
