#!/usr/bin/python3
"""Weight-file fixtures for the .pth reader (org.covidct.nn.io.TorchWeights) and the VGG models.

Run from the repository root with Debian's interpreter (which has torch and torchvision):
    /usr/bin/python3 scripts/golden/make_weight_fixtures.py
Writes nn/src/test/resources/weights/ (file list and roles: scripts/golden/README.md).
"""
import builtins
import collections
import io
import json
import os
import pickle
import struct
import sys

import torch
import torch.nn as nn
from torchvision.models import vgg as tv_vgg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldfile import GoldWriter  # noqa: E402

OUT = os.path.join("nn", "src", "test", "resources", "weights")

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)

# Narrow versions of torchvision's configurations: every width divided, pools kept.
NARROW = {
    # name: (torchvision cfg key, width divisor, batch_norm, hidden width, num_classes, seed)
    "vgg11bn_narrow": ("A", 32, True, 8, 5, 11),
    "vgg13_narrow": ("B", 64, False, 8, 3, 13),
}


def narrow_cfg(key, divisor):
    return [v if v == "M" else max(1, v // divisor) for v in tv_vgg.cfgs[key]]


def build_narrow(name):
    key, divisor, batch_norm, hidden, num_classes, seed = NARROW[name]
    torch.manual_seed(seed)
    cfg = narrow_cfg(key, divisor)
    model = tv_vgg.VGG(tv_vgg.make_layers(cfg, batch_norm=batch_norm), num_classes=num_classes, init_weights=True)
    channels = [v for v in cfg if v != "M"][-1]
    model.classifier = nn.Sequential(
        nn.Linear(channels * 7 * 7, hidden), nn.ReLU(True), nn.Dropout(),
        nn.Linear(hidden, hidden), nn.ReLU(True), nn.Dropout(),
        nn.Linear(hidden, num_classes),
    )
    with torch.no_grad():
        # init_weights=True zeroes the conv biases and makes BatchNorm the identity: make them
        # non-trivial so that a loader mixing up biases or statistics cannot pass.
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                m.bias.copy_(torch.randn(m.out_channels) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c) * 1.5 + 0.25)
                m.bias.copy_(torch.randn(c) * 0.5)
                m.running_mean.copy_(torch.randn(c) * 0.5)
                m.running_var.copy_(torch.rand(c) * 1.5 + 0.5)
                m.num_batches_tracked.fill_(7)
    return model.eval()


def logits(model, x):
    with torch.no_grad():
        return model(x)


def save(obj, name, legacy=False):
    path = os.path.join(OUT, name)
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
    return path


def check_loads(path, expected):
    loaded = torch.load(path)
    assert list(loaded.keys()) == list(expected.keys()), path
    for k, v in expected.items():
        assert loaded[k].dtype == v.dtype and torch.equal(loaded[k], v), (path, k)


def write_safetensors(state, name):
    """The safetensors layout, by hand: u64 LE header length, JSON header, raw LE data; all F32."""
    header = collections.OrderedDict()
    chunks = []
    offset = 0
    for key, value in state.items():
        data = value.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for c in chunks:
            f.write(c)
    return path


class _OldStorage:
    def __init__(self, key, numel, data):
        self.key, self.numel, self.data = key, numel, data


class _OldStylePickler(pickle.Pickler):
    """Pickles tensors the way torch 0.3 did: torch._utils._rebuild_tensor (v1) over storages."""

    def __init__(self, f, storages):
        super().__init__(f, protocol=2)
        self.storages = storages

    def persistent_id(self, obj):
        if isinstance(obj, _OldStorage):
            return ("storage", torch.FloatStorage, obj.key, "cpu", obj.numel, None)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, torch.Tensor):
            t = obj.detach().contiguous()
            storage = _OldStorage(str(1000 + len(self.storages)), t.numel(), t.numpy().astype("<f4").tobytes())
            self.storages.append(storage)
            return torch._utils._rebuild_tensor, (storage, 0, tuple(t.size()), tuple(t.stride()))
        return NotImplemented


def save_old_style(state, name):
    """The legacy layout written by hand, as model-zoo files from 2017 have it: no num_batches_tracked,
    no _metadata attribute, tensors rebuilt with _rebuild_tensor."""
    old = collections.OrderedDict((k, v.float()) for k, v in state.items() if not k.endswith("num_batches_tracked"))
    buf = io.BytesIO()
    for header in (0x1950A86A20F9469CFC6C, 1001,
                   {"protocol_version": 1001, "little_endian": True,
                    "type_sizes": {"short": 2, "int": 4, "long": 8}}):
        pickle.dump(header, buf, protocol=2)
    storages = []
    _OldStylePickler(buf, storages).dump(old)
    pickle.dump([s.key for s in storages], buf, protocol=2)
    for s in storages:
        buf.write(struct.pack("<q", s.numel))
        buf.write(s.data)
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    check_loads(path, old)
    return path


class _Evil:
    """Pickles as a call to a dangerous global; the fixture is only written, never loaded."""

    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return self.func, (self.arg,)


def write_malicious(name, func, arg, legacy):
    state = collections.OrderedDict([("features.0.weight", torch.zeros(2)), ("payload", _Evil(func, arg))])
    path = save(state, name, legacy=legacy)
    try:
        torch.load(path, weights_only=True)
    except pickle.UnpicklingError:
        pass
    else:
        raise AssertionError("torch's weights_only loader accepted " + path)


