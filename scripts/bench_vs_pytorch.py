"""ForgetLab's training step against PyTorch eager's on the same CPU (measured, never asserted).

Makes a GPT-2-shaped model with random weights (transformers, the default model's tokenizer;
about 10 M parameters by default), then times one gradient-ascent step — batch 16 of forget10's
question/answer pairs, prompt masked, AdamW — in PyTorch eager and in ForgetLab
(`forgetlab bench --train-only --model DIR`, burn's CPU backend), and prints both and their ratio
(PyTorch's time / ForgetLab's: above 1 means ForgetLab is faster). Needs torch and transformers
(not part of the test command):

    python3 -m venv /tmp/golden-venv && /tmp/golden-venv/bin/pip install torch transformers
    /tmp/golden-venv/bin/python scripts/bench_vs_pytorch.py [--embd 320 --layers 8 --heads 5]

docs/PERFORMANCE.md records what it printed.
"""
import argparse
import pathlib
import random
import re
import shutil
import subprocess
import tempfile
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel

from bench_data import TOKENIZER, Batches

root = pathlib.Path(__file__).resolve().parents[1]
ap = argparse.ArgumentParser()
ap.add_argument("--embd", type=int, default=320)
ap.add_argument("--layers", type=int, default=8)
ap.add_argument("--heads", type=int, default=5)
ap.add_argument("--steps", type=int, default=10)
ap.add_argument("--batch", type=int, default=16)
args = ap.parse_args()

cfg = GPT2Config(vocab_size=1024, n_positions=64, n_embd=args.embd, n_layer=args.layers,
                 n_head=args.heads, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                 bos_token_id=0, eos_token_id=0)
torch.manual_seed(0)
model = GPT2LMHeadModel(cfg)
params = sum(p.numel() for p in model.parameters())
out = pathlib.Path(tempfile.mkdtemp(prefix="forgetlab-bench-"))
model.save_pretrained(out, safe_serialization=True)
shutil.copy(TOKENIZER, out / "tokenizer.json")

model.train()
optim = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.0)
rng = random.Random(0)
batches = Batches(args.batch)


def step():
    ids, labels = batches.draw(rng)
    loss = -model(input_ids=ids, labels=labels).loss  # gradient ascent
    optim.zero_grad()
    loss.backward()
    optim.step()


step()  # warm-up
start = time.perf_counter()
for _ in range(args.steps):
    step()
torch_ms = (time.perf_counter() - start) * 1000 / args.steps
mean_len = batches.mean_len()

cmd = ["cargo", "run", "--release", "-q", "-p", "forgetlab", "--", "bench", "--train-only",
       "--model", str(out), "--steps", str(args.steps)]
text = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
ours_ms = float(re.search(r"\): ([0-9.]+) ms", text).group(1))
shutil.rmtree(out, ignore_errors=True)
print(f"GPT-2 shape n_embd {args.embd}, {args.layers} layers, {args.heads} heads: {params / 1e6:.2f} M parameters; "
      f"GA step, batch {args.batch}, {mean_len:.1f} tokens a row on average, {torch.get_num_threads()} threads")
print(f"PyTorch {torch.__version__} eager: {torch_ms:.1f} ms/step")
print(f"ForgetLab (burn flex): {ours_ms:.1f} ms/step   ({text.strip()})")
print(f"ForgetLab's speed relative to PyTorch eager: {torch_ms / ours_ms:.2f}x")
