"""{% course_announcements page enrolment can_edit as announcements %} for the course page."""

from django import template

from announcements import selectors

register = template.Library()


@register.simple_tag
def course_announcements(course, enrolment=None, can_edit=False):
    return selectors.course_announcements(
        course=course, enrolment=enrolment, can_edit=bool(can_edit)
    )
