"""Deterministic sample-county generator (示例县) for the demo, the tests and the benchmarks.

    from tools.samplegen import generate
    manifest = generate(Path("data/sample"), size=20000, seed=20241028)

See docs/sample-county.md for what the sample contains; parameters live in
resources/sample/recipe.json.
"""

from .generate import VERSION, generate

__all__ = ["generate", "VERSION"]
