#!/usr/bin/env python3
"""Writes the resize fixtures of nn/src/test/resources/images/resize/.

Small synthetic RGB sources (a gradient, noise, sharp edges) and what Pillow and torchvision 0.14
make of them, saved as lossless PNG. cases.txt lists one case per line:

    <source> <expected> resize <width> <height>      Image.resize((w, h), Image.BILINEAR)
    <source> <expected> shorter <size>               torchvision Resize(size) (shorter side)
    <source> <expected> square <size>                torchvision Resize((size, size))
    <source> <expected> train <resize> <top> <left> <height> <width> <size>
                                                     Resize(resize), then F.resized_crop(top, left,
                                                     height, width, [size, size]): the training
                                                     pipeline for one RandomResizedCrop box

Run from the repository root with a python3 that has Pillow 9.4 and torchvision 0.14 (Debian
bookworm's python3-pil and python3-torchvision):
    python3 scripts/images/make_resize_fixtures.py
"""
import os

import numpy as np
from PIL import Image

from fixture_cases import FixtureCases
from torchvision import transforms as T
from torchvision.transforms import functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "nn", "src", "test", "resources", "images", "resize")
RNG = np.random.RandomState(224)


def gradient(w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / (w - 1)
    g = 255 * y / (h - 1)
    b = 127.5 + 127.5 * np.sin((x + 2 * y) / 5.0)
    return np.clip(np.round(np.stack([r, g, b], -1)), 0, 255).astype(np.uint8)


def noise(w, h):
    return RNG.randint(0, 256, size=(h, w, 3)).astype(np.uint8)


def edges(w, h):
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), dtype=np.uint8)
    img[..., 0] = np.where(((x // 9) + (y // 7)) % 2 == 0, 255, 0)
    img[..., 1] = np.where(x % 23 < 3, 255, np.where(y > h // 2, 90, 10))
    img[..., 2] = np.where((x - w // 2) ** 2 + (y - h // 2) ** 2 < (h // 3) ** 2, 240, 30)
    img[h // 4:h // 4 + 2, :, :] = 255
    img[:, w // 3, :] = 0
    return img


def main():
    cases = FixtureCases(OUT)
    images = cases.sources({
        "gradient_37x23.png": gradient(37, 23),
        "noise_64x48.png": noise(64, 48),
        "noise_29x41.png": noise(29, 41),
        "edges_300x200.png": edges(300, 200),
        "edges_90x130.png": edges(90, 130),
    })

    explicit = {
        "gradient_37x23.png": [(20, 13), (80, 50), (224, 224), (37, 9), (11, 23), (1, 1)],
        "noise_64x48.png": [(45, 31), (30, 100), (64, 20), (100, 48), (17, 5)],
        "noise_29x41.png": [(13, 19), (58, 82)],
        "edges_300x200.png": [(123, 77), (224, 224), (299, 199), (150, 100), (97, 211)],
        "edges_90x130.png": [(224, 224), (61, 43)],
    }
    for source, sizes in explicit.items():
        for w, h in sizes:
            cases.save(images[source].resize((w, h), Image.BILINEAR), source, "%dx%d" % (w, h), "resize %d %d" % (w, h))

    for source, size in [("gradient_37x23.png", 256), ("edges_300x200.png", 256), ("edges_90x130.png", 256),
                         ("noise_29x41.png", 64), ("noise_64x48.png", 40)]:
        cases.save(T.Resize(size)(images[source]), source, "shorter%d" % size, "shorter %d" % size)

    for source, size in [("edges_300x200.png", 224), ("noise_64x48.png", 56), ("gradient_37x23.png", 112)]:
        cases.save(T.Resize((size, size))(images[source]), source, "square%d" % size, "square %d" % size)

    for source, resize, box, size in [("edges_300x200.png", 256, (37, 51, 201, 250), 224),
                                      ("edges_90x130.png", 256, (60, 10, 180, 170), 224),
                                      ("edges_300x200.png", 128, (3, 40, 100, 120), 112)]:
        resized = T.Resize(resize)(images[source])
        top, left, h, w = box
        out = F.resized_crop(resized, top, left, h, w, [size, size], T.InterpolationMode.BILINEAR)
        cases.save(out, source, "train%d_%d_%d_%d_%d_%d" % (resize, top, left, h, w, size),
             "train %d %d %d %d %d %d" % (resize, top, left, h, w, size))

    cases.write()


if __name__ == "__main__":
    main()
