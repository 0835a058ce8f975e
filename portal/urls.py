from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.MyCoursesView.as_view(), name="course-list"),
    path("courses/<str:code>/", views.MyCourseDetailView.as_view(), name="course-detail"),
    path("courses/<str:code>/evaluation/", views.MyCourseEvaluationView.as_view(), name="course-evaluation"),
    path("courses/<str:code>/certificate/", views.my_certificate_pdf, name="course-certificate"),
    path("data.pdf", views.my_data_pdf, name="my-data-pdf"),
    path("data.xlsx", views.my_data_xlsx, name="my-data-xlsx"),
    path("password/", views.MyPasswordChangeView.as_view(), name="password-change"),
]
