"""SQLAlchemy 2 typed models. Every geometry is stored in EPSG:31370."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .crs import STORAGE_EPSG

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def geometry_column(geometry_type: str = "GEOMETRY", nullable: bool = True):
    return mapped_column(
        Geometry(geometry_type=geometry_type, srid=STORAGE_EPSG, spatial_index=True),
        nullable=nullable,
    )


class Municipality(Base):
    __tablename__ = "municipalities"
    id: Mapped[int] = mapped_column(primary_key=True)
    nis_code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(120), unique=True)

    areas: Mapped[list[Area]] = relationship(back_populates="municipality")
    plans: Mapped[list[Plan]] = relationship(back_populates="municipality")


class Area(Base):
    """City, deelgemeente, wijk or another zone, with its real boundary."""
    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[Optional[str]] = mapped_column(Text)
    geom: Mapped[WKBElement] = geometry_column("MULTIPOLYGON", nullable=False)

    municipality: Mapped[Municipality] = relationship(back_populates="areas")


class Plan(Base):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    period: Mapped[Optional[str]] = mapped_column(String(40))
    source: Mapped[Optional[str]] = mapped_column(Text)

    municipality: Mapped[Municipality] = relationship(back_populates="plans")


class Fiche(Base):
    """One node of a plan's tree: Herentals' sector > doelstelling > fiche, or
    Halle's beleidsdomein > doelstelling > actieplan > actie."""
    __tablename__ = "fiches"
    __table_args__ = (UniqueConstraint("municipality_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("fiches.id", ondelete="SET NULL"), index=True)
    ref: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20), default="fiche")
    number: Mapped[Optional[str]] = mapped_column(String(20))
    code: Mapped[Optional[str]] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[Optional[str]] = mapped_column(Text)
    # "Wat verandert er voor jou?": a few sentences for residents, written by staff
    # (never by the importer of the seeds).
    plain_language: Mapped[Optional[str]] = mapped_column(Text)
    sector: Mapped[Optional[str]] = mapped_column(String(120), index=True)
    responsible_service: Mapped[Optional[str]] = mapped_column(String(200))
    goal_why: Mapped[Optional[str]] = mapped_column(Text)
    goal_what: Mapped[Optional[str]] = mapped_column(Text)
    goal_gain: Mapped[Optional[str]] = mapped_column(Text)
    sdgs_illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    obligation: Mapped[Optional[str]] = mapped_column(String(20))
    # ja / nee / None = the source does not say ("niet vermeld")
    priority: Mapped[Optional[bool]] = mapped_column(Boolean, default=None)
    # set when `priority` is inferred rather than stated: why ("afgeleid")
    priority_reason: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="voorstel", index=True)
    # where the status comes from and when, e.g. "jaarrekening 2022": shown as
    # "Lopend volgens jaarrekening 2022" instead of a present-tense claim
    status_basis: Mapped[Optional[str]] = mapped_column(String(120))
    progress_pct: Mapped[Optional[int]] = mapped_column(Integer)
    state_of_play: Mapped[Optional[str]] = mapped_column(Text)
    dependencies_text: Mapped[Optional[str]] = mapped_column(Text)
    risks: Mapped[Optional[str]] = mapped_column(Text)
    location_description: Mapped[Optional[str]] = mapped_column(Text)
    geometry_precision: Mapped[Optional[str]] = mapped_column(String(20))
    # the words of the source the place rests on, quoted exactly
    location_source: Mapped[Optional[str]] = mapped_column(Text)
    # what about the place is assumed rather than in the source (public)
    location_assumption: Mapped[Optional[str]] = mapped_column(Text)
    # internal remark for staff only: never on a public page, feed or download
    staff_note: Mapped[Optional[str]] = mapped_column(Text)
    source: Mapped[Optional[str]] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    geom: Mapped[Optional[WKBElement]] = geometry_column()
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Normalised copies of the texts for tolerant search (app/searchtext.py),
    # kept by app/write/search_index.py on every ORM write; indexed by the
    # database's full-text index (app/spatial.py create_search_indexes).
    search_title: Mapped[Optional[str]] = mapped_column(Text)
    search_text: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __mapper_args__ = {"version_id_col": version}

    municipality: Mapped[Municipality] = relationship()
    plan: Mapped[Optional[Plan]] = relationship()
    parent: Mapped[Optional[Fiche]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Fiche]] = relationship(back_populates="parent", order_by="Fiche.id")
    sdg_links: Mapped[list[FicheSdg]] = relationship(cascade="all, delete-orphan", order_by="FicheSdg.sdg")
    phases: Mapped[list[Phase]] = relationship(cascade="all, delete-orphan", order_by="Phase.position")
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        cascade="all, delete-orphan", order_by="(BudgetLine.year, BudgetLine.id)"
    )
    progress_reports: Mapped[list[ProgressReport]] = relationship(
        cascade="all, delete-orphan", order_by="ProgressReport.id"
    )
    dependencies: Mapped[list[Dependency]] = relationship(
        cascade="all, delete-orphan", foreign_keys="Dependency.fiche_id", order_by="Dependency.id"
    )

    @property
    def sdgs(self) -> list[int]:
        return [link.sdg for link in self.sdg_links]


