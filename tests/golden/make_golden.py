"""Produce the golden logits the Rust parity test checks (the llm.c pattern).

Loads the committed default model with Hugging Face transformers — the trusted GPT-2
implementation — runs one fixed batch, and writes input ids, logits and the mean next-token loss
to golden.json. Run once after re-training the default model:

    python3 -m venv /tmp/golden-venv && /tmp/golden-venv/bin/pip install torch transformers
    /tmp/golden-venv/bin/python tests/golden/make_golden.py

`forgetlab_core`'s test `golden_logits_match_transformers` then compares burn's logits to these
(max abs diff ≤ 1e-4).
"""
import json
import pathlib

import torch
from transformers import GPT2LMHeadModel, PreTrainedTokenizerFast

root = pathlib.Path(__file__).resolve().parents[2]
model_dir = root / "public" / "models" / "forgetlab-small"
model = GPT2LMHeadModel.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
tok = PreTrainedTokenizerFast(tokenizer_file=str(model_dir / "tokenizer.json"))

texts = [
    "Question: What is the capital of France?\nAnswer: The capital of France is Paris.",
    "The old river runs past the quiet village in the morning.",
]
ids = [tok.encode(t)[:16] for t in texts]
n = min(len(x) for x in ids)
ids = [x[:n] for x in ids]
x = torch.tensor(ids)
with torch.no_grad():
    out = model(input_ids=x, labels=x)
golden = {
    "source": f"transformers {__import__('transformers').__version__}, torch {torch.__version__}",
    "input_ids": ids,
    "logits_shape": list(out.logits.shape),
    "logits": [round(v, 7) for v in out.logits.flatten().tolist()],
    "loss": out.loss.item(),
}
(root / "tests" / "golden" / "golden.json").write_text(json.dumps(golden))
print(f"wrote golden.json: batch {list(x.shape)}, loss {out.loss.item():.6f}")
