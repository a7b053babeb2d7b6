"""Golden fixture for the data-set layouts and the seeded split (nn/src/test/resources/golden/datasets.json).

imagefolder: trees described by their files, folders and links; the expected classes and samples are
what torchvision.datasets.ImageFolder itself makes of each tree (for a split tree, of each of its
train/, val/ and test/ folders). Only file names and links matter to ImageFolder's numbering, so the
image files are written here as empty placeholders; the Java test writes small PNGs instead.

split: a Python reference of StratifiedSplit's algorithm as its class comment defines it (SplitMix64,
Fisher-Yates, a stable largest-first sort, each group to the split furthest below its aims), for a
few data sets.

Run from the repository root with Debian's interpreter and its python3-torchvision (0.14):
    /usr/bin/python3 scripts/golden/make_dataset_fixtures.py
"""
import json
import os
import tempfile

OUT = os.path.join("nn", "src", "test", "resources", "golden", "datasets.json")


PLAIN = {
    "name": "plain",
    "root": "root",
    "files": [
        "root/.hidden/.h.png",
        "root/B/only.jpg",
        "root/Z9/x.bmp",
        "root/_u/1.PNG",
        "root/a/1.png", "root/a/10.png", "root/a/2.png", "root/a/X.PNG", "root/a/y.JpEg", "root/a/z.bmp",
        "root/a/.hidden.png", "root/a/notes.txt", "root/a/README", "root/a/\uff21.png", "root/a/\U0001f600.png",
        "root/a/sp ace, 80%.png", "root/a/d/1.png", "root/a/d e/1.png", "root/a/d-e/1.png", "root/a/d.e/1.png",
        "root/a/d/e/1.png", "root/a/d/e/f/1.png", "root/a/dE/1.png", "root/a/d/e/f/.png",
        "outside/linked/k.png", "outside/linked/sub/m.png", "outside/single.png", "outside/lc/c.png",
        "root/with space/w s.png",
        "root/z10/1.jpeg",
        "root/\u00e9/e.png", "root/\u00c4/a.png", "root/\uff21/f.png", "root/\U0001f600/s.png",
        "root/stray.png", "root/notes.txt",
    ],
    "dirs": ["root/a/empty"],
    "links": [
        ["root/a/lnk", "../../outside/linked"],
        ["root/a/flink.png", "../../outside/single.png"],
        ["root/linked_class", "../outside/lc"],
    ],
}

SPLIT = {
    "name": "split",
    "root": "root",
    "files": [
        "root/train/cat/1.png", "root/train/cat/sub/2.png", "root/train/dog/3.jpg", "root/train/dog/3b.jpg",
        "root/val/cat/4.png", "root/val/dog/5.png",
        "root/test/cat/6.bmp", "root/test/dog/7.png", "root/test/dog/x/8.png",
        "root/stray.txt",
    ],
    "dirs": [],
    "links": [],
}


def build(tree, base):
    for f in tree["files"]:
        path = os.path.join(base, f)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").close()
    for d in tree["dirs"]:
        os.makedirs(os.path.join(base, d), exist_ok=True)
    for link, target in tree["links"]:
        os.symlink(target, os.path.join(base, link))


def image_folder(ImageFolder, directory, relative_to):
    ds = ImageFolder(directory)
    samples = [[os.path.relpath(p, relative_to).replace(os.sep, "/"), i] for p, i in ds.samples]
    return {"classes": ds.classes, "samples": samples}


def imagefolder_cases():
    import torchvision
    from torchvision.datasets import ImageFolder
    from torchvision.datasets.folder import IMG_EXTENSIONS
    cases = []
    for tree in (PLAIN, SPLIT):
        with tempfile.TemporaryDirectory() as base:
            build(tree, base)
            root = os.path.join(base, tree["root"])
            case = dict(tree)
            if tree is SPLIT:
                case["expected"] = {s: image_folder(ImageFolder, os.path.join(root, s), root)
                                    for s in ("train", "val", "test")}
            else:
                case["expected"] = image_folder(ImageFolder, root, root)
            cases.append(case)
    return torchvision.__version__, list(IMG_EXTENSIONS), cases


MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


SPLITS = ["train", "val", "test"]


def reference_split(labels, groups, given, classes, fractions, seed):
    """The split of each file: given[i] where the pool leaves it, else the one the algorithm chooses."""
    unsplit = given is None
    if unsplit:
        targets = list(SPLITS)
        in_pool = [True] * len(labels)
    else:
        present = set(given)
        targets = ["train"] + [s for s in ("val", "test") if s not in present]
        in_pool = [s == "train" for s in given]
    total = 0.0
    for s in targets:
        total += fractions[SPLITS.index(s)]
    shares = [fractions[SPLITS.index(s)] / total for s in targets]

    keys, members = [], {}
    for i, (label, group) in enumerate(zip(labels, groups)):
        if not in_pool[i]:
            continue
        key = ("g", group) if group is not None else ("i", i)
        if key not in members:
            keys.append(key)
            members[key] = []
        members[key].append(i)
    per_class = {k: [sum(1 for i in members[k] if labels[i] == c) for c in range(classes)] for k in keys}

    order = list(range(len(keys)))
    rng = SplitMix64(seed)
    for i in range(len(order) - 1, 0, -1):
        j = rng.next() % (i + 1)
        order[i], order[j] = order[j], order[i]
    order.sort(key=lambda g: -len(members[keys[g]]))

    n = [0.0] * classes
    for k in keys:
        for c in range(classes):
            n[c] += per_class[k][c]
    aim = [[shares[s] * n[c] for c in range(classes)] for s in range(len(targets))]
    have = [[0.0] * classes for _ in targets]
    result = list(given) if given is not None else [None] * len(labels)
    for g in order:
        counts = per_class[keys[g]]
        best, best_cost = 0, float("inf")
        for s in range(len(targets)):
            cost = 0.0
            for c in range(classes):
                cost += counts[c] * (have[s][c] - aim[s][c])
            if cost < best_cost:
                best, best_cost = s, cost
        for c in range(classes):
            have[best][c] += counts[c]
        for i in members[keys[g]]:
            result[i] = targets[best]
    return result


COVID_CT = [425 / 746, 118 / 746, 203 / 746]


def split_cases():
    cases = []

    def add(name, classes, labels, groups, given, fractions, seed):
        cases.append({
            "name": name, "classes": classes, "labels": labels, "groups": groups, "given": given,
            "fractions": fractions, "seed": seed,
            "expected": reference_split(labels, groups, given, classes, fractions, seed),
        })

    labels = [0] * 37 + [1] * 23
    add("two_classes_covid_ct", 2, labels, [None] * 60, None, COVID_CT, 7)
    labels = [0] * 13 + [1] * 5 + [2] * 2
    add("three_classes", 3, labels, [None] * 20, None, [0.6, 0.2, 0.2], 12345)
    # Patients with 1..6 slices each; a few patients have slices of both classes.
    labels, groups = [], []
    for p in range(18):
        size = 1 + (p * 5) % 6
        for k in range(size):
            labels.append(1 if p % 3 == 0 or (p % 5 == 0 and k % 2 == 0) else 0)
            groups.append("patient %d" % p)
    for k in range(7):
        labels.append(k % 2)
        groups.append(None)
    add("grouped_mixed", 2, labels, groups, None, COVID_CT, -3)
    labels = [i % 2 for i in range(40)]
    given = ["train"] * 30 + ["test"] * 10
    add("carve_val_from_train", 2, labels, [None] * 40, given, COVID_CT, 9007199254740993)
    return cases


def main():
    version, extensions, folders = imagefolder_cases()
    fixture = {
        "torchvision": version,
        "img_extensions": extensions,
        "imagefolder": folders,
        "split": split_cases(),
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(fixture, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
