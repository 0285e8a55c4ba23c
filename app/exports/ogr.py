"""Writing frames with GDAL (pyogrio) into a scratch directory, for the
formats GDAL writes better than we would: GeoPackage, Shapefile, FlatGeobuf.

Date columns (datetime.date values, app.exports.frames.typed) are handed to
GDAL as numpy datetime64[D], the one way pyogrio creates a Date field (a
pandas datetime column becomes DateTime, a column of dates text); so the
frame goes through pyogrio.raw.write rather than write_dataframe."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.raw import write as raw_write

from .frames import COLUMN_TYPES, layer_geometry

# SQLite settings of the connections GDAL opens for a GeoPackage: the file is
# a scratch copy read back at once, so no fsync at every commit and the
# rollback journal in memory (connection settings: the file is the same).
# Measured: writes 15-20 % faster on this machine's disk (docs/bench.md, exports).
SCRATCH_SQLITE = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_JOURNAL": "MEMORY"}


# Where a GeoPackage is written before its bytes are sent: memory (tmpfs)
# where the system has it, else the temp directory. The file is read back at
# once and deleted; on disk the write and the read back took 16 % longer.
SCRATCH_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@contextlib.contextmanager
def scratch_sqlite():
    """SCRATCH_SQLITE for the GDAL writes of the block, the previous values after."""
    before = {key: pyogrio.get_gdal_config_option(key) for key in SCRATCH_SQLITE}
    pyogrio.set_gdal_config_options(SCRATCH_SQLITE)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _field_values(column: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """(values, mask of missing or None) as pyogrio.raw.write takes them."""
    if COLUMN_TYPES.get(str(column.name)) == "date":
        return np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D")
                         for v in column.tolist()], dtype="datetime64[D]"), None
    if isinstance(column.dtype, (pd.Int64Dtype, pd.BooleanDtype, pd.Float64Dtype)):
        mask = column.isna().to_numpy()
        fill = False if isinstance(column.dtype, pd.BooleanDtype) else 0
        numpy_type = {pd.Int64Dtype: "int64", pd.BooleanDtype: "bool", pd.Float64Dtype: "float64"}[type(column.dtype)]
        return column.to_numpy(dtype=numpy_type, na_value=fill), mask
    return column.to_numpy(), None


def write_layer(
    path: Path,
    frame: pd.DataFrame,
    layer: str,
    driver: str,
    *,
    layer_options: dict | None = None,
    layer_metadata: dict | None = None,
    dataset_metadata: dict | None = None,
    dataset_options: dict | None = None,
    geometry_type: str | None = None,
) -> str | None:
    """Write one layer (spatial if `frame` is a GeoDataFrame, an attribute
    table otherwise) and return the geometry type declared. `geometry_type`
    defaults to `layer_geometry`'s choice (single family -> its type)."""
    declared: str | None = None           # no geometry type for an attribute table
    geometry = crs = None
    if isinstance(frame, gpd.GeoDataFrame):
        if geometry_type is None:
            frame, geometry_type = layer_geometry(frame)
        declared = geometry_type or "Unknown"
        geometry = shapely.to_wkb(np.asarray(frame.geometry.values, dtype=object))
        crs = frame.crs.to_wkt() if frame.crs is not None else None
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    fields = [str(c) for c in frame.columns]
    values = [_field_values(frame[c]) for c in frame.columns]
    raw_write(
        str(path), geometry, [v for v, _ in values], fields, field_mask=[m for _, m in values],
        layer=layer, driver=driver, geometry_type=declared, crs=crs, promote_to_multi=False,
        encoding="UTF-8" if driver == "ESRI Shapefile" else None,
        layer_options=layer_options or None, layer_metadata=layer_metadata or None,
        dataset_metadata=dataset_metadata or None, dataset_options=dataset_options or None,
    )
    return declared
