"""Where the blocks of a sweep go: memory, a NetCDF-4 file or a Zarr store.

Every sink receives blocks (a hyperslab of the sweep and its arrays) in any
order and holds at most one block besides what it writes, so a sweep streamed to
a file needs memory for one block, not for the result.

Files are written under a temporary name in the target's folder and renamed
into place when the last block is in: the target appears complete or not at
all (a failed or interrupted sweep leaves the old file, if any, untouched).

* NetCDF-4 (``.nc``): xarray writes coordinates and attributes (h5netcdf
  engine), then each variable is created with h5netcdf and filled region by region.
* Zarr (``.zarr``): likewise with the zarr library; one Zarr chunk per block, and
  consolidated metadata at the end so ``xarray.open_zarr`` reads it directly.
"""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpinstackError
from .layout import VariableLayout
from .plan import Region

#: file formats by extension
FORMATS = {".nc": "netcdf", ".zarr": "zarr"}


def file_format(path: str | os.PathLike) -> str:
    """``"netcdf"`` or ``"zarr"`` by extension; bad extensions and missing folders fail before any work."""
    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise SpinstackError(f"{target}: unknown sweep file format {target.suffix!r} (use .nc for NetCDF or .zarr for Zarr)")
    if not target.parent.is_dir():
        raise SpinstackError(f"{target}: the folder {str(target.parent)!r} does not exist")
    if target.is_dir() and kind == "netcdf":
        raise SpinstackError(f"{target}: is a folder")
    return kind


class MemorySink:
    """Blocks into numpy arrays of the full result (the default, for sweeps that fit in memory)."""

    def __init__(self, skeleton: Any, layouts: list[VariableLayout]) -> None:
        self.skeleton = skeleton
        self.layouts = layouts
        self.arrays = {layout.name: np.empty(layout.shape) for layout in layouts}

    def write(self, region: Region, arrays: dict[str, np.ndarray]) -> None:
        for name, values in arrays.items():
            self.arrays[name][region] = values

    def finish(self) -> Any:
        import xarray as xr

        variables = {layout.name: xr.Variable(layout.dims, self.arrays[layout.name], layout.attrs)
                     for layout in self.layouts}
        return self.skeleton.assign(variables)

    def abort(self) -> None:
        self.arrays.clear()


