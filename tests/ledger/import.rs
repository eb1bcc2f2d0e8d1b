//! `ledger import csv` (SPEC section 9): HubSpot's and Pipedrive's exports
//! and ledger's own, each row a file as `add` writes it, one commit; every
//! kind of bad input refused with its row and column, nothing written and
//! nothing committed, as plain git sees it.

use std::fs;
use std::path::PathBuf;

use crate::support::{clean, Sandbox, TODAY};

/// A ledger in a git repository with its first commit.
fn ledger_in_git() -> Sandbox {
    let s = Sandbox::new();
    s.file("ledger.yaml", "currency: USD\n").git_init();
    s
}

/// Write `bytes` as a CSV file beside the ledger (not in it, so that git
/// sees only what the import writes); its path.
fn csv_file(s: &Sandbox, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let path: PathBuf = s.home().join(name);
    fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

/// The subjects of `git log`, newest first.
fn subjects(s: &Sandbox) -> Vec<String> {
    s.git(&["log", "--format=%s"])
        .lines()
        .map(str::to_owned)
        .collect()
}

const HUBSPOT_DEALS: &str = "\
Record ID,Deal Name,Deal Stage,Amount,Pipeline,Create Date,Close Date,Deal owner,Associated Company,Next Activity Date
1,Acme pilot,contractsent,12000,default,2026-09-01 10:00,,Sam Seller,Acme Corp,2026-11-30
2,Globex renewal,closedwon,5000.50,default,2026-08-15T08:00:00Z,2026-10-01,Sam Seller,Globex,
3,Initech,Qualified To Buy,,default,2026-11-01,,,Initech,
";

#[test]
fn a_hubspot_deals_file_is_one_commit_of_a_file_a_deal() {
    let s = ledger_in_git();
    let file = csv_file(&s, "deals.csv", HUBSPOT_DEALS);
    let run = clean(s.ledger(&["import", "csv", &file]).ok());
    run.shows("Read ")
        .shows("as a HubSpot export: 3 rows")
        .shows("Left out the columns `Record ID`, `Pipeline`, `Close Date`")
        .shows("committed ");
    assert_eq!(
        subjects(&s),
        ["import deals.csv: 3 added, 0 skipped", "start"]
    );
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    assert_eq!(
        s.read("prospects/acme-pilot.md"),
        "---\nname: Acme pilot\ncompany: Acme Corp\nstage: negotiation\nvalue: 12000\n\
         owner: Sam Seller\nnext: 2026-11-30\nadded: 2026-09-01\n---\n\n# Acme pilot\n\n## Log\n"
    );
    let shown = s.ledger(&["show", "globex-renewal", "--json"]).ok().json();
    assert_eq!(shown["stage"], "won");
    assert_eq!(shown["value"], 5000.5);
    let initech = s.ledger(&["show", "initech", "--json"]).ok().json();
    assert_eq!(initech["stage"], "qualified");
    assert_eq!(initech["due"], "2026-11-01");
    // Exactly the three files, in the one commit.
    let files = s.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        [
            "prospects/acme-pilot.md",
            "prospects/globex-renewal.md",
            "prospects/initech.md"
        ]
    );
}

#[test]
fn a_hubspot_contacts_file_notes_the_last_contact_and_invents_no_touch() {
    let s = ledger_in_git();
    let file = csv_file(
        &s,
        "contacts.csv",
        "\u{feff}\"Record ID\",\"First Name\",\"Last Name\",\"Email\",\"Phone Number\",\"Contact owner\",\
         \"Lifecycle Stage\",\"Create Date\",\"Last Contacted\",\"Next Activity Date\",\
         \"Number of times contacted\",\"Associated Company\"\r\n\
         \"101\",\"Jane\",\"Doe\",\"jane@acme.example\",\"+1 555 0100\",\"Sam Seller\",\"salesqualifiedlead\",\
         \"2026-10-01 09:30\",\"2026-11-10 14:00\",\"2026-11-30\",\"3\",\"Acme Corp\"\r\n\
         \"102\",\"Bob\",\"\",\"bob@stone.example\",\"\",\"\",\"customer\",\"\",\"\",\"\",\"0\",\"\"\r\n",
    );
    clean(s.ledger(&["import", "csv", &file]).ok());
    assert_eq!(
        s.read("prospects/jane-doe.md"),
        "---\nname: Jane Doe\ncompany: Acme Corp\ncontact: Jane Doe\nemail: jane@acme.example\n\
         phone: +1 555 0100\nstage: qualified\nowner: Sam Seller\nnext: 2026-11-30\nadded: 2026-10-01\n\
         ---\n\n# Jane Doe\n\n## Log\n\n\
         - 2026-11-10 note: Last contacted on this day, says the HubSpot export (3 contacts in all).\n"
    );
    let jane = s.ledger(&["show", "jane-doe", "--json"]).ok().json();
    assert_eq!(jane["touches"], 0);
    assert_eq!(jane["due_reason"], "scheduled");
    // No creation date: added today.
    let bob = s.read("prospects/bob.md");
    assert!(
        bob.contains("stage: won\n") && bob.contains("added: 2026-11-23\n"),
        "{bob}"
    );
    assert_eq!(subjects(&s)[0], "import contacts.csv: 2 added, 0 skipped");
}

