//! Seeded sample data: the small demo study a new user sees first, and Chameleon-scale data
//! for benchmarks. Ratings follow y = μ + T_p + S_pc + R_r + E (trait, state, rater leniency,
//! error), rounded onto each dimension's scale, so agreement and decomposition have something
//! real to find.

use crate::model::{Anchor, Codebook, Dimension, Level, Scale};
use std::fmt::Write as _;
use std::io::Write as _;

/// SplitMix64: tiny, seeded, and stable across versions (unlike a crate's default RNG).
pub struct SampleRng(u64);

impl SampleRng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        SampleRng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform index in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

fn likert(name: &str, label: &str, definition: &str, max: i64, low: &str, high: &str) -> Dimension {
    Dimension {
        name: name.into(),
        label: Some(label.into()),
        definition: definition.into(),
        scale: Scale::Likert {
            min: 1,
            max,
            anchors: vec![
                Anchor {
                    value: 1,
                    label: low.into(),
                },
                Anchor {
                    value: max,
                    label: high.into(),
                },
            ],
        },
        level: Some(Level::Ordinal),
    }
}

/// The demo codebook: Big Five (1–5) and affect (1–7), plus a nominal dominant emotion.
pub fn demo_codebook() -> Codebook {
    let emotions = ["joy", "sadness", "anger", "fear", "calm"];
    Codebook {
        name: Some("Chameleon demo: Big Five and affect".into()),
        guidelines:
            "# Rating guidelines\n\nRate what **this material, in this context** shows about the \
person, not what you guess they are like elsewhere. Read every text before rating.\n\n\
- Use the whole scale; the midpoint means *some evidence both ways*, not *no evidence*.\n\
- If the material says nothing about a dimension, choose *can't judge* (key x): it is left out \
of the statistics. Do not use the midpoint for it.\n\
- Do not look the person up elsewhere.\n"
                .into(),
        version: 0,
        show_person_ids: false,
        scales: Vec::new(),
        dimensions: vec![
            likert(
                "openness",
                "Openness",
                "Curiosity, imagination, interest in ideas and new experiences.",
                5,
                "very low",
                "very high",
            ),
            likert(
                "conscientiousness",
                "Conscientiousness",
                "Organisation, dependability, self-discipline, planning ahead.",
                5,
                "very low",
                "very high",
            ),
            likert(
                "extraversion",
                "Extraversion",
                "Sociability, assertiveness, energy drawn from other people.",
                5,
                "very low",
                "very high",
            ),
            likert(
                "agreeableness",
                "Agreeableness",
                "Warmth, cooperation, trust and consideration for others.",
                5,
                "very low",
                "very high",
            ),
            likert(
                "neuroticism",
                "Neuroticism",
                "Worry, tension, moodiness; proneness to negative emotion.",
                5,
                "very low",
                "very high",
            ),
            likert(
                "positive_affect",
                "Positive affect",
                "How much enthusiasm, joy and energy the writing expresses.",
                7,
                "none",
                "extreme",
            ),
            likert(
                "negative_affect",
                "Negative affect",
                "How much distress, anger, fear or sadness the writing expresses.",
                7,
                "none",
                "extreme",
            ),
            Dimension {
                name: "dominant_emotion".into(),
                label: Some("Dominant emotion".into()),
                definition: "The single emotion most present in the material.".into(),
                scale: Scale::Nominal {
                    categories: emotions
                        .iter()
                        .enumerate()
                        .map(|(i, e)| Anchor {
                            value: i as i64 + 1,
                            label: (*e).into(),
                        })
                        .collect(),
                },
                level: Some(Level::Nominal),
            },
        ],
    }
}

const CONTEXTS: [&str; 3] = ["r/careerguidance", "r/gaming", "r/relationships"];

