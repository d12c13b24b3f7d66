"""My complaints (我的投诉), signed in by phone: plain Django views (no Wagtail page: nothing
here is edited content)."""

from django.urls import path

from portal.site import my_complaints

urlpatterns = [
    path("", my_complaints.my_complaints, name="my_complaints"),
    path("login/", my_complaints.sign_in, name="my_complaints_login"),
    path("login/code/", my_complaints.verify, name="my_complaints_verify"),
    path("sign-out/", my_complaints.sign_out, name="my_complaints_sign_out"),
    path("<str:number>/rate/", my_complaints.rate, name="my_complaint_rate"),
    path("<str:number>/open/", my_complaints.open_case, name="my_complaint_open"),
]