class FicheSdg(Base):
    __tablename__ = "fiche_sdgs"
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), primary_key=True)
    sdg: Mapped[int] = mapped_column(Integer, primary_key=True)


class Phase(Base):
    __tablename__ = "phases"
    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300))
    phase_kind: Mapped[Optional[str]] = mapped_column(String(20))
    start: Mapped[Optional[dt.date]] = mapped_column(Date)
    end: Mapped[Optional[dt.date]] = mapped_column(Date)
    status: Mapped[Optional[str]] = mapped_column(String(20))
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    # public remark, e.g. that the phase lies outside the plan period
    note: Mapped[Optional[str]] = mapped_column(Text)
    # the part of the fiche's place this phase concerns (None: the whole place)
    geom: Mapped[Optional[WKBElement]] = geometry_column()


class BudgetLine(Base):
    __tablename__ = "budget_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(20), default="uitgave")
    amount_eur: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    basis: Mapped[str] = mapped_column(String(20))
    note: Mapped[Optional[str]] = mapped_column(Text)
    # the phase (its `position`) whose place this line concerns; apportioning
    # uses that phase's geometry when it has one. A position, not a foreign
    # key, so that re-importing the phases keeps the link.
    phase_position: Mapped[Optional[int]] = mapped_column(Integer)


class ProgressReport(Base):
    __tablename__ = "progress_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    period_label: Mapped[str] = mapped_column(String(120))
    report_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    progress_pct: Mapped[Optional[int]] = mapped_column(Integer)
    source: Mapped[Optional[str]] = mapped_column(Text)


class Dependency(Base):
    """A fiche depends on another fiche, or on an outside partner."""
    __tablename__ = "dependencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    depends_on_id: Mapped[Optional[int]] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"))
    partner: Mapped[Optional[str]] = mapped_column(String(200))

    depends_on: Mapped[Optional[Fiche]] = relationship(foreign_keys=[depends_on_id])


class Indicator(Base):
    __tablename__ = "indicators"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[Optional[str]] = mapped_column(String(60))
    description: Mapped[Optional[str]] = mapped_column(Text)
    higher_is: Mapped[Optional[str]] = mapped_column(String(20))
    # code of the indicator holding the real city-level figure of the same
    # thing (e.g. kinderarmoede per wijk -> kinderkansarmoede of the city)
    city_indicator_code: Mapped[Optional[str]] = mapped_column(String(80))


class IndicatorValue(Base):
    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "area_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[Optional[str]] = mapped_column(Text)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    comparison_value: Mapped[Optional[float]] = mapped_column(Float)
    comparison_label: Mapped[Optional[str]] = mapped_column(String(200))
    # the words of the source the value (and comparison) is read from, exactly
    quote: Mapped[Optional[str]] = mapped_column(Text)

    indicator: Mapped[Indicator] = relationship()
    area: Mapped[Area] = relationship()


