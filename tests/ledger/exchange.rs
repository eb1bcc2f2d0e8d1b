//! `ledger completions`, `ledger man` and `ledger schema`: what shells,
//! `man` and editors read of `ledger`, checked by those tools where they
//! are installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{prospect, Sandbox};

/// Whether `program` can be run here.
fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
fn the_bash_script_registers_ledger_in_bash() {
    let s = Sandbox::new();
    let script = s.ledger_raw(&["completions", "bash"], &s.root()).ok();
    let path = s.root().join("ledger.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    let loaded = s.command(
        "bash",
        &[
            "-c",
            &format!("source {} && complete -p ledger", path.display()),
        ],
    );
    assert_eq!(loaded.code, 0, "{loaded:#?}");
    assert!(
        loaded.stdout.contains("-F _clap_complete_ledger ledger"),
        "{loaded:#?}"
    );

    // Tab after `ledger touch gl`, as bash calls the script's function.
    s.file("ledger.yaml", "")
        .file("prospects/globex.md", prospect("name: Globex\n", &[]));
    let tab = format!(
        "source {} && COMP_WORDS=(ledger touch gl) COMP_CWORD=2 COMP_TYPE=9 \
         && _clap_complete_ledger ledger gl touch && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let completed = s.command("bash", &["-c", &tab]);
    assert_eq!(completed.stdout, "globex\n", "{completed:#?}");
}

#[test]
fn every_shell_has_a_script_and_an_unknown_one_is_refused() {
    let s = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = s.ledger_raw(&["completions", shell], &s.root()).ok();
        assert!(run.stdout.contains("ledger"), "{shell}: {run:#?}");
    }
    s.ledger_raw(&["completions", "tcsh"], &s.root())
        .fails(2)
        .says("possible values: bash, zsh, fish, elvish, powershell");
}

/// What the bash script's function asks `ledger` for the words typed so
/// far, the last one being completed.
fn complete_in_bash(s: &Sandbox, cwd: &Path, words: &[&str]) -> Vec<String> {
    let index = (words.len() - 1).to_string();
    let mut args = vec!["--"];
    args.extend(words);
    let run = s.ledger_env(
        &args,
        cwd,
        &[
            ("LEDGER_COMPLETE", "bash"),
            ("_CLAP_IFS", "\n"),
            ("_CLAP_COMPLETE_INDEX", &index),
            ("_CLAP_COMPLETE_COMP_TYPE", "9"),
            ("_CLAP_COMPLETE_SPACE", "true"),
        ],
    );
    let run = run.ok();
    run.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn a_prospect_argument_completes_to_the_ledger_s_stems() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "")
        .file("prospects/acme-corp.md", prospect("name: Acme Corp\n", &[]))
        .file("prospects/acme-labs.md", prospect("name: Acme Labs\n", &[]))
        .file("prospects/globex.md", prospect("name: Globex\n", &[]))
        .file("README.md", "# Not a prospect\n");
    let got = complete_in_bash(&s, &s.root(), &["ledger", "touch", "ac"]);
    assert_eq!(got, ["acme-corp", "acme-labs"]);
    // From a folder inside the ledger too, as every command finds it.
    let inside = s.root().join("prospects");
    let got = complete_in_bash(&s, &inside, &["ledger", "show", "g"]);
    assert_eq!(got, ["globex"]);
    // The ledger given with -C, from anywhere.
    let root = s.root();
    let given = root.to_str().unwrap();
    let got = complete_in_bash(&s, &s.home(), &["ledger", "-C", given, "show", "acme-l"]);
    assert_eq!(got, ["acme-labs"]);
    // ... and as typed, before the shell reads `~`.
    let sales = s.home().join("sales");
    std::fs::create_dir_all(&sales).unwrap();
    std::fs::write(sales.join("ledger.yaml"), "").unwrap();
    std::fs::write(sales.join("initech.md"), prospect("name: Initech\n", &[])).unwrap();
    let got = complete_in_bash(&s, &root, &["ledger", "-C", "~/sales", "show", "i"]);
    assert_eq!(got, ["initech"]);
    // Commands complete as ever.
    let got = complete_in_bash(&s, &s.root(), &["ledger", "sch"]);
    assert_eq!(got, ["schema"]);
}

