"""Golden per-answer NLLs: the inputs of truth ratio and forget quality, from transformers.

For every forget10 item of the committed world (public/data/forget10.json), the mean next-token
NLL under the committed default model of its true answer, its paraphrased answer and each
perturbed answer, each continuing the item's question — exactly the numbers the truth ratio is
built from (prompt "Question: {q}\nAnswer:", continuation " {a}" then EOS; the prompt's tokens are
not scored). Run once after re-training the default model:

    python3 -m venv /tmp/golden-venv && /tmp/golden-venv/bin/pip install torch transformers
    /tmp/golden-venv/bin/python tests/golden/make_golden_nll.py

The test `answer_nlls_match_transformers` (core/tests/engine/model_files.rs) checks the engine's
answer-tree NLLs against golden_nll.json within 1e-4.
"""
import json
import pathlib

import torch
from tokenizers import Tokenizer
from transformers import GPT2LMHeadModel

root = pathlib.Path(__file__).resolve().parents[2]
model_dir = root / "public" / "models" / "forgetlab-small"
model = GPT2LMHeadModel.from_pretrained(model_dir, torch_dtype=torch.float32).eval()
tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
eos = model.config.eos_token_id
items = json.loads((root / "public" / "data" / "forget10.json").read_text())


def nll(question, answer):
    prompt = tok.encode(f"Question: {question}\nAnswer:", add_special_tokens=False).ids
    cont = tok.encode(f" {answer}", add_special_tokens=False).ids + [eos]
    ids = torch.tensor([prompt + cont])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, :-1]
    logp = torch.log_softmax(logits.double(), dim=-1)
    targets = ids[0, 1:]
    scored = logp[torch.arange(len(targets)), targets][len(prompt) - 1:]
    return float(-scored.mean())


out = []
for it in items:
    out.append({
        "id": it["id"],
        "true": nll(it["question"], it["answer"]),
        "paraphrased": nll(it["question"], it["paraphrased_answer"]),
        "perturbed": [nll(it["question"], p) for p in it["perturbed_answer"]],
    })
golden = {
    "source": f"transformers {__import__('transformers').__version__}, torch {torch.__version__}",
    "model": "public/models/forgetlab-small",
    "items": out,
}
(root / "tests" / "golden" / "golden_nll.json").write_text(json.dumps(golden))
print(f"wrote golden_nll.json: {len(out)} items, {sum(2 + len(o['perturbed']) for o in out)} answers")
