"""Source text → AST. Lark does the parsing; this module turns its tree into `nodes` and its
errors into Dutch diagnostics.
"""

from __future__ import annotations

import datetime
import functools
import re
import textwrap
import unicodedata
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from . import generated_parser, vocabulary
from . import nodes as n
from .diagnostics import Diagnostic, Span, source_lines, suggest
from .generated_parser import (
    Indenter,
    Lark,
    Lark_StandAlone,
    Token,
    Tree,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)


class SyntaxProblem(Exception):
    """Syntax errors already turned into diagnostics: as many of a file as could be found."""

    def __init__(self, diagnostic: Diagnostic, more: list[Diagnostic] | None = None):
        self.diagnostic = diagnostic
        self.diagnostics = [diagnostic, *(more or [])]
        super().__init__(diagnostic.message)


class _IndentProblem(Exception):
    def __init__(self, line: int, column: int):
        self.line, self.column = line, column


class _TabProblem(_IndentProblem):
    """A tab in the indentation of a file that also indents with spaces: how deep it is
    depends on the editor (two spaces, four, eight), so the blocks are not what one sees."""


class IndentRules:
    """How indentation becomes blocks: Lark's Indenter, but a bad dedent names its line and
    the indentation ignores comments. A mixin, so that the same rules run under the parser
    Lark builds from the grammar (`parsegen.build_lark`, for the tests) and under the
    generated one."""

    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR"]  # noqa: RUF012 (Lark reads these as class attributes)
    CLOSE_PAREN_types = ["RPAR"]  # noqa: RUF012
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8
    paren_level: int  # kept by the Indenter it is mixed into
    indent_level: list[int]

    _tab_at: tuple[int, int] | None = None  # the first tab in an indentation
    _spaced = False  # whether an indentation had a space

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        self._tab_at, self._spaced = None, False
        return super().process(stream)  # type: ignore[misc]

    def handle_NL(self, token: Token) -> Iterator[Token]:
        if self.paren_level > 0:
            return
        yield token
        last = token.rsplit("\n", 1)[1]
        indent_str = last[: len(last) - len(last.lstrip(" \t"))]
        if "\t" in indent_str and self._tab_at is None:
            self._tab_at = (token.end_line or 0, indent_str.index("\t") + 1)
        self._spaced = self._spaced or " " in indent_str
        if self._tab_at is not None and self._spaced:
            raise _TabProblem(*self._tab_at)
        indent = indent_str.count(" ") + indent_str.count("\t") * self.tab_len
        if indent > self.indent_level[-1]:
            self.indent_level.append(indent)
            yield type(token).new_borrow_pos(self.INDENT_type, indent_str, token)
        else:
            while indent < self.indent_level[-1]:
                self.indent_level.pop()
                yield type(token).new_borrow_pos(self.DEDENT_type, indent_str, token)
            if indent != self.indent_level[-1]:
                raise _IndentProblem(token.end_line or 0, indent + 1)


class RegelIndenter(IndentRules, Indenter):
    pass


def grammar_text() -> str:
    from importlib import resources  # only for the tools that read the grammar itself

    return resources.files("regel.grammar").joinpath("regel.lark").read_text(encoding="utf-8")


class _Positions:
    """Lark's `PropagatePositions` for the only use made of it here: the line and column
    where a rule starts and ends, for the spans of nodes. The same positions (a test
    compares them with Lark's own over every shipped file), with none of its generality:
    Lark's version takes a third of the parse of a large regulation."""

    def __init__(self, node_builder: Any, node_filter: Any = None):
        self.node_builder = node_builder

    def __call__(self, children: list[Any]) -> Any:
        res = self.node_builder(children)
        if type(res) is not Tree or (len(children) == 1 and res is children[0]):
            return res  # a rule that passes on its one child: its positions are the child's
        for c in children:
            if type(c) is Token:
                line, column = c.line, c.column
                break
            if type(c) is Tree and c._meta is not None and not c._meta.empty:
                line, column = c._meta.container_line, c._meta.container_column
                break
        else:
            return res  # nothing with a position: the tree stays empty, as in Lark
        for c in reversed(children):
            if type(c) is Token:
                end_line, end_column = c.end_line, c.end_column
                break
            if type(c) is Tree and c._meta is not None and not c._meta.empty:
                end_line, end_column = c._meta.container_end_line, c._meta.container_end_column
                break
        meta = res.meta
        if meta.empty:
            meta.line, meta.column = line, column
            meta.end_line, meta.end_column = end_line, end_column
            meta.empty = False
        meta.container_line, meta.container_column = line, column
        meta.container_end_line, meta.container_end_column = end_line, end_column
        return res


@functools.cache
def _lark() -> Lark:
    """The parser of this process: generated from the grammar (`make parser`), so that a
    command loads its tables instead of building them, and imports no Lark. Its tree
    builder reads `PropagatePositions` from the module when the parser is made."""
    generated_parser.PropagatePositions = _Positions  # type: ignore[misc]
    return Lark_StandAlone(postlex=RegelIndenter())


@functools.cache
def keywords() -> frozenset[str]:
    """Every keyword of the language, read from the grammar."""
    words: set[str] = set()
    for literal in re.findall(r'"([^"\\]+)"', grammar_text()):
        if re.fullmatch(r"[a-z][a-z/]*", literal):
            words.add(literal)
    return frozenset(words)


