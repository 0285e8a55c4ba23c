"""Writing frames with GDAL (pyogrio) into a scratch directory, for the
formats GDAL writes better than we would: GeoPackage, Shapefile, FlatGeobuf."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from .frames import layer_geometry


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
    kwargs: dict[str, str | bool] = {}    # extra pyogrio.write_dataframe arguments
    declared: str | None = None           # no geometry type for an attribute table
    if isinstance(frame, gpd.GeoDataFrame):
        if geometry_type is None:
            frame, geometry_type = layer_geometry(frame)
        declared = kwargs["geometry_type"] = geometry_type or "Unknown"
        kwargs["promote_to_multi"] = False
    else:
        frame = pd.DataFrame(frame)
    pyogrio.write_dataframe(
        frame, str(path), layer=layer, driver=driver, encoding="UTF-8" if driver == "ESRI Shapefile" else None,
        layer_options=layer_options or None, layer_metadata=layer_metadata or None,
        dataset_metadata=dataset_metadata or None, dataset_options=dataset_options or None, **kwargs,
    )
    return declared
