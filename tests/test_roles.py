"""Who may see and do what, over EVERY route of the app (both databases).

The walker reads app.url_map, so routes that colleagues add later are
covered without touching this file:
- every /beheer route declares its role (app.auth.require_role marks it),
  refuses anonymous users (to the login page) and users without that role
  for the city (403 in Dutch), and lets the right roles in;
- no public route (pages, /ogc, downloads, feature endpoints, and every
  same-site link they lead to) ever returns a draft's title or a staff-only
  field, whoever asks and with whatever query arguments;
- a POST without CSRF token fails everywhere and changes nothing.

URL parameters are filled from the demo data by name (slug, fiche_id ...)
and from the arguments of the URLs the crawl discovers (collection ids ...).
"""
from __future__ import annotations

import io
import itertools
import json
import re
import uuid
import zipfile
from collections import defaultdict
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from staff_fixtures import *  # noqa: F401,F403
from staff_fixtures import PASSWORD, csrf_token, db, draft_marker_fiche, login

STAFF_PREFIX = "/beheer"
SKIP_ENDPOINTS = {"static", "vendor.vendor"}         # files, no data
RANK = {"lezer": 1, "redacteur": 2, "beheerder": 3}
# What each test account holds (see staff_fixtures.Staff); the walker uses
# Herentals for every city parameter.
HOLDS = {
    "lezer_halle": {"halle": "lezer"},
    "lezer": {"herentals": "lezer"},
    "redacteur": {"herentals": "redacteur"},
    "beheerder": {"*": "beheerder"},
}
QUERY_VARIANTS = ("", "?include_drafts=1&drafts=1&ontwerp=1&concept=1&all=1&published=0", "?f=json", "?f=html",
                  "?limit=10000")
CRAWL_LIMIT = 350


def is_staff(rule) -> bool:
    return rule.rule.startswith(STAFF_PREFIX)


def expected_allowed(account: str, role: str, city_scoped: bool) -> bool:
    if role == "aangemeld":
        return True
    holds = HOLDS[account]
    held = holds.get("*") or (holds.get("herentals") if city_scoped else None)
    return bool(held) and RANK[held] >= RANK[role]


class Walk:
    """The scratch database prepared for walking, and parameter candidates."""

    def __init__(self, app, staff):
        from app.auth import find_user
        from app.write.history import record, snapshot
        from app.models import Area, Fiche, Municipality

        self.app, self.staff = app, staff
        self.marker = f"ONTWERPXQZ{uuid.uuid4().hex[:10]}"
        with db(app) as session:
            draft = draft_marker_fiche(session, self.marker)
            editor = find_user(session, staff.redacteur)
            before = snapshot(draft)
            draft.risks = f"{self.marker} risico"
            revision = record(session, draft, editor, "wijziging", before)
            # An edit by staff on a PUBLISHED fiche: its author and history are staff-only.
            published = session.scalar(select(Fiche).join(Municipality).where(
                Municipality.slug == "herentals", Fiche.published.is_(True), Fiche.kind == "fiche").limit(1))
            before = snapshot(published)
            published.state_of_play = (published.state_of_play or "") + " (bijgewerkt)"
            record(session, published, editor, "wijziging", before, note=f"{self.marker} notitie")
            session.commit()
            wijk = session.scalar(select(Area.code).where(Area.level == "wijk").order_by(Area.code).limit(1))
            self.draft_id, self.draft_ref = draft.id, draft.ref
            self.published_id = published.id
            self.revision_id = revision.id
            self.spare_id = find_user(session, staff.spare).id
            # An import job of each account (a job's pages belong to its uploader).
            import datetime as dt

            from app.models import ImportJob

            herentals_id = session.scalar(select(Municipality.id).where(Municipality.slug == "herentals"))
            now = dt.datetime.now(dt.UTC)
            self.job_tokens = []
            for email in vars(staff).values():
                token = f"walk-{uuid.uuid4().hex}"
                session.add(ImportJob(token=token, user_id=find_user(session, email).id, municipality_id=herentals_id,
                                      kind="fiches", filename="walk.csv", state="klaar", result="{}",
                                      created_at=now, updated_at=now))
                self.job_tokens.append(token)
            session.commit()
        try:
            from app.exports import EXPORTERS
            formats = sorted(EXPORTERS)
        except ImportError:
            formats = []
        self.values: dict[str, list] = defaultdict(list)
        for name, options in {
            "slug": ["herentals"], "city": ["herentals"], "municipality": ["herentals", "13011"],
            "fiche_id": [self.draft_id], "id": [self.draft_id], "item_id": [self.draft_id, self.draft_ref],
            "feature_id": [self.draft_id, self.draft_ref, f"{self.draft_id}"],
            "revision_id": [self.revision_id], "user_id": [self.spare_id], "nis": ["13011"], "nis_code": ["13011"],
            "fmt": [*formats, "csv", "xlsx", "json", "geojson"], "format": [*formats, "json"],
            "ext": [*formats, "json"], "code": [wijk], "wijk": [wijk], "area": [wijk], "ref": [self.draft_ref],
            "token": self.job_tokens, "kind": ["fiches", "fasen", "budget"],
        }.items():
            self.add(name, *options)

    def add(self, name, *values):
        for value in values:
            if value is not None and value not in self.values[name]:
                self.values[name].append(value)

    def urls(self, rule, limit: int = 40) -> list[str]:
        """URLs of `rule` with its parameters filled from the candidates."""
        names = sorted(rule.arguments)
        pools = [self.values.get(n) or [self.draft_id, "herentals", self.draft_ref, "fiches"] for n in names]
        out = []
        for combo in itertools.islice(itertools.product(*pools), limit):
            try:
                built = rule.build(dict(zip(names, combo)), append_unknown=False)
            except Exception:
                continue
            if built is not None:
                out.append(built[1])
        return list(dict.fromkeys(out))

    def learn(self, path: str) -> None:
        """Record the URL arguments of a discovered path as candidates."""
        adapter = self.app.url_map.bind("localhost")
        try:
            _endpoint, args = adapter.match(path, method="GET")
        except Exception:
            return
        for name, value in args.items():
            self.add(name, value)


