//! The shells' completion scripts and what `ledger` answers them (SPEC
//! sections 9 and 10): clap_complete's, but for what they get wrong with
//! text `ledger` does not choose. A candidate can be a prospect's file stem
//! or a file in the working folder, so anything a file name can hold
//! (`zz$(touch PWNED)`, `acme corp`, `*`, `it's`), and the script names the
//! folder `ledger` is installed in, which can hold the same.
//!
//! What each shell does with a candidate, and so what it gets:
//!
//! - **bash** puts a COMPREPLY word on the line as it is, and clap's
//!   script fills COMPREPLY from an unquoted `$(...)`, split on `\v` and
//!   then glob-expanded: `zz$(touch PWNED)` would run when the line is
//!   entered, `acme corp` would be two words, `*` the working folder's
//!   files. Here its script splits the answer with `read -a` (no globbing),
//!   and `ledger` answers each candidate quoted as bash reads it back
//!   ([`bash_quote`]), the typed words read without their quotes
//!   ([`bash_unquote`]) so that `acme\ c` completes too.
//! - **PowerShell** inserts a completion as it is too (and would run its
//!   `$(...)`): each candidate is answered in single quotes when it needs
//!   them ([`powershell_quote`]). PowerShell has taken the typed words'
//!   quotes off itself, as its script runs the line to call `ledger`.
//! - **zsh** (`_describe`, which quotes as it inserts), **fish** and
//!   **elvish** quote a candidate themselves as they insert it, and never
//!   glob or run it: they get clap_complete's answer, the candidate as it
//!   is (quoting it here would quote it twice). Their scripts quote the
//!   path of `ledger` right already (tests/ledger/exchange.rs runs zsh's
//!   and fish's from such a folder). zsh hands the word being completed
//!   over as typed, so there a word typed quoted (`acme\ c`) finds
//!   nothing, as with clap_complete's own answer.
//!
//! Every shell reads one candidate a line (bash one a `\v`) and shows the
//! candidates in a menu, so a candidate with a control or bidirectional
//! character is never answered: `exchange::prospect_candidates` leaves
//! such a prospect out for every shell, and bash and PowerShell, which
//! would show any other (a file in the working folder) raw, leave it out
//! too. zsh, fish and elvish show such a file name escaped.

use std::borrow::Cow;
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;
use std::sync::OnceLock;

use clap_complete::engine::CompletionCandidate;
use clap_complete::env::{Elvish, EnvCompleter, Fish, Shells, Zsh};
use ledger::format::text::is_unsafe_char;

/// The shells `ledger completions` writes a script for, and that answer
/// the script's call back.
pub const SHELLS: Shells<'static> = Shells(&[&Bash, &Zsh, &Fish, &Elvish, &Powershell]);

/// A stand-in for the path of `ledger` in clap_complete's script, replaced
/// by the path quoted for the shell: a plain word, which clap_complete
/// writes as it is.
const CALLBACK: &str = "LEDGER_CALLBACK";

/// The words of the line being completed without their quotes, kept by a
/// shell's answer that got them quoted (bash's).
static TYPED: OnceLock<Vec<OsString>> = OnceLock::new();

/// The words of the line being completed, without the shell's quotes, when
/// the shell's answer has read them so; else `None`, and the words after
/// `--` are as the shell gave them.
pub fn typed_words() -> Option<&'static [OsString]> {
    TYPED.get().map(Vec::as_slice)
}

/// bash, with clap_complete's script and answer made safe (see the
/// module's comment).
struct Bash;

