"""E-mail alerts for beheerders (/beheer/meldingen): how many people follow
each city, wijk, sector or fiche (numbers only, never an address), and a
preview of the digest such a follower would get now."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, render_template, request

from ..alerts.messages import digest_parts
from ..alerts.subscriptions import counts_per_target
from ..auth import require_role, utcnow
from ..db import get_session
from ..read.followed import NotFollowable, events_for, resolve
from ..read.pages import all_municipalities
from ..read.queries import find_municipality

bp = Blueprint("staff_alerts", __name__, url_prefix="/beheer/meldingen")
PREVIEW_DAYS = 7


@bp.get("/")
@require_role("beheerder", city=None)
def overview():
    session = get_session()
    cities = {c.id: c for c in all_municipalities(session)}
    rows = []
    for city_id, kind, key, confirmed, awaiting in counts_per_target(session):
        city = cities.get(city_id)
        if city is None:
            continue
        try:
            _followed, name = resolve(session, city, kind, key or None)
        except NotFollowable:
            name = f"{kind} {key} (niet meer online)"
        rows.append({"city": city, "kind": kind, "key": key, "name": name, "confirmed": confirmed,
                     "awaiting": awaiting})
    totals = {c.id: sum(r["confirmed"] for r in rows if r["city"].id == c.id) for c in cities.values()}
    return render_template("staff/alerts.html", rows=rows, cities=list(cities.values()), totals=totals)


@bp.get("/voorbeeld")
@require_role("beheerder", city=None)
def preview():
    session = get_session()
    slug = request.args.get("stad")
    cities = all_municipalities(session)
    city = find_municipality(session, slug) if slug else (cities[0] if cities else None)
    if city is None:
        abort(404)
    try:
        followed, name = resolve(session, city, request.args.get("soort", "stad"), request.args.get("sleutel") or None)
    except NotFollowable:
        abort(404)
    since = utcnow() - dt.timedelta(days=PREVIEW_DAYS)
    events = [e for e in events_for(session, followed) if e.at >= since]
    subject, _text, html = digest_parts(followed, name, events, frequency="wekelijks",
                                        manage_link="#voorbeeld", unsubscribe_link="#voorbeeld")
    return render_template("staff/alert_preview.html", subject=subject, html=html, events=events, name=name,
                           days=PREVIEW_DAYS)
