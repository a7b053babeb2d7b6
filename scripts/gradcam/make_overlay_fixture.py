#!/usr/bin/python3
"""Golden fixture for the Grad-CAM overlay: OpenCV's JET colour map and show_cam_on_image.

Run from the repository root with Debian's interpreter, after apt-get install python3-opencv:
    /usr/bin/python3 scripts/gradcam/make_overlay_fixture.py
Writes covidct/src/test/resources/gradcam/overlay.gold (format: scripts/golden/README.md):
  jet [256,3]      cv2.applyColorMap of levels 0..255 with COLORMAP_JET, as RGB
  image [20,24,3]  an RGB image (values 0..150, so the blend's maximum is below 1)
  mask [20,24]     a map in [0, 1): a Gaussian blob, min-max normalised with epsilon 1e-7
  overlay [20,24,3] show_cam_on_image(image / 255, mask, use_rgb=True), written out below
"""
import os
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from goldfile import GoldWriter  # noqa: E402

OUT = os.path.join("covidct", "src", "test", "resources", "gradcam", "overlay.gold")


def show_cam_on_image(img, mask):
    """The reference's overlay with use_rgb=True and image_weight=0.5."""
    heatmap = cv2.applyColorMap(np.uint8(255 * mask), cv2.COLORMAP_JET)
    heatmap = cv2.cvtColor(heatmap, cv2.COLOR_BGR2RGB)
    heatmap = np.float32(heatmap) / 255
    cam = 0.5 * heatmap + 0.5 * img
    cam = cam / np.max(cam)
    return np.uint8(255 * cam)


def main():
    if not os.path.isdir("covidct"):
        sys.exit("run from the repository root")
    rng = np.random.default_rng(7)
    h, w = 20, 24
    image = rng.integers(0, 151, size=(h, w, 3), dtype=np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    blob = np.exp(-((yy - 7.3) ** 2 + (xx - 15.6) ** 2) / 30.0).astype(np.float32)
    mask = blob - blob.min()
    mask = mask / (1e-7 + mask.max())
    jet = cv2.applyColorMap(np.arange(256, dtype=np.uint8).reshape(256, 1), cv2.COLORMAP_JET)[:, 0, ::-1]
    overlay = show_cam_on_image(np.float32(image) / 255, mask)

    gold = GoldWriter()
    gold.add("jet", jet.astype(np.float32))
    gold.add("image", image.astype(np.float32))
    gold.add("mask", mask)
    gold.add("overlay", overlay.astype(np.float32))
    print("wrote", gold.write(OUT))


if __name__ == "__main__":
    main()
