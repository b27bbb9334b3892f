fn main() {
    for t in std::env::args().skip(1) {
        let r = yuanxun_monitor::Scorer::builtin().read(&t);
        println!("{:.3} {:?} {:?} {t}", r.score, r.polarity, r.words);
    }
}
