"""Colours, Dutch labels and nl-BE number formatting shared by every layer.

Pure constants and functions: no folium, no data access. Everything a user
reads comes from here in Dutch (nl-BE); colours are picked to stay apart for
the common kinds of colour blindness (Okabe-Ito / ColorBrewer based).
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

# --- sectors -----------------------------------------------------------------
# Herentals' five sectors, then Halle's beleidsdomein. Unknown sectors fall back
# to FALLBACK_COLOR and still get their own legend entry (with their own name).
SECTOR_COLORS: dict[str, str] = {
    "Burger en Samenleving": "#0072B2",
    "Vrije Tijd": "#009E73",
    "Stadsontwikkeling": "#D55E00",
    "Ondersteunende Diensten": "#CC79A7",
    "Zorg": "#E69F00",
    "Dienstverlening & Verbinden": "#6A3D9A",
}
FALLBACK_COLOR = "#6E6E6E"
NO_SECTOR_LABEL = "Geen sector"

# --- statuses ----------------------------------------------------------------
STATUS_LABELS: dict[str, str] = {
    "voorstel": "Voorstel",
    "gepland": "Gepland",
    "lopend": "Lopend",
    "gerealiseerd": "Gerealiseerd",
    "uitgesteld": "Uitgesteld",
    "geschrapt": "Geschrapt",
}
STATUS_COLORS: dict[str, str] = {
    "voorstel": "#8E6BB0",
    "gepland": "#2C7FB8",
    "lopend": "#E08214",
    "gerealiseerd": "#1A9850",
    "uitgesteld": "#A6761D",
    "geschrapt": "#D7301F",
}

# --- phases ------------------------------------------------------------------
PHASE_KIND_LABELS: dict[str, str] = {
    "studie": "Studie",
    "ontwerp": "Ontwerp",
    "vergunning": "Vergunning",
    "aanbesteding": "Aanbesteding",
    "uitvoering": "Uitvoering",
    "oplevering": "Oplevering",
    "andere": "Andere",
}
# Phases are drawn as outlines around the projects, in colours that no sector
# or status uses (Paul Tol's palettes), so a colour on the map means one thing.
PHASE_KIND_COLORS: dict[str, str] = {
    "studie": "#56B4E9",
    "ontwerp": "#117777",
    "vergunning": "#999933",
    "aanbesteding": "#DDCC77",
    "uitvoering": "#882255",
    "oplevering": "#000000",
    "andere": "#AAAAAA",
}

# --- areas -------------------------------------------------------------------
LEVEL_LABELS: dict[str, str] = {
    "gemeente": "Gemeente",
    "deelgemeente": "Deelgemeente",
    "wijk": "Wijk",
    "kernwinkelgebied": "Kernwinkelgebied",
    "winkelgebied": "Winkelgebied",
}
LEVEL_LABELS_PLURAL: dict[str, str] = {
    "gemeente": "Gemeentegrens",
    "deelgemeente": "Deelgemeenten",
    "wijk": "Wijken",
    "kernwinkelgebied": "Kernwinkelgebied",
    "winkelgebied": "Winkelgebieden",
}
LEVEL_STYLES: dict[str, dict] = {
    "gemeente": {"color": "#252525", "weight": 3, "fillOpacity": 0.0},
    "deelgemeente": {"color": "#525252", "weight": 2, "dashArray": "8 4", "fillOpacity": 0.0},
    "wijk": {"color": "#525252", "weight": 1.5, "fillOpacity": 0.0},
    "kernwinkelgebied": {"color": "#7A0177", "weight": 2, "fillColor": "#C51B8A", "fillOpacity": 0.12},
    "winkelgebied": {"color": "#AE017E", "weight": 1.5, "dashArray": "4 3", "fillColor": "#F768A1", "fillOpacity": 0.1},
}

OBLIGATION_LABELS: dict[str, str] = {"verplicht": "Verplicht", "keuze": "Keuze"}
PRECISION_LABELS: dict[str, str] = {"exact": "Exacte ligging", "indicatief": "Indicatieve ligging"}

# --- sequential palettes for classed maps (ColorBrewer, 7 classes) ------------
PALETTES: dict[str, list[str]] = {
    "blues": ["#EFF3FF", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#084594"],
    "greens": ["#EDF8E9", "#C7E9C0", "#A1D99B", "#74C476", "#41AB5D", "#238B45", "#005A32"],
    "purples": ["#F2F0F7", "#DADAEB", "#BCBDDC", "#9E9AC8", "#807DBA", "#6A51A3", "#4A1486"],
}
NO_DATA_COLOR = "#BDBDBD"
NO_DATA_LABEL = "geen gegevens"
ILLUSTRATIVE_MARK = "Illustratieve cijfers"
SCHEME_LABELS: dict[str, str] = {
    "quantiles": "kwantielen",
    "natural_breaks": "natuurlijke breuken (Jenks)",
    "equal_interval": "gelijke intervallen",
}


def sector_color(sector: str | None) -> str:
    return SECTOR_COLORS.get(sector or "", FALLBACK_COLOR)


def status_color(status: str | None) -> str:
    return STATUS_COLORS.get(status or "", FALLBACK_COLOR)


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "Onbekend")


def phase_kind_color(kind: str | None) -> str:
    return PHASE_KIND_COLORS.get(kind or "", PHASE_KIND_COLORS["andere"])


def phase_kind_label(kind: str | None) -> str:
    return PHASE_KIND_LABELS.get(kind or "", PHASE_KIND_LABELS["andere"])


def level_label(level: str | None) -> str:
    return LEVEL_LABELS.get(level or "", level or "Gebied")


def palette(name: str, k: int) -> list[str]:
    """k colours from light to dark, spread over the 7-class palette `name`."""
    colors = PALETTES[name]
    if k <= 0:
        return []
    if k == 1:
        return [colors[4]]
    # Spread over the darker six so the lightest class still stands out from the
    # grey of "geen gegevens" and from a white background.
    top = len(colors) - 1
    return [colors[round(1 + i * (top - 1) / (k - 1))] for i in range(k)]


# --- numbers (nl-BE) ---------------------------------------------------------
def format_number(value: float | int | None, decimals: int = 0) -> str:
    """nl-BE: thousands with '.', decimals with ','. None -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"  # 1,234,567.89
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_eur(value: float | int | None, decimals: int = 0) -> str:
    """1234567 -> '1.234.567 €' (the nl-BE order: amount, space, sign)."""
    if value is None:
        return "–"
    return f"{format_number(value, decimals)} €"


