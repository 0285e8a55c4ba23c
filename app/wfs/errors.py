"""WFS errors as OWS 1.1 exception reports (status 400): what a GIS client
shows its user, so the text is Dutch; the code and locator are OGC's."""
from __future__ import annotations

from .xml import OWS, to_bytes, xml_text

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class WfsError(Exception):
    status = 400

    def __init__(self, text: str, code: str = "InvalidParameterValue", locator: str | None = None):
        super().__init__(text)
        self.text, self.code, self.locator = xml_text(text), code, locator

    def report(self) -> bytes:
        exception = OWS.Exception(OWS.ExceptionText(self.text), exceptionCode=self.code)
        if self.locator:
            exception.set("locator", self.locator)
        return to_bytes(OWS.ExceptionReport(exception, version="2.0.0", **{XML_LANG: "nl-BE"}))


def missing(name: str) -> WfsError:
    return WfsError(f"Parameter {name} ontbreekt.", "MissingParameterValue", name.lower())


def not_supported(name: str, what: str) -> WfsError:
    return WfsError(f"{what} wordt door deze WFS niet ondersteund.", "OperationNotSupported", name.lower())