def main():
    if not os.path.isdir("nn"):
        sys.exit("run from the repository root")
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    gw = GoldWriter()
    torch.manual_seed(2024)
    x = torch.randn(2, 3, 64, 64)
    gw.add("input", x)

    for name in NARROW:
        model = build_narrow(name)
        state = model.state_dict()
        gw.add(name + ".logits", logits(model, x))
        check_loads(save(state, name + ".zip.pth"), state)
        check_loads(save(state, name + ".legacy.pth", legacy=True), state)
        write_safetensors(state, name + ".safetensors")

    # DataParallel's 'module.' prefix.
    model = build_narrow("vgg13_narrow")
    wrapped = nn.DataParallel(model).state_dict()
    assert next(iter(wrapped)).startswith("module.")
    check_loads(save(wrapped, "vgg13_narrow_module_prefix.zip.pth"), wrapped)

    # A 2017-style model-zoo file: legacy layout, _rebuild_tensor, no num_batches_tracked.
    save_old_style(build_narrow("vgg11bn_narrow").state_dict(), "vgg11bn_narrow_oldstyle.legacy.pth")

    # Mixed dtypes: weights rounded to what float16/bfloat16 hold, so the conversion is exact and the
    # logits of the rounded float32 model are the reference.
    model = build_narrow("vgg13_narrow")
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
        model.classifier[0].weight.copy_(model.classifier[0].weight.bfloat16().float())
    gw.add("vgg13_narrow_mixed.logits", logits(model, x))
    mixed = collections.OrderedDict()
    for k, v in model.state_dict().items():
        if k == "classifier.0.weight":
            v = v.bfloat16()
        elif k == "classifier.6.weight":
            v = v.double()
        elif k.endswith("weight"):
            v = v.half()
        mixed[k] = v
    check_loads(save(mixed, "vgg13_narrow_mixed_dtypes.zip.pth"), mixed)
    check_loads(save(mixed, "vgg13_narrow_mixed_dtypes.legacy.pth", legacy=True), mixed)

    # Every dtype the reader converts, and tensors that view one storage at offsets.
    base = torch.arange(12, dtype=torch.float32) * 0.5 - 2.0
    dtypes = collections.OrderedDict([
        ("f32", torch.tensor([[1.5, -2.25, 3.0], [0.0, 1e-3, -7.5]])),
        ("f64", torch.tensor([0.1, -1e10, 3.25], dtype=torch.float64)),
        ("f16", torch.tensor([0.5, -65504.0, 6.1035156e-05, 1.0009765625], dtype=torch.float16)),
        ("bf16", torch.tensor([1.0, -3.140625, 1e20], dtype=torch.bfloat16)),
        ("i64", torch.tensor([0, -5, 1 << 40], dtype=torch.int64)),
        ("i32", torch.tensor([[7], [-9]], dtype=torch.int32)),
        ("i16", torch.tensor([-300, 300], dtype=torch.int16)),
        ("i8", torch.tensor([-128, 127], dtype=torch.int8)),
        ("u8", torch.tensor([0, 255], dtype=torch.uint8)),
        ("bool", torch.tensor([True, False, True])),
        ("scalar_i64", torch.tensor(42, dtype=torch.int64)),
        ("view_a", base[2:6].view(2, 2)),
        ("view_b", base[7:]),
        ("view_c", base[0:1]),
        ("parameter", nn.Parameter(torch.tensor([[0.25, -4.0]]))),
    ])
    for k, v in dtypes.items():
        gw.add("dtypes." + k, v.detach().double())
    check_loads(save(dtypes, "dtypes.zip.pth"), dtypes)
    check_loads(save(dtypes, "dtypes.legacy.pth", legacy=True), dtypes)

    noncontig = collections.OrderedDict([("ok", torch.ones(2)), ("t", torch.arange(6.0).reshape(2, 3).t())])
    check_loads(save(noncontig, "noncontiguous.zip.pth"), noncontig)

    write_malicious("malicious_eval.zip.pth", builtins.eval, "print('pwned')", legacy=False)
    write_malicious("malicious_system.legacy.pth", os.system, "echo pwned", legacy=True)

    gw.write(os.path.join(OUT, "weights.gold"))

    # torchvision's own vgg19_bn: state-dict keys and shapes in order, and parameter counts.
    with open(os.path.join(OUT, "vgg19_bn_keys.txt"), "w") as f:
        for k, v in tv_vgg.vgg19_bn().state_dict().items():
            f.write("%s %s\n" % (k, list(v.shape)))
    cfg_keys = {"vgg11": "A", "vgg13": "B", "vgg16": "D", "vgg19": "E"}
    with open(os.path.join(OUT, "vgg_architectures.txt"), "w") as f:
        for arch in ("vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"):
            model = getattr(tv_vgg, arch)()
            n = sum(p.numel() for p in model.parameters())
            model.classifier[6] = nn.Linear(4096, 2)
            cfg = ",".join(str(v) for v in tv_vgg.cfgs[cfg_keys[arch.replace("_bn", "")]])
            f.write("%s %d %d %s\n" % (arch, n, sum(p.numel() for p in model.parameters()), cfg))

    total = 0
    for f in sorted(os.listdir(OUT)):
        size = os.path.getsize(os.path.join(OUT, f))
        total += size
        print("%-45s %8d" % (f, size))
    print("total %d bytes" % total)


if __name__ == "__main__":
    main()
