"""mfa_tui/ uses no private botocore name: a botocore release must not silently change it.

Read from the source (``ast``), so imports inside functions count too:
- nothing named ``_x`` is imported from botocore, or reached through a botocore module;
- no ``obj._x`` on anything but ``self``/``cls`` (another object's private attribute, the
  way ``provider._prompter = ...`` was), apart from a short list of stdlib names;
- a class built on a botocore class defines and touches no ``_x`` of its own (overriding
  ``_do_parse`` or setting ``_advisory_refresh_timeout`` would be exactly that).
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import mfa_tui

PACKAGE = Path(mfa_tui.__file__).parent
#: ``module._name`` uses outside botocore that are fine (documented stdlib names).
STDLIB_ALLOWED = {("os", "_exit"), ("argparse", "_SubParsersAction")}


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found.append((dotted.removesuffix(".__init__"), ast.parse(path.read_text(), str(path))))
    return found


def dotted_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def findings(module: str, tree: ast.Module) -> list[str]:
    out = []
    for node in ast.walk(tree):
        where = f"{module}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("botocore"):
            out += [f"{where} imports {a.name}" for a in node.names if private(a.name)]
            if any(private(part) for part in (node.module or "").split(".")):
                out.append(f"{where} imports from {node.module}")
        if isinstance(node, ast.Attribute) and private(node.attr):
            owner = dotted_name(node.value)
            if owner in ("self", "cls") or (owner, node.attr) in STDLIB_ALLOWED:
                continue
            out.append(f"{where} reaches {owner or '<expr>'}.{node.attr}")
    return out


def private_names_of(node: ast.ClassDef) -> list[tuple[int, str]]:
    """Private names a class defines (methods, class attributes) or touches on self/cls."""
    names: list[tuple[int, str]] = []
    for statement in node.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) \
                else [statement.target]
            names += [(t.lineno, t.id) for t in targets if isinstance(t, ast.Name)]
    for inner in ast.walk(node):
        if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
            names.append((inner.lineno, inner.name))
        elif isinstance(inner, ast.Attribute) and dotted_name(inner.value) in ("self", "cls"):
            names.append((inner.lineno, inner.attr))
    return [(line, name) for line, name in names if private(name)]


def botocore_subclass_findings(module: str, tree: ast.Module) -> list[str]:
    out: list[str] = []
    if module.endswith("__main__"):
        return out  # importing it runs the command line; it defines no class
    loaded = importlib.import_module(module)
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(loaded, node.name, None)
        if inspect.isclass(cls) and any(base.__module__.startswith("botocore")
                                        for base in cls.__mro__[1:]):
            out += [f"{module}:{line} {node.name} (a botocore subclass) uses {name}"
                    for line, name in private_names_of(node)]
    return out


def test_no_private_botocore_names_in_the_package() -> None:
    problems = [p for module, tree in modules() for p in findings(module, tree)]
    assert problems == []


def test_botocore_subclasses_touch_no_private_names() -> None:
    problems = [p for module, tree in modules() for p in botocore_subclass_findings(module, tree)]
    assert problems == []


def test_the_checks_see_what_they_are_for() -> None:
    """The two checks flag the uses this project once had (so they can fail)."""
    earlier = ast.parse(
        "from botocore.credentials import _local_now\n"
        "def wire(provider, prompter):\n"
        "    provider._prompter = prompter\n")
    assert len(findings("earlier", earlier)) == 2
    assert findings("fine", ast.parse("import os\nos._exit(0)\nself._x = 1\n")) == []
    (credentials,) = ast.parse(
        "class MfaSessionCredentials(DeferredRefreshableCredentials):\n"
        "    _advisory_refresh_timeout = 300\n"
        "    def _do_parse(self, response):\n"
        "        return self._fast(response)\n").body
    assert isinstance(credentials, ast.ClassDef)
    assert [name for _, name in private_names_of(credentials)] == [
        "_advisory_refresh_timeout", "_do_parse", "_fast"]
