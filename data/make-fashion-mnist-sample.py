#!/usr/bin/env python3
"""Makes data/fashion-mnist-sample/ from the Debian package dataset-fashion-mnist.

Takes, in file order, the first 500 images of each class from the training set and the first
100 of each class from the test set (5000 + 1000 images, balanced), and writes them as gzipped
IDX files with the package's file names, so the same reader loads the sample and the full set.
Deterministic: the same package files give the same bytes (gzip level 9, no name, mtime 0).
Reads only the package's files; needs only the Python standard library.

    python3 data/make-fashion-mnist-sample.py [SOURCE_DIR] [OUTPUT_DIR]
"""
import gzip
import os
import struct
import sys

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
OUTPUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "fashion-mnist-sample")
PER_CLASS = {"train": 500, "t10k": 100}
CLASSES = 10


def read_idx(name, magic):
    with gzip.open(os.path.join(SOURCE, name), "rb") as f:
        data = f.read()
    if struct.unpack(">I", data[:4])[0] != magic:
        sys.exit(f"{name}: unexpected IDX magic")
    return data


def write_gz(name, data):
    with open(os.path.join(OUTPUT, name), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as f:
            f.write(data)


def main():
    os.makedirs(OUTPUT, exist_ok=True)
    for split, per_class in PER_CLASS.items():
        images = read_idx(f"{split}-images-idx3-ubyte.gz", 0x803)
        labels = read_idx(f"{split}-labels-idx1-ubyte.gz", 0x801)
        n, rows, cols = struct.unpack(">III", images[4:16])
        size = rows * cols
        counts = [0] * CLASSES
        chosen = []
        for i in range(n):
            label = labels[8 + i]
            if counts[label] < per_class:
                counts[label] += 1
                chosen.append(i)
        if counts != [per_class] * CLASSES:
            sys.exit(f"{split}: not enough images per class: {counts}")
        write_gz(f"{split}-images-idx3-ubyte.gz",
                 struct.pack(">IIII", 0x803, len(chosen), rows, cols)
                 + b"".join(images[16 + size * i:16 + size * (i + 1)] for i in chosen))
        write_gz(f"{split}-labels-idx1-ubyte.gz",
                 struct.pack(">II", 0x801, len(chosen)) + bytes(labels[8 + i] for i in chosen))
        print(f"{split}: {len(chosen)} images, {per_class} per class, from the first {chosen[-1] + 1}")


if __name__ == "__main__":
    main()
