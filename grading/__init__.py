"""Grading: the engine (pure Python), submissions, grades, tasks and the kernel pool.

Imports exercises; imported by courses and certificates. Never imports them.
"""
