//! The staff list an administrator imports (.xlsx or .csv, perhaps GBK from Excel): rows or a
//! Chinese error, never a panic or an unbounded unpacking. The first byte picks the format.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../common/caught.rs"]
mod caught;
use yuanxun_server::services::people;

fuzz_target!(init: caught::allow_caught_panics_from(&["/calamine-"]), |data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let name = if pick & 1 == 0 { "名单.csv" } else { "名单.xlsx" };
    let _ = people::read_table(name, bytes);
});
