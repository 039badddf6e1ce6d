"""Animations as small GIF files, shown in notebooks and on the static site.

``to_gif`` renders frames with matplotlib and returns an
``IPython.display.Image``: Jupyter Book writes it to ``_images`` as a file,
so a page links a GIF of a few hundred KB instead of embedding a script.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from PIL import Image as PILImage

if TYPE_CHECKING:
    from IPython.display import Image as IPythonImage

MAX_GIF_BYTES = 400_000

#: rc settings for animated figures: a fixed title height, so that matplotlib does not re-measure every
#: axes' tick labels to place its title on each frame (the axes of the animations have no ticks).
FIXED_TITLES = {"axes.titley": 1.0}


def render_frames(fig: Figure, update: Callable[[int], object], frames: int, dpi: int = 80) -> list[PILImage.Image]:
    """Call ``update(i)`` for each frame and grab the figure as an image; closes ``fig``."""
    fig.set_dpi(dpi)
    images = []
    with plt.rc_context(FIXED_TITLES):  # axes that update(i) clears get a fixed title height too
        for i in range(frames):
            update(i)
            fig.canvas.draw()
            rgba = fig.canvas.buffer_rgba()
            images.append(PILImage.frombuffer("RGBA", fig.canvas.get_width_height(), rgba).convert("RGB"))
    plt.close(fig)
    return images


def render_gif(fig: Figure, update: Callable[[int], object], frames: int, fps: float = 2.0, dpi: int = 80) -> bytes:
    """GIF bytes of ``frames`` frames; ``update(i)`` redraws ``fig`` for frame ``i``.

    Raises ``ValueError`` if the GIF exceeds ``MAX_GIF_BYTES`` (lower ``dpi``
    or the number of frames).
    """
    images = [im.quantize(colors=64) for im in render_frames(fig, update, frames, dpi)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
    data = buffer.getvalue()
    if len(data) > MAX_GIF_BYTES:
        raise ValueError(f"animation is {len(data)} bytes, over the {MAX_GIF_BYTES}-byte budget: lower dpi or frames")
    return data


def to_gif(fig: Figure, update: Callable[[int], object], frames: int, fps: float = 2.0, dpi: int = 80) -> IPythonImage:
    """Render an animation and return it as an ``IPython.display.Image`` (GIF)."""
    from IPython.display import Image

    return Image(data=render_gif(fig, update, frames, fps, dpi), format="gif")
