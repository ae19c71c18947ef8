"""Where the blocks of a sweep go: memory, a NetCDF-4 file or a Zarr store.

Every sink receives blocks (a hyperslab of the sweep and its arrays) in any
order and holds at most one block besides what it writes, so a sweep streamed to
a file needs memory for one block, not for the result.

Files are written under a temporary name in the target's folder and renamed
into place when the last block is in: the target appears complete or not at
all (a failed or interrupted sweep leaves the old file, if any, untouched):
:mod:`.atomic`, shared with the dynamics files.

Only spinstack's own sweeps are ever replaced (:func:`check_target`): a target
that exists must be a spinstack sweep, recognised by its attributes
(``title = "spinstack sweep"`` and ``spinstack_version``, :data:`MARK`): an
HDF5 file for ``.nc``; for ``.zarr`` a Zarr group folder holding nothing but its
metadata and its arrays, down to the last file (each array folder: its metadata and
the chunk files its chunk grid names, :func:`.atomic.zarr_group`).  Anything else at the
target (another file, a folder, a symbolic link, a stray file anywhere in the store)
is refused before any work, and checked again before the rename.

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
import warnings
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpinstackError
from .atomic import Staged, zarr_group
from .layout import VariableLayout
from .plan import Region

#: file formats by extension
FORMATS = {".nc": "netcdf", ".zarr": "zarr"}

#: the attribute that marks a spinstack sweep (with ``spinstack_version``): only such files are replaced
MARK = ("title", "spinstack sweep")

def file_format(path: str | os.PathLike) -> str:
    """``"netcdf"`` or ``"zarr"`` by extension; bad extensions and missing folders fail before any work."""
    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise SpinstackError(f"{target}: unknown sweep file format {target.suffix!r} (use .nc for NetCDF or .zarr for Zarr)")
    try:
        folder, is_folder = target.parent.is_dir(), target.is_dir()
    except OSError as error:  # a name too long, a folder we may not enter: the user's to fix, one line
        raise SpinstackError(f"{target}: cannot write the sweep ({_reason(error)})") from None
    if not folder:
        raise SpinstackError(f"{target}: the folder {str(target.parent)!r} does not exist")
    if is_folder and kind == "netcdf":
        raise SpinstackError(f"{target}: is a folder")
    return kind


def _reason(error: OSError) -> str:
    """An OS error in words, without the file name Python appends (the message names the file once)."""
    return error.strerror or (os.strerror(error.errno) if error.errno else "") or type(error).__name__


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
        attrs, stray = zarr_group(target)
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


# ---------------------------------------------------------------- space
def file_size(kind: str, layouts: list[VariableLayout], skeleton: Any, block: int = 4096) -> int:
    """Bytes of disk the sweep's file takes at most (its data uncompressed), from its layout and skeleton.

    Data: every chunk whole, also at the edges of an array (HDF5 and Zarr alike), as float64.  Around it,
    bounds of what the formats add, each checked against the files this package writes
    (``tests/sweep/test_sweep_files.py``: never under the disk usage, within 2x + 40 kB of it):

    * NetCDF-4 (HDF5): 16 kB of superblock and root group; the coordinates and attributes twice (dimension
      scales, attribute headers); per array an object header with its attributes and one chunk-index
      B-tree node (64 entries, 3.6 kB for four dimensions); per chunk its index entries (nodes at least
      half full).
    * Zarr: one file per chunk and per metadata document and one folder per chunk-key level, each rounded
      up to whole file-system blocks of ``block`` bytes; the root ``zarr.json`` holds the group attributes
      and every array's metadata again (consolidated); zstd adds at most 1/256 and a frame header to a chunk.

    Parameters
    ----------
    kind
        ``"netcdf"`` or ``"zarr"``.
    layouts
        The variables (:func:`spinstack._sweep.layout.variable_layouts`).
    skeleton
        The coordinates and attributes (:func:`spinstack._sweep.layout.skeleton`, an xarray Dataset).
    block
        The file system's block size in bytes (:func:`block_size`).
    """
    block = max(int(block), 512)
    attributes = _json_size(skeleton.attrs)
    arrays = [(name, tuple(int(n) for n in coordinate.shape), _coordinate_bytes(coordinate.values),
               _json_size(coordinate.attrs)) for name, coordinate in skeleton.variables.items()]
    if kind == "netcdf":
        total = (16 << 10) + 2 * (attributes + sum(data + attrs + 1024 for _, _, data, attrs in arrays))
        for layout in layouts:
            chunks = _hdf5_chunks(layout)
            count = math.prod(-(-size // chunk) for size, chunk in zip(layout.shape, chunks))
            node = 24 + 65 * 8 * (len(chunks) + 2) + 64 * 8  # a v1 B-tree node of the chunk index (K = 32)
            total += 1024 + _json_size(layout.attrs) + node + count * (8 * math.prod(chunks) + -(-node // 32))
        return _rounded(total, block)
    metadata = []
    total = 0
    for name, shape, data, attrs in arrays:  # coordinates: zarr's own chunks, at least 64 kB each (or whole)
        meta = 1024 + attrs + 32 * len(shape)
        metadata.append(meta)
        files = 1 + data // (64 << 10)
        # metadata, the array's folder, c/, and the chunk files (each rounded up: at most a block more)
        total += (_rounded(meta, block) + _rounded(64, block) + _rounded(32 * files, block)
                  + _rounded(data + 256 * files, block) + files * block)
    for layout in layouts:
        counts = tuple(-(-size // chunk) for size, chunk in zip(layout.shape, layout.chunks))
        meta = 1024 + _json_size(layout.attrs) + sum(len(d) + 40 for d in layout.dims)
        metadata.append(meta)
        raw = 8 * math.prod(layout.chunks)
        chunk_file = _rounded(raw + raw // 256 + 128, block)
        # folders: the array's, then c/, c/i/, c/i/j/, ... (the last index names the chunk file)
        folders = _rounded(64, block) + _rounded(32 * (counts[0] if counts else 1), block)
        for depth in range(1, len(counts)):
            folders += math.prod(counts[:depth]) * _rounded(32 * counts[depth], block)
        total += _rounded(meta, block) + folders + math.prod(counts) * chunk_file
    root = 1024 + attributes + sum(metadata)  # zarr.json: group attributes + consolidated array metadata
    return total + _rounded(root, block) + _rounded(32 * (len(metadata) + 1), block)


def block_size(path: str | os.PathLike) -> int:
    """The block size of the file system that holds ``path``'s folder (4096 where it cannot be asked)."""
    try:
        return max(int(os.statvfs(Path(path).parent).f_frsize), 512)
    except (AttributeError, OSError, ValueError):
        return 4096


