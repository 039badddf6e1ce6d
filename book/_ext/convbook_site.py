"""Small fixes to the generated site, as a local Sphinx extension.

sphinx-thebe's inline configuration script reaches each page twice (once
registered with filename ``None``, once with ``''``), so every page declared
``const THEBE_JS_URL`` twice: a console error. This extension drops repeated
script entries just before a page is written.
"""

from __future__ import annotations


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:  # noqa: ANN001
    """Keep the first of script entries with the same file and attributes."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = tuple(sorted(getattr(script, "attributes", {}).items()))
        key = (getattr(script, "filename", script) or "", attributes)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app) -> dict:  # noqa: ANN001
    app.connect("html-page-context", drop_repeated_scripts, priority=1000)  # after the themes
    return {"parallel_read_safe": True, "parallel_write_safe": True}