@pytest.fixture
def walk(scratch_app, staff) -> Walk:
    return Walk(scratch_app, staff)


def client_for(app, staff, account: str | None):
    client = app.test_client()
    if account is not None:
        assert login(client, getattr(staff, account), PASSWORD).status_code == 302
    return client


def token_for(client) -> str:
    page = client.get("/aanmelden", follow_redirects=True)
    if "csrf_token" not in page.text:
        page = client.get("/beheer/", follow_redirects=True)
    return csrf_token(page.text)


def body_text(response) -> str:
    """Everything a response carries, zipped members included (XLSX, Shapefile zips)."""
    data = response.get_data()
    texts = [data.decode("utf-8", "replace")]
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    text = "\n".join(texts)
    return text + "\n" + unescape(text)


LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def links_in(response) -> list[str]:
    found = []
    kind = response.headers.get("Content-Type", "")
    text = response.get_data(as_text=True) if ("json" in kind or "html" in kind or "xml" in kind) else ""
    if "json" in kind:
        try:
            stack = [json.loads(text)]
        except ValueError:
            stack = []
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("href"), str):
                    found.append(item["href"])
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    else:
        found = [unescape(m) for m in LINK.findall(text)]
    out = []
    for link in found:
        parts = urlsplit(urljoin("http://localhost/", link))
        if parts.netloc == "localhost" and not parts.path.startswith((STAFF_PREFIX, "/static")):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


# 1. Every staff route declares its role ------------------------------------

def test_every_staff_route_declares_its_role(app):
    from app.auth import ROLES

    staff_rules = [r for r in app.url_map.iter_rules() if is_staff(r)]
    assert len(staff_rules) >= 10
    for rule in staff_rules:
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "required_role", None) in ("aangemeld", *ROLES), f"{rule.rule} has no require_role"
        if getattr(view, "city_arg", None):
            assert view.city_arg in rule.arguments, rule.rule


# 2. Staff routes: anonymous -> login, wrong city or role -> 403 -------------

def test_staff_routes_by_role(walk, scratch_app, staff):
    rules = [r for r in scratch_app.url_map.iter_rules() if is_staff(r)]
    clients = {account: client_for(scratch_app, staff, account) for account in (None, *HOLDS)}
    problems = []
    for rule in rules:
        view = scratch_app.view_functions[rule.endpoint]
        urls = walk.urls(rule)
        assert urls, f"could not fill the parameters of {rule.rule}"
        for method in sorted(rule.methods & {"GET", "POST"}):
            for account, client in clients.items():
                allowed = account is not None and expected_allowed(account, view.required_role, bool(view.city_arg))
                ok_somewhere = False
                for url in urls:
                    if method == "GET":
                        response = client.get(url)
                    else:
                        response = client.post(url, data={"csrf_token": token_for(client)})
                    status, location = response.status_code, response.headers.get("Location", "")
                    where = f"{method} {url} as {account or 'anonymous'}: {status}"
                    if account is None:
                        if not (status == 302 and location.startswith("/aanmelden")):
                            problems.append(where + " (expected the login page)")
                    elif not allowed:
                        if status != 403 or "Geen toegang" not in response.text:
                            problems.append(where + " (expected 403)")
                    else:
                        if status in (401, 403) or status >= 500 or location.startswith("/aanmelden"):
                            problems.append(where + " (expected access)")
                        ok_somewhere |= status < 400 or method == "POST"
                if allowed and not ok_somewhere:
                    problems.append(f"{method} {rule.rule} as {account}: no candidate URL gave a page")
    assert not problems, "\n".join(problems)


