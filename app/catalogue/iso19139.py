"""One ISO 19139 (gmd) metadata record per data set: identifier, language,
contact, date, reference system (EPSG:31370), title, abstract, point of
contact, keywords, licence (MD_LegalConstraints with a gmx:Anchor to the
licence text), bounding box (WGS 84), the online resources and the lineage.
Built with lxml; well-formed UTF-8 XML."""
from __future__ import annotations

from lxml import etree

from ..read.catalogue import DatasetRecord

GMD = "http://www.isotc211.org/2005/gmd"
GCO = "http://www.isotc211.org/2005/gco"
GMX = "http://www.isotc211.org/2005/gmx"
XLINK = "http://www.w3.org/1999/xlink"
NSMAP = {"gmd": GMD, "gco": GCO, "gmx": GMX, "xlink": XLINK}
CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"


def _el(parent, tag: str, text: str | None = None, **attrs):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", **attrs)
    if text is not None:
        node.text = text
    return node


def _string(parent, tag: str, text: str):
    _el(_el(parent, tag), "gco:CharacterString", text)


def _code(parent, tag: str, codelist: str, value: str):
    _el(_el(parent, tag), f"gmd:{codelist}", value, codeList=f"{CODELISTS}#{codelist}", codeListValue=value)


def _party(parent, tag: str, record: DatasetRecord, role: str):
    party = _el(_el(parent, tag), "gmd:CI_ResponsibleParty")
    if record.contact_name:
        _string(party, "gmd:individualName", record.contact_name)
    _string(party, "gmd:organisationName", record.publisher)
    info = _el(_el(party, "gmd:contactInfo"), "gmd:CI_Contact")
    if record.contact_email:
        _string(_el(_el(info, "gmd:address"), "gmd:CI_Address"), "gmd:electronicMailAddress", record.contact_email)
    if record.contact_url:
        resource = _el(_el(info, "gmd:onlineResource"), "gmd:CI_OnlineResource")
        _el(_el(resource, "gmd:linkage"), "gmd:URL", record.contact_url)
    _code(party, "gmd:role", "CI_RoleCode", role)


def iso_record(record: DatasetRecord, *, online: list[tuple[str, str, str]]) -> bytes:
    """The record as UTF-8 XML. `online`: (url, protocol, name) of each way to
    get the data (the OGC API collection, the downloads)."""
    root = etree.Element(f"{{{GMD}}}MD_Metadata", nsmap=NSMAP)
    _string(root, "gmd:fileIdentifier", f"fichekaart-{record.identifier}")
    _code(root, "gmd:language", "LanguageCode", "dut")
    _code(root, "gmd:hierarchyLevel", "MD_ScopeCode", "dataset")
    _party(root, "gmd:contact", record, "pointOfContact")
    _el(_el(root, "gmd:dateStamp"), "gco:Date", record.modified.isoformat())
    _string(root, "gmd:metadataStandardName", "ISO 19115:2003/19139")
    rs = _el(_el(_el(root, "gmd:referenceSystemInfo"), "gmd:MD_ReferenceSystem"), "gmd:referenceSystemIdentifier")
    rs_id = _el(rs, "gmd:RS_Identifier")
    _el(_el(rs_id, "gmd:code"), "gmx:Anchor", "EPSG:31370",
        **{f"{{{XLINK}}}href": "http://www.opengis.net/def/crs/EPSG/0/31370"})
    _string(rs_id, "gmd:codeSpace", "EPSG")

    ident = _el(_el(root, "gmd:identificationInfo"), "gmd:MD_DataIdentification")
    citation = _el(_el(ident, "gmd:citation"), "gmd:CI_Citation")
    _string(citation, "gmd:title", record.title)
    date = _el(_el(citation, "gmd:date"), "gmd:CI_Date")
    _el(_el(date, "gmd:date"), "gco:Date", record.modified.isoformat())
    _code(date, "gmd:dateType", "CI_DateTypeCode", "revision")
    _string(_el(_el(citation, "gmd:identifier"), "gmd:MD_Identifier"), "gmd:code", record.identifier)
    _string(ident, "gmd:abstract", record.description)
    _party(ident, "gmd:pointOfContact", record, "pointOfContact")
    keywords = _el(_el(ident, "gmd:descriptiveKeywords"), "gmd:MD_Keywords")
    for word in record.keywords:
        _string(keywords, "gmd:keyword", word)
    legal = _el(_el(ident, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
    _code(legal, "gmd:accessConstraints", "MD_RestrictionCode", "otherRestrictions")
    other = _el(legal, "gmd:otherConstraints")
    if record.licence:
        _el(other, "gmx:Anchor", f"Licentie: {record.licence.name} ({record.licence.id})",
            **{f"{{{XLINK}}}href": record.licence.url})
    else:
        _el(other, "gco:CharacterString", "De stad heeft nog geen licentie gekozen.")
    _code(ident, "gmd:language", "LanguageCode", "dut")
    if record.bbox:
        box = _el(_el(_el(ident, "gmd:extent"), "gmd:EX_Extent"), "gmd:geographicElement")
        geo = _el(box, "gmd:EX_GeographicBoundingBox")
        for tag, value in zip(("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude",
                               "northBoundLatitude"), (record.bbox[0], record.bbox[2], record.bbox[1], record.bbox[3])):
            _el(_el(geo, f"gmd:{tag}"), "gco:Decimal", repr(value))

    transfer = _el(_el(_el(root, "gmd:distributionInfo"), "gmd:MD_Distribution"), "gmd:transferOptions")
    options = _el(transfer, "gmd:MD_DigitalTransferOptions")
    for url, protocol, name in online:
        resource = _el(_el(options, "gmd:onLine"), "gmd:CI_OnlineResource")
        _el(_el(resource, "gmd:linkage"), "gmd:URL", url)
        _string(resource, "gmd:protocol", protocol)
        _string(resource, "gmd:name", name)

    quality = _el(_el(root, "gmd:dataQualityInfo"), "gmd:DQ_DataQuality")
    scope = _el(_el(quality, "gmd:scope"), "gmd:DQ_Scope")
    _code(scope, "gmd:level", "MD_ScopeCode", "dataset")
    _string(_el(_el(quality, "gmd:lineage"), "gmd:LI_Lineage"), "gmd:statement", record.lineage)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
