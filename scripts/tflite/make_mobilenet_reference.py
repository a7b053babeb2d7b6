#!/usr/bin/python3
"""Reference logits of the ImageNet MobileNetV2 TFLite files, in float64, from the dequantized weights.

Run from the repository root with Debian's interpreter (numpy and torch):
    /usr/bin/python3 scripts/tflite/make_mobilenet_reference.py [MOBILENET_DIR]
MOBILENET_DIR defaults to ../shared/pretrained/mobilenet. Writes
nn/src/test/resources/tflite/mobilenet_v2_reference.gold (format: scripts/golden/README.md) with
entries "<file stem>.<image stem>.logits" [1001] for bird.rgb and sunflower.rgb.

Independent of the Java side: its own FlatBuffer parser (tflite_file.py), and it runs the file's own
operator list (CONV_2D, DEPTHWISE_CONV_2D, ADD, AVERAGE_POOL_2D, MEAN, RESHAPE, QUANTIZE) with the
fused activations, strides and SAME padding each operator records, instead of a MobileNetV2
module structure. Activations are not re-quantized: this is the float network the 8-bit weights
describe. The logits are the input of the final SOFTMAX.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
import tflite_file  # noqa: E402
from goldfile import GoldWriter  # noqa: E402

FILES = ["mobilenet_v2_1.0_224_quant.tflite", "tf2_mobilenet_v2_1.0_224_ptq.tflite"]
IMAGES = ["bird.rgb", "sunflower.rgb"]
OUT = os.path.join("nn", "src", "test", "resources", "tflite", "mobilenet_v2_reference.gold")


def same_pad(x, kh, kw, sh, sw):
    """TensorFlow's SAME: output ceil(in / stride), the odd pixel of padding at the bottom/right."""
    h, w = x.shape[2], x.shape[3]
    ph = max((-(-h // sh) - 1) * sh + kh - h, 0)
    pw = max((-(-w // sw) - 1) * sw + kw - w, 0)
    return F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2))


def activation(x, code):
    if code == 1:
        return torch.relu(x)
    if code == 3:
        return torch.clamp(x, 0, 6)
    if code != 0:
        raise ValueError("unsupported fused activation %d" % code)
    return x


def conv(op, tensors, x, depthwise):
    o = op.options
    pad, sw, sh = o.scalar(0, "b"), o.scalar(1, "i"), o.scalar(2, "i")
    act = o.scalar(4 if depthwise else 3, "b")
    w = torch.from_numpy(tensors[op.inputs[1]].dequantized())
    b = torch.from_numpy(tensors[op.inputs[2]].dequantized())
    if depthwise:  # 1HWC -> [C, 1, H, W]
        w = w.permute(3, 0, 1, 2)
        groups = w.shape[0]
    else:  # OHWI -> OIHW
        w = w.permute(0, 3, 1, 2)
        groups = 1
    if pad == 0:
        x = same_pad(x, w.shape[2], w.shape[3], sh, sw)
    return activation(F.conv2d(x, w, b, stride=(sh, sw), groups=groups), act)


def run(path, image):
    tensors, ops, inputs, _ = tflite_file.read(path)
    inp = tensors[inputs[0]]
    pixels = np.frombuffer(image, np.uint8).astype(np.float64).reshape(1, 224, 224, 3)
    real = inp.scale[0] * (pixels - inp.zero_point[0])
    values = {inputs[0]: torch.from_numpy(real).permute(0, 3, 1, 2)}  # activations kept NCHW
    for op in ops:
        if op.name == "SOFTMAX":
            return values[op.inputs[0]].reshape(-1).numpy()
        x = values[op.inputs[0]]
        if op.name == "CONV_2D":
            y = conv(op, tensors, x, False)
        elif op.name == "DEPTHWISE_CONV_2D":
            y = conv(op, tensors, x, True)
        elif op.name == "ADD":
            y = activation(x + values[op.inputs[1]], op.options.scalar(0, "b") if op.options else 0)
        elif op.name in ("AVERAGE_POOL_2D", "MEAN"):
            y = x.mean(dim=(2, 3), keepdim=True)  # both files pool the whole 7x7 map
        elif op.name in ("RESHAPE", "QUANTIZE", "DEQUANTIZE"):
            y = x
        else:
            raise ValueError("unsupported operator " + op.name)
        values[op.outputs[0]] = y
    raise ValueError(path + ": no SOFTMAX")


def main():
    if not os.path.isdir("nn"):
        sys.exit("run from the repository root")
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "pretrained", "mobilenet")
    with open(os.path.join(folder, "imagenet_labels.txt")) as f:
        labels = f.read().splitlines()
    gw = GoldWriter()
    for name in FILES:
        for image_name in IMAGES:
            with open(os.path.join(folder, image_name), "rb") as f:
                logits = run(os.path.join(folder, name), f.read())
            top = np.argsort(-logits)[:3]
            print("%s %s: %s" % (name, image_name, ", ".join("%s %.3f" % (labels[i], logits[i]) for i in top)))
            gw.add("%s.%s.logits" % (name.rsplit(".", 1)[0], image_name.rsplit(".", 1)[0]), logits.astype(np.float32))
    gw.write(OUT)
    print("wrote " + OUT)


if __name__ == "__main__":
    main()
