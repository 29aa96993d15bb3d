"""Letters from Jinja2 templates, in Dutch, each stating the law and the deadline it triggers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound

from wooarchive.dutch import long_date
from wooarchive.requests.deadlines import Events, timeline

# template -> (law, what it is). Templates starting with woo_/avg_ open a request; the others
# are follow-ups to an existing one.
TEMPLATES: dict[str, tuple[str, str]] = {
    "woo_algemeen": ("woo", "Woo-verzoek over een onderwerp naar keuze (--subject)"),
    "woo_verwerkingsregister": ("woo", "register van verwerkingsactiviteiten (art. 30 AVG)"),
    "woo_dpia": ("woo", "DPIA's met adviezen van de FG"),
    "woo_fg_jaarverslag": ("woo", "jaarverslagen van de functionaris gegevensbescherming"),
    "woo_datalekregister": ("woo", "register van datalekken (art. 33 lid 5 AVG)"),
    "woo_avg_verzoeken": ("woo", "aantal en afhandeling van AVG-verzoeken"),
    "woo_privacy_formatie": ("woo", "formatie en budget voor privacy"),
    "avg_inzage": ("avg", "inzageverzoek in eigen persoonsgegevens (art. 15 AVG)"),
    "ingebrekestelling_woo": ("woo", "ingebrekestelling na een verstreken Woo-termijn"),
    "ingebrekestelling_avg": ("avg", "ingebrekestelling na een verstreken AVG-termijn"),
    "bezwaarschrift": ("", "opzet voor een bezwaarschrift tegen een besluit"),
    "klacht_ap": ("avg", "opzet voor een klacht bij de Autoriteit Persoonsgegevens"),
}
OPENING = tuple(name for name in TEMPLATES if name.startswith(("woo_", "avg_")))

_env = Environment(
    loader=PackageLoader("wooarchive.requests", "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,  # plain-text letters, never HTML
)


class LetterError(ValueError):
    pass


@dataclass(frozen=True)
class Requester:
    name: str
    email: str
    address: str


def render(template: str, **context) -> str:
    """Fill a template in; dates in the context are written out the Dutch way."""
    if template not in TEMPLATES:
        raise LetterError(f"unknown template {template!r}; choose from: {', '.join(TEMPLATES)}")
    try:
        loaded = _env.get_template(f"{template}.txt.j2")
    except TemplateNotFound as exc:  # pragma: no cover - the table above and the files agree
        raise LetterError(f"template file for {template!r} is missing") from exc
    today = context.get("today") or date.today()
    values = {k: long_date(v) if isinstance(v, date) else v for k, v in context.items()}
    values.setdefault("today_long", long_date(today))
    values.setdefault("year", today.year)
    return loaded.render(**values).strip() + "\n"


def opening_due(law: str, today: date) -> date:
    """The deadline a request sent today triggers (what the letter announces)."""
    return timeline(law, today, Events(), today=today).due