/// Two files of one stem in two folders: the stem names neither (`show
/// acme` is ambiguous), so each is offered by its id, which names it.
#[test]
fn a_stem_two_files_share_completes_to_their_ids() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "")
        .file("prospects/eu/acme.md", prospect("name: Acme EU\n", &[]))
        .file("prospects/us/acme.md", prospect("name: Acme US\n", &[]))
        .file("prospects/acme-labs.md", prospect("name: Acme Labs\n", &[]));
    let got = complete_in_bash(&s, &s.root(), &["ledger", "show", "ac"]);
    assert_eq!(got, ["acme-labs"]);
    let got = complete_in_bash(&s, &s.root(), &["ledger", "show", "prospects/"]);
    assert_eq!(got, ["prospects/eu/acme", "prospects/us/acme"]);
    for id in got {
        s.ledger(&["show", &id]).ok();
    }
    s.ledger(&["show", "acme"])
        .fails(1)
        .says("matches 2 prospects");
}

#[test]
fn no_ledger_no_prospects_to_complete() {
    let s = Sandbox::new();
    s.file("notes/todo.md", prospect("name: Not a ledger\n", &[]));
    let got = complete_in_bash(&s, &s.root(), &["ledger", "show", "t"]);
    assert!(got.is_empty(), "{got:?}");
}

/// The bash script `ledger completions bash` writes, run as `ledger`
/// (the path the script calls back), saved in the sandbox's HOME.
fn bash_script(s: &Sandbox, ledger: &Path) -> PathBuf {
    let run = s
        .command(ledger.to_str().unwrap(), &["completions", "bash"])
        .ok();
    let path = s.home().join("ledger.bash");
    std::fs::write(&path, &run.stdout).unwrap();
    path
}

