"""The shared rules of streamed result files (spinstack._sweep.atomic): temporary name, rename, signals, clean-up.

The sweeps (tests/sweep/test_sweep_files.py) and the dynamics files (tests/test_dynamics.py,
tests/test_cli_dynamics.py) test these rules through their own files; here the helper alone, with a
sink that writes plain text, so that each rule fails here by name if it breaks.
"""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest

from spinstack import SpinstackError
from spinstack._sweep import atomic, interrupt


class TextSink(atomic.Staged):
    """A file sink of the simplest kind: blocks are lines of text written to the temporary file."""

    def __init__(self, target: Path, check_target=None) -> None:
        super().__init__(target, check_target or refuse_foreign)
        self.lines: list[str] = []
        self.aborted = 0

    def write(self, line: str) -> None:
        self.lines.append(line)
        self.temporary.write_text("".join(self.lines))

    def finish(self) -> Path:
        return self.move_into_place()

    def abort(self) -> None:
        self.aborted += 1
        self.discard()


MARK = "ours\n"


def refuse_foreign(target: Path) -> None:
    """Our files start with MARK; anything else is refused (as a sweep or dynamics file's own check does)."""
    if os.path.lexists(target) and not (target.is_file() and not target.is_symlink()
                                        and target.read_text().startswith(MARK)):
        raise SpinstackError(f"{target}: exists and is not ours")


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def writer(*lines: str, signal_after: int | None = None, fail_after: int | None = None,
           error: BaseException | None = None):
    """``write(sink, check)`` writing ``lines`` one block each, with check() between blocks; a SIGINT noted
    after block ``signal_after``, ``error`` raised after block ``fail_after``; the blocks written are counted."""
    written: list[str] = []

    def write(sink: TextSink, check) -> None:
        for number, line in enumerate(lines):
            sink.write(line)
            written.append(line)
            if number == signal_after:
                interrupt.active()._note(signal.SIGINT, None)  # as the handler does when Ctrl-C arrives
            if number == fail_after:
                raise error
            check()

    return write, written


# ------------------------------------------------------------ names and removal
def test_the_temporary_name_is_hidden_unique_and_beside_the_target(tmp_path):
    target = tmp_path / "run.nc"
    first, second = atomic.temporary_beside(target), atomic.temporary_beside(target)
    assert first != second
    assert first.parent == tmp_path and first.name.startswith(".run.nc.spinstack-")
    assert len(first.name) == len(".run.nc.spinstack-") + 12
    assert atomic.temporary_beside(target, "old-").name.startswith(".run.nc.spinstack-old-")


def test_a_temporary_name_for_a_target_at_the_length_limit_still_fits(tmp_path):
    target = tmp_path / ("r" * (atomic.NAME_LIMIT - 3) + ".nc")  # a valid name of 255 bytes
    temporary = atomic.temporary_beside(target)
    assert len(temporary.name.encode()) <= atomic.NAME_LIMIT
    assert temporary.name.startswith(".spinstack-") and temporary.suffix == ".nc"
    temporary.write_text("x")  # the file system takes it
    assert temporary.exists()


def test_remove_takes_files_folders_and_links_but_not_what_a_link_points_to(tmp_path):
    kept = tmp_path / "kept.txt"
    kept.write_text("user data")
    link = tmp_path / "link"
    link.symlink_to(kept)
    folder = tmp_path / "store.zarr"
    (folder / "m" / "c").mkdir(parents=True)
    (folder / "m" / "c" / "0").write_bytes(b"\0")
    single = tmp_path / "file.nc"
    single.write_text("x")
    for path in (link, folder, single, tmp_path / "missing"):
        atomic.remove(path)
    assert names(tmp_path) == ["kept.txt"] and kept.read_text() == "user data"


# ------------------------------------------------------------ the rename
def test_a_file_is_moved_into_place_over_our_old_one(tmp_path):
    target = tmp_path / "result.txt"
    target.write_text(MARK + "old\n")
    sink = TextSink(target)
    sink.write(MARK)
    sink.write("new\n")
    assert target.read_text() == MARK + "old\n"  # untouched until the end
    assert sink.finish() == target
    assert target.read_text() == MARK + "new\n" and names(tmp_path) == ["result.txt"]


def test_a_folder_replaces_our_old_folder_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "result.zarr"
    (target / "old").mkdir(parents=True)
    staged = atomic.Staged(target, lambda path: None)
    (staged.temporary / "new").mkdir(parents=True)
    staged.move_into_place()
    assert names(tmp_path) == ["result.zarr"] and names(target) == ["new"]


def test_what_appeared_at_the_target_during_the_run_is_asked_again_and_kept(tmp_path):
    target = tmp_path / "result.txt"
    sink = TextSink(target)
    sink.write(MARK)
    target.write_text("a user's notes\n")  # appears while the blocks are computed
    with pytest.raises(SpinstackError, match="exists and is not ours"):
        sink.finish()
    assert target.read_text() == "a user's notes\n"
    sink.abort()
    assert names(tmp_path) == ["result.txt"]


def test_a_link_at_the_target_is_never_followed_nor_replaced(tmp_path):
    kept = tmp_path / "kept.txt"
    kept.write_text(MARK + "the user's\n")  # even a file that looks like ours, behind a link
    target = tmp_path / "result.txt"
    target.symlink_to(kept)
    sink = TextSink(target)
    sink.write(MARK)
    with pytest.raises(SpinstackError):
        sink.finish()
    assert target.is_symlink() and kept.read_text() == MARK + "the user's\n"


