"""Which addresses a fetch may reach: never an internal one unless the user asked for it.

A hostile site can name any host in a link, a redirect or a robots.txt `Sitemap:` line; fetched
and archived, an internal service's answer (a cloud metadata endpoint, a router's admin page)
would end up on the public site. So every URL is checked before it is fetched (its host resolved,
every address it resolves to must be public), and the address actually connected to is checked
again after (a DNS answer can change between the two). Internal addresses are allowed only for
the hosts the user started with (a crawl of the fixture web on 127.0.0.1, an `woo archive add` of
an intranet URL the user typed).

Registrable domains come from tldextract's bundled public suffix list: nothing is downloaded at
run time.

Only http and https are ever fetched. A `file://` URL naming the site's own host passes every
host check (Scrapy's file handler, like urllib's, ignores the host and reads the path), so a
robots.txt `Sitemap: file://www.gemeente.nl/srv/woo/requests.db` would archive, and publish,
the private database; `ftp://`, `s3://` and `data:` have no place in a crawl either.

Behind a proxy (`http_proxy`, `https_proxy`, `no_proxy`, as Scrapy and httpx read them) every
answer comes from the proxy's address, often an internal one: the target host is judged before
the fetch (resolved here; a name that resolves to an internal address is refused), and the
address an answer came from is not asked.
"""

from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

from tldextract import TLDExtract

_extract = TLDExtract(suffix_list_urls=(), include_psl_private_domains=False)


SCHEMES = ("http", "https")


class Forbidden(ValueError):
    """The URL leads to an internal address, or is not http(s); the message names it."""


def registrable(host: str) -> str:
    """The registrable domain of a host ("gemeente.nl" for "www.gemeente.nl"); the host itself
    for an IP address or a name without a public suffix."""
    parts = _extract(host)
    return parts.top_domain_under_public_suffix or host


def is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


@lru_cache(maxsize=4096)
def _addresses(host: str, port: int) -> tuple[str, ...]:
    try:
        return tuple(
            sorted(
                {info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)}
            )
        )
    except (socket.gaierror, UnicodeError):
        return ()  # an unknown host fails at fetch time, and is recorded there


def resolve_ahead(urls: list[str], workers: int = 32) -> None:
    """Resolve the hosts of ``urls`` in threads, into the cache the checks read: a crawl of the
    country starts some 400 hosts at once, and resolving them one by one on the crawl's thread
    would hold it up for as long as the slowest resolver answers, times 400."""
    targets = {
        (host_of(u), urlsplit(u).port or (443 if u.startswith("https") else 80)) for u in urls
    }
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda target: _addresses(*target), [t for t in targets if t[0]]))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def target_of(url: str) -> str:
    """A URL's host and port ("127.0.0.1:8001"): what an exception for an internal address is
    made for. The user who starts on one local service has not opened every other port of the
    same machine (a database's web console, a metadata service)."""
    parts = urlsplit(url)
    return (
        f"{(parts.hostname or '').lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    )


def check_scheme(url: str) -> None:
    """Raise Forbidden unless ``url`` is http or https (with a host)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise Forbidden(f"{url}: not an http(s) URL; only http and https are ever fetched")


def check_url(url: str, allowed: frozenset[str] = frozenset()) -> None:
    """Raise Forbidden when ``url`` is not http(s), or its host is, or resolves to, an
    internal address and its host and port are not one of the ``allowed`` targets."""
    check_scheme(url)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if allowed and target_of(url) in allowed:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in _addresses(host, port):
        if is_internal(address):
            raise Forbidden(f"{url}: {host} is an internal address ({address}); not fetched")


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (None: fetched directly), as Scrapy's
    HttpProxyMiddleware and httpx decide it."""
    parts = urlsplit(url)
    proxies = getproxies_environment()
    proxy = proxies.get(parts.scheme.lower())
    if not proxy or proxy_bypass_environment(parts.hostname or "", proxies):
        return None
    return proxy


def check_peer(url: str, address: str | None, allowed: frozenset[str] = frozenset()) -> None:
    """Raise Forbidden when the address a response came from is internal (DNS can answer
    differently from one moment to the next) and the URL's host is not an allowed one."""
    if address and is_internal(address) and target_of(url) not in allowed:
        raise Forbidden(f"{url}: answered from the internal address {address}; not archived")


def allowed_for(*urls: str) -> frozenset[str]:
    """The host:port targets among ``urls`` that are internal: what the user chose to reach."""
    found = set()
    for url in urls:
        host, target = host_of(url), target_of(url)
        if host and any(is_internal(a) for a in _addresses(host, int(target.rsplit(":", 1)[1]))):
            found.add(target)
    return frozenset(found)
