//! The host side before the device pass: a group's prefix tree as one row ([`TreeRow`]), a
//! chunk of rows as the forward pass's inputs ([`ChunkRows`]), and which positions and tokens
//! the pass must read ([`ChunkIndex`]). Pure index arithmetic, unit-tested below.

use std::collections::HashMap;

use super::PromptGroup;
use crate::error::ForgetError;

/// A group laid out as one row: the question's tokens, then one token per trie node.
pub(super) struct TreeRow {
    /// The question's length (its last position starts every answer).
    pub prompt_len: usize,
    pub ids: Vec<u32>,
    pub positions: Vec<usize>,
    /// Per row index: the row index of its parent (prompt tokens: the previous one; first: none).
    pub parent: Vec<Option<usize>>,
    /// Per answer: the row index whose hidden state predicts each of its tokens.
    pub sources: Vec<Vec<usize>>,
    /// (row index, token) → the row index of that child node.
    pub children: HashMap<(usize, u32), usize>,
}

impl TreeRow {
    pub fn new(g: &PromptGroup) -> Result<Self, ForgetError> {
        let p = g.prompt.len();
        if p == 0 {
            return Err(ForgetError::InvalidConfig("a question encodes to no tokens".into()));
        }
        let mut ids = g.prompt.clone();
        let mut positions: Vec<usize> = (0..p).collect();
        let mut parent: Vec<Option<usize>> = (0..p).map(|i| i.checked_sub(1)).collect();
        let mut children: HashMap<(usize, u32), usize> = HashMap::new();
        let mut sources = Vec::with_capacity(g.answers.len());
        for answer in &g.answers {
            let mut at = p - 1;
            let mut src = Vec::with_capacity(answer.len());
            for (i, &tok) in answer.iter().enumerate() {
                src.push(at);
                if i + 1 == answer.len() {
                    break; // the last token (EOS) is a target only
                }
                at = *children.entry((at, tok)).or_insert_with(|| {
                    ids.push(tok);
                    positions.push(positions[at] + 1);
                    parent.push(Some(at));
                    ids.len() - 1
                });
            }
            sources.push(src);
        }
        Ok(Self { prompt_len: p, ids, positions, parent, sources, children })
    }

    /// Row indices that row index `i` attends to: itself and its ancestors (for a prompt token,
    /// every earlier prompt token).
    pub fn visible(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(i), |&j| self.parent[j])
    }
}

/// A chunk's rows as the forward pass takes them, `[b, t]` right-padded with EOS.
pub(super) struct ChunkRows {
    pub b: usize,
    pub t: usize,
    pub ids: Vec<i64>,
    pub positions: Vec<i64>,
    /// `[b, t, t]`, true = the key is hidden: a node sees the question and its ancestors; a
    /// padding position sees only itself (it is never read, and no softmax row is all hidden).
    pub hidden: Vec<bool>,
}

impl ChunkRows {
    pub fn new(rows: &[TreeRow], idx: &[usize], pad: u32) -> Self {
        let b = idx.len();
        let t = idx.iter().map(|&g| rows[g].ids.len()).max().unwrap_or(1);
        let mut ids = vec![pad as i64; b * t];
        let mut positions = vec![0i64; b * t];
        let mut hidden = vec![true; b * t * t];
        for (r, &g) in idx.iter().enumerate() {
            let row = &rows[g];
            for i in 0..t {
                if i < row.ids.len() {
                    ids[r * t + i] = row.ids[i] as i64;
                    positions[r * t + i] = row.positions[i] as i64;
                    for j in row.visible(i) {
                        hidden[(r * t + i) * t + j] = false;
                    }
                } else {
                    hidden[(r * t + i) * t + i] = false;
                }
            }
        }
        Self { b, t, ids, positions, hidden }
    }
}

/// What the device pass reads for a chunk. A *source* is a flattened row position whose hidden
/// state predicts a token; a *pair* is a (source, target token) whose log-probability is read.
/// Both are deduplicated: answers sharing a prefix share its sources and pairs.
#[derive(Debug, Default)]
pub(super) struct ChunkIndex {
    /// Per source: its flattened position `r·t + i`.
    pub src_flat: Vec<i64>,
    /// Flattened position → source.
    pub src_id: HashMap<usize, usize>,
    /// Per pair: `source·vocab + token` (an index into the `[sources, vocab]` log-probs).
    pub pairs: Vec<i64>,
    /// Per pair: its source.
    pub pair_src: Vec<i64>,
    /// Per group in the chunk, per answer: the pair of each answer token.
    pub answer_pairs: Vec<Vec<Vec<usize>>>,
    /// The detailed answers' tokens, chunk-wide: source and target, and each group's count.
    pub detail_src: Vec<i64>,
    pub detail_tgt: Vec<i64>,
    pub detail_len: Vec<usize>,
    /// Logit lens: (group in chunk, flattened position, token) of each group that asks for one.
    pub lens_rows: Vec<(usize, i64, i64)>,
}

