"""The deployable artifact: `make package` builds the stack for arm64, and what it built is complete.

`make package` does nothing while no input changed since its last build, and then SAM rebuilds only what
changed. The first build in a checkout takes a minute or more: the SAM CLI is installed (about 40 s) and
the layer's wheels downloaded (about 25 s), longer on a busy machine.
"""

import ast
import fcntl
import functools
import operator
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infrastructure.template import ROOT, Template

pytestmark = pytest.mark.xdist_group("package")

PACKAGE_DIR = ROOT / ".aws-sam"
BUILT = PACKAGE_DIR / "build"
PINS = ROOT / "shared" / "requirements.txt"
BUILD_TIMEOUT_SECONDS = 900

# The glibc of each runtime's operating system: a wheel built for a newer glibc does not load there.
# python3.11 runs on Amazon Linux 2, later runtimes on Amazon Linux 2023.
RUNTIME_GLIBC = {"python3.11": (2, 26), "python3.12": (2, 34), "python3.13": (2, 34)}
# What the Lambda runtime itself provides besides the standard library: the AWS SDK.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore"})
ELF_MACHINE_AARCH64 = 183


@pytest.fixture(scope="module")
def built() -> Path:
    """`make package`, once per module; a lock keeps two test runs in one checkout from building at once."""
    PACKAGE_DIR.mkdir(exist_ok=True)
    with (PACKAGE_DIR / "package.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(
            ["make", "--no-print-directory", "package"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_SECONDS,
            check=False,
        )
    assert result.returncode == 0, f"make package failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return BUILT


@functools.cache
def _source_template() -> Template:
    return Template.load({})


@functools.cache
def _built_template(built: Path) -> Template:
    return Template.load({}, built / "template.yaml")


def _runtime() -> str:
    runtime: str = _source_template().raw["Globals"]["Function"]["Runtime"]
    return runtime


def _runtime_python() -> tuple[int, int]:
    major, minor = _runtime().removeprefix("python").split(".")
    return int(major), int(minor)


def _layer_folder(built: Path) -> Path:
    [layer] = _built_template(built).of_type("AWS::Serverless::LayerVersion").values()
    return built / str(layer["Properties"]["ContentUri"]) / "python"


# ------------------------------------------------------------------ the template as built


def test_every_function_and_the_layer_are_built_where_the_built_template_says(built: Path) -> None:
    template = _built_template(built)
    functions = template.of_type("AWS::Serverless::Function")
    assert functions.keys() == _source_template().of_type("AWS::Serverless::Function").keys()
    for logical_id, function in functions.items():
        code = built / function["Properties"]["CodeUri"]
        module = function["Properties"]["Handler"].rsplit(".", 1)[0]
        assert (code / f"{module.replace('.', '/')}.py").is_file(), f"{logical_id}: no {module} in {code}"
    [layer_id] = template.of_type("AWS::Serverless::LayerVersion")
    assert (_layer_folder(built) / "probation" / "__init__.py").is_file(), layer_id
    every_function = template.raw["Globals"]["Function"]
    assert {"Ref": layer_id} in every_function["Layers"]
    assert every_function["Architectures"] == ["arm64"]
    for logical_id, function in functions.items():
        assert function["Properties"].get("Architectures", ["arm64"]) == ["arm64"], logical_id
    assert template.resources[layer_id]["Properties"]["CompatibleArchitectures"] == ["arm64"]


# ------------------------------------------------------------------ the layer's pinned wheels


def _pins() -> dict[str, Requirement]:
    lines = [line.strip() for line in PINS.read_text().splitlines()]
    requirements = [Requirement(line) for line in lines if line and not line.startswith("#")]
    return {canonicalize_name(requirement.name): requirement for requirement in requirements}


def test_every_runtime_dependency_is_pinned_for_the_layer_within_its_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    for requirement in map(Requirement, project["dependencies"]):
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{requirement.name} is not pinned in {PINS.name}"
        assert pin.extras == requirement.extras, requirement.name
        assert requirement.specifier.contains(_pinned_version(pin)), f"{pin} is outside {requirement}"
    for pin in pins.values():
        assert _pinned_version(pin), f"{pin} is not pinned to one version"


def _pinned_version(pin: Requirement) -> str:
    [specifier] = pin.specifier
    assert specifier.operator == "==", pin
    return specifier.version


@dataclass(frozen=True)
class InstalledWheel:
    name: str
    version: str
    tags: list[str]


def _installed(layer: Path) -> list[InstalledWheel]:
    wheels = []
    for dist_info in sorted(layer.glob("*.dist-info")):
        metadata = (dist_info / "METADATA").read_text()
        field = {key: value for key, _, value in re.findall(r"^(Name|Version)(: )(.*)$", metadata, re.M)}
        tags = re.findall(r"^Tag: (.*)$", (dist_info / "WHEEL").read_text(), re.M)
        wheels.append(InstalledWheel(canonicalize_name(field["Name"]), field["Version"], tags))
    return wheels


def test_the_layer_holds_exactly_the_pinned_distributions(built: Path) -> None:
    installed = {wheel.name: wheel.version for wheel in _installed(_layer_folder(built))}
    pinned = {name: _pinned_version(pin) for name, pin in _pins().items()}
    assert installed == pinned


def _runs_on_the_runtime(tag: str, glibc: tuple[int, int]) -> bool:
    """A wheel tag (interpreter-abi-platform, each part possibly a dotted set) the runtime can load: CPython
    3.11 on aarch64 Linux with the runtime's glibc, or pure Python."""
    interpreters, abis, platforms = (part.split(".") for part in tag.split("-"))
    python = any(i in ("py3", "cp311") for i in interpreters) and any(
        a in ("none", "abi3", "cp311") for a in abis
    )
    return python and any(_platform_fits(platform, glibc) for platform in platforms)


def _platform_fits(platform: str, glibc: tuple[int, int]) -> bool:
    if platform == "any":
        return True
    platform = platform.replace("manylinux2014_", "manylinux_2_17_")
    match = re.fullmatch(r"manylinux_(\d+)_(\d+)_aarch64", platform)
    return match is not None and (int(match[1]), int(match[2])) <= glibc


def test_every_wheel_in_the_layer_is_for_arm64_linux_on_the_runtimes_python(built: Path) -> None:
    glibc = RUNTIME_GLIBC[_runtime()]
    for wheel in _installed(_layer_folder(built)):
        assert any(_runs_on_the_runtime(tag, glibc) for tag in wheel.tags), f"{wheel.name}: {wheel.tags}"


def test_every_compiled_module_in_the_layer_is_aarch64_code_for_python_3_11(built: Path) -> None:
    compiled = sorted(_layer_folder(built).rglob("*.so"))
    assert compiled, "pydantic-core and cryptography ship compiled modules"
    for module in compiled:
        header = module.read_bytes()[:20]
        assert header[:4] == b"\x7fELF", module
        assert int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64, f"{module} is not aarch64 code"
        assert ".cpython-311-aarch64-linux-gnu." in module.name or ".abi3." in module.name, module


# ------------------------------------------------------------------ nothing imported is missing


def test_the_layer_holds_the_whole_probation_package(built: Path) -> None:
    """Modules and the data files they read (offence lists, coefficients, catalogues)."""

    def files(package: Path) -> set[Path]:
        return {
            p.relative_to(package) for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
        }

    assert files(_layer_folder(built) / "probation") == files(ROOT / "shared" / "probation")


def test_nothing_a_function_imports_is_missing_from_it_its_layer_or_the_runtime(built: Path) -> None:
    """Read from the code, as no aarch64 module can be imported here. A library's import of a name it works
    out at run time (Powertools' tracer loads aws_xray_sdk so) is beyond such a reading: the pins cover
    those, as the layer must hold exactly the pinned distributions, and the pins each dependency with the
    extras pyproject.toml asks for."""
    layer = _layer_folder(built)
    missing = {}
    for logical_id, function in _built_template(built).of_type("AWS::Serverless::Function").items():
        code = built / function["Properties"]["CodeUri"]
        module = function["Properties"]["Handler"].rsplit(".", 1)[0]
        entry = code / f"{module.replace('.', '/')}.py"
        unresolved = sorted(set(_unresolved(entry, [code, layer], [code, layer / "probation"])))
        if unresolved:
            missing[logical_id] = unresolved
    assert missing == {}


def test_the_import_walk_finds_what_is_missing(tmp_path: Path) -> None:
    """What the test above relies on: a module missing from a layer, imported at once or on first use by
    our code, or at module level by a library, is found; a library's optional import is not."""
    function, layer = tmp_path / "function", tmp_path / "layer"
    (layer / "ours").mkdir(parents=True)
    (layer / "library").mkdir()
    function.mkdir()
    (function / "app.py").write_text("import json\nimport boto3\nfrom ours import service\n")
    (layer / "ours" / "__init__.py").write_text("")
    (layer / "ours" / "service.py").write_text("import library\n\ndef later():\n    import lazily_needed\n")
    (layer / "library" / "__init__.py").write_text(
        "import sys\nfrom . import part\ntry:\n    import optional_speedup\nexcept ImportError:\n    pass\n"
        "if sys.version_info >= (3, 14):\n    import annotationlib\n"
    )
    (layer / "library" / "part.py").write_text("import needed_by_library\n")

    found = {
        entry.split()[0]
        for entry in _unresolved(function / "app.py", [function, layer], [function, layer / "ours"])
    }

    assert found == {"lazily_needed", "needed_by_library"}


@dataclass(frozen=True)
class Import:
    module: str
    names: tuple[str, ...]
    """What ``from module import ...`` takes: each may be a submodule (then it is followed) or a name."""


_COMPARISONS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}


