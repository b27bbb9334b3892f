//! Prints every item the scorer misses in a labelled set: `cargo run -p yuanxun-monitor --example misses [file]`.
fn main() {
    let path = std::env::args().nth(1);
    let text = path.map(|p| std::fs::read_to_string(p).unwrap()).unwrap_or_else(|| yuanxun_monitor::eval::HOSPITAL_SET.to_string());
    let set = yuanxun_monitor::eval::parse_set(&text).unwrap();
    let s = yuanxun_monitor::Scorer::builtin();
    let r = yuanxun_monitor::eval::evaluate(s, &set);
    print!("{r}");
    for (want, got, text) in &r.misses {
        let rd = s.read(text);
        println!("{}→{} {:.2} {text} {:?}", want.label(), got.label(), rd.score, rd.words);
    }
    for i in &set {
        if let Some(c) = i.category {
            let got = s.category(&i.text);
            if got != c {
                println!("类别 {}→{} {}", c.label(), got.label(), i.text);
            }
        }
    }
}
