"""The line on stderr before the dynamics loop compiles (spinstack.macrospin.compilation) and the progress bar's
clock after it: a cold numba cache is told from a warm one through the dispatcher's cache index, guarded; when
that cannot be told, a timer says it only if the first call is slow."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from spinstack import trajectories
from spinstack.macrospin import compilation


@pytest.fixture
def fresh(monkeypatch):
    """A process in which the line was not printed yet, no compilation ended."""
    monkeypatch.setattr(compilation, "_printed", False)
    monkeypatch.setattr(compilation, "_ended", 0.0)
    return compilation


def dispatcher(signatures=(), index=None, broken=False):
    """A stand-in for numba's dispatcher: its compiled signatures and its cache index (signature -> file)."""
    def load_index():
        if broken:
            raise AttributeError("another numba")
        return {} if index is None else index

    return SimpleNamespace(signatures=list(signatures),
                           _cache=SimpleNamespace(_cache_file=SimpleNamespace(_load_index=load_index)))


def test_cold_warm_and_unknown_caches_are_told_apart():
    assert compilation.cache_is_cold(dispatcher()) is True  # no index entry: numba will compile
    assert compilation.cache_is_cold(dispatcher(index={("sig",): "file.nbc"})) is False  # on disk
    assert compilation.cache_is_cold(dispatcher(signatures=["(float64,)"])) is False  # compiled in this process
    assert compilation.cache_is_cold(dispatcher(broken=True)) is None  # numba's internals differ: unknown
    assert compilation.cache_is_cold(None) is None


def test_a_cold_cache_is_announced_once_before_the_call(fresh, capsys):
    with fresh.announced(dispatcher(), None) as report:
        assert capsys.readouterr().err == fresh.MESSAGE + "\n"  # before the loop's first call
        report(0.1)
    with fresh.announced(dispatcher(), None) as report:
        report(0.2)
    assert capsys.readouterr().err == ""  # once per process
    assert fresh.compiled_after(0.0) and not fresh.compiled_after(time.monotonic())


def test_a_warm_cache_says_nothing_and_hands_the_progress_on(fresh, capsys):
    seen = []
    with fresh.announced(dispatcher(index={("sig",): "f"}), seen.append) as report:
        assert report == seen.append  # untouched
        report(0.5)
    assert seen == [0.5] and capsys.readouterr().err == "" and not fresh.compiled_after(0.0)


def test_an_unknown_cache_is_announced_only_when_the_first_call_is_slow(fresh, capsys, monkeypatch):
    monkeypatch.setattr(compilation, "AFTER", 0.05)
    seen = []
    with fresh.announced(dispatcher(broken=True), seen.append) as report:
        report(0.25)  # the first slice came back at once: a warm load
        time.sleep(0.2)
    assert seen == [0.25] and capsys.readouterr().err == ""
    with fresh.announced(dispatcher(broken=True), None):
        time.sleep(0.3)  # still in the first call after AFTER: compiling
    assert capsys.readouterr().err == fresh.MESSAGE + "\n"


def test_the_bar_restarts_its_clock_after_a_compilation(fresh, monkeypatch):
    resets = []
    bar = trajectories._Progress(1, False)
    bar.bar = SimpleNamespace(reset=lambda total: resets.append(total), update=lambda n: None, close=lambda: None)
    bar.created = time.monotonic() - 100.0  # created before the compilation ended
    fresh._ended = time.monotonic()
    bar.show(0.01)
    bar.show(0.02)
    assert resets == [100]  # once, at the first report
    quiet = trajectories._Progress(1, False)
    quiet.bar = SimpleNamespace(reset=lambda total: resets.append(total), update=lambda n: None, close=lambda: None)
    quiet.show(0.5)  # created after it: the clock stands
    assert resets == [100]
