"""`regel vertaal`: one importable Python package per regulation.

Each package holds the generated module of every loaded version of its regulation (the same
module `load()` runs in memory, so both give the same answers) and an `__init__.py` that links
it, in a `Program`, with the regulations it is connected to: those it reads from, those whose
open norms it fills and those that fill its own. Linked regulations are imported from their
own packages, written next to it; a package therefore needs only `regel.runtime` and them.

    out/delft/__init__.py      ID, TITEL, VERSIES, PROGRAMMA, evaluate(), versie()
    out/delft/regeling.py      the generated module (one version)
    out/voorbeeld_beleid/versie_2012_01_01.py, versie_2013_01_01.py   (several versions)
"""

from __future__ import annotations

import contextlib
import keyword
import shutil
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from .api import Policies
from .codegen import generate, py_str, template
from .model import Analysis
from .outdir import Folder, OutputError, starts_with

# The first line of every generated __init__.py: only a folder that starts with it may be
# replaced, so that `--uit` can never wipe a package of the user's own.
HEADER = "# Gegenereerd door `regel vertaal`; niet met de hand bewerken."


class PackageError(Exception):
    """A package that cannot be written; the message is Dutch and meant for the user."""


@dataclass
class Package:
    id: str
    title: str  # a Python literal
    modules: dict[str, str] = field(default_factory=dict)  # module name → source
    versions: str = "()"  # the VERSIES tuple, as code
    program: list[tuple[str, str]] = field(default_factory=list)  # key → module alias
    imports: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    example_decision: str | None = None
    about: str = ""  # docstring lines on what the package needs
    init: str = ""


def module_name(analysis: Analysis, key: str) -> str:
    """`regeling`, or `versie_JJJJ_MM_DD` when the regulation has several versions."""
    rid = analysis.regs[key].node.id
    if len(analysis.versions[rid]) == 1:
        return "regeling"
    return "versie_" + key.partition("@")[2].replace("-", "_")


def linked(analysis: Analysis) -> dict[str, list[str]]:
    """Per regulation id, the ids of its connected regulations (itself included), sorted.

    Links run both ways: a regulation that reads another, or fills its open norms, needs it
    at run time, and a regulation whose norms are filled needs its fillers."""
    edges: dict[str, set[str]] = {rid: {rid} for rid in analysis.versions}
    for (key, _), deps in analysis.deps.items():
        rid = analysis.regs[key].node.id
        for other, _ in deps:
            other_id = analysis.regs[other].node.id if other in analysis.regs else other
            if other_id in edges and other_id != rid:
                edges[rid].add(other_id)
                edges[other_id].add(rid)
    for info in analysis.regs.values():
        for fill in info.fills:
            if fill.regulation in edges:
                edges[info.node.id].add(fill.regulation)
                edges[fill.regulation].add(info.node.id)
    groups: dict[str, list[str]] = {}
    for start in edges:
        if start in groups:
            continue
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        for rid in seen:
            groups[rid] = sorted(seen)
    return groups


def name_problem(rid: str) -> str | None:
    """Why a regulation id cannot be a top-level package name, if it cannot."""
    if not rid.isidentifier() or not rid.isascii():
        return "is geen geldige naam voor een Python-pakket"
    if keyword.iskeyword(rid) or keyword.issoftkeyword(rid):
        return "is een sleutelwoord van Python"
    if rid in sys.stdlib_module_names or rid in {"regel", "test", "tests"}:
        return "heeft dezelfde naam als een module van Python of van regel"
    return None