def _on_the_runtime(test: ast.expr) -> bool | None:
    """A ``sys.version_info`` comparison decided for the runtime's Python; None for any other condition."""
    match test:
        case ast.Compare(left=left, ops=[op], comparators=[ast.Tuple() as bound]) if (
            ast.unparse(left) == "sys.version_info" and type(op) in _COMPARISONS
        ):
            return bool(_COMPARISONS[type(op)](_runtime_python(), ast.literal_eval(bound)))
    return None


class _ImportCollector(ast.NodeVisitor):
    """The imports a module makes when it runs. Our own code is read whole, as it imports some modules on
    first use (named for type checkers under ``TYPE_CHECKING``); a library's only where they run when it is
    imported, and outside ``try`` blocks, where its optional imports are."""

    def __init__(self, package: str, whole: bool) -> None:
        self.package = package
        self.whole = whole
        self.found: list[Import] = []

    def visit_If(self, node: ast.If) -> None:
        decided = _on_the_runtime(node.test)
        if decided is not None:
            self._visit_all(node.body if decided else node.orelse)
        elif "TYPE_CHECKING" in ast.unparse(node.test) and not self.whole:
            self._visit_all(node.orelse)
        else:
            self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        if self.whole:
            self.generic_visit(node)
        else:
            self._visit_all(node.finalbody)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.whole:
            self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.visit_FunctionDef(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found += [Import(alias.name, ()) for alias in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:
            parts = self.package.split(".")
            module = ".".join([*parts[: len(parts) - node.level + 1], *([module] if module else [])])
        self.found.append(Import(module, tuple(alias.name for alias in node.names)))

    def _visit_all(self, nodes: list[ast.stmt]) -> None:
        for child in nodes:
            self.visit(child)


@dataclass(frozen=True)
class Found:
    source: Path | None
    """The module's Python source; None for a compiled module or a namespace package."""
    package: str
    """The package its relative imports start from."""


def _find(module: str, roots: list[Path]) -> Found | None:
    """Where ``module`` is, as the import system looks for it: in the first root that has its top level."""
    parts = module.split(".")
    root = next((r for r in roots if (r / parts[0]).exists() or any(r.glob(f"{parts[0]}.*"))), None)
    if root is None:
        return None
    folder = root.joinpath(*parts[:-1])
    candidate = folder / parts[-1]
    if (candidate / "__init__.py").is_file():
        return Found(candidate / "__init__.py", module)
    if candidate.with_suffix(".py").is_file():
        return Found(candidate.with_suffix(".py"), module.rpartition(".")[0])
    if candidate.is_dir() or any(folder.glob(f"{parts[-1]}.*.so")):
        return Found(None, module)
    return None


@functools.cache
def _imports(path: Path, package: str, whole: bool) -> list[Import]:
    """Read once, though every function's walk passes through the same libraries."""
    collector = _ImportCollector(package, whole)
    collector.visit(ast.parse(path.read_bytes()))
    return collector.found


def _unresolved(entry: Path, roots: list[Path], own_code: list[Path]) -> Iterator[str]:
    """Every module the entry module imports, directly or through what it imports, that is neither in
    ``roots`` nor in the standard library nor provided by the runtime."""
    seen: set[str] = set()
    queue: list[tuple[Path, str]] = [(entry, "")]
    while queue:
        path, package = queue.pop()
        for imported in _imports(path, package, whole=any(path.is_relative_to(own) for own in own_code)):
            # ``from module import name``: the module must be there; each name may be a submodule of it.
            names = [f"{imported.module}.{name}" for name in imported.names if name != "*"]
            for module, required in [(imported.module, True), *((name, False) for name in names)]:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in RUNTIME_PROVIDED or module in seen:
                    continue
                found = _find(module, roots)
                if found is None:
                    if required:
                        seen.add(module)
                        yield f"{module} (imported by {path})"
                    continue
                seen.add(module)
                if found.source is not None:
                    queue.append((found.source, found.package))