# Staff workspace (issue 5): accounts, roles, login throttling, revisions,
# pending bulk uploads. Appended here so alembic sees one metadata.

class User(Base):
    """A staff account. Roles per city live in UserRole."""
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[Optional[str]] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changes on password change or deactivation: cookies holding the old
    # stamp stop working, so a session can be revoked although it lives in
    # a signed cookie.
    session_stamp: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_login_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserRole.id"
    )


class UserRole(Base):
    """lezer | redacteur for one city; beheerder without a city (all cities)."""
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "municipality_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="roles")
    municipality: Mapped[Optional[Municipality]] = relationship()


class LoginAttempt(Base):
    """One login try; kept in the database so the limit holds across workers."""
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    success: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class FicheRevision(Base):
    """One recorded change of a fiche: who, when, what (old and new values as
    JSON, geometry as WKT in EPSG:31370) and the full state after it.

    Kept when the fiche or the user goes away (SET NULL): nothing is lost."""
    __tablename__ = "fiche_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[Optional[int]] = mapped_column(ForeignKey("fiches.id", ondelete="SET NULL"), index=True)
    municipality_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("municipalities.id", ondelete="SET NULL"), index=True
    )
    fiche_ref: Mapped[str] = mapped_column(String(60))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_email: Mapped[Optional[str]] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)            # the fiche's version after the change
    changes: Mapped[str] = mapped_column(Text)               # JSON [{"field", "old", "new"}]
    snapshot: Mapped[str] = mapped_column(Text)              # JSON: the whole fiche after the change
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)

    user: Mapped[Optional[User]] = relationship()


class FicheWorkingVersion(Base):
    """The working version ("werkversie") of a published fiche: what staff
    save while the public keeps seeing the live rows, until "Publiceren"
    applies it (app/write/editing/working.py). At most one per fiche.

    `snapshot` is a history snapshot (app/write/history.snapshot, with the
    ids of rows that exist on the live fiche so publishing updates them in
    place); `base_version` the fiche version it started from; `version` its
    own optimistic-locking counter."""
    __tablename__ = "fiche_working_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), unique=True)
    snapshot: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    fiche: Mapped[Fiche] = relationship()
    user: Mapped[Optional[User]] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ImportJob(Base):
    """A bulk import run as background jobs (app/jobs/imports.py): the
    uploaded file, its state and what the jobs found. In the database rather
    than on local disk, so any web worker shows it and any queue worker runs it.

    state: wacht -> controle -> voorvertoning | fouten; voorvertoning ->
    schrijven -> klaar | mislukt. The progress of a running job (rows
    checked / total) lives in the queue's store, not here (app/jobs/queue.py)."""
    __tablename__ = "import_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)   # the job's address in URLs (not guessable)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))            # fiches | fasen | budget (bulk.IMPORT_KINDS)
    filename: Mapped[str] = mapped_column(String(255))
    options: Mapped[Optional[str]] = mapped_column(Text)     # JSON: crs, repair, drop_z, layer
    data: Mapped[Optional[bytes]] = mapped_column(LargeBinary)  # the file; emptied once the job is over
    state: Mapped[str] = mapped_column(String(20))
    result: Mapped[Optional[str]] = mapped_column(Text)      # JSON: preview items, row errors, counts
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# Tolerant search (issue 10): the city's address list, for street searches.

class Address(Base):
    """One address of the Flemish address register (Adressenregister): street,
    house number, postcode and its position (a point in EPSG:31370)."""
    __tablename__ = "addresses"
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    street: Mapped[str] = mapped_column(String(200))
    house_number: Mapped[Optional[str]] = mapped_column(String(40))
    postcode: Mapped[Optional[str]] = mapped_column(String(10))
    # normalise(street): what a search compares (app/searchtext.py)
    street_key: Mapped[str] = mapped_column(String(200), index=True)
    source: Mapped[Optional[str]] = mapped_column(Text)
    geom: Mapped[WKBElement] = geometry_column("POINT", nullable=False)

    municipality: Mapped[Municipality] = relationship()