#[test]
fn a_pipedrive_file_with_semicolons_and_a_byte_order_mark() {
    let s = ledger_in_git();
    let file = csv_file(
        &s,
        "pipedrive.csv",
        "\u{feff}Deal - Title;Deal - Value;Deal - Currency;Deal - Stage;Deal - Status;Person - Name;\
         Person - Email;Organization - Name;Activity - Due date;Deal - Label\n\
         Pilot for Acme;1500.50;EUR;Proposal Made;open;Jane Doe;jane@acme.example;Acme GmbH;2026-12-01;hot\n\
         \"Renewal; 2027\";900;EUR;Negotiations Started;lost;Bob Stone;;Stone AG;;\n\
         ;;;Lead In;open;Ann Lee;ann@lee.example;;;\n",
    );
    let run = clean(s.ledger(&["import", "csv", &file]).ok());
    run.shows("as a Pipedrive export: 3 rows")
        .shows("`Deal - Label`");
    let acme = s.read("prospects/pilot-for-acme.md");
    assert!(
        acme.starts_with(
            "---\nname: Pilot for Acme\ncompany: Acme GmbH\ncontact: Jane Doe\nemail: jane@acme.example\n\
             stage: proposal\nvalue: 1500.50\ncurrency: EUR\nnext: 2026-12-01\nadded: 2026-11-23\n---\n"
        ),
        "{acme}"
    );
    let renewal = s.ledger(&["show", "renewal-2027", "--json"]).ok().json();
    assert_eq!(renewal["name"], "Renewal; 2027");
    assert_eq!(renewal["stage"], "lost");
    // A person without a deal: the person's name.
    let ann = s.read("prospects/ann-lee.md");
    assert!(
        ann.contains("name: Ann Lee\n") && ann.contains("stage: lead\n"),
        "{ann}"
    );
}

#[test]
fn importing_the_same_file_twice_adds_nothing() {
    let s = ledger_in_git();
    let file = csv_file(&s, "deals.csv", HUBSPOT_DEALS);
    s.ledger(&["import", "csv", &file]).ok();
    let before = s.snapshot();
    let log = subjects(&s);
    let again = clean(s.ledger(&["import", "csv", &file]).ok());
    again
        .shows("Skipped 3 rows already in the ledger")
        .shows("Acme pilot: same name as prospects/acme-pilot")
        .shows("Nothing to add.");
    assert_eq!(s.snapshot(), before);
    assert_eq!(subjects(&s), log);
    assert_eq!(s.git(&["status", "--porcelain"]), "");
}

