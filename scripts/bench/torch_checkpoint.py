"""PyTorch's reading of one of our checkpoints, for torch_predict.py and torch_evaluate.py: the
safetensors file parsed by hand (no safetensors package: an 8-byte little-endian header length, a JSON
header of dtype, shape and data_offsets per tensor and a `__metadata__` map of strings, then the raw
little-endian data), memory-mapped as ours is, its tensors loaded into torchvision's model by their
state-dict names, and the model's description read from `__metadata__`: architecture, image_size,
normalize_mean, normalize_std, class_names and positive_class (README, "Checkpoints describe their
model"). The transform is ours for validation and test: Resize((S, S)) (Pillow's bilinear, as
torchvision resizes a PIL image), ToTensor, Normalize; for mobilenet_v2 then 2x - 1, which ours' classifier
applies inside the network (ClassifierModels: setInputScaling(2, -1)), so that it sees TensorFlow's input
range [-1, 1] whatever the normalisation."""
import json
import mmap
import struct

import torch
import torch.nn as nn
import torchvision
from torchvision import transforms

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}
DESCRIPTION = ("architecture", "image_size", "normalize_mean", "normalize_std", "class_names", "positive_class")


class Checkpoint:
    """A checkpoint's description and its tensors, which share the file's memory map."""

    def __init__(self, path):
        with open(path, "rb") as f:
            # A private mapping: writable for torch.frombuffer, and never copied unless written.
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
        (length,) = struct.unpack("<Q", self._map[:8])
        header = json.loads(self._map[8:8 + length])
        metadata = header.pop("__metadata__", {})
        missing = [key for key in DESCRIPTION if key not in metadata]
        if missing:
            raise SystemExit("error: %s records no %s in its __metadata__: write it with covidct train or "
                             "scripts/bench/RandomWeights.java" % (path, ", ".join(missing)))
        self.architecture = metadata["architecture"]
        self.image_size = int(metadata["image_size"])
        self.mean = json.loads(metadata["normalize_mean"])
        self.std = json.loads(metadata["normalize_std"])
        self.class_names = json.loads(metadata["class_names"])
        self.positive = self.class_names.index(metadata["positive_class"])
        self.tensors = {}
        for name, entry in header.items():
            dtype = DTYPES[entry["dtype"]]
            start, end = entry["data_offsets"]
            count = (end - start) // torch.empty((), dtype=dtype).element_size()
            self.tensors[name] = torch.frombuffer(self._map, dtype=dtype, count=count,
                                                  offset=8 + length + start).reshape(entry["shape"])

    def model(self):
        """torchvision's network with a two-class head, holding the checkpoint's weights, in eval mode."""
        if self.architecture == "mobilenet_v2":
            model = torchvision.models.mobilenet_v2(num_classes=len(self.class_names))
        elif self.architecture.startswith("vgg"):
            model = getattr(torchvision.models, self.architecture)()
            model.classifier[6] = nn.Linear(4096, len(self.class_names))
        else:
            raise SystemExit("error: architecture %r: expected mobilenet_v2 or a VGG" % self.architecture)
        # Copies into the model's own tensors (and into its dtypes: our num_batches_tracked is F32).
        model.load_state_dict(self.tensors)
        self.tensors = None
        return model.eval()

    def transform(self):
        """Our val/test transform: a PIL RGB image to a normalised CHW float tensor."""
        steps = [transforms.Resize((self.image_size, self.image_size)), transforms.ToTensor(),
                 transforms.Normalize(self.mean, self.std)]
        if self.architecture == "mobilenet_v2":
            steps.append(transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]))  # x -> 2x - 1
        return transforms.Compose(steps)
