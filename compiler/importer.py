"""`regel importeer`: from the official text to a literate skeleton `.regel`.

Every encoding starts from the text as published; retyping it article by article is work and
a source of mistakes. Two inputs are read: the plain text as overheid.nl shows it (as the
texts in shared/seeds are: headings `Hoofdstuk 1. …` and `Artikel 1. …`, leden as `• 1. …`,
onderdelen as `• a.` with their text below, a `Toelichting per artikel` at the end) and CVDR
XML, the format of lokaleregelgeving.overheid.nl (`regeling-tekst` with `hoofdstuk`,
`artikel`, `lid`, `lijst`/`li`, `al`; `toelichting`). Both become one `Imported` tree, written
as a `.regel` file with the metadata the text gives, every hoofdstuk, artikel, lid and
(nested) onderdeel with its text as published, and the toelichting per article. No rule is
written, so `regel dekking` lists every unit as left to encode.
"""

from __future__ import annotations

import datetime
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

MONTHS = {
    m: i
    for i, m in enumerate(
        ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
         "september", "oktober", "november", "december"], 1
    )
}  # fmt: skip


class UnreadableText(Exception):
    """The file is not a text regel can read; the message says why, in Dutch."""


@dataclass
class Part:
    """A hoofdstuk, artikel, lid or onderdeel as the text has it."""

    level: str  # hoofdstuk, artikel, lid, onderdeel
    label: str
    title: str | None = None
    texts: list[str] = field(default_factory=list)
    toelichting: str | None = None
    parts: list[Part] = field(default_factory=list)


@dataclass
class Imported:
    title: str
    kind: str = "verordening"
    organ: str | None = None  # raad, college, burgemeester
    gemeente: str | None = None
    adopted: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None
    parts: list[Part] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many of each level (hoofdstuk, artikel, lid, onderdeel) the text has."""
        found: dict[str, int] = {}

        def walk(parts: list[Part]) -> None:
            for p in parts:
                found[p.level] = found.get(p.level, 0) + 1
                walk(p.parts)

        walk(self.parts)
        return found

    def articles(self) -> dict[str, Part]:
        found: dict[str, Part] = {}

        def walk(parts: list[Part]) -> None:
            for p in parts:
                if p.level == "artikel":
                    found.setdefault(p.label, p)
                else:
                    walk(p.parts)

        walk(self.parts)
        return found


# ---------------------------------------------------------------- plain text (overheid.nl)

# A number as the grammar reads one (LABEL): 3, 10a, B.6, 2:30b, 1°.
_LABEL = re.compile(r"[0-9A-Za-z]+(?:[.:][0-9A-Za-z]+)*°?")
_CHAPTER = re.compile(r"^Hoofdstuk\s+(\S+?)\.?\s+(.+?)\s*$")
_ARTICLE = re.compile(r"^Artikel\s+(\S+?)\.?(?:\s+(.+?))?\s*$")
_BULLET = re.compile(r"^(\s*)•\s+(\d+[a-z]?|[a-z]{1,2}|\d+°)\.\s*(.*?)\s*$")  # • 1. …, • a.
_INLINE_ITEM = re.compile(r"^(\s*)([a-z])\.(\S.*\S)\s*$")  # `q.voorliggende …`: no space
_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_ADOPTED = re.compile(
    r"vastgesteld in de openbare (?:raads)?vergadering van (\d{1,2}) (\w+) (\d{4})"
)
_END_OF_BODY = re.compile(r"^(Aldus vastgesteld|Ondertekening|Bekendgemaakt)")
_EXPLANATION = re.compile(r"^(Toelichting per artikel|Artikelsgewijze toelichting)\s*$")


def from_text(text: str) -> Imported:
    """The plain text of a regulation as overheid.nl publishes it."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    title = _title(lines)
    imported = Imported(title)
    for line in lines[:12]:
        m = re.search(rf"Geldend van {_DATE.pattern} t/m {_DATE.pattern}", line)
        if m:
            imported.valid_from = _day(m.group(1, 2, 3))
            imported.valid_until = _day(m.group(4, 5, 6))
        elif (m := re.search(rf"Geldend vanaf {_DATE.pattern}", line)) is not None:
            imported.valid_from = _day(m.group(1, 2, 3))
    body_end = next((i for i, line in enumerate(lines) if _EXPLANATION.match(line)), len(lines))
    for line in lines[:body_end]:
        organ = re.match(r"^(De raad|Het college|De burgemeester)\b.*?gemeente (\S+?),?$", line)
        if organ and imported.organ is None:
            imported.organ = {"De raad": "raad", "Het college": "college"}.get(
                organ[1], "burgemeester"
            )
            imported.gemeente = organ[2]
        adopted = _ADOPTED.search(line)
        if adopted and adopted[2].lower() in MONTHS:
            imported.adopted = datetime.date(int(adopted[3]), MONTHS[adopted[2].lower()],
                                             int(adopted[1]))  # fmt: skip
    imported.parts = _body(lines[:body_end])
    _explanations(lines[body_end + 1 :], imported.articles())
    return imported