/// A prospect held back for a broken key (a value hand-edited to `12k`)
/// is still someone: importing its row again, or adding its name, adds
/// no second prospect, and the import says a file was held back.
#[test]
fn a_prospect_with_a_broken_key_is_not_added_again() {
    let s = ledger_in_git();
    let file = csv_file(
        &s,
        "contacts.csv",
        "name,email,value\nÖzlem Çelik,ozlem@ornek.example,5\nStraße AG,,7\n",
    );
    s.ledger(&["import", "csv", &file]).ok();
    for (path, from, to) in [
        ("prospects/ozlem-celik.md", "value: 5", "value: 12k"),
        ("prospects/strasse-ag.md", "value: 7", "value: [7"),
    ] {
        let text = s.read(path);
        assert!(text.contains(from), "{text}");
        s.file(path, text.replace(from, to));
    }
    s.command("git", &["commit", "-qam", "broken by hand"]).ok();
    let log = subjects(&s);
    let before = s.snapshot();
    let again = s.ledger(&["import", "csv", &file]).ok();
    again.says("skipped 2 prospect files with errors; `ledger lint` tells why");
    again
        .shows("Skipped 1 row already in the ledger")
        .shows("Özlem Çelik: same email as prospects/ozlem-celik");
    // The front matter that is not YAML names nobody: its row is added.
    again
        .shows("Added 1 prospect")
        .shows("prospects/strasse-ag-2.md");
    s.git(&["reset", "-q", "--hard", "HEAD~1"]);
    assert_eq!(s.snapshot(), before);
    assert_eq!(subjects(&s), log);
    s.ledger(&["add", "ÖZLEM ÇELIK"])
        .fails(1)
        .says("prospects/ozlem-celik.md");
    s.ledger(&["add", "özlem çelik", "--no-commit"])
        .fails(1)
        .says("has that name already");
    assert_eq!(s.snapshot(), before);
    // Filed by hand under another file name: found by its name alone.
    s.file("clients/al.md", "---\nname: Ana Lima\nvalue: 12k\n---\n");
    s.ledger(&["add", "ANA LIMA"])
        .fails(1)
        .says("clients/al.md has that name already (Ana Lima)");
    assert!(!s.root().join("prospects/ana-lima.md").exists());
}

#[test]
fn rows_match_by_email_else_by_name_and_earlier_rows_count() {
    let s = ledger_in_git();
    s.ledger(&["add", "Jane Doe", "--email", "JANE@acme.example"])
        .ok();
    let file = csv_file(
        &s,
        "people.csv",
        "name,email\n\
         Jane at Acme,jane@acme.example\n\
         Bob Stone,bob@stone.example\n\
         Robert Stone,BOB@stone.example\n\
         jane doe,\n\
         Ann Lee,\n\
         ann lee,\n",
    );
    let run = s
        .ledger(&["import", "csv", &file, "--json", "--dry-run"])
        .ok();
    let json = run.json();
    let added: Vec<&str> = json["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["Bob Stone", "Ann Lee"]);
    let skipped: Vec<(u64, &str, &str)> = json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["row"].as_u64().unwrap(),
                k["same"].as_str().unwrap(),
                k["as_of"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            (2, "email", "prospects/jane-doe"),
            (4, "email", "row 3"),
            (5, "name", "prospects/jane-doe"),
            (7, "name", "row 6"),
        ]
    );
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["commit"], serde_json::Value::Null);
}

#[test]
fn a_dry_run_writes_nothing_and_no_commit_commits_nothing() {
    let s = ledger_in_git();
    let file = csv_file(&s, "deals.csv", HUBSPOT_DEALS);
    let before = s.snapshot();
    let run = clean(s.ledger(&["import", "csv", &file, "--dry-run"]).ok());
    run.shows("Would add 3 prospects:")
        .shows("row 2  Acme pilot  prospects/acme-pilot.md");
    assert_eq!(s.snapshot(), before);
    assert_eq!(subjects(&s), ["start"]);

    clean(s.ledger(&["import", "csv", &file, "--no-commit"]).ok());
    assert_eq!(subjects(&s), ["start"]);
    assert_eq!(
        s.git(&["status", "--porcelain", "--untracked-files=all"]),
        "?? prospects/acme-pilot.md\n?? prospects/globex-renewal.md\n?? prospects/initech.md\n"
    );
}

