// Dense matrix multiply, N x N f64 matrices stored row-major in Vecs (i-k-j loop order).

const N: usize = 1024;

fn matrix(seed: u64) -> Vec<f64> {
    let mut m: Vec<f64> = Vec::with_capacity(N * N);
    let mut s = seed;
    let mut i: usize = 0;
    while i < N * N {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        m.push(((s >> 40) % 1000) as f64 / 1000.0);
        i += 1;
    }
    m
}

fn multiply(a: &Vec<f64>, b: &Vec<f64>, c: &mut Vec<f64>) {
    for i in 0..N {
        for k in 0..N {
            let aik = a[i * N + k];
            for j in 0..N {
                c[i * N + j] += aik * b[k * N + j];
            }
        }
    }
}

fn main() {
    let a = matrix(1);
    let b = matrix(2);
    let mut c: Vec<f64> = vec![0.0; N * N];
    multiply(&a, &b, &mut c);
    let mut trace = 0.0;
    for i in 0..N {
        trace += c[i * N + i];
    }
    println!("{} {}", trace, c[N * N - 1]);
}