/// Opening lines by context and mood (0 low, 1 mid, 2 high energy/positivity).
/// `used` holds the bodies the profile already has: the draw moves on to the next unused one,
/// so a profile never shows the same text twice (the number of draws stays the same).
fn text_for(rng: &mut SampleRng, context: usize, mood: usize, used: &[String]) -> (String, String) {
    const T: [[[&str; 3]; 3]; 3] = [
        [
            ["Third rejection this month. I'm starting to think my CV is the problem, or maybe it's me.",
             "Is it normal to feel this drained after a job search? I keep refreshing my inbox.",
             "Got told I was 'not a culture fit' again. No idea what that means anymore."],
            ["Thinking about moving from support into QA. Has anyone made that switch?",
             "My manager offered a lateral move. Pay is the same, work is different. Thoughts?",
             "Two years in and I'm not sure if I should ask for a raise or just wait for review season."],
            ["Just accepted an offer after six months of searching!! Ask me anything about the process.",
             "I finally pitched my side project at work and they want me to lead it. Terrified and thrilled.",
             "Promoted today. Wanted to thank this sub, your interview tips actually worked."],
        ],
        [
            ["Can't even enjoy games anymore. I load in, stare at the menu, and quit.",
             "Lost twelve ranked matches in a row. Taking a break before I break my controller.",
             "Everyone in my old guild stopped playing. Logging in alone feels weird."],
            ["Looking for a relaxed co-op game for weeknights, nothing too competitive.",
             "Finished the main story. Is the DLC worth it or should I move on?",
             "Does anyone else replay the same game every winter? It's a comfort thing for me."],
            ["WE DID IT. Cleared the raid on our 40th attempt, the whole voice chat was screaming.",
             "Organising a LAN party for the first time in ten years, who remembers these?",
             "Hit top 500 this season!! Thanks to everyone who queued with me late at night."],
        ],
        [
            ["We had the same argument again and I just went quiet. I don't know how to fix this.",
             "My partner says I never listen. I thought I was listening. Now I'm second-guessing everything.",
             "Friend cancelled on me for the fourth time. Should I just stop inviting them?"],
            ["How do you split chores fairly when you work different hours?",
             "Meeting my partner's parents next week. Any advice on what to bring?",
             "We've been together three years and are talking about moving in. What should we discuss first?"],
            ["Our first anniversary today, we went back to the café where we met. Still grinning.",
             "Reconnected with my brother after years of silence. We talked for four hours.",
             "She said yes!! Planning a small wedding with just our closest friends."],
        ],
    ];
    const TITLES: [&str; 3] = ["Need some perspective", "Question for the sub", "Update"];
    let pool = &T[context % 3][mood.min(2)];
    let first = rng.below(pool.len());
    let body = (0..pool.len())
        .map(|k| pool[(first + k) % pool.len()])
        .find(|b| !used.iter().any(|u| u == b))
        .unwrap_or(pool[first])
        .to_string();
    let title = TITLES[rng.below(TITLES.len())].to_string();
    (title, body)
}

/// Files of the demo study: profiles (JSONL), codebook (TOML) and ratings by three human
/// annotators (CSV), plus ratings by a language model that barely moves across contexts.
pub struct DemoFiles {
    /// `profiles.jsonl`.
    pub profiles_jsonl: String,
    /// `codebook.toml`.
    pub codebook_toml: String,
    /// `ratings.csv` (the human annotators).
    pub ratings_csv: String,
    /// `model_ratings.csv` (the language model).
    pub model_ratings_csv: String,
    /// `questionnaire.toml`: the codebook with the BFI-10 added (ten items, two per trait, one
    /// of each pair reverse-keyed, scored into five scales).
    pub questionnaire_toml: String,
    /// `questionnaire_ratings.csv`: each person's self-report on the BFI-10 in each context
    /// (rater `self`), from the same traits and states the annotators see.
    pub questionnaire_csv: String,
}

/// An item of the BFI-10: name, text, reverse-keyed.
type BfiItem = (&'static str, &'static str, bool);