/// Each kind of bad input: the file, and what the message must say.
const BAD: [(&str, &[u8], &[&str]); 13] = [
    (
        "not UTF-8",
        b"name,company\nAcme,Caf\xe9\n",
        &["row 2, column `company`: not UTF-8 text", "save the file as UTF-8"],
    ),
    (
        "wrong number of cells",
        b"name,company\nAcme,Acme Corp\nGlobex,Globex, Inc.\n",
        &["row 3: 3 cells where the header has 2 columns", "double quotes"],
    ),
    (
        "a cell too many for a header of one column",
        b"name\nAcme,Acme Corp\n",
        &["row 2: 2 cells where the header has 1 column\n"],
    ),
    (
        "a header no preset knows",
        b"Kunde,Mail\nAcme,a@b.example\n",
        &[
            "no column gives a prospect's name; the columns are `Kunde`, `Mail`",
            "--map Kunde=name --map Mail=email",
        ],
    ),
    (
        "a value that is not a number",
        b"Deal Name,Amount\nAcme,\"12,000\"\nGlobex,5k\n",
        &[
            "2 rows cannot be imported",
            "row 2, column `Amount`: `12,000` is not a number",
            "row 3, column `Amount`: `5k` is not a number",
        ],
    ),
    (
        "an unknown stage",
        b"Deal Name,Deal Stage\nAcme,prospecting\n",
        &[
            "row 2, column `Deal Stage`: unknown stage `prospecting`",
            "the stages of ledger.yaml are `lead`, `contacted`, `qualified`, `proposal`, `negotiation`, `nurture`, `won`, `lost`",
            "--map names columns, not values",
        ],
    ),
    (
        "an impossible date",
        b"name,next\nAcme,2026-02-30\n",
        &["row 2, column `next`: `2026-02-30` is not a date YYYY-MM-DD in the calendar"],
    ),
    (
        "no name",
        b"name,email\n,a@b.example\n",
        &["row 2, column `name`: no name"],
    ),
    (
        "a line break in a name",
        b"name,email\n\"Acme\nCorp\",a@b.example\n",
        &["row 2, column `name`: a line break"],
    ),
    (
        "an empty file",
        b"",
        &["bad.csv: the file is empty; a file to import starts with a header row"],
    ),
    (
        "a blank header",
        "\u{feff};\nÄrger GmbH;Köln\n".as_bytes(),
        &["bad.csv: the file has no header: its first row names no column"],
    ),
    (
        "a column taken in twice",
        "Name,E-Mail,Name\nАнна Иванова,anna@x.example,Ирина\n".as_bytes(),
        &["row 1, column `Name`: columns 1 and 3 are both `Name`: \
           which of them gives `name` cannot be told; rename or remove all but one"],
    ),
    (
        "a column taken in twice, by a preset",
        b"name,email,email\nA,a@x.example,b@x.example\n",
        &["row 1, column `email`: columns 2 and 3 are both `email`"],
    ),
];

#[test]
fn bad_input_is_named_by_row_and_column_and_nothing_is_written() {
    for (what, bytes, says) in BAD {
        let s = ledger_in_git();
        s.ledger(&["add", "Someone"]).ok();
        let file = csv_file(&s, "bad.csv", bytes);
        let before = s.snapshot();
        let log = subjects(&s);
        let run = clean(s.ledger(&["import", "csv", &file]).fails(1));
        for text in says {
            assert!(
                run.stderr.contains(text),
                "{what}: no {text:?} in\n{run:#?}"
            );
        }
        assert!(
            run.stderr.contains("nothing was written"),
            "{what}: {run:#?}"
        );
        assert_eq!(s.snapshot(), before, "{what}");
        assert_eq!(subjects(&s), log, "{what}");
        assert_eq!(s.git(&["status", "--porcelain"]), "", "{what}");
    }
}

/// Pipedrive's statuses are open, won, lost and deleted: a deleted deal
/// is named as such at its row and column (not as an unknown stage to add
/// to ledger.yaml), nothing is written; made `lost`, the row imports.
#[test]
fn a_deal_deleted_in_pipedrive_is_named_and_nothing_is_written() {
    let s = ledger_in_git();
    let rows = |status: &str| {
        format!(
            "\u{feff}Deal - Title;Deal - Status;Deal - Stage;Organization - Name\n\
             Pilot für Köln;open;Proposal Made;Müller GmbH\n\
             Старая сделка;{status};Proposal Made;ООО Ромашка\n"
        )
    };
    let file = csv_file(&s, "pd.csv", rows("deleted"));
    let before = s.snapshot();
    let run = clean(s.ledger(&["import", "csv", &file]).fails(1));
    run.says("1 row cannot be imported; nothing was written")
        .says(
            "row 3, column `Deal - Status`: the deal was deleted in Pipedrive: \
             remove the row to leave it out, or make its status `lost` to keep it as a lost deal",
        );
    assert!(!run.stderr.contains("unknown stage"), "{run:#?}");
    assert!(!run.stderr.contains("ledger.yaml"), "{run:#?}");
    assert_eq!(s.snapshot(), before);
    assert_eq!(subjects(&s), ["start"]);
    assert_eq!(
        s.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );

    let file = csv_file(&s, "pd.csv", rows("lost"));
    clean(s.ledger(&["import", "csv", &file]).ok());
    let old = s.ledger(&["show", "staraia-sdelka", "--json"]).ok().json();
    assert_eq!(old["stage"], "lost");
    assert_eq!(old["fields"]["company"], "ООО Ромашка");
    assert_eq!(subjects(&s)[0], "import pd.csv: 2 added, 0 skipped");
}

