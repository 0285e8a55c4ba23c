"""Changing a city's settings (the beheerder's page /beheer/<slug>/instellingen
and the demo seed): validate everything first, then write the row, the
city's plan title and period, and one CitySettingsRevision with the old and
new values, in the caller's transaction. Any invalid value: SettingsError
with a Dutch message, nothing written.

The logo: PNG, JPEG or WebP only, at most LOGO_MAX_BYTES and LOGO_MAX_SIDE
pixels a side, opened and checked by Pillow. SVG is refused: it can carry
scripts, and this app does not sanitise it."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..licences import KNOWN_LICENCES
from ..models import CitySettings, CitySettingsRevision, Municipality, Plan, User
from ..read.city_settings import BASEMAPS, settings_row
from ..read.pages import first_plan

LOGO_MAX_BYTES = 300 * 1024
LOGO_MAX_SIDE = 2000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
OTHER_LICENCE = "andere"
# Links are drawn in the accent colour on white: WCAG AA asks 4.5:1 for text.
MIN_CONTRAST = 4.5

FIELD_LABELS = {
    "display_name": "weergavenaam", "plan_title": "titel van het plan", "plan_period": "periode van het plan",
    "licence_id": "licentie", "licence_name": "naam van de licentie", "licence_url": "URL van de licentie",
    "contact_name": "contactpersoon of dienst", "contact_email": "e-mailadres voor vragen",
    "contact_url": "webpagina voor vragen", "basemap": "achtergrondkaart", "accent_colour": "accentkleur",
    "logo": "logo", "listed": "publiek vermeld", "source_note": "herkomst van de instellingen",
}
TEXT_LIMITS = {"display_name": 200, "plan_title": 300, "licence_name": 200, "contact_name": 200,
               "source_note": 2000}


class SettingsError(ValueError):
    """Invalid settings; the message is for the user (Dutch)."""


class SettingsConflict(SettingsError):
    """Someone else saved the settings since the form was opened."""


@dataclass
class LogoUpload:
    data: bytes
    filename: str = ""


def _text(values: dict, key: str) -> str | None:
    text = " ".join(str(values.get(key) or "").split())
    limit = TEXT_LIMITS.get(key, 500)
    if len(text) > limit:
        raise SettingsError(f"De {FIELD_LABELS[key]} is te lang: hoogstens {limit} tekens.")
    return text or None


def _url(values: dict, key: str) -> str | None:
    url = (values.get(key) or "").strip()
    if not url:
        return None
    if len(url) > 500 or not re.fullmatch(r"https?://[^\s<>\"']+\.[^\s<>\"']+", url):
        raise SettingsError(f"De {FIELD_LABELS[key]} moet een volledig webadres zijn dat begint met https:// "
                            f"(bv. https://www.stad.be/contact).")
    return url


def _email(values: dict) -> str | None:
    email = (values.get("contact_email") or "").strip()
    if email and (len(email) > 254 or not re.fullmatch(r"[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}", email)):
        raise SettingsError(f"'{email}' is geen geldig e-mailadres (bv. info@stad.be).")
    return email or None


def _luminance(colour: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of '#rrggbb' against white (1 to 21)."""
    return 1.05 / (_luminance(colour) + 0.05)


def _colour(values: dict) -> str | None:
    colour = (values.get("accent_colour") or "").strip().lower()
    if not colour:
        return None
    if not re.fullmatch(r"#[0-9a-f]{6}", colour):
        raise SettingsError(f"'{colour}' is geen kleur: geef een kleurcode als #0b5cad (# en zes tekens 0-9, a-f).")
    ratio = contrast_on_white(colour)
    if ratio < MIN_CONTRAST:
        raise SettingsError(f"De accentkleur {colour} is te licht voor tekst op wit (contrast {ratio:.1f}:1, "
                            f"minstens {MIN_CONTRAST}:1 nodig): kies een donkerdere kleur.")
    return colour


def _period(values: dict) -> str | None:
    period = (values.get("plan_period") or "").strip().replace("–", "-")
    if not period:
        return None
    match = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", period)
    if not match or int(match[1]) > int(match[2]):
        raise SettingsError(f"'{period}' is geen periode: schrijf twee jaartallen, het eerste niet na het "
                            "tweede, bv. 2025-2030.")
    return f"{match[1]}-{match[2]}"


