"""The site search page, /search/: a GET form, results grouped by course, pages of ten.

What a visitor may find and what may be quoted to them is decided in courses.search.
"""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .models import CourseIndexPage, Skill
from .search import MAX_TERMS, QUERY_MAX_LENGTH, site_search
from .sites import site_for_request


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search courses and lessons"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "Searches are at most %(limit_value)d characters long (this one has "
                "%(show_value)d). Try the few words that matter most."
            )
        },
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )


def _suggestions(request) -> dict:
    """What the empty and no-results states offer instead: the catalog and its skills."""
    site = site_for_request(request)
    catalog = None
    if site is not None:
        catalog = CourseIndexPage.objects.live().descendant_of(site.root_page).first()
    skills = Skill.objects.filter(courses__live=True).distinct().order_by("name")
    return {"catalog": catalog, "skills": list(skills)}


@require_GET
def search(request):
    form = SearchForm(request.GET if "q" in request.GET else None)
    query = ""
    results = None
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            results = site_search(request=request, query=query, page_number=request.GET.get("page"))
    context = {
        "form": form,
        "query": query,
        "results": results,
        "max_terms": MAX_TERMS,
        "query_max_length": QUERY_MAX_LENGTH,
    }
    if results is None or not results.count:
        context.update(_suggestions(request))
    return render(request, "courses/search.html", context)