impl EnvCompleter for Bash {
    fn name(&self) -> &'static str {
        "bash"
    }

    fn is(&self, name: &str) -> bool {
        name == "bash"
    }

    /// clap_complete's script, changed in three places rather than written
    /// anew, so that what else it does (bash 3 and 4, `nospace` after `=`,
    /// `/` or `:`) stays clap_complete's:
    ///
    /// - it calls `ledger` back by its path in single quotes: clap_complete
    ///   quotes the path and then puts it in double quotes too, so a path
    ///   with a space came out as `"'/my tools/ledger'"`, a file name with
    ///   quotes in it that bash never finds, and a path with `$(...)` or a
    ///   backtick ran it at each Tab;
    /// - it splits the answer with `read -a` on `\v` alone, where
    ///   `COMPREPLY=( $(...) )` glob-expanded each candidate too;
    /// - it tells `ledger` the quote the word being completed was opened
    ///   with (`ledger show 'acm`): readline leaves that quote out of the
    ///   word it replaces and closes it after the answer, which must be
    ///   written for inside it.
    fn write_registration(
        &self,
        var: &str,
        name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn Write,
    ) -> io::Result<()> {
        let script = clap_script(&clap_complete::env::Bash, var, name, bin)?;
        let script = replace_once(
            &script,
            &format!("\"{CALLBACK}\" --"),
            &format!("{} --", bash_single_quote(completer)),
        )?;
        let script = replace_once(
            &script,
            "    COMPREPLY=( $( \\\n",
            r#"    # The quote the word being completed was opened with, which
    # readline leaves out of $2 and closes after the answer: ledger
    # writes the answer for inside it.
    local _LEDGER_COMPLETE_QUOTE=
    case ${COMP_WORDS[COMP_CWORD]-} in
        \'"$2") _LEDGER_COMPLETE_QUOTE=\' ;;
        \""$2") _LEDGER_COMPLETE_QUOTE=\" ;;
    esac
    local _ledger_reply
    _ledger_reply=$( \
        _LEDGER_COMPLETE_QUOTE="$_LEDGER_COMPLETE_QUOTE" \
"#,
        )?;
        let script = replace_once(
            &script,
            "    ) )\n    if [[ $? != 0 ]]; then\n        unset COMPREPLY\n    elif ",
            r#"    )
    if [[ $? != 0 ]]; then
        unset COMPREPLY
        return
    fi
    # Each candidate comes quoted for bash, one a \v (IFS): split them so
    # and no further, never glob-expanded.
    read -r -a COMPREPLY <<< "$_ledger_reply"
    if "#,
        )?;
        buf.write_all(script.as_bytes())
    }

    /// clap_complete's answer (candidates joined by `_CLAP_IFS`), with the
    /// typed words read without their quotes and each candidate quoted.
    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&Path>,
        buf: &mut dyn Write,
    ) -> io::Result<()> {
        let index: usize = std::env::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|i| i.parse().ok())
            .unwrap_or_default();
        let ifs = std::env::var("_CLAP_IFS").unwrap_or_else(|_| "\n".to_owned());
        let open = match std::env::var("_LEDGER_COMPLETE_QUOTE").as_deref() {
            Ok("'") => Some('\''),
            Ok("\"") => Some('"'),
            _ => None,
        };
        let words: Vec<OsString> = args
            .into_iter()
            .enumerate()
            .map(|(i, word)| match word.to_str() {
                Some(text) => bash_unquote(text, open.filter(|_| i == index)).into(),
                None => word,
            })
            .collect();
        let _ = TYPED.set(words.clone());
        let candidates = clap_complete::engine::complete(cmd, words, index, current_dir)?;
        let answer: Vec<String> = candidates
            .iter()
            .filter_map(shown)
            .map(|value| bash_quote(value, open))
            .collect();
        buf.write_all(answer.join(&ifs).as_bytes())
    }
}

/// PowerShell, with clap_complete's script and answer made safe (see the
/// module's comment).
struct Powershell;

impl EnvCompleter for Powershell {
    fn name(&self) -> &'static str {
        "powershell"
    }

    fn is(&self, name: &str) -> bool {
        clap_complete::env::Powershell.is(name)
    }

    /// clap_complete's script, but for the path it calls `ledger` back
    /// by: the script builds that call in a double-quoted here-string, in
    /// which PowerShell expands `$...` and reads backticks as escapes, so
    /// a path with `$(...)` ran it at each Tab.
    fn write_registration(
        &self,
        var: &str,
        name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn Write,
    ) -> io::Result<()> {
        let script = clap_script(&clap_complete::env::Powershell, var, name, bin)?;
        let call = powershell_here_string(&powershell_quote(completer));
        let script = replace_once(
            &script,
            &format!("& {CALLBACK} -- $args"),
            &format!("& {call} -- $args"),
        )?;
        buf.write_all(script.as_bytes())
    }

    /// clap_complete's answer (a candidate a line, its help after a tab),
    /// with each candidate quoted.
    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&Path>,
        buf: &mut dyn Write,
    ) -> io::Result<()> {
        let index = args.len().saturating_sub(1);
        let candidates = clap_complete::engine::complete(cmd, args, index, current_dir)?;
        for candidate in &candidates {
            let Some(value) = shown(candidate) else {
                continue;
            };
            write!(buf, "{}", powershell_quote(value))?;
            if let Some(help) = candidate.get_help() {
                let help = help.to_string();
                write!(buf, "\t{}", help.lines().next().unwrap_or_default())?;
            }
            writeln!(buf)?;
        }
        Ok(())
    }
}

/// clap_complete's own script for `shell`, calling `ledger` back by
/// [`CALLBACK`], for the path to be put in as the shell must read it.
fn clap_script(shell: &dyn EnvCompleter, var: &str, name: &str, bin: &str) -> io::Result<String> {
    let mut script = Vec::new();
    shell.write_registration(var, name, bin, CALLBACK, &mut script)?;
    String::from_utf8(script).map_err(io::Error::other)
}

