#!/usr/bin/env python3
"""Print how the project's packages import each other.

Why: the layers (foundation ← enterprises ← cases ← search ← portal) are enforced by
import-linter; this report gives the figures behind them for reviews and issue notes:
cross-app imports by direction, imports inside functions, and the largest circle of files
importing each other (a strongly connected component of the file graph).

Usage: python scripts/import_report.py [--verbose]
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "tests", "bench", "scripts", "migrations", "node_modules", ".services"}


def project_packages() -> list[str]:
    """Top-level folders that are Python packages (have an __init__.py)."""
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in SKIP_DIRS
    )


def source_files(packages: list[str]) -> list[Path]:
    files = []
    for package in packages:
        for path in (ROOT / package).rglob("*.py"):
            if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
                files.append(path)
    return sorted(files)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(imported module, inside a function?) for every import statement of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                found.append((target, in_function))
                # `from pkg import module` names a module too
                for alias in child.names:
                    found.append((f"{target}.{alias.name}", in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list each cross-app import")
    args = parser.parse_args()

    packages = project_packages()
    files = source_files(packages)
    modules = {module_name(f): f for f in files}
    by_direction: Counter[tuple[str, str]] = Counter()
    files_by_direction: dict[tuple[str, str], set[str]] = defaultdict(set)
    in_function = 0
    in_function_cross = 0
    graph: dict[str, set[str]] = {name: set() for name in modules}
    details = []
    for name, path in modules.items():
        app = name.split(".")[0]
        seen_targets: set[tuple[str, bool]] = set()
        for target, nested in imports_of(path):
            if target not in modules:
                continue
            if (target, nested) in seen_targets:
                continue
            seen_targets.add((target, nested))
            if target != name:
                graph[name].add(target)
            target_app = target.split(".")[0]
            if nested:
                in_function += 1
            if target_app != app:
                by_direction[(app, target_app)] += 1
                files_by_direction[(app, target_app)].add(name)
                if nested:
                    in_function_cross += 1
                details.append(f"{name} -> {target}{' (in a function)' if nested else ''}")

    print(f"packages: {', '.join(packages)}; {len(files)} files (migrations and tests left out)")
    print("cross-app imports by direction (importer -> imported: imports in files):")
    for (source, target), count in sorted(by_direction.items()):
        print(f"  {source} -> {target}: {count} in {len(files_by_direction[(source, target)])}")
    print(f"imports inside functions: {in_function} ({in_function_cross} across apps)")
    circles = [c for c in strongly_connected(graph) if len(c) > 1]
    circles.sort(key=len, reverse=True)
    largest = circles[0] if circles else []
    print(f"circles of files importing each other: {len(circles)}; largest: {len(largest)} files")
    if largest and args.verbose:
        print("  " + ", ".join(largest))
    if args.verbose:
        print("\n".join(sorted(details)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
