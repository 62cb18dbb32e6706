"""Widgets: draw models only. Never import boto3 here."""
