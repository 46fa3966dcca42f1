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
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM

from bench_data import Batches, forgetlab_ms, ga_step_ms, save_random

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
out, params = save_random(model, "forgetlab-gpu-bench-")
model = model.cuda()
torch_ms = ga_step_ms(model, Batches(args.batch, device="cuda"), args.steps, warmup=3,
                      sync=torch.cuda.synchronize)
ours_ms, text = forgetlab_ms(out, args.steps, cargo=["--features", "wgpu"], cli=["--backend", "wgpu"])
print(f"SmolLM-135M shape: {params / 1e6:.1f} M parameters; GA step, batch {args.batch}, "
      f"{torch.cuda.get_device_name()}")
print(f"PyTorch {torch.__version__} eager (CUDA, f32): {torch_ms:.1f} ms/step")
print(f"ForgetLab (burn wgpu): {ours_ms:.1f} ms/step   ({text})")
print(f"ForgetLab's speed relative to PyTorch on the same GPU: {torch_ms / ours_ms:.2f}x")
