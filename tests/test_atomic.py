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
