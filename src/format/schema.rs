//! The JSON Schema (draft 2020-12) of a prospect's front matter, for
//! editors and checks outside `ledger` (`ledger schema`, SPEC section 9).
//!
//! The schema is made from [`KEYS`], the table of the keys the parser in
//! [`crate::format::front_matter`] reads into [`Fields`](crate::format::front_matter::Fields).
//! The tests below hold the two together: every key of the table is one the
//! parser checks, and every field of `Fields` has its key in the table.

use serde_json::{json, Map, Value};

/// What the parser accepts as a key's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The prospect's name: text that is not blank.
    Name,
    /// A stage's name: text, and only text (`stage: 5` is no stage).
    Stage,
    /// Text; the parser takes any scalar (a number or a boolean as written).
    Text,
    /// A number ≥ 0.
    Number,
    /// A date `YYYY-MM-DD`, quoted or not.
    Date,
    /// `true`, `false`, or the date since when.
    BoolOrDate,
    /// A list of cadence steps (`2d email`), or a single step.
    Steps,
    /// A list of words, or a single word for one tag.
    Tags,
}

/// One key the parser knows.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// The key as written in the front matter.
    pub name: &'static str,
    /// What its value must be.
    pub kind: Kind,
    /// What it means (SPEC section 1).
    pub description: &'static str,
}

/// The keys of SPEC section 1, in its order: every key the parser reads.
pub const KEYS: &[Key] = &[
    key("name", Kind::Name, "Display name (required)."),
    key(
        "stage",
        Kind::Stage,
        "One of `stages` in ledger.yaml; default `lead`.",
    ),
    key("value", Kind::Number, "Expected deal value."),
    key(
        "currency",
        Kind::Text,
        "Currency of the value; defaults to the settings' `currency`.",
    ),
    key(
        "next",
        Kind::Date,
        "Explicit next follow-up: an agreed call, the prospect's request, a snooze.",
    ),
    key("added", Kind::Date, "When the prospect entered the ledger."),
    key(
        "dnc",
        Kind::BoolOrDate,
        "Do not contact: true, or the date since when.",
    ),
    key(
        "reason",
        Kind::Text,
        "Why it was closed (declined, no-budget, competitor, no-response, …).",
    ),
    key(
        "cadence",
        Kind::Steps,
        "This prospect's own cadence, such as [2d email, 3d call].",
    ),
    key("company", Kind::Text, "Company."),
    key("contact", Kind::Text, "Contact person."),
    key("email", Kind::Text, "Email address."),
    key("phone", Kind::Text, "Phone number."),
    key("owner", Kind::Text, "Who on the team owns it."),
    key("source", Kind::Text, "Where the lead came from."),
    key(
        "tags",
        Kind::Tags,
        "Tags: a list of words (a single word is one tag).",
    ),
];

const fn key(name: &'static str, kind: Kind, description: &'static str) -> Key {
    Key {
        name,
        kind,
        description,
    }
}

/// The URI of the JSON Schema draft the schema follows.
const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The JSON Schema of a prospect's front matter: the known keys and their
/// types, `name` required, every other key allowed (it is the user's own).
pub fn front_matter() -> Value {
    let properties: Map<String, Value> = KEYS
        .iter()
        .map(|k| {
            let mut schema = value_schema(k.kind);
            if let Value::Object(map) = &mut schema {
                map.insert("description".into(), k.description.into());
            }
            (k.name.to_owned(), schema)
        })
        .collect();
    json!({
        "$schema": DRAFT,
        "title": "ledger prospect front matter",
        "description": "The YAML front matter of a prospect file of a `ledger` ledger.",
        "type": "object",
        "required": ["name"],
        "properties": properties,
        "additionalProperties": true,
    })
}

/// The schema of one kind of value. Every key but `name` may be empty
/// (`null`): the parser reads an empty value as an absent key.
fn value_schema(kind: Kind) -> Value {
    // A scalar as the parser's text: YAML reads `phone: 5551234` as a number.
    let scalar = json!(["string", "number", "boolean"]);
    let date =
        json!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" });
    match kind {
        // Text with some character that is not white space. The parser
        // also reads a number or a boolean as a name's text (`name: 1984`);
        // the schema asks for text, so that an editor's check has it quoted.
        Kind::Name => json!({ "type": "string", "pattern": "\\S" }),
        Kind::Stage => json!({ "type": ["string", "null"] }),
        Kind::Text => json!({ "type": ["string", "number", "boolean", "null"] }),
        Kind::Number => json!({ "type": ["number", "null"], "minimum": 0 }),
        Kind::Date => json!({ "anyOf": [date, { "type": "null" }] }),
        Kind::BoolOrDate => {
            json!({ "anyOf": [{ "type": "boolean" }, date, { "type": "null" }] })
        }
        Kind::Steps => json!({
            "anyOf": [
                { "type": "array", "items": { "type": "string" } },
                { "type": ["string", "null"] },
            ]
        }),
        Kind::Tags => json!({
            "anyOf": [
                { "type": "array", "items": { "type": scalar } },
                { "type": ["string", "number", "boolean", "null"] },
            ]
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::front_matter::{self, Fields};

    #[test]
    fn every_key_of_the_table_is_one_the_parser_checks() {
        // A mapping is no key's value: the parser reports it for a key it
        // knows, and keeps it silently for a key of the user's own.
        for k in KEYS {
            let yaml = format!("name: Acme\n{}: {{a: 1}}\n", k.name);
            let read = front_matter::read_any(&yaml, 2);
            assert!(!read.problems.is_empty(), "{} is not checked", k.name);
        }
        let own = front_matter::read_any("name: Acme\nmine: {a: 1}\n", 2);
        assert!(own.problems.is_empty(), "{:?}", own.problems);
    }

    #[test]
    fn every_field_has_its_key_in_the_table() {
        let fields = serde_json::to_value(Fields::default()).unwrap();
        let mut fields: Vec<&str> = fields
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut table: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        fields.sort_unstable();
        table.sort_unstable();
        assert_eq!(fields, table);
    }

    #[test]
    fn the_schema_names_its_draft_and_requires_a_name() {
        let schema = front_matter();
        assert_eq!(schema["$schema"], DRAFT);
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["name"]));
        assert_eq!(schema["properties"]["name"]["type"], "string");
        assert_eq!(schema["properties"].as_object().unwrap().len(), KEYS.len());
    }
}
