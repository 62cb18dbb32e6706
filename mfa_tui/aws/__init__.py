"""The boto3 layer: thin, paginated, returns core models. Never imports Textual."""