/// A candidate's text, when it can be shown and typed: without a control
/// or bidirectional character.
fn shown(candidate: &CompletionCandidate) -> Option<&str> {
    let value = candidate.get_value().to_str()?;
    (!value.chars().any(is_unsafe_char)).then_some(value)
}

/// `script` with `from`, which must be there once, replaced by `to`: a
/// clap_complete whose script has changed fails here (and in the tests),
/// rather than writing a script that is not the one meant.
fn replace_once(script: &str, from: &str, to: &str) -> io::Result<String> {
    match script.match_indices(from).count() {
        1 => Ok(script.replacen(from, to, 1)),
        _ => Err(io::Error::other(format!(
            "clap_complete's completion script has changed: no single {from:?} in it"
        ))),
    }
}

/// `text` as one bash word that means it whatever it holds: in single
/// quotes, where nothing is special but the closing quote.
pub fn bash_single_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A candidate as bash reads it back as one word, the text itself.
///
/// Outside quotes, every character that means something to bash comes
/// after a backslash (`zz\$\(touch\ PWNED\)`, `acme\ corp`, `\*`), as bash
/// quotes a file name it completes, so that candidates share a prefix that
/// is itself quoted (`acme\ `). Inside the quote the word was opened with
/// (`open`: `ledger show 'acm`), the candidate is written as it must be
/// inside that quote, which readline closes after it: in single quotes a
/// `'` as `'\''`; in double quotes `$`, `` ` ``, `"` and `\` after a
/// backslash, and `!`, which would expand history there, outside them
/// (`"\!"`).
fn bash_quote(value: &str, open: Option<char>) -> String {
    let mut word = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        match open {
            Some('\'') if c == '\'' => word.push_str(r"'\''"),
            Some('\'') => word.push(c),
            Some(_) if c == '!' => word.push_str(r#""\!""#),
            Some(_) => {
                if matches!(c, '$' | '`' | '"' | '\\') {
                    word.push('\\');
                }
                word.push(c);
            }
            None => {
                // Beyond ASCII nothing is special to bash; controls are
                // never answered. `:`, `=` and `@` are quoted too: bash
                // splits the line being completed at them
                // (COMP_WORDBREAKS), unless they are quoted.
                let plain = c.is_ascii_alphanumeric()
                    || matches!(c, '-' | '_' | '.' | '/' | '%' | '+' | ',')
                    || !c.is_ascii();
                if !plain {
                    word.push('\\');
                }
                word.push(c);
            }
        }
    }
    if open.is_none() && value.is_empty() {
        word.push_str("''");
    }
    word
}

/// A word as typed in bash, as bash will read it: without its quotes and
/// backslashes (`acme\ c`, `'acme c'` and `"acme c"` are all `acme c`). The
/// word is being typed, so a quote it leaves open is read to its end;
/// `open` is the quote it was opened with, when readline left it out.
/// Expansions (`$x`, `~`) are not made.
fn bash_unquote(word: &str, open: Option<char>) -> String {
    let mut text = String::with_capacity(word.len());
    let mut quote = open;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\\') => text.extend(chars.next()),
            (None, '\'' | '"') => quote = Some(c),
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            // In double quotes, a backslash escapes only these.
            (Some('"'), '\\') => match chars.next_if(|&n| matches!(n, '$' | '`' | '"' | '\\')) {
                Some(escaped) => text.push(escaped),
                None => text.push('\\'),
            },
            _ => text.push(c),
        }
    }
    text
}

/// A candidate as PowerShell reads it back as one argument: as it is when
/// nothing in it means anything to PowerShell, else in single quotes, in
/// which only a single quote is special, doubled to stand for itself.
/// PowerShell takes the typographic single quotes for quotes too, and
/// other characters beyond ASCII for dashes, so those are quoted as well,
/// as PowerShell's own `EscapeSingleQuotedStringContent` does.
fn powershell_quote(value: &str) -> Cow<'_, str> {
    let plain = !value.is_empty()
        && value.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '\\' | ':' | '=' | '+')
        });
    if plain {
        return value.into();
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('\'');
    for c in value.chars() {
        quoted.push(c);
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            quoted.push(c);
        }
    }
    quoted.push('\'');
    quoted.into()
}

