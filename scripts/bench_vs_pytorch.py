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

import torch
from transformers import GPT2Config, GPT2LMHeadModel

from bench_data import Batches, forgetlab_ms, ga_step_ms, save_random

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
out, params = save_random(model, "forgetlab-bench-")
batches = Batches(args.batch)
torch_ms = ga_step_ms(model, batches, args.steps)
mean_len = batches.mean_len()
ours_ms, text = forgetlab_ms(out, args.steps)
print(f"GPT-2 shape n_embd {args.embd}, {args.layers} layers, {args.heads} heads: {params / 1e6:.2f} M parameters; "
      f"GA step, batch {args.batch}, {mean_len:.1f} tokens a row on average, {torch.get_num_threads()} threads")
print(f"PyTorch {torch.__version__} eager: {torch_ms:.1f} ms/step")
print(f"ForgetLab (burn flex): {ours_ms:.1f} ms/step   ({text})")
print(f"ForgetLab's speed relative to PyTorch eager: {torch_ms / ours_ms:.2f}x")
