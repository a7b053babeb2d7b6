#!/usr/bin/env python3
"""Writes the augmentation fixtures of nn/src/test/resources/images/augment/.

Small synthetic RGB sources (noise of odd, even and square sizes, a structured 32x24 picture, a
nearly uniform one, and a 33000x3 periodic strip, wide enough that Pillow's rotation leaves its
16.16 fixed-point loop for doubles) and what torchvision 0.14 on Pillow 9.4 makes of them, saved as lossless PNG.
cases.txt lists one case per line:

    <source> <expected> rotate <angle>          F.rotate(img, angle): RandomRotation's defaults
                                                (NEAREST, expand=False, centre, fill 0)
    <source> <expected> brightness <factor>     F.adjust_brightness(img, factor)
    <source> <expected> contrast <factor>       F.adjust_contrast(img, factor)

Angles and factors are written with Python's repr, so Java parses the same doubles. Besides the
round angles there are float32 values, as RandomRotation(10) draws them, and angles outside
[0, 360) that Image.rotate reduces modulo 360.

Run from the repository root with a python3 that has Pillow 9.4 and torchvision 0.14 (Debian
bookworm's python3-pil and python3-torchvision):
    python3 scripts/images/make_augment_fixtures.py
"""
import os

import numpy as np
from PIL import Image

from fixture_cases import FixtureCases
from torchvision import transforms as T
from torchvision.transforms import functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "nn", "src", "test", "resources", "images", "augment")
RNG = np.random.RandomState(1018)


def noise(w, h):
    return RNG.randint(0, 256, size=(h, w, 3)).astype(np.uint8)


def picture(w, h):
    """Stripes, a disc, a bright bar and a gradient: rotation errors show as moved edges."""
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), dtype=np.uint8)
    img[..., 0] = np.where((x // 3) % 2 == 0, 220, 35)
    img[..., 1] = (255 * y / (h - 1)).astype(np.uint8)
    img[..., 2] = np.where((x - w // 3) ** 2 + (y - h // 2) ** 2 < (h // 4) ** 2, 250, 60)
    img[h // 5, :, :] = 255
    img[:, 2 * w // 3, 1] = 0
    return img


def wide(w, h):
    """A periodic strip so wide that Pillow rotates it in doubles, not 16.16 fixed point."""
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), dtype=np.uint8)
    img[..., 0] = (x % 7) * 36
    img[..., 1] = y * 100 + 20
    img[..., 2] = ((x // 5) % 3) * 100
    return img


def nearly_uniform(w, h):
    """Grey 120 with small noise, so that contrast's mean-grey level matters in every pixel."""
    return (120 + RNG.randint(-3, 4, size=(h, w, 3))).astype(np.uint8)


ANGLES = [0.0, 10.0, -7.3, 90.0, 33.3, 180.0, 270.0, -90.0, 45.0, 123.4, 359.9, 720.0, -400.5,
          float(np.float32(-9.87654321)), float(np.float32(4.2)), 1e-9]
# What RandomRotation(10) draws: float32 angles in [-10, 10].
DRAWN_ANGLES = [float(a) for a in RNG.uniform(-10, 10, size=12).astype(np.float32)]
BRIGHTNESS = [0.0, 0.5, 0.8, float(np.float32(0.9137)), 1.0, 1.1, 1.2, 1.5, 2.3]
CONTRAST = [0.0, 0.5, 0.8, float(np.float32(0.8651)), 1.0, 1.13, 1.2, 1.7, 3.0]


def main():
    cases = FixtureCases(OUT)
    images = cases.sources({
        "noise_7x5.png": noise(7, 5),
        "noise_8x6.png": noise(8, 6),
        "noise_6x6.png": noise(6, 6),
        "picture_32x24.png": picture(32, 24),
        "flat_9x7.png": nearly_uniform(9, 7),
        "wide_33000x3.png": wide(33000, 3),
    })

    for source in ["noise_7x5.png", "noise_8x6.png", "noise_6x6.png", "picture_32x24.png"]:
        for i, angle in enumerate(ANGLES):
            cases.save(F.rotate(images[source], angle, T.InterpolationMode.NEAREST, False, None, 0), source,
                 "rotate%d" % i, "rotate %r" % angle)
    for i, angle in enumerate(DRAWN_ANGLES):
        cases.save(F.rotate(images["picture_32x24.png"], angle), "picture_32x24.png", "drawn%d" % i, "rotate %r" % angle)
    for i, angle in enumerate([0.005, -0.004]):
        cases.save(F.rotate(images["wide_33000x3.png"], angle), "wide_33000x3.png", "rotate%d" % i, "rotate %r" % angle)
    for source in ["noise_7x5.png", "picture_32x24.png", "flat_9x7.png"]:
        for i, factor in enumerate(BRIGHTNESS):
            cases.save(F.adjust_brightness(images[source], factor), source, "brightness%d" % i, "brightness %r" % factor)
        for i, factor in enumerate(CONTRAST):
            cases.save(F.adjust_contrast(images[source], factor), source, "contrast%d" % i, "contrast %r" % factor)

    cases.write()


if __name__ == "__main__":
    main()