def format_eur_approx(value: float | int | None) -> str:
    """An illustrative amount, rounded to two significant digits so it does not
    look like a budget figure: 6461074 -> '± 6,5 miljoen €', 646107 -> '± 650.000 €'.
    Zero is exact ('0 €'); None -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0 €"
    size = abs(value)
    # two significant digits, half up (round() would round 1.850.000 to even: 1,8 miljoen)
    digits = min(0, 1 - math.floor(math.log10(size)))
    rounded = float(Decimal(str(size)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    sign = "-" if value < 0 else ""
    for step, word in ((1e9, "miljard"), (1e6, "miljoen")):
        if rounded >= step:
            scaled = rounded / step
            decimals = 1 if scaled < 10 and not float(round(scaled, 1)).is_integer() else 0
            return f"± {sign}{format_number(scaled, decimals)} {word} €"
    return f"± {sign}{format_number(rounded)} €"


def format_eur_shown(value: float | int | None, illustrative: bool, decimals: int = 0) -> str:
    """The one rule for amounts on public pages: illustrative ones rounded
    (format_eur_approx), real ones to the euro (or `decimals`)."""
    return format_eur_approx(value) if illustrative else format_eur(value, decimals)


def format_value(value: float | int | None, unit: str = "", decimals: int = 1) -> str:
    """A measured value with its unit: '12,5%', '3.120 inwoners', '45,0 €/inwoner'."""
    if value is None:
        return NO_DATA_LABEL
    number = format_number(value, decimals)
    if not unit:
        return number
    if unit in ("%", "‰"):
        return f"{number}{unit}"
    return f"{number} {unit}"


def format_years(start: int | None, end: int | None) -> str:
    if start is None and end is None:
        return "niet gekend"
    if start is None or end is None or start == end:
        return str(start if start is not None else end)
    return f"{start}–{end}"


def decimals_for(values) -> int:
    """How many decimals class limits need: none for whole numbers, else 1 or 2."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    if not finite or all(float(v).is_integer() for v in finite):
        return 0
    return 2 if max(finite) < 10 else 1
