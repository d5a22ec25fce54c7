#!/usr/bin/python3
"""Plots a legocryst training metrics CSV (one row per epoch; docs/training.md) to a PNG.

Every column whose name contains "loss" is drawn against epoch in the top panel; when the file has a rows_per_s
column, throughput is drawn below it. Non-finite values (nan, inf) are left as gaps.

    scripts/plot_metrics.py run/metrics.csv                  # writes run/metrics.png
    scripts/plot_metrics.py run/metrics.csv -o loss.png --log

Needs matplotlib (Debian: python3-matplotlib; scripts/install-deps.sh installs it). The shebang names Debian's
python3, which sees the Debian packages.
"""
import argparse
import csv
import math
import os
import sys


def read_metrics(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or not rows[0] or rows[0][0] != "epoch":
        sys.exit(f"plot_metrics: {path}: not a metrics CSV (the first column must be 'epoch')")
    header, columns = rows[0], {name: [] for name in rows[0]}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            sys.exit(f"plot_metrics: {path}:{number}: {len(row)} fields, the header has {len(header)}")
        for name, text in zip(header, row):
            try:
                columns[name].append(float(text))
            except ValueError:
                sys.exit(f"plot_metrics: {path}:{number}: '{text}' in column {name} is not a number")
    return header, columns


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="metrics CSV written by legocryst train")
    parser.add_argument("-o", "--output", help="PNG to write (default: the CSV's name with .png)")
    parser.add_argument("--log", action="store_true", help="logarithmic loss axis")
    args = parser.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("plot_metrics: matplotlib is missing (Debian: apt-get install python3-matplotlib)")

    header, columns = read_metrics(args.csv)
    losses = [name for name in header[1:] if "loss" in name]
    if not losses:
        sys.exit(f"plot_metrics: {args.csv}: no column with 'loss' in its name")
    throughput = "rows_per_s" in columns
    figure, axes = plt.subplots(2 if throughput else 1, 1, sharex=True, squeeze=False,
                                figsize=(7, 6.5 if throughput else 4.5))
    epochs = columns["epoch"]
    top = axes[0][0]
    for name in losses:
        values = [v if math.isfinite(v) else float("nan") for v in columns[name]]
        top.plot(epochs, values, marker="o" if len(epochs) <= 30 else None, markersize=3, label=name)
    if args.log:
        top.set_yscale("log")
    top.set_ylabel("loss")
    top.grid(True, alpha=0.3)
    top.legend()
    top.set_title(os.path.basename(args.csv))
    if throughput:
        bottom = axes[1][0]
        bottom.plot(epochs, columns["rows_per_s"], color="grey")
        bottom.set_ylabel("rows / s")
        bottom.grid(True, alpha=0.3)
    axes[-1][0].set_xlabel("epoch")
    figure.tight_layout()
    output = args.output or os.path.splitext(args.csv)[0] + ".png"
    figure.savefig(output, dpi=120)
    print(f"plot_metrics: wrote {output}")


if __name__ == "__main__":
    main()
