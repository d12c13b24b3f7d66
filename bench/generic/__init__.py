"""The anchors of ``bench/side_by_side.py``: what the frameworks give without our code."""
