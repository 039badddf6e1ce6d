"""Figures and animations for the book, drawn from convbook's own functions.

Submodules, one per topic: ``grids`` (matrices with highlighted windows, the
primitive every other figure uses), ``animation`` (GIF output). Chapters
import the submodule they need, e.g. ``from convbook.viz import grids``.
"""
