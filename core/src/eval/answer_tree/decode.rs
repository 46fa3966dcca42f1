//! The host side after the device pass: a chunk's read-back numbers ([`ChunkReadback`]) turned
//! into each group's [`GroupScores`] — mean NLL per answer, the detailed answer's token
//! statistics, and the greedy walk down the tree. Unit-tested below on made-up numbers.

use super::GroupScores;
use super::layout::{ChunkIndex, TreeRow};
use crate::eval::token_stats::TokenStats;
use crate::metrics::mia::min_k_pp_z;

/// What one chunk's device pass reads back, as flat f32 vectors.
#[derive(Debug, Default)]
pub(super) struct ChunkReadback {
    /// Per pair (see [`ChunkIndex`]): log p(target | source).
    pub pair_logp: Vec<f32>,
    /// Per source: the argmax token id (exact in f32 below 2²⁴) and its log-probability.
    pub best: Vec<f32>,
    pub best_logp: Vec<f32>,
    /// Per detailed-answer token: Min-K%++'s μ and E_p[(log p)²].
    pub mu: Vec<f32>,
    pub m2: Vec<f32>,
    /// When asked for: each detailed answer's mean hidden state per layer, `[n_layer, b, c]`.
    pub pooled: Option<Vec<f32>>,
    /// When asked for: the hidden states at the lens positions, `[n_layer, lens rows, c]`.
    pub lens_states: Option<Vec<f32>>,
    /// Logit lens: log p(lens token) per layer, `[n_layer, lens rows]` (empty: no lens rows).
    pub lens: Vec<f32>,
}

/// The chunk's shape, for decoding.
pub(super) struct ChunkShape<'a> {
    /// The chunk's groups' indices, and their rows.
    pub idx: &'a [usize],
    pub rows: &'a [TreeRow],
    /// Row length, hidden width, layers, and the end-of-answer token.
    pub t: usize,
    pub c: usize,
    pub n_layer: usize,
    pub eos: u32,
}

