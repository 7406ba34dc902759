"""Deterministic sample-county generator (示例县) for the demo, the tests and the benchmarks.

    from tools.samplegen import generate
    manifest = generate(Path("data/sample"), size=20000, seed=20241028)

See docs/sample-county.md for what the sample contains; parameters live in
resources/sample/recipe.json. The sample is the same on numpy 1.2x and 2.x (tools/samplegen/fmath.py);
`python -m tools.samplegen.digest DIR --check` compares one with the reference digest checked in
(resources/sample/reference_digest.json, see tools/samplegen/digest.py).
"""

from .generate import VERSION, generate

__all__ = ["generate", "VERSION"]