# 3. Public routes never show a draft or a staff-only field -------------------

@pytest.mark.parametrize("account", [None, "redacteur"])
def test_public_routes_never_return_a_draft(walk, scratch_app, staff, account):
    client = client_for(scratch_app, staff, account)
    public_rules = [r for r in scratch_app.url_map.iter_rules()
                    if not is_staff(r) and r.endpoint not in SKIP_ENDPOINTS and "GET" in r.methods]
    adapter = scratch_app.url_map.bind("localhost")
    seen, leaks, errors, per_endpoint = set(), [], [], defaultdict(int)
    secrets = {"draft title": walk.marker, "revision note": f"{walk.marker} notitie"}
    if account is None:  # a logged-in editor may see their own address
        secrets["editor e-mail"] = staff.redacteur
    # Rule URLs first (with query variants), then the links the pages lead to;
    # new argument values found on the way (collection ids ...) make more rule
    # URLs buildable. A budget per endpoint keeps long item lists in check.
    rule_queue = [url + variant for rule in public_rules for url in walk.urls(rule) for variant in QUERY_VARIANTS]
    link_queue: list[str] = []
    known_values = sum(len(v) for v in walk.values.values())
    while (rule_queue or link_queue) and len(seen) < CRAWL_LIMIT:
        url = rule_queue.pop(0) if rule_queue else link_queue.pop(0)
        if url in seen:
            continue
        try:
            endpoint = adapter.match(urlsplit(url).path, method="GET")[0]
        except Exception:
            endpoint = "?"
        if per_endpoint[endpoint] >= 40:
            continue
        per_endpoint[endpoint] += 1
        seen.add(url)
        try:
            response = client.get(url)
        except Exception as exc:  # a colleague's route crashing is a finding too
            errors.append(f"{url}: {exc.__class__.__name__}: {exc}")
            continue
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
        text = body_text(response)
        for what, secret in secrets.items():
            if secret in text:
                leaks.append(f"{url} shows the {what}")
        for link in links_in(response):
            walk.learn(urlsplit(link).path)
            if link not in seen:
                link_queue.append(link)
        now_known = sum(len(v) for v in walk.values.values())
        if now_known != known_values:
            known_values = now_known
            rule_queue += [u for rule in public_rules for u in walk.urls(rule) if u not in seen]
    assert not leaks, "\n".join(leaks)
    assert not errors, "\n".join(errors)
    assert len(seen) > len(public_rules)


def test_draft_feature_is_not_found_publicly(walk, scratch_app):
    """The draft's own public page (if the public blueprint has one) is a 404."""
    client = scratch_app.test_client()
    for rule in scratch_app.url_map.iter_rules():
        if is_staff(rule) or rule.endpoint in SKIP_ENDPOINTS or "GET" not in rule.methods:
            continue
        if {"fiche_id", "id", "feature_id", "item_id"} & set(rule.arguments):
            for url in walk.urls(rule):
                response = client.get(url)
                assert walk.marker not in body_text(response), url


# 4. POST without CSRF token fails and changes nothing -----------------------

def _counts(app) -> dict:
    from app.models import Fiche, FicheRevision, ImportJob, LoginAttempt, User

    with db(app) as session:
        return {m.__name__: session.scalar(select(func.count()).select_from(m))
                for m in (Fiche, FicheRevision, User, LoginAttempt, ImportJob)} | {
            "versions": session.scalar(select(func.sum(Fiche.version))),
            "published": session.scalar(select(func.count()).select_from(Fiche).where(Fiche.published.is_(True))),
        }


@pytest.mark.parametrize("account", [None, "beheerder"])
def test_post_without_csrf_token_fails(walk, scratch_app, staff, account):
    client = client_for(scratch_app, staff, account)
    before = _counts(scratch_app)
    post_rules = [r for r in scratch_app.url_map.iter_rules() if "POST" in r.methods]
    assert any(is_staff(r) for r in post_rules)
    problems = []
    for rule in post_rules:
        for url in walk.urls(rule, limit=5):
            payload = {"email": staff.beheerder, "wachtwoord": PASSWORD, "versie": "999", "actie": "publiceren",
                       "titel": "X", "ref": "X-1", "toestand": "voor"}
            response = client.post(url, data=payload)
            if response.status_code != 400 or "CSRF" not in response.get_data(as_text=True):
                problems.append(f"POST {url} as {account or 'anonymous'}: {response.status_code}")
            wrong = client.post(url, data={**payload, "csrf_token": "vervalst"})
            if wrong.status_code != 400:
                problems.append(f"POST {url} with a forged token: {wrong.status_code}")
    assert not problems, "\n".join(problems)
    assert _counts(scratch_app) == before
    # Still logged in: the failed POSTs did not log anyone out either.
    if account:
        assert client.get("/beheer/herentals/").status_code == 200
