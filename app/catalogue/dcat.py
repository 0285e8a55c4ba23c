"""DCAT-AP for the catalogue: the service (dcat:Catalog + dcat:DataService
for the OGC API) and each data set (dcat:Dataset) with its distributions
(the OGC API collection, GeoPackage and GeoJSON downloads), each carrying
dct:license. Follows DCAT-AP Vlaanderen: Dutch literals, a contact point as
vcard:Organization, the publisher as foaf:Agent, the bounding box as
dcat:bbox (WKT in CRS84)."""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

from ..licences import Licence
from ..read.catalogue import DatasetRecord

GSP = Namespace("http://www.opengis.net/ont/geosparql#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DUTCH = URIRef("http://publications.europa.eu/resource/authority/language/NLD")
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
OGC_FEATURES = URIRef("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core")
LAMBERT72 = URIRef("http://www.opengis.net/def/crs/EPSG/0/31370")


@dataclass
class DatasetLinks:
    """The URLs of one data set: its OGC API collection, landing page, downloads
    ({file type code: url}, e.g. {"GPKG": ..., "GEOJSON": ...}) and ISO record."""
    collection: str
    landing_page: str | None
    downloads: dict[str, str]
    iso_record: str


def _nl(text: str) -> Literal:
    return Literal(text, lang="nl")


def _licence(graph: Graph, licence: Licence) -> URIRef:
    node = URIRef(licence.url)
    graph.add((node, RDF.type, DCTERMS.LicenseDocument))
    graph.add((node, DCTERMS.title, _nl(licence.name)))
    graph.add((node, DCTERMS.identifier, Literal(licence.id)))
    return node


def _bbox_wkt(box: tuple[float, float, float, float]) -> str:
    x1, y1, x2, y2 = box
    return f"POLYGON(({x1} {y1},{x2} {y1},{x2} {y2},{x1} {y2},{x1} {y1}))"


def _dataset(graph: Graph, record: DatasetRecord, links: DatasetLinks, service: URIRef) -> URIRef:
    ds = URIRef(links.collection)
    graph.add((ds, RDF.type, DCAT.Dataset))
    graph.add((ds, DCTERMS.title, _nl(record.title)))
    graph.add((ds, DCTERMS.description, _nl(record.description)))
    graph.add((ds, DCTERMS.identifier, Literal(record.identifier)))
    graph.add((ds, DCTERMS.language, DUTCH))
    graph.add((ds, DCTERMS.modified, Literal(record.modified, datatype=XSD.date)))
    graph.add((ds, DCTERMS.conformsTo, LAMBERT72))
    graph.add((ds, DCTERMS.provenance, _provenance(graph, record.lineage)))
    for keyword in record.keywords:
        graph.add((ds, DCAT.keyword, _nl(keyword)))
    publisher = BNode()
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, _nl(record.publisher)))
    graph.add((ds, DCTERMS.publisher, publisher))
    if record.contact_name or record.contact_email or record.contact_url:
        contact = BNode()
        graph.add((contact, RDF.type, VCARD.Organization))
        graph.add((contact, VCARD.fn, _nl(record.contact_name or record.publisher)))
        if record.contact_email:
            graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{record.contact_email}")))
        if record.contact_url:
            graph.add((contact, VCARD.hasURL, URIRef(record.contact_url)))
        graph.add((ds, DCAT.contactPoint, contact))
    if record.bbox:
        place = BNode()
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, DCAT.bbox, Literal(_bbox_wkt(record.bbox), datatype=GSP.wktLiteral)))
        graph.add((ds, DCTERMS.spatial, place))
    if links.landing_page:
        graph.add((ds, DCAT.landingPage, URIRef(links.landing_page)))
    graph.add((ds, FOAF.isPrimaryTopicOf, URIRef(links.iso_record)))
    licence = _licence(graph, record.licence) if record.licence else None
    distributions: list[tuple[str, str, str | None, str]] = [(links.collection, "OGC API - Features", None, "GEOJSON")]
    distributions += [(url, f"Download ({code})", url, code) for code, url in links.downloads.items()]
    for access, title, download, file_type in distributions:
        dist = URIRef(f"{download or access}#distributie")
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, _nl(title)))
        graph.add((dist, DCAT.accessURL, URIRef(access)))
        if download:
            graph.add((dist, DCAT.downloadURL, URIRef(download)))
        else:
            graph.add((dist, DCAT.accessService, service))
        graph.add((dist, DCTERMS.format, URIRef(FILE_TYPES + file_type)))
        if licence is not None:
            graph.add((dist, DCTERMS.license, licence))
        graph.add((ds, DCAT.distribution, dist))
    return ds


def _provenance(graph: Graph, text: str) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, DCTERMS.ProvenanceStatement))
    graph.add((node, RDFS.label, _nl(text)))
    return node


def catalogue_graph(records: list[tuple[DatasetRecord, DatasetLinks]], *, catalogue_url: str, service_url: str,
                    openapi_url: str, home_url: str) -> Graph:
    """The whole catalogue as one RDF graph."""
    graph = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("gsp", GSP),
                       ("adms", ADMS)):
        graph.bind(prefix, ns)
    catalogue, service = URIRef(catalogue_url), URIRef(service_url)
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, _nl("Fichekaart: projectfiches van Vlaamse steden")))
    graph.add((catalogue, DCTERMS.description, _nl(
        "De gepubliceerde projectfiches van de steden in Fichekaart en de wijken waarin ze liggen, als "
        "OGC API - Features en als downloads (GeoPackage, GeoJSON ...), in Lambert 72 (EPSG:31370).")))
    graph.add((catalogue, DCTERMS.language, DUTCH))
    graph.add((catalogue, FOAF.homepage, URIRef(home_url)))
    publisher = BNode()
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, _nl("Fichekaart")))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, _nl("Fichekaart OGC API - Features")))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.endpointDescription, URIRef(openapi_url)))
    graph.add((service, DCTERMS.conformsTo, OGC_FEATURES))
    graph.add((catalogue, DCAT.service, service))
    licences = {r.licence.url: r.licence for r, _ in records if r.licence}
    for licence in licences.values():
        graph.add((service, DCTERMS.license, _licence(graph, licence)))
    for record, links in records:
        ds = _dataset(graph, record, links, service)
        graph.add((catalogue, DCAT.dataset, ds))
        graph.add((service, DCAT.servesDataset, ds))
    return graph


def as_turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def as_jsonld(graph: Graph) -> str:
    context = {"dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "vcard": str(VCARD), "gsp": str(GSP)}
    return graph.serialize(format="json-ld", context=context, indent=1)
