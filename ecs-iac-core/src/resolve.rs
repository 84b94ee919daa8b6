//! Placeholders: `${address.attribute}`, `${aws.account_id}` and `${aws.region}` inside
//! request strings, found and replaced. Pure: the engine supplies the values.

use serde_json::Value;

/// The AWS partition of `region`: `aws-cn` for China, `aws-us-gov` for GovCloud,
/// `aws-iso*` for the isolated regions, `aws` for the rest. ARNs start with it.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eu-isoe-") {
        "aws-iso-e"
    } else if region.starts_with("us-isof-") {
        "aws-iso-f"
    } else {
        "aws"
    }
}

/// The value of `${aws.ATTRIBUTE}` (`account_id`, `region`, `partition`) for the account
/// and region a run talks to, when they are known.
pub fn aws_value(
    attribute: &str,
    account_id: Option<&str>,
    region: Option<&str>,
) -> Option<String> {
    match attribute {
        "account_id" => account_id.map(str::to_string),
        "region" => region.map(str::to_string),
        "partition" => region.map(|r| partition(r).to_string()),
        _ => None,
    }
}

/// One placeholder: the address before the last `.` and the attribute after it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Placeholder {
    /// `aws` or a resource address.
    pub address: String,
    /// The attribute, e.g. `id` or `arn`.
    pub attribute: String,
}

/// A placeholder no value was found for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no value for `${{{address}.{attribute}}}`; `{address}` must be applied first")]
pub struct Unresolved {
    /// The address.
    pub address: String,
    /// The attribute.
    pub attribute: String,
}

/// Calls `f` with the range, address and attribute of every placeholder in `text`.
/// Looks for `$` with `memchr` first: most strings hold none.
fn scan_borrowed<'t>(text: &'t str, mut f: impl FnMut(std::ops::Range<usize>, &'t str, &'t str)) {
    let mut from = 0;
    while let Some(dollar) = text[from..].find('$').map(|i| from + i) {
        if text.as_bytes().get(dollar + 1) != Some(&b'{') {
            from = dollar + 1;
            continue;
        }
        let Some(end) = text[dollar..].find('}').map(|i| dollar + i) else {
            break;
        };
        if let Some((address, attribute)) = text[dollar + 2..end].rsplit_once('.') {
            f(dollar..end + 1, address, attribute);
        }
        from = end + 1;
    }
}

/// Calls `f` for every placeholder in `text`.
fn scan(text: &str, mut f: impl FnMut(std::ops::Range<usize>, Placeholder)) {
    scan_borrowed(text, |range, address, attribute| {
        f(
            range,
            Placeholder {
                address: address.to_string(),
                attribute: attribute.to_string(),
            },
        )
    });
}

/// Calls `f(address, attribute)` for every placeholder in a request, in order, with
/// repeats, without copying them.
pub fn each_placeholder<'v>(value: &'v Value, f: &mut dyn FnMut(&'v str, &'v str)) {
    visit_strings(value, &mut |s| {
        scan_borrowed(s, |_, address, attribute| f(address, attribute))
    });
}

/// Calls `f(address, attribute)` for every placeholder in `text`, in order, with repeats.
pub(crate) fn each_placeholder_in<'t>(text: &'t str, mut f: impl FnMut(&'t str, &'t str)) {
    scan_borrowed(text, |_, address, attribute| f(address, attribute));
}

/// Every placeholder in a request, in order, with repeats.
pub fn placeholders(value: &Value) -> Vec<Placeholder> {
    let mut out = Vec::new();
    visit_strings(value, &mut |s| scan(s, |_, p| out.push(p)));
    out
}

fn visit_strings<'v, F: FnMut(&'v str)>(value: &'v Value, f: &mut F) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| visit_strings(v, f)),
        Value::Object(map) => map.values().for_each(|v| visit_strings(v, f)),
        _ => {}
    }
}

/// Replaces every placeholder in `text` with `lookup(address, attribute)`.
pub fn resolve_str(
    text: &str,
    lookup: &dyn Fn(&str, &str) -> Option<String>,
) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut missing = None;
    scan(text, |range, p| {
        if missing.is_some() {
            return;
        }
        match lookup(&p.address, &p.attribute) {
            Some(v) => {
                out.push_str(&text[last..range.start]);
                out.push_str(&v);
                last = range.end;
            }
            None => {
                missing = Some(Unresolved {
                    address: p.address,
                    attribute: p.attribute,
                })
            }
        }
    });
    if let Some(m) = missing {
        return Err(m);
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// A copy of `value` with every placeholder replaced.
pub fn resolve(
    value: &Value,
    lookup: &dyn Fn(&str, &str) -> Option<String>,
) -> Result<Value, Unresolved> {
    Ok(match value {
        Value::String(s) if s.contains("${") => Value::String(resolve_str(s, lookup)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve(v, lookup))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), resolve(v, lookup)?)))
                .collect::<Result<_, Unresolved>>()?,
        ),
        other => other.clone(),
    })
}

/// A copy of `value` with every placeholder `lookup` has a value for replaced; the others
/// stay as written. For comparing a request with what AWS reports, where some values
/// (secrets, ids of resources not created yet) are not known and never will be here.
pub fn resolve_known(value: &Value, lookup: &dyn Fn(&str, &str) -> Option<String>) -> Value {
    match value {
        Value::String(s) if s.contains("${") => {
            let mut out = String::with_capacity(s.len());
            let mut last = 0;
            scan(s, |range, p| {
                if let Some(v) = lookup(&p.address, &p.attribute) {
                    out.push_str(&s[last..range.start]);
                    out.push_str(&v);
                    last = range.end;
                }
            });
            out.push_str(&s[last..]);
            Value::String(out)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve_known(v, lookup)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve_known(v, lookup)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether `text` still holds a `${address.attribute}` placeholder.
pub fn has_placeholder(text: &str) -> bool {
    let mut found = false;
    scan(text, |_, _| found = true);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_and_resolves_embedded_placeholders() {
        let body = json!({
            "VpcId": "${network/vpc.id}",
            "Arn": "arn:aws:iam::${aws.account_id}:role/x",
            "Secret": "${secret/db.arn}:password::",
            "Plain": "no placeholder",
            "N": 3,
        });
        let found = placeholders(&body);
        assert_eq!(found.len(), 3);
        assert!(found.contains(&Placeholder {
            address: "network/vpc".into(),
            attribute: "id".into()
        }));
        let lookup = |a: &str, attr: &str| match (a, attr) {
            ("network/vpc", "id") => Some("vpc-1".to_string()),
            ("aws", "account_id") => Some("123456789012".to_string()),
            ("secret/db", "arn") => Some("arn:s".to_string()),
            _ => None,
        };
        let resolved = resolve(&body, &lookup).unwrap();
        assert_eq!(resolved["VpcId"], "vpc-1");
        assert_eq!(resolved["Arn"], "arn:aws:iam::123456789012:role/x");
        assert_eq!(resolved["Secret"], "arn:s:password::");
        assert_eq!(resolved["N"], 3);
        let partly = resolve_known(
            &json!({"A": "${network/vpc.id}/${other.id}", "B": ["${aws.account_id}"]}),
            &lookup,
        );
        assert_eq!(
            partly,
            json!({"A": "vpc-1/${other.id}", "B": ["123456789012"]})
        );
        assert!(has_placeholder("x-${other.id}"));
        assert!(!has_placeholder("vpc-1") && !has_placeholder("${unterminated"));
        let err = resolve(&json!({"X": "${other.id}"}), &lookup).unwrap_err();
        assert_eq!(err.address, "other");
        assert!(err.to_string().contains("${other.id}"));
    }
}
