//! Message templates, in Jinja's syntax (minijinja: the one module that
//! uses it). Every variable a template names must exist: a misspelt one
//! is an error at its line and column, not an empty gap in a message
//! someone sends. A template may come with a shared ledger, so what it
//! may cost is bounded.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

/// How much work a template may do (minijinja's fuel: about one unit an
/// instruction, and 64 bytes of memory each): far more than a message
/// over a long log takes, far less than a template that never ends.
const FUEL: u64 = 2_000_000;

/// Why a template could not be rendered, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// 1-based line in the template.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Render `source` with the variables of `values` (a map, as serde
/// writes it).
pub fn render(source: &str, values: &impl Serialize) -> Result<String, TemplateError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Messages are plain text: nothing is escaped for HTML.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_debug(true);
    env.set_fuel(Some(FUEL));
    if let Ok(syntax) = SyntaxConfig::builder().keep_trailing_newline(true).build() {
        env.set_syntax(syntax);
    }
    let template = env
        .template_from_named_str("template", source)
        .map_err(|e| located(source, &e))?;
    template
        .render(Value::from(Serde(values)))
        .map_err(|e| located(source, &e))
}

/// A minijinja error as a [`TemplateError`]: its line, and the column of
/// the span it names (the first column when it names none).
fn located(source: &str, err: &minijinja::Error) -> TemplateError {
    let line = err.line().unwrap_or(1);
    let column = err
        .range()
        .and_then(|range| {
            let before = source.get(..range.start)?;
            let line_start = before.rfind('\n').map_or(0, |at| at + 1);
            Some(before.get(line_start..)?.chars().count() + 1)
        })
        .unwrap_or(1);
    let message = match (err.kind(), err.detail()) {
        // minijinja's word for it is "engine ran out of fuel".
        (minijinja::ErrorKind::OutOfFuel, _) => format!(
            "the template does too much work: it is stopped after {FUEL} steps \
             (a loop that never ends, or text that grows without bound)"
        ),
        (kind, Some(detail)) => format!("{kind}: {detail}"),
        (kind, None) => kind.to_string(),
    };
    TemplateError {
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_with(source: &str) -> Result<String, TemplateError> {
        let values = serde_json::json!({
            "name": "Acme", "contact": null, "tags": ["saas", "eu"], "value": 12000,
        });
        render(source, &values)
    }

    #[test]
    fn renders_values_as_plain_text() {
        let cases = [
            ("Hi {{ name }}", "Hi Acme"),
            ("{{ name }} & <co>\n", "Acme & <co>\n"),
            ("{% if contact %}x{% else %}none{% endif %}", "none"),
            ("{{ tags | join(', ') }}", "saas, eu"),
            ("{{ value }}", "12000"),
        ];
        for (source, want) in cases {
            assert_eq!(render_with(source).as_deref(), Ok(want), "{source}");
        }
    }

    /// An unknown variable and a syntax error are found at their line and
    /// column.
    #[test]
    fn errors_name_their_line_and_column() {
        let cases = [
            ("Hi {{ name }}\n\nfrom {{ mee }}\n", 3, 9, "undefined"),
            ("line one\n{% if name %}\nno end\n", 2, 14, "syntax"),
            ("line one\n{{ name }\n", 2, 9, "syntax"),
            ("{{ name | nosuchfilter }}", 1, 11, "filter"),
            ("{{ contact.first }}", 1, 4, "undefined"),
        ];
        for (source, line, column, says) in cases {
            let err = render_with(source).unwrap_err();
            assert_eq!((err.line, err.column), (line, column), "{source}: {err:?}");
            assert!(err.message.contains(says), "{source}: {err:?}");
        }
    }

    /// A template that would run for ever, or fill memory, is stopped.
    #[test]
    fn a_template_that_never_ends_is_stopped() {
        let source =
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
        let err = render_with(source).unwrap_err();
        assert!(err.message.contains("does too much work"), "{err:?}");
        let err = render_with("{{ 'x' * 1000000000 }}").unwrap_err();
        assert!(err.message.contains("does too much work"), "{err:?}");
    }
}
