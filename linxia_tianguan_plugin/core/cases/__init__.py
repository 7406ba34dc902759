"""变化图斑与案件 — change polygons, the rules that classify them, pre-judgement, the case workflow and keys, and
evidence photos."""
