"""The browser UI: rendering and the Library tab's work (app.py holds the page)."""
