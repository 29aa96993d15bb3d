"""The readable (non-JSON) form of a deadline timeline, in Dutch legal terms.

The CLI writes dates as ISO (scripts and people both read them); the dossier passes
``long_date`` to write them as a Dutch court reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from wooarchive.requests.deadlines import Dwangsom, Timeline, euros

STATUS = {
    "open": "loopt",
    "overdue": "termijn verstreken, nog geen besluit",
    "decided_on_time": "tijdig beslist",
    "decided_late": "te laat beslist",
    "withdrawn": "ingetrokken",
}
# the same, short, for the one-line-per-request table of `woo requests`
STATUS_SHORT = {
    "draft": "concept",
    "undelivered": "niet bezorgd",
    "open": "loopt",
    "overdue": "te laat",
    "decided_on_time": "tijdig beslist",
    "decided_late": "te laat beslist",
    "withdrawn": "ingetrokken",
}
KIND = {"woo": "Woo-verzoek", "avg": "AVG-verzoek"}
# what each dated line of a timeline is, in the words of the law
WHAT = {
    "received": "verzoek ontvangen",
    "original_due": "einde beslistermijn",
    "due": "einde verlengde termijn",
    "verdaging": "verdaging",
    "extension": "verlenging",
    "zienswijze": "zienswijze",
    "opschorting": "opschorting",
    "decided": "besluit",
    "objection_due": "einde bezwaartermijn",
    "withdrawn": "ingetrokken",
    "in_default": "in gebreke",
    "no_dwangsom": "geen dwangsom",
    "complaint": "klacht AP",
    "ingebrekestelling": "ingebrekestelling",
    "ingebrekestelling_received": "ingebrekestelling ontvangen",
    "appeal_moot": "geen beroep",
    "appeal_possible_from": "beroep mogelijk",
    "dwangsom_from": "dwangsom vanaf",
    "dwangsom_until": "dwangsom tot en met",
}


def length_text(law: str, length: int) -> str:
    """What a verdaging names: "7 dagen" for the Woo, "1 maand" for the AVG."""
    if law == "woo":
        return f"{length} {'dag' if length == 1 else 'dagen'}"
    return f"{length} {'maand' if length == 1 else 'maanden'}"


def dwangsom_lines(d: Dwangsom, show: Callable[[date], str] = date.isoformat) -> list[str]:
    """The dwangsom of a late AVG decision: when it runs, how many days, what it comes to."""
    assumed = " (aangenomen: dag van verzending per e-mail)" if d.received_assumed else ""
    lines = [
        f"ingebrekestelling ontvangen op {show(d.received)}{assumed}",
        f"dwangsom (Awb 4:17) loopt vanaf {show(d.first_day)}, ten hoogste tot en met "
        f"{show(d.last_day)}",
    ]
    if d.days:
        state = "eindbedrag" if d.final else "tot nu toe, loopt nog"
        lines.append(f"dwangsom: {d.days} dagen, {euros(d.amount)} ({state})")
    else:
        lines.append("dwangsom: nog niet verbeurd")
    return lines


def render(t: Timeline, show: Callable[[date], str] = date.isoformat) -> str:
    """A timeline a requester can read: status first, then every date with its rule."""
    status = STATUS[t.status]
    if t.days_late:
        status += f" ({t.days_late} dagen te laat)"
    lines = [
        f"{KIND[t.law]} ontvangen op {show(t.received)}; stand op {show(t.today)}: {status}",
        f"beslistermijn loopt tot en met {show(t.due)}"
        + (f" (oorspronkelijk {show(t.original_due)})" if t.due != t.original_due else ""),
    ]
    if t.extension_valid is False:
        lines.append("verdaging/verlenging ongeldig: te laat meegedeeld")
    if t.objection_due:
        lines.append(f"bezwaar mogelijk tot en met {show(t.objection_due)}")
    if t.appeal_possible_from:
        lines.append(f"beroep niet tijdig beslissen mogelijk vanaf {show(t.appeal_possible_from)}")
    if t.dwangsom:
        lines += dwangsom_lines(t.dwangsom, show)
    lines.append("")
    labels = [(show(b.date), WHAT.get(b.what, b.what), b.rule) for b in t.basis]
    width = max(len(label) for _, label, _ in labels)
    lines += [f"{day}  {label:<{width}}  {rule}" for day, label, rule in labels]
    return "\n".join(lines)
