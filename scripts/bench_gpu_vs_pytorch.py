"""ForgetLab's training step on a GPU (burn's wgpu backend) against PyTorch's on the same GPU
(measured, never asserted). For a machine with an NVIDIA GPU (the `device` tool lends one to
some sessions); on a machine without one it says so and stops.

Makes a SmolLM-135M-shaped Llama with random weights (transformers: hidden 576, 30 layers,
9 heads with 3 key/value heads, SwiGLU width 1536, vocabulary 49,152, tied embeddings: 134.5 M
parameters), then times one gradient-ascent step — batch 16 of forget10's question/answer pairs
in the default model's tokenizer (its ids are a subset of the vocabulary), prompt masked, AdamW —
in PyTorch (CUDA, eager, f32) and in ForgetLab (`forgetlab --backend wgpu bench --train-only`,
built with `--features wgpu`), and prints both and their ratio (PyTorch's time / ForgetLab's:
above 1 means ForgetLab is faster).

    pip install torch transformers
    python3 scripts/bench_gpu_vs_pytorch.py [--steps 10 --batch 16]

docs/PERFORMANCE.md records what it printed, when a GPU was lent.
"""
import argparse
import pathlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from bench_data import TOKENIZER, Batches

root = pathlib.Path(__file__).resolve().parents[1]
ap = argparse.ArgumentParser()
ap.add_argument("--steps", type=int, default=10)
ap.add_argument("--batch", type=int, default=16)
args = ap.parse_args()
if not torch.cuda.is_available():
    sys.exit("no CUDA GPU here: this benchmark compares ForgetLab and PyTorch on the same GPU")

cfg = LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                  num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=2048,
                  rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True,
                  bos_token_id=0, eos_token_id=0)
torch.manual_seed(0)
model = LlamaForCausalLM(cfg)
params = sum(p.numel() for p in model.parameters())
out = pathlib.Path(tempfile.mkdtemp(prefix="forgetlab-gpu-bench-"))
model.save_pretrained(out, safe_serialization=True)
shutil.copy(TOKENIZER, out / "tokenizer.json")
model = model.cuda().train()

optim = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.0)
rng = random.Random(0)
batches = Batches(args.batch, device='cuda')


def step():
    ids, labels = batches.draw(rng)
    loss = -model(input_ids=ids, labels=labels).loss  # gradient ascent
    optim.zero_grad()
    loss.backward()
    optim.step()


for _ in range(3):
    step()  # warm-up: kernels, allocator
torch.cuda.synchronize()
start = time.perf_counter()
for _ in range(args.steps):
    step()
torch.cuda.synchronize()
torch_ms = (time.perf_counter() - start) * 1000 / args.steps

cmd = ["cargo", "run", "--release", "-q", "-p", "forgetlab", "--features", "wgpu", "--",
       "--backend", "wgpu", "bench", "--train-only", "--model", str(out), "--steps", str(args.steps)]
text = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
ours_ms = float(re.search(r"\): ([0-9.]+) ms", text).group(1))
shutil.rmtree(out, ignore_errors=True)
print(f"SmolLM-135M shape: {params / 1e6:.1f} M parameters; GA step, batch {args.batch}, "
      f"{torch.cuda.get_device_name()}")
print(f"PyTorch {torch.__version__} eager (CUDA, f32): {torch_ms:.1f} ms/step")
print(f"ForgetLab (burn wgpu): {ours_ms:.1f} ms/step   ({text.strip()})")
print(f"ForgetLab's speed relative to PyTorch on the same GPU: {torch_ms / ours_ms:.2f}x")