/// Problems found only in the file a row makes (its front matter too
/// large, a cadence `lint` refuses) are named like the others: the file as
/// it was given on the command line, the row, and the column; nothing is
/// written, nothing committed. A dry run finds them too.
#[test]
fn problems_of_the_file_a_row_makes_name_the_file_row_and_column() {
    let s = ledger_in_git();
    let data = s.home().join("data");
    fs::create_dir_all(&data).unwrap();
    let huge = format!("name,Firma\nMüller,{}\n", "ü".repeat(150_000));
    fs::write(data.join("huge.csv"), huge).unwrap();
    fs::write(
        data.join("cad.csv"),
        "name,Rhythmus,company\nJürgen,alle zwei Wochen,Groß AG\n",
    )
    .unwrap();
    let root = s.root().to_string_lossy().into_owned();
    let cases: [(&str, &[&str], &str); 2] = [
        (
            "data/huge.csv",
            &["--map", "Firma=company"],
            "error: data/huge.csv: 1 row cannot be imported; nothing was written:\n  \
             row 2, column `Firma`: the front matter is 294 KiB, more than the 256 KiB",
        ),
        (
            "data/cad.csv",
            &["--map", "Rhythmus=cadence"],
            "error: data/cad.csv: 1 row cannot be imported; nothing was written:\n  \
             row 2, column `Rhythmus`: `cadence`: cadence step `alle zwei Wochen`",
        ),
    ];
    let before = s.snapshot();
    for (file, maps, says) in cases {
        for dry_run in [false, true] {
            let mut args = vec!["-C", &root, "import", "csv", file, "--today", TODAY];
            args.extend(maps);
            if dry_run {
                args.push("--dry-run");
            }
            let run = clean(s.ledger_raw(&args, &s.home()).fails(1));
            run.says(says);
            assert_eq!(s.snapshot(), before, "{file}");
            assert_eq!(subjects(&s), ["start"], "{file}");
            assert_eq!(
                s.git(&["status", "--porcelain", "--untracked-files=all"]),
                "",
                "{file}"
            );
        }
    }
}

#[test]
fn map_names_columns_and_an_unknown_column_is_a_usage_error() {
    let s = ledger_in_git();
    // `import csv FILE`, with a `--map` for each of `maps`.
    let import = |file: &str, maps: &[&str]| {
        let mut args = vec!["import", "csv", file];
        for map in maps {
            args.extend(["--map", map]);
        }
        clean(s.ledger(&args))
    };
    let file = csv_file(
        &s,
        "leads.csv",
        "Kunde,Mail,Notiz\nAcme,a@acme.example,hi\n",
    );
    import(&file, &["Kunde=name", "Mail=email"])
        .ok()
        .shows("Left out the column `Notiz`");
    assert!(s
        .read("prospects/acme.md")
        .contains("email: a@acme.example\n"));
    import(&file, &["Firma=company"])
        .fails(2)
        .says("the file has no column `Firma`");
    import(&file, &["Kunde"]).fails(2).says("is not COLUMN=KEY");
    // A key YAML would read as null is no key.
    import(&file, &["Kunde=name", "Notiz=null"])
        .fails(2)
        .says("`null` is not a key");
    // A column whose name holds `=`: the key is after the last one.
    let file = csv_file(
        &s,
        "eq.csv",
        "Full Name,E=mail\nInitech,i@initech.example\n",
    );
    import(&file, &["Full Name=name", "E=mail=email"]).ok();
    assert!(s
        .read("prospects/initech.md")
        .contains("email: i@initech.example\n"));
}

#[test]
fn names_in_every_script_get_the_files_add_gives_them() {
    let names = [
        "Café Olé & Søn",
        "Иван Петров",
        "東京電機",
        "🚀 Launch",
        "שלום עולם",
        "محمد",
        "Ivan Petrov!",
    ];
    let by_add = ledger_in_git();
    for name in names {
        by_add.ledger(&["add", name, "--no-commit"]).ok();
    }
    let by_import = ledger_in_git();
    let mut text = String::from("name\n");
    for name in names {
        text.push_str(&format!("\"{name}\"\n"));
    }
    let file = csv_file(&by_import, "names.csv", text);
    clean(by_import.ledger(&["import", "csv", &file]).ok());
    let files = |s: &Sandbox| -> Vec<(String, Vec<u8>)> {
        s.snapshot()
            .into_iter()
            .filter(|(path, _)| path.starts_with("prospects/"))
            .collect()
    };
    assert_eq!(files(&by_import), files(&by_add));
    assert!(by_import
        .root()
        .join("prospects/ivan-petrov-2.md")
        .is_file());
}

