"""Pure logic: no I/O, no Textual, no botocore."""
