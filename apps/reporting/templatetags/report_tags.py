"""Template filters of the campaign report (the formatting lives in report_format)."""

from django import template

from .. import report_format

register = template.Library()

register.filter("metric_text", report_format.metric_text)
register.filter("money_text", report_format.money_text)
register.filter("count_text", report_format.count_text)
