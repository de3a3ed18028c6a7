"""`regel dien`: an HTTP decision service (FastAPI) over loaded policies.

Per regulation and decision a POST endpoint whose request model is derived from the declared
gegevens: exactly the fields the decision reads, with their types, units, choices and Dutch
descriptions, plus `peildatum`. Every answer carries the outcomes, the motivation (each step a
Dutch sentence naming its article, with a link into the generated docs), the oordelen it rests
on and the version of the regulation that was applied.

Input is checked here, against the same rules the OpenAPI schema states, before the runtime
checks it again: the body is parsed with the standard library so that numbers stay exact
Decimals (pydantic would read JSON numbers as floats), and every problem is reported per field,
in Dutch, with a 4xx. Nothing reaches the client as a traceback or a 500.
"""

from __future__ import annotations

import asyncio
import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from regel import runtime as rt
from regel.runtime import inputs as valid
from regel.runtime.values import format_period
from starlette.exceptions import HTTPException as StarletteHTTPException

from .api import Policies
from .batch import Summary
from .caseload import value_text
from .server import BODY_TIMEOUT
from .vocabulary import ORGANS, organ_name

MAX_BODY = 64 * 1024  # bytes; a case is a few hundred
# A caseload in one request: larger runs belong to `regel doorreken`, which streams.
MAX_BATCH_BODY = 8 * 1024 * 1024
MAX_BATCH_CASES = 10_000
JSON_TYPE = "application/json"


# ---------------------------------------------------------------- the models (for OpenAPI)


class Fout(BaseModel):
    """Why a request was refused; `velden` names each field that is wrong and how."""

    fout: str = Field(description="Wat er mis is, in het Nederlands")
    code: str | None = Field(None, description="De code van de melding (R601, R710, …)")
    velden: dict[str, str] | None = Field(None, description="Per veld wat er mis is")
    hint: str | None = Field(None, description="Wat u eraan kunt doen")
    plaats: dict[str, str] | None = Field(
        None,
        description="Bij een fout in een berekening: de regel, het artikel en de plaats in het "
        ".regel-bestand (`bron`)",
    )


class Uitkomst(BaseModel):
    status: Literal["bepaald", "komt_niet_tot_stand", "onbepaald", "conflict"] = Field(
        description="bepaald: er is een waarde; komt_niet_tot_stand: vaststaat dat geen regel "
        "van toepassing is (een bepaald antwoord: de motivering noemt per regel de voorwaarde die "
        "niet vervuld is); onbepaald: het antwoord hangt af van wat ontbreekt (de reden noemt "
        "het); conflict: twee regels geven elk een andere waarde en geen van beide gaat voor "
        "(de reden noemt beide)"
    )
    waarde: Any = Field(
        None,
        description="De waarde: ja/nee als true/false, een bedrag of getal als tekst "
        '("500.00", exact), een datum als JJJJ-MM-DD, een lijst als lijst van teksten',
    )
    weergave: str = Field(description='De waarde zoals een mens haar leest: "€ 500,00 per maand"')
    grondslag: list[str] = Field(description="De artikelen waarop de waarde rust")
    reden: str | None = Field(
        None, description="Waarom de uitkomst niet tot stand komt, onbepaald is of een conflict"
    )
    ontbreekt: list[str] | None = Field(
        None,
        description="Bij onbepaald: de gegevens en oordelen die ontbraken en die de uitkomst "
        "op de weg die de opgegeven feiten openen nodig heeft; geef ze op voor een bepaald "
        "antwoord",
    )


class Vraag(BaseModel):
    gegeven: str = Field(description="De naam van het gegeven of oordeel dat nog nodig is")
    soort: Literal["gegeven", "oordeel"]
    orgaan: str | None = Field(None, description="Bij een oordeel: wie oordeelt")
    orgaan_naam: str | None = Field(None, description='Het orgaan in een zin: "het college"')
    omschrijving: str | None = Field(None, description="Wat het gegeven is, uit de regeling")
    invoer: str = Field(description="Hoe u de waarde opgeeft")


