"""The batches the PyTorch benchmarks train on, as ForgetLab's GA step makes them: forget10's
pairs, "Question: q\\nAnswer:" then " a" and EOS, loss on the answer tokens only, rows
right-padded to the batch's longest (shared by bench_vs_pytorch.py and bench_gpu_vs_pytorch.py).
"""
import json
import pathlib

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
