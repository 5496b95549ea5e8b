// A byte-scanning word counter (`wc`): lines, words and bytes of a generated text of N bytes.

const N: usize = 100_000_000;

fn text(n: usize) -> Vec<u8> {
    let mut v: Vec<u8> = Vec::with_capacity(n);
    let mut s: u64 = 7;
    let mut i: usize = 0;
    while i < n {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let r = (s >> 33) % 64;
        let c: u8 = if r == 0 {
            10
        } else if r < 10 {
            32
        } else {
            97 + (r % 26) as u8
        };
        v.push(c);
        i += 1;
    }
    v
}

fn count(s: &[u8]) -> (usize, usize) {
    let mut lines: usize = 0;
    let mut words: usize = 0;
    let mut in_word = false;
    for i in 0..s.len() {
        let c = s[i];
        if c == 10 {
            lines += 1;
        }
        let space = c == 32 || c == 10 || c == 9 || c == 13;
        if space {
            in_word = false;
        } else if !in_word {
            in_word = true;
            words += 1;
        }
    }
    (lines, words)
}

fn main() {
    let t = text(N);
    let (lines, words) = count(&t);
    println!("{} {} {}", lines, words, t.len());
}
