"""Tables: SnsEvent (every verified notification, de-duplicated by SNS MessageId) and Suppression."""
from django.db import models


class SnsEvent(models.Model):
    sns_message_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=20)
    ses_message_id = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)


class Suppression(models.Model):
    email = models.CharField(max_length=320, unique=True)
    reason = models.CharField(max_length=20)  # "bounce" | "complaint"
    sns_message_id = models.CharField(max_length=100)
    feedback_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
