//! The answer's JSON schema (sent as `response_format`) and the checking of what came back.

use crate::model::{Dimension, Scale};
use serde_json::{json, Map, Value};

/// `response_format` for the chat-completions request: an object with one required key per
/// dimension, Likert points and nominal codes as an integer `enum`, continuous scales as a
/// number with `minimum`/`maximum`.
pub fn response_format(dims: &[&Dimension]) -> Value {
    let mut props = Map::new();
    for d in dims {
        let p = match &d.scale {
            Scale::Likert { min, max, .. } => {
                json!({"type": "integer", "enum": (*min..=*max).collect::<Vec<i64>>()})
            }
            Scale::Nominal { categories } => json!({
                "type": "integer",
                "enum": categories.iter().map(|c| c.value).collect::<Vec<i64>>()
            }),
            Scale::Continuous { min, max, .. } => {
                json!({"type": "number", "minimum": min, "maximum": max})
            }
        };
        props.insert(d.name.clone(), p);
    }
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": "ratings",
            "strict": true,
            "schema": {
                "type": "object",
                "properties": props,
                "required": dims.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
                "additionalProperties": false
            }
        }
    })
}

/// What a server's answer holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatReply {
    /// The message content (the model's answer text).
    pub content: String,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
}

/// Reads an OpenAI chat-completions response body.
pub fn read_reply(body: &str) -> Result<ChatReply, String> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| format!("the server's response is not JSON: {e}"))?;
    let content = v
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or("the response has no choices[0].message.content")?;
    let tokens = |k: &str| v.pointer(&format!("/usage/{k}")).and_then(Value::as_u64);
    Ok(ChatReply {
        content: content.to_owned(),
        prompt_tokens: tokens("prompt_tokens"),
        completion_tokens: tokens("completion_tokens"),
    })
}

/// The model's answer checked against the scales.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checked {
    pub values: Vec<(String, f64)>,
    pub invalid: Vec<(String, String)>,
}

/// Checks the answer text: one JSON object (a ```json fence around it is tolerated, as small
/// local models add one), each dimension's value on its scale. A nominal dimension also takes
/// its category's label. `Err` when the text is not a JSON object at all.
pub fn check_answer(content: &str, dims: &[&Dimension]) -> Result<Checked, String> {
    let text = strip_fence(content.trim());
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("the answer is not JSON: {e}"))?;
    let obj = v.as_object().ok_or("the answer is not a JSON object")?;
    let mut out = Checked::default();
    for d in dims {
        let got = obj.get(&d.name).or_else(|| {
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&d.name))
                .map(|(_, v)| v)
        });
        let Some(got) = got else {
            out.invalid
                .push((d.name.clone(), "no value for this dimension".into()));
            continue;
        };
        match value_of(got, &d.scale) {
            Ok(x) => match d.scale.check(x) {
                Ok(()) => out.values.push((d.name.clone(), x)),
                Err(m) => out.invalid.push((d.name.clone(), m)),
            },
            Err(m) => out.invalid.push((d.name.clone(), m)),
        }
    }
    Ok(out)
}

fn value_of(v: &Value, scale: &Scale) -> Result<f64, String> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| format!("{n} is not a usable number")),
        Value::String(s) => {
            if let Ok(x) = s.trim().parse::<f64>() {
                return Ok(x);
            }
            if let Scale::Nominal { categories } = scale {
                if let Some(c) = categories
                    .iter()
                    .find(|c| c.label.eq_ignore_ascii_case(s.trim()))
                {
                    return Ok(c.value as f64);
                }
            }
            Err(format!(
                "'{}' is not a value of the scale",
                super::cut(s, 100)
            ))
        }
        other => Err(format!(
            "{} is not a value of the scale",
            super::cut(&other.to_string(), 100)
        )),
    }
}

fn strip_fence(s: &str) -> &str {
    let Some(rest) = s.strip_prefix("```") else {
        return s;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dims() -> Vec<Dimension> {
        crate::sample::demo_codebook().dimensions
    }

    #[test]
    fn the_schema_lists_every_dimension_and_its_allowed_values() {
        let d = dims();
        let refs: Vec<&Dimension> = d.iter().collect();
        let f = response_format(&refs);
        let schema = &f["json_schema"]["schema"];
        assert_eq!(schema["required"].as_array().unwrap().len(), d.len());
        assert_eq!(
            schema["properties"]["openness"]["enum"],
            json!([1, 2, 3, 4, 5])
        );
        assert_eq!(schema["additionalProperties"], json!(false));
    }

    #[test]
    fn off_scale_missing_and_fractional_values_are_invalid_and_a_fence_is_tolerated() {
        let d = dims();
        let refs: Vec<&Dimension> = d.iter().take(3).collect();
        let c = check_answer(
            "```json\n{\"openness\": 4, \"conscientiousness\": 9}\n```",
            &refs,
        )
        .unwrap();
        assert_eq!(c.values, vec![("openness".to_owned(), 4.0)]);
        assert_eq!(c.invalid.len(), 2, "{:?}", c.invalid);
        assert!(c.invalid[0].1.contains("not a point"), "{:?}", c.invalid);
        let c = check_answer(
            "{\"openness\": 3.5, \"conscientiousness\": \"2\", \"extraversion\": 1}",
            &refs,
        )
        .unwrap();
        assert_eq!(c.values.len(), 2);
        assert_eq!(c.invalid[0].0, "openness");
        assert!(check_answer("Sure! Openness is 4.", &refs).is_err());
        assert!(check_answer("[4, 3]", &refs).is_err());
    }
}
