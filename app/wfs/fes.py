"""The one Filter Encoding 2.0 filter this WFS understands: a BBOX on the
geometry with a gml:Envelope, what GDAL and QGIS send for a map extent
(FILTER=<fes:Filter><fes:BBOX>...). It becomes the same box as the BBOX
parameter; any other filter is refused with OperationNotSupported.

Parsed with lxml without entities, DTDs or network access."""
from __future__ import annotations

from lxml import etree

from .errors import WfsError, not_supported
from .xml import FES_NS, GML_NS, qname

MAX_FILTER_CHARS = 10_000
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def bbox_of_filter(text: str) -> str:
    """FILTER -> the value of a BBOX parameter ('minx,miny,maxx,maxy[,crs]')."""
    if len(text) > MAX_FILTER_CHARS:
        raise WfsError(f"FILTER is te lang (hoogstens {MAX_FILTER_CHARS} tekens).", "InvalidParameterValue", "filter")
    try:
        root = etree.fromstring(text.strip().encode(), _PARSER)
    except etree.XMLSyntaxError:
        raise WfsError("FILTER is geen geldige XML.", "InvalidParameterValue", "filter") from None
    children = [c for c in root if isinstance(c.tag, str)]
    if root.tag != qname(FES_NS, "Filter") or len(children) != 1 or children[0].tag != qname(FES_NS, "BBOX"):
        raise not_supported("FILTER", "Een FILTER anders dan één fes:BBOX (Filter Encoding 2.0)")
    envelope = children[0].find(qname(GML_NS, "Envelope"))
    if envelope is None:
        raise WfsError("fes:BBOX heeft een gml:Envelope nodig.", "InvalidParameterValue", "filter")
    corners = [envelope.findtext(qname(GML_NS, name)) for name in ("lowerCorner", "upperCorner")]
    numbers = [v for corner in corners for v in (corner or "").split()]
    if len(numbers) != 4:
        raise WfsError("gml:Envelope heeft een lowerCorner en een upperCorner met elk twee getallen nodig.",
                       "InvalidParameterValue", "filter")
    srs = envelope.get("srsName")
    return ",".join([numbers[0], numbers[1], numbers[2], numbers[3], *([srs] if srs else [])])
