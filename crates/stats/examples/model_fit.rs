//! Timings of the crossed-model engine alone on one tidy CSV (person,context,rater,dimension,
//! value), no CLI: `cargo run --release -p chameleon-stats --example model_fit -- FILE
//! [REPS] [FORMULA]`. Per dimension, medians of REPS in CPU time: building the model and fitting it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chameleon_stats::variance::formula::parse;
use chameleon_stats::variance::mixed::{Criterion, FitOptions, Model, Observation};
use std::collections::HashMap;

/// This thread's CPU time in ms (`/proc/thread-self/schedstat`): the machine is shared, so
/// wall time would time the neighbours too.
fn cpu_ms() -> f64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse::<f64>().unwrap() / 1e6
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args.first().expect("FILE");
    let reps: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let text = args.get(2).cloned().unwrap_or_else(|| {
        "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)".into()
    });
    let formula = parse(&text).unwrap();
    let data = std::fs::read_to_string(file).unwrap();
    let mut ids: [HashMap<String, u32>; 3] = Default::default();
    let mut dims: HashMap<String, Vec<Observation>> = HashMap::new();
    for line in data.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let mut id = |k: usize| {
            let n = ids[k].len() as u32;
            *ids[k].entry(f[k].to_string()).or_insert(n)
        };
        let (person, context, rater) = (id(0), id(1), id(2));
        dims.entry(f[3].to_string()).or_default().push(Observation {
            person,
            context,
            rater,
            value: f[4].parse().unwrap(),
        });
    }
    let mut names: Vec<&String> = dims.keys().collect();
    names.sort();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut new_total, mut fit_total) = (0.0, 0.0);
    for name in names {
        let rows = &dims[name];
        let (mut tn, mut tf) = (Vec::new(), Vec::new());
        let mut last = None;
        for _ in 0..reps {
            let t = cpu_ms();
            let model = Model::new(&formula, rows, true).unwrap();
            tn.push(cpu_ms() - t);
            let t = cpu_ms();
            let fit = model.fit(Criterion::Reml, &FitOptions::default()).unwrap();
            tf.push(cpu_ms() - t);
            last = Some(fit);
        }
        let fit = last.unwrap();
        let (n, f) = (median(tn), median(tf));
        new_total += n;
        fit_total += f;
        println!(
            "{name}: {} rows, new {n:.3} ms, fit {f:.3} ms ({} iterations, {} evaluations), criterion {:.10}",
            rows.len(),
            fit.iterations,
            fit.evaluations,
            fit.criterion
        );
    }
    println!("total: new {new_total:.2} ms, fit {fit_total:.2} ms");
}