/// The BFI-10 (Rammstedt & John, 2007): per trait (the demo's Big Five dimensions, in their
/// order) its scale name, label, and two items (name, text, reverse-keyed).
const BFI10: [(&str, &str, [BfiItem; 2]); 5] = [
    (
        "bfi_openness",
        "Openness (BFI-10, self-report)",
        [
            ("bfi_o1r", "has few artistic interests", true),
            ("bfi_o2", "has an active imagination", false),
        ],
    ),
    (
        "bfi_conscientiousness",
        "Conscientiousness (BFI-10, self-report)",
        [
            ("bfi_c1r", "tends to be lazy", true),
            ("bfi_c2", "does a thorough job", false),
        ],
    ),
    (
        "bfi_extraversion",
        "Extraversion (BFI-10, self-report)",
        [
            ("bfi_e1r", "is reserved", true),
            ("bfi_e2", "is outgoing, sociable", false),
        ],
    ),
    (
        "bfi_agreeableness",
        "Agreeableness (BFI-10, self-report)",
        [
            ("bfi_a1", "is generally trusting", false),
            ("bfi_a2r", "tends to find fault with others", true),
        ],
    ),
    (
        "bfi_neuroticism",
        "Neuroticism (BFI-10, self-report)",
        [
            ("bfi_n1r", "is relaxed, handles stress well", true),
            ("bfi_n2", "gets nervous easily", false),
        ],
    ),
];

/// The questionnaire part of the demo codebook, in a codebook file's form (a scale with its
/// items), to append to the demo's `codebook.toml`.
fn bfi10_toml() -> String {
    let mut out = String::from(
        "\n# BFI-10 (Rammstedt & John, 2007), answered by the person: \"I see myself as someone \
         who ...\"\n# Each scale is scored from its items; the items are rated, the scales never.\n",
    );
    for (name, label, items) in BFI10 {
        let _ = writeln!(
            out,
            "\n[[dimensions]]\nname = \"{name}\"\nlabel = \"{label}\""
        );
        let _ = writeln!(
            out,
            "scale = {{ type = \"likert\", min = 1, max = 5, anchors = [{{ value = 1, label = \
             \"disagree strongly\" }}, {{ value = 5, label = \"agree strongly\" }}] }}"
        );
        let _ = writeln!(
            out,
            "scoring = {{ rule = \"mean\", min_items = 2 }}\nitems = ["
        );
        for (item, text, reverse) in items {
            let _ = writeln!(
                out,
                "  {{ name = \"{item}\", text = \"{text}\", definition = \"I see myself as \
                 someone who {text}.\"{} }},",
                if reverse { ", reverse = true" } else { "" }
            );
        }
        out.push_str("]\n");
    }
    out
}

