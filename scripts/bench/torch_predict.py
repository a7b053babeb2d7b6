#!/usr/bin/python3
"""PyTorch's side of `covidct.jar predict --weights CK IMAGE...`: the checkpoint's torchvision model
(torch_checkpoint.py: mobilenet_v2, or a VGG with classifier[6] = Linear(4096, 2), loaded from our
safetensors file and described by its __metadata__), our val/test transform on each image read by PIL
as RGB, batches of --batch-size images under torch.no_grad(), and the same CSV on stdout,
`path,covid_probability,prediction`: the softmax probability of the checkpoint's positive class to 8
decimals and the argmax's class name (ties to the first class, as ours), each batch printed as it is
done. Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-torchvision, python3-pil):

    /usr/bin/python3 scripts/bench/torch_predict.py --weights CK.safetensors [--threads T] [--batch-size 8] IMAGE...

Unlike ours it keeps batch norm as it is in eval mode (ours folds it into the convolutions) and reads
the images one after another in the one process (ours decodes them on worker threads while the
network runs).
"""
import argparse
import csv
import os
import sys

import torch
from PIL import Image

from torch_checkpoint import Checkpoint


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    checkpoint = Checkpoint(a.weights)
    model = checkpoint.model()
    transform = checkpoint.transform()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["path", "covid_probability", "prediction"])
    sys.stdout.flush()
    with torch.no_grad():
        for first in range(0, len(a.images), a.batch_size):
            paths = a.images[first:first + a.batch_size]
            batch = torch.stack([transform(Image.open(p).convert("RGB")) for p in paths])
            logits = model(batch)
            probabilities = torch.softmax(logits, dim=1)[:, checkpoint.positive].tolist()
            for path, probability, predicted in zip(paths, probabilities, logits.argmax(dim=1).tolist()):
                out.writerow([path, "%.8f" % probability, checkpoint.class_names[predicted]])
            sys.stdout.flush()


if __name__ == "__main__":
    main()
