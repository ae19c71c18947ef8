"""Where the blocks of a sweep go: memory, a NetCDF-4 file or a Zarr store.

Every sink receives blocks (a hyperslab of the sweep and its arrays) in any
order and holds at most one block besides what it writes, so a sweep streamed to
a file needs memory for one block, not for the result.

Files are written under a temporary name in the target's folder and renamed
into place when the last block is in: the target appears complete or not at
all (a failed or interrupted sweep leaves the old file, if any, untouched).

Only spinstack's own sweeps are ever replaced (:func:`check_target`): a target
that exists must be a spinstack sweep, recognised by its attributes
(``title = "spinstack sweep"`` and ``spinstack_version``, :data:`MARK`): an
HDF5 file for ``.nc``; for ``.zarr`` a Zarr group folder holding nothing but its
metadata and its arrays.  Anything else at the target (another file, a folder,
a symbolic link) is refused before any work, and checked again before the
rename.

Space: :func:`check_space` refuses a sweep whose file (estimated by
:func:`file_size`, uncompressed) does not fit in the free space of its folder,
before any work.  A NetCDF file then reserves that space on disk
(``posix_fallocate``) before HDF5 writes a block, because HDF5 cannot recover
from a failed write (it prints tracebacks and may crash the interpreter at
exit); HDF5 trims the file to its real size when it closes it.  A Zarr store
writes one file per chunk and fails cleanly if the disk fills.

* NetCDF-4 (``.nc``): xarray writes coordinates and attributes (h5netcdf
  engine), then each variable is created with h5netcdf and filled region by region.
* Zarr (``.zarr``): likewise with the zarr library; one Zarr chunk per block, and
  consolidated metadata at the end so ``xarray.open_zarr`` reads it directly.
"""

from __future__ import annotations

import errno
import json
import math
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

#: the attribute that marks a spinstack sweep (with ``spinstack_version``): only such files are replaced
MARK = ("title", "spinstack sweep")

#: the metadata files of a Zarr group (formats 2 and 3); its other entries must be its arrays
_ZARR_GROUP_FILES = frozenset({"zarr.json", ".zgroup", ".zattrs", ".zmetadata"})


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


def check_target(path: str | os.PathLike) -> None:
    """Refuse a target that exists and is not a spinstack sweep: only our own sweeps are ever replaced."""
    target = Path(path)
    if not os.path.lexists(target):
        return
    problem = foreign(target)
    if problem is not None:
        raise SpinstackError(f"{target}: exists and {problem}; spinstack replaces only sweeps it wrote: "
                             "remove it or choose another name")


def foreign(target: Path) -> str | None:
    """Why the existing ``target`` is not a spinstack sweep (None when it is one)."""
    if target.is_symlink():
        return "is a symbolic link"
    kind = FORMATS.get(target.suffix.lower())
    if kind == "netcdf":
        if not target.is_file():
            return "is not a regular file"
        attrs = _hdf5_attributes(target)
    else:
        if not target.is_dir():
            return "is not a folder (a Zarr store is one)"
        attrs, stray = _zarr_group(target)
        if attrs is None:
            return "is not a Zarr store"
        if stray:
            return f"holds {stray!r}, which spinstack does not write"
    if attrs is None:
        return "is not a NetCDF-4 (HDF5) file"
    if attrs.get(MARK[0]) != MARK[1] or "spinstack_version" not in attrs:
        return f"is not a spinstack sweep (no attributes {MARK[0]} = {MARK[1]!r} and spinstack_version)"
    return None


