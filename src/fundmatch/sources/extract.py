"""Reading facts out of call text: clean text, deadlines, budgets and co-financing rates.

Pure functions over strings, in English, French, Italian, Spanish and Greek (and German for
the month names). They find what a sentence states and leave the rest unknown; no guessing.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from fundmatch.models import Budget, Deadline

__all__ = [
    "clean_text",
    "find_amounts",
    "find_budget",
    "find_co_financing_rate",
    "find_deadlines",
    "find_partnership",
    "repair_mojibake",
]

# --- clean text -----------------------------------------------------------------------

_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "dd", "dt", "hr",
}  # fmt: skip
# Bidi controls and zero-width characters: invisible, and used to spoof text.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")


_SKIPPED = re.compile(
    r"<(script|style|head|title|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_TAG = re.compile(rf"</?(?:{'|'.join(sorted(_BLOCK))})\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<![^>]*>")
_SPACES = re.compile(r" {2,}")
_LINE_EDGES = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff]")
# Two blocks glued when their markup was dropped without a break (``Outcome:A growing``,
# ``activities.Proposals``): a word, a colon or full stop, then a capitalised word. Links are
# matched first and left alone; initials (``U.S.``) and numbers (``3.5``) never match.
_GLUED = re.compile(
    r"(?P<link>(?:https?://|www\.|mailto:)\S+)"
    r"|(?<=[a-z)][:;!?])(?=[A-Z])|(?<=[a-z)]\.)(?=[A-Z][a-z]|[AI] )"
)


def clean_text(value: str | None) -> str:
    """HTML or plain text to clean plain text.

    Tags are dropped (block elements become line breaks), entities decoded, control, bidi and
    zero-width characters removed, runs of spaces collapsed, at most one blank line kept. A
    space is put back between blocks that lost it (``Expected Outcome:A growing`` reads
    ``Expected Outcome: A growing``).
    """
    if not value:
        return ""
    if "<" in value:
        value = _SKIPPED.sub(" ", value)
        value = _BLOCK_TAG.sub("\n", value)
        value = _TAG.sub("", value)
    value = html.unescape(value)
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    value = _CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = value.replace("\t", " ").replace("\xa0", " ")
    value = _GLUED.sub(lambda m: m.group("link") or " ", value)
    text = _SPACES.sub(" ", value)
    text = _LINE_EDGES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


# UTF-8 read as cp1252: a lead byte (Â..ô), then continuation bytes as cp1252 shows them.
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + re.escape(_CP1252_HIGH) + "]{1,3}")


def _cp1252_byte(ch: str) -> bytes:
    try:
        return ch.encode("cp1252")
    except UnicodeEncodeError:
        if ord(ch) < 256:  # the five bytes cp1252 leaves undefined were read as latin-1
            return bytes([ord(ch)])
        raise


def repair_mojibake(value: str) -> str:
    """Undo UTF-8 text that was decoded as cp1252 (``â€œ`` → ``“``), run by run.

    A run is replaced only when its bytes decode as UTF-8, so correct accented text
    (``Région``) is left alone.
    """
    if not value or not _MOJIBAKE.search(value):
        return value

    def fix(match: re.Match[str]) -> str:
        run = match.group(0)
        try:
            return b"".join(_cp1252_byte(ch) for ch in run).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return run

    return _MOJIBAKE.sub(fix, value)


# --- dates ----------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _month_number, _names in enumerate(
    [
        "january janvier gennaio enero januar ιανουαρίου ιανουάριος jan janv gen ene ιαν",
        "february février fevrier febbraio febrero februar φεβρουαρίου φεβρουάριος "
        "feb fév fevr févr φεβ",
        "march mars marzo märz μαρτίου μάρτιος mar mär μαρ",
        "april avril aprile abril απριλίου απρίλιος apr avr abr απρ",
        "may mai maggio mayo μαΐου μαίου μάιος mag",
        "june juin giugno junio juni ιουνίου ιούνιος jun giu ιουν",
        "july juillet luglio julio juli ιουλίου ιούλιος jul juil lug ιουλ",
        "august août aout agosto αυγούστου αύγουστος aug ago αυγ",
        "september septembre settembre septiembre setiembre σεπτεμβρίου σεπτέμβριος "
        "sep sept set σεπ",
        "october octobre ottobre octubre oktober οκτωβρίου οκτώβριος oct ott okt οκτ",
        "november novembre noviembre νοεμβρίου νοέμβριος nov νοε",
        "december décembre decembre dicembre diciembre dezember δεκεμβρίου δεκέμβριος "
        "dec déc dic dez δεκ",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _month_number

_MONTH = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_TIME = r"(?P<hour>[01]?\d|2[0-3])[:.hH](?P<minute>[0-5]\d)"
_ZONE = (
    r"(?P<zone>CET|CEST|EET|EEST|UTC|GMT|WET|WEST|"
    r"(?:Brussels|Bruxelles|Brussels local) time|heure de Bruxelles|ora di Bruxelles|"
    r"hora de Bruselas|ώρα Βρυξελλών|ώρα Ελλάδας|ora italiana|heure de Paris|hora peninsular)"
)
_DATE_FORMS = [
    # 12 June 2024 / 12 juin 2024 / 12 de junio de 2024 / 12 Ιουνίου 2024 / 1er juillet 2024
    rf"(?P<day>[0-3]?\d)(?:er|st|nd|rd|th|η|º|°)?\.?\s+(?:de\s+)?(?P<month>{_MONTH})\.?,?\s+(?:de\s+|del\s+)?(?P<year>20\d\d)",
    # June 12, 2024
    rf"(?P<month2>{_MONTH})\.?\s+(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<year2>20\d\d)",
    # 2024-06-12
    r"(?P<year3>20\d\d)-(?P<month3>[01]\d)-(?P<day3>[0-3]\d)",
    # 12/06/2024, 12.06.2024, 12-06-2024 (day first, as in every language here)
    r"(?P<day4>[0-3]?\d)[./-](?P<month4>[01]?\d)[./-](?P<year4>20\d\d)",
]
_DATE = "(?:" + "|".join(f"(?:{form})" for form in _DATE_FORMS) + ")"
_TIME_AFTER = (
    rf"(?:\s*(?:,|at|à|a las|alle|alle ore|ore|h|hrs|ώρα|,\s*ώρα|-|–)?\s*{_TIME}"
    rf"(?:\s*(?:h|hrs|hours|Uhr))?(?:\s*\(?{_ZONE}\)?)?)?"
)
_DATE_RE = re.compile(rf"(?<![\w/.-]){_DATE}{_TIME_AFTER}", re.IGNORECASE)

_DEADLINE_WORDS = re.compile(
    r"deadline|closing date|closes|close on|submission date|apply by|submit by|until|cut-off|"
    r"date limite|échéance|clôture|jusqu'au|avant le|"
    r"scadenza|scade|termine|entro il|entro le|chiusura|"
    r"plazo|fecha límite|fecha limite|cierre|hasta el|"
    r"προθεσμία|καταληκτική|λήξη|έως|μέχρι",
    re.IGNORECASE,
)
_ZONES = {
    "cet": "Europe/Brussels",
    "cest": "Europe/Brussels",
    "eet": "Europe/Athens",
    "eest": "Europe/Athens",
    "utc": "UTC",
    "gmt": "UTC",
    "wet": "Europe/Lisbon",
    "west": "Europe/Lisbon",
    "ώρα ελλάδας": "Europe/Athens",
    "ora italiana": "Europe/Rome",
    "heure de paris": "Europe/Paris",
    "hora peninsular": "Europe/Madrid",
}


def _zone_name(token: str | None, default: str) -> str:
    if not token:
        return default
    return _ZONES.get(token.lower(), "Europe/Brussels")


def _date_parts(match: re.Match[str]) -> tuple[int, int, int] | None:
    groups = match.groupdict()
    for suffix in ("", "2", "3", "4"):
        day, month, year = groups[f"day{suffix}"], groups[f"month{suffix}"], groups[f"year{suffix}"]
        if day is None:
            continue
        number = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."))
        if number is None:
            return None
        return int(year), number, int(day)
    return None


def find_deadlines(text: str, *, timezone: str = "Europe/Brussels") -> list[Deadline]:
    """Deadlines a text states next to a deadline word, in any of the supported languages.

    ``"Deadline: 12 June 2024, 13:00 CET"`` gives 13:00 Europe/Brussels. A stated zone wins;
    otherwise ``timezone`` (the source's) is used. A date without a time becomes 23:59 that day,
    and its label says the time was assumed.
    """
    found: dict[datetime, Deadline] = {}
    for match in _DATE_RE.finditer(text):
        before = text[max(0, match.start() - 80) : match.start()]
        if not _DEADLINE_WORDS.search(before):
            continue
        parts = _date_parts(match)
        if parts is None:
            continue
        zone = _zone_name(match.group("zone"), timezone)
        hour, minute = match.group("hour"), match.group("minute")
        try:
            if hour is not None:
                moment = datetime.combine(
                    datetime(*parts).date(), time(int(hour), int(minute)), ZoneInfo(zone)
                )
                label = None
            else:
                moment = datetime.combine(datetime(*parts).date(), time(23, 59), ZoneInfo(zone))
                label = "time not stated: end of day assumed"
        except ValueError:
            continue  # 31 February and friends
        found.setdefault(moment, Deadline(at=moment, timezone=zone, label=label))
    return sorted(found.values(), key=lambda d: d.at)


# --- money ----------------------------------------------------------------------------

_NUMBER = r"\d{1,3}(?:[.,\s\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_MULTIPLIER = (
    r"billion|bn|milliards?|miliardi|miliardo|mil millones|δισεκατομμύρια|δισ|"
    r"millions|million|mio|mln|milioni|milione|millones|millón|millon|"
    r"εκατομμύρια|εκατομμυρίων|εκατ|M|k|thousand|mila|mil"
)
_CURRENCY = r"(?P<cur>EUR|€|euros?|ευρώ)"
_CURRENCY2 = r"(?P<cur2>EUR|€|euros?|ευρώ)"
_AMOUNT_RE = re.compile(
    rf"(?:{_CURRENCY}\s?(?P<num>{_NUMBER})(?:\s?(?P<mult>{_MULTIPLIER})\b\.?)?)"
    rf"|(?:(?P<num2>{_NUMBER})\s?(?:(?P<mult2>{_MULTIPLIER})\.?\s?(?:de\s|di\s)?)?{_CURRENCY2})",
    re.IGNORECASE,
)
_FACTORS = {
    "billion": 10**9, "bn": 10**9, "milliard": 10**9, "milliards": 10**9, "miliardi": 10**9,
    "miliardo": 10**9, "mil millones": 10**9, "δισ": 10**9, "δισεκατομμύρια": 10**9,
    "k": 10**3, "thousand": 10**3, "mila": 10**3, "mil": 10**3,
}  # fmt: skip


def _factor(token: str | None) -> int:
    if not token:
        return 1
    key = token.lower().rstrip(".")
    if key in _FACTORS:
        return _FACTORS[key]
    return 10**6  # million, M, mio, mln, milioni, millones, εκατ.


def _number(raw: str, scaled: bool) -> Decimal | None:
    raw = re.sub(r"[\s\u00a0\u202f]", "", raw)
    seps = re.findall(r"[.,]", raw)
    if not seps:
        cleaned = raw
    elif len(seps) == 1:
        whole, frac = re.split(r"[.,]", raw)
        # "2.5 million" / "2,5 M€" are decimals; "500,000" / "1.000" without a factor are thousands.
        cleaned = f"{whole}.{frac}" if scaled or len(frac) != 3 else whole + frac
    else:
        last = max(raw.rfind("."), raw.rfind(","))
        head, frac = raw[:last], raw[last + 1 :]
        head = re.sub(r"[.,]", "", head)
        cleaned = f"{head}.{frac}" if len(frac) != 3 or raw[last] != seps[0] else head + frac
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def find_amounts(text: str) -> list[tuple[int, Decimal]]:
    """Every euro amount in ``text`` with its position (``EUR 2.5 million``, ``2,5 M€``)."""
    amounts: list[tuple[int, Decimal]] = []
    for match in _AMOUNT_RE.finditer(text):
        raw = match.group("num") or match.group("num2")
        mult = match.group("mult") or match.group("mult2")
        value = _number(raw, scaled=bool(mult))
        if value is None:
            continue
        value *= _factor(mult)
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        amounts.append((match.start(), value))
    return amounts


_MAX_WORDS = re.compile(
    r"up to|maximum|max\.?|at most|not exceed|per project|ceiling|"
    r"jusqu'à|jusqu’à|plafond|maximale?|par projet|"
    r"fino a|massimo|per progetto|"
    r"hasta|máximo|por proyecto|"
    r"έως|μέγιστ|ανά έργο",
    re.IGNORECASE,
)
_MIN_WORDS = re.compile(r"minimum|at least|au moins|minimo|mínimo|ελάχιστ", re.IGNORECASE)
_TOTAL_WORDS = re.compile(
    r"budget|envelope|total|funds available|available funding|"
    r"dotation|enveloppe|dotazione|stanziamento|presupuesto|dotación|προϋπολογισμός",
    re.IGNORECASE,
)


def find_budget(text: str) -> Budget:
    """The budget a text states: the total envelope and the per-project range, where worded.

    An amount is a per-project maximum after "up to"/"jusqu'à"/"fino a"/"hasta"/"έως", a
    minimum after "at least"/"minimum", and the total after "budget"/"dotation"/"presupuesto".
    Amounts without such a word are left out.
    """
    total: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    for start, value in find_amounts(text):
        before = text[max(0, start - 60) : start]
        if _MIN_WORDS.search(before[-30:]):
            low = value if low is None else min(low, value)
        elif _MAX_WORDS.search(before[-40:]):
            high = value if high is None else max(high, value)
        elif _TOTAL_WORDS.search(before):
            total = value if total is None else max(total, value)
    if low is not None and high is not None and low > high:
        low = None
    return Budget(total=total, per_project_min=low, per_project_max=high)


_RATE_WORDS = (
    r"co-?financ\w*|cofinanc\w*|co-?finanz\w*|cofinanz\w*|co-?financement|"
    r"συγχρηματοδότ\w*|funding rate|grant rate|taux de financement|taux d'aide|"
    r"tasso di finanziamento|intensità|intensidad de (?:la )?ayuda|tasa de financiación"
)
_PER_CENT = r"\s?(?:%|per ?cent|pour cent|per cento|por ciento|τοις εκατό)"
_RATE_RE = re.compile(
    rf"(?:(?P<pct>\d{{1,3}}(?:[.,]\d+)?){_PER_CENT}[^.%\n]{{0,40}}?(?:{_RATE_WORDS}))"
    rf"|(?:(?:{_RATE_WORDS})[^.%\n]{{0,60}}?(?P<pct2>\d{{1,3}}(?:[.,]\d+)?){_PER_CENT})",
    re.IGNORECASE,
)


def find_co_financing_rate(text: str) -> Decimal | None:
    """The co-financing rate a text states, as a fraction (``"80 % co-financing"`` → 0.8).

    Several rates (e.g. by partner type): the highest, which is what the best-placed partner
    receives. None when no rate is stated next to a co-financing word.
    """
    rates: list[Decimal] = []
    for match in _RATE_RE.finditer(text):
        raw = (match.group("pct") or match.group("pct2")).replace(",", ".")
        value = Decimal(raw) / 100
        if 0 < value <= 1:
            rates.append(value)
    return max(rates) if rates else None


_COUNT_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "due": 2, "tre": 3, "quattro": 4,
    "dos": 2, "tres": 3, "cuatro": 4, "δύο": 2, "τρεις": 3, "τρία": 3, "τέσσερις": 4,
}  # fmt: skip
_PARTNERS_RE = re.compile(
    r"(?:at least|minimum of|a minimum of|au moins|almeno|al menos|τουλάχιστον)\s+"
    r"(?P<n>\d+|[a-zδ-ώ]+)\s+(?:\(\d+\)\s+)?(?P<rest>[^.;]{0,160})",
    re.IGNORECASE,
)
_ENTITY_WORDS = re.compile(
    r"entit|partner|applicant|organi[sz]ation|beneficiar|bénéficiaire|partenaire|partner|socio|εταίρ",
    re.IGNORECASE,
)
_COUNTRY_WORDS = re.compile(
    r"different (?:EU )?(?:Member States?|countr(?:y|ies)|participating countr(?:y|ies))|"
    r"(?:pays|États membres) différents|paesi diversi|países diferentes|διαφορετικ",
    re.IGNORECASE,
)


_FROM_N_COUNTRIES = re.compile(
    r"(?:from|in|of)\s+(?:at least\s+)?(?P<n>\d+|[a-z]+)\s+(?:\(\d+\)\s+)?"
    r"(?:different\s+)?(?:EU\s+)?(?:countries|Member States|participating countries)",
    re.IGNORECASE,
)


def find_partnership(text: str) -> tuple[int | None, int | None]:
    """Smallest consortium a text requires: ``(min_partners, min_countries)``.

    ``"at least three independent legal entities, each established in a different Member
    State"`` gives (3, 3). Unknown parts are None.
    """
    partners: int | None = None
    countries: int | None = None
    for match in _PARTNERS_RE.finditer(text):
        token = match.group("n").lower()
        number = int(token) if token.isdigit() else _COUNT_WORDS.get(token)
        if number is None or not 1 <= number <= 50:
            continue
        rest = match.group("rest")
        if not _ENTITY_WORDS.search(rest[:60]):
            if _COUNTRY_WORDS.search("different " + rest[:40]) or re.match(
                r"(?:different )?(?:countries|Member States|pays|paesi|países)", rest, re.IGNORECASE
            ):
                countries = max(countries or 0, number)
            continue
        partners = max(partners or 0, number)
        named = _FROM_N_COUNTRIES.search(rest)
        if named:  # "5 partners from 3 different countries": the countries are counted apart
            token = named.group("n").lower()
            count = int(token) if token.isdigit() else _COUNT_WORDS.get(token)
            if count is not None and 1 <= count <= number:
                countries = max(countries or 0, count)
        elif _COUNTRY_WORDS.search(rest):
            countries = max(countries or 0, number)
    return partners, countries
