"""`{{ value|long_date }}`: a date in the active language's long form (certificates.dates)."""

from django import template

from certificates import dates

register = template.Library()
register.filter("long_date", dates.long_date)
register.filter("long_date_time", dates.long_date_time)
