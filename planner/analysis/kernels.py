"""Load (or compile) the numba kernels once, on the calling thread.

numba's first call of a kernel loads it from the on-disk cache or compiles
it; doing that in a worker thread while the main thread garbage-collects
has crashed the interpreter (seen with the GUI's thread pool). Front ends
that run analyses in threads call :func:`warm_up` on their main thread first;
after it, calling the kernels from any thread is safe.
"""

from __future__ import annotations

import threading

import numpy as np

_done = False
_lock = threading.Lock()


def warm_up() -> None:
    """Call every numba kernel once on tiny inputs (idempotent, thread-safe)."""
    global _done
    with _lock:
        if _done:
            return
        from planner.analysis.radio_coverage import _knife_edge_db
        from planner.analysis.viewshed import viewshed_array

        z = np.zeros((5, 5))
        viewshed_array(z, observer_rc=(2, 2), cell_size_m=1.0, observer_height_m=1.0, max_distance_m=2.0)
        viewshed_array(z, observer_rc=(2, 2), cell_size_m=1.0, observer_height_m=1.0, max_distance_m=2.0,
                       method="exact")
        _knife_edge_db(z, 1.0, 0.0, 0.0, -1.0, 5.0, 0.5, 4.5, 10.0, np.array([4.5]), np.array([0.5]),
                       np.array([1.0]), 1.0, 8.0e6, 1.0)
        from planner.analysis.optics import LensProjection, ray_pixel_density

        ray_pixel_density(LensProjection(-0.5, 1.0, ""), hfov_deg=90.0, vfov_deg=60.0, depth=z + 1.0, right=z, up=z)
        _done = True
