"""Who is asking: the requester, from the environment. Kept only in requests.db."""

from __future__ import annotations

import os

from wooarchive.requests.letters import Requester


class NoRequester(ValueError):
    pass


def requester() -> Requester:
    """WOO_REQUESTER_NAME, WOO_REQUESTER_EMAIL and WOO_REQUESTER_ADDRESS (lines separated by
    "\\n" or ";"): a Woo or AVG request needs a name and an address to answer to."""
    name = os.environ.get("WOO_REQUESTER_NAME", "").strip()
    email = os.environ.get("WOO_REQUESTER_EMAIL", "").strip()
    address = (
        os.environ.get("WOO_REQUESTER_ADDRESS", "").replace(";", "\n").replace("\\n", "\n").strip()
    )
    missing = [
        k for k, v in (("WOO_REQUESTER_NAME", name), ("WOO_REQUESTER_EMAIL", email)) if not v
    ]
    if missing:
        raise NoRequester(
            f"set {' and '.join(missing)} (and WOO_REQUESTER_ADDRESS) before writing a request"
        )
    if "@" not in email:
        raise NoRequester(f"WOO_REQUESTER_EMAIL {email!r} is not an e-mail address")
    return Requester(name, email, "\n".join(line.strip() for line in address.splitlines()))