def _title(lines: list[str]) -> str:
    for i, line in enumerate(lines):
        if line.strip() == "Intitulé":
            following = [x for x in lines[i + 1 :] if x.strip()]
            if following:
                return following[0].strip()
    for line in lines:
        if line.strip() and not line.startswith(("Regeling vervallen", "Ziet u een fout")):
            return line.strip()
    raise UnreadableText("geen titel gevonden: is dit de tekst van een regeling?")


def _day(parts: tuple[str, ...]) -> datetime.date:
    d, m, y = (int(x) for x in parts)
    return datetime.date(y, m, d)


def _body(lines: list[str]) -> list[Part]:
    top: list[Part] = []
    chapter: Part | None = None
    article: Part | None = None
    stack: list[tuple[int, Part]] = []  # open leden and onderdelen, by their indentation
    waiting: Part | None = None  # an onderdeel whose text is on the next line
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if (m := _CHAPTER.match(line)) and _LABEL.fullmatch(m[1]):
            chapter = Part("hoofdstuk", m[1], m[2])
            top.append(chapter)
            article, stack, waiting = None, [], None
            continue
        m = _ARTICLE.match(line)
        if m and _LABEL.fullmatch(m[1]) and (m[2] is None or not m[2][:1].islower()):
            article = Part("artikel", m[1], m[2])
            (chapter.parts if chapter else top).append(article)
            stack, waiting = [], None
            continue
        if article is None:  # the aanhef, a chapter's own lines, the ondertekening
            continue
        if _END_OF_BODY.match(line):
            article = None
            continue
        indent = len(raw) - len(raw.lstrip())
        if m := _BULLET.match(raw):
            while stack and stack[-1][0] >= indent:
                stack.pop()
            owner = stack[-1][1] if stack else article
            numbered = m[2][0].isdigit() and not m[2].endswith("°")
            last = article.parts[-1] if article.parts else None
            if not numbered and owner is article and last is not None and _opens_a_list(last):
                owner = last
            level = "lid" if owner is article and numbered else "onderdeel"
            part = Part(level, m[2], texts=[m[3]] if m[3] else [])
            owner.parts.append(part)
            stack.append((indent, part))
            waiting = None if m[3] else part  # `• a.` with its text on the next line
            continue
        if waiting is not None and not waiting.texts:
            waiting.texts.append(line)
            continue
        if (m := _INLINE_ITEM.match(raw)) and stack and stack[-1][1].level == "onderdeel":
            stack.pop()
            owner = stack[-1][1] if stack else article
            item = Part("onderdeel", m[2], texts=[m[3]])
            owner.parts.append(item)
            stack.append((indent, item))
            continue
        target = stack[-1][1] if stack and indent > stack[-1][0] else article
        if target is article and article.parts:
            target = article.parts[-1] if indent > 0 else article
        target.texts.append(line)
    return top


def _opens_a_list(part: Part) -> bool:
    """A lid that ends in a colon (or has items already): a `• a.` as far in as the leden
    below it is an item of its list."""
    if part.level != "lid":
        return False
    return bool(part.parts) or (bool(part.texts) and part.texts[-1].endswith(":"))