/// A seeded demo study: `persons` persons × 3 contexts.
pub fn demo(seed: u64, persons: usize) -> DemoFiles {
    let mut rng = SampleRng::new(seed);
    let cb = demo_codebook();
    let raters = ["ana", "ben", "chloe"];
    let leniency: Vec<f64> = raters.iter().map(|_| 0.25 * rng.normal()).collect();
    let mut profiles = String::new();
    let mut ratings = String::from("person,context,rater,dimension,value\n");
    let mut model = String::from("person,context,rater,dimension,value\n");
    // (person, context, trait, state) of the Big Five, for the self-report drawn afterwards
    // from its own generator: the annotators' data stay as they were without it.
    let mut latent: Vec<(String, &str, Vec<f64>, Vec<f64>)> = Vec::new();
    let base = chrono::DateTime::parse_from_rfc3339("2024-03-01T09:00:00Z")
        .map(|d| d.timestamp())
        .unwrap_or(0);
    for p in 0..persons {
        let person = format!("u{:03}", p + 1);
        let trait_: Vec<f64> = cb.dimensions.iter().map(|_| 0.55 * rng.normal()).collect();
        for (c, context) in CONTEXTS.iter().enumerate() {
            let state: Vec<f64> = cb.dimensions.iter().map(|_| 0.95 * rng.normal()).collect();
            latent.push((
                person.clone(),
                *context,
                trait_[..BFI10.len()].to_vec(),
                state[..BFI10.len()].to_vec(),
            ));
            let mood_score = state[5] + trait_[5] - state[6];
            let mood = if mood_score < -0.6 {
                0
            } else if mood_score > 0.6 {
                2
            } else {
                1
            };
            let n_texts = 1 + rng.below(3);
            let mut used: Vec<String> = Vec::new();
            let texts: Vec<serde_json::Value> = (0..n_texts)
                .map(|i| {
                    let (title, body) = text_for(&mut rng, c, mood, &used);
                    used.push(body.clone());
                    let ts = chrono::DateTime::from_timestamp(
                        base + (p * 86_400 + c * 3_600 + i * 600) as i64,
                        0,
                    )
                    .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default();
                    serde_json::json!({ "title": title, "text": body, "created_at": ts })
                })
                .collect();
            let line = serde_json::json!({ "person": person, "context": context, "texts": texts });
            let _ = writeln!(profiles, "{line}");
            for (d, dim) in cb.dimensions.iter().enumerate() {
                for (r, rater) in raters.iter().enumerate() {
                    // A few missing ratings, as in real studies.
                    if rng.uniform() < 0.03 {
                        continue;
                    }
                    let v = scale_value(
                        &dim.scale,
                        trait_[d] + state[d] + leniency[r] + 0.45 * rng.normal(),
                        mood,
                    );
                    let _ = writeln!(ratings, "{person},{context},{rater},{},{v}", dim.name);
                }
                // The model sees the person, not the context: state-blind. Its small noise
                // must stay well inside one scale step, or rounding alone would make its
                // ratings move across contexts (a state share of 15–30%).
                let v = scale_value(
                    &dim.scale,
                    1.1 * trait_[d] + 0.03 * state[d] + 0.03 * rng.normal(),
                    1,
                );
                let _ = writeln!(model, "{person},{context},model-gpt,{},{v}", dim.name);
            }
        }
    }
    let codebook_toml = toml::to_string_pretty(&cb).unwrap_or_default();
    DemoFiles {
        profiles_jsonl: profiles,
        questionnaire_toml: format!("{codebook_toml}{}", bfi10_toml()),
        codebook_toml,
        ratings_csv: ratings,
        model_ratings_csv: model,
        questionnaire_csv: bfi10_answers(seed, &latent),
    }
}

/// The self-report: an item is 3 + the person's standardised trait (mostly) and state in the
/// context (some) + item noise, rounded onto 1..5 and reversed where the item is keyed
/// negatively, so each pair correlates about .6 (α about .75).
fn bfi10_answers(seed: u64, latent: &[(String, &str, Vec<f64>, Vec<f64>)]) -> String {
    let mut rng = SampleRng::new(seed ^ 0xBF10_0000_0000_0001);
    let mut out = String::from("person,context,rater,dimension,value\n");
    for (person, context, traits, states) in latent {
        for (t, (_, _, items)) in BFI10.iter().enumerate() {
            let l = 0.85 * traits[t] / 0.55 + 0.3 * states[t] / 0.95;
            for (item, _, reverse) in items {
                let v = (3.0 + 0.95 * (l + 0.6 * rng.normal()))
                    .round()
                    .clamp(1.0, 5.0);
                let v = if *reverse { 6.0 - v } else { v };
                let _ = writeln!(out, "{person},{context},self,{item},{v}");
            }
        }
    }
    out
}

/// Maps a latent z-like score onto a scale point.
fn scale_value(scale: &Scale, z: f64, mood: usize) -> String {
    match scale {
        Scale::Likert { min, max, .. } => {
            let mid = (*min + *max) as f64 / 2.0;
            let spread = (*max - *min) as f64 / 4.0;
            let v = (mid + z * spread).round().clamp(*min as f64, *max as f64);
            format!("{v}")
        }
        Scale::Continuous { min, max, .. } => {
            format!("{:.2}", ((min + max) / 2.0 + z).clamp(*min, *max))
        }
        Scale::Nominal { categories } => {
            // Mood drives the emotion: low → sadness/anger/fear, high → joy, mid → calm.
            let idx = match mood {
                0 => 1 + ((z.abs() * 10.0) as usize % 3),
                2 => 0,
                _ => 4,
            };
            categories
                .get(idx.min(categories.len() - 1))
                .map(|c| c.value.to_string())
                .unwrap_or_default()
        }
    }
}

