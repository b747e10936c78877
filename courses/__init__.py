"""Courses: Wagtail pages, StreamField blocks, enrolment, progress and the learner dashboard.

Imports exercises and grading; imported by certificates only.
"""
