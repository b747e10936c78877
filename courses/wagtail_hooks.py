"""Admin for courses: skills are snippets instructors and editors pick on each course."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Skill


class SkillViewSet(SnippetViewSet):
    model = Skill
    icon = "tag"
    menu_label = "Skills"
    list_display = ["name", "slug"]
    search_fields = ["name"]
    ordering = ["name"]


register_snippet(SkillViewSet)