@functools.cache
def reserved_words() -> frozenset[str]:
    """Keywords that cannot be names: those the parser accepts where it also accepts a name.

    Other keywords stay usable as names (a rule may decide `aanspraak`), because Lark's
    contextual lexer only looks for the terminals the parser can accept at that point.
    """
    lark = _lark()
    table = lark.parser.parser.parser.parse_table  # the LALR table: state → {terminal: action}
    terminals = {t.name: t for t in lark.terminals}
    words: set[str] = set()
    for actions in table.states.values():
        if "NAME" not in actions:
            continue
        for name in actions:
            term = terminals.get(name)
            if term is not None and term.pattern.type == "str" and term.pattern.value.isalpha():
                words.add(term.pattern.value)
    return frozenset(words)


# ---------------------------------------------------------------- errors in Dutch

_TERMINALS_NL = {
    "NAME": "een naam",
    "STRING": "een tekst tussen aanhalingstekens",
    "GETAL": "een getal",
    "DATUM": "een datum (DD-MM-JJJJ)",
    "LABEL": "een nummer of letter",
    "_NL": "het einde van de regel",
    "WS_INLINE": "een spatie",
    "COMMENT": "commentaar (# …)",
    "_INDENT": "een ingesprongen blok",
    "_DEDENT": "het einde van het ingesprongen blok",
    "$END": "het einde van het bestand",
}


def _describe_terminal(name: str) -> str:
    """A terminal as a policy writer knows it: a keyword in quotes, or a Dutch description;
    never a grammar name (a test checks every terminal of the grammar)."""
    if name in _TERMINALS_NL:
        return _TERMINALS_NL[name]
    try:
        pattern = _lark().get_terminal(name).pattern
    except KeyError:
        return "iets anders"
    if pattern.type == "str":
        return f"'{pattern.value}'"
    return "iets anders"


def _describe_expected(expected: set[str]) -> str:
    words = sorted({_describe_terminal(t) for t in expected})
    if len(words) > 8:
        shown = ", ".join(words[:8])
        return f"een van: {shown}, …"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " of " + words[-1]


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "het einde van het bestand"
    if token.type == "_NL":
        return "het einde van de regel"
    if token.type == "_INDENT":
        return "een ingesprongen regel"
    if token.type == "_DEDENT":
        return "het einde van een blok"
    return f"'{token.value}'"


def _in_word(char: str) -> bool:
    """Whether a character continues a word, to name the whole word a keyword was cut from."""
    return char.isalnum() or char == "_"


def _syntax_diagnostic(err: UnexpectedInput, file: str, text: str) -> Diagnostic:
    from . import mistakes  # only a file with an error needs it: not at every start

    lines = source_lines(text)
    if isinstance(err, UnexpectedToken):
        tok = err.token
        line, col = tok.line or 1, tok.column or 1
        if tok.type in ("_NL", "_DEDENT", "$END") and line <= len(lines):
            # Point just after the last character of the line the problem is on.
            line = tok.line if tok.type == "_NL" else max(1, line - 1)
            while line > 1 and not lines[line - 1].strip():
                line -= 1
            col = len(lines[line - 1].rstrip()) + 1 if line <= len(lines) else 1
        width = len(str(tok.value)) if tok.type not in ("_NL", "_DEDENT", "$END") else 1
        span = Span(file, line, col, line, col + max(width, 1))
        expected = {t for t in err.expected if t != "$END" or len(err.expected) == 1}
        hint = None
        if tok.type != "NAME" and str(tok.value) in reserved_words() and "NAME" in expected:
            msg = f"'{tok.value}' is een gereserveerd woord en kan hier geen naam zijn"
            hint = "kies een andere naam, bijvoorbeeld met een toevoeging: " + f"'{tok.value}_1'"
            return Diagnostic("R101", msg, span, hint)
        if tok.type == "_INDENT":
            line = tok.end_line or line
            width = len(str(tok.value).expandtabs(8)) or 1
            return Diagnostic(
                "R102",
                "onverwachte inspringing",
                Span(file, line, 1, line, 1 + width),
                "spring alleen in na een regel die een blok opent (artikel, lid, regel, …)",
            )
        if tok.type not in ("_NL", "_DEDENT", "$END") and line <= len(lines):
            known = mistakes.recognise(lines[line - 1], line, col, file, keywords())
            if known is not None:
                return known
        if str(tok.value) in ".," and line <= len(lines):
            before = lines[line - 1][: col - 1]
            if re.search(r"[0-9]$", before):
                return _number_problem(span)
        text_line = lines[line - 1] if line <= len(lines) else ""
        if 1 < col <= len(text_line) and _in_word(text_line[col - 2]):
            # The lexer took a keyword off the front of a longer word ('geval' in
            # 'gevallen'); name the word as the writer wrote it.
            start = col - 1
            while start > 0 and _in_word(text_line[start - 1]):
                start -= 1
            end = start
            while end < len(text_line) and _in_word(text_line[end]):
                end += 1
            word = text_line[start:end]
            hint = (
                "een bestand bevat de gevallen van één regeling; zet deze in een eigen bestand"
                if word == "gevallen"
                else None
            )
            return Diagnostic(
                "R100",
                f"onverwacht '{word}'; verwacht werd {_describe_expected(expected)}",
                Span(file, line, start + 1, line, start + 1 + len(word)),
                hint,
            )
        msg = f"onverwacht {_describe_token(tok)}; verwacht werd {_describe_expected(expected)}"
        return Diagnostic("R100", msg, span, _hint_for_token(tok, lines, expected))
    if isinstance(err, UnexpectedCharacters):
        line, col = err.line, err.column
        char = (
            lines[line - 1][col - 1] if line <= len(lines) and col <= len(lines[line - 1]) else ""
        )
        span = Span(file, line, col, line, col + 1)
        if char == '"':
            return Diagnostic(
                "R103",
                "tekst zonder afsluitend aanhalingsteken",
                span,
                'sluit de tekst af met " op dezelfde regel, of gebruik """ voor meerdere regels',
            )
        before = lines[line - 1][: col - 1] if line <= len(lines) else ""
        if char in ".," and re.search(r"[0-9]$", before):
            return _number_problem(span)
        if char == "\t":
            return Diagnostic("R105", "tab-teken in de inspringing", span, "spring in met spaties")
        curly = mistakes.curly_quote(char, span)
        if curly is not None:
            return curly
        return Diagnostic("R106", f"onverwacht teken {_show_char(char)}", span, _char_hint(char))
    if isinstance(err, UnexpectedEOF):
        line = max(1, len(lines))
        col = len(lines[-1]) + 1 if lines else 1
        wanted = _describe_expected(set(err.expected))
        return Diagnostic(
            "R100",
            f"onverwacht einde van het bestand; verwacht werd {wanted}",
            Span(file, line, col, line, col + 1),
        )
    return Diagnostic("R100", "syntaxfout", Span(file, 1, 1, 1, 2))


