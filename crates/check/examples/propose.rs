//! Prints the model's proposals (with their margins) for each line of stdin, thresholds at 0.
fn main() {
    let mut m = yuanxun_check::ContextModel::system().expect("installed").unwrap();
    m.thresholds = yuanxun_check::model::Thresholds { sound: 0.0, near_sound: 0.0, shape: 0.0, swap: 0.0, double: 0.0, missing: 0.0, word: 0.0 };
    for l in std::io::stdin().lines() {
        let l = l.unwrap();
        let chars: Vec<char> = l.chars().collect();
        let p: Vec<String> = m.propose(&chars).iter().map(|p| format!("{}→{} {:?} {:.2}", p.from, p.to, p.edit, p.gain)).collect();
        println!("{l}\t{}", p.join("; "));
    }
}
