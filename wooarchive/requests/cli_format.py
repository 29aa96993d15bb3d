"""The readable (non-JSON) form of a deadline timeline, in Dutch legal terms."""

from __future__ import annotations

from wooarchive.requests.deadlines import Timeline

STATUS = {
    "open": "loopt",
    "overdue": "termijn verstreken, nog geen besluit",
    "decided_on_time": "tijdig beslist",
    "decided_late": "te laat beslist",
}
KIND = {"woo": "Woo-verzoek", "avg": "AVG-verzoek"}


def render(t: Timeline) -> str:
    """A timeline a requester can read: status first, then every date with its rule."""
    status = STATUS[t.status]
    if t.days_late:
        status += f" ({t.days_late} dagen te laat)"
    lines = [
        f"{KIND[t.law]} ontvangen op {t.received}; stand op {t.today}: {status}",
        f"beslistermijn loopt tot en met {t.due}"
        + (f" (oorspronkelijk {t.original_due})" if t.due != t.original_due else ""),
    ]
    if t.extension_valid is False:
        lines.append("verdaging/verlenging ongeldig: te laat meegedeeld")
    if t.objection_due:
        lines.append(f"bezwaar mogelijk tot en met {t.objection_due}")
    if t.appeal_possible_from:
        lines.append(f"beroep niet tijdig beslissen mogelijk vanaf {t.appeal_possible_from}")
    lines.append("")
    width = max(len(b.what) for b in t.basis)
    lines += [f"{b.date}  {b.what:<{width}}  {b.rule}" for b in t.basis]
    return "\n".join(lines)