/// `text` as it must be written inside a double-quoted here-string to come
/// out as itself: `$` and the backtick escaped with a backtick, and line
/// breaks written as escapes, so that no line of it can end the string.
fn powershell_here_string(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '`' => escaped.push_str("``"),
            '$' => escaped.push_str("`$"),
            '\n' => escaped.push_str("`n"),
            '\r' => escaped.push_str("`r"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_quotes_what_bash_would_read() {
        let cases = [
            ("acme-corp", None, "acme-corp"),
            ("zz$(touch PWNED)", None, r"zz\$\(touch\ PWNED\)"),
            ("bt`touch BT`", None, r"bt\`touch\ BT\`"),
            ("acme corp", None, r"acme\ corp"),
            ("it's", None, r"it\'s"),
            ("q\"uote", None, r#"q\"uote"#),
            ("*", None, r"\*"),
            ("back\\slash", None, r"back\\slash"),
            ("~home", None, r"\~home"),
            ("#tag!", None, r"\#tag\!"),
            ("a;b|c&d<e>f", None, r"a\;b\|c\&d\<e\>f"),
            ("{a,b}[c]?", None, r"\{a,b\}\[c\]\?"),
            ("café Москва 東京", None, r"café\ Москва\ 東京"),
            ("--ledger=x:y@z%1+2", None, r"--ledger\=x\:y\@z%1+2"),
            ("", None, "''"),
            ("acme corp", Some('\''), "acme corp"),
            ("it's $(x)", Some('\''), r"it'\''s $(x)"),
            (r#"a$b`c"d\e!f g'"#, Some('"'), r#"a\$b\`c\"d\\e"\!"f g'"#),
        ];
        for (value, open, quoted) in cases {
            assert_eq!(bash_quote(value, open), quoted, "{value:?}");
        }
    }

    #[test]
    fn bash_reads_a_typed_word_without_its_quotes() {
        let cases = [
            ("acme", None, "acme"),
            (r"acme\ c", None, "acme c"),
            (r"zz\$\(touch\ PWNED\)", None, "zz$(touch PWNED)"),
            ("'acme c'", None, "acme c"),
            ("'acme c", None, "acme c"),
            (r#""a\$b\c\"d""#, None, r#"a$b\c"d"#),
            (r#"it"'"s"#, None, "it's"),
            ("acme c", Some('\''), "acme c"),
            (r"it\s", Some('\''), r"it\s"),
            (r"a\$", Some('"'), "a$"),
            // bash 3 leaves the opening quote in the word.
            ("'acme c", Some('\''), "acme c"),
            ("trailing\\", None, "trailing"),
        ];
        for (word, open, text) in cases {
            assert_eq!(bash_unquote(word, open), text, "{word:?}");
        }
    }

    #[test]
    fn every_candidate_bash_quotes_reads_back_as_itself() {
        let values = [
            "zz$(touch PWNED)",
            "a'b\"c\\d`e",
            "* ? [x]",
            "café",
            "!$#&;|<>(){}~",
            "it's \"a\" !x",
        ];
        for value in values {
            for open in [None, Some('\''), Some('"')] {
                let quoted = bash_quote(value, open);
                // The opening quote readline kept out of the word, the
                // answer, and the quote readline closes it with.
                let line: String = open.into_iter().chain(quoted.chars()).chain(open).collect();
                assert_eq!(bash_unquote(&line, None), value, "{line:?}");
            }
        }
    }

    #[test]
    fn powershell_quotes_in_single_quotes() {
        let cases = [
            ("acme-corp", "acme-corp"),
            ("--json", "--json"),
            ("acme corp", "'acme corp'"),
            ("zz$(touch PWNED)", "'zz$(touch PWNED)'"),
            ("it's", "'it''s'"),
            ("it\u{2019}s", "'it\u{2019}\u{2019}s'"),
            ("a,b", "'a,b'"),
            ("@splat", "'@splat'"),
            ("a`b", "'a`b'"),
            ("café", "'café'"),
            ("", "''"),
        ];
        for (value, quoted) in cases {
            assert_eq!(powershell_quote(value), quoted, "{value:?}");
        }
        assert_eq!(
            powershell_here_string(&powershell_quote("/my $(x) `b`/it's/ledger")),
            "'/my `$(x) ``b``/it''s/ledger'"
        );
    }

    fn registration(shell: &dyn EnvCompleter, completer: &str) -> String {
        let mut script = Vec::new();
        shell
            .write_registration(
                "LEDGER_COMPLETE",
                "ledger",
                "ledger",
                completer,
                &mut script,
            )
            .unwrap();
        String::from_utf8(script).unwrap()
    }

    #[test]
    fn the_scripts_call_ledger_back_by_its_path_quoted() {
        let path = "/opt/my tools/it's $(x) `b`/ledger";
        let bash = registration(&Bash, path);
        assert!(
            bash.contains(r#"        '/opt/my tools/it'\''s $(x) `b`/ledger' -- "${words[@]}" \"#),
            "{bash}"
        );
        assert!(!bash.contains("COMPREPLY=( $("), "{bash}");
        assert!(bash.contains(r#"read -r -a COMPREPLY <<< "$_ledger_reply""#));
        let powershell = registration(&Powershell, path);
        assert!(
            powershell.contains("& '/opt/my tools/it''s `$(x) ``b``/ledger' -- $args"),
            "{powershell}"
        );
        for script in [bash, powershell] {
            assert!(!script.contains(CALLBACK), "{script}");
        }
    }
}
