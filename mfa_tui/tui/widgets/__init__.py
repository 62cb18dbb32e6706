"""Widgets: draw models only. Never import botocore here."""