def _show_char(char: str) -> str:
    """A character for a message: as itself when it can be seen, with its code point when
    it is a letter or mark outside the ASCII range (a Cyrillic а looks like an a)."""
    if not char:
        return "aan het einde"
    if not char.isprintable() or char.isspace():
        return f"U+{ord(char):04X} (een onzichtbaar teken)"
    if not char.isascii() and (char.isalpha() or unicodedata.combining(char)):
        name = unicodedata.name(char, "")
        return f"'{char}' (U+{ord(char):04X}{' ' + name if name else ''})"
    return f"'{char}'"


def _char_hint(char: str) -> str | None:
    if char and not char.isprintable():
        return "verwijder het teken; het komt vaak mee bij kopiëren uit een pdf of tekstverwerker"
    if char and unicodedata.combining(char):
        return (
            "dit is een los accent achter een letter; schrijf de letter met het accent als één "
            "teken (ë, é, ï), zoals een toetsenbord dat doet"
        )
    if char.isalpha():
        return (
            "een naam bestaat uit letters van het Nederlandse alfabet (ook met accent: ë, é, ï), "
            "cijfers en _; dit teken lijkt misschien op zo'n letter, maar is het niet"
        )
    if char == "^":
        return "een macht van een eenheid schrijft u als m² of m2 (en m³ of m3)"
    return None


def _number_problem(span: Span) -> Diagnostic:
    return Diagnostic(
        "R104",
        "ongeldig getal",
        span,
        "schrijf getallen op zijn Nederlands: een komma voor decimalen (0,19) en punten "
        "per drie cijfers voor duizendtallen (1.234,56)",
    )


def _hint_for_token(tok: Token, lines: Sequence[str], expected: set[str]) -> str | None:
    if tok.type in ("NAME", "LABEL"):  # a misspelt keyword: paragraf for paragraaf
        keywords = [d.strip("'") for d in map(_describe_terminal, expected) if d[:1] == "'"]
        return suggest(str(tok.value), keywords)
    if tok.type == "GETAL" and tok.line and tok.line <= len(lines):
        return "staat er een eenheid of '€' te veel of te weinig?"
    if str(tok.value) == "=":
        return "vergelijk met 'is', 'ten minste', 'ten hoogste', 'meer dan' of 'minder dan'"
    if str(tok.value) == "in" and tok.line and tok.line <= len(lines):
        before = lines[tok.line - 1][: (tok.column or 1) - 1].split()
        over = vocabulary.AGGREGATE_OF_BARE_WORD
        bare = [
            w for i, w in enumerate(before)
            if w in over and before[i - 1 : i] != over[w].words.split()[:1]
        ]  # fmt: skip
        if bare:
            return (
                f"over de personen van een groep schrijf je '{over[bare[-1]].words}': het "
                "aantal in huishouden, de som van inkomen in huishouden, het hoogste … in …"
            )
    return None


# ---------------------------------------------------------------- tree → AST


def _span_tok(file: str, tok: Token) -> Span:
    return Span(file, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)


def _text(tok: Token) -> str:
    raw = str(tok).replace("\r\n", "\n")  # a file from Windows: its texts read the same
    if raw.startswith('"""'):
        return textwrap.dedent(raw[3:-3]).strip("\n")
    return raw[1:-1]


def _number(tok: Token) -> Decimal:
    return Decimal(str(tok).replace(".", "").replace(",", "."))


