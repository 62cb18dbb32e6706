"""The botocore layer: thin, paginated, returns core models. Never imports Textual."""
