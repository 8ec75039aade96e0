# Replace citations of the unpublished engineering notes by docs/reference.md (see docs/reference-map.md).
# Order matters: specific forms first, then the short "engineering.md §x" forms by their context.
# Run from the repository root on the tracked citing files only (never on the planner/_resources symlink):
#   git grep -lE 'engineering(\.md| reference)|(peers|cities|environment)\.md' -- planner resources tests README.md \
#     | grep -v '^planner/_resources' | xargs sed -i -f docs/reference-map.sed
#
# --- long, combined forms
s/engineering\.md Part A §2\.1-2\.2 and test vectors T24-T29/docs\/reference.md §R1–§R2 and test vectors T24–T29 (§R13.1)/g
s/engineering\.md Part A §2\.4, §5, §6 (T30-T35) and §10\.7/docs\/reference.md §R4, §R5 and test vectors T30–T35, T62 (§R13.2, §R13.4)/g
s/engineering\.md Part A §2\.3 \/ §3 (T36)/docs\/reference.md §R3 (T36, §R13.2)/g
s/engineering\.md Part A §2\.5 (T35) and Part B §4\.4/docs\/reference.md §R6 (T35) and §R8.5/g
s/engineering\.md Part B §3-5 (with the §3\.9 corrections)/docs\/reference.md §R7–§R9, vectors §R13.3 (with the §R7.9 corrections)/g
s/engineering\.md Part A §2\.1–2\.2, Part B §6/docs\/reference.md §R1–§R2, §R10.4/g
s/engineering\.md Part A §2\.1, Part C §10\.4/docs\/reference.md §R1, vectors §R13.1/g
s/ via engineering\.md Part A §2\.2 \/ Part C §7\.4/ (docs\/reference.md §R2.1)/g
s/engineering\.md Part A §2\.5, Part B §4\.4/docs\/reference.md §R6, §R8.5/g
s/engineering\.md Part A §2\.3 and §3/docs\/reference.md §R3/g
# --- Part-qualified forms
s/engineering\.md Part A §2\.1/docs\/reference.md §R1.1/g
s/engineering\.md Part A §2\.4/docs\/reference.md §R4/g
s/engineering\.md Part A §3/docs\/reference.md §R3.2/g
s/engineering\.md Part A §5/docs\/reference.md §R5/g
s/engineering\.md Part B §2-3/docs\/reference.md §R7/g
s/engineering\.md Part B §3–4/docs\/reference.md §R7–§R8/g
s/engineering\.md Part B §6\.2/docs\/reference.md §R10.1/g
s/engineering\.md Part B §6\.4/docs\/reference.md §R10.3/g
s/engineering\.md Part C §7\.2/docs\/reference.md §R12.2/g
# export_geojson.py splits "engineering.md Part C" / "§7.1)" over two lines
s/(engineering\.md Part C$/(docs\/reference.md/
s/^§7\.1): /§R12.1): /
# --- short forms, by context
s/engineering\.md §2\.1: theta = 25 deg/docs\/reference.md §R1.4 (T29b): theta = 25 deg/g
s/a face (engineering\.md §2\.1)/a face (docs\/reference.md §R1.4)/g
s/pinhole formula not valid, engineering\.md §2\.1)/pinhole formula not valid, docs\/reference.md §R1.5)/g
s/(engineering\.md §2\.2)/(docs\/reference.md §R2.1)/g
s/(engineering\.md §2\.2: /(docs\/reference.md §R2.2: /g
s/(engineering\.md §2\.3)/(docs\/reference.md §R3.3)/g
s/engineering\.md §2\.4; the alarm term/docs\/reference.md §R4.1; the alarm term/g
s/planner defaults, engineering\.md §2\.4/planner defaults, docs\/reference.md §R4.4/g
s/(engineering\.md §2\.4) when a layout/(docs\/reference.md §R4.5) when a layout/g
s/growth margin 10 % (engineering\.md §2\.4)/growth margin 10 % (docs\/reference.md §R4.4)/g
s/public-space city cameras (engineering\.md §2\.4)/public-space city cameras (docs\/reference.md §R4.2)/g
s/engineering\.md suggests 1 per 24 disks/docs\/reference.md §R4.4 suggests 1 per 24 disks/g
s/(engineering\.md §2\.5: uplink/(docs\/reference.md §R3.6: uplink/g
s/; engineering\.md §2\.5)/; docs\/reference.md §R6.3)/g
s/(engineering\.md §2\.5: a 48-tile/(docs\/reference.md §R6.2: a 48-tile/g
s/(engineering\.md §2\.5, T35)/(docs\/reference.md §R6.2, T35)/g
s/(engineering\.md §3\.1)/(docs\/reference.md §R7.2)/g
s/(engineering\.md §3, fitted/(docs\/reference.md §R3.3, fitted/g
s/(engineering\.md §3; scene factor/(docs\/reference.md §R3.4; scene factor/g
s/(engineering\.md §3, for checking/(docs\/reference.md §R4.6, for checking/g
s/range from engineering\.md §3;/range from docs\/reference.md §R3.2;/g
s/engineering\.md §3 table/docs\/reference.md §R3.2 table/g
s/engineering\.md §3: /docs\/reference.md §R3.4: /g
s/"engineering\.md §3"/"docs\/reference.md §R3.2"/g
s/(engineering\.md §4\.2 defaults)/(docs\/reference.md §R8.2 defaults)/g
s/(engineering\.md §4\.2 worked example)/(docs\/reference.md §R8.2 worked example, T57)/g
s/unverified from memory per engineering\.md §4\.3/values to verify, docs\/reference.md §R8.3/g
s/(engineering\.md §4\.4)/(docs\/reference.md §R8.5)/g
s/"gap in engineering\.md §5"/"no rule found (docs\/reference.md §R5.1)"/g
s/(engineering\.md §5)/(docs\/reference.md §R5)/g
# --- "engineering reference" forms (exports.py, project.py: user-visible in reports)
s/engineering reference Part A §3/docs\/reference.md §R3.2/g
s/engineering reference Part A §2\.4/docs\/reference.md §R4.4/g
s/engineering reference Part B §3, §5/docs\/reference.md §R7, §R8.5/g
s/(engineering reference Part B)/(docs\/reference.md §R6.3, §R9)/g
s/(engineering reference §3, bold value)/(docs\/reference.md §R3.2, bold value)/g
s/^from the project's engineering reference\.$/with their primary sources in `docs\/reference.md`./
# --- peers.md (duty-cycle presets in resources/bitrates.json)
s/(peers\.md §6)/(docs\/reference.md §R4.2)/g
# --- other unpublished notes: cities.md (reference deployments), environment.md (install notes)
s/reference deployments of `cities\.md`/reference deployments of `docs\/reference.md` §R15/g
s/(cities\.md)/(docs\/reference.md §R15)/g
s/ (environment\.md §2\.4)/ (README, Architecture: the PySide6 pin)/g
