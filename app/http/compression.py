"""gzip/brotli/zstd for every answer worth compressing (flask-compress), with
gzip written by zlib-ng.

zlib-ng is a maintained fork of zlib with vectorised code paths; its gzip
is the same format, so every client reads it. On a page of 100 OGC features
(140 kB) level 4 took 0.46 ms and gave 17,887 bytes, where the standard
library's zlib took 0.96 ms for 18,020 bytes; on the city page (294 kB) 1.25
against 2.58 ms, within 3 % of the size (docs/bench.md, "Every target of
issue 14 met in one run"). Browsers mostly ask for zstd, which flask-compress
prefers; gzip is what curl, GDAL, QGIS and scripts get.
"""
from __future__ import annotations

import types

import flask_compress.compat
from flask import Flask
from flask_compress import Compress
from zlib_ng import gzip_ng

# flask-compress's list plus the GeoJSON and vector tile types the app serves
# (images and GeoPackages are compressed already).
COMPRESS_MIMETYPES = [
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
    "application/json", "application/geo+json", "application/schema+json", "application/vnd.oai.openapi+json",
    "application/xml", "image/svg+xml", "application/vnd.mapbox-vector-tile",
]

# Every answer is compressed per request (kept pages too). The standard
# zlib's level 6 (flask-compress's default) took 5 ms for one page of 100 OGC
# features, its level 4 1.4 ms for a 5 % larger answer; zlib-ng's level 4 is
# as small as the standard level 4 and twice as fast.
GZIP_LEVEL = 4


def gzip_bytes(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """A whole gzip member (header, deflate, CRC): what an answer with
    Content-Encoding: gzip carries."""
    return gzip_ng.compress(data, level)


def use_zlib_ng_for_gzip() -> None:
    """flask-compress calls `compression.gzip.compress(data, level)` on a
    namespace of its own (flask_compress.compat) below Python 3.14; point its
    gzip at zlib-ng's, which has that signature. From 3.14 the namespace is
    the standard library's `compression` package, which is not ours to
    change: there it raises (tests/test_api.py checks the deflate stream)."""
    namespace = flask_compress.compat.compression
    if not isinstance(namespace, types.SimpleNamespace):
        raise RuntimeError("flask-compress uses the standard library's compression package: "
                           "gzip by zlib-ng needs another hook (app/http/compression.py)")
    namespace.gzip = gzip_ng


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
    app.config.setdefault("COMPRESS_LEVEL", GZIP_LEVEL)
    use_zlib_ng_for_gzip()
    Compress(app)
