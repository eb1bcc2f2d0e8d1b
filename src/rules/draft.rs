//! `ledger draft` (SPEC section 8): the next message to a prospect in
//! three parts (your history together, why now, one clear ask), from
//! what its file says and nothing else. The message is a template
//! rendered with the prospect's values: one of the three below, by the
//! channel, or the ledger's own.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::format::date::Date;
use crate::format::entry::Entry;
use crate::format::prospect::Prospect;
use crate::format::schema;
use crate::format::template;
use crate::rules::due::{self, Reason, Status};
use crate::rules::settings::Settings;

/// What a draft is made from.
pub struct Request<'a> {
    /// The prospect, as its file says.
    pub prospect: &'a Prospect,
    /// Its status today.
    pub status: &'a Status,
    /// The ledger's settings.
    pub settings: &'a Settings,
    /// Today.
    pub today: Date,
    /// Who writes: `me:` in the settings, else git's `user.name`.
    pub me: &'a str,
    /// Why now, in the writer's words (`--why`).
    pub why: Option<&'a str>,
}

/// A template of the ledger's own: where it was read from (for errors),
/// and its text.
pub struct Template<'a> {
    /// Its path, as shown in an error.
    pub path: &'a str,
    /// Its text.
    pub source: &'a str,
}

/// A drafted message: `draft --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    /// Where it goes: the email address for an email, else the phone
    /// number (else the email address).
    pub to: Option<String>,
    /// The subject, when the message begins with a `Subject:` line.
    pub subject: Option<String>,
    /// The message after its subject line.
    pub body: String,
    /// The channel it is written for.
    pub channel: String,
    /// The whole message as rendered, subject line and all.
    #[serde(skip)]
    pub text: String,
}

/// The form a message takes on a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// An email: a subject, a greeting, three paragraphs and a signature.
    Email,
    /// Said rather than written: talking points.
    Talk,
    /// Any other written message: an email without a subject.
    Message,
}

/// The channels that are talked on; every other but `email` is written.
const TALKED: [&str; 3] = ["call", "meeting", "visit"];

impl Form {
    fn of(channel: &str) -> Form {
        match channel {
            "email" => Form::Email,
            _ if TALKED.contains(&channel) => Form::Talk,
            _ => Form::Message,
        }
    }

    /// The built-in template of this form (the variables are SPEC's).
    fn template(self) -> &'static str {
        match self {
            Form::Email => EMAIL,
            Form::Talk => TALK,
            Form::Message => MESSAGE,
        }
    }
}

const EMAIL: &str = "\
Subject: {{ subject }}

{% if first_name %}Hi {{ first_name }},{% else %}Hello,{% endif %}

{{ history_line }}

{{ why }}

{{ ask }}

Best,
{{ me }}
";

const MESSAGE: &str = "\
{% if first_name %}Hi {{ first_name }},{% else %}Hello,{% endif %}

{{ history_line }}

{{ why }}

{{ ask }}

{{ me }}
";

const TALK: &str = "\
{{ channel | capitalize }}: {{ contact or name }}{% if contact and company %} ({{ company }}){% endif %}\
{% if phone %}, {{ phone }}{% endif %}

- Who I am, what happened: {{ history_line }}
- Why now: {{ why }}
- Ask: {{ ask }}
";

/// How the first touch is told, by its channel, when it was ours.
const FIRST_TOUCH: [(&str, &str); 7] = [
    ("call", "I first called you"),
    ("email", "I first emailed you"),
    ("meeting", "we first met"),
    ("letter", "I first wrote to you"),
    ("text", "I first texted you"),
    ("social", "I first reached out to you"),
    ("visit", "I first visited you"),
];

/// The line to fill when nothing says why now.
const WHY_TO_FILL: &str = "[why now: what is new for them, or what they asked for]";

/// The line to fill when the settings have no ask for the stage.
const ASK_TO_FILL: &str = "[ask: one clear question]";

