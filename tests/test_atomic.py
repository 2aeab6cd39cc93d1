"""analysis._atomic: outputs replaced whole or not at all."""
import os, pytest
from analysis._atomic import atomic_path, staged_dir, OutputLock, OutputLockedError, atomic_write_text

def test_atomic_failure_keeps_old(tmp_path):
    p = tmp_path/"a.txt"; p.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(p) as t:
            t.write_text("half"); raise RuntimeError
    assert p.read_text()=="old" and sorted(x.name for x in tmp_path.iterdir())==["a.txt"]

def test_staged(tmp_path):
    d=tmp_path/"rep"; d.mkdir(); (d/"x").write_text("1")
    with staged_dir(d) as s: (s/"y").write_text("2")
    assert sorted(x.name for x in d.iterdir())==["y"]
    with pytest.raises(ValueError):
        with staged_dir(d) as s: (s/"z").write_text("3"); raise ValueError
    assert sorted(x.name for x in d.iterdir())==["y"] and sorted(x.name for x in tmp_path.iterdir())==["rep"]

def test_lock(tmp_path):
    d=tmp_path/"rep"
    with OutputLock(d):
        (tmp_path/".rep.lock").write_text("1\n")  # pid 1 is alive
        with pytest.raises(OutputLockedError, match="another process"):
            OutputLock(d).acquire()
    (tmp_path/".rep.lock").write_text("999999999\n")  # stale
    with OutputLock(d): pass
    assert not (tmp_path/".rep.lock").exists()

def test_lock_is_released_by_the_death_of_its_holder(tmp_path):
    """flock: a SIGKILLed holder leaves its lock file, which no longer blocks anyone."""
    import signal, subprocess, sys, time
    d = tmp_path / "rep"
    code = ("import sys, time; from analysis._atomic import OutputLock; "
            f"OutputLock({str(d)!r}).acquire(); print('held', flush=True); time.sleep(600)")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    with pytest.raises(OutputLockedError, match=f"PID {p.pid}, lock file"):
        OutputLock(d).acquire()
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert (tmp_path / ".rep.lock").exists()  # left behind, but not held
    with OutputLock(d):
        assert (tmp_path / ".rep.lock").read_text() == f"{os.getpid()}\n"
    assert not (tmp_path / ".rep.lock").exists()


def test_two_lock_objects_in_one_process_exclude_each_other(tmp_path):
    a = OutputLock(tmp_path / "rep").acquire()
    with pytest.raises(OutputLockedError, match=f"PID {os.getpid()}"):
        OutputLock(tmp_path / "rep").acquire()
    a.release()
    OutputLock(tmp_path / "rep").acquire().release()
