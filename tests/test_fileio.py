"""Atomic outputs, refused overwrites and output locks (rlsmodel.fileio, issue 26, decision 36)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from rlsmodel.fileio import (LockedError, OutputExistsError, OutputLock, StaleLockWarning, atomic_output,
                             check_new_output, lock_path, read_holder, remove_stale_temporaries,
                             write_text_atomic)


def test_existing_output_refused_unless_overwrite(tmp_path):
    f = tmp_path / "run.nc"
    f.write_text("old")
    with pytest.raises(OutputExistsError, match=r"run\.nc.*--overwrite.*overwrite=True"):
        check_new_output(f)
    with pytest.raises(OutputExistsError):
        write_text_atomic(f, "new", overwrite=False)
    assert f.read_text() == "old"
    write_text_atomic(f, "new", overwrite=True)
    assert f.read_text() == "new"


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    f = tmp_path / "out.txt"
    f.write_text("complete old content")
    with pytest.raises(RuntimeError):
        with atomic_output(f) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert f.read_text() == "complete old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_atomic_directory_replaces_a_directory(tmp_path):
    d = tmp_path / "s.zarr"
    d.mkdir()
    (d / "old").write_text("1")
    with atomic_output(d) as tmp:
        tmp.mkdir()
        (tmp / "new").write_text("2")
    assert sorted(p.name for p in d.iterdir()) == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.zarr"]


def test_killed_writer_leaves_old_file_and_a_removable_temporary(tmp_path):
    """kill -9 in the middle of a write: the destination keeps its old content."""
    f = tmp_path / "big.bin"
    f.write_text("old")
    code = textwrap.dedent(f"""
        import sys, time
        from rlsmodel.fileio import atomic_output
        with atomic_output({str(f)!r}) as tmp:
            fh = open(tmp, "wb"); fh.write(b"x" * 1000); fh.flush()
            print("writing", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert f.read_text() == "old"
    left = [p for p in tmp_path.iterdir() if p.name != "big.bin"]
    assert len(left) == 1 and left[0].name.startswith(".big.tmp-") and left[0].name.endswith(".bin")
    assert remove_stale_temporaries(f) == left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.bin"]


HOLDER = textwrap.dedent("""
    import sys, time
    from rlsmodel.fileio import OutputLock
    lock = OutputLock(sys.argv[1], what="sweep store").acquire()
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    lock.release()
""")


def _holder(path, seconds):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_writer_refused_at_once_naming_pid_and_host(tmp_path):
    store = tmp_path / "s.zarr"
    proc = _holder(store, 60)
    try:
        with pytest.raises(LockedError) as info:
            OutputLock(store, what="sweep store").acquire()
        message = str(info.value)
        assert f"process {proc.pid} on host {socket.gethostname()}" in message
        assert "--wait" in message and str(lock_path(store)) in message
    finally:
        proc.kill()
        proc.wait()


def test_wait_takes_the_lock_when_the_holder_finishes(tmp_path):
    store = tmp_path / "s.zarr"
    proc = _holder(store, 1.5)
    with OutputLock(store, wait=True, timeout=60) as lock:
        assert lock.held and read_holder(lock.file)["pid"] == os.getpid()
    proc.wait()
    assert not lock_path(store).exists()


def test_stale_lock_of_a_dead_process_is_named_and_taken_over(tmp_path):
    store = tmp_path / "fit"
    proc = _holder(store, 60)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert read_holder(lock_path(store))["pid"] == proc.pid          # the dead holder's file is left
    with pytest.warns(StaleLockWarning, match=rf"process {proc.pid} on host"):
        with OutputLock(store):
            pass
    assert not lock_path(store).exists()


def test_same_process_cannot_take_its_own_lock_twice(tmp_path):
    with OutputLock(tmp_path / "s.nc"):
        with pytest.raises(LockedError, match="this process"):
            OutputLock(tmp_path / "s.nc").acquire()
    with OutputLock(tmp_path / "s.nc"):          # released: free again
        pass


def test_wait_gives_up_after_timeout(tmp_path):
    proc = _holder(tmp_path / "s.nc", 60)
    try:
        with pytest.raises(LockedError, match=f"process {proc.pid}"):
            OutputLock(tmp_path / "s.nc", wait=True, timeout=1.0).acquire()
    finally:
        proc.kill()
        proc.wait()
