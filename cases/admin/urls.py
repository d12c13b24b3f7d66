from cases.admin import bulk_dispatch, case_views, person_work, workbench

app_name = "cases_admin"
urlpatterns = [
    *workbench.urlpatterns,
    *bulk_dispatch.urlpatterns,
    *case_views.urlpatterns,
    *person_work.urlpatterns,
]
