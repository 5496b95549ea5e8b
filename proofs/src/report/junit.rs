//! JUnit XML (quick-junit): one test suite per item, one test case per obligation; a failed
//! obligation is a failure (with its counterexample), an unknown one an error.

use super::{cex_text, Report};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

fn ms(t: f64) -> Duration {
    Duration::from_secs_f64((t / 1000.0).max(0.0))
}

pub fn render(r: &Report) -> String {
    let mut report = quick_junit::Report::new("vez verify");
    report.set_time(ms(r.summary.time_ms));
    for it in &r.items {
        let c = &it.cert;
        let mut suite = TestSuite::new(c.item.clone());
        suite.set_time(ms(c.time_ms));
        for o in &c.obligations {
            let mut status = match o.status.as_str() {
                "verified" => TestCaseStatus::success(),
                "failed" => TestCaseStatus::non_success(NonSuccessKind::Failure),
                _ => TestCaseStatus::non_success(NonSuccessKind::Error),
            };
            if o.status != "verified" {
                let mut detail = format!("{}:{}:{}: {}", o.file, o.line, o.column, o.message);
                if let Some(cex) = &o.counterexample {
                    detail.push_str(&format!("\ncounterexample: {}", cex_text(cex)));
                }
                if let Some(why) = &o.reason {
                    detail.push_str(&format!("\n{}: {why}", o.status));
                }
                status.set_message(o.message.clone());
                status.set_type(o.kind.clone());
                status.set_description(detail);
            }
            let name = format!("{} at {}:{}:{}", o.kind, o.file, o.line, o.column);
            let mut case = TestCase::new(name, status);
            case.set_classname(c.item.clone());
            case.set_time(ms(o.time_ms));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}
