"""PySide6 6.12.0 on CPython 3.11 leaks references to None and aborts (README, Architecture: the PySide6 pin)."""

import sys


def test_pyside_none_refcount(qapp):
    from PySide6.QtGui import QPen

    p = QPen()
    r = sys.getrefcount(None)
    for _ in range(1000):
        p.setWidthF(1.0)
    assert sys.getrefcount(None) >= r - 10
