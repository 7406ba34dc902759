"""Algorithms of the toolbox group "1 空间赋码": coding, undo, validation and decoding of space codes."""