class Rekenstap(BaseModel):
    """One step of how a value was worked out."""

    soort: Literal[
        "berekening", "grens", "afronding", "geval", "norm", "begrip", "elders", "personen",
        "persoon",
    ] = Field(
        description="berekening (a + b, a × b, 50% van a, een datum plus een duur), grens "
        "(een minimum of maximum), afronding, geval (de trede die gold), norm (een open "
        "norm en waar zij is vastgesteld), begrip (een begrip en zijn artikel), elders (een "
        "waarde uit een andere regeling), personen (een telling of som over een groep; de "
        "stappen zeggen per persoon wat telde), persoon (één persoon daarvan: telt mee of "
        "niet, en waarom)"
    )  # fmt: skip
    tekst: str = Field(description='De stap als Nederlands: "100,5 km × € 0,19 per km = € 19,095"')
    weergave: str = Field(description="Het resultaat van de stap, zoals een mens het leest")
    stappen: list[Rekenstap] | None = Field(
        None, description="Bij een begrip: hoe het zelf is berekend; bij personen: per persoon"
    )


class Stap(BaseModel):
    regel: str = Field(description="De naam van de regel")
    artikel: str = Field(description="Artikel, lid en onderdeel van de regel")
    uitkomst: str
    status: Literal["toegepast", "niet_toegepast", "opzijgezet", "onbepaald"]
    tekst: str = Field(description="De stap als Nederlandse zin, met het artikel")
    waarde: Any = None
    weergave: str | None = None
    voorwaarde: str | None = None
    feiten: dict[str, str] | None = Field(None, description="De feiten die de voorwaarde las")
    opzijgezet_door: str | None = None
    interpretatie: list[str] | None = Field(None, description="Hoe de tekst gelezen is")
    berekening: list[Rekenstap] | None = Field(
        None, description="Bij een toegepaste regel: hoe de waarde is berekend, stap voor stap"
    )
    waarom: list[str] | None = Field(
        None,
        description="Bij een niet toegepaste regel: welke delen van de voorwaarde de doorslag "
        "gaven, tot de vergelijking met haar waarden, door de begrippen heen",
    )
    reden: str | None = None
    documentatie: str | None = Field(None, description="Link naar de regel in de documentatie")


class Oordeel(BaseModel):
    gegeven: str
    orgaan: str = Field(description="Wie oordeelt: " + ", ".join(ORGANS))
    orgaan_naam: str = Field(description='Het orgaan in een zin: "het college"')
    waarde: Any
    weergave: str = Field(description='De waarde zoals een mens haar leest: "ja", "€ 1.400,00"')
    omschrijving: str | None
    standaard: bool | None = Field(
        None, description="true: het oordeel is niet gegeven en de standaard is genomen"
    )


class Besluit(BaseModel):
    """A motivated decision."""

    regeling: str
    titel: str
    soort: str
    besluit: str
    geldig_van: datetime.date | None = Field(description="Begin van de toegepaste versie")
    geldig_tot_en_met: datetime.date | None = Field(description="Einde van de toegepaste versie")
    peildatum: datetime.date
    gemeente: str | None = Field(
        None, description="De gemeente waarvoor is beslist (CBS-code), als die er is"
    )
    uitkomsten: dict[str, Uitkomst]
    motivering: list[Stap] = Field(description="Elke regel die is bekeken, in volgorde")
    oordelen: list[Oordeel] = Field(
        description="De oordelen (van het college, de raad, …) waarop het rust"
    )
    normen: list[str] | None = Field(
        None,
        description="De open normen waarop het besluit rust, elk met zijn waarde en waar die "
        "is vastgesteld (bij een wet: door welke gemeente)",
    )
    nog_nodig: list[Vraag] | None = Field(
        None,
        description="Wat nog nodig is om de onbepaalde uitkomsten te beslissen: alleen de "
        "gegevens en oordelen op de weg die de opgegeven feiten openen (met ?onvolledig=ja mag "
        "de invoer onvolledig zijn; zo vraagt een gesprek alleen wat ertoe doet)",
    )


class Versie(BaseModel):
    titel: str
    geldig_van: datetime.date | None
    geldig_tot_en_met: datetime.date | None
    geldigheid: str = Field(description='Leesbaar: "van 15 juli 2011 tot en met 31 december 2011"')


