//! The one integration-test binary: every test starts the real server on 127.0.0.1:0 against a
//! fresh database. Add modules here rather than new files under tests/: each test binary links
//! the whole stack again, which on two cores costs minutes.

mod browser;
mod helpers;
mod pages;

mod admin_catalog;
mod assessment;
mod attachments;
mod auth_and_org;
mod cli;
mod concurrency;
mod deadlines;
mod e2e;
mod e2e_a11y;
mod e2e_clock;
mod errors;
mod instances;
mod liaisons;
mod lifecycle;
mod pilot;
mod privacy;
mod projection;
mod report_xlsx;
mod routing;
mod ui;
mod ui_dashboard;
mod ui_liaison;
mod ui_whistles;
mod ui_workbench;
mod whistles;
