#!/usr/bin/python3
"""A TensorBoard log directory as torch.utils.tensorboard.SummaryWriter writes it for the tutorial's
logging (add_scalars("Losses", ...) and add_scalars("Accuracies", ...) once per epoch), for
covidct's event-file tests.

Debian has no tensorboard package, so torch's SummaryWriter cannot run here. This script follows
its code (torch/utils/tensorboard/writer.py: one FileWriter for the log directory, one per
"<main_tag with / as _>_<key>" folder, tag = main_tag, simple_value summaries) and
tensorboard's record writer, encoding the Event protobuf with Google's protobuf library from a
descriptor of the fields used (event.proto, summary.proto) and framing records with its own CRC32C.
Needs python3-protobuf (apt-get install python3-protobuf). Run from the repository root:
    /usr/bin/python3 scripts/metrics/make_tfevents_fixture.py
Writes covidct/src/test/resources/metrics/tfevents/: the log directory tutorial_run/ and
tutorial_run.json (the clock, host and scalars, for the Java test to replay).
"""
import json
import os
import shutil
import struct

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

OUT = os.path.join("covidct", "src", "test", "resources", "metrics", "tfevents")
HOST = "fixture-host"
CLOCK = 1585000000.25  # every time.time() call of the writers: file names and file_version events
F = descriptor_pb2.FieldDescriptorProto


def event_class():
    fdp = descriptor_pb2.FileDescriptorProto(name="covidct_event_subset.proto", package="tensorflow",
                                             syntax="proto3")
    summary = fdp.message_type.add(name="Summary")
    value = summary.nested_type.add(name="Value")
    value.oneof_decl.add(name="value")
    value.field.add(name="tag", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    value.field.add(name="simple_value", number=2, type=F.TYPE_FLOAT, label=F.LABEL_OPTIONAL, oneof_index=0)
    summary.field.add(name="value", number=1, type=F.TYPE_MESSAGE, label=F.LABEL_REPEATED,
                      type_name=".tensorflow.Summary.Value")
    event = fdp.message_type.add(name="Event")
    event.oneof_decl.add(name="what")
    event.field.add(name="wall_time", number=1, type=F.TYPE_DOUBLE, label=F.LABEL_OPTIONAL)
    event.field.add(name="step", number=2, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    event.field.add(name="file_version", number=3, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL, oneof_index=0)
    event.field.add(name="summary", number=5, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL,
                    type_name=".tensorflow.Summary", oneof_index=0)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("tensorflow.Event"))


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc32c(data):
    x = crc32c(data)
    return (((x >> 15) | (x << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data):
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


class FileWriter:
    """tensorboard's EventFileWriter: the file_version event first, then one record per event."""

    def __init__(self, Event, logdir):
        os.makedirs(logdir, exist_ok=True)
        self.Event = Event
        self.path = os.path.join(logdir, "events.out.tfevents.%010d.%s" % (CLOCK, HOST))
        self.records = [record(Event(wall_time=CLOCK, file_version="brain.Event:2").SerializeToString())]

    def add_summary(self, tag, value, step, walltime):
        e = self.Event(wall_time=walltime, step=step)
        v = e.summary.value.add()
        v.tag = tag
        v.simple_value = float(value)
        self.records.append(record(e.SerializeToString()))

    def close(self):
        with open(self.path, "wb") as f:
            f.write(b"".join(self.records))


def main():
    assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    Event = event_class()
    root = os.path.join(OUT, "tutorial_run")
    shutil.rmtree(root, ignore_errors=True)
    writers = {"": FileWriter(Event, root)}

    def add_scalars(main_tag, tag_scalar_dict, step, walltime):
        # torch's add_scalars, folder naming and tag as in writer.py
        for tag, value in tag_scalar_dict.items():
            fw_tag = main_tag.replace("/", "_") + "_" + tag
            if fw_tag not in writers:
                writers[fw_tag] = FileWriter(Event, os.path.join(root, fw_tag))
            writers[fw_tag].add_summary(main_tag, value, step, walltime)

    # The tutorial's per-epoch logging, with plausible numbers (train on 425 images in 54 batches).
    epochs = []
    for epoch, (train_loss_sum, val_loss, train_correct, val_accuracy) in enumerate(
            [(38.31251, 0.6124398708343506, 262, 0.6779661016949152),
             (29.80407, 0.5210928916931152, 318, 0.7288135593220338),
             (24.11873, 0.0, 345, 0.7457627118644068)]):
        walltime = CLOCK + 95.5 * (epoch + 1)
        losses = {"Train loss": train_loss_sum / 54, "Validation_loss": val_loss}
        accuracies = {"Train Accuracy": 100.0 * train_correct / 425, "Valid Accuracy": 100.0 * val_accuracy}
        add_scalars("Losses", losses, epoch, walltime)
        add_scalars("Accuracies", accuracies, epoch, walltime)
        epochs.append({"step": epoch, "walltime": walltime, "Losses": losses, "Accuracies": accuracies})
    for w in writers.values():
        w.close()

    with open(os.path.join(OUT, "tutorial_run.json"), "w") as f:
        json.dump({"clock": CLOCK, "host": HOST, "epochs": epochs,
                   "files": sorted(os.path.relpath(w.path, root) for w in writers.values())}, f, indent=1)
        f.write("\n")
    print("wrote", len(writers), "event files under", root)


if __name__ == "__main__":
    main()
