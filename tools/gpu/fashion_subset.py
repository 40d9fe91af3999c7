#!/usr/bin/python3
"""Writes the first N images per class of an IDX split as a small IDX dataset folder.

The GPU check carries Fashion-MNIST subsets (its machine reaches no package registry):
    fashion_subset.py SOURCE_DIR PREFIX N OUT_DIR
PREFIX is 'train' or 't10k'; OUT_DIR gets train-images-idx3-ubyte and train-labels-idx1-ubyte.
"""
import gzip
import os
import struct
import sys


def read(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        return f.read()


def main():
    source, prefix, per_class, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    images = read(os.path.join(source, prefix + '-images-idx3-ubyte.gz'))
    labels = read(os.path.join(source, prefix + '-labels-idx1-ubyte.gz'))
    _, count, rows, cols = struct.unpack('>IIII', images[:16])
    size = rows * cols
    taken, kept = {}, []
    for i in range(count):
        label = labels[8 + i]
        if taken.get(label, 0) < per_class:
            taken[label] = taken.get(label, 0) + 1
            kept.append(i)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'train-images-idx3-ubyte'), 'wb') as f:
        f.write(struct.pack('>IIII', 2051, len(kept), rows, cols))
        for i in kept:
            f.write(images[16 + i * size:16 + (i + 1) * size])
    with open(os.path.join(out, 'train-labels-idx1-ubyte'), 'wb') as f:
        f.write(struct.pack('>II', 2049, len(kept)))
        f.write(bytes(labels[8 + i] for i in kept))
    print('%s: %d images, %d classes' % (out, len(kept), len(taken)))


if __name__ == '__main__':
    main()