class BesluitInfo(BaseModel):
    naam: str
    titel: str
    adres: str = Field(description="Waar u het besluit vraagt (POST)")
    uitkomsten: list[str]


class Regeling(BaseModel):
    id: str
    titel: str
    soort: str
    versies: list[Versie] = Field(
        description="Oudste eerst; een besluit neemt de versie die op de peildatum geldt"
    )
    besluiten: list[BesluitInfo]


class Samenvatting(BaseModel):
    """What a caseload gave, as `regel doorreken` reports it."""

    rijen: int
    beslist: int
    niet_te_beslissen: int
    statussen: dict[str, dict[str, int]] = Field(description="Per uitkomst het aantal per status")
    sommen: dict[str, str] = Field(description="Per bedrag de som over de gevallen")
    laagste: dict[str, str] = Field(description="Per getal de laagste waarde")
    hoogste: dict[str, str] = Field(description="Per getal de hoogste waarde")
    verdeling: dict[str, list[str]] = Field(
        description="Per getal de waarde waar 10%, 25%, 50%, 75% en 90% van de beslissingen "
        "ten hoogste op uitkomt (steeds een waarde die echt is beslist), zoals regel doorreken"
    )


class Doorrekening(BaseModel):
    """A decision over many cases: a row per case, in order, and the summary."""

    rijen: list[dict[str, str]] = Field(
        description="Per geval `rij` (1 voor het eerste), per uitkomst de waarde, `_status`, "
        "`_eenheid`, `_grondslag` en `_niet_vervuld` (de regels waarvan de voorwaarde niet "
        "vervuld is); of `fout` met de melding (docs/bestanden.md)"
    )
    samenvatting: Samenvatting


# ---------------------------------------------------------------- one decision endpoint


@dataclass
class Endpoint:
    regulation: str  # id
    decision: str
    title: str
    fields: dict[str, rt.InputSpec]
    required: set[str]
    model: type[BaseModel]

    @property
    def path(self) -> str:
        return f"/regelingen/{self.regulation}/besluiten/{self.decision}"


def _field(spec: rt.InputSpec, required: bool) -> tuple[Any, Any]:
    schema = valid.json_schema(spec)
    default: Any = ...
    if not required:
        # May be left out, or sent as null: then the default applies, or what needs it is
        # onbepaald.
        schema = {"anyOf": [*schema.get("anyOf", [schema]), {"type": "null"}]}
        default = None
        if spec.has_default and spec.default is not None:
            value = spec.default
            default = (
                str(value)
                if isinstance(value, Decimal)
                else (value.isoformat() if isinstance(value, datetime.date) else value)
            )
    return (
        Annotated[Any, WithJsonSchema(schema)],
        Field(
            default,
            title=spec.name,
            description=valid.describe(spec, organ_name(spec.oordeel) if spec.oordeel else None),
        ),
    )


def _model(
    regulation: str, decision: str, fields: dict[str, rt.InputSpec], required: set[str]
) -> type[BaseModel]:
    definitions: dict[str, Any] = {
        "peildatum": (
            Annotated[datetime.date, WithJsonSchema({"type": "string", "format": "date"})],
            Field(
                title="peildatum",
                description="De datum waarop beslist wordt (JJJJ-MM-DD); bepaalt ook welke "
                "versie van de regeling geldt",
            ),
        )
    }
    for name, spec in sorted(fields.items()):
        definitions[name] = _field(spec, name in required)
    return create_model(
        f"Invoer_{regulation}_{decision}",
        __config__=ConfigDict(extra="forbid"),
        **definitions,
    )


def endpoints(policies: Policies) -> list[Endpoint]:
    """One endpoint per decision of the newest version of each regulation. Its fields are the
    gegevens the decision reads in any version; required are those every version needs."""
    out = []
    analysis = policies.analysis
    for rid, versions in sorted(policies.program.versions.items()):
        node = analysis.regs[analysis.versions[rid][-1]].node
        titles = {d.name: d.description for d in node.decisions}
        for decision in versions[-1].decisions:
            fields: dict[str, rt.InputSpec] = {}
            required: set[str] | None = None
            for version in versions:
                if decision not in version.decisions:
                    continue
                needed: set[str] = set()
                for outcome in version.decisions[decision]:
                    needed |= version.needs[outcome]
                for name in sorted(needed):
                    fields.setdefault(name, version.inputs[name])
                must = {
                    n
                    for n in needed
                    if not (version.inputs[n].has_default or version.inputs[n].optional)
                }
                required = must if required is None else required & must
            required = required or set()
            out.append(
                Endpoint(
                    rid,
                    decision,
                    titles.get(decision) or decision,
                    fields,
                    required,
                    _model(rid, decision, fields, required),
                )
            )
    return out


