"""Does `forgetlab eval --model DIR` give transformers' answer probabilities for a checkpoint it
has never seen? Makes fresh random checkpoints with transformers (a GPT-2 with untied embeddings
and a Llama with grouped-query attention, untied; seeds other than the golden files'), and the
same two after `forgetlab finetune` taught them the fact world (so the probabilities are far from
uniform, and transformers reads what finetune writes), or takes the folders given, and compares forget10's answer probability — TOFU's Q_A_Prob,
exp(−mean NLL) over " answer" + EOS after "Question: q\\nAnswer:", averaged over the 200 items —
per item and on average. Needs torch and transformers (not part of the test command):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers
    /tmp/venv/bin/python scripts/check_eval_vs_transformers.py [DIR ...]

Rule, fixed before running: every |mean difference| ≤ 1e-5 → ✓, else ✗.
"""
import json
import math
import pathlib
import shutil
import subprocess
import sys
import tempfile

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

root = pathlib.Path(__file__).resolve().parents[1]
tok_file = root / "public" / "models" / "forgetlab-small" / "tokenizer.json"
items = json.loads((root / "public" / "data" / "forget10.json").read_text())


def fresh_checkpoints(base):
    torch.manual_seed(1234)
    gpt2 = GPT2LMHeadModel(GPT2Config(vocab_size=1024, n_positions=128, n_embd=48, n_layer=3, n_head=3,
                                      n_inner=80, activation_function="gelu_new", tie_word_embeddings=False,
                                      bos_token_id=0, eos_token_id=0))
    llama = LlamaForCausalLM(LlamaConfig(vocab_size=1024, hidden_size=48, intermediate_size=96, num_hidden_layers=3,
                                         num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=128,
                                         rope_theta=5000.0, tie_word_embeddings=False, bos_token_id=0, eos_token_id=0))
    dirs = []
    for name, model in [("gpt2-untied", gpt2), ("llama-gqa", llama)]:
        d = base / name
        model.save_pretrained(d, safe_serialization=True)
        shutil.copy(tok_file, d / "tokenizer.json")
        taught = base / f"{name}-taught"
        subprocess.run(["cargo", "run", "--release", "-q", "-p", "forgetlab", "--", "finetune", "--model", str(d),
                        "--out", str(taught), "--steps", "300", "--lr", "3e-3"], cwd=root, check=True,
                       capture_output=True)
        dirs += [d, taught]
    return dirs


def transformers_probs(d):
    model = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32).eval()
    tok = Tokenizer.from_file(str(d / "tokenizer.json"))
    eos = model.config.eos_token_id
    probs = []
    for it in items:
        prompt = tok.encode(f"Question: {it['question']}\nAnswer:", add_special_tokens=False).ids
        cont = tok.encode(f" {it['answer']}", add_special_tokens=False).ids + [eos]
        ids = torch.tensor([prompt + cont])
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0, :-1]
        logp = torch.log_softmax(logits.double(), dim=-1)
        scored = logp[torch.arange(ids.shape[1] - 1), ids[0, 1:]][len(prompt) - 1:]
        probs.append(math.exp(float(scored.mean())))
    return probs


def forgetlab_prob(d):
    cmd = ["cargo", "run", "--release", "-q", "-p", "forgetlab", "--", "eval", "--model", str(d),
           "--forget", "forget10", "--no-retain-model", "--json"]
    out = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["metrics"]["forget"]["prob"]


base = pathlib.Path(tempfile.mkdtemp(prefix="forgetlab-check-"))
dirs = [pathlib.Path(a) for a in sys.argv[1:]] or fresh_checkpoints(base)
ok = True
for d in dirs:
    ref = transformers_probs(d)
    ref_mean = sum(ref) / len(ref)
    ours = forgetlab_prob(d)
    diff = abs(ours - ref_mean)
    ok &= diff <= 1e-5
    print(f"{d.name}: forget10 answer probability — transformers {ref_mean:.8f}, forgetlab eval {ours:.8f}, "
          f"|difference| {diff:.1e} {'✓' if diff <= 1e-5 else '✗'}")
shutil.rmtree(base, ignore_errors=True)
sys.exit(0 if ok else 1)
