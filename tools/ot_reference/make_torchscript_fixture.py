#!/usr/bin/python3
"""TorchScript fixtures for tests/core/ot/test_dataset_distance.cpp.

  /usr/bin/python3 tools/ot_reference/make_torchscript_fixture.py tests/data/ot

writes tiny_extractor.pt (1 x 8 x 8 grey images -> 4 features), wrong_rank.pt (outputs N x H x W)
and not_a_model.pt (plain bytes), and prints the features of the reference image the test
builds (pixel (y, x) = (y * 8 + x) * 4, scaled to [0, 1]) for pasting into the test.
"""
import os
import sys

import torch
from torch import nn


class TinyExtractor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        return self.pool(torch.relu(self.conv(x))).flatten(1)


class WrongRank(nn.Module):
    def forward(self, x):
        return x.mean(1)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/ot"
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = TinyExtractor().eval()
    torch.jit.script(model).save(os.path.join(out, "tiny_extractor.pt"))
    torch.jit.script(WrongRank()).save(os.path.join(out, "wrong_rank.pt"))
    with open(os.path.join(out, "not_a_model.pt"), "wb") as f:
        f.write(b"this is not a TorchScript archive\n")
    image = torch.tensor([[(y * 8 + x) * 4 for x in range(8)] for y in range(8)],
                         dtype=torch.float32).view(1, 1, 8, 8) / 255.0
    with torch.no_grad():
        features = model(image)
    print("features =", ", ".join(f"{v:.9g}" for v in features.view(-1).tolist()))


if __name__ == "__main__":
    main()
