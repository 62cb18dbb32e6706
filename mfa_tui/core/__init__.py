"""Pure logic: no I/O, no Textual, no boto3."""