# ---------------------------------------------------------------- checking a request


class Refused(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        fields: dict[str, str] | None = None,
        code: str | None = None,
    ):
        self.status, self.message, self.fields, self.code = status, message, fields, code


def parse_body(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise Refused(400, f"de body is geen UTF-8-tekst (byte {err.start})") from None
    if not text.strip():
        raise Refused(400, "de body is leeg; stuur een JSON-object met de peildatum en de gegevens")
    try:
        data = valid.read_json(text)
    except ValueError as err:
        raise Refused(400, f"de body is {err}") from None
    if not isinstance(data, dict):
        raise Refused(
            422, 'verwacht een JSON-object: {"peildatum": "JJJJ-MM-DD", "gegeven": waarde, …}'
        )
    return data


def partial_wanted(query: Mapping[str, str]) -> bool:
    """`?onvolledig=ja`: the gegevens may be partial (demand-driven evaluation)."""
    given = query.get("onvolledig")
    if given is None:
        return False
    answer = {"ja": True, "nee": False}.get(given)
    if answer is None:
        raise Refused(
            422,
            "ongeldige invoer",
            {"onvolledig": f"verwacht ja of nee, niet '{valid.printable(given)}'"},
            "R710",
        )
    return answer


def check_request(
    policies: Policies, ep: Endpoint, data: dict[str, Any], partial: bool = False
) -> tuple[datetime.date, rt.Regulation, dict[str, Any]]:
    """The peildatum, the version of the regulation it chooses, and the gegevens; every
    problem at once, per field, by the rules every channel has (`regel.runtime.inputs`).
    With `partial`, a required gegeven may be left out (`Regulation.evaluate(onvolledig=…)`)."""
    problems: dict[str, str] = {}
    peildatum: datetime.date | None = None
    given = data.get("peildatum")
    if given is None:
        problems["peildatum"] = "ontbreekt (verplicht: de datum waarop beslist wordt, JJJJ-MM-DD)"
    else:
        try:
            peildatum = valid.read_peildatum(given)
        except ValueError as err:
            problems["peildatum"] = str(err)
    regulation = policies.program.versions[ep.regulation][-1]
    period: rt.PeriodError | None = None
    if peildatum is not None:
        try:
            regulation = policies.version(ep.regulation, peildatum)
        except rt.PeriodError as err:
            period = err
    inputs = {name: value for name, value in data.items() if name != "peildatum"}
    try:
        regulation.coerce_inputs(inputs, regulation.decisions[ep.decision], ep.decision, partial)
    except rt.InputError as err:
        problems.update(err.problems)
    if period is not None and not problems:
        raise period
    if period is not None:
        problems = {"peildatum": period.message, **problems}
    if problems:
        raise rt.InputError(problems)
    assert peildatum is not None
    return peildatum, regulation, inputs


# ---------------------------------------------------------------- the application


def _json(content: Any, status: int = 200) -> Response:
    body = json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        raw = body.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate got through after all: as an escape
        raw = json.dumps(content, separators=(",", ":"), default=str).encode("ascii")
    return Response(raw, status, media_type="application/json; charset=utf-8")


def _refusal(err: Refused) -> Response:
    body: dict[str, Any] = {"fout": err.message}
    if err.code:
        body["code"] = err.code
    if err.fields:
        body["velden"] = err.fields
    return _json(body, err.status)


async def _read(request: Request, timeout: float, limit: int = MAX_BODY) -> bytes:
    """The body, within `limit` bytes and `timeout` seconds: a client that sends slowly or
    forever does not hold the service."""
    too_big = Refused(413, f"de body is te groot (ten hoogste {limit // 1024} kB)")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise too_big
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_big
                chunks.append(chunk)
    except TimeoutError:
        raise Refused(
            408, f"de body kwam niet binnen {timeout:g} seconden binnen; stuur hem in één keer"
        ) from None
    return b"".join(chunks)


_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": Fout, "description": "De body is geen UTF-8 of geen JSON"},
    408: {"model": Fout, "description": "De body kwam niet op tijd binnen"},
    413: {"model": Fout, "description": "De body is te groot"},
    422: {
        "model": Fout,
        "description": "Ongeldige invoer, per veld; of een peildatum buiten de geldigheid",
    },
}


