"""The `regel` command, in Dutch. Exit codes: 0 in orde, 1 fouten in de regeling of mislukte
gevallen, 2 verkeerd gebruik van het commando."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import errno
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from regel import runtime as rt

from .api import Policies, check_paths, load
from .diagnostics import CompileError, render_all

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_ARGPARSE_NL = {
    "the following arguments are required: %s": "deze argumenten ontbreken: %s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "ongeldige keuze: %(value)r (kies uit %(choices)s)"
    ),
    "expected one argument": "verwacht één waarde",
    "not allowed with argument %s": "niet samen met argument %s",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "dubbelzinnige optie: %(option)s kan %(matches)s zijn"
    ),
    "invalid %(type)s value: %(value)r": "ongeldige waarde: %(value)r",
    "usage: ": "gebruik: ",
    "positional arguments": "argumenten",
    "options": "opties",
    "show this help message and exit": "toon deze hulp en stop",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
}


def _translate(text: str) -> str:
    return _ARGPARSE_NL.get(text, text)


# argparse looks its messages up through gettext; give it Dutch ones.
argparse._ = _translate  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: fout: {message}\n")


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2011-09-01"
        ) from None


def _paths(p: argparse.ArgumentParser) -> None:
    p.add_argument("paden", nargs="+", metavar="PAD", help="bestand of map met .regel-bestanden")


def _peildatum(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--peildatum", type=_date, metavar="JJJJ-MM-DD", help=what)


def _one_decision(p: argparse.ArgumentParser) -> None:
    """The policies and the one decision a caseload command is about."""
    p.add_argument("pad", metavar="PAD", help="bestand of map met .regel-bestanden")
    p.add_argument("--regeling", required=True, metavar="NAAM", help="de regeling")
    p.add_argument("--besluit", required=True, metavar="NAAM", help="het besluit")


def _docs_url(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--documentatie",
        metavar="URL",
        default="",
        help="adres van de site van 'regel docs'; elke stap van de motivering linkt dan met een "
        "volledig adres naar zijn regel (standaard: een pad vanaf de hoofdmap van de site)",
    )


class _Version(argparse.Action):
    """`regel --version`: read from the installed package only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("regel")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "onbekend (niet geïnstalleerd)"
        print(f"regel {number}")
        parser.exit(EXIT_OK)


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--formaat",
        choices=("tekst", "json"),
        default="tekst",
        help="tekst (standaard) of json: hetzelfde als JSON op stdout, voor CI en andere "
        "programma's",
    )


