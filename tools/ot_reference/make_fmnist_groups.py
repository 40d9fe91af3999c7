#!/usr/bin/python3
"""Fashion-MNIST class-group datasets for trying `supernet distance` on real images.

  /usr/bin/python3 tools/ot_reference/make_fmnist_groups.py OUT_DIR [PER_CLASS]

Reads /usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist) and writes IDX folders
(train-* files only: each folder is one whole dataset; original labels, so the loader names the
classes) under OUT_DIR:
  fashion-tops        T-shirt/top, Pullover, Coat, Shirt   (train file)
  fashion-tops-test   the same classes from the t10k file  (other images, same distribution)
  fashion-shoes       Sandal, Sneaker, Ankle boot          (train file)
  fashion-rest        Trouser, Dress, Bag                  (train file)
  fashion-shoes-inv   fashion-shoes with inverted pixels (255 - x)
PER_CLASS (default: all) caps the images per class, taking the first ones in file order.
"""
import gzip
import os
import struct
import sys

import numpy as np

SRC = "/usr/share/datasets/fashion-mnist"


def read(kind, part):
    name = f"{part}-{kind}-idx{3 if kind == 'images' else 1}-ubyte.gz"
    with gzip.open(os.path.join(SRC, name), "rb") as f:
        data = f.read()
    if kind == "images":
        _, n, h, w = struct.unpack(">IIII", data[:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, h, w)
    _, n = struct.unpack(">II", data[:8])
    return np.frombuffer(data, np.uint8, offset=8)


def write(folder, images, labels):
    os.makedirs(folder, exist_ok=True)
    n, h, w = images.shape
    with open(os.path.join(folder, "train-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, h, w))
        f.write(images.astype(np.uint8).tobytes())
    with open(os.path.join(folder, "train-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, n))
        f.write(labels.astype(np.uint8).tobytes())
    print(f"{folder}: {n} images, classes {sorted(set(labels.tolist()))}")


def subset(images, labels, classes, per_class):
    keep = np.zeros(len(labels), bool)
    for c in classes:
        idx = np.flatnonzero(labels == c)
        keep[idx[:per_class] if per_class else idx] = True
    return images[keep], labels[keep]


def main():
    out = sys.argv[1]
    per_class = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    train = read("images", "train"), read("labels", "train")
    test = read("images", "t10k"), read("labels", "t10k")
    tops, shoes, rest = [0, 2, 4, 6], [5, 7, 9], [1, 3, 8]
    write(os.path.join(out, "fashion-tops"), *subset(*train, tops, per_class))
    write(os.path.join(out, "fashion-tops-test"), *subset(*test, tops, per_class))
    write(os.path.join(out, "fashion-shoes"), *subset(*train, shoes, per_class))
    write(os.path.join(out, "fashion-rest"), *subset(*train, rest, per_class))
    x, y = subset(*train, shoes, per_class)
    write(os.path.join(out, "fashion-shoes-inv"), 255 - x, y)


if __name__ == "__main__":
    main()
