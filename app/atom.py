"""Atom feeds (RFC 4287) of public change events, built with lxml: every
text goes in as an element's text, so lxml escapes it (no templates, no
string concatenation of XML).

Ids are tag: URIs (RFC 4151) that never change: the feed's from what it
follows, an entry's from the fiche and the revision it tells about. The
authority is FICHEKAART_FEED_TAG_AUTHORITY, else the host of
FICHEKAART_PUBLIC_URL, else "fichekaart.local"; set it once and keep it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from .read.changes import ChangeEvent

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
TAG_YEAR = "2026"


def tag_authority(config) -> str:
    if config.get("FEED_TAG_AUTHORITY"):
        return str(config["FEED_TAG_AUTHORITY"])
    if config.get("PUBLIC_URL"):
        return urlsplit(str(config["PUBLIC_URL"])).hostname or "fichekaart.local"
    return "fichekaart.local"


def tag_uri(authority: str, specific: str) -> str:
    return f"tag:{authority},{TAG_YEAR}:{specific}"


@dataclass
class FeedInfo:
    id: str
    title: str
    subtitle: str
    self_url: str
    alternate_url: str
    author: str


def _el(parent, name: str, text: str | None = None, **attrs):
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}", {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _when(value: dt.datetime) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_feed(info: FeedInfo, events: Sequence[ChangeEvent], *, entry_id: Callable[[ChangeEvent], str],
               entry_url: Callable[[ChangeEvent], str], fallback_updated: dt.datetime) -> bytes:
    """The Atom document (UTF-8 bytes) of `events` (newest first)."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "nl-BE")
    _el(feed, "id", info.id)
    _el(feed, "title", info.title)
    _el(feed, "subtitle", info.subtitle)
    _el(feed, "updated", _when(events[0].at if events else fallback_updated))
    _el(feed, "link", rel="self", type="application/atom+xml", href=info.self_url)
    _el(feed, "link", rel="alternate", type="text/html", href=info.alternate_url)
    author = _el(feed, "author")
    _el(author, "name", info.author)
    _el(feed, "generator", "Fichekaart")
    for event in events:
        entry = _el(feed, "entry")
        _el(entry, "id", entry_id(event))
        verb = "gepubliceerd" if event.kind == "publicatie" else "gewijzigd"
        _el(entry, "title", f"{event.title}: {verb}")
        _el(entry, "updated", _when(event.at))
        _el(entry, "published", _when(event.at))
        _el(entry, "link", rel="alternate", type="text/html", href=entry_url(event))
        _el(entry, "summary", " ".join(event.sentences), type="text")
        content = _el(entry, "content", type="xhtml")
        div = etree.SubElement(content, f"{{{XHTML}}}div", nsmap={None: XHTML})
        items = etree.SubElement(div, f"{{{XHTML}}}ul")
        for sentence in event.sentences:
            etree.SubElement(items, f"{{{XHTML}}}li").text = sentence
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")
