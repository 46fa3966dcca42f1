"""What the PyTorch benchmarks share (bench_vs_pytorch.py, bench_gpu_vs_pytorch.py): the batches
they train on, as ForgetLab's GA step makes them (forget10's pairs, "Question: q\\nAnswer:" then
" a" and EOS, loss on the answer tokens only, rows right-padded to the batch's longest), the
timed PyTorch step, and ForgetLab's time for the same step.
"""
import json
import os
import pathlib
import random
import re
import shutil
import subprocess
import tempfile
import time

import torch
from transformers import PreTrainedTokenizerFast

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOKENIZER = ROOT / "public" / "models" / "forgetlab-small" / "tokenizer.json"
EOS = 0


class Batches:
    def __init__(self, batch, device="cpu"):
        self.tok = PreTrainedTokenizerFast(tokenizer_file=str(TOKENIZER))
        self.items = json.loads((ROOT / "public" / "data" / "forget10.json").read_text())
        self.batch, self.device = batch, device

    def row(self, it):
        prompt = self.tok.encode(f"Question: {it['question']}\nAnswer:")
        answer = self.tok.encode(f" {it['answer']}") + [EOS]
        return prompt + answer, [-100] * len(prompt) + answer

    def draw(self, rng):
        rows = [self.row(it) for it in rng.sample(self.items, self.batch)]
        width = max(len(ids) for ids, _ in rows)
        ids = torch.tensor([r + [EOS] * (width - len(r)) for r, _ in rows])
        labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in rows])
        return ids.to(self.device), labels.to(self.device)

    def mean_len(self):
        return sum(len(self.row(it)[0]) for it in self.items) / len(self.items)


def save_random(model, prefix):
    """`model` (random weights) as a Hugging Face folder with the default tokenizer: its path and
    parameter count."""
    out = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    model.save_pretrained(out, safe_serialization=True)
    shutil.copy(TOKENIZER, out / "tokenizer.json")
    return out, sum(p.numel() for p in model.parameters())


def ga_step_ms(model, batches, steps, warmup=1, sync=lambda: None):
    """PyTorch's time for one gradient-ascent step (AdamW, lr 1e-5), in ms, after `warmup`."""
    model.train()
    optim = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.0)
    rng = random.Random(0)

    def step():
        ids, labels = batches.draw(rng)
        loss = -model(input_ids=ids, labels=labels).loss  # gradient ascent
        optim.zero_grad()
        loss.backward()
        optim.step()

    for _ in range(warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    return (time.perf_counter() - start) * 1000 / steps


def forgetlab_ms(out, steps, cargo=(), cli=()):
    """ForgetLab's time for the same step (`forgetlab bench --train-only`), in ms, and its line.
    FORGETLAB_BIN=path runs that binary instead of `cargo run` (another commit's build, side by
    side with this one's in the same session)."""
    binary = os.environ.get("FORGETLAB_BIN")
    head = [binary] if binary else ["cargo", "run", "--release", "-q", "-p", "forgetlab", *cargo, "--"]
    cmd = [*head, *cli, "bench", "--train-only", "--model", str(out), "--steps", str(steps)]
    text = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    shutil.rmtree(out, ignore_errors=True)
    return float(re.search(r"\): ([0-9.]+) ms", text).group(1)), text.strip()
