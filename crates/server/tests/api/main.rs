//! HTTP tests against the real server, one binary (zero2prod style).

mod access;
mod audit;
mod browser;
mod congress;
mod degrade;
mod export;
mod gate;
mod helpers;
mod hostile;
mod incidents;
mod ledgers;
mod monitor;
mod outlets;
mod people;
mod points;
mod report;
mod review_check;
mod search;
mod site_article;
mod sites;
mod site_cache;
mod site_feeds;
mod site_theme;
mod spine;
mod uploads;
mod work;