def check_logo(upload: LogoUpload) -> tuple[bytes, str]:
    """(bytes, media type) of a valid logo, or SettingsError."""
    from PIL import Image, UnidentifiedImageError

    data = upload.data
    if upload.filename.lower().endswith(".svg") or data.lstrip()[:1] == b"<":
        raise SettingsError("Een SVG-logo kan scripts bevatten en wordt niet aanvaard: "
                            "lad een PNG, JPEG of WebP op.")
    if len(data) > LOGO_MAX_BYTES:
        raise SettingsError(f"Het logo is te groot ({len(data) // 1024} kB): hoogstens {LOGO_MAX_BYTES // 1024} kB.")
    unreadable = SettingsError("Het logo is geen leesbare afbeelding: lad een PNG, JPEG of WebP op.")
    try:
        # Only the header first: type and size are checked before any pixel is
        # decoded, so a small file that unpacks to a huge image costs nothing.
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise unreadable from None
    if kind not in LOGO_TYPES:
        raise SettingsError(f"Een logo in {kind} wordt niet aanvaard: lad een PNG, JPEG of WebP op.")
    if max(width, height) > LOGO_MAX_SIDE:
        raise SettingsError(f"Het logo is {width} × {height} pixels: hoogstens {LOGO_MAX_SIDE} pixels per zijde.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() does not decode the pixels; a truncated file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise unreadable from None
    return data, LOGO_TYPES[kind]


def _licence(values: dict) -> tuple[str | None, str | None, str | None]:
    choice = (values.get("licence_id") or "").strip()
    if not choice:
        return None, None, None
    if choice in KNOWN_LICENCES:
        known = KNOWN_LICENCES[choice]
        return known.id, known.name, known.url
    if choice != OTHER_LICENCE:
        raise SettingsError(f"Onbekende licentie '{choice}': kies er een uit de lijst, of 'andere'.")
    spdx = (values.get("licence_other_id") or "").strip()
    name, url = _text(values, "licence_name"), _url(values, "licence_url")
    if not (spdx and name and url):
        raise SettingsError("Geef bij een andere licentie een korte code (de SPDX-code als ze die heeft, "
                            "bv. CC-BY-SA-4.0), de naam en de URL van de licentietekst.")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.+-]{0,79}", spdx):
        raise SettingsError(f"'{spdx}' is geen licentiecode: gebruik letters, cijfers, punt, plus en "
                            "koppelteken, bv. CC-BY-SA-4.0.")
    return spdx, name, url


def _logo_summary(data: bytes | None, kind: str | None) -> str | None:
    if not data:
        return None
    return f"{kind}, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}"


def _state(row: CitySettings | None, plan: Plan | None) -> dict:
    state = {key: getattr(row, key) if row is not None else None for key in FIELD_LABELS
             if key not in ("plan_title", "plan_period", "logo", "listed")}
    state["listed"] = row.listed if row is not None else True
    state["logo"] = _logo_summary(row.logo, row.logo_type) if row is not None else None
    state["plan_title"] = plan.title if plan else None
    state["plan_period"] = plan.period if plan else None
    return state


def save_settings(session: Session, municipality: Municipality, values: dict, *, logo: LogoUpload | None = None,
                  remove_logo: bool = False, user: User | None = None, expected_version: int | None = None,
                  ) -> list[dict]:
    """Validate `values` (form field -> text; see FIELD_LABELS for the keys,
    plus licence_other_id; `listed` truthy or not) and write them. Returns the
    recorded changes [{"field", "old", "new"}] (empty: nothing changed, nothing
    recorded). Raises SettingsError / SettingsConflict before writing anything."""
    licence_id, licence_name, licence_url = _licence(values)
    basemap = (values.get("basemap") or "").strip() or None
    if basemap is not None and basemap not in BASEMAPS:
        raise SettingsError(f"Onbekende achtergrondkaart '{basemap}'.")
    new: dict[str, Any] = {
        "display_name": _text(values, "display_name"), "plan_title": _text(values, "plan_title"),
        "plan_period": _period(values), "licence_id": licence_id, "licence_name": licence_name,
        "licence_url": licence_url, "contact_name": _text(values, "contact_name"),
        "contact_email": _email(values), "contact_url": _url(values, "contact_url"), "basemap": basemap,
        "accent_colour": _colour(values), "listed": bool(values.get("listed")),
        "source_note": _text(values, "source_note"),
    }
    logo_data = check_logo(logo) if logo is not None and logo.data else None

    row = settings_row(session, municipality)
    if expected_version is not None and row is not None and row.version != expected_version:
        raise SettingsConflict("Iemand anders heeft de instellingen intussen bewaard. Laad de pagina opnieuw; "
                               "er werd niets gewijzigd.")
    plan = first_plan(session, municipality)
    before = _state(row, plan)
    if new["plan_title"] is None and plan is not None:
        raise SettingsError("De titel van het plan mag niet leeg zijn.")
    if row is None:
        row = CitySettings(municipality_id=municipality.id, listed=True)
        session.add(row)
    for key, value in new.items():
        if key not in ("plan_title", "plan_period"):
            setattr(row, key, value)
    if logo_data is not None:
        row.logo, row.logo_type = logo_data
    elif remove_logo:
        row.logo, row.logo_type = None, None
    if new["plan_title"] is not None:
        if plan is None:
            plan = Plan(municipality_id=municipality.id, title=new["plan_title"])
            session.add(plan)
        plan.title, plan.period = new["plan_title"], new["plan_period"]
    after = _state(row, plan)
    changes = [{"field": key, "old": before[key], "new": after[key]} for key in FIELD_LABELS
               if before[key] != after[key]]
    if not changes:
        if row.id is None:
            session.expunge(row)
        return []
    row.updated_at = dt.datetime.now(dt.UTC)
    session.add(CitySettingsRevision(municipality_id=municipality.id, user_id=user.id if user else None,
                                     user_email=user.email if user else None,
                                     changes=json.dumps(changes, ensure_ascii=False),
                                     created_at=row.updated_at))
    session.flush()
    return changes

