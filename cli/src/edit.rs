//! `forgetlab edit`: give facts new objects, then compare IKE (in context), fine-tuning and
//! fine-tuning with REMIX on the same edits (core's `edit`).

use std::path::PathBuf;

use burn::tensor::Device;
use forgetlab_core::ForgetError;
use forgetlab_core::edit::{EditConfig, EditMethod, apply, counterfactuals};
use forgetlab_core::model::LoadedModel;
use forgetlab_core::world::FactWorld;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// ike, ft, ft_remix, or all (the three on the same edits).
    #[arg(long, default_value = "all")]
    method: String,
    /// How many facts to edit (one per author, trained authors).
    #[arg(long, default_value_t = EditConfig::default().edits)]
    edits: usize,
    /// Fine-tuning steps (ft, ft_remix).
    #[arg(long, default_value_t = EditConfig::default().steps)]
    steps: usize,
    #[arg(long, default_value_t = EditConfig::default().lr)]
    lr: f64,
    /// REMIX passages per edit (ft_remix).
    #[arg(long, default_value_t = EditConfig::default().mix_ratio)]
    mix_ratio: f64,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// One JSON object per method.
    #[arg(long)]
    json: bool,
}

pub fn run(
    args: &Args,
    model: &LoadedModel,
    world: &FactWorld,
    device: &Device,
) -> Result<(), ForgetError> {
    let methods = match args.method.as_str() {
        "all" => EditMethod::ALL.to_vec(),
        name => vec![EditMethod::parse(name).ok_or_else(|| {
            ForgetError::InvalidConfig(format!(
                "unknown edit method '{name}' (ike, ft, ft_remix, all)"
            ))
        })?],
    };
    let config = EditConfig {
        edits: args.edits,
        steps: args.steps,
        lr: args.lr,
        mix_ratio: args.mix_ratio,
        seed: args.seed,
    };
    let edits = counterfactuals(world, config.edits, config.seed)?;
    if !args.json {
        let e = &edits[0];
        println!("{} edits, e.g. “{}” → “{}”", edits.len(), e.item.answer, e.new_answer);
        println!(
            "method     efficacy  generalization  specificity (subject, relation)  neighbour P \
                before → after"
        );
    }
    for method in methods {
        let r = pollster::block_on(apply(method, &edits, model, world, &config, device))?;
        if args.json {
            println!("{}", serde_json::to_string(&r).expect("reports serialise"));
        } else {
            println!(
                "{:<9}  {:>8.2}  {:>14.2}  {:>11.2} ({:.2}, {:.2})          {:.3} → {:.3}",
                method.name(),
                r.efficacy,
                r.generalization,
                r.specificity,
                r.specificity_same_subject,
                r.specificity_same_relation,
                r.neighbour_prob_before,
                r.neighbour_prob_after
            );
        }
    }
    Ok(())
}