def _explanations(lines: list[str], articles: dict[str, Part]) -> None:
    """The toelichting per artikel: each heading names its article; `Aanhef en Artikel 1`
    keeps its heading, as it says more than which article."""
    current: Part | None = None
    paragraphs: list[str] = []
    bullet = False  # a `• ·` on its own: the next paragraph is an item of a list

    def close() -> None:
        if current is not None and paragraphs:
            current.toelichting = _joined(paragraphs)

    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        m = re.match(r"^(?:(.+?) en )?Artikel\s+(\S+?)\.?(?:\s+(.+))?$", line)
        if m and m[2] in articles and (m[3] is None or not m[3][:1].islower()):
            close()
            current, paragraphs = articles[m[2]], [line] if m[1] else []
            continue
        if re.fullmatch(r"•\s*[·•-]?", line):
            bullet = True
            continue
        paragraphs.append(f"- {line}" if bullet else line)
        bullet = False
    close()


def _joined(paragraphs: list[str]) -> str:
    """Paragraphs apart by an empty line; the items of a list one below the other."""
    out = paragraphs[:1]
    for before, paragraph in itertools.pairwise(paragraphs):
        out.append(("\n" if before.startswith("- ") and paragraph.startswith("- ") else "\n\n")
                   + paragraph)  # fmt: skip
    return "".join(out)


# ---------------------------------------------------------------- CVDR XML


def from_cvdr(xml: str) -> Imported:
    """A regulation in CVDR XML (lokaleregelgeving.overheid.nl)."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(xml)
    except ET.ParseError as err:
        raise UnreadableText(f"geen geldige XML: {err}") from None

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def child(e: ET.Element, name: str) -> ET.Element | None:
        return next((c for c in e if local(c.tag) == name), None)

    def children(e: ET.Element, name: str) -> list[ET.Element]:
        return [c for c in e if local(c.tag) == name]

    def text_of(e: ET.Element | None) -> str:
        return " ".join("".join(e.itertext()).split()) if e is not None else ""

    def find(name: str) -> ET.Element | None:
        return next((e for e in root.iter() if local(e.tag) == name), None)

    title = text_of(find("title")) or text_of(find("citeertitel"))
    if not title:
        raise UnreadableText("geen titel (dcterms:title) in de CVDR-XML")
    imported = Imported(title)
    creator = text_of(find("creator"))
    if creator:
        imported.gemeente = creator.split("(")[0].strip() or None

    def day(name: str) -> datetime.date | None:
        written = text_of(find(name))
        if not written:
            return None
        try:
            return datetime.date.fromisoformat(written[:10])
        except ValueError:
            raise UnreadableText(f"{name} '{written}' is geen datum (JJJJ-MM-DD)") from None

    imported.valid_from = day("inwerkingtredingDatum")
    imported.valid_until = day("uitwerkingtredingDatum")
    organ = text_of(find("bestuursorgaan")).lower()
    if organ:
        imported.organ = "raad" if "raad" in organ else "college" if "college" in organ else None
    imported.adopted = day("datumOndertekening")

    def number(written: str, what: str) -> str:
        label = written.strip().rstrip(".")
        if not _LABEL.fullmatch(label):
            raise UnreadableText(f"{what} zonder bruikbaar nummer ('{written.strip()}')")
        return label

    def kop(e: ET.Element) -> tuple[str, str | None]:
        head = child(e, "kop")
        if head is None:
            return "", None
        title = text_of(child(head, "titel")) or None
        return text_of(child(head, "nr")).rstrip("."), title

    def items(lijst: ET.Element) -> list[Part]:
        found = []
        for li in children(lijst, "li"):
            label = li.get("nr") or text_of(child(li, "li.nr"))
            part = Part("onderdeel", number(label, "een onderdeel (li)"))
            part.texts = [text_of(al) for al in children(li, "al")]
            for inner in children(li, "lijst"):
                part.parts += items(inner)
            found.append(part)
        return found

    def article(e: ET.Element) -> Part:
        nr, title = kop(e)
        nr = number(nr, "een artikel")
        part = Part("artikel", nr, title)
        for c in e:
            name = local(c.tag)
            if name == "al":
                part.texts.append(text_of(c))
            elif name == "lijst":
                part.parts += items(c)
            elif name == "lid":
                lid = Part("lid", number(text_of(child(c, "lidnr")), f"een lid van artikel {nr}"))
                for inner in c:
                    if local(inner.tag) == "al":
                        lid.texts.append(text_of(inner))
                    elif local(inner.tag) == "lijst":
                        lid.parts += items(inner)
                part.parts.append(lid)
        return part

    def level(e: ET.Element) -> list[Part]:
        found = []
        for c in e:
            name = local(c.tag)
            if name == "hoofdstuk":
                nr, title = kop(c)
                found.append(Part("hoofdstuk", number(nr, "een hoofdstuk"), title, parts=level(c)))
            elif name == "artikel":
                found.append(article(c))
            elif name in ("regeling-tekst", "paragraaf", "afdeling"):
                found += level(c)
        return found

    body = find("regeling-tekst")
    if body is None:
        raise UnreadableText("geen regeling-tekst in de CVDR-XML")
    imported.parts = level(body)
    explanation = find("toelichting")
    if explanation is not None:
        articles = imported.articles()
        for section in explanation.iter():
            if local(section.tag) != "artikel":
                continue
            nr, _ = kop(section)
            if nr in articles:
                paragraphs = [text_of(al) for al in section.iter() if local(al.tag) == "al"]
                heading = text_of(child(child(section, "kop") or section, "label"))
                if heading and heading.lower() != "artikel":
                    paragraphs.insert(0, f"{heading} en Artikel {nr}. {articles[nr].title}")
                articles[nr].toelichting = "\n\n".join(p for p in paragraphs if p)
    return imported


# ---------------------------------------------------------------- as .regel


def regel_id(title: str) -> str:
    """A short id for the regulation: letters of the title without accents, lower case."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return "_".join(words[:4]) or "regeling"


