"""The Netherlands as an SVG map, drawn on the server from the 2025 municipal boundaries.

The boundaries ship with the package (`data/gemeente_2025.topojson`: the 342 municipalities of
2025, TopoJSON keyed by CBS code, generalised for national maps; Kadaster / CBS via PDOK,
simplified by cartomap/nl). TopoJSON stores shared borders once as quantised, delta-encoded
arcs; a municipality is the rings of arcs around it. Decoding them is a few lines, so no
mapping library and no tiles from the internet are needed, and the map is plain SVG that any
browser shows and any test can read.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

from markupsafe import escape

CREDIT = "Bron: Kadaster / CBS (via PDOK), vereenvoudigd door cartomap/nl"
WIDTH = 560
LATITUDE = 52.2  # the middle of the country: east-west distances shrink by its cosine


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # lon/lat


@cache
def boundaries() -> tuple[Municipality, ...]:
    """Every municipality's outline (decoded once per process)."""
    source = resources.files("wooarchive").joinpath("data/gemeente_2025.topojson")
    topology = json.loads(source.read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> tuple[tuple[float, float], ...]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)  # consecutive arcs share an end point
        return tuple(points)

    result = []
    for geometry in topology["objects"]["gemeente_2025"]["geometries"]:
        polygons = (
            [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        )  # MultiPolygon: a list of polygons
        rings = tuple(ring(r) for polygon in polygons for r in polygon)
        props = geometry["properties"]
        result.append(Municipality(props["statcode"], props["statnaam"], rings))
    return tuple(sorted(result, key=lambda m: m.code))


def _projection():
    points = [p for m in boundaries() for r in m.rings for p in r]
    shrink = math.cos(math.radians(LATITUDE))
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    scale = WIDTH / ((east - west) * shrink)
    height = (north - south) * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * shrink * scale, (north - lat) * scale

    return project, height


def choropleth(
    fills: dict[str, str],
    titles: dict[str, str],
    links: dict[str, str],
    *,
    label: str,
    default: str = "#ddd",
) -> str:
    """The map with each municipality filled (``fills`` by CBS code), a tooltip, and a link;
    one path per municipality, holes and islands included (evenodd)."""
    project, height = _projection()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" role="group" '
        f'aria-label="{escape(label)}" class="map" style="max-width:100%;height:auto">',
        f"<title>{escape(label)}</title>",
    ]
    for municipality in boundaries():
        d = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (project(*p) for p in ring)) + " Z"
            for ring in municipality.rings
        )
        code = municipality.code
        fill = fills.get(code, default)
        title = escape(titles.get(code, municipality.name))
        path = (
            f'<path d="{d}" fill="{fill}" fill-rule="evenodd" stroke="#fff" stroke-width="0.4" '
            f'data-code="{code}"><title>{title}</title></path>'
        )
        href = links.get(code)
        parts.append(f'<a href="{escape(href)}">{path}</a>' if href else path)
    parts.append("</svg>")
    return "".join(parts)
