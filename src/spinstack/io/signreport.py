"""``spinstack analyze``: sign-change angles and thresholds as a table or as JSON."""

from __future__ import annotations

from typing import Any


from ..analysis import SignReport
from .tables import number, table


def sign_report_to_dict(report: SignReport) -> dict[str, Any]:
    """Plain JSON-ready data; a threshold that does not exist in its range is ``null``."""
    return {
        "theta": report.theta,
        "g1": report.g1,
        "g2": report.g2,
        "sign_changes": {which: [float(a) for a in angles] for which, angles in report.sign_changes.items()},
        "thresholds": [
            {"parameter": item.path, "efficiency": item.which, "theta": float(theta),
             "value": float(value) if found else None, "negative_above": bool(negative),
             "bounds": [float(item.bounds[0]), float(item.bounds[1])]}
            for item in report.thresholds
            for theta, value, found, negative in zip(item.theta, item.value, item.found, item.negative_above)
        ],
    }


def format_sign_report(report: SignReport, source: str) -> str:
    """The readable form: the stack's g's, where each changes sign, and the thresholds."""
    lines = [f"{source}: efficiency signs (seed eq. 1, 15)",
             f"  at the stack's own angle theta = {number(report.theta)} deg: "
             f"g1 = {number(report.g1)}, g2 = {number(report.g2)}",
             "",
             "sign changes over theta = 0 .. 180 deg"]
    for which, angles in report.sign_changes.items():
        where = ", ".join(f"{number(a)} deg" for a in angles) if len(angles) else "none"
        lines.append(f"  {which}: {where}")
    lines += ["", "thresholds (value of the parameter where g changes sign; searched in bounds)"]
    rows = []
    for item in report.thresholds:
        for theta, value, found, negative in zip(item.theta, item.value, item.found, item.negative_above):
            if found:
                side = "above" if negative else "below"
                text, meaning = number(value), f"{item.which} < 0 {side} it"
            else:
                text = "none"
                meaning = f"{item.which} < 0 throughout" if negative else f"{item.which} >= 0 throughout"
            rows.append([item.path, item.which, number(theta), text, meaning,
                         f"{number(item.bounds[0])} .. {number(item.bounds[1])}"])
    lines += table(["parameter", "g", "theta [deg]", "threshold", "meaning", "bounds"], rows, "llrrll")
    return "\n".join(lines) + "\n"


__all__ = ["format_sign_report", "sign_report_to_dict"]