/// The words bash puts in COMPREPLY when Tab is pressed after `typed` (the
/// words as on the line, the last one being completed) in `cwd`, the
/// ledger being the sandbox's: the script's function called as bash calls
/// it, with readline's word `current` (the last word without a quote it
/// opens).
fn tab_in_bash(
    s: &Sandbox,
    script: &Path,
    cwd: &Path,
    typed: &[&str],
    current: &str,
) -> Vec<String> {
    let tab = r#"source "$1" && cd "$2" || exit 9
export LEDGER_DIR="$3"; current=$4; shift 4
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_TYPE=9
COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
_clap_complete_ledger ledger "$current" "${COMP_WORDS[COMP_CWORD-1]}"
(( ${#COMPREPLY[@]} )) && printf '%s\n' "${COMPREPLY[@]}""#;
    let root = s.root();
    let mut args = vec![
        "-c",
        tab,
        "tab",
        script.to_str().unwrap(),
        cwd.to_str().unwrap(),
        root.to_str().unwrap(),
        current,
    ];
    args.extend(typed);
    let run = s.command("bash", &args);
    assert!(run.stderr.is_empty(), "{run:#?}");
    run.stdout.lines().map(str::to_owned).collect()
}

/// The words bash reads from `line` when Enter is pressed, in `cwd`: what
/// the command is given.
fn entered_in_bash(s: &Sandbox, cwd: &Path, line: &str) -> Vec<String> {
    let enter = r#"cd "$1" && eval "words=($2)" && printf '%s\0' "${words[@]}""#;
    let run = s.command("bash", &["-c", enter, "enter", cwd.to_str().unwrap(), line]);
    run.stdout
        .split_terminator('\0')
        .map(str::to_owned)
        .collect()
}

/// A folder beside the ledger to press Tab in, holding a file that a
/// glob-expanded `*` would turn into.
fn elsewhere(s: &Sandbox) -> PathBuf {
    let cwd = s.home().join("elsewhere");
    std::fs::create_dir_all(&cwd).unwrap();
    std::fs::write(cwd.join("secret-file"), "").unwrap();
    cwd
}

/// No command that a candidate held has run, wherever it would have run.
#[track_caller]
fn nothing_ran(s: &Sandbox, cwd: &Path) {
    for dir in [cwd.to_path_buf(), s.root(), s.home()] {
        for made in ["PWNED", "BT"] {
            assert!(!dir.join(made).exists(), "{made} in {}", dir.display());
        }
    }
}

/// File stems that mean something to a shell or a terminal.
const HOSTILE: [&str; 14] = [
    "zz$(touch PWNED)",
    "bt`touch BT`",
    "acme corp",
    "it's",
    "q\"uote",
    "*",
    "back\\slash",
    "esc\u{1b}[31m",
    "nl\nx",
    "café",
    "Москва",
    "東京",
    "-rf",
    "sp ",
];

fn hostile_ledger(s: &Sandbox) {
    s.file("ledger.yaml", "");
    for (i, stem) in HOSTILE.iter().enumerate() {
        s.file(
            &format!("prospects/{stem}.md"),
            prospect(&format!("name: P{i}\n"), &[]),
        );
    }
}

#[test]
fn hostile_stems_complete_in_bash_to_words_that_read_back_as_themselves() {
    let s = Sandbox::new();
    hostile_ledger(&s);
    let script = bash_script(&s, &assert_cmd::cargo::cargo_bin("ledger"));
    let cwd = elsewhere(&s);
    let got = tab_in_bash(&s, &script, &cwd, &["ledger", "show", ""], "");
    let prospects: Vec<&str> = got
        .iter()
        .map(String::as_str)
        .filter(|word| !word.starts_with("--"))
        .collect();
    // Each word as bash must get it, and the name it reads back as: the
    // stem, or the path when `ledger` would not read the stem as one
    // PROSPECT word. ESC and a line break are left out.
    let expected = [
        (r"\*", "*"),
        ("./prospects/-rf.md", "./prospects/-rf.md"),
        (r"./prospects/sp\ .md", "./prospects/sp .md"),
        (r"acme\ corp", "acme corp"),
        (r"back\\slash", "back\\slash"),
        (r"bt\`touch\ BT\`", "bt`touch BT`"),
        ("café", "café"),
        (r"it\'s", "it's"),
        (r#"q\"uote"#, "q\"uote"),
        (r"zz\$\(touch\ PWNED\)", "zz$(touch PWNED)"),
        ("Москва", "Москва"),
        ("東京", "東京"),
    ];
    let words: Vec<&str> = expected.iter().map(|(word, _)| *word).collect();
    assert_eq!(prospects, words);
    for (word, name) in expected {
        // Enter: `ledger` is given the name as one word, and nothing runs.
        let line = format!("ledger show {word}");
        assert_eq!(entered_in_bash(&s, &cwd, &line), ["ledger", "show", name]);
        // ... and it names the file the word was completed from.
        let shown = s.ledger(&["show", "--json", name]).ok().json();
        let stem = name
            .trim_start_matches("./prospects/")
            .trim_end_matches(".md");
        assert_eq!(shown["id"], format!("prospects/{stem}"), "{name}");
    }
    nothing_ran(&s, &cwd);
}

#[test]
fn a_word_typed_quoted_completes_in_bash() {
    let s = Sandbox::new();
    hostile_ledger(&s);
    let script = bash_script(&s, &assert_cmd::cargo::cargo_bin("ledger"));
    let cwd = elsewhere(&s);
    let tab = |typed: &str, current: &str| {
        tab_in_bash(&s, &script, &cwd, &["ledger", "show", typed], current)
    };
    // As bash itself quotes, so that a shared prefix completes further.
    assert_eq!(tab(r"acme\ c", r"acme\ c"), [r"acme\ corp"]);
    assert_eq!(tab(r"zz\$", r"zz\$"), [r"zz\$\(touch\ PWNED\)"]);
    // The ledger given with -C is read as bash will read it too.
    let sales = s.home().join("my sales");
    std::fs::create_dir_all(&sales).unwrap();
    std::fs::write(sales.join("ledger.yaml"), "").unwrap();
    std::fs::write(sales.join("initech.md"), prospect("name: Initech\n", &[])).unwrap();
    let typed = ["ledger", "-C", r"~/my\ sales", "show", "i"];
    assert_eq!(tab_in_bash(&s, &script, &cwd, &typed, "i"), ["initech"]);
    // Inside a quote the word opened, which readline leaves out of the
    // word it replaces and closes after the answer: the answer is written
    // for inside that quote.
    assert_eq!(tab("'it", "it"), [r"it'\''s"]);
    assert_eq!(tab("'zz", "zz"), ["zz$(touch PWNED)"]);
    assert_eq!(tab("\"zz", "zz"), [r"zz\$(touch PWNED)"]);
    assert_eq!(tab("\"bt", "bt"), [r"bt\`touch BT\`"]);
    for (line, name) in [
        (r"ledger show 'it'\''s'", "it's"),
        ("ledger show 'zz$(touch PWNED)'", "zz$(touch PWNED)"),
        (r#"ledger show "zz\$(touch PWNED)""#, "zz$(touch PWNED)"),
        (r#"ledger show "bt\`touch BT\`""#, "bt`touch BT`"),
    ] {
        assert_eq!(entered_in_bash(&s, &cwd, line), ["ledger", "show", name]);
    }
    nothing_ran(&s, &cwd);
}

#[test]
fn files_in_the_working_folder_complete_quoted_in_bash() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "");
    let script = bash_script(&s, &assert_cmd::cargo::cargo_bin("ledger"));
    let cwd = elsewhere(&s);
    for name in ["$(touch PWNED).csv", "my contacts.csv", "esc\u{1b}[31m.csv"] {
        std::fs::write(cwd.join(name), "").unwrap();
    }
    let got = tab_in_bash(&s, &script, &cwd, &["ledger", "import", "csv", ""], "");
    let files: Vec<&str> = got
        .iter()
        .map(String::as_str)
        .filter(|word| !word.starts_with('-'))
        .collect();
    assert_eq!(
        files,
        [
            r"\$\(touch\ PWNED\).csv",
            r"my\ contacts.csv",
            "secret-file"
        ]
    );
    let line = r"ledger import csv \$\(touch\ PWNED\).csv";
    assert_eq!(
        entered_in_bash(&s, &cwd, line),
        ["ledger", "import", "csv", "$(touch PWNED).csv"]
    );
    nothing_ran(&s, &cwd);
}

#[test]
fn no_shell_is_answered_a_control_character() {
    let s = Sandbox::new();
    hostile_ledger(&s);
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = s
            .ledger_env(
                &["--", "ledger", "show", ""],
                &s.root(),
                &[
                    ("LEDGER_COMPLETE", shell),
                    ("_CLAP_IFS", "\n"),
                    ("_CLAP_COMPLETE_INDEX", "2"),
                ],
            )
            .ok();
        assert!(!run.stdout.contains('\u{1b}'), "{shell}: {run:#?}");
        // The stem with a line break in it would be two candidates.
        assert!(
            !run.stdout
                .lines()
                .any(|line| line.starts_with("nl") || line == "x"),
            "{shell}: {run:#?}"
        );
        // Quoted by `ledger` for the shells that insert a candidate as it
        // is, left for the others to quote.
        let acme = match shell {
            "bash" => r"acme\ corp",
            "powershell" => "'acme corp'",
            _ => "acme corp",
        };
        assert!(
            run.stdout.lines().any(|line| line == acme),
            "{shell}: {run:#?}"
        );
    }
}

/// The folders `ledger` is put in to be called back from: one with a
/// space, and one with what else means something to a shell.
#[cfg(unix)]
const FOLDERS: [&str; 2] = ["my tools", "it's $(touch PWNED) `touch BT` \\ \"q\""];

/// A link to the `ledger` binary in the folder `name` of the sandbox's
/// HOME: the path the script is to call back.
#[cfg(unix)]
fn ledger_in(s: &Sandbox, name: &str) -> PathBuf {
    let dir = s.home().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let ledger = dir.join("ledger");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("ledger"), &ledger).unwrap();
    ledger
}

#[cfg(unix)]
#[test]
fn the_bash_script_calls_ledger_back_from_any_folder() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "")
        .file("prospects/globex.md", prospect("name: Globex\n", &[]));
    let cwd = elsewhere(&s);
    for folder in FOLDERS {
        let script = bash_script(&s, &ledger_in(&s, folder));
        let got = tab_in_bash(&s, &script, &cwd, &["ledger", "touch", "gl"], "gl");
        assert_eq!(got, ["globex"], "{folder}");
    }
    nothing_ran(&s, &cwd);
}

