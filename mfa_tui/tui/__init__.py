"""The Textual UI: the app, its screens and widgets. Draws models, runs workers; no AWS calls."""
