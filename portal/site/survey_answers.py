"""Owners answer a survey on a phone (问卷): enter the household code from the slip, or come
from its QR code, answer, done. Plain Django views (no Wagtail page: nothing here is edited
content), never cached.

The code is checked and spent by ``enterprises.surveys.submit_answers`` in one transaction.
Wrong codes (unknown, of another survey, already used) are counted per client address like the
tracking look-up (django-ratelimit); past the limit every code is refused for a while, right
or wrong, so codes cannot be guessed.
"""

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import get_usage

from enterprises import survey_results, surveys
from enterprises.models import QuestionKind, Survey, SurveyKind

RATE_GROUP = "portal.surveys.code"
SCALE_LABELS = {
    1: gettext_lazy("1 – very dissatisfied"),
    2: gettext_lazy("2 – dissatisfied"),
    3: gettext_lazy("3 – neither"),
    4: gettext_lazy("4 – satisfied"),
    5: gettext_lazy("5 – very satisfied"),
}


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Household code"),
        max_length=32,
        help_text=gettext_lazy("The code on the slip your owners' committee handed out."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


def _question_label(question) -> str:
    if question.dimension:
        return _("How satisfied are you with: %(dimension)s?") % {
            "dimension": survey_results.dimension_label(question.dimension)
        }
    return question.text


def answer_form(survey: Survey, data=None) -> forms.Form:
    """One field per question (``q<id>``), in the reader's language where it is ours."""
    form = forms.Form(data)
    for question in survey.questions.all():
        name = f"q{question.pk}"
        label = _question_label(question)
        if question.kind == QuestionKind.SCALE:
            field = forms.ChoiceField(
                choices=list(SCALE_LABELS.items()), widget=forms.RadioSelect, label=label
            )
        elif question.kind == QuestionKind.CHOICE:
            choices = [(choice, choice) for choice in question.choices]
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, label=label)
        else:
            field = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=surveys.MAX_TEXT_ANSWER,
                label=label,
            )
        field.required = question.required
        form.fields[name] = field
    return form


def _wrong_attempts(request: HttpRequest, *, increment: bool) -> dict | None:
    return get_usage(
        request,
        group=RATE_GROUP,
        key="ip",
        rate=settings.SURVEY_CODE_RATE_LIMIT,
        increment=increment,
    )


def _over_limit(request: HttpRequest) -> bool:
    usage = _wrong_attempts(request, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def _render(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = TemplateResponse(request, template, context, status=status)
    add_never_cache_headers(response)
    return response


def _entry(request, form, status=200) -> HttpResponse:
    return _render(request, "portal/survey_entry.html", {"form": form}, status)


def _checked_form(raw: str) -> CodeForm:
    """A bound, cleaned form to put a refusal on (the code as typed stays in the field)."""
    form = CodeForm({"code": (raw or "")[:32] or "-"})
    form.is_valid()
    return form


def _limited(request) -> HttpResponse:
    form = _checked_form("")
    form.add_error(None, _("Too many wrong codes from this connection. Try again in an hour."))
    return _entry(request, form, status=429)


def _refuse_code(request, message, raw: str) -> HttpResponse:
    _wrong_attempts(request, increment=True)
    form = _checked_form(raw)
    form.add_error("code", message)
    return _entry(request, form, status=400)


def _check(request, raw_code: str, survey_id: int | None):
    """The code's row if it opens an answerable survey (of ``survey_id`` when given), else
    the response that refuses it."""
    found = surveys.find_code(raw_code)
    if found is None or (survey_id is not None and found.survey_id != survey_id):
        return None, _refuse_code(request, surveys.UNKNOWN_CODE, raw_code)
    if found.used_at is not None:
        return None, _refuse_code(request, surveys.USED_CODE, raw_code)
    if not surveys.is_answerable(found.survey):
        return None, _refuse_code(request, surveys.NOT_OPEN, raw_code)
    return found, None


def _questions(request, found, form=None, status=200) -> HttpResponse:
    survey = found.survey
    return _render(
        request,
        "portal/survey_answer.html",
        {
            "survey": survey,
            "estate": survey.estate,
            "code": surveys.grouped(found.code),
            "form": form or answer_form(survey),
            "opinions": survey.kind == SurveyKind.OPINIONS,
        },
        status,
    )


def entry(request: HttpRequest) -> HttpResponse:
    """The code form; a right code shows the survey's questions."""
    if request.method != "POST":
        return _entry(request, CodeForm())
    if _over_limit(request):
        return _limited(request)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _entry(request, form, status=400)
    found, refusal = _check(request, form.cleaned_data["code"], None)
    return refusal or _questions(request, found)


def answer(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The questions of one survey: from a QR code (GET with ``code``) or their answers
    (POST), which ``submit_answers`` stores and the code is spent."""
    if _over_limit(request):
        return _limited(request)
    raw = request.POST.get("code") if request.method == "POST" else request.GET.get("code")
    if not raw:
        return _entry(request, CodeForm())
    found, refusal = _check(request, raw, survey_id)
    if refusal is not None:
        return refusal
    if request.method != "POST":
        return _questions(request, found)
    form = answer_form(found.survey, request.POST)
    if not form.is_valid():
        return _questions(request, found, form, status=400)
    values = {int(name[1:]): value for name, value in form.cleaned_data.items()}
    try:
        surveys.submit_answers(found.survey, code=found.code, answers=values)
    except surveys.SurveyRefused as refusal:
        if refusal.field == "code":
            return _refuse_code(request, refusal.message, raw)
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return _questions(request, found, form, status=400)
    return _render(request, "portal/survey_done.html", {"survey": found.survey})
