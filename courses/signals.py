"""Signals courses sends to the layers above it (see DESIGN.md: events travel up on commit).

course_completed(sender=CoursePage, learner=User, course=CoursePage) is sent once, on commit,
the first time a learner's progress meets the course's pass rules. Certificates listen to it.
"""

from django.dispatch import Signal

course_completed = Signal()
