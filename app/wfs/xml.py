"""Namespaces and the lxml element makers every WFS document uses."""
from __future__ import annotations

import re

from lxml import etree
from lxml.builder import ElementMaker

WFS_NS = "http://www.opengis.net/wfs/2.0"
OWS_NS = "http://www.opengis.net/ows/1.1"
GML_NS = "http://www.opengis.net/gml/3.2"
FES_NS = "http://www.opengis.net/fes/2.0"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
# Our feature types' namespace: a name, not an address (it must not change with the host).
FK_NS = "urn:fichekaart:wfs"
FK_PREFIX = "fk"

NSMAP = {"wfs": WFS_NS, "ows": OWS_NS, "gml": GML_NS, "fes": FES_NS, "xlink": XLINK_NS, "xsi": XSI_NS,
         FK_PREFIX: FK_NS}

WFS = ElementMaker(namespace=WFS_NS, nsmap=NSMAP)
OWS = ElementMaker(namespace=OWS_NS, nsmap=NSMAP)
GML = ElementMaker(namespace=GML_NS, nsmap=NSMAP)
FES = ElementMaker(namespace=FES_NS, nsmap=NSMAP)
FK = ElementMaker(namespace=FK_NS, nsmap=NSMAP)
XSD = ElementMaker(namespace=XSD_NS, nsmap={"xsd": XSD_NS, "gml": GML_NS, FK_PREFIX: FK_NS})

XML_TYPE = "application/xml; charset=utf-8"
GML32_TYPE = "application/gml+xml; version=3.2"


# What XML 1.0 cannot carry (lxml refuses it): control characters but tab and line breaks, and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML cannot hold (each becomes U+FFFD):
    a pasted control character in a fiche or a query must not break an answer."""
    return _NOT_XML.sub("\ufffd", text)


def qname(namespace: str, local: str) -> str:
    """Clark notation for lxml: {namespace}local."""
    return f"{{{namespace}}}{local}"


def to_bytes(element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8")