def _quoted(text: str, indent: str) -> str:
    if '"' not in text and "\n" not in text:
        return f'"{text}"'
    if '"""' in text:  # the one change to a text: three quotation marks cannot stand in one
        text = text.replace('"""', "'''")
    inner = "\n".join(f"{indent}  {line}" if line else "" for line in text.split("\n"))
    return f'"""\n{inner}\n{indent}  """'


def to_regel(imported: Imported, source: str, rid: str | None = None) -> str:
    out = [
        f"# Gemaakt door 'regel importeer' uit {Path(source).name}: de tekst zoals gepubliceerd.",
        "# Nog te doen: de gegevens, uitkomsten en regels; 'regel dekking' noemt wat ontbreekt.",
        "",
        f"{imported.kind} {rid or regel_id(imported.title)} {_quoted(imported.title, '')}",
        f"  citeertitel {_quoted(imported.title, '  ')}",
    ]
    if imported.gemeente:
        out.append(f"  gemeente {_quoted(imported.gemeente, '  ')}")
        out.append("  # gemeentecode GM…: vul de CBS-code van de gemeente in")
    if imported.adopted and imported.organ:
        word = {"raad": "de raad", "college": "het college"}.get(imported.organ, "de burgemeester")
        out.append(f"  vastgesteld door {word} op {imported.adopted:%d-%m-%Y}")
    if imported.valid_from and imported.valid_until:
        out.append(f"  geldig van {imported.valid_from:%d-%m-%Y} tot en met "
                   f"{imported.valid_until:%d-%m-%Y}")  # fmt: skip
    elif imported.valid_from:
        out.append(f"  geldig vanaf {imported.valid_from:%d-%m-%Y}")
    else:
        out.append("  # geldig vanaf DD-MM-JJJJ: de tekst zegt niet sinds wanneer zij geldt")
    for part in imported.parts:
        out.append("")
        out += _part(part, "")
    return "\n".join(out) + "\n"


# What a unit says when the published text gives it no words (a number on its own).
NO_TEXT = "De gepubliceerde tekst geeft hier alleen het nummer, geen tekst."


def _part(part: Part, indent: str) -> list[str]:
    head = f"{indent}{part.level} {part.label}"
    if part.title:
        head += " " + _quoted(part.title, indent)
    lines = [head]
    inner = indent + "  "
    texts = [t for t in part.texts if t.strip()]
    for text in texts:
        lines.append(f"{inner}tekst {_quoted(text, inner)}")
    if not texts and not part.parts and not part.toelichting:
        lines.append(f'{inner}tekst onbekend "{NO_TEXT}"')
    if part.toelichting:
        lines.append(f"{inner}toelichting {_quoted(part.toelichting, inner)}")
    for sub in part.parts:
        lines += _part(sub, inner)
    return lines


def read(path: Path) -> Imported:
    """A file of either kind: XML by its first character."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UnreadableText("het bestand is geen UTF-8-tekst") from None
    if text.lstrip().startswith("<"):
        return from_cvdr(text)
    return from_text(text)
