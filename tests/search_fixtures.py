"""Helpers for the search, address and "in mijn buurt" tests (issue 10)."""
from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
HERENTALS_ADDRESSES = DATA / "adressen_herentals_TESTGEGEVENS.csv"
HALLE_ADDRESSES = DATA / "adressen_halle_TESTGEGEVENS.csv"
NOORDERWIJK = "1301106"
SINT_ROCHUS = "23027A1"
NETEPARK_WIJK = "1301107"          # Open ruimte Nete en Aa: the Netepark and the test Vorselaarsebaan points
NOORDERWIJK_LAT_LON = (51.13381, 4.83279)   # inside wijk Noorderwijk (its representative point, in WGS84)
RWA = {"HER-SO-05", "HER-SO-06", "HER-SO-07", "HER-SO-08"}
NETEPARK = {"HER-VT-14", "HER-VT-15", "HER-VT-16", "HER-VT-17", "HER-SO-02"}


def import_test_addresses(session) -> None:
    from app.write.imports.addresses import import_addresses

    import_addresses(session, HERENTALS_ADDRESSES, municipality="13011", source_text="TESTGEGEVENS")
    import_addresses(session, HALLE_ADDRESSES, municipality="halle", source_text="TESTGEGEVENS")
    session.commit()