#[cfg(unix)]
#[test]
fn the_zsh_and_fish_scripts_call_ledger_back_from_any_folder() {
    let s = Sandbox::new();
    s.file("ledger.yaml", "")
        .file("prospects/acme corp.md", prospect("name: Acme\n", &[]));
    let ledger = ledger_in(&s, FOLDERS[1]);
    let script = |shell: &str| {
        let run = s
            .command(ledger.to_str().unwrap(), &["completions", shell])
            .ok();
        let path = s.home().join(format!("ledger.{shell}"));
        std::fs::write(&path, &run.stdout).unwrap();
        path
    };
    let root = s.root();
    // zsh's function, with `_describe` showing what it is given.
    if installed("zsh") {
        let zsh = script("zsh");
        let tab = r#"autoload -Uz compinit && compinit -u -d "$HOME/.zcompdump" && source "$1"
export LEDGER_DIR="$2"; words=(ledger show ac); CURRENT=3
_describe() { print -rl -- "${(@P)${@[-1]}}" }
_clap_dynamic_completer_ledger"#;
        let zsh = zsh.to_str().unwrap();
        let run = s.command(
            "zsh",
            &["-f", "-c", tab, "tab", zsh, root.to_str().unwrap()],
        );
        assert_eq!(run.stdout, "acme corp\n", "{run:#?}");
    } else {
        eprintln!("zsh is not installed: its script was not run");
    }
    if installed("fish") {
        let fish = script("fish");
        let tab = r#"source $argv[1]; set -x LEDGER_DIR $argv[2]; complete -C "ledger show ac""#;
        let fish = fish.to_str().unwrap();
        let run = s.command(
            "fish",
            &["--no-config", "-c", tab, fish, root.to_str().unwrap()],
        );
        assert_eq!(run.stdout, "acme corp\n", "{run:#?}");
    } else {
        eprintln!("fish is not installed: its script was not run");
    }
    nothing_ran(&s, &root);
}

