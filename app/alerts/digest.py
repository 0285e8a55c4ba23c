"""The digest job (`fichekaart alerts send`): for every confirmed subscription
that is due (daily: a day since its last digest, weekly: a week), the public
change events (app.read.changes) of what it follows that happened after it
was confirmed and were not mailed to it yet.

Idempotent: every mailed event is recorded per subscription (AlertDelivery,
keyed by the revision id) and committed right after that one mail went out,
so a run that stops half-way (killed, relay down) is resumed by the next run
without sending anything twice. A relay error stops the run.

Two runs at once (a manual run beside the timer) do not mail twice either:
a run first claims a subscription by moving its last_sent_at from the value
it read (compare-and-set, committed); the other run's claim then fails and
it skips the subscription. A claim whose mail failed is given back.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..auth import as_utc, utcnow
from ..models import AlertDelivery, AlertSubscription, Municipality
from ..read.changes import ChangeEvent
from ..read.followed import Followed, NotFollowable, events_for, resolve
from .mailer import MailNotSent, send
from .messages import digest_message
from .subscriptions import purge_unconfirmed

# A little less than a day / a week: a timer that fires a few seconds early
# must not skip a day.
INTERVALS = {"dagelijks": dt.timedelta(hours=20), "wekelijks": dt.timedelta(days=6, hours=20)}


@dataclass
class RunReport:
    mails: int = 0
    events: int = 0
    purged: int = 0
    failed: str | None = None


def is_due(row: AlertSubscription, now: dt.datetime) -> bool:
    if row.last_sent_at is None:
        return True
    return now - as_utc(row.last_sent_at) >= INTERVALS.get(row.frequency, INTERVALS["wekelijks"])


def target_of(session: Session, row: AlertSubscription) -> tuple[Followed, str]:
    """What the row follows, and its Dutch name; NotFollowable when it is
    gone (a wijk removed, a fiche taken offline)."""
    city = session.get(Municipality, row.municipality_id)
    if city is None:
        raise NotFollowable(row.kind)
    return resolve(session, city, row.kind, row.target_key or None)


def pending_events(session: Session, row: AlertSubscription, events: list[ChangeEvent]) -> list[ChangeEvent]:
    """The events not mailed to `row` yet, since it was confirmed, oldest first."""
    mailed = set(session.scalars(select(AlertDelivery.revision_id).where(AlertDelivery.subscription_id == row.id)))
    since = as_utc(row.confirmed_at)
    return sorted((e for e in events if e.revision_id not in mailed and e.at >= since),
                  key=lambda e: (e.at, e.revision_id))


def claim(session: Session, subscription_id: int, expected: dt.datetime | None, new: dt.datetime | None) -> bool:
    """Move last_sent_at from `expected` to `new` when nobody else did; commits."""
    column = AlertSubscription.last_sent_at
    done = session.execute(
        update(AlertSubscription)
        .where(AlertSubscription.id == subscription_id, column.is_(None) if expected is None else column == expected)
        .values(last_sent_at=new).execution_options(synchronize_session=False))
    session.commit()
    return bool(getattr(done, "rowcount", 0))


def send_digests(session: Session, *, now: dt.datetime | None = None, frequency: str | None = None,
                 ignore_schedule: bool = False, log: Callable[[str], None] = lambda _: None) -> RunReport:
    """Send the due digests, committing after each mail. Call within a
    request context whose URLs are the public ones (links in the mails)."""
    now = now or utcnow()
    report = RunReport(purged=purge_unconfirmed(session))
    session.commit()
    query = select(AlertSubscription.id).where(AlertSubscription.confirmed_at.is_not(None))
    if frequency:
        query = query.where(AlertSubscription.frequency == frequency)
    events_cache: dict[tuple, list[ChangeEvent]] = {}
    for subscription_id in list(session.scalars(query.order_by(AlertSubscription.id))):
        row = session.get(AlertSubscription, subscription_id)
        if row is None or not (ignore_schedule or is_due(row, now)):
            continue
        try:
            followed, name = target_of(session, row)
        except NotFollowable:
            continue
        key = (followed.city.id, followed.kind, followed.key)
        if key not in events_cache:
            events_cache[key] = events_for(session, followed)
        events = pending_events(session, row, events_cache[key])
        if not events:
            continue
        message = digest_message(row, followed, name, events)
        previous = row.last_sent_at
        if not claim(session, row.id, previous, now):
            continue
        try:
            send(message)
        except MailNotSent as exc:
            claim(session, row.id, now, previous)     # give it back: the next run sends it
            report.failed = str(exc)
            log(f"Versturen mislukt ({exc}); de volgende run gaat hier verder.")
            return report
        for event in events:
            session.add(AlertDelivery(subscription_id=row.id, revision_id=event.revision_id, sent_at=now))
        session.commit()
        report.mails += 1
        report.events += len(events)
    return report
