"""Keep every page free of third-party hosts and of sphinx-thebe's duplicated script.

Jupyter Book always loads sphinx-thebe, which adds an inline script declaring
``const THEBE_JS_URL = "https://unpkg.com/..."`` (twice, so every page logs
"Identifier 'THEBE_JS_URL' has already been declared") and ``sphinx-thebe.js``.
This course runs no live kernel in the browser (launch buttons are off), so both
are dropped from each page.
"""


def _is_thebe(script) -> bool:
    body = getattr(script, "attributes", {}).get("body", "") or ""
    filename = getattr(script, "filename", "") or ""
    return "THEBE_JS_URL" in body or filename.endswith("sphinx-thebe.js")


def drop_thebe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe(s)]


def setup(app):
    app.connect("html-page-context", drop_thebe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