def _hundredth(value: Decimal) -> Decimal:
    """value / 100 exactly, however many digits (no context rounds it), with the exponent a
    division would give: 50 → 0.5, 50,00 → 0.50, 1000 → 10."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if not any(digits):
        return Decimal((sign, (0,), exponent))
    ideal, exponent = exponent, exponent - 2
    while exponent < ideal and len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    return Decimal((sign, digits, exponent))


_LEVEL_OF = {"paragraaf": "artikel", "alinea": "lid"}


def _date(tok: Token) -> datetime.date:
    day, month, year = (int(x) for x in str(tok).split("-"))
    return datetime.date(year, month, day)


class _InvalidDate(Exception):
    """31-02-2011: no day of the calendar (R108)."""

    what = "datum"
    hint = "schrijf een datum als DD-MM-JJJJ, bijvoorbeeld 15-07-2011"

    def __init__(self, token: Token):
        self.token = token


class _InvalidClock(_InvalidDate):
    """24:00, 12:60: no time a clock shows (R108)."""

    what = "kloktijd"
    hint = (
        "schrijf een kloktijd als UU:MM, van 00:00 tot en met 23:59; sluit een terras om "
        "middernacht, schrijf dan 00:00"
    )


class _ToAst:
    """Lark's tree → `nodes`, bottom up: each rule's method gets the rule's positions and its
    children, already turned into nodes. A walk of its own rather than Lark's `Transformer`,
    whose per-call wrappers cost more than the methods (a second per 50,000 lines)."""

    def __init__(self, file: str):
        self.file = file

    def transform(self, tree: Tree) -> Any:
        children = [self.transform(c) if type(c) is Tree else c for c in tree.children]
        method = getattr(self, tree.data, None)
        if method is None:  # a rule its parent reads as it is
            return Tree(tree.data, children, tree.meta)
        return method(tree.meta, *children)

    def _s(self, meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.file, 1, 1, 1, 2)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _t(self, tok: Token) -> Span:
        return _span_tok(self.file, tok)

    def _keyword(self, meta, word: str) -> Span:
        """The span of the word a statement starts with: where a message about the whole
        statement points, rather than at all of a long line."""
        if getattr(meta, "empty", True):
            return Span(self.file, 1, 1, 1, 2)
        return Span(self.file, meta.line, meta.column, meta.line, meta.column + len(word))

    # -- start
    def start(self, meta, node):
        return node

    # -- regulation
    def soort(self, meta, tok):
        return str(tok)

    def extern_soort(self, meta, tok):
        return str(tok)

    def regeling(self, meta, kind, name, title, *rest):
        m = n.Meta()
        reg = n.Regulation(self._s(meta), kind, str(name), _text(title), m)
        reg.span = self._t(name)
        for item in rest:
            if item is None:
                continue
            if isinstance(item, tuple) and item and item[0] == "meta":
                item[1](m)
            elif isinstance(item, n.Extern):
                reg.externs.append(item)
            elif isinstance(item, list) and item and isinstance(item[0], n.Input):
                reg.inputs.extend(item)
            elif isinstance(item, list) and item and isinstance(item[0], n.OutcomeDecl):
                reg.outcomes.extend(item)
            elif isinstance(item, n.DecisionDecl):
                reg.decisions.append(item)
            elif isinstance(item, n.Unit):
                reg.units.append(item)
            else:
                reg.loose.append(item)
        return reg

    def citeertitel(self, meta, s):
        return ("meta", lambda m: setattr(m, "citeertitel", _text(s)))

    def gemeente(self, meta, s):
        value = _text(s) if s.type == "STRING" else str(s)
        return ("meta", lambda m: setattr(m, "gemeente", value))

    def gemeentecode(self, meta, code):
        span = self._t(code)
        return ("meta", lambda m: setattr(m, "territory", (str(code), span)))

    def vastgesteld(self, meta, organ, d):
        def apply(m: n.Meta) -> None:
            m.organ, m.adopted = organ, self._date(d) if d else None

        return ("meta", apply)

    def geldig(self, meta, start, end):
        span = self._s(meta)

        def apply(m: n.Meta) -> None:
            m.valid_from, m.valid_until, m.period_span = self._date(start), self._date(end), span

        return ("meta", apply)

    def geldig_vanaf(self, meta, start):
        span = self._s(meta)

        def apply(m: n.Meta) -> None:
            m.valid_from, m.period_span = self._date(start), span

        return ("meta", apply)

    def gelet_op(self, meta, *refs):
        return ("meta", lambda m: m.legal_basis.extend(refs))

    def trekt_in(self, meta, s):
        return ("meta", lambda m: m.withdraws.append(_text(s)))

    def bron(self, meta, s):
        return ("meta", lambda m: m.sources.append(_text(s)))

    def meta_uitleg(self, meta, s):
        return ("meta", lambda m: m.interpretations.append(_text(s)))

    def gedeeltelijk(self, meta, s):
        return ("meta", lambda m: setattr(m, "partial", _text(s)))

    def meta(self, meta, *children):  # pragma: no cover - all meta alternatives are aliased
        raise AssertionError(children)

    def orgaan(self, meta, *words):
        return vocabulary.ORGAN_OF_WORDS[" ".join(map(str, words))].key

    def _date(self, tok: Token) -> datetime.date:
        try:
            return _date(tok)
        except ValueError:
            raise _InvalidDate(tok) from None

    def extern(self, meta, kind, name, title, url):
        return n.Extern(self._t(name), kind, str(name), _text(title), _text(url) if url else None)

    # -- declarations
    def gegevens(self, meta, *items):
        return list(items)

    def gegeven(self, meta, name, typ, bounds, desc, default):
        low, high = bounds or (None, None)
        return n.Input(
            self._t(name), str(name), typ, _text(desc) if desc else None, default,
            minimum=low, maximum=high,
        )  # fmt: skip

    def personen(self, meta, name, desc, optional, *fields):
        spec = n.TypeSpec("personen", self._t(name))
        return n.Input(
            self._t(name), str(name), spec, _text(desc) if desc else None,
            optional=optional is not None, fields=list(fields),
        )  # fmt: skip

    def gegeven_optioneel(self, meta, name, typ, bounds, desc):
        low, high = bounds or (None, None)
        return n.Input(
            self._t(name), str(name), typ, _text(desc) if desc else None, optional=True,
            minimum=low, maximum=high,
        )  # fmt: skip

    def bereik_vanaf(self, meta, low, high):
        return (low, high)

    def bereik_tot(self, meta, high):
        return (None, high)

    def negatieve_grens(self, meta, value):
        return n.Negate(self._s(meta), value)

    def negatief_bedrag(self, meta, num, *per):
        return n.Negate(self._s(meta), n.Money(self._s(meta), _number(num), per))

    def oordeel(self, meta, name, organ, desc, default):
        typ = n.TypeSpec("janee", self._t(name))
        return n.Input(self._t(name), str(name), typ, _text(desc) if desc else None, default, organ)

    def uitkomsten(self, meta, *items):
        return list(items)

    def uitkomst(self, meta, name, typ, desc, default):
        return n.OutcomeDecl(self._t(name), str(name), typ, _text(desc) if desc else None, default)

    def uitkomst_open(self, meta, name, typ, desc):
        decl = n.OutcomeDecl(self._t(name), str(name), typ, _text(desc) if desc else None)
        decl.open = True
        return decl

    def standaard(self, meta, expr):
        return expr

    def t_janee(self, meta):
        return n.TypeSpec("janee", self._s(meta))

    def t_getal(self, meta):
        return n.TypeSpec("getal", self._s(meta))

    def t_tekst(self, meta):
        return n.TypeSpec("tekst", self._s(meta))

    def t_kloktijd(self, meta):
        return n.TypeSpec("kloktijd", self._s(meta))

    def t_datum(self, meta):
        return n.TypeSpec("datum", self._s(meta))

    def t_percentage(self, meta):
        return n.TypeSpec("percentage", self._s(meta))

    def t_aanspraak(self, meta):
        return n.TypeSpec("aanspraak", self._s(meta))

    def t_verplichting(self, meta):
        return n.TypeSpec("verplichting", self._s(meta))

    def t_bevoegdheid(self, meta):
        return n.TypeSpec("bevoegdheid", self._s(meta))

    def t_lijst(self, meta):
        return n.TypeSpec("lijst", self._s(meta))

    def t_duur(self, meta, unit):
        return n.TypeSpec("duur", self._s(meta), n.UnitSpec(unit))

    def t_keuze(self, meta, *values):
        return n.TypeSpec("keuze", self._s(meta), choices=tuple(values))

    def keuzewaarde(self, meta, tok):
        return _text(tok) if tok.type == "STRING" else str(tok)

    def t_grootheid(self, meta, unit, *per):
        return n.TypeSpec("grootheid", self._s(meta), n.UnitSpec(unit, per))

    def t_aantal(self, meta):
        return n.TypeSpec("aantal", self._s(meta))

    def eenheid(self, meta, tok):
        return vocabulary.unit(str(tok)).name

    def tijdeenheid(self, meta, tok):
        return vocabulary.unit(str(tok)).name

    klokeenheid = tijdeenheid

    def niveau(self, meta, tok):
        return str(tok)

    def artikelwoord(self, meta, tok):
        return str(tok)

    def lidwoord(self, meta, tok):
        return str(tok)

    def besluit(self, meta, name, desc, *outcomes):
        return n.DecisionDecl(
            self._t(name),
            str(name),
            _text(desc) if desc else None,
            [(str(o), self._t(o)) for o in outcomes],
        )

    # -- structure
    def structuur(self, meta, level, label, title, *children):
        # A paragraaf stands where an artikel would, an alinea where a lid would: the same
        # level, with its own name in citations.
        structural = _LEVEL_OF.get(level, level)
        return n.Unit(
            self._s(meta),
            structural,
            str(label),
            _text(title) if title else None,
            list(children),
            word=level,
        )

    def tekst(self, meta, s):
        return n.TextBlock(self._keyword(meta, "tekst"), "tekst", _text(s))

    def tekst_onbekend(self, meta, reason):
        span = self._keyword(meta, "tekst onbekend")
        return n.TextBlock(span, "tekst onbekend", _text(reason))

    def toelichting(self, meta, s):
        return n.TextBlock(self._keyword(meta, "toelichting"), "toelichting", _text(s))

    def uitleg(self, meta, s):
        return n.TextBlock(self._keyword(meta, "interpretatie"), "interpretatie", _text(s))

    def niet_uitvoerbaar(self, meta, reason):
        span = self._keyword(meta, "niet uitvoerbaar")
        return n.NotExecutable(span, _text(reason) if reason else None)

    def niet_opgenomen(self, meta, reason):
        span = self._keyword(meta, "niet opgenomen")
        return n.NotExecutable(span, _text(reason) if reason else None, omitted=True)

    def verwijzing(self, meta, *refs):
        return n.References(self._keyword(meta, "verwijst naar"), list(refs))

    def begrip(self, meta, name, desc, value):
        return n.Begrip(self._t(name), str(name), _text(desc) if desc else None, value)

    def begrip_per_persoon(self, meta, name, desc, group, value):
        begrip = n.Begrip(self._t(name), str(name), _text(desc) if desc else None, value)
        begrip.group = (str(group), self._t(group))
        return begrip

    def open_norm(self, meta, name, typ, desc, organ, default):
        return n.OpenNorm(
            self._t(name), str(name), typ, _text(desc) if desc else None, organ, default
        )

    def vult_norm(self, meta, reg, norm, value):
        return n.FillNorm(self._s(meta), str(reg), str(norm), value)

    def regel(self, meta, name, desc, *parts):
        rule = n.Rule(self._t(name), str(name), _text(desc) if desc else None)
        for part in parts:
            part(rule)
        # Several `als` lines: all must hold. Their conjunction spans from the first condition
        # to the last; the trace and the docs read the lines themselves (`conditions`).
        for cond in rule.conditions:
            if rule.condition is None:
                rule.condition = cond
            else:
                first = rule.condition.span
                span = Span(self.file, first.line, first.column, cond.span.end_line,
                            cond.span.end_column)  # fmt: skip
                rule.condition = n.Binary(span, "en", rule.condition, cond, "en")
        return rule

    def afwijking(self, meta, *targets):
        return lambda r: r.exceptions.extend(targets)

    def _decides(self, meta, word: str, apply):
        """A line that says what the rule decides; only the first one takes effect, a second
        is reported by the checker (R410)."""
        span = self._keyword(meta, word)

        def decide(r: n.Rule) -> None:
            if not r.decides:
                apply(r)
            r.decides.append(span)

        return decide

    def toekenning(self, meta, name, value):
        def apply(r: n.Rule) -> None:
            r.outcome, r.outcome_span, r.value = str(name), self._t(name), value

        return self._decides(meta, str(name), apply)

    def toevoeging(self, meta, name, item):
        def apply(r: n.Rule) -> None:
            r.outcome, r.outcome_span, r.item = str(name), self._t(name), _text(item)

        return self._decides(meta, str(name), apply)

    def buiten_toepassing(self, meta):
        return self._decides(
            meta, "niet van toepassing", lambda r: setattr(r, "not_applicable", True)
        )

    def voorwaarde(self, meta, expr):
        return lambda r: r.conditions.append(expr)

    def interpretatie(self, meta, s):
        return lambda r: r.interpretations.append(_text(s))

    def doel_anker(self, meta, anchor):
        return n.Target(self._s(meta), anchor=anchor)

    def doel_regel(self, meta, name):
        return n.Target(self._s(meta), rule=str(name))

    def waarde_def(self, meta, expr):
        return expr

    def keuze(self, meta, *parts):
        branches = [p for p in parts if isinstance(p, tuple)]
        otherwise = next((p for p in parts if p is not None and not isinstance(p, tuple)), None)
        return n.Choice(self._s(meta), branches, otherwise)

    def tak(self, meta, value, cond):
        return (value, cond)

    def anders(self, meta, value):
        return value

    def ref_anker(self, meta, anchor, source):
        return n.Ref(self._s(meta), anchor, str(source) if source else None)

    def ref_naam(self, meta, name):
        return n.Ref(self._s(meta), None, str(name))

    def anker(self, meta, word, artikel, lid_word, lid, onderdeel, *subs):
        return n.Anchor(
            str(artikel),
            str(lid) if lid else None,
            n.SUB.join(str(part) for part in (onderdeel, *subs)) if onderdeel else None,
            word=word,
            lid_word=lid_word or "lid",
        )

    # -- expressions
    def tenzij(self, meta, a, b):
        return n.Binary(self._s(meta), "tenzij", a, b)

    def of(self, meta, a, b):
        return n.Binary(self._s(meta), "of", a, b)

    def en(self, meta, a, b):
        return n.Binary(self._s(meta), "en", a, b)

    def niet(self, meta, a):
        return n.Not(self._s(meta), a)

    def vergelijk(self, meta, a, word, b):
        return n.Binary(self._s(meta), vocabulary.COMPARATOR_OF_WORDS[word].op, a, b, word)

    def vergelijker(self, meta, *toks):
        return " ".join(str(t) for t in toks)

    def is_een_van(self, meta, value, options):
        return n.Membership(self._s(meta), value, options)

    def is_geen_van(self, meta, value, options):
        return n.Membership(self._s(meta), value, options, negated=True)

    def is_leeg(self, meta, value):
        return n.Empty(self._s(meta), value)

    def is_niet_leeg(self, meta, value):
        return n.Empty(self._s(meta), value, negated=True)

    def lijst(self, meta, *items):
        return list(items)

    def afgerond(self, meta, value, rounding):
        target, mode = rounding
        return n.Round(self._s(meta), value, target, mode)

    def afronding(self, meta, target, mode):
        return (target, mode)

    def afronddoel(self, meta, *words):
        return vocabulary.ROUNDING_OF_WORDS[" ".join(map(str, words))].key

    def afrondwijze(self, meta, *words):
        return vocabulary.ROUNDING_OF_WORDS[" ".join(map(str, words))].key

    def met_maximum(self, meta, value, limit):
        return n.Bound(self._s(meta), "maximum", value, limit)

    def met_minimum(self, meta, value, limit):
        return n.Bound(self._s(meta), "minimum", value, limit)

    def plus(self, meta, a, b):
        return n.Binary(self._s(meta), "plus", a, b, "+")

    def min(self, meta, a, b):
        return n.Binary(self._s(meta), "min", a, b, "-")

    def maal(self, meta, a, b):
        return n.Binary(self._s(meta), "maal", a, b, "×")

    def deel(self, meta, a, b):
        return n.Binary(self._s(meta), "deel", a, b, "/")

    def deel_van(self, meta, a, b):
        return n.Binary(self._s(meta), "van", a, b, "van")

    def negatief(self, meta, a):
        return n.Negate(self._s(meta), a)

    def datum_lit(self, meta, tok):
        return n.DateLit(self._t(tok), self._date(tok))

    def kloktijd_lit(self, meta, tok):
        hour, minute = (int(part) for part in str(tok).split(":"))
        if hour > 23 or minute > 59:
            raise _InvalidClock(tok)
        return n.ClockLit(self._t(tok), datetime.time(hour, minute))

    def tekst_lit(self, meta, tok):
        return n.TextLit(self._t(tok), _text(tok))

    def ja(self, meta):
        return n.BoolLit(self._s(meta), True)

    def nee(self, meta):
        return n.BoolLit(self._s(meta), False)

    def peildatum(self, meta):
        return n.Peildatum(self._s(meta))

    def naam(self, meta, tok):
        return n.Name(self._t(tok), str(tok))

    def extern_naam(self, meta, reg, name):
        return n.QualName(self._s(meta), str(reg), str(name))

    def minimum(self, meta, *args):
        return n.Extreme(self._s(meta), "minimum", list(args))

    def maximum(self, meta, *args):
        return n.Extreme(self._s(meta), "maximum", list(args))

    def leeftijd(self, meta, birth, on):
        return n.Age(self._s(meta), birth, on)

    def tijd_tussen(self, meta, unit, start, end):
        return n.Between(self._s(meta), unit, start, end)

    # -- over the persons of a group
    def _over(self, meta, kind, group, value=None, condition=None):
        return n.Aggregate(
            self._s(meta), kind, n.Name(self._t(group), str(group)), value, condition
        )

    def aantal_in(self, meta, group, condition):
        return self._over(meta, "aantal", group, None, condition)

    def som_in(self, meta, value, group, condition):
        return self._over(meta, "som", group, value, condition)

    def hoogste_in(self, meta, value, group, condition):
        return self._over(meta, "hoogste", group, value, condition)

    def laagste_in(self, meta, value, group, condition):
        return self._over(meta, "laagste", group, value, condition)

    def ieder_in(self, meta, group, condition):
        return self._over(meta, "ieder", group, None, condition)

    def enig_in(self, meta, group, condition):
        return self._over(meta, "enig", group, None, condition)

    def getal_lit(self, meta, num, unit=None, *per):
        return n.Number(self._s(meta), _number(num), n.UnitSpec(unit, per) if unit else None)

    def procent_lit(self, meta, num):
        return n.Number(self._s(meta), _hundredth(_number(num)), None, percent=True)

    def bedrag_lit(self, meta, num, *per):
        return n.Money(self._s(meta), _number(num), per)

    # -- test cases
    def gevallen(self, meta, reg, *items):
        cases, shared = [], ()
        for item in items:
            if isinstance(item, tuple):  # an achtergrond: for the gevallen after it
                shared = item
            else:
                cases.append(item(shared))
        return n.CaseFile(self._s(meta), str(reg), self._t(reg), cases)

    def geval(self, meta, name, *parts):
        span, title = self._s(meta), _text(name)

        def build(shared: tuple) -> n.Case:
            case = n.Case(span, title)
            for part in shared:
                part(case)
            case.shared = [given for given, _, _ in case.givens]
            for part in parts:
                part(case)
            return case

        return build

    def achtergrond(self, meta, title, *parts):
        return parts

    def g_niet_opgegeven(self, meta, name):
        def drop(c: n.Case) -> None:
            c.givens = [g for g in c.givens if g[0] != str(name)]
            c.dropped.append((str(name), self._t(name)))

        return drop

    def g_peildatum(self, meta, d):
        value = self._date(d)
        return lambda c: setattr(c, "peildatum", value)

    def g_besluit(self, meta, name):
        return lambda c: setattr(c, "decision", str(name))

    def g_bron(self, meta, *refs):
        return lambda c: c.refs.extend(refs)

    def g_gegeven(self, meta, name, value):
        def give(c: n.Case) -> None:
            if str(name) in c.shared:  # the geval's own value goes before the achtergrond's
                c.givens = [g for g in c.givens if g[0] != str(name)]
                c.shared.remove(str(name))
            c.givens.append((str(name), self._t(name), value))

        return give

    def g_personen(self, meta, name, *persons):
        value = n.Persons(self._s(meta), [p[1] for p in persons], [p[0] for p in persons])
        return self.g_gegeven(meta, name, value)

    def g_persoon(self, meta, *fields):
        return (self._keyword(meta, "persoon"), list(fields))

    def g_veld(self, meta, name, value):
        return (str(name), self._t(name), value)

    def g_onvolledig(self, meta):
        return lambda c: setattr(c, "partial", True)

    def g_gemeente(self, meta, code):
        value = (str(code), self._t(code))
        return lambda c: setattr(c, "gemeente", value)

    def g_nog_nodig(self, meta, *names):
        exp = n.Expectation(self._s(meta), "nog_nodig")
        exp.names = [(str(name), self._t(name)) for name in names]
        return lambda c: c.expectations.append(exp)

    def _expect(self, meta, kind, name=None, value=None, text=None):
        exp = n.Expectation(self._s(meta), kind, str(name) if name else None, value, text)
        return lambda c: c.expectations.append(exp)

    def g_verwacht(self, meta, name, value):
        return self._expect(meta, "is", name, value)

    def g_onbepaald(self, meta, name):
        return self._expect(meta, "onbepaald", name)

    def g_niet_tot_stand(self, meta, name):
        return self._expect(meta, "komt_niet_tot_stand", name)

    def g_bevat(self, meta, name, s):
        return self._expect(meta, "bevat", name, text=_text(s))

    def g_bevat_niet(self, meta, name, s):
        return self._expect(meta, "bevat_niet", name, text=_text(s))

    def g_fout(self, meta, s):
        return self._expect(meta, "fout", text=_text(s))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _skip_statement(lines: list[str], index: int) -> bool:
    """Blank out the statement on line `index` and the block below it (keeping the line
    numbers), and a block header left without contents; False when that is not safe."""
    if not 0 <= index < len(lines) or not lines[index].strip():
        return False
    depth = _indent(lines[index])
    end = index + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > depth):
        end += 1
    before = sum(line.count('"""') for line in lines[:index])
    within = sum(line.count('"""') for line in lines[index:end])
    if before % 2 or within % 2:
        return False  # within a multi-line text: the lines cannot be told apart safely
    for i in range(index, end):
        lines[i] = ""
    # A header whose only contents were skipped would now be an error of its own.
    parent = index - 1
    while parent >= 0 and not lines[parent].strip():
        parent -= 1
    if parent >= 0 and _indent(lines[parent]) < depth:
        following = end
        while following < len(lines) and not lines[following].strip():
            following += 1
        if following >= len(lines) or _indent(lines[following]) <= _indent(lines[parent]):
            _skip_statement(lines, parent)
    return True


