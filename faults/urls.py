from django.urls import path

from faults import views

app_name = "faults"

urlpatterns = [
    path("", views.fault_list, name="fault_list"),
    path("report/<int:service_id>/", views.fault_report, name="fault_report"),
    path("<int:pk>/", views.fault_detail, name="fault_detail"),
    path("<int:pk>/message/", views.fault_message, name="fault_message"),
    path("<int:pk>/slots/<int:slot_id>/accept/", views.slot_accept, name="slot_accept"),
    path("<int:pk>/slots/decline/", views.slots_decline, name="slots_decline"),
]