# The query parameter of every decision endpoint.
_GEMEENTE = {
    "name": "gemeente",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "pattern": f"^{valid.TERRITORY.pattern}$"},
    "description": "De gemeente waarvoor wordt beslist (CBS-code, zoals GM0503): haar invulling "
    "van de open normen geldt. Een gemeentelijke regeling beslist alleen voor haar eigen "
    "gemeente.",
}


def _decide(
    policies: Policies, ep: Endpoint, docs: str, timeout: float
) -> Callable[[Request], Any]:
    async def decide(request: Request) -> Response:
        try:
            partial = partial_wanted(request.query_params)
            gemeente = request.query_params.get("gemeente")
            data = parse_body(await _read(request, timeout))
            peildatum, regulation, inputs = check_request(policies, ep, data, partial)
            result = regulation.evaluate(
                inputs, peildatum, ep.decision, trace=True, onvolledig=partial, gemeente=gemeente
            )
        except Refused as err:
            return _refusal(err)
        except rt.EvaluationError as err:  # the same JSON as `regel evalueer` gives
            return _json(err.to_json(), 422)
        answer = result.to_json(docs)
        answer["besluit"] = ep.decision
        return _json(answer)

    return decide


def _batch_request(data: dict[str, Any]) -> tuple[datetime.date | None, list[Any]]:
    """The peildatum for cases without their own, and the cases; what is wrong within a
    case is a row of the answer, a request that is no list of objects is refused."""
    problems: dict[str, str] = {}
    for name in data:
        if name not in ("peildatum", "gevallen"):
            problems[valid.field_name(name)] = "onbekend veld; verwacht peildatum en gevallen"
    peildatum = None
    given = data.get("peildatum")
    if given is not None:
        try:
            peildatum = valid.read_peildatum(given)
        except ValueError as err:
            problems["peildatum"] = str(err)
    cases = data.get("gevallen")
    if not isinstance(cases, list):
        problems["gevallen"] = "verwacht een lijst van gevallen: [{…}, {…}]"
    elif len(cases) > MAX_BATCH_CASES:
        problems["gevallen"] = (
            f"te veel gevallen (ten hoogste {MAX_BATCH_CASES:,}; gebruik regel doorreken)"
        ).replace(",", ".")
    else:
        wrong = [str(i) for i, case in enumerate(cases, 1) if not isinstance(case, dict)]
        if wrong:
            problems["gevallen"] = (
                f"verwacht bij elk geval een object met zijn gegevens, niet bij geval "
                f"{', '.join(wrong[:10])}{' en meer' if len(wrong) > 10 else ''}"
            )
    if problems:
        raise Refused(422, "ongeldige invoer", problems, "R710")
    assert isinstance(cases, list)
    return peildatum, cases


def _summary_json(summary: Summary) -> dict[str, Any]:
    return {
        "rijen": summary.rows,
        "beslist": summary.rows - summary.errors,
        "niet_te_beslissen": summary.errors,
        "statussen": {name: dict(counts) for name, counts in summary.statuses.items()},
        "sommen": {name: value_text(v) for name, v in summary.sums.items()},
        "laagste": {name: value_text(v) for name, v in summary.lowest.items()},
        "hoogste": {name: value_text(v) for name, v in summary.highest.items()},
        "verdeling": {name: [value_text(v) for v in vs] for name, vs in summary.spread.items()},
    }


