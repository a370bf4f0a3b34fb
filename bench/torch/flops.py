"""Forward multiply-adds per image of each reference model (bench/torch/models.py), counted by torch.profiler's FLOP
estimates (conv2d, addmm, mm, bmm, matmul) plus the LSTM cells, which it does not count. A training step costs about
three forwards (forward, input gradients, weight gradients): the benchmark turns that into the fastest a backend can
train at a given GEMM rate. Prints one JSON object per model.
Usage: /usr/bin/python3 bench/torch/flops.py [--size 64] [--models A,B]"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import EXPECTED, build  # noqa: E402


def lstm_macs(model, size):
    """Multiply-adds of every nn.LSTM in one image's forward: per step and direction 4H(I + H)."""
    total = 0
    tokens = (size // 16) ** 2
    for m in model.modules():
        if isinstance(m, torch.nn.LSTM):
            directions = 2 if m.bidirectional else 1
            total += tokens * directions * 4 * m.hidden_size * (m.input_size + m.hidden_size)
    return total


def forward_macs(name, size):
    torch.manual_seed(0)
    model = build(name, size).train()  # train(): eval may take fused attention paths the profiler does not count
    x = torch.randn(1, 1, size, size)
    with torch.no_grad(), torch.profiler.profile(with_flops=True) as prof:
        model(x)
    flops = sum(e.flops for e in prof.key_averages() if e.flops)
    return flops / 2 + lstm_macs(model, size)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--models", default=",".join(EXPECTED))
    a = ap.parse_args()
    torch.set_num_threads(1)
    for name in a.models.split(","):
        print(json.dumps({"model": name, "size": a.size, "forward_macs_per_image": int(forward_macs(name, a.size))}), flush=True)


if __name__ == "__main__":
    main()
