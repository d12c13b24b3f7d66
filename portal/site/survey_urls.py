"""The owners' survey pages (portal.site.survey_answers): the code form and a survey's
questions."""

from django.urls import path

from portal.site import survey_answers

urlpatterns = [
    path("", survey_answers.entry, name="survey_entry"),
    path("<int:survey_id>/", survey_answers.answer, name="survey_answer"),
]