def packages(policies: Policies) -> list[Package]:
    """The packages of every loaded regulation, sources included, in the order of their ids."""
    analysis, sources = policies.analysis, policies.sources
    groups = linked(analysis)
    out = []
    for rid in sorted(analysis.versions):
        problem = name_problem(rid)
        if problem:
            raise PackageError(
                f"de korte naam '{rid}' {problem}; geef de regeling een andere korte naam"
            )
        keys = analysis.versions[rid]
        newest = analysis.regs[keys[-1]].node
        package = Package(rid, title_literal(newest.title))
        package.modules = {module_name(analysis, k): generate(analysis, sources, k) for k in keys}
        own = [f"_{module_name(analysis, k)}" for k in keys]
        items = [f"{m}.REGELING" for m in own]
        package.versions = f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        if len(package.versions) > 50:  # past 88 columns after `VERSIES: tuple[…] = `
            package.versions = "(\n" + "".join(f"    {item},\n" for item in items) + ")"
        package.linked = [g for g in groups[rid] if g != rid]
        about = (
            "Wijzig de .regel-bestanden en vertaal opnieuw met `regel vertaal`. Het pakket "
            "heeft alleen `regel.runtime` nodig"
        )
        if package.linked:
            about += (
                ", en de pakketten ernaast van de regelingen waarmee het verbonden is: "
                + ", ".join(package.linked)
            )
        package.about = "\n".join(textwrap.wrap(about + ".", 84))
        imports: list[str] = []
        for gid in groups[rid]:
            for key in analysis.versions[gid]:
                mod = module_name(analysis, key)
                alias = f"_{mod}" if gid == rid else f"_{gid}_{mod}"
                package.program.append((key, alias))
                if gid != rid:
                    imports.append(f"from {gid} import {mod} as {alias}")
        # In isort's sections as ruff sees them from `out`: the runtime, then the packages
        # beside this one (first party there), then this package's own modules.
        package.imports = ["from regel.runtime import Program, Regulation, Result", ""]
        if imports:
            package.imports += [*sorted(imports), ""]
        package.imports += [f"from . import {m[1:]} as {m}" for m in own]
        package.example_decision = newest.decisions[0].name if newest.decisions else None
        package.init = template("package.py.jinja").render(p=package, header=HEADER)
        out.append(package)
    return out


def title_literal(title: str) -> str:
    """The title as a Python string laid out as `ruff format` would at 88 columns: on the
    line, in parentheses, or split over lines (implicit concatenation) when even that is too
    long, so that no line needs a noqa."""
    literal = py_str(title)
    if len("TITEL = ") + len(literal) <= 88:
        return literal
    if len(literal) + 4 <= 88:
        return f"(\n    {literal}\n)"
    chunks = textwrap.wrap(
        title,
        60,
        drop_whitespace=False,
        replace_whitespace=False,
        expand_tabs=False,
        break_on_hyphens=False,
    )
    assert "".join(chunks) == title
    return "(\n" + "".join(f"    {py_str(c)}\n" for c in chunks) + ")"


MANIFEST = ".regel-vertaal"


def _folder(path: Path) -> Folder:
    return Folder(
        path,
        MANIFEST,
        "De bestanden die 'regel vertaal' schreef; een volgende 'regel vertaal' vervangt ze.",
        lambda folder: starts_with(folder / "__init__.py", HEADER),
    )


def write_packages(policies: Policies, out: Path) -> list[Package]:
    """Write every package under `out`. Each replaces only the files regel wrote into it
    before; a module the user added to a package folder stays."""
    found = packages(policies)
    folders = [_folder(out / p.id) for p in found]
    try:
        for folder in folders:
            if folder.path.exists() and not folder.path.is_dir():
                raise PackageError(
                    f"'{folder.path}' is een bestand, geen map; regel vertaal schrijft daar een "
                    "pakket en overschrijft geen bestanden die het niet zelf maakte. Kies een "
                    "andere map voor --uit."
                )
            folder.check("het pakket")
        out.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            for folder in folders:
                stack.enter_context(folder.locked())
            work = Path(tempfile.mkdtemp(prefix=".regel-vertaal-", dir=out))
            try:
                for p in found:
                    built = work / p.id
                    built.mkdir()
                    (built / "__init__.py").write_text(p.init, encoding="utf-8")
                    for name, source in p.modules.items():
                        (built / f"{name}.py").write_text(source, encoding="utf-8")
                for p, target in zip(found, folders, strict=True):
                    target.install(work / p.id)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except OutputError as err:
        raise PackageError(str(err)) from None
    return found
