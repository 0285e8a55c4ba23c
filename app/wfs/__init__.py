"""WFS 2.0 (KVP GET) under /wfs for the GIS tools that do not speak OGC API
- Features yet (QGIS 3.22, GDAL 3.6, FME and ArcGIS set-ups, the Flemish
geoportals): GetCapabilities, DescribeFeatureType, GetFeature in GML 3.2 or
GeoJSON.

It reads what /ogc reads (app.ogcapi's collections over app.read), split
into one geometry type per feature type. Modules: xml (namespaces, lxml
helpers), errors (OWS exception reports), params (the KVP request),
feature_types (what is served and how it is queried), gml (geometries),
documents (the answers), routes."""
from .routes import bp

__all__ = ["bp"]