#[test]
fn formula_guards_are_removed() {
    let s = ledger_in_git();
    let file = csv_file(
        &s,
        "guarded.csv",
        "name,company,phone,owner,source\n\
         Acme,'=HYPERLINK(\"x\"),'+1 555 0100,'@sam,'-web\n",
    );
    clean(s.ledger(&["import", "csv", &file]).ok());
    let shown = s.ledger(&["show", "acme", "--json"]).ok().json();
    assert_eq!(shown["fields"]["company"], "=HYPERLINK(\"x\")");
    assert_eq!(shown["fields"]["phone"], "+1 555 0100");
    assert_eq!(shown["owner"], "@sam");
    assert_eq!(shown["fields"]["source"], "-web");
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let s = ledger_in_git();
    // In a name: refused, and the message shows it escaped.
    let file = csv_file(
        &s,
        "esc.csv",
        "name,email\n\"Acme\u{1b}[31m\",a@b.example\n",
    );
    let run = clean(s.ledger(&["import", "csv", &file]).fails(1));
    run.says("row 2, column `name`: the control character \\u{1b}");
    // A line separator breaks a line for some readers: refused too.
    let file = csv_file(&s, "ls.csv", "name,email\nAcme\u{2028}Corp,a@b.example\n");
    clean(s.ledger(&["import", "csv", &file]).fails(1))
        .says("row 2, column `name`: a line separator \\u{2028}");
    // In a column left out, and a right-to-left override in a name, which
    // is written (as `add` writes it) but shown escaped.
    let file = csv_file(
        &s,
        "bidi.csv",
        "name,\"Note\u{7}\"\n\"Acme \u{202e}Corp\",\"x\u{1b}y\"\n",
    );
    let run = clean(s.ledger(&["import", "csv", &file]).ok());
    run.shows("Acme \\u{202e}Corp").shows("`Note\\u{7}`");
    let json = clean(
        s.ledger(&["import", "csv", &file, "--json", "--dry-run"])
            .ok(),
    )
    .json();
    assert_eq!(json["skipped"][0]["name"], "Acme \u{202e}Corp");
}

#[test]
fn the_ledger_preset_gives_back_every_front_matter_value() {
    // What `export csv` prints for these three prospects (SPEC section 9).
    let exported = "\
id,name,company,contact,email,phone,stage,value,currency,owner,source,tags,added,next,dnc,reason,touches,unanswered,budget,last_touch,due,overdue_days,due_reason,channel
prospects/acme-corp,Acme Corp,Acme Corporation,Jane Doe,jane@acme.example,'+1 555 0100,proposal,12000,USD,sam,referral,saas;big deal,2026-10-28,2026-11-28,,,4,0,12,2026-11-20,2026-11-28,-5,scheduled,
prospects/b/globex,Globex,'=Globex,,,,lost,99.5,EUR,,,,2026-09-01,,2026-10-01,competitor,2,2,3,2026-09-10,,,closed,
prospects/initech,Initech,,,,,lead,,USD,,,,2026-11-01,,true,,0,0,5,,,,dnc,
";
    let s = ledger_in_git();
    let file = csv_file(&s, "export.csv", exported);
    let run = clean(s.ledger(&["import", "csv", &file]).ok());
    run.shows("as ledger's own export: 3 rows");
    assert!(!run.stdout.contains("Left out"), "{run:#?}");
    let fields = |stem: &str| s.ledger(&["show", stem, "--json"]).ok().json()["fields"].clone();
    let acme = fields("acme-corp");
    let want = serde_json::json!({
        "name": "Acme Corp", "company": "Acme Corporation", "contact": "Jane Doe",
        "email": "jane@acme.example", "phone": "+1 555 0100", "stage": "proposal",
        "value": 12000, "currency": "USD", "owner": "sam", "source": "referral",
        "tags": ["saas", "big deal"], "added": "2026-10-28", "next": "2026-11-28",
    });
    for (key, value) in want.as_object().unwrap() {
        assert_eq!(&acme[key], value, "{key}: {acme}");
    }
    let globex = fields("globex");
    assert_eq!(globex["company"], "=Globex");
    assert_eq!(globex["value"], 99.5);
    assert_eq!(globex["dnc"], "2026-10-01");
    assert_eq!(globex["reason"], "competitor");
    assert_eq!(fields("initech")["dnc"], true);
}

