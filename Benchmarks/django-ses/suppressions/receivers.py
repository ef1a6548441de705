"""django-ses signal receivers: durable store of each event and of hard-bounce/complaint suppressions."""
import json

from django.db import transaction
from django.dispatch import receiver
from django_ses.signals import bounce_received, complaint_received, delivery_received

from .models import SnsEvent, Suppression


def _sns_message_id(raw_message: bytes) -> str:
    # The signals carry the raw SNS body, not the parsed envelope; the MessageId is the de-dup key.
    return json.loads(raw_message)["MessageId"]


def _store(event_type: str, raw_message: bytes, mail_obj: dict, suppress: list[tuple[str, str, str]]) -> None:
    sns_id = _sns_message_id(raw_message)
    with transaction.atomic():
        SnsEvent.objects.bulk_create(
            [SnsEvent(sns_message_id=sns_id, event_type=event_type,
                      ses_message_id=(mail_obj or {}).get("messageId", ""))],
            ignore_conflicts=True)
        if suppress:
            Suppression.objects.bulk_create(
                [Suppression(email=e.lower(), reason=r, sns_message_id=sns_id, feedback_id=f) for e, r, f in suppress],
                ignore_conflicts=True)


@receiver(bounce_received)
def on_bounce(sender, mail_obj, bounce_obj, raw_message, **kwargs):
    suppress = []
    if bounce_obj.get("bounceType") == "Permanent":
        fid = bounce_obj.get("feedbackId", "")
        suppress = [(r["emailAddress"], "bounce", fid) for r in bounce_obj.get("bouncedRecipients", [])
                    if r.get("emailAddress")]
    _store("bounce", raw_message, mail_obj, suppress)


@receiver(complaint_received)
def on_complaint(sender, mail_obj, complaint_obj, raw_message, **kwargs):
    suppress = []
    # A "not-spam" feedback report is the opposite of a complaint: record it, suppress nobody.
    if complaint_obj.get("complaintFeedbackType") != "not-spam":
        fid = complaint_obj.get("feedbackId", "")
        suppress = [(r["emailAddress"], "complaint", fid) for r in complaint_obj.get("complainedRecipients", [])
                    if r.get("emailAddress")]
    _store("complaint", raw_message, mail_obj, suppress)


@receiver(delivery_received)
def on_delivery(sender, mail_obj, delivery_obj, raw_message, **kwargs):
    _store("delivery", raw_message, mail_obj, [])