class DataVersion(Base):
    """One row: a counter the write side bumps, in the same transaction,
    whenever public data changes (app.write.data_version). ETags, kept pages
    and the kept wijk indexes read it in one primary-key lookup."""
    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))


class FicheRecord(Base):
    """The public record of a published project fiche (app.read.records.fiche_record,
    without its absolute url) as JSON text, kept by the write side in the same
    transaction as every change it depends on (app.write.stored_records), so
    that the OGC API and WFS read a page of records in one select
    (app.read.stored_records). Derived data: rebuilt from the tables above
    by `fichekaart db records --rebuild`."""
    __tablename__ = "fiche_records"
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    record: Mapped[str] = mapped_column(Text)
    # The geometry as GeoJSON text in CRS84 (lon/lat, app.crs.DECIMALS), as
    # app.read.features.geojson_texts writes it: what the OGC API answers in
    # its default CRS. NULL: the fiche has no place.
    geometry_crs84: Mapped[str | None] = mapped_column(Text)


# Following a wijk or a project (issue 16): e-mail alerts. An address is kept
# only while it follows something: unsubscribing deletes the row.

class AlertSubscription(Base):
    """One address following one thing: kind stad | wijk | sector | fiche
    (target_key: '' for a city, the area code, the sector name, the fiche id)."""
    __tablename__ = "alert_subscriptions"
    __table_args__ = (UniqueConstraint("email", "municipality_id", "kind", "target_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    target_key: Mapped[str] = mapped_column(String(200), default="")
    frequency: Mapped[str] = mapped_column(String(12))                   # dagelijks | wekelijks
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), index=True)
    last_sent_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))

    municipality: Mapped[Municipality] = relationship()


# Per-city settings (issue 17): what pages, exports and catalogue records say
# about a city, kept by its beheerder rather than in code or templates.

class CitySettings(Base):
    """One row per municipality at most; a missing row or an empty field means
    the default (app/read/city_settings.py says which). The plan's title and
    period live on the city's Plan, not here."""
    __tablename__ = "city_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[Optional[str]] = mapped_column(String(200))
    # SPDX identifier where the licence has one (CC-BY-4.0), else a short
    # identifier of our own (app/licences.py), plus its name and URL
    licence_id: Mapped[Optional[str]] = mapped_column(String(80))
    licence_name: Mapped[Optional[str]] = mapped_column(String(200))
    licence_url: Mapped[Optional[str]] = mapped_column(String(500))
    contact_name: Mapped[Optional[str]] = mapped_column(String(200))
    contact_email: Mapped[Optional[str]] = mapped_column(String(254))
    contact_url: Mapped[Optional[str]] = mapped_column(String(500))
    basemap: Mapped[Optional[str]] = mapped_column(String(20))         # None: the server's default
    accent_colour: Mapped[Optional[str]] = mapped_column(String(7))    # '#0b5cad'
    logo: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    logo_type: Mapped[Optional[str]] = mapped_column(String(40))       # image/png | image/jpeg | image/webp
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    # where the values come from (e.g. the seed documents), shown to staff
    source_note: Mapped[Optional[str]] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True))

    __mapper_args__ = {"version_id_col": version}

    municipality: Mapped[Municipality] = relationship()


class AlertDelivery(Base):
    """A change (the revision that made it) mailed to a subscription: what
    makes `fichekaart alerts send` idempotent."""
    __tablename__ = "alert_deliveries"
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="CASCADE"), primary_key=True)
    revision_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AlertAttempt(Base):
    """One use of the subscribe or manage-link form, for the rate limit. The
    address is kept as a keyed hash only, and only for a day."""
    __tablename__ = "alert_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class CitySettingsRevision(Base):
    """One recorded change of a city's settings: who, when, old and new values
    (JSON [{"field", "old", "new"}]; the logo as its type, size and hash)."""
    __tablename__ = "city_settings_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_email: Mapped[Optional[str]] = mapped_column(String(254))
    changes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