#[test]
fn the_man_page_is_roff_that_man_renders() {
    let s = Sandbox::new();
    let page = s.ledger_raw(&["man"], &s.root()).ok();
    assert!(
        page.stdout
            .lines()
            .any(|line| line.starts_with(".TH ledger 1")),
        "{}",
        page.stdout
    );
    if !installed("man") {
        eprintln!("man is not installed: only the roff's .TH line was checked");
        return;
    }
    let path = s.root().join("ledger.1");
    std::fs::write(&path, &page.stdout).unwrap();
    let mut man = Command::new("man");
    man.arg("-l")
        .arg(&path)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat");
    let out = man.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for part in ["NAME", "SYNOPSIS", "touch", "completions", "schema"] {
        assert!(text.contains(part), "no {part} in:\n{text}");
    }
}

#[test]
fn man_dir_writes_a_page_a_command() {
    let s = Sandbox::new();
    let dir = s.root().join("man/man1");
    s.ledger_raw(&["man", dir.to_str().unwrap()], &s.root())
        .ok();
    let version = env!("CARGO_PKG_VERSION");
    for page in [
        "ledger.1",
        "ledger-touch.1",
        "ledger-schema.1",
        "ledger-due.1",
        "ledger-import-csv.1",
    ] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        // Each page's title line names itself and the same source:
        // ledger and its version.
        let title = format!(
            ".TH {} 1  \"ledger {version}\"",
            page.trim_end_matches(".1")
        );
        assert!(
            text.lines().any(|l| l.trim_end() == title),
            "{page}: {text}"
        );
    }
    // A file where the folder should be: a message, exit 1.
    s.file("taken", "");
    s.ledger_raw(&["man", "taken"], &s.root())
        .fails(1)
        .says("taken: not a folder");
}

/// Whether `value` is valid against `schema`, for the parts of JSON
/// Schema `ledger schema` uses (a full validator is a large dependency):
/// type, anyOf, required, properties, items, minimum, minLength, and the
/// two patterns it has: `\S` (some character that is not white space)
/// and a date's.
fn valid(schema: &Value, value: &Value) -> bool {
    let type_ok = |name: &str| match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("a type the test does not know: {other}"),
    };
    let types_ok = match &schema["type"] {
        Value::Null => true,
        Value::String(name) => type_ok(name),
        Value::Array(names) => names.iter().any(|n| type_ok(n.as_str().unwrap())),
        other => panic!("{other}"),
    };
    let any_ok = schema["anyOf"]
        .as_array()
        .is_none_or(|options| options.iter().any(|o| valid(o, value)));
    let required_ok = schema["required"].as_array().is_none_or(|keys| {
        keys.iter()
            .all(|k| value.get(k.as_str().unwrap()).is_some())
    });
    let properties_ok = schema["properties"]
        .as_object()
        .zip(value.as_object())
        .is_none_or(|(properties, object)| {
            object
                .iter()
                .all(|(k, v)| properties.get(k).is_none_or(|p| valid(p, v)))
        });
    let items_ok = value
        .as_array()
        .is_none_or(|items| items.iter().all(|i| valid(&schema["items"], i)));
    let minimum_ok = schema["minimum"]
        .as_f64()
        .zip(value.as_f64())
        .is_none_or(|(min, n)| n >= min);
    let length_ok = schema["minLength"]
        .as_u64()
        .zip(value.as_str())
        .is_none_or(|(min, s)| s.chars().count() as u64 >= min);
    let pattern_ok = schema["pattern"]
        .as_str()
        .zip(value.as_str())
        .is_none_or(|(pattern, s)| match pattern {
            "\\S" => s.chars().any(|c| !c.is_whitespace()),
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" => {
                let b = s.as_bytes();
                b.len() == 10
                    && b.iter().enumerate().all(|(i, c)| match i {
                        4 | 7 => *c == b'-',
                        _ => c.is_ascii_digit(),
                    })
            }
            other => panic!("a pattern the test does not know: {other}"),
        });
    types_ok
        && any_ok
        && required_ok
        && properties_ok
        && items_ok
        && minimum_ok
        && length_ok
        && pattern_ok
}