#[test]
fn hostile_files_do_not_panic() {
    let s = ledger_in_git();
    let huge = "x".repeat(5 << 20);
    let megabyte_line = format!("name,note\nAcme,\"{}\"\n", "y,".repeat(1 << 19));
    let many_lines = format!("name,note\nAcme,\"{}\"\n", "line\n".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>, i32)> = vec![
        (
            "a huge cell",
            format!("name,note\nAcme,{huge}\n").into_bytes(),
            0,
        ),
        ("a 1 MB line", megabyte_line.into_bytes(), 0),
        ("line breaks in a quoted cell", many_lines.into_bytes(), 0),
        ("an open quote", b"name\n\"Acme\n".to_vec(), 0),
        ("only a byte-order mark", "\u{feff}".as_bytes().to_vec(), 1),
        ("nothing", Vec::new(), 1),
        ("a lone quote", b"\"".to_vec(), 1),
        ("NUL bytes", b"name\n\0\0\n".to_vec(), 1),
    ];
    for (what, bytes, code) in cases {
        let file = csv_file(&s, "hostile.csv", &bytes);
        let run = s.ledger(&["import", "csv", &file, "--dry-run"]);
        assert_eq!(run.code, code, "{what}: {run:#?}");
        clean(run);
    }
}

/// Two imports at the same moment of rows with the same emails: the one
/// that holds the ledger second finds the first one's prospects there and
/// adds none of them again (SPEC section 7: one waits for the other).
#[test]
fn two_imports_at_once_add_each_prospect_once() {
    let s = ledger_in_git();
    let rows = |prefix: &str| -> String {
        let mut csv = String::from("name,email\n");
        for i in 0..400 {
            csv.push_str(&format!("{prefix} {i},p{i}@example.invalid\n"));
        }
        csv
    };
    let files = [
        csv_file(&s, "first.csv", rows("Prospect")),
        csv_file(&s, "second.csv", rows("Other")),
    ];
    let running: Vec<std::process::Child> = files
        .iter()
        .map(|file| {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"));
            crate::support::seal(&mut cmd, &s.home());
            cmd.args(["import", "csv", file, "--today", crate::support::TODAY])
                .current_dir(s.root())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in running {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
    }
    let prospects = fs::read_dir(s.root().join("prospects")).unwrap().count();
    assert_eq!(prospects, 400);
    let lint = s.ledger(&["lint", "--json"]).ok().json();
    assert_eq!(lint["prospects"], 400);
    assert!(
        !lint.to_string().contains("\"duplicate\""),
        "no two prospects alike"
    );
    assert_eq!(s.git(&["status", "--porcelain"]), "");
    assert_eq!(s.git(&["rev-list", "--count", "HEAD"]), "2\n");
}

/// A file that never ends (a device) is read only as far as the limit,
/// and refused with nothing written.
#[cfg(unix)]
#[test]
fn a_file_that_never_ends_is_refused() {
    let s = ledger_in_git();
    let endless = s.home().join("endless.csv");
    std::os::unix::fs::symlink("/dev/zero", &endless).unwrap();
    let run = s
        .ledger(&["import", "csv", &endless.to_string_lossy()])
        .fails(1);
    run.says("MiB an imported file may be");
    assert_eq!(s.git(&["status", "--porcelain"]), "");
}

/// A file no preset knows, taken in by --map alone, is not called one of
/// the presets' exports; two columns mapped to one key are refused; a
/// long list of columns left out is cut short.
#[test]
fn a_file_read_by_map_alone_is_told_as_such() {
    let s = ledger_in_git();
    let file = csv_file(&s, "leads.csv", "Full name,E-mail\nGamma Co,g@x.example\n");
    let run = clean(
        s.ledger(&[
            "import",
            "csv",
            &file,
            "--map",
            "Full name=name",
            "--map",
            "E-mail=email",
            "--dry-run",
        ])
        .ok(),
    );
    run.shows("Read ").shows("leads.csv: 1 row.");
    assert!(!run.stdout.contains("export"), "{run:#?}");

    let twice = s.ledger(&[
        "import",
        "csv",
        &file,
        "--map",
        "E-mail=name",
        "--map",
        "Full name=name",
    ]);
    twice.fails(2).says("--map gives `name` twice");

    let header: Vec<String> = (0..50).map(|i| format!("extra {i}")).collect();
    let cells = vec![""; 50].join(",");
    let wide = csv_file(
        &s,
        "wide.csv",
        format!("name,{}\nWide Co,{cells}\n", header.join(",")),
    );
    let run = clean(s.ledger(&["import", "csv", &wide, "--dry-run"]).ok());
    run.shows("and 30 more (--map COLUMN=KEY takes one in)");
    assert_eq!(s.git(&["status", "--porcelain"]), "");
}

/// A row with too few cells does not hide the other rows' problems: all
/// are named at once, in row order.
#[test]
fn every_bad_row_is_named_at_once() {
    let s = ledger_in_git();
    let file = csv_file(
        &s,
        "bad.csv",
        "name,value,stage\nA Co,12k,lead\nB Co,5\nC Co,7,nowhere\n",
    );
    let run = s.ledger(&["import", "csv", &file]).fails(1);
    let rows: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("row "))
        .collect();
    assert_eq!(rows.len(), 3, "{run:#?}");
    assert!(rows[0].contains("row 2, column `value`"), "{rows:?}");
    assert!(
        rows[1].contains("row 3") && rows[1].contains("2 cells"),
        "{rows:?}"
    );
    assert!(rows[2].contains("row 4, column `stage`"), "{rows:?}");
    assert_eq!(s.git(&["status", "--porcelain"]), "");
}

/// "In any case" is Unicode's case folding, wherever names, emails, tags
/// and owners are compared: a CRM's upper-case export of `Müller Straße`
/// is the prospect already there, not a second one.
#[test]
fn names_in_any_case_are_one_in_every_script() {
    let s = ledger_in_git();
    s.file(
        "prospects/muller-strasse-gmbh.md",
        "---\nname: Müller Straße GmbH\nemail: Jürgen@Straße.de\nowner: Élodie\ntags: [Größe]\n---\n",
    )
    .file("prospects/odos.md", "---\nname: Οδός Α.Ε.\n---\n");
    s.git(&["add", "-A"]);
    s.git(&["commit", "-q", "-m", "two prospects"]);
    // The last row's Ü is a U and a combining diaeresis, as macOS and
    // some exports write it.
    let file = csv_file(
        &s,
        "upper.csv",
        "Name,Email\nMÜLLER STRASSE GMBH,\nSomeone Else,JÜRGEN@STRASSE.DE\nΟΔΌΣ Α.Ε.,\n\
         Mu\u{308}ller Straße GmbH,\n",
    );
    let before = s.snapshot();
    clean(s.ledger(&["import", "csv", &file]).ok())
        .shows("MÜLLER STRASSE GMBH: same name as prospects/muller-strasse-gmbh")
        .shows("Someone Else: same email as prospects/muller-strasse-gmbh")
        .shows("ΟΔΌΣ Α.Ε.: same name as prospects/odos")
        .shows("Mu\u{308}ller Straße GmbH: same name as prospects/muller-strasse-gmbh")
        .shows("Nothing to add.");
    assert_eq!(s.snapshot(), before);
    clean(
        s.ledger(&["add", "müller strasse gmbh", "--no-commit"])
            .fails(1),
    )
    .says("prospects/muller-strasse-gmbh.md has that name already (Müller Straße GmbH)");
    assert_eq!(s.snapshot(), before);
    let found = s
        .ledger(&["show", "MÜLLER STRASSE GMBH", "--json"])
        .ok()
        .json();
    assert_eq!(found["id"], "prospects/muller-strasse-gmbh");
    // A part of the name, not of the file name.
    let found = s.ledger(&["show", "STRASSE GMBH", "--json"]).ok().json();
    assert_eq!(found["id"], "prospects/muller-strasse-gmbh");
    for filter in [["--owner", "ÉLODIE"], ["--tag", "GRÖSSE"]] {
        let listed = s
            .ledger(&["list", "--all", "--json", filter[0], filter[1]])
            .ok()
            .json();
        assert_eq!(
            listed[0]["id"], "prospects/muller-strasse-gmbh",
            "{filter:?}"
        );
    }
    s.file(
        "prospects/copy.md",
        "---\nname: MUELLER\nemail: jürgen@STRASSE.de\n---\n",
    );
    let lint = s.ledger(&["lint", "--json"]).ok().json();
    assert!(lint.to_string().contains("\"duplicate\""), "{lint}");
}
