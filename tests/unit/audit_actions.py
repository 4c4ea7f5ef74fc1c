"""Find every audit action the code writes, by reading app/ and automation/ (ast + SQL text).

Audit rows are written by ``add_audit(...)``, ``add_audit_many([...{"action": ...}])``,
``AuditLog(action=...)`` and SQL ``INSERT INTO audit_log (action, ...) VALUES ('x'`` / ``SELECT
'x'``. A literal action is read as it is; ``Action.X(.value)`` as that member; a conditional
as both branches. An action computed at run time (a variable, an f-string) must be listed in
:data:`DYNAMIC_SITES` with the values it can take, so a new computed action fails the test
until someone says what it writes.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from app.domain.states import Action, EscrowStatus
from app.escrow.repository import EscrowAction

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "automation")
WRITERS = {"add_audit", "AuditLog"}
#: Functions that only pass their caller's action through (their callers are checked).
PASS_THROUGH = {"add_audit"}
_SQL = re.compile(r"INSERT\s+INTO\s+audit_log\s*\(\s*action\b[^)]*\)\s*(?:VALUES\s*\(|SELECT)"
                  r"\s*'([a-z_]+)'", re.IGNORECASE)

#: (file, enclosing function) -> the actions a computed action there can be.
DYNAMIC_SITES: dict[tuple[str, str], frozenset[str]] = {
    ("app/services/transitions.py", "apply"): frozenset(a.value for a in Action),
    ("app/escrow/service.py", "record"): frozenset(
        {f"escrow_{a.value}_failed" for a in EscrowAction}
        | {f"escrow_{a.value}_retry_scheduled" for a in EscrowAction}
        | {f"escrow_{s.value}" for s in EscrowStatus}),
    ("app/escrow/reconcile.py", "_apply"): frozenset({"escrow_reconciled",
                                                      "escrow_hold_checked"}),
}


@dataclass(frozen=True)
class Site:
    """One place that writes an audit row, and the action(s) it writes."""

    path: str
    line: int
    function: str
    actions: frozenset[str] | None  # None: computed, and not in DYNAMIC_SITES


def written_actions() -> list[Site]:
    """Every audit-writing site in app/ and automation/."""
    sites: list[Site] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            sites += _python_sites(rel, tree)
            sites += [Site(rel, node.lineno, "<sql>", frozenset({m.group(1)}))
                      for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      for m in _SQL.finditer(node.value)]
    return sites


def _python_sites(rel: str, tree: ast.Module) -> list[Site]:
    sites: list[Site] = []
    for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        if func.name in PASS_THROUGH:
            continue
        for node in ast.walk(func):
            for expr in _action_exprs(node):
                values = _resolve(expr)
                if values is None:
                    values = DYNAMIC_SITES.get((rel, func.name))
                sites.append(Site(rel, expr.lineno, func.name, values))
    return sites


def _action_exprs(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Call) and _name(node.func) in WRITERS:
        keyword = [k.value for k in node.keywords if k.arg == "action"]
        if keyword:
            return keyword
        if _name(node.func) == "add_audit" and len(node.args) >= 3:  # escrow's positional form
            return [node.args[2]]
        return []
    if isinstance(node, ast.Call) and _name(node.func) == "add_audit_many":
        return [v for d in ast.walk(node) if isinstance(d, ast.Dict)
                for k, v in zip(d.keys, d.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "action"]
    return []


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _resolve(expr: ast.expr) -> frozenset[str] | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return frozenset({expr.value})
    if isinstance(expr, ast.IfExp):
        body, other = _resolve(expr.body), _resolve(expr.orelse)
        return None if body is None or other is None else body | other
    if isinstance(expr, ast.Attribute) and expr.attr == "value":
        expr = expr.value
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) \
            and expr.value.id == "Action" and expr.attr in Action.__members__:
        return frozenset({Action[expr.attr].value})
    return None