def _hdf5_attributes(target: Path) -> dict[str, Any] | None:
    """The root attributes of an HDF5 file (strings decoded), or None if it is not one."""
    import h5py

    try:
        if not h5py.is_hdf5(target):
            return None
        with h5py.File(target, "r") as file:
            return {key: value.decode("utf-8", "replace") if isinstance(value, bytes) else value
                    for key, value in file.attrs.items() if key in (MARK[0], "spinstack_version")}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _zarr_group(target: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(attributes, first entry that is neither group metadata nor an array) of a Zarr group folder.

    Attributes are None when the folder is no Zarr group (format 2 or 3).  Read as JSON, without zarr:
    nothing is opened as a store before it is known to be one.
    """
    attrs = None
    try:
        if (target / "zarr.json").is_file():
            meta = json.loads((target / "zarr.json").read_text(encoding="utf-8"))
            if isinstance(meta, dict) and meta.get("node_type") == "group":
                attrs = meta.get("attributes", {})
        elif (target / ".zgroup").is_file():
            attrs = json.loads((target / ".zattrs").read_text(encoding="utf-8")) if (target / ".zattrs").is_file() else {}
        if not isinstance(attrs, dict):
            return None, None
        for entry in sorted(os.listdir(target)):
            if entry in _ZARR_GROUP_FILES:
                continue
            member = target / entry
            if member.is_symlink() or not member.is_dir() or not _is_zarr_array(member):
                return attrs, entry
    except (OSError, ValueError):
        return None, None
    return attrs, None


def _is_zarr_array(folder: Path) -> bool:
    if (folder / ".zarray").is_file():
        return True
    try:
        meta = json.loads((folder / "zarr.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("node_type") == "array"


# ---------------------------------------------------------------- space
def file_size(kind: str, layouts: list[VariableLayout], skeleton_bytes: int) -> int:
    """Bytes the sweep's file takes at most (uncompressed), from its variables' chunks and its skeleton.

    Chunks are stored whole, also at the edges of an array (HDF5 and Zarr alike).  Overheads measured on
    this package's files: about 40 kB and 100 B per chunk for NetCDF (HDF5 chunk index); Zarr writes one
    file per chunk, so up to a file system block (4 kB) per chunk.
    """
    total = skeleton_bytes + (1 << 20)
    for layout in layouts:
        chunks = _hdf5_chunks(layout) if kind == "netcdf" else layout.chunks
        count = math.prod(-(-size // chunk) for size, chunk in zip(layout.shape, chunks))
        total += count * (8 * math.prod(chunks) + (128 if kind == "netcdf" else 4096))
    return total


def check_space(path: str | os.PathLike, need: int) -> None:
    """Refuse a sweep whose file (``need`` bytes) does not fit in the free space of its folder."""
    target = Path(path)
    try:
        usage = shutil.disk_usage(target.parent)
    except OSError:
        return  # nothing to measure (the write itself will say what is wrong)
    if usage.total == 0:
        return  # a pseudo file system (/proc): no size to compare with
    free = usage.free
    if need > free:
        raise SpinstackError(f"{target}: the sweep needs about {format_bytes(need)} on disk (uncompressed) and its "
                             f"folder has {format_bytes(free)} free: sweep fewer points or variables, or write "
                             "elsewhere")


def format_bytes(count: float) -> str:
    """``216e12`` -> ``"216 TB"`` (decimal units, three significant figures)."""
    for unit, size in (("EB", 1e18), ("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{int(count)} B"


def _reserve(path: Path, size: int) -> None:
    """Allocate ``size`` bytes for the file on disk now, so that a full disk fails here, not inside HDF5.

    A file system that cannot reserve space (EOPNOTSUPP, EINVAL) is written without a reservation.
    """
    if not hasattr(os, "posix_fallocate"):
        return
    handle = os.open(path, os.O_RDWR)
    try:
        os.posix_fallocate(handle, 0, size)
    except OSError as error:
        if error.errno not in (errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL, errno.ENOSYS):
            raise
    finally:
        os.close(handle)


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
        check_target(self.target)  # again: something else may have appeared there while the sweep ran
        try:
            if os.path.lexists(self.target) and self.temporary.is_dir():
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
    if path.is_symlink():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


class NetCDFSink(_FileSink):
    """Blocks into a NetCDF-4 file (HDF5, written with h5netcdf)."""

    def __init__(self, path: str | os.PathLike, skeleton: Any, layouts: list[VariableLayout],
                 size: int | None = None) -> None:
        import h5netcdf

        super().__init__(path)
        self.file = None
        try:
            skeleton.to_netcdf(self.temporary, engine="h5netcdf")
            if size is not None:
                _reserve(self.temporary, size)
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