def _decide_many(policies: Policies, ep: Endpoint, timeout: float) -> Callable[[Request], Any]:
    from . import sqlrun

    regulation = policies.program.versions[ep.regulation][0]
    outcomes = list(regulation.decision(ep.decision))
    value_types: dict[str, str] = {}

    def types() -> dict[str, str]:  # worked out on the first request, not at start-up
        if not value_types:
            value_types.update(sqlrun.output_types(policies, ep.regulation, ep.decision))
        return value_types

    async def decide_many(request: Request) -> Response:
        try:
            gemeente = request.query_params.get("gemeente")
            if gemeente is not None:  # one gemeente for all: refused once, not per case
                policies.program.versions[ep.regulation][-1].check_gemeente(gemeente)
            data = parse_body(await _read(request, timeout, MAX_BATCH_BODY))
            peildatum, cases = _batch_request(data)
        except Refused as err:
            return _refusal(err)
        except rt.EvaluationError as err:
            return _json(err.to_json(), 422)

        def run() -> dict[str, Any]:  # in a thread: ten thousand cases take a while
            found, _ = policies.evaluate_many(
                ep.regulation, ep.decision, cases, peildatum, gemeente
            )
            rows = list(found)
            # summed up as `regel doorreken` sums up a caseload, spread included
            summary = sqlrun.summarise_rows(regulation, outcomes, types(), rows)
            return {"rijen": rows, "samenvatting": _summary_json(summary)}

        return _json(await asyncio.to_thread(run))

    return decide_many


def _regeling(policies: Policies, rid: str, eps: list[Endpoint]) -> dict[str, Any]:
    versions = policies.program.versions[rid]
    newest = versions[-1]
    return {
        "id": rid,
        "titel": newest.title,
        "soort": newest.kind,
        "versies": [
            {
                "titel": v.title,
                "geldig_van": v.valid_from.isoformat() if v.valid_from else None,
                "geldig_tot_en_met": v.valid_until.isoformat() if v.valid_until else None,
                "geldigheid": format_period(v.valid_from, v.valid_until),
            }
            for v in versions
        ],
        "besluiten": [
            {
                "naam": ep.decision,
                "titel": ep.title,
                "adres": ep.path,
                "uitkomsten": list(newest.decisions[ep.decision]),
            }
            for ep in eps
            if ep.regulation == rid
        ],
    }


