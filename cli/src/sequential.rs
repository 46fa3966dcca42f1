//! `forgetlab unlearn --requests N`: the forget selection as N sequential unlearning requests
//! (core's `run::SequentialRun`), each reported as a run of its own, and after each one every
//! request's set measured again on the weights it left.

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::model::LoadedModel;
use forgetlab_core::run::{Recall, RunConfig, SequentialRun};
use forgetlab_core::world::{FactWorld, QaItem};

use crate::report;

/// How each request runs (as `forgetlab unlearn` runs one selection) and is printed.
pub struct Budget {
    pub steps: usize,
    pub eval_every: usize,
    pub until: report::Until,
    pub json: bool,
}

/// Run the requests one after another; returns the last request's model.
pub fn run(
    model: &LoadedModel,
    fluency: Option<LoadedModel>,
    world: &FactWorld,
    template: RunConfig,
    sets: Vec<Vec<QaItem>>,
    budget: &Budget,
    device: &Device,
) -> Result<LoadedModel, ForgetError> {
    let json = budget.json;
    let mut seq = SequentialRun::new(model, world, template, sets, fluency, device)?;
    print_recall(0, &pollster::block_on(seq.recall())?, json);
    loop {
        let (r, of) = seq.request();
        let items = seq.sets()[r - 1].len();
        if json {
            println!("{}", serde_json::json!({ "request": r, "of": of, "items": items }));
        } else {
            let from = if r == 1 {
                "the original model".into()
            } else {
                format!("the weights request {} left", r - 1)
            };
            println!("\nrequest {r} of {of}: {items} forget items, from {from}");
        }
        report::unlearn(seq.run(), budget.steps, budget.eval_every, budget.until, json)?;
        print_recall(r, &pollster::block_on(seq.recall())?, json);
        if !pollster::block_on(seq.next_request(world))? {
            break;
        }
    }
    pollster::block_on(seq.run().export())
}

/// Every request's set on the current weights (`after` = 0: the original model).
fn print_recall(after: usize, recall: &[Recall], json: bool) {
    if json {
        println!("{}", serde_json::json!({ "after_request": after, "recall": recall }));
        return;
    }
    let when = if after == 0 {
        "before any request".to_string()
    } else {
        format!("after request {after}")
    };
    println!("{when}: each request's set, answer probability · key entity in the greedy answer");
    for (j, r) in recall.iter().enumerate() {
        let mark = match (j + 1).cmp(&after) {
            std::cmp::Ordering::Less => "earlier",
            std::cmp::Ordering::Equal => "this one",
            std::cmp::Ordering::Greater => "not yet asked",
        };
        println!(
            "  set {} ({:>3} items, {mark:<13})  {:.4} · {:>5.1} %",
            j + 1,
            r.items,
            r.prob,
            100.0 * r.key_entity_rate
        );
    }
}