/// A front matter's YAML as the JSON an editor's check sees.
fn front_matter_json(yaml: &str) -> Value {
    serde_yaml::from_str(yaml).unwrap()
}

#[test]
fn the_schema_describes_the_front_matter() {
    let s = Sandbox::new();
    let schema = s.ledger_raw(&["schema"], &s.root()).ok().json();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], serde_json::json!(["name"]));
    assert_eq!(schema["additionalProperties"], true);
    let properties = schema["properties"].as_object().unwrap();
    assert_eq!(properties["name"]["type"], "string");
    let keys: Vec<&str> = properties.keys().map(String::as_str).collect();
    for key in [
        "name", "stage", "value", "currency", "next", "added", "dnc", "reason", "cadence",
        "company", "contact", "email", "phone", "owner", "source", "tags",
    ] {
        assert!(keys.contains(&key), "{key} not in {keys:?}");
    }

    // Every prospect of the example ledger is valid.
    let prospects = Path::new(env!("CARGO_MANIFEST_DIR")).join("example-ledger/prospects");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(prospects) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let yaml = text.split("---\n").nth(1).unwrap();
        let front = front_matter_json(yaml);
        assert!(valid(&schema, &front), "{front}");
        checked += 1;
    }
    assert!(checked > 10);

    // What the parser refuses, the schema refuses too.
    for bad in [
        "stage: lead\n",
        "name: ''\n",
        "name: A\nvalue: -1\n",
        "name: A\nvalue: lots\n",
        "name: A\nnext: {day: 1}\n",
        "name: A\ntags: {a: 1}\n",
        "name: A\ndnc: [yes]\n",
    ] {
        assert!(!valid(&schema, &front_matter_json(bad)), "{bad}");
    }
    // A key of the user's own is fine, and so are the parser's scalars.
    let own = "name: A\nmine: {deep: [1, 2]}\nphone: 5551234\ntags: solo\ndnc: true\nnext:\n";
    assert!(valid(&schema, &front_matter_json(own)));
}

/// The schema and the parser give the same verdict on the type of each
/// key's value: for every key but `cadence` (whose steps have a grammar
/// no schema holds), a value of each kind YAML has is refused by both or
/// by neither; but a name that is a number or a boolean, which the parser
/// reads as text and the schema asks to be written as text.
#[test]
fn the_schema_agrees_with_the_parser_on_every_key() {
    use ledger::format::diagnostic::Code;
    use ledger::format::front_matter;
    use ledger::format::schema::KEYS;
    let s = Sandbox::new();
    let schema = s.ledger_raw(&["schema"], &s.root()).ok().json();
    let values = [
        "Acme",
        "''",
        "'   '",
        "123",
        "1e3",
        "0.5",
        "-1",
        "true",
        "false",
        "2026-11-01",
        "'2026-11-01'",
        "[a, b]",
        "[1, true]",
        "[]",
        "{a: 1}",
        "",
        "~",
    ];
    for key in KEYS.iter().filter(|k| k.name != "cadence") {
        for value in values {
            let yaml = match key.name {
                "name" => format!("name: {value}\n"),
                other => format!("name: A\n{other}: {value}\n"),
            };
            let read = front_matter::read_any(&yaml, 2);
            let parser_ok = !read
                .problems
                .iter()
                .any(|(code, ..)| matches!(code, Code::BadField | Code::MissingName));
            let front = front_matter_json(&yaml);
            let schema_ok = valid(&schema, &front);
            if key.name == "name" && (front["name"].is_number() || front["name"].is_boolean()) {
                assert!(parser_ok && !schema_ok, "{yaml:?}");
                continue;
            }
            assert_eq!(schema_ok, parser_ok, "{yaml:?}: {:?}", read.problems);
        }
    }
}

#[test]
fn the_pre_commit_hook_runs_ledger_lint() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let hooks: Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "ledger-lint");
    assert_eq!(hook["entry"], "ledger lint");
    assert_eq!(hook["language"], "system");
    assert_eq!(hook["pass_filenames"], false);
}