def _json(value: object) -> None:
    import json

    print(json.dumps(value, ensure_ascii=False, indent=2))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="regel",
        description="Regel: gemeentelijke regelgeving als uitvoerbare, toetsbare regels.",
        epilog="Uitleg van de taal: docs/taal.md. Afsluitcodes: 0 in orde, 1 fouten of "
        "mislukte gevallen, 2 verkeerd gebruik.",
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="toon het versienummer van regel en stop"
    )
    sub = parser.add_subparsers(dest="opdracht", metavar="OPDRACHT", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser(
        "controleer",
        help="controleer .regel-bestanden op fouten",
        description="Controleer .regel-bestanden en mappen; toont alle fouten "
        "met regel, kolom en een hint.",
    )
    _paths(p)
    _format(p)

    p = sub.add_parser(
        "opmaak",
        help="zet .regel-bestanden in de ene opmaak (inspringing, spaties, witregels)",
        description="Zet .regel-bestanden in de ene opmaak van regel: twee spaties per niveau, "
        "één spatie tussen de delen van een regel, geen spaties aan het eind, ten hoogste één "
        "witregel. Woorden, teksten en commentaar blijven precies zoals ze zijn, dus de "
        "betekenis ook. Een bestand met een syntaxfout blijft ongemoeid.",
    )
    _paths(p)
    p.add_argument(
        "--controleer",
        action="store_true",
        help="verander niets; noem de bestanden die niet in de opmaak staan (afsluitcode 1), "
        "voor CI",
    )
    p.add_argument(
        "--verschil", action="store_true", help="toon per bestand wat er zou veranderen (diff)"
    )

    p = sub.add_parser(
        "evalueer",
        help="neem een besluit voor één casus (JSON uit)",
        description="Evalueer een regeling voor een casus en geef de uitkomsten "
        "en de motivering als JSON.",
    )
    p.add_argument("pad", metavar="PAD", help="bestand of map met .regel-bestanden")
    p.add_argument(
        "--invoer",
        required=True,
        metavar="CASUS.json",
        help="JSON-bestand met de gegevens van de casus ('-' voor standaardinvoer)",
    )
    _peildatum(p, "datum waarop beslist wordt (standaard: vandaag)")
    p.add_argument("--besluit", metavar="NAAM", help="welk besluit (standaard: alle uitkomsten)")
    p.add_argument("--regeling", metavar="NAAM", help="welke regeling, als er meer geladen zijn")
    p.add_argument(
        "--tekst",
        action="store_true",
        help="de motivering als leesbare tekst in plaats van JSON",
    )
    p.add_argument(
        "--onvolledig",
        action="store_true",
        help="de invoer mag onvolledig zijn: het besluit volgt alleen de weg die de opgegeven "
        "feiten openen en noemt wat het dan nog nodig heeft",
    )
    p.add_argument(
        "--gemeente",
        metavar="GMxxxx",
        help="beslis voor deze gemeente (CBS-code, zoals GM0503): dan geldt haar invulling "
        "van de open normen van een wet",
    )
    _docs_url(p)

    p = sub.add_parser(
        "docs",
        help="maak de documentatiesite (HTML) van de regelingen",
        description="Maak een documentatiesite voor raad, burger en rechter: per regeling de "
        "gegevens, de inhoud, per artikel de tekst, de toelichting en de regels in gewone zinnen, "
        "de begrippen en per besluit een schema. Gebouwd met MkDocs (--strict): een kapotte link "
        "is een fout.",
    )
    _paths(p)
    p.add_argument("--uit", required=True, metavar="MAP", help="map voor de HTML-site")
    p.add_argument(
        "--bron", metavar="MAP", help="bewaar hier ook de MkDocs-bronnen (mkdocs.yml en Markdown)"
    )
    p.add_argument(
        "--handleiding",
        metavar="MAP",
        help="map met eigen Markdown-pagina's (zoals docs/ van dit project) die als "
        "'Handleiding' in dezelfde site komen",
    )
    p.add_argument(
        "--titel", metavar="TEKST", default="Regelgeving re-integratie", help="naam van de site"
    )
    p.add_argument("--adres", metavar="URL", help="adres waar de site komt te staan (site_url)")
    p.add_argument(
        "--volg",
        action="store_true",
        help="blijf kijken: maak de site opnieuw zodra een .regel-bestand (of een pagina van "
        "--handleiding) verandert; stop met Ctrl+C",
    )

    p = sub.add_parser(
        "vertaal",
        help="vertaal de regelingen naar Python-pakketten",
        description="Schrijf per regeling een Python-pakket dat alleen regel.runtime nodig "
        "heeft: 'import delft' en dan delft.evaluate(gegevens, peildatum, besluit=...). Een "
        "regeling die een andere gebruikt of haar open normen invult, importeert het pakket "
        "daarvan, dat ernaast komt te staan.",
    )
    _paths(p)
    p.add_argument("--uit", required=True, metavar="MAP", help="map waarin de pakketten komen")

    p = sub.add_parser(
        "dien",
        help="start de beslisservice (HTTP) voor de regelingen",
        description="Start een HTTP-beslisservice: per regeling en besluit een POST met de "
        "peildatum en de gegevens, met als antwoord de uitkomsten, de motivering met artikelen "
        "en de oordelen van het college. GET /regelingen toont wat er is, /openapi.json het "
        "schema. Stop met Ctrl+C.",
    )
    _paths(p)
    p.add_argument("--poort", type=int, default=8000, metavar="N", help="poort (standaard 8000)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="H",
        help="adres om op te luisteren (standaard 127.0.0.1, alleen deze machine; 0.0.0.0 voor "
        "iedereen die de machine bereikt)",
    )
    _docs_url(p)

    p = sub.add_parser(
        "test",
        help="voer de gevallen (tests) van de regelingen uit",
        description="Voer alle 'gevallen voor …' uit en vergelijk de uitkomsten "
        "met wat verwacht wordt. Bij een mislukt geval staat de motivering van het besluit "
        "eronder.",
    )
    _paths(p)
    _format(p)
    p.add_argument(
        "--filter",
        metavar="NAAM",
        help="alleen de gevallen met dit in hun naam (of die passen bij een patroon met * en ?)",
    )
    p.add_argument(
        "--junit", metavar="BESTAND", help="schrijf de uitslag ook als JUnit-XML (voor CI)"
    )
    p.add_argument(
        "--dekking",
        action="store_true",
        help="toon ook per regeling de regels die geen geval toepast",
    )

    p = sub.add_parser(
        "dekking",
        help="toon per artikel, lid en onderdeel of het gecodeerd is",
        description="Toon voor elke regeling per artikel, lid en onderdeel: gecodeerd (met de "
        "regels), niet uitvoerbaar (met de reden) of ontbrekend. Afsluitcode 1 zolang er iets "
        "ontbreekt.",
    )
    _paths(p)
    _format(p)
    p.add_argument(
        "--ontbrekend", action="store_true", help="toon alleen wat ontbreekt (en de totalen)"
    )

    p = sub.add_parser(
        "verschil",
        help="toon wat er tussen versies van een regeling veranderd is",
        description="Vergelijk opeenvolgende versies van een regeling (hetzelfde id, elk een "
        "eigen geldigheid) per artikel: tekst woord voor woord, regels, begrippen en normen "
        "regel voor regel, en de kop.",
    )
    _paths(p)
    p.add_argument("--regeling", metavar="NAAM", help="alleen deze regeling")

    p = sub.add_parser(
        "proefbestand",
        help="maak een verzonnen klantenbestand (CSV) voor een besluit",
        description="Schrijf een klantenbestand van verzonnen gevallen voor een besluit, om mee "
        "te proberen, te testen en te meten: een kolom per gegeven dat het besluit leest, een rij "
        "per klant. Met hetzelfde zaad dezelfde klanten; geen echte persoonsgegevens.",
    )
    _one_decision(p)
    p.add_argument(
        "--aantal", type=_count, default=1000, metavar="N", help="aantal klanten (standaard 1000)"
    )
    p.add_argument("--zaad", type=int, default=1, metavar="N", help="zaad (standaard 1)")
    _peildatum(
        p,
        "de dag waarop leeftijden en termijnen kloppen (standaard: de begindatum van de regeling)",
    )
    p.add_argument(
        "--uit",
        required=True,
        metavar="BESTAND",
        help="CSV-bestand (- voor stdout) of Parquet-bestand (.parquet, met kolomtypen)",
    )

    p = sub.add_parser(
        "doorreken",
        help="neem een besluit over een heel klantenbestand (CSV, Parquet, DuckDB)",
        description="Neem een besluit voor elke rij van een klantenbestand (docs/bestanden.md) "
        "en schrijf per rij elke uitkomst met status, eenheid en grondslag. Een rij die niet te "
        "beslissen is, krijgt haar melding en de run gaat door; aan het eind een samenvatting. "
        "Met --motivering N de volledige motivering van rij N.",
    )
    _caseload(p)
    p.add_argument("--uit", metavar="DOEL", help="de uitkomsten: " + WHERE)
    p.add_argument(
        "--motivering",
        type=_count,
        metavar="RIJ",
        help="toon alleen de volledige motivering van deze rij (de kop is rij 1)",
    )
    progress = p.add_mutually_exclusive_group()
    progress.add_argument(
        "--voortgang",
        action="store_true",
        default=None,
        help="toon de voortgang op stderr (standaard: alleen als stderr een terminal is)",
    )
    progress.add_argument(
        "--geen-voortgang", dest="voortgang", action="store_false", help="toon geen voortgang"
    )

    p = sub.add_parser(
        "importeer",
        help="maak van de officiële tekst een begin van een .regel-bestand",
        description="Lees de officiële tekst van een regeling (de platte tekst zoals "
        "overheid.nl die toont, of CVDR-XML van lokaleregelgeving.overheid.nl) en schrijf een "
        ".regel-bestand met de metagegevens, elk hoofdstuk, artikel, lid en onderdeel met zijn "
        "tekst zoals gepubliceerd, en de toelichting per artikel. Regels staan er nog niet in: "
        "'regel dekking' noemt daarna wat nog te coderen is.",
    )
    p.add_argument("bestand", metavar="BESTAND", help="de officiële tekst (.txt of .xml)")
    p.add_argument(
        "--uit", metavar="BESTAND.regel", help="schrijf hierheen (standaard: standaarduitvoer)"
    )
    p.add_argument(
        "--naam", metavar="NAAM", help="de korte naam van de regeling (standaard uit de titel)"
    )

    sub.add_parser(
        "taalserver",
        help="start de taalserver (LSP over stdin/stdout) voor een editor",
        description="Start de taalserver voor editors die het Language Server Protocol spreken "
        "(VS Code met editors/vscode, Neovim, Emacs, …): meldingen terwijl u typt, uitleg bij "
        "een naam, ga naar de definitie, vind waar een naam staat, hernoem, aanvullen, de "
        "inhoud (artikelen en leden), opmaak en snelle herstellingen. Spreekt over stdin en "
        "stdout; een editor start haar zelf.",
    )

    p = sub.add_parser(
        "aanvulling",
        help="schrijf het script dat commando's en opties aanvult met Tab (bash of zsh)",
        description="Schrijf het script waarmee bash of zsh de opdrachten, opties en keuzes van "
        "regel aanvult als u op Tab drukt. bash: zet 'eval \"$(regel aanvulling bash)\"' in "
        "~/.bashrc. zsh: 'regel aanvulling zsh > ~/.zfunc/_regel' en in ~/.zshrc "
        "'fpath+=~/.zfunc; autoload -Uz compinit; compinit'.",
    )
    p.add_argument("shell", choices=("bash", "zsh"), help="voor welke shell")

    p = sub.add_parser(
        "gevolgen",
        help="wat een wijziging doet met een klantenbestand",
        description="Neem een besluit over een klantenbestand twee keer: met de regeling zoals "
        "die geldt en met een voorstel (--variant: andere waarden van open normen in een klein "
        "bestand; of --tegen: een andere versie van de bestanden). Toon per uitkomst hoeveel "
        "gevallen meer of minder krijgen of een andere status, en het verschil per maand en per "
        "jaar; --rapport schrijft dat als pagina met grafieken voor de raad (docs/bestanden.md).",
    )
    _caseload(p)
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument("--variant", metavar="BESTAND", help="voorgestelde waarden van open normen")
    side.add_argument("--tegen", metavar="PAD", help="een andere versie van de .regel-bestanden")
    p.add_argument(
        "--per", metavar="GEGEVEN", help="toon de gevolgen ook per waarde van dit gegeven"
    )
    p.add_argument("--rapport", metavar="HTML", help="schrijf het rapport voor de raad (HTML)")
    p.add_argument(
        "--gevallen", metavar="DOEL", help="per geval nu en voorgesteld naast elkaar: " + WHERE
    )
    return parser


WHERE = "CSV (- voor stdout), Parquet (.parquet) of een tabel in DuckDB (bestand.duckdb:tabel)"


def _caseload(p: argparse.ArgumentParser) -> None:
    """The decision and the caseload of `doorreken` and `gevolgen`."""
    _one_decision(p)
    p.add_argument(
        "--invoer",
        required=True,
        metavar="BRON",
        help="het klantenbestand: " + WHERE.replace(" (- voor stdout)", ""),
    )
    _peildatum(p, "peildatum voor de rijen zonder eigen kolom peildatum")
    p.add_argument("--gemeente", metavar="CODE", help="beslis voor deze gemeente (CBS-code)")
    p.add_argument(
        "--motor",
        choices=("duckdb", "spark", "python"),
        default="duckdb",
        help="duckdb (standaard): het besluit als één SQL-query in DuckDB; spark: dezelfde "
        "query op Apache Spark, van Parquet naar een map met Parquet (vraagt regel[spark] en "
        "Java); python: geval voor geval met de Python-runtime, voor een besluit dat niet in "
        "SQL kan",
    )


# A caseload is written row by row, but a number past this is a typo, not a caseload.
MAX_CASES = 100_000_000


def _count(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= MAX_CASES:
        most = f"{MAX_CASES:,}".replace(",", ".")
        raise argparse.ArgumentTypeError(
            f"'{text}' is geen aantal; geef een geheel getal van 1 tot en met {most}"
        )
    return int(text)


def cmd_opmaak(args: argparse.Namespace) -> int:
    from .api import collect_files, read_sources
    from .layout import checked
    from .parser import SyntaxProblem

    files = collect_files(args.paden)
    sources, problems = read_sources(files, as_on_disk=True)
    if not files:
        return _fail("geen .regel-bestanden gevonden")
    if problems:
        print(render_all(problems, sources), file=sys.stderr)
    changed, broken = [], 0
    for name, text in sources.items():
        try:
            laid = checked(text, name)
        except SyntaxProblem as err:
            print(render_all(err.diagnostics, {name: text}), file=sys.stderr)
            print(f"niet opgemaakt (eerst de fout herstellen): {name}", file=sys.stderr)
            broken += 1
            continue
        if laid is None:
            _fail(f"{name}: de opmaak zou de betekenis veranderen; het bestand blijft zoals het "
                  "is (een fout in regel: meld het alstublieft)")  # fmt: skip
            broken += 1
            continue
        if laid == text:
            continue
        changed.append(name)
        if args.verschil:
            import difflib

            before, after = text.splitlines(True), laid.splitlines(True)
            sys.stdout.writelines(difflib.unified_diff(before, after, name, f"{name} (opgemaakt)"))
        if args.controleer:
            print(f"niet in de opmaak: {name}")
        else:
            _write_atomically(Path(name), laid)
            print(f"opgemaakt: {name}")
    total = len(sources)
    if args.controleer:
        if changed:
            print(f"{len(changed)} van {total} bestand(en) niet in de opmaak; maak ze op met: "
                  f"regel opmaak {' '.join(args.paden)}")  # fmt: skip
        else:
            print(f"in orde: {total - broken} bestand(en) in de opmaak")
    else:
        print(f"{len(changed)} bestand(en) opgemaakt, {total - len(changed) - broken} al in orde")
    return EXIT_FAILED if broken or problems or (args.controleer and changed) else EXIT_OK


def _write_atomically(path: Path, text: str) -> None:
    """The new text at once or not at all: an editor or a crash never sees half a file."""
    import tempfile

    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        with contextlib.suppress(OSError):
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def cmd_importeer(args: argparse.Namespace) -> int:
    from .importer import UnreadableText, read, to_regel

    source = Path(args.bestand)
    target = Path(args.uit) if args.uit else None
    if target is not None and target.exists():
        return _fail(f"{target} bestaat al; kies een ander bestand (regel overschrijft niets)",
                     EXIT_USAGE)  # fmt: skip
    try:
        imported = read(source)
    except FileNotFoundError:
        return _fail(f"{source} bestaat niet", EXIT_USAGE)
    except (UnreadableText, OSError) as err:
        return _fail(f"{source}: {err}")
    counts = imported.counts()
    if not counts.get("artikel"):
        return _fail(
            f"{source}: geen artikelen gevonden. regel importeer leest teksten met koppen als "
            "'Artikel 1. …' (verordeningen); een tekst die alleen in paragrafen of alinea's is "
            "verdeeld (beleidsregels, een handreiking) nog niet"
        )
    text = to_regel(imported, str(source), args.naam)
    if target is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, text)
    except OSError as err:
        return _fail(f"kan {target} niet schrijven ({err.strerror or err})")
    found = ", ".join(f"{n} {word}" for word, n in counts.items())
    print(f"geschreven: {target} ({found})")
    print(f"verder: regel dekking {target}  # wat nog te coderen is")
    return EXIT_OK


# What a shell offers for an argument, by its metavar: files and folders, or folders only.
_FILES = {"PAD", "BESTAND", "CASUS.json", "BRON", "DOEL", "HTML", "MAP"}


def cmd_aanvulling(shell: str) -> int:
    """The completion script, made from the parser itself: every command and option there is,
    and never one that is not."""
    import shtab

    parser = build_parser()
    for action in _actions(parser):
        if action.metavar in _FILES:
            kind = shtab.DIRECTORY if action.metavar == "MAP" else shtab.FILE
            action.complete = kind  # type: ignore[attr-defined]
    print(shtab.complete(parser, shell=shell), end="")
    return EXIT_OK


def _actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _actions(sub)


def cmd_controleer(paths: list[str], formaat: str = "tekst") -> int:
    diagnostics, sources = check_paths(paths)
    errors = sum(d.is_error for d in diagnostics)
    if formaat == "json":
        _json(
            {
                "bestanden": len(sources),
                "fouten": errors,
                "waarschuwingen": len(diagnostics) - errors,
                "meldingen": [d.as_json() for d in diagnostics],
            }
        )
        return EXIT_FAILED if errors else EXIT_OK
    if diagnostics:
        print(render_all(diagnostics, sources), file=sys.stderr)
    warnings = len(diagnostics) - errors
    files = len(sources)
    if errors:
        print(
            f"\n{errors} fout(en), {warnings} waarschuwing(en) in {files} bestand(en)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"in orde: {files} bestand(en) gecontroleerd, {warnings} waarschuwing(en)")
    return EXIT_OK


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"regel: fout: {message}", file=sys.stderr)
    return code


def _load(paths: list[str], formaat: str = "tekst") -> Policies | None:
    """Load the policies, or show every error in them (and return None): as text on stderr,
    or with `--formaat json` as JSON on stdout."""
    try:
        return load(*paths)
    except CompileError as err:
        if formaat == "json":
            _json({"meldingen": [d.as_json() for d in err.diagnostics]})
        else:
            print(err.render(), file=sys.stderr)
        return None


def cmd_evalueer(args: argparse.Namespace) -> int:
    policies = _load([args.pad])
    if policies is None:
        return EXIT_FAILED
    try:
        if args.invoer == "-":
            raw = sys.stdin.read()
        else:
            raw = Path(args.invoer).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return _fail(f"kan invoer '{args.invoer}' niet lezen: {err}", EXIT_USAGE)
    try:
        inputs = rt.inputs.read_json(raw)  # as the service reads a body
    except ValueError as err:
        return _fail(f"invoer is {err}", EXIT_USAGE)
    if not isinstance(inputs, dict):
        return _fail('invoer moet een JSON-object zijn: {"gegeven": waarde, …}', EXIT_USAGE)
    # A regulation without outcomes (a verordening that only leaves norms to the college)
    # has nothing to evaluate; the choice is among the others.
    names = sorted(
        rid
        for rid, versions in policies.program.versions.items()
        if any(version.outcomes for version in versions)
    ) or sorted(policies.program.versions)
    name = args.regeling
    if name is None:
        if len(names) != 1:
            return _fail(
                f"er zijn meer regelingen geladen ({', '.join(names)}); kies er een met --regeling",
                EXIT_USAGE,
            )
        name = names[0]
    peildatum = args.peildatum or datetime.date.today()
    import json  # written only here: the other commands start without it

    try:
        result = policies.evaluate(
            name,
            inputs,
            peildatum,
            args.besluit,
            trace=True,
            onvolledig=args.onvolledig,
            gemeente=args.gemeente,
        )
    except rt.EvaluationError as err:  # the same JSON as the service gives
        print(json.dumps(err.to_json(), ensure_ascii=False, indent=2))
        return EXIT_FAILED
    if args.tekst:
        sys.stdout.write(result.text())
    else:
        print(json.dumps(result.to_json(args.documentatie), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    guide = Path(args.handleiding) if args.handleiding else None
    if guide is not None and not guide.is_dir():
        return _fail(f"de map '{guide}' voor --handleiding bestaat niet", EXIT_USAGE)
    out = Path(args.uit)
    code = _build_docs(args, guide, out)
    if code == EXIT_OK:
        # The site uses directory URLs and a search index fetched over HTTP: it needs a web
        # server, so say how to start one rather than pointing at index.html.
        print(f"bekijken: python3 -m http.server --directory {out} en open http://127.0.0.1:8000/")
    if not args.volg:
        return code
    from .watch import follow

    watched = [Path(p) for p in args.paden] + ([guide] if guide else [])
    ignore = [out] + ([Path(args.bron)] if args.bron else [])
    watching = "ik kijk naar de bestanden; de site wordt opnieuw gemaakt bij elke wijziging "
    try:
        follow(
            watched,
            (".regel", ".md"),
            lambda: _build_docs(args, guide, out),
            ignore,
            started=lambda: print(watching + "(stop met Ctrl+C)", flush=True),
        )
        print("gestopt")
    except KeyboardInterrupt:  # a second Ctrl+C, in the middle of making the site
        print("gestopt")
    except OSError as err:
        return _fail(f"kan de bestanden niet volgen: {err.strerror or err}")
    return EXIT_OK


def _build_docs(args: argparse.Namespace, guide: Path | None, out: Path) -> int:
    from .docs import DocsError, make_site  # MkDocs loads only for this command

    policies = _load(args.paden)
    if policies is None:
        if args.volg:
            print("site niet bijgewerkt: herstel eerst de fouten hierboven", flush=True)
        return EXIT_FAILED
    try:
        site = make_site(
            policies,
            out,
            Path(args.bron) if args.bron else None,
            guide,
            site_name=args.titel,
            site_url=args.adres,
        )
    except DocsError as err:
        return _fail(str(err))
    except OSError as err:
        return _fail(f"kan niet schrijven: {err}")
    at = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"site gemaakt: {len(site.pages)} pagina's in {out}/" + (f" ({at})" if args.volg else ""),
          flush=True)  # fmt: skip
    return EXIT_OK


def cmd_dien(args: argparse.Namespace) -> int:
    import uvicorn  # the service's dependencies load only for this command

    from .server import config, listen
    from .service import create_app

    if not 0 < args.poort < 65536:
        return _fail(f"poort {args.poort} bestaat niet; kies er een van 1 tot en met 65535", 2)
    policies = _load(args.paden)
    if policies is None:
        return EXIT_FAILED
    app = create_app(policies, args.documentatie)
    import socket  # only where the service runs

    # Bind here rather than in uvicorn, so that a busy port gets a Dutch message.
    try:
        sock = listen(args.host, args.poort)
    except OSError as err:
        reason = {
            errno.EADDRINUSE: "de poort is al in gebruik",
            errno.EADDRNOTAVAIL: "dat adres hoort niet bij deze machine",
            errno.EACCES: "geen toestemming (poorten onder 1024 vragen extra rechten)",
        }.get(
            err.errno or 0, "onbekend adres" if isinstance(err, socket.gaierror) else err.strerror
        )
        return _fail(f"kan niet luisteren op {args.host}:{args.poort}: {reason}")
    base = f"http://{args.host}:{args.poort}"
    eps = app.state.endpoints
    example = eps[0].path if eps else "/regelingen"
    regulations = len({ep.regulation for ep in eps})
    print(f"beslisservice op {base}/ (stop met Ctrl+C)")
    print(
        f"  {len(eps)} besluiten van {regulations} regeling(en), bijvoorbeeld POST {base}{example}"
    )
    print(f"  GET {base}/regelingen: alle regelingen en besluiten; {base}/openapi.json: het schema")
    print(f"  GET {base}/gezondheid", flush=True)
    server = uvicorn.Server(config(app, args.host, args.poort))
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C is how one stops it
        server.run(sockets=[sock])
    print("beslisservice gestopt")
    return EXIT_OK


def cmd_vertaal(args: argparse.Namespace) -> int:
    from .package import PackageError, write_packages

    policies = _load(args.paden)
    if policies is None:
        return EXIT_FAILED
    out = Path(args.uit)
    try:
        written = write_packages(policies, out)
    except PackageError as err:
        return _fail(str(err))
    except OSError as err:
        return _fail(f"kan niet schrijven: {err}")
    for p in written:
        modules = ", ".join(f"{name}.py" for name in p.modules)
        print(f"{p.id}: {out / p.id}/ ({modules})")
    example = written[0].id if written else "regeling"
    print(
        f"\n{len(written)} pakket(ten) in {out}/. Gebruik: zet {out} in PYTHONPATH en "
        f"'import {example}'; {example}.evaluate(gegevens, peildatum, besluit=...)"
    )
    return EXIT_OK


def cmd_test(args: argparse.Namespace) -> int:
    from .cases import rule_coverage, run_cases

    policies = _load(args.paden, args.formaat)
    if policies is None:
        return EXIT_FAILED
    outcomes = run_cases(policies, args.filter)
    passed = sum(o.passed for o in outcomes)
    failed = len(outcomes) - passed
    covered = rule_coverage(policies, outcomes) if args.dekking else []
    if args.junit:
        try:
            _junit(outcomes, Path(args.junit))
        except OSError as err:
            return _fail(f"{args.junit}: {err.strerror or err}", EXIT_USAGE)
    if args.formaat == "json":
        _json(_test_json(outcomes, covered if args.dekking else None))
        return EXIT_FAILED if failed or not outcomes else EXIT_OK
    for o in outcomes:
        if o.passed:
            continue
        print(f"MISLUKT {o.file}:{o.line}: {o.name}")
        for failure in o.failures:
            print(f"    {failure}")
        if o.motivation:
            print("    motivering:")
            print("\n".join(f"      {line}" if line else "" for line in o.motivation.splitlines()))
    if not outcomes:
        if args.filter:
            print(f"geen gevallen met '{args.filter}' in hun naam")
        else:
            print(
                "geen gevallen gevonden (schrijf ze in een bestand dat begint met "
                "'gevallen voor <regeling>')"
            )
    for c in covered:
        if not c.unapplied:
            print(f"{c.version}: elke regel ({c.rules}) toegepast in ten minste één geval")
            continue
        where = f"in {c.cases} geval(len)" if c.cases else "want er zijn geen gevallen"
        print(f"{c.version}: {len(c.unapplied)} van {c.rules} regels niet toegepast {where}:")
        for rule in c.unapplied:
            print(f"  {rule.span.file}:{rule.span.line}: regel {rule.name}")
    print(f"{passed} geslaagd, {failed} mislukt")
    return EXIT_FAILED if failed or not outcomes else EXIT_OK


def _test_json(outcomes: list[Any], covered: list[Any] | None) -> dict[str, object]:
    """`regel test --formaat json`: every case, and with `--dekking` the rules left out."""
    out: dict[str, object] = {
        "geslaagd": sum(o.passed for o in outcomes),
        "mislukt": sum(not o.passed for o in outcomes),
        "gevallen": [
            {
                "bestand": o.file,
                "regel": o.line,
                "regeling": o.regulation,
                "naam": o.name,
                "geslaagd": o.passed,
                "fouten": o.failures,
                "motivering": o.motivation or None,
            }
            for o in outcomes
        ],
    }
    if covered is not None:
        out["dekking"] = [
            {
                "regeling": c.version,
                "regels": c.rules,
                "gevallen": c.cases,
                "niet_toegepast": [
                    {"naam": r.name, "bestand": r.span.file, "regel": r.span.line}
                    for r in c.unapplied
                ],
            }
            for c in covered
        ]
    return out


def _junit(outcomes: list[Any], target: Path) -> None:
    """The result as JUnit XML, as CI systems read it: one suite per regulation."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="regel test")
    suites: dict[str, ET.Element] = {}
    for o in outcomes:
        suite = suites.get(o.regulation)
        if suite is None:
            suite = suites[o.regulation] = ET.SubElement(root, "testsuite", name=o.regulation)
        case = ET.SubElement(suite, "testcase", name=o.name, classname=o.regulation,
                             file=o.file, line=str(o.line), time=f"{o.seconds:.6f}")  # fmt: skip
        if not o.passed:
            failure = ET.SubElement(case, "failure", message=o.failures[0].splitlines()[0])
            failure.text = "\n".join(o.failures) + (
                "\n\nmotivering:\n" + o.motivation if o.motivation else ""
            )
    for element in [root, *suites.values()]:
        cases = element.iter("testcase")
        listed = list(cases)
        element.set("tests", str(len(listed)))
        element.set("failures", str(sum(c.find("failure") is not None for c in listed)))
        element.set("time", f"{sum(float(c.get('time', 0)) for c in listed):.6f}")
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)


def cmd_dekking(args: argparse.Namespace) -> int:
    from .coverage import MISSING, as_json, coverage
    from .coverage import render as render_coverage

    policies = _load(args.paden, args.formaat)
    if policies is None:
        return EXIT_FAILED
    reports = coverage(policies.analysis)
    if args.formaat == "json":
        complete = all(r.complete for r in reports)
        _json({"volledig": complete, "regelingen": [as_json(r, args.ontbrekend) for r in reports]})
        return EXIT_OK if complete else EXIT_FAILED
    for report in reports:
        print(render_coverage(report, only_missing=args.ontbrekend) + "\n")
    incomplete = [r for r in reports if not r.complete]
    if incomplete:
        missing = sum(r.count(MISSING) for r in incomplete)
        print(f"onvolledig: {missing} ontbrekend in {len(incomplete)} regeling(en)")
        return EXIT_FAILED
    print(f"volledig: elk artikel, lid en onderdeel van {len(reports)} regeling(en) is gedekt")
    return EXIT_OK


def cmd_verschil(args: argparse.Namespace) -> int:
    from .versions import compare, render, versions_to_compare

    policies = _load(args.paden)
    if policies is None:
        return EXIT_FAILED
    analysis = policies.analysis
    if args.regeling and args.regeling not in analysis.versions:
        known = ", ".join(sorted(analysis.versions)) or "(geen)"
        return _fail(f"onbekende regeling '{args.regeling}'; geladen: {known}", EXIT_USAGE)
    pairs = versions_to_compare(analysis, args.regeling)
    if not pairs:
        which = f"van '{args.regeling}' is" if args.regeling else "van elke regeling is"
        return _fail(
            f"er is niets te vergelijken: {which} maar één versie geladen (geef de mappen of "
            "bestanden van beide versies mee)",
            EXIT_USAGE,
        )
    print("\n\n".join(render(compare(old, new, policies.sources)) for old, new in pairs))
    return EXIT_OK


# The exit code of a command whose reader stopped reading (`regel test | head`): as for any
# Unix tool that a closed pipe stops, 128 + SIGPIPE.
EXIT_PIPE = 141


def _unknown_regulation(policies: Policies, name: str) -> int:
    known = ", ".join(sorted(policies.program.versions))
    return _fail(f"onbekende regeling '{name}'; geladen: {known}", EXIT_USAGE)


def cmd_proefbestand(args: argparse.Namespace) -> int:
    from . import caseload, synthetic

    policies = _load([args.pad])
    if policies is None:
        return EXIT_FAILED
    versions = policies.program.versions.get(args.regeling)
    if not versions:
        return _unknown_regulation(policies, args.regeling)
    peildatum = args.peildatum or versions[0].valid_from or datetime.date.today()
    try:
        regulation = policies.version(args.regeling, peildatum)
        specs = caseload.decision_inputs(regulation, args.besluit)
    except (rt.EvaluationError, ValueError) as err:
        return _fail(str(err), EXIT_USAGE)
    cases = synthetic.cases(regulation, args.besluit, args.aantal, args.zaad, peildatum)
    try:
        if args.uit == "-":
            count = caseload.write_csv(sys.stdout, specs, cases)
        elif args.uit.lower().endswith((".parquet", ".pq")):
            count = caseload.write_parquet(args.uit, specs, cases)
        else:
            with open(args.uit, "w", encoding="utf-8", newline="") as out:
                count = caseload.write_csv(out, specs, cases)
    except OSError as err:
        return _fail(f"kan '{args.uit}' niet schrijven: {err.strerror or err}")
    if args.uit != "-":
        print(f"{count} verzonnen klanten voor {args.regeling}, besluit {args.besluit} "
              f"(peildatum {peildatum.isoformat()}, zaad {args.zaad}): {args.uit}")  # fmt: skip
    return EXIT_OK


def cmd_doorreken(args: argparse.Namespace) -> int:
    from . import caseload

    if args.uit is None and args.motivering is None:
        return _fail(
            "geef --uit (een bestand, of - voor CSV op stdout) of --motivering RIJ", EXIT_USAGE
        )
    policies = _load([args.pad])
    if policies is None:
        return EXIT_FAILED
    versions = policies.program.versions.get(args.regeling)
    if not versions:
        return _unknown_regulation(policies, args.regeling)
    try:
        specs = caseload.decision_inputs(versions[0], args.besluit)
    except ValueError as err:
        return _fail(str(err), EXIT_USAGE)
    if args.motor == "spark" and args.motivering is None:
        return _doorreken_spark(args, policies)
    if not _is_csv(args.invoer) or args.motor != "python" or not _is_csv(args.uit or "-"):
        return _doorreken_duckdb(args, policies, specs)
    try:
        source = open(args.invoer, encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    except OSError as err:
        return _fail(f"kan '{args.invoer}' niet lezen: {err.strerror or err}", EXIT_USAGE)
    with source:
        try:
            rows = caseload.read_csv(source, specs)
            if args.motivering is not None:
                return _motivation_of_row(args, policies, rows)
            return _doorreken_python(args, versions[0], rows)
        except UnicodeDecodeError:
            return _fail(f"'{args.invoer}' is geen UTF-8-tekst", EXIT_USAGE)
        except ValueError as err:  # the header
            return _fail(f"{args.invoer}: {err}", EXIT_USAGE)
        except OSError as err:
            return _fail(f"kan '{args.uit}' niet schrijven: {err.strerror or err}")


def _is_csv(place: str) -> bool:
    from .sqlrun import Source

    return Source.of(place).kind == "csv"


def _doorreken_python(args: argparse.Namespace, regulation: rt.Regulation, rows: Any) -> int:
    """Case by case with the Python runtime, CSV to CSV, streamed: constant memory."""
    import csv

    from . import batch

    summary = batch.Summary()
    results = batch.evaluate_rows(
        regulation, args.besluit, rows, args.peildatum, summary, args.gemeente
    )
    if args.voortgang if args.voortgang is not None else sys.stderr.isatty():
        from tqdm import tqdm

        results = tqdm(results, desc="doorrekenen", unit=" rijen", file=sys.stderr,
                       mininterval=0.5)  # fmt: skip
    header = batch.columns(regulation.decisions[args.besluit])
    with contextlib.ExitStack() as stack:
        out = sys.stdout if args.uit == "-" else stack.enter_context(
            open(args.uit, "w", encoding="utf-8", newline="")
        )  # fmt: skip
        writer = csv.DictWriter(out, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(results)
    report = sys.stderr if args.uit == "-" else sys.stdout
    report.write(batch.summary_text(summary, regulation, args.besluit))
    return EXIT_OK


def _doorreken_duckdb(args: argparse.Namespace, policies: Policies, specs: Any) -> int:
    """In DuckDB: the decision as SQL (`--motor duckdb`) or case by case (`--motor python`),
    from and to CSV, Parquet or a DuckDB table."""
    import duckdb

    from . import batch
    from .sqlrun import Caseload, Run, Source

    source = Source.of(args.invoer)
    if source.kind != "duckdb" and not Path(source.path).is_file():
        return _fail(f"kan '{args.invoer}' niet lezen: bestand niet gevonden", EXIT_USAGE)
    refused = _unwritable(args.uit)
    if refused:
        return refused
    if args.motivering is not None:
        found = _caseload_errors(
            args, policies, lambda: Caseload(duckdb.connect(), specs, source).row(args.motivering)
        )
        if isinstance(found, int):
            return found
        return _motivation_of_row(args, policies, [] if found is None else [found])
    show = args.voortgang if args.voortgang is not None else sys.stderr.isatty()

    def decide() -> Run:
        run = Run(
            policies, args.regeling, args.besluit, source, args.peildatum, args.gemeente,
            engine=args.motor, progress=show, target=args.uit,
        )  # fmt: skip
        run.write(args.uit)
        return run

    run = _caseload_errors(args, policies, decide)
    if isinstance(run, int):
        return run
    report = sys.stderr if args.uit == "-" else sys.stdout
    report.write(batch.summary_text(run.summary, run.regulation, args.besluit))
    if args.motor == "duckdb":
        report.write(_decided_in("SQL (DuckDB)", run.decided_in_sql, run.summary.rows))
    return EXIT_OK


def _decided_in(engine: str, decided: int, rows: int) -> str:
    """The last line of a run: how many rows the engine decided itself."""
    rest = rows - decided
    python = f"; {rest} met de Python-runtime (zie docs/bestanden.md)" if rest else ""
    return f"In {engine} beslist: {decided} van {rows} rijen{python}.\n"


def _doorreken_spark(args: argparse.Namespace, policies: Policies) -> int:
    """On Apache Spark (local mode): Parquet in, a folder of Parquet files out; the summary
    worked out over that folder in DuckDB, as for the other engines."""
    import duckdb

    from . import batch
    from .sqlrun import Source, _sql_text, summarise

    if Source.of(args.invoer).kind != "parquet":
        return _fail("--motor spark leest Parquet: geef een .parquet-bestand of een map "
                     "ervan als --invoer", EXIT_USAGE)  # fmt: skip
    if args.uit is None or Source.of(args.uit).kind != "parquet":
        return _fail("--motor spark schrijft Parquet: geef --uit map.parquet", EXIT_USAGE)
    if not Path(args.invoer).exists():
        return _fail(f"kan '{args.invoer}' niet lezen: bestand niet gevonden", EXIT_USAGE)
    refused = _unwritable(args.uit)
    if refused:
        return refused
    try:
        from py4j.protocol import Py4JError, Py4JJavaError
        from pyspark.errors import PySparkException

        from . import sparkrun
    except ImportError:
        return _fail("--motor spark vraagt pyspark en Java 17: pip install 'regel[spark]'")

    regulation = policies.program.versions[args.regeling][0]

    def decide() -> tuple[int, batch.Summary]:
        try:
            in_spark = sparkrun.decide_parquet(policies, args.regeling, args.besluit,
                                               args.invoer, args.uit, args.peildatum,
                                               args.gemeente)  # fmt: skip
        except Py4JJavaError as err:  # what Spark's JVM says, its first line
            said = str(err.java_exception.getMessage() or err.java_exception).splitlines()
            raise ValueError(f"Spark: {said[0] if said else 'fout in Spark'}") from None
        except (PySparkException, Py4JError) as err:
            said = str(err).splitlines()
            raise ValueError(f"Spark: {said[0] if said else 'fout in Spark'}") from None
        con = duckdb.connect()
        files = _sql_text(str(Path(args.uit) / "*.parquet"))
        con.execute(f"CREATE VIEW resultaat AS SELECT * FROM read_parquet('{files}')")
        types = {name: kind for name, kind, *_ in con.execute("DESCRIBE resultaat").fetchall()}
        outcomes = list(regulation.decision(args.besluit))
        return in_spark, summarise(con, "resultaat", regulation, outcomes, types)

    decided = _caseload_errors(args, policies, decide)
    if isinstance(decided, int):
        return decided
    in_spark, summary = decided
    print(batch.summary_text(summary, regulation, args.besluit), end="")
    print(_decided_in("Spark", in_spark, summary.rows), end="")
    return EXIT_OK


def cmd_gevolgen(args: argparse.Namespace) -> int:
    from . import caseload, impact, variant
    from .sqlrun import Source

    old = _load([args.pad])
    if old is None:
        return EXIT_FAILED
    if args.regeling not in old.program.versions:
        return _unknown_regulation(old, args.regeling)
    proposal = None
    if args.variant is not None:
        try:
            with open(args.variant, encoding="utf-8") as f:
                proposal = variant.read(f.read(), args.variant, old.analysis)
        except OSError as err:
            return _fail(f"kan '{args.variant}' niet lezen: {err.strerror or err}", EXIT_USAGE)
        except UnicodeDecodeError:
            return _fail(f"'{args.variant}' is geen UTF-8-tekst", EXIT_USAGE)
        except CompileError as err:
            print(err.render(), file=sys.stderr)
            return EXIT_FAILED
        new = _load([args.pad])
        assert new is not None
        proposal.apply(new.program)
    else:
        new = _load([args.tegen])
        if new is None:
            return EXIT_FAILED
        if args.regeling not in new.program.versions:
            return _unknown_regulation(new, args.regeling)
    source = Source.of(args.invoer)
    if source.kind != "duckdb" and not Path(source.path).is_file():
        return _fail(f"kan '{args.invoer}' niet lezen: bestand niet gevonden", EXIT_USAGE)
    refused = _unwritable(args.gevallen) or _unwritable(args.rapport)
    if refused:
        return refused
    if args.per is not None and args.per not in {
        s.name
        for s in caseload.decision_inputs(old.program.versions[args.regeling][0], args.besluit)
    } | {"peildatum"}:
        return _fail(f"--per: het besluit leest geen gegeven '{args.per}'", EXIT_USAGE)

    def compare() -> impact.Impact:
        found = impact.compare(
            old, new, args.regeling, args.besluit, source, args.peildatum, args.gemeente,
            engine=args.motor, per=args.per, variant=proposal,
            new_label=proposal.title if proposal else f"de bestanden in {args.tegen}",
        )  # fmt: skip
        if args.gevallen:
            found.run_new.write(args.gevallen, "vergelijking")
        if args.rapport:
            Path(args.rapport).write_text(impact.html(found), encoding="utf-8")
        return found

    found = _caseload_errors(args, old, compare)
    if isinstance(found, int):
        return found
    report = sys.stderr if args.gevallen == "-" else sys.stdout
    report.write(impact.text(found))
    if args.rapport:
        report.write(f"Rapport: {args.rapport}\n")
    return EXIT_OK


T = TypeVar("T")


def _unwritable(target: str | None) -> int:
    """Refuse an output in a folder that does not exist before any work is done (0: fine)."""
    if not target or target == "-":
        return 0
    path = target.rpartition(":")[0] if ".duckdb:" in target or ".db:" in target else target
    folder = Path(path).parent
    if not folder.is_dir():
        return _fail(f"kan '{target}' niet schrijven: de map '{folder}' bestaat niet", EXIT_USAGE)
    return 0


def _caseload_errors(
    args: argparse.Namespace, policies: Policies, work: Callable[[], T]
) -> T | int:
    """What `work` over a caseload gives, or the exit code after saying in Dutch what went
    wrong: a decision SQL cannot take, a caseload that cannot be read or written."""
    import duckdb

    from .sql import NotInSql

    try:
        return work()
    except NotInSql as err:
        print(render_all(err.diagnostics, policies.sources), file=sys.stderr)
        return _fail(f"besluit '{args.besluit}' kan niet in SQL; neem het met --motor python")
    except KeyError as err:  # an unknown besluit
        return _fail(str(err.args[0]), EXIT_USAGE)
    except UnicodeDecodeError:
        return _fail(f"'{args.invoer}' is geen UTF-8-tekst", EXIT_USAGE)
    except ValueError as err:  # the columns
        return _fail(f"{args.invoer}: {err}", EXIT_USAGE)
    except OSError as err:
        return _fail(f"kan niet lezen of schrijven: {err.strerror or err}")
    except duckdb.Error as err:
        return _fail(f"DuckDB: {str(err).splitlines()[0]}", EXIT_USAGE)


def _motivation_of_row(args: argparse.Namespace, policies: Policies, rows: Any) -> int:
    """The full motivation of one row of a caseload, as `regel evalueer --tekst` gives it."""
    from . import caseload

    for row in rows:
        number = row.row if isinstance(row, caseload.RowError) else row[0]
        if number != args.motivering:
            continue
        if isinstance(row, caseload.RowError):
            return _fail(str(row))
        _, inputs, day = row
        day = day or args.peildatum
        if day is None:
            return _fail("geen peildatum: geef een kolom peildatum of --peildatum", EXIT_USAGE)
        try:
            result = policies.evaluate(
                args.regeling, inputs, day, args.besluit, trace=True, gemeente=args.gemeente
            )
        except rt.EvaluationError as err:
            return _fail(f"rij {number}: {err.message}")
        sys.stdout.write(result.text())
        return EXIT_OK
    return _fail(f"het bestand heeft geen rij {args.motivering}", EXIT_USAGE)


def _run(args: argparse.Namespace) -> int:
    if args.opdracht == "controleer":
        return cmd_controleer(args.paden, args.formaat)
    if args.opdracht == "evalueer":
        return cmd_evalueer(args)
    if args.opdracht == "dekking":
        return cmd_dekking(args)
    if args.opdracht == "verschil":
        return cmd_verschil(args)
    if args.opdracht == "docs":
        return cmd_docs(args)
    if args.opdracht == "vertaal":
        return cmd_vertaal(args)
    if args.opdracht == "dien":
        return cmd_dien(args)
    if args.opdracht == "proefbestand":
        return cmd_proefbestand(args)
    if args.opdracht == "doorreken":
        return cmd_doorreken(args)
    if args.opdracht == "gevolgen":
        return cmd_gevolgen(args)
    if args.opdracht == "aanvulling":
        return cmd_aanvulling(args.shell)
    if args.opdracht == "opmaak":
        return cmd_opmaak(args)
    if args.opdracht == "importeer":
        return cmd_importeer(args)
    if args.opdracht == "taalserver":
        from .lsp import main as serve  # pygls loads only for this command

        return serve()
    return cmd_test(args)


def main(argv: Sequence[str] | None = None) -> int:
    return _main(argv)[0]


# Commands that only read and print. When one is done nothing is left to close or clean up,
# and the interpreter's own teardown (freeing the parser's tables and every node one by one)
# would take a sixth of a check: the console script leaves at once, its output flushed, as
# mypy does. Commands that write files, keep temporary folders or serve end normally.
_READ_ONLY = frozenset({"controleer", "evalueer", "dekking", "verschil", "test", "aanvulling"})


def run() -> NoReturn:
    """The console script `regel`."""
    code, command = _main(None)
    if command in _READ_ONLY:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _main(argv: Sequence[str] | None) -> tuple[int, str | None]:
    """The exit code, and the command that ran (None if the arguments were wrong)."""
    # A name or value that cannot be written as UTF-8 (a lone surrogate from a JSON escape or
    # an undecodable file name) is shown as an escape, never a UnicodeEncodeError.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    command = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        command = args.opdracht
        try:
            code = _run(args)
        except KeyboardInterrupt:
            return _fail("afgebroken", EXIT_FAILED), command
        except RecursionError:
            return _fail("de regeling is te diep genest om te verwerken", EXIT_FAILED), command
        with contextlib.suppress(ValueError):  # closed by the command (the language server)
            sys.stdout.flush()  # a reader that stopped reading shows here, not at exit
        return code, command
    except BrokenPipeError:
        # `regel … | head`: the reader has all it wanted. Whatever is still buffered goes
        # nowhere, so that Python does not complain about it on the way out.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.dup2(devnull, sys.stderr.fileno())
        return EXIT_PIPE, command


if __name__ == "__main__":  # pragma: no cover
    run()
