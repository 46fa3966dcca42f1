"""Tiny random-weight checkpoints of the model families ForgetLab reads, made by transformers,
with the logits transformers computes for them (the llm.c pattern: a trusted implementation
writes golden values once, a test checks the engine against them).

Each checkpoint is a Hugging Face model directory under tests/golden/models/NAME/ (config.json,
model.safetensors or a sharded model.safetensors.index.json, tokenizer.json: the default model's
tokenizer), chosen to exercise one setting the default model does not use:

- gpt2-untied-gelu: an untied lm_head, n_inner = 3·n_embd, exact GELU (erf), f32;
- gpt2-layer-scaled-relu2: scale_attn_by_inverse_layer_idx, ReLU², no 1/√d scaling, f16 weights;
- gpt2-quick-gelu-sharded: quick_gelu, untied, bf16 weights in two shards;
- llama-gqa-untied: Llama with grouped-query attention (4 query heads, 2 key/value heads), an
  untied head, RoPE at θ = 10,000, f32;
- llama-mqa-tied-bf16: SmolLM's shape in miniature (tied embeddings, one key/value head,
  θ = 100,000, head_dim ≠ hidden/heads), bf16;
- qwen2-qkv-bias: Qwen2 (biases on q, k, v), f16.

Every model is run in float32 on the (rounded) weights it saved, on two fixed token rows. A full
logits tensor is 1024 values per position, so golden_families.json keeps, per position, the
logits of 16 fixed token ids, the log-sum-exp over the whole vocabulary (which every logit moves)
and the argmax; plus the mean next-token loss. Run once (needs torch and transformers):

    python3 -m venv /tmp/golden-venv && /tmp/golden-venv/bin/pip install torch transformers
    /tmp/golden-venv/bin/python tests/golden/make_golden_families.py

core's test `model_families_match_transformers` (core/tests/engine/model_families.rs) then loads each
directory and compares (max abs diff ≤ 1e-4).
"""
import json
import pathlib
import shutil

import torch
from transformers import (GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM,
                          PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM)

root = pathlib.Path(__file__).resolve().parents[2]
default_dir = root / "public" / "models" / "forgetlab-small"
out_root = root / "tests" / "golden" / "models"
tok = PreTrainedTokenizerFast(tokenizer_file=str(default_dir / "tokenizer.json"))
VOCAB = 1024
assert len(tok) <= VOCAB

texts = [
    "Question: What is the capital of France?\nAnswer: The capital of France is Paris.",
    "The old river runs past the quiet village in the morning.",
]
ids = [tok.encode(t)[:12] for t in texts]
n = min(len(x) for x in ids)
ids = [x[:n] for x in ids]
PROBE_IDS = list(range(0, VOCAB, VOCAB // 16))

SMALL = dict(vocab_size=VOCAB, n_positions=32, n_embd=16, n_layer=2, n_head=2,
             resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0)
LLAMA = dict(vocab_size=VOCAB, hidden_size=16, intermediate_size=24, num_hidden_layers=2,
             max_position_embeddings=32, bos_token_id=0, eos_token_id=0, rms_norm_eps=1e-5)
MODELS = {
    "gpt2-untied-gelu": (GPT2Config, GPT2LMHeadModel,
                         dict(**SMALL, tie_word_embeddings=False, n_inner=48, activation_function="gelu"),
                         torch.float32, None),
    "gpt2-layer-scaled-relu2": (GPT2Config, GPT2LMHeadModel,
                                dict(**SMALL, scale_attn_by_inverse_layer_idx=True, scale_attn_weights=False,
                                     activation_function="relu2"), torch.float16, None),
    "gpt2-quick-gelu-sharded": (GPT2Config, GPT2LMHeadModel,
                                dict(**SMALL, tie_word_embeddings=False, activation_function="quick_gelu"),
                                torch.bfloat16, "60KB"),
    "llama-gqa-untied": (LlamaConfig, LlamaForCausalLM,
                         dict(**LLAMA, num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False,
                              rope_theta=10000.0), torch.float32, None),
    "llama-mqa-tied-bf16": (LlamaConfig, LlamaForCausalLM,
                            dict(**LLAMA, num_attention_heads=4, num_key_value_heads=1, head_dim=6,
                                 tie_word_embeddings=True, rope_theta=100000.0), torch.bfloat16, None),
    "qwen2-qkv-bias": (Qwen2Config, Qwen2ForCausalLM,
                       dict(**LLAMA, num_attention_heads=2, num_key_value_heads=2, tie_word_embeddings=False,
                            rope_theta=10000.0), torch.float16, None),
}


def make(name, config_class, model_class, settings, dtype, shard):
    torch.manual_seed(sum(map(ord, name)))
    cfg = config_class(**settings)
    model = model_class(cfg).eval()
    # Larger-than-default weights so every setting moves the logits well beyond 1e-4.
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    model = model.to(dtype)
    out = out_root / name
    shutil.rmtree(out, ignore_errors=True)
    kwargs = {"max_shard_size": shard} if shard else {}
    model.save_pretrained(out, safe_serialization=True, **kwargs)
    shutil.copy(default_dir / "tokenizer.json", out / "tokenizer.json")
    # Golden values: the saved (rounded) weights, computed in float32.
    model = model_class.from_pretrained(out, dtype=torch.float32).eval()
    x = torch.tensor(ids)
    with torch.no_grad():
        o = model(input_ids=x, labels=x)
    logits = o.logits
    return {
        "probe_logits": [[[round(v, 7) for v in pos[PROBE_IDS].tolist()] for pos in row] for row in logits],
        "logsumexp": [[round(v, 7) for v in row.tolist()] for row in torch.logsumexp(logits, -1)],
        "argmax": logits.argmax(-1).tolist(),
        "loss": o.loss.item(),
        "files": sorted(p.name for p in out.iterdir()),
    }


golden = {
    "source": f"transformers {__import__('transformers').__version__}, torch {torch.__version__}",
    "input_ids": ids,
    "probe_ids": PROBE_IDS,
    "models": {name: make(name, *spec) for name, spec in MODELS.items()},
}
(root / "tests" / "golden" / "golden_families.json").write_text(json.dumps(golden, indent=1))
for name, g in golden["models"].items():
    print(f"{name}: loss {g['loss']:.6f}, files {g['files']}")