/// Shape of a benchmark data set.
#[derive(Debug, Clone, Copy)]
pub struct BenchShape {
    /// Persons.
    pub persons: usize,
    /// Contexts per person.
    pub contexts: usize,
    /// Raters per profile.
    pub raters_per_profile: usize,
    /// Raters to draw them from.
    pub rater_pool: usize,
    /// Dimensions.
    pub dimensions: usize,
    /// Seed: the same seed gives the same data.
    pub seed: u64,
}

impl Default for BenchShape {
    /// The Chameleon study's scale: 1,667 persons × 3 contexts, 3 raters from a pool of 12,
    /// 10 dimensions (150,030 ratings).
    fn default() -> Self {
        BenchShape {
            persons: 1667,
            contexts: 3,
            raters_per_profile: 3,
            rater_pool: 12,
            dimensions: 10,
            seed: 1,
        }
    }
}

/// One rating of the benchmark data, as indices. The writers name them `p{person}`,
/// `c{context}` (`s{context}` when contexts are shared), `r{rater}` and `dim{dimension}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BenchRating {
    /// Person index.
    pub person: usize,
    /// Context index: the person's own (0..contexts) or the shared pool's.
    pub context: usize,
    /// Rater index in the pool.
    pub rater: usize,
    /// Dimension index.
    pub dimension: usize,
    /// The rating, 1–7.
    pub value: f64,
}

/// Where the benchmark's contexts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchContexts {
    /// Each person has contexts `c0`, `c1`, … of their own, with no effect of their own.
    PerPerson,
    /// Each person's contexts are drawn from a pool of this many shared contexts (`s0`, `s1`,
    /// …), each with its own pull on every dimension (SD 0.45 on the latent scale): the
    /// shared-context G-study of issue #12. A pool below `shape.contexts` is raised to it.
    Shared(usize),
}

impl BenchContexts {
    /// The letter the context ids start with.
    pub fn prefix(self) -> char {
        match self {
            BenchContexts::PerPerson => 'c',
            BenchContexts::Shared(_) => 's',
        }
    }
}

/// Generates Chameleon-scale ratings (Likert 1–7, trait share about 26%) in file order, one
/// call of `emit` each; returns how many. The same shape gives the same ratings whatever
/// the file format they are written in.
pub fn bench_ratings(
    shape: BenchShape,
    contexts: BenchContexts,
    emit: &mut dyn FnMut(BenchRating) -> std::io::Result<()>,
) -> std::io::Result<usize> {
    match contexts {
        BenchContexts::PerPerson => bench_ratings_per_person(shape, emit),
        BenchContexts::Shared(pool) => bench_ratings_shared(shape, pool, emit),
    }
}

fn bench_ratings_per_person(
    shape: BenchShape,
    emit: &mut dyn FnMut(BenchRating) -> std::io::Result<()>,
) -> std::io::Result<usize> {
    let mut rng = SampleRng::new(shape.seed);
    let pool = shape.rater_pool.max(shape.raters_per_profile).max(1);
    let leniency: Vec<f64> = (0..pool).map(|_| 0.3 * rng.normal()).collect();
    let mut n = 0;
    let mut chosen = Vec::with_capacity(shape.raters_per_profile);
    for p in 0..shape.persons {
        let traits: Vec<f64> = (0..shape.dimensions).map(|_| 0.59 * rng.normal()).collect();
        for c in 0..shape.contexts {
            chosen.clear();
            while chosen.len() < shape.raters_per_profile.min(pool) {
                let r = rng.below(pool);
                if !chosen.contains(&r) {
                    chosen.push(r);
                }
            }
            for (d, t) in traits.iter().enumerate() {
                let state = 0.99 * rng.normal();
                for &r in &chosen {
                    let y = (4.0 + 1.2 * (t + state + leniency[r] + 0.5 * rng.normal()))
                        .round()
                        .clamp(1.0, 7.0);
                    emit(BenchRating {
                        person: p,
                        context: c,
                        rater: r,
                        dimension: d,
                        value: y,
                    })?;
                    n += 1;
                }
            }
        }
    }
    Ok(n)
}

