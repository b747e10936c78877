"""Exercise notebooks: the nbgrader/Otter source format, release notebooks, validation.

Lowest of the course apps: imported by grading, courses and certificates; imports none of them.
"""
