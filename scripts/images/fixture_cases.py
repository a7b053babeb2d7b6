"""The shared frame of the image fixture scripts: a fresh output folder, the source PNGs, and
cases.txt, one line per expected image: `<source> <expected> <spec>`."""
import os

from PIL import Image


class FixtureCases:
    def __init__(self, out):
        self.out = out
        self.lines = []
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(out):
            os.remove(os.path.join(out, f))

    def sources(self, arrays):
        """Saves each named uint8 array as a PNG; returns each read back as an RGB image."""
        images = {}
        for name, arr in arrays.items():
            Image.fromarray(arr).save(os.path.join(self.out, name))
            images[name] = Image.open(os.path.join(self.out, name)).convert("RGB")
        return images

    def save(self, img, source, tag, spec):
        name = "%s_%s.png" % (source[:-4], tag)
        assert img.mode == "RGB"
        img.save(os.path.join(self.out, name))
        self.lines.append("%s %s %s" % (source, name, spec))

    def write(self):
        with open(os.path.join(self.out, "cases.txt"), "w") as f:
            f.write("\n".join(self.lines) + "\n")
