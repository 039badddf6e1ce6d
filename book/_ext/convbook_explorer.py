"""Interactive explorers in the book's pages, as a local Sphinx extension.

A page places an explorer with one line of MyST, a role alone in its paragraph::

    {explorer}`conv2d`
    {explorer}`max_pool2d input_size=7 kernel_size=3 stride=2 ceil_mode=true`

The first word is the operation (``conv1d``, ``conv2d``, ``conv_transpose2d``,
``max_pool2d`` or ``avg_pool2d``); ``name=value`` pairs set the starting values
of the explorer's inputs, named after torch's parameters. The role writes
``<div class="convbook-explorer" data-op="OP" data-init="{...}">``; the
explorer's script (plain JavaScript, served from ``_static/convbook-explorer/``)
builds the controls and grids in the browser. The script and its stylesheet
are added only to pages that show an explorer (Jupyter Book would load every
``.js`` file of a root ``_static`` folder on every page, so they live here).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
ASSETS = "convbook-explorer"
SCRIPTS = ("convbook-shapes.js", "convbook-explorer.js")
STYLESHEET = "convbook-explorer.css"

PARAMETERS = {
    "conv1d": ("input_size", "kernel_size", "stride", "padding", "dilation"),
    "conv2d": ("input_size", "kernel_size", "stride", "padding", "dilation"),
    "conv_transpose2d": ("input_size", "kernel_size", "stride", "padding", "output_padding", "dilation"),
    "max_pool2d": ("input_size", "kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    "avg_pool2d": ("input_size", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
}
FLAGS = ("ceil_mode", "count_include_pad")


class explorer(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """An interactive explorer: ``op`` and the starting values ``init``."""


def parse(text: str) -> tuple[str, dict]:
    """``"conv2d stride=2 ceil_mode=true"`` -> ``("conv2d", {"stride": 2, ...})``; ValueError if malformed."""
    op, *pairs = text.split()
    if op not in PARAMETERS:
        raise ValueError(f"unknown explorer {op!r}: use one of {', '.join(PARAMETERS)}")
    init = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in PARAMETERS[op]:
            raise ValueError(f"{op}: {pair!r} is not name=value with a name among {', '.join(PARAMETERS[op])}")
        if name in FLAGS:
            if value.lower() not in ("true", "false"):
                raise ValueError(f"{op}: {name} must be true or false, got {value!r}")
            init[name] = value.lower() == "true"
        elif re.fullmatch(r"-?\d+", value):
            init[name] = int(value)
        else:
            raise ValueError(f"{op}: {name} must be an integer, got {value!r}")
    return op, init


def explorer_role(name, rawtext, text, lineno, inliner, options=None, content=None):  # noqa: ANN001, ARG001
    """``{explorer}`op name=value ...```: one explorer (lifted out of its paragraph later)."""
    try:
        op, init = parse(text)
    except ValueError as error:
        message = inliner.reporter.error(str(error), line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [explorer(rawtext, op=op, init=init)], []


class LiftExplorers(SphinxTransform):
    """An explorer is a block: replace the paragraph that holds only the role by the explorer itself."""

    default_priority = 200

    def apply(self, **kwargs) -> None:  # noqa: ANN003
        for node in list(self.document.findall(explorer)):
            parent = node.parent
            others = [c for c in parent.children if c is not node and c.astext().strip()]
            if isinstance(parent, nodes.paragraph) and not others:
                parent.replace_self(node)
            else:
                logger.warning("an {explorer} role must stand alone in its paragraph", location=node)


def visit_explorer_html(self, node: explorer) -> None:  # noqa: ANN001
    init = html.escape(json.dumps(node["init"], sort_keys=True), quote=True)
    self.body.append(
        f'<div class="convbook-explorer" data-op="{node["op"]}" data-init="{init}">'
        f'<p class="cbx-fallback">Interactive <code>{node["op"]}</code> explorer: '
        "it needs JavaScript, which seems to be switched off.</p></div>\n"
    )
    raise nodes.SkipNode


def skip_explorer(self, node: explorer) -> None:  # noqa: ANN001
    """Other formats (LaTeX, text, ...) leave the interactive figure out."""
    raise nodes.SkipNode


def add_static_path(app, config) -> None:  # noqa: ANN001
    """Serve the explorer's files from ``_static/convbook-explorer/`` (registered here, not in
    ``_config.yml``: Jupyter Book would load every script of a configured static path on every page)."""
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))


def add_assets(app, pagename, templatename, context, doctree) -> None:  # noqa: ANN001
    """Load the explorer's script and stylesheet on pages that show an explorer, and only there."""
    if doctree is None or next(iter(doctree.findall(explorer)), None) is None:
        return
    app.add_css_file(f"{ASSETS}/{STYLESHEET}")
    for script in SCRIPTS:
        app.add_js_file(f"{ASSETS}/{script}", loading_method="defer")


def setup(app) -> dict:  # noqa: ANN001
    app.add_node(
        explorer,
        html=(visit_explorer_html, None),
        latex=(skip_explorer, None),
        text=(skip_explorer, None),
        man=(skip_explorer, None),
        texinfo=(skip_explorer, None),
    )
    app.add_role("explorer", explorer_role)
    app.add_transform(LiftExplorers)
    app.connect("config-inited", add_static_path)
    app.connect("html-page-context", add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