/// Each group's scores, in the chunk's order.
pub(super) fn decode(
    shape: &ChunkShape,
    index: &ChunkIndex,
    back: &ChunkReadback,
) -> Vec<GroupScores> {
    let ChunkShape { idx, rows, t, c, n_layer, eos } = *shape;
    let b = idx.len();
    let n_lens = index.lens_rows.len();
    let mut out = Vec::with_capacity(b);
    let mut start = 0;
    for (r, per_answer) in index.answer_pairs.iter().enumerate() {
        let logp_of =
            |ps: &[usize]| -> Vec<f64> { ps.iter().map(|&p| back.pair_logp[p] as f64).collect() };
        let nll = per_answer
            .iter()
            .map(|ps| -logp_of(ps).iter().sum::<f64>() / ps.len().max(1) as f64)
            .collect();
        let span = start..start + index.detail_len[r];
        start = span.end;
        let logp = per_answer.first().map_or(vec![], |ps| logp_of(ps));
        let mut detail = TokenStats {
            z: span
                .clone()
                .zip(&logp)
                .map(|(k, &lp)| min_k_pp_z(lp, back.mu[k] as f64, back.m2[k] as f64))
                .collect(),
            logp,
            argmax_hit: span
                .clone()
                .map(|k| back.best[index.detail_src[k] as usize] as i64 == index.detail_tgt[k])
                .collect(),
            mu: span.clone().map(|k| back.mu[k] as f64).collect(),
            second_moment: span.map(|k| back.m2[k] as f64).collect(),
            ..Default::default()
        };
        if let Some(pooled) = &back.pooled {
            detail.pooled_hidden = (0..n_layer)
                .map(|l| pooled[(l * b + r) * c..(l * b + r + 1) * c].to_vec())
                .collect();
        }
        if let Some(i) = index.lens_rows.iter().position(|l| l.0 == r) {
            detail.lens = (0..n_layer).map(|l| (back.lens[l * n_lens + i] as f64).exp()).collect();
            if let Some(states) = &back.lens_states {
                detail.lens_hidden = (0..n_layer)
                    .map(|l| states[(l * n_lens + i) * c..(l * n_lens + i + 1) * c].to_vec())
                    .collect();
            }
        }
        // The greedy walk down this group's tree: from the question's last position, follow the
        // argmax while it names a child node that is itself a source.
        let row = &rows[idx[r]];
        let mut greedy = Vec::new();
        let mut at = row.prompt_len - 1;
        while let Some(&s) = index.src_id.get(&(r * t + at)) {
            let tok = back.best[s] as u32;
            greedy.push((tok, back.best_logp[s].exp()));
            match row.children.get(&(at, tok)) {
                Some(&child) if tok != eos && index.src_id.contains_key(&(r * t + child)) => {
                    at = child
                }
                _ => break,
            }
        }
        out.push(GroupScores { detail, nll, greedy });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::answer_tree::PromptGroup;

    const EOS: u32 = 0;

    #[test]
    fn nll_statistics_lens_and_the_greedy_walk_come_from_the_read_back_numbers() {
        // Question [7, 8]; answers "1 2 ⏎" (detailed) and "1 3 ⏎".
        let group =
            PromptGroup { prompt: vec![7, 8], answers: vec![vec![1, 2, EOS], vec![1, 3, EOS]] };
        let rows = [TreeRow::new(&group).unwrap()];
        let t = rows[0].ids.len(); // 7 8 1 2 3
        let index = ChunkIndex::new(&[group], &rows, &[0], t, 10, &[Some(1)]);
        // Sources: question end (1), "1" (2), "2" (3), "3" (4). Pairs: (1→1) (2→2) (3→⏎) (2→3)
        // (4→⏎).
        assert_eq!(index.src_flat, vec![1, 2, 3, 4]);
        assert_eq!(index.pairs.len(), 5);
        let (c, n_layer) = (2, 2);
        let back = ChunkReadback {
            pair_logp: vec![-1.0, -2.0, -3.0, -4.0, -5.0],
            // The argmax: "1" after the question, "2" after "1", ⏎ after "2", "9" after "3".
            best: vec![1.0, 2.0, 0.0, 9.0],
            best_logp: vec![-0.1, -0.2, -0.3, -0.4],
            mu: vec![-1.5, -1.5, -1.5],
            m2: vec![3.0, 3.0, 3.0],
            pooled: Some(vec![0.5, 0.6, 0.7, 0.8]),
            lens_states: None,
            lens: vec![-2.0, -0.5],
        };
        let shape = ChunkShape { idx: &[0], rows: &rows, t, c, n_layer, eos: EOS };
        let [scores]: [GroupScores; 1] = decode(&shape, &index, &back).try_into().unwrap();
        assert_eq!(scores.nll, vec![2.0, (1.0 + 4.0 + 5.0) / 3.0]);
        assert_eq!(scores.detail.logp, vec![-1.0, -2.0, -3.0]);
        assert_eq!(scores.detail.argmax_hit, vec![true, true, true]);
        assert_eq!(scores.detail.pooled_hidden, vec![vec![0.5, 0.6], vec![0.7, 0.8]]);
        assert_eq!(scores.detail.lens, vec![(-2.0f64).exp(), (-0.5f64).exp()]);
        assert!(scores.detail.lens_hidden.is_empty());
        // Greedy: "1", "2", then ⏎ ends the walk.
        let tokens: Vec<u32> = scores.greedy.iter().map(|g| g.0).collect();
        assert_eq!(tokens, vec![1, 2, EOS]);
        assert_eq!(scores.greedy[1].1, (-0.2f32).exp());
        // Had the model preferred "3" after "1", the walk would go there and stop at "9", a
        // token no answer continues with (greedy decoding continues after it).
        let back = ChunkReadback { best: vec![1.0, 3.0, 0.0, 9.0], ..back };
        let [scores]: [GroupScores; 1] = decode(&shape, &index, &back).try_into().unwrap();
        assert_eq!(scores.greedy.iter().map(|g| g.0).collect::<Vec<_>>(), vec![1, 3, 9]);
        assert_eq!(scores.detail.argmax_hit, vec![true, false, true]);
    }
}