class _FileSink:
    """Common part of the file sinks: the temporary name and the final rename."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.target = Path(path)
        self.temporary = self.target.parent / f".{self.target.name}.spinstack-{uuid.uuid4().hex[:12]}"

    def _move_into_place(self) -> Path:
        try:
            if self.target.is_dir() or (self.target.exists() and self.temporary.is_dir()):
                # os.replace cannot replace a folder (a Zarr store): move the old one aside first
                old = self.target.parent / f".{self.target.name}.spinstack-old-{uuid.uuid4().hex[:12]}"
                os.rename(self.target, old)
                os.rename(self.temporary, self.target)
                _remove(old)
            else:
                os.replace(self.temporary, self.target)
        except OSError as error:
            raise SpinstackError(f"{self.target}: cannot write the sweep ({error.strerror or error})") from None
        return self.target

    def _cleanup(self) -> None:
        _remove(self.temporary)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


class NetCDFSink(_FileSink):
    """Blocks into a NetCDF-4 file (HDF5, written with h5netcdf)."""

    def __init__(self, path: str | os.PathLike, skeleton: Any, layouts: list[VariableLayout]) -> None:
        import h5netcdf

        super().__init__(path)
        self.file = None
        try:
            skeleton.to_netcdf(self.temporary, engine="h5netcdf")
            self.file = h5netcdf.File(self.temporary, "a")
            self.variables = {}
            for layout in layouts:
                variable = self.file.create_variable(layout.name, layout.dims, dtype="f8", fillvalue=np.nan,
                                                     chunks=_hdf5_chunks(layout))
                variable.attrs.update(layout.attrs)
                self.variables[layout.name] = variable
        except BaseException:
            self.abort()
            raise

    def write(self, region: Region, arrays: dict[str, np.ndarray]) -> None:
        for name, values in arrays.items():
            self.variables[name][region] = values

    def finish(self) -> Path:
        self.file.close()
        self.file = None
        return self._move_into_place()

    def abort(self) -> None:
        if self.file is not None:
            try:
                self.file.close()
            except Exception:  # noqa: BLE001 - the file is being thrown away
                pass
            self.file = None
        self._cleanup()


def _hdf5_chunks(layout: VariableLayout) -> tuple[int, ...]:
    """HDF5 chunks: the block shape, trimmed to about 1 MiB (the HDF5 chunk cache) along the earliest long axes."""
    chunks = list(layout.chunks)
    limit = 1 << 17  # float64 numbers per chunk
    for axis in range(len(chunks)):
        total = int(np.prod(chunks))
        if total <= limit:
            break
        chunks[axis] = max(1, chunks[axis] // -(-total // limit))
    return tuple(chunks)


class ZarrSink(_FileSink):
    """Blocks into a Zarr store (a folder); one Zarr chunk per block."""

    def __init__(self, path: str | os.PathLike, skeleton: Any, layouts: list[VariableLayout]) -> None:
        import zarr

        super().__init__(path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=UserWarning)  # zarr: consolidated metadata and v3
                skeleton.to_zarr(self.temporary, mode="w", consolidated=False)
            group = zarr.open_group(self.temporary, mode="r+")
            version = getattr(group.metadata, "zarr_format", 2) if hasattr(group, "metadata") else 2
            self.arrays = {}
            for layout in layouts:
                self.arrays[layout.name] = _create_zarr_array(group, layout, version)
        except BaseException:
            self.abort()
            raise

    def write(self, region: Region, arrays: dict[str, np.ndarray]) -> None:
        for name, values in arrays.items():
            self.arrays[name][region] = values

    def finish(self) -> Path:
        import zarr

        with warnings.catch_warnings():
            # zarr 3 warns that consolidated metadata is not in the v3 spec yet; xarray reads it all the same
            warnings.simplefilter("ignore", category=UserWarning)
            zarr.consolidate_metadata(str(self.temporary))
        self.arrays = {}
        return self._move_into_place()

    def abort(self) -> None:
        self.arrays = {}
        self._cleanup()


def _create_zarr_array(group: Any, layout: VariableLayout, version: int) -> Any:
    """A float64 array with xarray's dimension convention for the store's Zarr format."""
    if version >= 3:
        return group.create_array(layout.name, shape=layout.shape, chunks=layout.chunks, dtype="float64",
                                  fill_value=np.nan, dimension_names=layout.dims, attributes=dict(layout.attrs))
    attributes = {"_ARRAY_DIMENSIONS": list(layout.dims), **layout.attrs}
    create = getattr(group, "create_array", None) or group.create_dataset  # zarr 3 / zarr 2
    array = create(layout.name, shape=layout.shape, chunks=layout.chunks, dtype="float64", fill_value=np.nan)
    array.attrs.update(attributes)
    return array


def open_sweep(path: str | os.PathLike, chunks: Any = None) -> Any:
    """Open a saved sweep (``.nc`` or ``.zarr``) as an :class:`xarray.Dataset`, lazily.

    ``chunks`` as for :func:`xarray.open_dataset` (``{}`` for Dask arrays in the
    file's own chunks).  Close the dataset when done (or use ``with``).
    """
    import xarray as xr

    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise SpinstackError(f"{target}: not a saved sweep (expected a .nc or .zarr file)")
    if not target.exists():
        raise SpinstackError(f"{target}: no such file")
    try:
        if kind == "netcdf":
            return xr.open_dataset(target, engine="h5netcdf", chunks=chunks)
        return xr.open_dataset(target, engine="zarr", chunks=chunks)
    except (OSError, ValueError, KeyError) as error:
        raise SpinstackError(f"{target}: cannot read the sweep ({error})") from None