# ------------------------------------------------------------ write_blocks
def test_blocks_are_written_checked_between_and_finished(tmp_path):
    target = tmp_path / "result.txt"
    closed = []
    write, written = writer(MARK, "a\n", "b\n")
    result = atomic.write_blocks(lambda: TextSink(target), write, lambda sink: sink.finish(), out=target,
                                 what="result", closing=lambda: closed.append(True))
    assert result == target and target.read_text() == MARK + "a\nb\n"
    assert written == [MARK, "a\n", "b\n"] and closed == [True]
    assert names(tmp_path) == ["result.txt"]


def test_handlers_are_the_same_after_the_run(tmp_path):
    before = {signum: signal.getsignal(signum) for signum in interrupt.SIGNALS}
    write, _ = writer(MARK)
    atomic.write_blocks(lambda: TextSink(tmp_path / "r.txt"), write, lambda sink: sink.finish(),
                        out=tmp_path / "r.txt", what="result")
    assert {signum: signal.getsignal(signum) for signum in interrupt.SIGNALS} == before
    assert interrupt.active() is None


def test_a_signal_stops_between_blocks_removes_the_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "result.txt"
    target.write_text(MARK + "old\n")
    sinks: list[TextSink] = []
    closed = []

    def open_sink() -> TextSink:
        sinks.append(TextSink(target))
        return sinks[-1]

    write, written = writer(MARK, "a\n", "b\n", signal_after=0)
    finished = []
    with pytest.raises(KeyboardInterrupt):  # SIGINT in Python, after the clean-up
        atomic.write_blocks(open_sink, write, finished.append, out=target, what="result",
                            closing=lambda: closed.append(True))
    assert written == [MARK]  # stopped at the first check
    assert finished == [] and sinks[0].aborted == 1 and closed == [True]
    assert names(tmp_path) == ["result.txt"] and target.read_text() == MARK + "old\n"


def test_a_signal_during_the_last_block_puts_nothing_in_place(tmp_path):
    target = tmp_path / "result.txt"
    write, written = writer(MARK, "a\n", signal_after=1)
    finished = []
    with pytest.raises(KeyboardInterrupt):
        atomic.write_blocks(lambda: TextSink(target), write, finished.append, out=target, what="result")
    assert written == [MARK, "a\n"] and finished == [] and names(tmp_path) == []


def test_under_the_command_lines_deferral_the_signal_goes_back_to_it(tmp_path):
    target = tmp_path / "result.txt"
    write, _ = writer(MARK, "a\n", signal_after=0)
    with pytest.raises(interrupt.Interrupted):  # the outer deferral raises it again when it ends
        with interrupt.deferred():
            with pytest.raises(interrupt.Interrupted) as stop:
                atomic.write_blocks(lambda: TextSink(target), write, lambda sink: sink.finish(), out=target,
                                    what="result")
            assert stop.value.signum == signal.SIGINT
            assert names(tmp_path) == []


def test_an_error_in_a_block_aborts_the_sink_and_passes_unchanged(tmp_path):
    target = tmp_path / "result.txt"
    sinks: list[TextSink] = []

    def open_sink() -> TextSink:
        sinks.append(TextSink(target))
        return sinks[-1]

    write, _ = writer(MARK, "a\n", fail_after=1, error=ValueError("bad block"))
    with pytest.raises(ValueError, match="bad block"):
        atomic.write_blocks(open_sink, write, lambda sink: sink.finish(), out=target, what="result")
    assert sinks[0].aborted == 1 and names(tmp_path) == []


def test_an_os_error_writing_a_file_is_one_spinstack_error_naming_it(tmp_path):
    target = tmp_path / "result.txt"
    full = OSError(errno.ENOSPC, "Can't write data (file write failed: errno = 28, error message = ...)")
    write, _ = writer(MARK, fail_after=0, error=full)
    with pytest.raises(SpinstackError) as caught:
        atomic.write_blocks(lambda: TextSink(target), write, lambda sink: sink.finish(), out=target, what="result")
    assert str(caught.value) == f"{target}: cannot write the result (No space left on device)"
    assert names(tmp_path) == []


def test_an_os_error_without_errno_keeps_its_words_without_the_details():
    assert atomic.os_reason(OSError("Unable to synchronously create file (unable to lock file)")) == \
        "Unable to synchronously create file"
    assert atomic.os_reason(OSError()) == "OSError"


def test_in_memory_an_os_error_passes_unchanged():
    class Memory:
        aborted = 0

        def abort(self) -> None:
            Memory.aborted += 1

    def write(sink, check):
        raise FileNotFoundError(errno.ENOENT, "no such file")

    with pytest.raises(FileNotFoundError):
        atomic.write_blocks(Memory, write, lambda sink: sink, out=None, what="result")
    assert Memory.aborted == 1


def test_a_sink_that_fails_while_being_created_is_not_aborted_again(tmp_path):
    closed = []

    def open_sink():
        raise OSError(errno.EACCES, "Permission denied")

    with pytest.raises(SpinstackError, match=r"cannot write the result \(Permission denied\)"):
        atomic.write_blocks(open_sink, writer()[0], lambda sink: sink.finish(), out=tmp_path / "r.txt",
                            what="result", closing=lambda: closed.append(True))
    assert closed == [True]