/// Draft the next message to a prospect, with `template` or the built-in
/// one for its channel. A closed or do-not-contact prospect gets none.
pub fn draft(request: &Request, template: Option<&Template>) -> Result<Draft> {
    let status = request.status;
    if matches!(status.due_reason, Reason::Closed | Reason::Dnc) {
        return Err(Error::NoDraft {
            name: status.name.clone(),
            closed: (status.due_reason == Reason::Closed).then(|| status.stage.clone()),
            dnc_since: status.dnc_since,
        });
    }
    let channel = channel(request);
    let form = Form::of(&channel);
    let values = variables(request, &channel);
    let (path, source) = match template {
        Some(t) => (t.path, t.source),
        None => ("(built-in template)", form.template()),
    };
    let text = template::render(source, &values).map_err(|e| Error::BadTemplate {
        path: path.to_owned(),
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    let (subject, body) = split_subject(&text);
    let fields = request.prospect.fields();
    // A blank address is none.
    let given = |value: Option<&String>| value.filter(|v| !v.trim().is_empty()).cloned();
    let email = given(fields.and_then(|f| f.email.as_ref()));
    let phone = given(fields.and_then(|f| f.phone.as_ref()));
    Ok(Draft {
        to: match form {
            Form::Email => email,
            Form::Talk | Form::Message => phone.or(email),
        },
        subject,
        body,
        channel,
        text,
    })
}

/// The channel to write for: the one the cadence suggests, else email
/// when there is an address, a call when there is only a phone number.
fn channel(request: &Request) -> String {
    if let Some(channel) = &request.status.channel {
        return channel.clone();
    }
    let fields = request.prospect.fields();
    let has = |value: Option<&String>| value.is_some_and(|v| !v.trim().is_empty());
    match fields {
        Some(f) if !has(f.email.as_ref()) && has(f.phone.as_ref()) => "call".into(),
        _ => "email".into(),
    }
}

/// A message's `Subject:` line, and the rest without the blank lines
/// that follow it.
fn split_subject(text: &str) -> (Option<String>, String) {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    match first.strip_prefix("Subject:") {
        Some(subject) => (
            Some(subject.trim().to_owned()),
            rest.trim_start_matches(['\n', '\r']).to_owned(),
        ),
        None => (None, text.to_owned()),
    }
}

/// The variables a template sees (SPEC section 8).
pub fn variables(request: &Request, channel: &str) -> Map<String, Value> {
    let Request {
        prospect,
        status,
        settings,
        today,
        me,
        why,
    } = request;
    // The front matter's values by their keys, the user's own too; the
    // known keys always there (null when absent) so that a template can
    // ask `{% if company %}`.
    let mut values: Map<String, Value> = prospect
        .front
        .pairs
        .iter()
        .map(|(key, value, _)| (key.clone(), value.to_json()))
        .collect();
    for key in schema::KEYS {
        let value = values.entry(key.name).or_insert(Value::Null);
        // A known text left blank (`contact: "  "`) is none, as for the
        // channel: a template's `contact or name` then falls back.
        if key.kind == schema::Kind::Text && value.as_str().is_some_and(|t| t.trim().is_empty()) {
            *value = Value::Null;
        }
    }
    values.insert("name".into(), json!(status.name));
    values.insert("stage".into(), json!(status.stage));
    values.insert("currency".into(), json!(status.currency));
    values.insert("tags".into(), json!(status.tags));

    // The touches among the history are those that count, as
    // `due::counted` finds them: sorted once, not twice.
    let history = due::history(&prospect.entries, *today);
    let touches: Vec<&Entry> = history
        .iter()
        .copied()
        .filter(|e| due::is_touch(e))
        .collect();
    let first_touch = touches.first().copied();
    let last_inbound = touches.iter().rev().find(|e| e.inbound).copied();
    let last_outbound = touches.iter().rev().find(|e| !e.inbound).copied();
    let contact = prospect.fields().and_then(|f| f.contact.as_deref());
    let first_name = contact.and_then(first_name);
    let entry = |e: Option<&Entry>| e.map_or(Value::Null, entry_json);
    let history_line = history_line(me, first_touch, last_inbound, *today);
    let next = prospect.fields().and_then(|f| f.next);
    let why = why_now(*why, next, *today, last_inbound);
    let ask = settings
        .asks
        .iter()
        .find(|(stage, _)| *stage == status.stage)
        .or_else(|| settings.asks.iter().find(|(stage, _)| stage == "default"))
        .map_or(ASK_TO_FILL, |(_, ask)| ask.as_str());
    let subject = match first_touch {
        None => format!("Hello from {me}"),
        Some(_) => "Following up".to_owned(),
    };
    let derived = [
        ("first_name", json!(first_name)),
        ("me", json!(me)),
        ("channel", json!(channel)),
        ("touches", json!(status.touches)),
        ("touch_number", json!(status.unanswered.saturating_add(1))),
        ("budget", json!(status.budget)),
        (
            "history",
            Value::Array(history.into_iter().map(entry_json).collect()),
        ),
        ("first_touch", entry(first_touch)),
        ("last_inbound", entry(last_inbound)),
        ("last_outbound", entry(last_outbound)),
        ("history_line", json!(history_line)),
        ("why", json!(why)),
        ("ask", json!(ask)),
        ("subject", json!(subject)),
    ];
    for (key, value) in derived {
        values.insert(key.to_owned(), value);
    }
    values
}

/// Titles that come before a name: not what a person is greeted by.
const TITLES: [&str; 8] = ["dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"];

/// The first name in a contact's name: its first word that is not a
/// title (`Dr. Priya Nair` → `Priya`).
fn first_name(contact: &str) -> Option<&str> {
    contact
        .split_whitespace()
        .find(|word| !word.ends_with('.') && !TITLES.iter().any(|t| t.eq_ignore_ascii_case(word)))
}

fn entry_json(e: &Entry) -> Value {
    json!({
        "date": e.date.to_string(), "channel": e.channel,
        "inbound": e.inbound, "text": e.text,
    })
}

/// Part one: who writes, and what happened: the first touch, and the
/// latest time they spoke, with what the log says of it.
fn history_line(
    me: &str,
    first: Option<&Entry>,
    last_inbound: Option<&Entry>,
    today: Date,
) -> String {
    let Some(first) = first else {
        return format!("It's {me}, getting in touch for the first time.");
    };
    let first_words = match first.inbound {
        true => "you first got in touch",
        false => FIRST_TOUCH
            .iter()
            .find(|(channel, _)| *channel == first.channel)
            .map_or("I first got in touch", |(_, words)| words),
    };
    let mut line = format!("It's {me}: {first_words} on {}", day(first.date, today));
    if let Some(last) = last_inbound {
        if !std::ptr::eq(last, first) {
            let how = match Form::of(&last.channel) {
                Form::Talk => "we last spoke",
                Form::Email | Form::Message => "you last wrote",
            };
            line.push_str(&format!(", and {how} on {}", day(last.date, today)));
        }
        let said = last.text.trim().trim_end_matches('.');
        if !said.is_empty() {
            line.push_str(&format!(" (“{said}”)"));
        }
    }
    line.push('.');
    line
}

/// Part two: why now. The writer's reason, else what they asked for when
/// the date they asked for is today, else a line to fill.
fn why_now(
    why: Option<&str>,
    next: Option<Date>,
    today: Date,
    last_inbound: Option<&Entry>,
) -> String {
    if let Some(why) = why.map(str::trim).filter(|w| !w.is_empty()) {
        return why.to_owned();
    }
    let asked = last_inbound
        .map(|e| e.text.trim())
        .filter(|text| next == Some(today) && !text.is_empty());
    match asked {
        Some(text) => you_asked(text),
        None => WHY_TO_FILL.to_owned(),
    }
}

/// "You asked me to …", from what the log says they asked: the words after
/// "asked (me) to", else the whole note.
fn you_asked(text: &str) -> String {
    // ASCII lower case keeps every byte where it was, so a place found in
    // it is a place in `text`.
    let lower = text.to_ascii_lowercase();
    let request = ["asked me to ", "asked to "].iter().find_map(|words| {
        let at = lower.find(words)?;
        text.get(at + words.len()..)
    });
    match request {
        Some(request) => format!("You asked me to {}.", request.trim().trim_end_matches('.')),
        None => format!(
            "You asked me to get back to you today (“{}”).",
            text.trim_end_matches('.')
        ),
    }
}

/// A date in words: `November 2`, with the year when it is not this one.
fn day(date: Date, today: Date) -> String {
    use chrono::Datelike;
    match date.year() == today.year() {
        true => date.format("%B %-d").to_string(),
        false => date.format("%B %-d, %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::date::parse_iso;
    use crate::rules::check::{assess_errors, Context};

    const TODAY: &str = "2026-11-23";

    const ACME: &str = "---\nname: Acme Corp\ncompany: Acme Corporation\ncontact: Jane Doe\nemail: jane@acme.example\nphone: \"+1 555 0100\"\nstage: proposal\nvalue: 12000\nregion: EMEA\n---\n\n## Log\n\n- 2026-11-02 meeting: Intro call, interested in a pilot.\n- 2026-11-05 email: Sent the proposal.\n- 2026-11-12 note: Budget approved.\n- 2026-11-20 call (in): Jane called back, asked to talk after Thanksgiving.\n- 2026-11-21 email: Sent the revised proposal.\n";

    /// The draft of a prospect file on [`TODAY`], by Sam.
    fn draft_of(text: &str, why: Option<&str>, template: Option<&str>) -> Result<Draft> {
        let settings = Settings::default();
        let today = parse_iso(TODAY).unwrap();
        let prospect = Prospect::parse("prospects/p.md", text);
        let cx = Context {
            settings: &settings,
            today,
        };
        let status = assess_errors(&prospect, &cx).status.unwrap();
        let request = Request {
            prospect: &prospect,
            status: &status,
            settings: &settings,
            today,
            me: "Sam Lee",
            why,
        };
        let template = template.map(|source| Template {
            path: "templates/draft.md",
            source,
        });
        draft(&request, template.as_ref())
    }

    #[test]
    fn an_email_in_three_parts() {
        let d = draft_of(ACME, None, None).unwrap();
        assert_eq!(d.channel, "email");
        assert_eq!(d.to.as_deref(), Some("jane@acme.example"));
        assert_eq!(d.subject.as_deref(), Some("Following up"));
        assert_eq!(
            d.body,
            "Hi Jane,\n\n\
             It's Sam Lee: we first met on November 2, and we last spoke on November 20 \
             (“Jane called back, asked to talk after Thanksgiving”).\n\n\
             [why now: what is new for them, or what they asked for]\n\n\
             Could we take 15 minutes this week to go over the proposal together?\n\n\
             Best,\nSam Lee\n"
        );
        assert!(d.text.starts_with("Subject: Following up\n\nHi Jane,\n"));
    }

    /// Why now: the writer's words; else, on the day they asked for, what
    /// they asked; else a line to fill.
    #[test]
    fn why_now() {
        let why = |text: &str, why: Option<&str>| {
            let d = draft_of(text, why, Some("{{ why }}")).unwrap();
            d.body
        };
        assert_eq!(why(ACME, Some(" Pilot slots open. ")), "Pilot slots open.");
        assert_eq!(why(ACME, None), WHY_TO_FILL);
        let asked = ACME.replace("region: EMEA\n", "next: 2026-11-23\n");
        assert_eq!(
            why(&asked, None),
            "You asked me to talk after Thanksgiving."
        );
        let plain = asked.replace(
            "Jane called back, asked to talk after Thanksgiving.",
            "Call me Monday.",
        );
        assert_eq!(
            why(&plain, None),
            "You asked me to get back to you today (“Call me Monday”)."
        );
    }

    /// A call is talking points; the channel is the cadence's (here a
    /// call after one unanswered email), else email, else a call when
    /// there is only a phone number.
    #[test]
    fn a_call_is_talking_points() {
        let called = ACME.replace(
            "- 2026-11-21 email: Sent the revised proposal.\n",
            "- 2026-11-18 email: Sent the revised proposal.\n- 2026-11-19 email: Nudge.\n",
        );
        let d = draft_of(
            &called.replace("2026-11-20 call (in)", "2026-11-17 call (in)"),
            None,
            None,
        )
        .unwrap();
        assert_eq!(d.channel, "call");
        assert_eq!(d.to.as_deref(), Some("+1 555 0100"));
        assert_eq!(d.subject, None);
        assert_eq!(
            d.text,
            "Call: Jane Doe (Acme Corporation), +1 555 0100\n\n\
             - Who I am, what happened: It's Sam Lee: we first met on November 2, and we last spoke \
             on November 17 (“Jane called back, asked to talk after Thanksgiving”).\n\
             - Why now: [why now: what is new for them, or what they asked for]\n\
             - Ask: Could we take 15 minutes this week to go over the proposal together?\n"
        );
        let phone_only = "---\nname: Bo\nphone: '555'\nnext: 2026-11-23\n---\n";
        assert_eq!(draft_of(phone_only, None, None).unwrap().channel, "call");
        // A blank contact and email are none: the call is to the name, on
        // the phone.
        let blank =
            "---\nname: Bo\ncontact: '  '\nemail: ' '\nphone: '555'\nnext: 2026-11-23\n---\n";
        let d = draft_of(blank, None, None).unwrap();
        assert_eq!((d.channel.as_str(), d.to.as_deref()), ("call", Some("555")));
        assert!(d.text.starts_with("Call: Bo, 555\n"), "{}", d.text);
    }

    /// Every key the front matter knows is a variable, null when the file
    /// does not have it; a key of the user's own is one when it has it.
    #[test]
    fn every_known_key_is_a_variable() {
        let template =
            "{% if source %}from {{ source }}{% else %}no source{% endif %}, {{ region }}";
        let d = draft_of(ACME, None, Some(template)).unwrap();
        assert_eq!(d.body, "no source, EMEA");
        let sourced = ACME.replace("region: EMEA\n", "region: EMEA\nsource: fair\n");
        assert_eq!(
            draft_of(&sourced, None, Some(template)).unwrap().body,
            "from fair, EMEA"
        );
    }

    #[test]
    fn a_new_prospect_and_one_who_wrote_first() {
        let new = draft_of("---\nname: New Co\nemail: a@new.example\n---\n", None, None).unwrap();
        assert_eq!(new.subject.as_deref(), Some("Hello from Sam Lee"));
        assert!(
            new.body
                .starts_with("Hello,\n\nIt's Sam Lee, getting in touch for the first time.\n"),
            "{}",
            new.body
        );
        let wrote = "---\nname: In Co\n---\n## Log\n- 2025-12-01 email (in): Saw your talk.\n";
        let d = draft_of(wrote, None, Some("{{ history_line }}")).unwrap();
        assert_eq!(
            d.body,
            "It's Sam Lee: you first got in touch on December 1, 2025 (“Saw your talk”)."
        );
    }

    /// A template sees the front matter (the user's own keys too) and
    /// the log; a misspelt variable names its line.
    #[test]
    fn templates_see_the_file_and_name_their_errors() {
        let source = "{{ name }} / {{ region }} / {{ tags | length }} / {{ touch_number }} of {{ budget }}\n\
                      {% for e in history %}{{ e.date }} {{ e.channel }}{% if e.inbound %} (in){% endif %}\n{% endfor %}\
                      {{ last_outbound.text }} / {{ first_touch.channel }} / {{ value }} {{ currency }}";
        let d = draft_of(ACME, None, Some(source)).unwrap();
        assert_eq!(
            d.body,
            "Acme Corp / EMEA / 0 / 2 of 12\n2026-11-02 meeting\n2026-11-05 email\n2026-11-12 note\n\
             2026-11-20 call (in)\n2026-11-21 email\nSent the revised proposal. / meeting / 12000 USD"
        );
        let err = draft_of(ACME, None, Some("Hi\n{{ frist_name }}")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "templates/draft.md:2:4: undefined value: `frist_name` is undefined"
        );
    }

    #[test]
    fn first_names_skip_titles() {
        let cases = [
            ("Jane Doe", Some("Jane")),
            ("Dr. Priya Nair", Some("Priya")),
            ("Prof Zoë Papadopoulou", Some("Zoë")),
            ("  Иван   Петров ", Some("Иван")),
            ("Mr.", None),
            ("", None),
        ];
        for (contact, want) in cases {
            assert_eq!(first_name(contact), want, "{contact}");
        }
    }

    #[test]
    fn closed_and_do_not_contact_get_no_draft() {
        let won = "---\nname: Won Co\nstage: won\n---\n";
        let err = draft_of(won, None, None).unwrap_err();
        assert_eq!(err.to_string(), "no draft for Won Co: it is closed (won)");
        let dnc = "---\nname: Dnc Co\ndnc: 2026-01-05\n---\n";
        let err = draft_of(dnc, None, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no draft for Dnc Co: they asked not to be contacted since 2026-01-05"
        );
    }
}
