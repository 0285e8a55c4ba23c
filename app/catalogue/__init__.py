"""Catalogue records of the data sets (issue 11): DCAT-AP (the Flemish
DCAT-AP profile's classes and properties) as Turtle and JSON-LD via rdflib,
and one ISO 19139 record per data set via lxml. Pure: records
(app.read.catalogue.DatasetRecord) and URLs in, text out."""
