#!/usr/bin/python3
"""Reference side of bench/ingest.ts: the original project's ingest with pydicom + numpy, one core.

    /usr/bin/python3 bench/ingest_pydicom.py DIR

For every file under DIR (sorted, recursively): dcmread, pixel_array, RescaleSlope/RescaleIntercept applied as the
original did (float64), then per frame threshold = np.percentile(x, 5) and ratio = (x <= threshold).mean().
Prints one JSON object: {"pydicom", "numpy", "slices", "files", "failed", "seconds", "ratios": {"rel/path#frame": ratio}}.
`seconds` is the wall clock of the loop only (interpreter start-up and imports excluded, as the Node side excludes
module loading); files pydicom cannot read are counted in `failed` and left out of `ratios`.
"""
import json
import os
import sys
import time
import warnings

import numpy as np
import pydicom

warnings.simplefilter('ignore')


def main(root):
    paths = []
    for d, _, names in os.walk(root):
        paths.extend(os.path.join(d, n) for n in names)
    paths.sort()
    ratios = {}
    failed = 0
    slices = 0
    t0 = time.perf_counter()
    for path in paths:
        try:
            ds = pydicom.dcmread(path)
            x = ds.pixel_array
        except Exception:  # not DICOM, or pixels pydicom cannot decode: counted, not timed apart
            failed += 1
            continue
        slope = float(getattr(ds, 'RescaleSlope', 1) or 1)
        intercept = float(getattr(ds, 'RescaleIntercept', 0) or 0)
        x = x * slope + intercept
        frames = int(getattr(ds, 'NumberOfFrames', 1) or 1)
        x = x.reshape(frames, int(ds.Rows), int(ds.Columns))
        rel = os.path.relpath(path, root)
        for f in range(frames):
            t = np.percentile(x[f], 5)
            ratios['%s#%d' % (rel, f)] = float((x[f] <= t).mean())
            slices += 1
    seconds = time.perf_counter() - t0
    json.dump({'pydicom': pydicom.__version__, 'numpy': np.__version__, 'slices': slices, 'files': len(paths),
               'failed': failed, 'seconds': seconds, 'ratios': ratios}, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: ingest_pydicom.py DIR')
    main(sys.argv[1])
