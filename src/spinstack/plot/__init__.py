"""Figures (matplotlib) from a solution or from analysis results; the numerics never import this.

Every function takes an optional ``ax`` (or ``fig`` for multi-panel figures),
draws into it and returns it; nothing calls ``plt.show()``.

* :func:`plot_profiles`, :func:`profiles_figure`: mu_s(x), j_s(x), mu_0(x) (seed Figs. 2, 3)
* :func:`plot_hodograph`, :func:`plot_hodograph_3d`, :func:`hodograph_figure`: folded and 3D hodographs (Figs. 4, 5)
* :func:`plot_analogy`: rails, rings and the balanced forces of the mechanical analogy (section 3)
* :func:`plot_efficiency`: g1(theta), g2(theta) with their sign changes (eq. 1)
* :func:`plot_sign_map`: where g1 < 0 and g2 < 0 over two parameters, with eq. (15) overlaid
* :func:`write_figure`, :func:`write_figure_set`: any of these to PNG, SVG or PDF files
* :func:`plot_sweep`, :func:`write_sweep_figure`: a sweep (:func:`spinstack.sweep`) as a line or a map
* :func:`plot_torque_thickness`, :func:`plot_smr_thickness`, :func:`smr_angle_figure`: spin-orbit torques
  and the spin Hall magnetoresistance of in-plane-driven stacks (MODEL.md 8)
* :func:`plot_magnetization`, :func:`plot_orbit`, :func:`plot_resistance`, :func:`plot_state_diagram`,
  :func:`plot_final_states`, :func:`dynamics_figure`, :func:`write_dynamics_figure`: a macrospin run
  (:func:`spinstack.dynamics`, MODEL.md 9): m(t), the orbit, R(t) and its spectrum, the end states of ensembles

These names are imported when first used (:mod:`spinstack._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:  # the table of re-exports (read by spinstack._lazy.exports; imported when a name is first used)
    from .analogy import folded_ring_forces, plot_analogy
    from .dynamics import (dynamics_figure, plot_final_states, plot_magnetization, plot_orbit, plot_resistance,
                           plot_state_diagram, write_dynamics_figure)
    from .efficiency import plot_efficiency
    from .figureset import KINDS, available_kinds, write_figure, write_figure_set
    from .hodograph import hodograph_figure, plot_hodograph, plot_hodograph_3d
    from .profiles import plot_profiles, profiles_figure
    from .signmap import plot_sign_map
    from .spin_orbit import plot_smr_thickness, plot_torque_thickness, smr_angle_figure
    from .sweep import plot_sweep, write_sweep_figure

__all__ = ["KINDS", "available_kinds", "folded_ring_forces", "write_figure", "write_figure_set", "hodograph_figure",
           "plot_analogy", "plot_efficiency", "plot_hodograph", "plot_hodograph_3d", "plot_profiles", "plot_sign_map",
           "plot_smr_thickness", "plot_sweep", "plot_torque_thickness", "profiles_figure", "smr_angle_figure",
           "write_sweep_figure", "dynamics_figure", "plot_final_states", "plot_magnetization", "plot_orbit",
           "plot_resistance", "plot_state_diagram", "write_dynamics_figure"]

__getattr__, __dir__ = exports(__name__, __file__)
