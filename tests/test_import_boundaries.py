"""The import contracts of ``.importlinter``, checked without import-linter.

``./hw lint`` runs ``lint-imports``; this test reads the same contracts and checks
them with ``ast`` (lazy imports inside functions count too), so CI enforces them
in the test venv. Benchmarks (``bench/``, no package) and tests share only
``testsupport``: neither imports the other, also not by loading a file by its path.
"""

from __future__ import annotations

import ast
import configparser
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"


def contracts() -> Dict[str, Tuple[List[str], List[str]]]:
    """Contract name -> (source modules, forbidden modules)."""
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    found = {}
    for section in parser.sections():
        if not section.startswith("importlinter:contract:"):
            continue
        entry = parser[section]
        assert entry["type"] == "forbidden", f"{section}: only forbidden contracts"
        found[entry["name"]] = (
            entry["source_modules"].split(),
            entry["forbidden_modules"].split(),
        )
    return found


def package_files(package: str, root: Path = ROOT) -> Iterator[Tuple[str, Path]]:
    """(module name, path) of every module in ``package`` (folders with __init__)."""
    base = root / package.replace(".", "/")
    folders = [base]
    while folders:
        folder = folders.pop()
        if not (folder / "__init__.py").is_file():
            continue
        prefix = ".".join(folder.relative_to(root).parts)
        for path in sorted(folder.iterdir()):
            if path.is_dir():
                folders.append(path)
            elif path.suffix == ".py":
                name = prefix if path.stem == "__init__" else f"{prefix}.{path.stem}"
                yield name, path


def imported_modules(module: str, path: Path) -> Iterator[Tuple[str, int]]:
    """(imported module, line) for every import statement, wherever it stands."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def violations(
    sources: List[str], forbidden: List[str], root: Path = ROOT
) -> List[str]:
    """``module:line -> imported`` for each import of a forbidden module."""
    found = []
    for source in sources:
        for module, path in package_files(source, root):
            for imported, line in imported_modules(module, path):
                if any(
                    imported == name or imported.startswith(name + ".")
                    for name in forbidden
                ):
                    found.append(f"{module}:{line} -> {imported}")
    return sorted(set(found))


def test_the_contracts_are_the_agreed_ones() -> None:
    assert sorted(contracts().values()) == sorted(
        [
            (["hechtwijzer_core"], ["bot", "actions", "rasa", "rasa_sdk", "sanic"]),
            (["bot"], ["actions"]),
            (["actions"], ["bot"]),
            (["testsupport"], ["tests"]),
        ]
    )


@pytest.mark.parametrize("name", sorted(contracts()))
def test_contract_is_kept(name: str) -> None:
    sources, forbidden = contracts()[name]
    assert violations(sources, forbidden) == []


def script_files(folder: Path) -> Iterator[Tuple[str, Path]]:
    """(name, path) of every Python file below ``folder``, package or not."""
    for path in sorted(folder.rglob("*.py")):
        yield ".".join(path.relative_to(ROOT).with_suffix("").parts), path


def loads_by_path(path: Path, folder: str) -> List[int]:
    """Lines where ``path`` loads a module from a file whose path names ``folder``."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("spec_from_file_location", "run_path") and any(
                isinstance(part, ast.Constant)
                and isinstance(part.value, str)
                and (part.value == folder or part.value.startswith(folder + "/"))
                for part in ast.walk(node)
            ):
                lines.append(node.lineno)
    return lines


def test_benchmarks_and_tests_never_import_each_other() -> None:
    found = []
    for name, path in script_files(ROOT / "bench"):
        for imported, line in imported_modules(name, path):
            if imported == "tests" or imported.startswith("tests."):
                found.append(f"{name}:{line} -> {imported}")
        found += [
            f"{name}:{line} loads tests/" for line in loads_by_path(path, "tests")
        ]
    for name, path in script_files(ROOT / "tests"):
        for imported, line in imported_modules(name, path):
            if imported == "bench" or imported.startswith("bench."):
                found.append(f"{name}:{line} -> {imported}")
        found += [
            f"{name}:{line} loads bench/" for line in loads_by_path(path, "bench")
        ]
    assert sorted(set(found)) == []


def test_the_path_check_sees_a_benchmark_loaded_by_its_file(tmp_path: Path) -> None:
    test_file = tmp_path / "test_x.py"
    test_file.write_text(
        "import importlib.util\n"
        "spec = importlib.util.spec_from_file_location(\n"
        '    "x", ROOT / "bench" / "scale_out.py")\n',
        encoding="utf-8",
    )
    assert loads_by_path(test_file, "bench") == [2]
    assert loads_by_path(test_file, "tests") == []


def test_the_checker_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    package = tmp_path / "core"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "inner" / "__init__.py").write_text(
        "from .. import helper\n", encoding="utf-8"
    )
    (package / "helper.py").write_text(
        "def f():\n    from rasa.core import agent\n    import sanic\n",
        encoding="utf-8",
    )
    assert violations(["core"], ["rasa", "sanic"], tmp_path) == [
        "core.helper:2 -> rasa.core",
        "core.helper:2 -> rasa.core.agent",
        "core.helper:3 -> sanic",
    ]
    assert violations(["core"], ["core.helper"], tmp_path) == [
        "core.inner:1 -> core.helper"
    ]
