"""Stores what django-ses's signals report: one row per SNS event, one per suppressed address."""
