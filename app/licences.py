"""The data licences a city can choose, machine-readable: an identifier
(SPDX where the licence has one), the Dutch name and the URL of its text.

The Flemish model licences have no SPDX identifier; they get a short one of
ours (`Modellicentie-Gratis-Hergebruik`). Their URLs are those of
Digitaal Vlaanderen's page on the conditions for reuse (see docs/staff.md).
A city may also enter another licence with its own name and URL.

The boundaries (Statbel via Provincies in Cijfers) carry Statbel's open data
licence whatever the city chooses (geodata/areas/README.md)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    id: str
    name: str
    url: str


KNOWN_LICENCES: dict[str, Licence] = {lic.id: lic for lic in (
    Licence("CC0-1.0", "Creative Commons Zero 1.0 (publiek domein)",
            "https://creativecommons.org/publicdomain/zero/1.0/"),
    Licence("CC-BY-4.0", "Creative Commons Naamsvermelding 4.0 Internationaal",
            "https://creativecommons.org/licenses/by/4.0/"),
    Licence("Modellicentie-Gratis-Hergebruik", "Modellicentie voor gratis hergebruik (Vlaamse overheid)",
            "https://www.vlaanderen.be/digitaal-vlaanderen/onze-oplossingen/open-data/"
            "voorwaarden-voor-het-hergebruik-van-overheidsinformatie"),
    Licence("Gratis-Open-Data-Licentie-1.2", "Gratis Open Data Licentie, versie 1.2 (Vlaamse overheid)",
            "https://overheid.vlaanderen.be/sites/default/files/documenten/ict-egov/"
            "licences_gratis-open-data-licentie1.2.html"),
)}

# Statbel's open data licence, for the area boundaries (geodata/areas/README.md).
BOUNDARY_LICENCE = Licence("Statbel-Open-Data", "Licentie open data van Statbel (bronvermelding verplicht)",
                           "https://statbel.fgov.be/en/statistics/opendata/licence")
BOUNDARY_ATTRIBUTION = "Bron: Statbel, Provincies in Cijfers"
