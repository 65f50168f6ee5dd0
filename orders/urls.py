from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("price-list/", views.price_list, name="price_list"),
    path("new/<int:product_id>/", views.order_create, name="order_create"),
    path("quote/<int:product_id>/", views.quote_request, name="quote_request"),
    path("", views.order_list, name="order_list"),
    path("<int:order_id>/", views.order_detail, name="order_detail"),
    path("services/", views.service_list, name="service_list"),
    path("services/<int:service_id>/", views.service_detail, name="service_detail"),
    path("services/<int:service_id>/cancel/", views.service_cancel, name="service_cancel"),
    path("cancellations/<int:cancellation_id>/withdraw/", views.cancellation_withdraw, name="cancellation_withdraw"),
]
