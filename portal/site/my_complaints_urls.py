"""My complaints (我的投诉), signed in by phone: plain Django views (no Wagtail page: nothing
here is edited content). The sign-in lives beside the list, not under it, so a visitor sent
there from the list is plainly sent to a sign-in."""

from django.urls import path

from portal.site import my_complaints

urlpatterns = [
    path("", my_complaints.my_complaints, name="my_complaints"),
    path("<str:number>/rate/", my_complaints.rate, name="my_complaint_rate"),
    path("<str:number>/open/", my_complaints.open_case, name="my_complaint_open"),
]

sign_in_patterns = [
    path("login/", my_complaints.sign_in, name="my_complaints_login"),
    path("login/code/", my_complaints.verify, name="my_complaints_verify"),
    path("sign-out/", my_complaints.sign_out, name="my_complaints_sign_out"),
]
