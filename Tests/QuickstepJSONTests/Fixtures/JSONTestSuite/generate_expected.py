"""Writes expected_values.json: the value of every y_ case as Python's json module reads it.

Python's parser is an independent implementation; the Swift tests check that Quickstep reads each y_ case to a
value equal to the one recorded here. Run from this folder: python3 generate_expected.py
"""
import json
import os

expected = {}
for name in sorted(os.listdir("test_parsing")):
    if name.startswith("y_"):
        with open(os.path.join("test_parsing", name), "rb") as f:
            expected[name] = json.loads(f.read().decode("utf-8"))
with open("expected_values.json", "w") as f:
    json.dump(expected, f, ensure_ascii=True, allow_nan=False, indent=1)
    f.write("\n")
