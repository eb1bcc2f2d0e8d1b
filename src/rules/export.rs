//! What `export csv` writes of a prospect (SPEC section 9): its columns,
//! each a value as `list --json` shows it, from its status and its card.

use std::borrow::Cow;

use crate::format::csv::{guard, join_tags};
use crate::format::date::Date;
use crate::format::front_matter::Dnc;
use crate::rules::due::{self, Card, Status};

/// What a column holds: text, which a spreadsheet could take for a
/// formula, or a number or a date, which it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything a person wrote: guarded by [`guard`] against being run as a formula.
    Text,
    /// A number, a date, `true`: written as it is.
    Plain,
}

/// How a column's cell is read off a prospect; `None`: empty.
pub type Cell = for<'a> fn(&'a Status, &'a Card) -> Option<Cow<'a, str>>;

/// The columns of `export csv`, in order: the name, the kind, the cell.
pub const COLUMNS: [(&str, Kind, Cell); 24] = [
    ("id", Kind::Text, |s, _| text(&s.id)),
    ("name", Kind::Text, |s, _| text(&s.name)),
    ("company", Kind::Text, |_, c| some_text(&c.company)),
    ("contact", Kind::Text, |_, c| some_text(&c.contact)),
    ("email", Kind::Text, |_, c| some_text(&c.email)),
    ("phone", Kind::Text, |_, c| some_text(&c.phone)),
    ("stage", Kind::Text, |s, _| text(&s.stage)),
    ("value", Kind::Plain, |s, _| s.value.map(number)),
    ("currency", Kind::Text, |s, _| text(&s.currency)),
    ("owner", Kind::Text, |s, _| some_text(&s.owner)),
    ("source", Kind::Text, |_, c| some_text(&c.source)),
    ("tags", Kind::Text, |s, _| {
        (!s.tags.is_empty()).then(|| join_tags(&s.tags).into())
    }),
    ("added", Kind::Plain, |_, c| day(c.added)),
    ("next", Kind::Plain, |_, c| day(c.next)),
    ("dnc", Kind::Plain, |_, c| match c.dnc? {
        Dnc::No => Some("false".into()),
        Dnc::Yes => Some("true".into()),
        Dnc::Since(since) => day(Some(since)),
    }),
    ("reason", Kind::Text, |_, c| some_text(&c.reason)),
    ("touches", Kind::Plain, |s, _| {
        Some(s.touches.to_string().into())
    }),
    ("unanswered", Kind::Plain, |s, _| {
        Some(s.unanswered.to_string().into())
    }),
    ("budget", Kind::Plain, |s, _| {
        Some(s.budget.to_string().into())
    }),
    ("last_touch", Kind::Plain, |s, _| day(s.last_touch)),
    ("due", Kind::Plain, |s, _| day(s.due)),
    ("overdue_days", Kind::Plain, |s, _| {
        s.overdue_days.map(|d| d.to_string().into())
    }),
    ("due_reason", Kind::Text, |s, _| {
        Some(s.due_reason.as_str().into())
    }),
    ("channel", Kind::Text, |s, _| some_text(&s.channel)),
];

fn text(value: &str) -> Option<Cow<'_, str>> {
    Some(Cow::Borrowed(value))
}

fn some_text(value: &Option<String>) -> Option<Cow<'_, str>> {
    value.as_deref().map(Cow::Borrowed)
}

fn day(date: Option<Date>) -> Option<Cow<'static, str>> {
    date.map(|d| d.to_string().into())
}

/// A number as JSON writes it: a whole one without a fraction.
fn number(value: f64) -> Cow<'static, str> {
    match due::whole(value) {
        Some(whole) => whole.to_string().into(),
        None => value.to_string().into(),
    }
}

/// The cells of one prospect's row, in the order of [`COLUMNS`], text
/// made safe for a spreadsheet; an empty cell for a missing value.
pub fn row<'a>(status: &'a Status, card: &'a Card) -> impl Iterator<Item = Cow<'a, str>> {
    COLUMNS
        .iter()
        .map(move |(_, kind, cell)| match (cell(status, card), kind) {
            (None, _) => Cow::Borrowed(""),
            (Some(value), Kind::Plain) => value,
            (Some(Cow::Borrowed(value)), Kind::Text) => guard(value),
            (Some(Cow::Owned(value)), Kind::Text) => match guard(&value) {
                Cow::Borrowed(_) => Cow::Owned(value),
                Cow::Owned(safe) => Cow::Owned(safe),
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::prospect::Prospect;
    use crate::rules::check::{summarize, Context};
    use crate::rules::settings::Settings;

    fn cells(text: &str) -> Vec<String> {
        let settings = Settings::default();
        let cx = Context {
            settings: &settings,
            today: Date::from_ymd_opt(2026, 11, 23).unwrap(),
        };
        let summary = summarize(&Prospect::parse("prospects/a.md", text), &cx);
        let status = summary.status.unwrap();
        let card = status.card.clone().unwrap();
        row(&status, &card).map(|c| c.into_owned()).collect()
    }

    fn cell<'a>(cells: &'a [String], column: &str) -> &'a str {
        let at = COLUMNS.iter().position(|(name, ..)| *name == column);
        &cells[at.unwrap()]
    }

    #[test]
    fn a_row_holds_every_column_as_list_json_shows_it() {
        let row = cells(
            "---\nname: Acme\ncompany: Acme Inc\nphone: \"+1 555 0100\"\nvalue: 1200\n\
             tags: [saas, '=cmd']\nadded: 2026-10-01\ndnc: 2026-11-01\nreason: x\n---\n\n\
             ## Log\n\n- 2026-11-02 call\n",
        );
        assert_eq!(row.len(), COLUMNS.len());
        assert_eq!(cell(&row, "id"), "prospects/a");
        assert_eq!(cell(&row, "company"), "Acme Inc");
        assert_eq!(cell(&row, "phone"), "'+1 555 0100");
        assert_eq!(cell(&row, "value"), "1200");
        assert_eq!(cell(&row, "currency"), "USD");
        assert_eq!(cell(&row, "stage"), "lead");
        assert_eq!(cell(&row, "tags"), "saas;=cmd");
        assert_eq!(cell(&row, "added"), "2026-10-01");
        assert_eq!(cell(&row, "dnc"), "2026-11-01");
        assert_eq!(cell(&row, "touches"), "1");
        assert_eq!(cell(&row, "last_touch"), "2026-11-02");
        assert_eq!(cell(&row, "due_reason"), "dnc");
        assert_eq!(cell(&row, "next"), "");
        assert_eq!(cell(&row, "contact"), "");
    }

    #[test]
    fn text_that_starts_a_formula_is_shown_not_run() {
        for formula in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard(formula), format!("'{formula}"));
        }
        for plain in ["Acme", " =spaced", ""] {
            assert_eq!(guard(plain), plain);
        }
        // A negative number is a number, not a formula.
        let row = cells("---\nname: '-5'\nvalue: 0.5\n---\n");
        assert_eq!(cell(&row, "name"), "'-5");
        assert_eq!(cell(&row, "value"), "0.5");
    }
}
