"""`{% pagecache "name" vary_on... %}`: cache a public fragment of a course page.

Like Wagtail's `{% wagtailcache %}` (never cached in previews), with the timeout, the
PMA_PAGE_CACHE switch and the generation, site and language of courses.caching added to the key.
Anything the fragment reads lazily (querysets, callables) costs nothing when the cache answers.
"""

from django import template
from django.template import TemplateSyntaxError, Variable
from wagtail.templatetags.wagtail_cache import WagtailCacheNode

from courses.caching import TIMEOUT_SECONDS, cache_scope, page_cache_enabled

register = template.Library()

SCOPE_VARIABLE = "pma_page_cache_scope"


class PageCacheNode(WagtailCacheNode):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.vary_on.append(Variable(SCOPE_VARIABLE))

    def render(self, context):
        request = context.get("request")
        if request is None or not page_cache_enabled():
            return self.nodelist.render(context)
        with context.update({SCOPE_VARIABLE: cache_scope(request=request)}):
            return super().render(context)


@register.tag("pagecache")
def do_pagecache(parser, token):
    tokens = token.split_contents()
    if len(tokens) < 2:
        raise TemplateSyntaxError(f"'{tokens[0]}' needs a fragment name.")
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(
        nodelist,
        parser.compile_filter(str(TIMEOUT_SECONDS)),
        tokens[1].strip("\"'"),
        [parser.compile_filter(part) for part in tokens[2:]],
        None,
    )
