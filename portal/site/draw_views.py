"""The public side of the random draws (双随机一公开: "publicly announced"): which estates or
companies were drawn for inspection, when, from which pool, and the seed that lets anyone
re-run the draw. Only published draws; inspectors appear by name only as the draw drew them,
which is what the announcement is for."""

from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse

from cases.models import RandomDraw

PER_PAGE = 20


def published_draws():
    return (
        RandomDraw.objects.filter(published_at__isnull=False)
        .select_related("district", "campaign")
        .order_by("-published_at", "-id")
    )


def draw_list(page, request):
    paginator = Paginator(published_draws(), PER_PAGE)
    draws = paginator.get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "portal/draw_results.html", {"page": page, "self": page, "draws": draws}
    )


def draw_detail(page, request, draw_id: int):
    draw = published_draws().filter(pk=draw_id).first()
    if draw is None:
        raise Http404
    inspector_names = {row[0]: row[1] for row in draw.inspector_pool}
    drawn = [
        {
            "label": row.get("label", ""),
            "inspectors": [inspector_names.get(pk, "") for pk in row.get("inspectors", [])],
        }
        for row in draw.result
    ]
    return TemplateResponse(
        request,
        "portal/draw_detail.html",
        {
            "page": page,
            "self": page,
            "draw": draw,
            "drawn": drawn,
            "pool": [{"label": row[2], "weight": row[1]} for row in draw.target_pool],
        },
    )