fn bench_ratings_shared(
    shape: BenchShape,
    context_pool: usize,
    emit: &mut dyn FnMut(BenchRating) -> std::io::Result<()>,
) -> std::io::Result<usize> {
    let mut rng = SampleRng::new(shape.seed ^ 0x5EED);
    let pool = shape.rater_pool.max(shape.raters_per_profile).max(1);
    let contexts = context_pool.max(shape.contexts).max(1);
    let leniency: Vec<f64> = (0..pool).map(|_| 0.3 * rng.normal()).collect();
    let pull: Vec<Vec<f64>> = (0..contexts)
        .map(|_| (0..shape.dimensions).map(|_| 0.45 * rng.normal()).collect())
        .collect();
    let mut n = 0;
    let mut chosen = Vec::with_capacity(shape.raters_per_profile);
    let mut seen = Vec::with_capacity(shape.contexts);
    for p in 0..shape.persons {
        let traits: Vec<f64> = (0..shape.dimensions).map(|_| 0.59 * rng.normal()).collect();
        seen.clear();
        while seen.len() < shape.contexts.min(contexts) {
            let c = rng.below(contexts);
            if !seen.contains(&c) {
                seen.push(c);
            }
        }
        for &c in &seen {
            chosen.clear();
            while chosen.len() < shape.raters_per_profile.min(pool) {
                let r = rng.below(pool);
                if !chosen.contains(&r) {
                    chosen.push(r);
                }
            }
            for (d, t) in traits.iter().enumerate() {
                let state = 0.85 * rng.normal();
                for &r in &chosen {
                    let y = (4.0
                        + 1.2 * (t + pull[c][d] + state + leniency[r] + 0.5 * rng.normal()))
                    .round()
                    .clamp(1.0, 7.0);
                    emit(BenchRating {
                        person: p,
                        context: c,
                        rater: r,
                        dimension: d,
                        value: y,
                    })?;
                    n += 1;
                }
            }
        }
    }
    Ok(n)
}

/// Writes [`bench_ratings`] as a tidy ratings CSV to `out`.
pub fn write_bench_csv(
    shape: BenchShape,
    contexts: BenchContexts,
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    let mut w = std::io::BufWriter::new(out);
    writeln!(w, "person,context,rater,dimension,value")?;
    let c = contexts.prefix();
    let n = bench_ratings(shape, contexts, &mut |r| {
        writeln!(
            w,
            "p{},{c}{},r{},dim{},{}",
            r.person, r.context, r.rater, r.dimension, r.value
        )
    })?;
    w.flush()?;
    Ok(n)
}

/// Writes [`bench_ratings`] as a Parquet file (the tidy columns, ids as text, values as
/// doubles; snappy, row groups of about a million rows) to `out`, in bounded memory.
#[cfg(feature = "parquet")]
pub fn write_bench_parquet(
    shape: BenchShape,
    contexts: BenchContexts,
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    write_bench_parquet_grouped(shape, contexts, out, None)
}

#[cfg(feature = "parquet")]
fn write_bench_parquet_grouped(
    shape: BenchShape,
    contexts: BenchContexts,
    out: &mut dyn std::io::Write,
    group_rows: Option<usize>,
) -> std::io::Result<usize> {
    let mut w = match group_rows {
        Some(rows) => crate::tidy::TidyParquetWriter::with_group_rows(out, rows)?,
        None => crate::tidy::TidyParquetWriter::new(out)?,
    };
    let c = contexts.prefix();
    let n = bench_ratings(shape, contexts, &mut |r| {
        w.push(
            |[person, context, rater, dimension]| {
                write!(person, "p{}", r.person)?;
                write!(context, "{c}{}", r.context)?;
                write!(rater, "r{}", r.rater)?;
                write!(dimension, "dim{}", r.dimension)
            },
            r.value,
        )
    })?;
    w.finish()?;
    Ok(n)
}

/// Writes Chameleon-scale tidy ratings (Likert 1–7, trait share about 26%) to `out`, each
/// person with contexts of their own.
pub fn write_bench_ratings(
    shape: BenchShape,
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    write_bench_csv(shape, BenchContexts::PerPerson, out)
}