_SURROGATE = re.compile("[\ud800-\udfff]")

# After a syntax error the parser skips the statement and tries again, up to this many times.
MAX_SYNTAX_ERRORS = 20


def parse(text: str, file: str = "<tekst>") -> n.Regulation | n.CaseFile:
    """Parse one .regel file. Raises SyntaxProblem with Dutch diagnostics: after an error the
    statement on that line (with the block below it) is skipped and parsing resumes, so that
    one run reports the independent errors of a file."""
    source = text if text.endswith("\n") else text + "\n"
    lines = source.split("\n")
    surrogate = _SURROGATE.search(source)
    if surrogate:  # from a string, never from a UTF-8 file: it could not be written anywhere
        before = source[: surrogate.start()]
        line = before.count("\n") + 1
        column = surrogate.start() - (before.rfind("\n") + 1) + 1
        raise SyntaxProblem(
            Diagnostic(
                "R109",
                f"ongeldig teken U+{ord(surrogate[0]):04X} (een losse surrogaat): dit is geen "
                "Unicode-tekst",
                Span(file, line, column, line, column + 1),
                "geef de regeling als geldige UTF-8-tekst",
            )
        )
    problems: list[Diagnostic] = []
    tree: Tree | None = None
    while tree is None:
        current = "\n".join(lines)
        try:
            tree = _lark().parse(current)
        except UnexpectedInput as err:
            problems.append(_syntax_diagnostic(err, file, current))
        except _TabProblem as err:
            problems.append(
                Diagnostic(
                    "R105",
                    "tab-teken in de inspringing, in een bestand dat met spaties inspringt",
                    Span(file, err.line, err.column, err.line, err.column + 1),
                    "spring overal in met spaties (twee per niveau): hoe breed een tab is, "
                    "verschilt per editor, dus welk blok een regel met een tab hoort, ziet u niet",
                )
            )
            break  # which block each line is in is anyone's guess from here: no more errors
        except _IndentProblem as err:
            problems.append(
                Diagnostic(
                    "R107",
                    "inspringing past niet bij een eerder niveau",
                    Span(file, err.line, 1, err.line, err.column),
                    "gebruik dezelfde inspringing als het blok waartoe deze regel hoort",
                )
            )
        if tree is None:
            span = problems[-1].span
            seen = [d.span.line for d in problems[:-1] if d.span]
            if (
                len(problems) >= MAX_SYNTAX_ERRORS
                or span is None
                or span.line in seen
                or not _skip_statement(lines, span.line - 1)
            ):
                break
    if problems:
        raise SyntaxProblem(problems[0], problems[1:])
    assert tree is not None
    try:
        result: n.Regulation | n.CaseFile = _ToAst(file).transform(tree)
    except _InvalidDate as inner:
        raise SyntaxProblem(
            Diagnostic(
                "R108",
                f"'{inner.token}' is geen bestaande {inner.what}",
                _span_tok(file, inner.token),
                inner.hint,
            )
        ) from None
    return result
