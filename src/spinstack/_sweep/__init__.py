"""The machinery behind :func:`spinstack.sweep`: one idea per module.

* :mod:`.plan`      what is swept: axes, the outer-product shape, the blocks it is solved in
* :mod:`.variables` what is stored: names, dimensions, units, descriptions
* :mod:`.evaluate`  one block of configurations -> arrays (one batched solve); runs anywhere
* :mod:`.layout`    the labelled skeleton of the result (coordinates and attributes)
* :mod:`.store`     where blocks go: memory, a NetCDF file or a Zarr store, written whole or not at all
* :mod:`.runners`   who evaluates the blocks: this process, a dask.distributed cluster, or a lazy Dask graph
* :mod:`.progress`  the progress bar (terminals only)
* :mod:`.interrupt` SIGINT, SIGTERM, SIGHUP: stop between blocks, remove the unfinished file
* :mod:`.atomic`    a file written whole or not at all: temporary name, rename, signals, clean-up
                    (the sweeps' and :func:`spinstack.dynamics`' files alike)

Nothing here imports xarray, h5netcdf, zarr, dask or tqdm at module level: the
numerics of a sweep need numpy only.
"""