/// Like [`write_bench_ratings`], with contexts shared across persons
/// ([`BenchContexts::Shared`]).
pub fn write_bench_ratings_shared(
    shape: BenchShape,
    context_pool: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    write_bench_csv(shape, BenchContexts::Shared(context_pool), out)
}

/// Profiles (JSONL) matching [`write_bench_ratings`]'s persons and contexts.
pub fn write_bench_profiles(
    shape: BenchShape,
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    let mut rng = SampleRng::new(shape.seed ^ 0xABCD);
    let mut w = std::io::BufWriter::new(out);
    let mut n = 0;
    for p in 0..shape.persons {
        for c in 0..shape.contexts {
            let mood = rng.below(3);
            let (title, body) = text_for(&mut rng, c, mood, &[]);
            let line = serde_json::json!({ "person": format!("p{p}"), "context": format!("c{c}"), "title": title, "text": body });
            writeln!(w, "{line}")?;
            n += 1;
        }
    }
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_seeded_and_parses() {
        let a = demo(7, 5);
        let b = demo(7, 5);
        assert_eq!(a.ratings_csv, b.ratings_csv, "same seed, same data");
        assert_ne!(a.ratings_csv, demo(8, 5).ratings_csv);
        let cb: Codebook = toml::from_str(&a.codebook_toml).unwrap();
        assert_eq!(cb, demo_codebook(), "the codebook survives TOML");
        let f = crate::tidy::parse("demo.csv", a.ratings_csv.as_bytes()).unwrap();
        let ds = f.to_dataset("demo.csv").unwrap();
        assert_eq!(ds.profiles.len(), 15);
        for d in &ds.dimensions {
            let dim = cb.dimensions.iter().find(|x| x.name == d.name).unwrap();
            assert!(
                d.observations
                    .iter()
                    .all(|o| dim.scale.check(o.value).is_ok()),
                "{} off scale",
                d.name
            );
        }
    }

    #[test]
    fn demo_questionnaire_scores_into_five_reliable_scales() {
        use crate::analysis::reliability::{multilevel, reliability, ScaleSpec};
        let files = demo(2024, 36);
        let plain = demo_codebook();
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let mut s = crate::Study::create(&dir.path().join("s.db")).unwrap();
        s.import_profiles(&put("p.jsonl", &files.profiles_jsonl))
            .unwrap();
        s.import_codebook(&put("c.toml", &files.codebook_toml))
            .unwrap();
        s.import_ratings(&put("r.csv", &files.ratings_csv), &Default::default())
            .unwrap();
        s.import_codebook(&put("q.toml", &files.questionnaire_toml))
            .unwrap();
        let q = s
            .import_ratings(&put("q.csv", &files.questionnaire_csv), &Default::default())
            .unwrap();
        assert_eq!(q.added, 36 * 3 * 10, "ten items per profile");
        let cb = s.codebook().unwrap().unwrap();
        assert_eq!(cb.dimensions.len(), plain.dimensions.len() + 10);
        assert_eq!(cb.scales.len(), 5);
        assert!(cb
            .scales
            .iter()
            .all(|sc| sc.items.iter().filter(|i| i.reverse).count() == 1));
        assert_eq!(cb.guidelines, plain.guidelines, "the guidelines stay");
        let ds = s.dataset().unwrap();
        let specs: Vec<ScaleSpec> = cb.scales.iter().map(ScaleSpec::from).collect();
        for r in reliability(&ds, &specs, None).unwrap() {
            let (a, o) = (r.raw_alpha.unwrap(), r.omega_total.unwrap());
            assert_eq!(r.n, 108, "{}", r.scale);
            assert!((0.6..0.9).contains(&a), "{}: α {a}", r.scale);
            assert!((0.6..0.9).contains(&o), "{}: ω {o}", r.scale);
            assert!(r.items.iter().all(|i| i.item_rest.unwrap() > 0.4), "{r:?}");
        }
        for m in multilevel(&ds, &specs, None).unwrap() {
            let m = m.reliability.unwrap();
            assert!(m.rkf > 0.5, "{m:?}");
        }
        // Each scale is a dimension of the analyses, scored per profile.
        let e = ds.dimension("bfi_extraversion").unwrap();
        assert_eq!(e.observations.len(), 108);
        assert!(e
            .observations
            .iter()
            .all(|o| (1.0..=5.0).contains(&o.value)));
    }

    #[test]
    fn demo_model_rater_is_state_blind_and_the_annotators_are_not() {
        use crate::analysis::decompose::{run_decomposition, DecomposeRunOptions};
        use chameleon_stats::bootstrap::Control;
        let files = demo(7, 40);
        let csv = files.ratings_csv.clone()
            + files.model_ratings_csv.split_once('\n').map_or("", |x| x.1);
        let ds = crate::tidy::parse("demo.csv", csv.as_bytes())
            .unwrap()
            .to_dataset("demo.csv")
            .unwrap();
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let control = Control {
            progress: &|_, _| {},
            cancel: &cancel,
        };
        let report = run_decomposition(&ds, &DecomposeRunOptions::default(), &control).unwrap();
        let (mut blind, mut numeric) = (0, 0);
        for d in report
            .dimensions
            .iter()
            .filter(|d| d.dimension != "dominant_emotion")
        {
            numeric += 1;
            for s in &d.rater_sensitivity {
                if s.rater == "model-gpt" {
                    blind += usize::from(s.state_blind == Some(true));
                } else {
                    assert_eq!(s.state_blind, Some(false), "{} on {}", s.rater, d.dimension);
                }
            }
        }
        assert!(
            blind * 10 >= numeric * 8,
            "model state-blind on {blind} of {numeric}"
        );
    }

    #[test]
    fn shared_contexts_are_shared_and_counted() {
        let shape = BenchShape {
            persons: 40,
            dimensions: 2,
            ..BenchShape::default()
        };
        let mut buf = Vec::new();
        let n = write_bench_ratings_shared(shape, 10, &mut buf).unwrap();
        assert_eq!(n, 40 * 3 * 3 * 2);
        let text = String::from_utf8(buf).unwrap();
        let mut persons_of: std::collections::BTreeMap<&str, std::collections::BTreeSet<&str>> =
            Default::default();
        for l in text.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            persons_of.entry(f[1]).or_default().insert(f[0]);
        }
        assert!(persons_of.len() <= 10);
        assert!(
            persons_of.values().any(|p| p.len() >= 2),
            "contexts are shared"
        );
    }

    #[test]
    fn bench_shape_counts() {
        let shape = BenchShape {
            persons: 10,
            ..Default::default()
        };
        let mut buf = Vec::new();
        let n = write_bench_ratings(shape, &mut buf).unwrap();
        assert_eq!(n, 10 * 3 * 3 * 10);
        assert_eq!(buf.iter().filter(|&&b| b == b'\n').count(), n + 1);
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn bench_parquet_holds_the_rows_of_the_bench_csv() {
        let dir = tempfile::tempdir().unwrap();
        let shape = BenchShape {
            persons: 25,
            ..Default::default()
        };
        for contexts in [BenchContexts::PerPerson, BenchContexts::Shared(7)] {
            let csv = dir.path().join("bench.csv");
            let pq = dir.path().join("bench.parquet");
            let n = write_bench_csv(shape, contexts, &mut std::fs::File::create(&csv).unwrap())
                .unwrap();
            // 2,250 rows in groups of 1,000: three row groups, each drained to the file.
            let m = write_bench_parquet_grouped(
                shape,
                contexts,
                &mut std::fs::File::create(&pq).unwrap(),
                Some(1000),
            )
            .unwrap();
            assert_eq!((n, m), (2250, 2250));
            let from_csv = crate::tidy::read_path(&csv).unwrap();
            let from_pq = crate::tidy::read_path(&pq).unwrap();
            assert_eq!(from_pq.rows.len(), n);
            assert_eq!(from_pq.rows, from_csv.rows, "{contexts:?}");
            let groups = parquet::file::reader::FileReader::metadata(
                &parquet::file::reader::SerializedFileReader::new(
                    std::fs::File::open(&pq).unwrap(),
                )
                .unwrap(),
            )
            .num_row_groups();
            assert_eq!(groups, 3);
        }
    }
}