impl ChunkIndex {
    /// `lens_token[g]`: the detailed answer's token the logit lens reads for group `g`.
    pub fn new(
        groups: &[PromptGroup],
        rows: &[TreeRow],
        idx: &[usize],
        t: usize,
        vocab: usize,
        lens_token: &[Option<usize>],
    ) -> Self {
        let mut x = Self::default();
        let mut pair_id: HashMap<(usize, u32), usize> = HashMap::new();
        for (r, &g) in idx.iter().enumerate() {
            let mut per_answer = Vec::with_capacity(groups[g].answers.len());
            for (k, (answer, sources)) in groups[g].answers.iter().zip(&rows[g].sources).enumerate()
            {
                let mut ps = Vec::with_capacity(answer.len());
                for (&tok, &i) in answer.iter().zip(sources) {
                    let flat = r * t + i;
                    let s = *x.src_id.entry(flat).or_insert_with(|| {
                        x.src_flat.push(flat as i64);
                        x.src_flat.len() - 1
                    });
                    ps.push(*pair_id.entry((s, tok)).or_insert_with(|| {
                        x.pairs.push((s * vocab + tok as usize) as i64);
                        x.pair_src.push(s as i64);
                        x.pairs.len() - 1
                    }));
                    if k == 0 {
                        x.detail_src.push(s as i64);
                        x.detail_tgt.push(tok as i64);
                    }
                }
                per_answer.push(ps);
            }
            x.detail_len.push(per_answer.first().map_or(0, Vec::len));
            x.answer_pairs.push(per_answer);
        }
        let mut start = 0;
        for (r, &g) in idx.iter().enumerate() {
            if let Some(k) = lens_token.get(g).copied().flatten()
                && k < x.detail_len[r]
            {
                let s = x.detail_src[start + k] as usize;
                x.lens_rows.push((r, x.src_flat[s], x.detail_tgt[start + k]));
            }
            start += x.detail_len[r];
        }
        x
    }

    /// The detailed answers' source positions, flattened.
    pub fn detail_flat(&self) -> Vec<i64> {
        self.detail_src.iter().map(|&s| self.src_flat[s as usize]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EOS: u32 = 0;

    /// Question [7, 8]; answers "1 2 3 ⏎", "1 2 4 ⏎" (shared prefix "1 2") and "5 ⏎".
    fn group() -> PromptGroup {
        PromptGroup {
            prompt: vec![7, 8],
            answers: vec![vec![1, 2, 3, EOS], vec![1, 2, 4, EOS], vec![5, EOS]],
        }
    }

    #[test]
    fn a_tree_row_shares_prefixes_and_places_nodes_at_their_depth() {
        let row = TreeRow::new(&group()).unwrap();
        // Question, then the nodes 1, 2, 3, 4, 5 (the final EOS of each answer is a target only).
        assert_eq!(row.ids, vec![7, 8, 1, 2, 3, 4, 5]);
        assert_eq!(row.positions, vec![0, 1, 2, 3, 4, 4, 2]);
        // Answer tokens are predicted from the question's end, then from their prefix's node.
        assert_eq!(row.sources, vec![vec![1, 2, 3, 4], vec![1, 2, 3, 5], vec![1, 6]]);
        // Node "4" sees itself, "2", "1" and the question, not its sibling "3".
        assert_eq!(row.visible(5).collect::<Vec<_>>(), vec![5, 3, 2, 1, 0]);
        assert_eq!(row.children[&(3, 4)], 5);
        assert!(TreeRow::new(&PromptGroup { prompt: vec![], answers: vec![] }).is_err());
    }

    #[test]
    fn chunk_rows_pad_and_mask() {
        let short = PromptGroup { prompt: vec![9], answers: vec![vec![6, EOS]] };
        let groups = [group(), short];
        let rows: Vec<TreeRow> = groups.iter().map(|g| TreeRow::new(g).unwrap()).collect();
        let chunk = ChunkRows::new(&rows, &[1, 0], EOS);
        assert_eq!((chunk.b, chunk.t), (2, 7));
        // Row 0 is the short group: 9, 6, then padding.
        assert_eq!(&chunk.ids[..7], &[9, 6, 0, 0, 0, 0, 0]);
        let sees = |r: usize, i: usize| -> Vec<usize> {
            (0..7).filter(|&j| !chunk.hidden[(r * 7 + i) * 7 + j]).collect()
        };
        assert_eq!(sees(0, 1), vec![0, 1]);
        assert_eq!(sees(0, 4), vec![4], "padding sees itself only");
        assert_eq!(sees(1, 6), vec![0, 1, 6], "node 5 sees the question and itself");
        assert_eq!(chunk.positions[7 + 6], 2);
    }

    #[test]
    fn the_index_reads_each_shared_prefix_once() {
        let groups = [group()];
        let rows = [TreeRow::new(&groups[0]).unwrap()];
        let vocab = 10;
        let index = ChunkIndex::new(&groups, &rows, &[0], 7, vocab, &[Some(2)]);
        // Sources: the question's end (1) and every node that predicts a token (2 to 6).
        assert_eq!(index.src_flat, vec![1, 2, 3, 4, 5, 6]);
        // 4 + 4 + 2 answer tokens, of which "1" and "2" (shared) are read once: 8 pairs.
        assert_eq!(index.pairs.len(), 8);
        assert_eq!(index.answer_pairs[0][0][..2], index.answer_pairs[0][1][..2]);
        assert_eq!(index.pairs[index.answer_pairs[0][2][0]], 5, "source 0, token 5");
        // The detailed answer is the first: 4 tokens; the lens reads its third ("3", at row 3).
        assert_eq!(index.detail_len, vec![4]);
        assert_eq!(index.detail_tgt, vec![1, 2, 3, EOS as i64]);
        assert_eq!(index.lens_rows, vec![(0, 3, 3)]);
        assert_eq!(index.detail_flat(), vec![1, 2, 3, 4]);
        // A lens token past the answer's end is skipped.
        assert!(ChunkIndex::new(&groups, &rows, &[0], 7, vocab, &[Some(9)]).lens_rows.is_empty());
    }
}
