"""Audit mode: check coverage, retention and privacy claims about camera systems that already exist.

Pure Python (no Qt). :mod:`register` reads registers of existing cameras
(CSV, GeoJSON, OpenStreetMap); :mod:`scenarios` turns them into coverage
envelopes under low/median/high capability scenarios; :mod:`availability`
draws cameras out of service; :mod:`claims` checks published claims;
:mod:`run` ties them into one audit report.
"""