def _rounded(count: int, block: int) -> int:
    """``count`` bytes as whole blocks (at least one: an empty file or folder still takes its entry)."""
    return block * max(1, -(-int(count) // block))


def _json_size(value: Any) -> int:
    """Characters of ``value`` as JSON with ASCII escapes: never fewer than its UTF-8 bytes (the text of an
    HDF5 attribute), and what zarr's metadata documents hold."""
    return len(json.dumps(value, default=str))


def _coordinate_bytes(values: np.ndarray) -> int:
    """Bytes of a coordinate's values: 8 per number; strings by their length plus a 16-byte header."""
    if values.dtype.kind in "OUS":
        return sum(len(str(v).encode("utf-8", "surrogateescape")) + 16 for v in values.reshape(-1))
    return int(values.nbytes)


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
    try:
        count = float(count)
    except OverflowError:  # an integer past the floats: its digits say enough
        return f"about 10^{len(str(int(count))) - 19} EB"
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


class _Sink:
    """What every sink does with a block: writes it at its region into ``arrays`` (name -> the whole
    result's array: in memory, an HDF5 variable or a Zarr array)."""

    arrays: dict[str, Any]

    def write(self, region: Region, arrays: dict[str, np.ndarray]) -> None:
        for name, values in arrays.items():
            self.arrays[name][region] = values


class MemorySink(_Sink):
    """Blocks into numpy arrays of the full result (the default, for sweeps that fit in memory)."""

    def __init__(self, skeleton: Any, layouts: list[VariableLayout]) -> None:
        self.skeleton = skeleton
        self.layouts = layouts
        self.arrays = {layout.name: np.empty(layout.shape) for layout in layouts}

    def finish(self) -> Any:
        import xarray as xr

        variables = {layout.name: xr.Variable(layout.dims, self.arrays[layout.name], layout.attrs)
                     for layout in self.layouts}
        return self.skeleton.assign(variables)

    def abort(self) -> None:
        self.arrays.clear()


class _FileSink(_Sink, Staged, ABC):
    """Common part of the file sinks: the temporary name and final rename (:class:`.atomic.Staged`, which
    replaces only a spinstack sweep: :func:`check_target`) and the arrays created in it (a failure there
    removes it again)."""

    def __init__(self, path: str | os.PathLike, skeleton: Any, layouts: list[VariableLayout]) -> None:
        Staged.__init__(self, path, check_target)
        self.arrays = {}
        try:
            self._create(skeleton, layouts)
        except BaseException:
            self.abort()
            raise

    @abstractmethod
    def _create(self, skeleton: Any, layouts: list[VariableLayout]) -> None:
        """Write ``skeleton`` to :attr:`temporary` and put an array per layout, filled with NaN, in :attr:`arrays`."""

    @abstractmethod
    def abort(self) -> None:
        """Close what is open and remove :attr:`temporary`."""


class NetCDFSink(_FileSink):
    """Blocks into a NetCDF-4 file (HDF5, written with h5netcdf)."""

    def __init__(self, path: str | os.PathLike, skeleton: Any, layouts: list[VariableLayout],
                 size: int | None = None) -> None:
        self.file = None
        self.size = size  # bytes to reserve on disk first (None: none)
        super().__init__(path, skeleton, layouts)

    def _create(self, skeleton: Any, layouts: list[VariableLayout]) -> None:
        import h5netcdf

        skeleton.to_netcdf(self.temporary, engine="h5netcdf")
        if self.size is not None:
            _reserve(self.temporary, self.size)
        self.file = h5netcdf.File(self.temporary, "a")
        for layout in layouts:
            variable = self.file.create_variable(layout.name, layout.dims, dtype="f8", fillvalue=np.nan,
                                                 chunks=_hdf5_chunks(layout))
            variable.attrs.update(layout.attrs)
            self.arrays[layout.name] = variable

    def finish(self) -> Path:
        self.file.close()
        self.file = None
        return self.move_into_place()

    def abort(self) -> None:
        if self.file is not None:
            try:
                self.file.close()
            except Exception:  # noqa: BLE001 - the file is being thrown away
                pass
            self.file = None
        self.discard()


def _hdf5_chunks(layout: VariableLayout) -> tuple[int, ...]:
    """HDF5 chunks: the block shape, trimmed to about 1 MiB (the HDF5 chunk cache) along the earliest long axes.

    An axis is cut into a number of equal parts that divides it where one is near (within twice the fewest
    parts): a block then fills whole chunks, and no chunk is shared by two blocks (HDF5 would write it
    twice and read it back in between; 25 % of the write time of a 1e6-point sweep of every variable)."""
    chunks = list(layout.chunks)
    limit = 1 << 17  # float64 numbers per chunk
    for axis in range(len(chunks)):
        total = int(np.prod(chunks))
        if total <= limit:
            break
        fewest = -(-total // limit)
        parts = next((k for k in range(fewest, min(2 * fewest, chunks[axis]) + 1) if chunks[axis] % k == 0), fewest)
        chunks[axis] = max(1, chunks[axis] // parts)
    return tuple(chunks)


class ZarrSink(_FileSink):
    """Blocks into a Zarr store (a folder); one Zarr chunk per block."""

    def _create(self, skeleton: Any, layouts: list[VariableLayout]) -> None:
        import zarr

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # zarr: consolidated metadata and v3
            skeleton.to_zarr(self.temporary, mode="w", consolidated=False)
        group = zarr.open_group(self.temporary, mode="r+")
        version = getattr(group.metadata, "zarr_format", 2) if hasattr(group, "metadata") else 2
        for layout in layouts:
            self.arrays[layout.name] = _create_zarr_array(group, layout, version)

    def finish(self) -> Path:
        import zarr

        with warnings.catch_warnings():
            # zarr 3 warns that consolidated metadata is not in the v3 spec yet; xarray reads it all the same
            warnings.simplefilter("ignore", category=UserWarning)
            zarr.consolidate_metadata(str(self.temporary))
        self.arrays = {}
        return self.move_into_place()

    def abort(self) -> None:
        self.arrays = {}
        self.discard()


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
    try:
        exists = target.exists()
    except OSError as error:  # a name too long for the file system
        raise SpinstackError(f"{target}: cannot read the sweep ({_reason(error)})") from None
    if not exists:
        raise SpinstackError(f"{target}: no such file")
    try:
        if kind == "netcdf":
            return xr.open_dataset(target, engine="h5netcdf", chunks=chunks)
        return xr.open_dataset(target, engine="zarr", chunks=chunks)
    except (OSError, ValueError, KeyError) as error:
        raise SpinstackError(f"{target}: cannot read the sweep ({error})") from None
