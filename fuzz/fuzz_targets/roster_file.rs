//! The roster file: any text is either a roster or a list of problems, each at a line and
//! column inside the text; a roster plans against an empty account without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_domain::reconcile::{LiveAccount, plan_account};

fuzz_target!(|text: &str| {
    match roster_config::load("fuzz.yaml", text) {
        Ok(roster) => {
            for account in &roster.accounts {
                let plan = plan_account(account, &LiveAccount::default());
                assert_eq!(plan.account, account.id);
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            // YAML breaks lines at CR LF, CR and LF alike.
            let lines = text
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .lines()
                .count()
                .max(1);
            for p in &problems {
                assert!(p.line >= 1 && p.column >= 1, "{p}");
                assert!(p.line <= lines + 1, "{p} is past the end ({lines} lines)");
            }
        }
    }
});
