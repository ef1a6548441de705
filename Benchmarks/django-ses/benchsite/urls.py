"""URLs: the django-ses SNS webhook at /ses/event-webhook/ (and /sns, the path Sluice uses)."""
from django.urls import path
from django_ses.views import SESEventWebhookView

urlpatterns = [
    path("ses/event-webhook/", SESEventWebhookView.as_view(), name="event_webhook"),
    path("sns", SESEventWebhookView.as_view()),
]
