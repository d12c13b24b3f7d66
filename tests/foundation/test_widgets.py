"""QuickSelect renders what Django's Select renders, faster (foundation.widgets)."""

import re

import pytest
from django import forms

from foundation.widgets import QuickSelect

CHOICES = [
    ("", "---------"),
    ("a", "东湖苑 · 东湖区"),
    ("b", 'Quote " & <tag>'),
    ("Districts", [("c", "西山区"), ("d", "南浦区")]),
]


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", ["", "b", "d", None])
def test_the_markup_is_django_s_own(value):
    attrs = {"id": "id_estate", "required": True, "disabled": False}
    ours = QuickSelect(choices=CHOICES).render("estate", value, attrs)
    django = forms.Select(choices=CHOICES).render("estate", value, attrs)
    assert squeezed(ours) == squeezed(django)


def test_labels_are_escaped_and_the_value_is_selected():
    html = QuickSelect(choices=CHOICES).render("estate", "b", {})
    assert "&lt;tag&gt;" in html and "<tag>" not in html
    assert '<option value="b" selected>' in html


def test_a_model_choice_field_renders_its_queryset(db):
    from enterprises.models import Estate
    from tests.factories import EstateFactory

    home = EstateFactory(name="青年家园")

    class Form(forms.Form):
        estate = forms.ModelChoiceField(queryset=Estate.objects.all(), widget=QuickSelect)

    html = str(Form(initial={"estate": home.pk})["estate"])
    assert f'<option value="{home.pk}" selected>青年家园</option>' in html