def create_app(policies: Policies, docs: str = "", body_timeout: float = BODY_TIMEOUT) -> FastAPI:
    """The service for these policies; `docs` is the address of their `regel docs` site, and
    a body must arrive within `body_timeout` seconds."""
    app = FastAPI(
        title="regel: beslisservice",
        description="Besluiten volgens gemeentelijke regelgeving, met de motivering: elke stap "
        "noemt het artikel (en lid en onderdeel) waarop zij rust en linkt naar de documentatie. "
        "Per regeling en besluit een POST met de peildatum en de gegevens; een fout in de invoer "
        "geeft een 4xx met per veld wat er mis is.",
        version="1",
        docs_url=None,  # Swagger UI loads from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    eps = app.state.endpoints = endpoints(policies)
    # The listing only changes with the policies: made once, not per request.
    listing = {rid: _regeling(policies, rid, eps) for rid in sorted(policies.program.versions)}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _json({"fout": f"onbekend adres '{request.url.path}'; zie /regelingen"}, 404)
        if exc.status_code == 405:
            return _json({"fout": f"methode {request.method} is hier niet toegestaan"}, 405)
        return _json({"fout": str(exc.detail)}, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _json({"fout": "ongeldig verzoek"}, 422)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:  # pragma: no cover
        # A fault of ours, not of the input; still no traceback for the client.
        return _json({"fout": "interne fout in de beslisservice; de invoer is niet verloren"}, 500)

    @app.get(
        "/",
        summary="Wat deze service biedt",
        response_description="De adressen van de service",
        tags=["service"],
    )
    async def index() -> dict[str, Any]:
        return {
            "service": "regel: beslisservice",
            "regelingen": "/regelingen",
            "gezondheid": "/gezondheid",
            "openapi": "/openapi.json",
            "documentatie": docs or None,
        }

    @app.get(
        "/gezondheid",
        summary="Leeft de service?",
        response_description="De service leeft",
        tags=["service"],
    )
    async def health() -> dict[str, Any]:
        return {"status": "in orde", "regelingen": len(policies.program.versions)}

    @app.get(
        "/regelingen",
        summary="De geladen regelingen, hun geldigheid en besluiten",
        response_model=list[Regeling],
        response_description="Alle geladen regelingen",
        tags=["regelingen"],
    )
    async def regulations() -> Response:
        return _json(list(listing.values()))

    @app.get(
        "/regelingen/{regeling}",
        summary="Eén regeling: versies en besluiten",
        response_model=Regeling,
        response_description="De regeling",
        responses={404: {"model": Fout, "description": "Onbekende regeling"}},
        tags=["regelingen"],
    )
    async def regulation(
        regeling: Annotated[str, Path(description="De korte naam, zoals delft")],
    ) -> Response:
        if regeling not in listing:
            known = ", ".join(listing)
            return _json({"fout": f"onbekende regeling '{regeling}'; bekend: {known}"}, 404)
        return _json(listing[regeling])

    for ep in eps:
        app.add_api_route(
            ep.path,
            _decide(policies, ep, docs, body_timeout),
            methods=["POST"],
            summary=f"{ep.title} ({ep.regulation})",
            description=f"Neemt het besluit '{ep.decision}' van '{ep.regulation}' voor één "
            "casus: de uitkomsten, de motivering met artikelen en de oordelen van het college "
            "waarop het rust. De versie van de regeling die op de peildatum geldt, wordt "
            "toegepast.",
            response_model=Besluit,
            response_description="Het besluit met motivering",
            responses=_REFUSALS,
            tags=[ep.regulation],
            operation_id=f"besluit_{ep.regulation}_{ep.decision}",
            openapi_extra={
                "parameters": [
                    {
                        "name": "onvolledig",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "enum": ["ja", "nee"], "default": "nee"},
                        "description": "ja: de gegevens mogen onvolledig zijn. Het besluit volgt "
                        "alleen de weg die de opgegeven feiten openen; wat dan nog nodig is, "
                        "staat in nog_nodig.",
                    },
                    _GEMEENTE,
                ],
                "requestBody": {
                    "required": True,
                    "content": {JSON_TYPE: {"schema": ep.model.model_json_schema()}},
                },
            },
        )
        app.add_api_route(
            f"{ep.path}/bestand",
            _decide_many(policies, ep, body_timeout),
            methods=["POST"],
            summary=f"{ep.title} voor een bestand van gevallen ({ep.regulation})",
            description=f"Neemt het besluit '{ep.decision}' voor elk geval van een lijst (ten "
            f"hoogste {MAX_BATCH_CASES:,}): per geval de uitkomsten met status, eenheid en "
            "grondslag, of de melding bij een geval dat niet te beslissen is (de rest gaat "
            "door), en een samenvatting. Een geval mag een eigen peildatum hebben.".replace(
                ",", "."
            ),
            response_model=Doorrekening,
            response_description="Per geval een rij, en de samenvatting",
            responses=_REFUSALS,
            tags=[ep.regulation],
            operation_id=f"bestand_{ep.regulation}_{ep.decision}",
            openapi_extra={
                "parameters": [
                    _GEMEENTE,
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON_TYPE: {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["gevallen"],
                                "properties": {
                                    "peildatum": {
                                        "anyOf": [
                                            {"type": "string", "format": "date"},
                                            {"type": "null"},
                                        ],
                                        "description": "Voor de gevallen zonder eigen peildatum",
                                    },
                                    "gevallen": {
                                        "type": "array",
                                        # No maxItems: a list past it is past the body's
                                        # limit first (413), which a schema cannot say.
                                        "description": f"Ten hoogste {MAX_BATCH_CASES:,} "
                                        "gevallen".replace(",", "."),
                                        # Any object: what is wrong within a case is a
                                        # row of the answer, not a refusal of them all.
                                        "items": {
                                            "type": "object",
                                            "description": "De gegevens van een geval, zoals "
                                            f"bij POST {ep.path}; de peildatum mag ontbreken",
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
            },
        )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema without its English 422 for path parameters: a path of text cannot
    fail validation here, and every refusal this service gives is a `Fout`."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for path in schema["paths"].values():
            for operation in path.values():
                refused = operation["responses"].get("422", {})
                if "HTTPValidationError" in json.dumps(refused):
                    del operation["responses"]["422"]
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema
