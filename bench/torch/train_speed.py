"""Training throughput of the PyTorch reference: images/s per model at 64x64, batch 32, 2 CPU threads,
Adam (lr 1e-4, weight decay 1e-5), BCE with logits. Prints one JSON object per model and a summary.
Usage: /usr/bin/python3 bench/torch/train_speed.py [--size 64] [--batch 32] [--threads 2] [--steps 5] [--models A,B]"""
import argparse
import json
import resource
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import EXPECTED, build  # noqa: E402


def measure(name, size, batch, steps, warmup):
    torch.manual_seed(0)
    model = build(name, size).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-5)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    x = torch.randn(batch, 1, size, size)
    y = (torch.rand(batch, 4) > 0.5).float()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    secs = time.perf_counter() - t
    return {"model": name, "size": size, "batch": batch, "threads": torch.get_num_threads(), "steps": steps,
            "seconds": round(secs, 3), "images_per_s": round(steps * batch / secs, 2), "torch": torch.__version__}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--models", default=",".join(EXPECTED))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rows = [measure(m, a.size, a.batch, a.steps, a.warmup) for m in a.models.split(",")]
    # peak resident memory of this process (Linux: KiB), for the 224×224 table
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for r in rows:
        r["peak_rss_bytes"] = peak
        print(json.dumps(r), flush=True)
    print(json.dumps({"summary": {r["model"]: r["images_per_s"] for r in rows}}))


if __name__ == "__main__":
    main()
