// Spectral norm of the infinite matrix A(i, j) = 1 / ((i + j)(i + j + 1) / 2 + i + 1),
// truncated to N x N, by 10 steps of the power method on A^T A.

const N: usize = 2500;

fn a(i: usize, j: usize) -> f64 {
    let ij = (i + j) as f64;
    1.0 / (ij * (ij + 1.0) / 2.0 + i as f64 + 1.0)
}

fn mul_av(v: &Vec<f64>, out: &mut Vec<f64>) {
    for i in 0..N {
        let mut sum = 0.0;
        for j in 0..N {
            sum += a(i, j) * v[j];
        }
        out[i] = sum;
    }
}

fn mul_atv(v: &Vec<f64>, out: &mut Vec<f64>) {
    for i in 0..N {
        let mut sum = 0.0;
        for j in 0..N {
            sum += a(j, i) * v[j];
        }
        out[i] = sum;
    }
}

fn mul_atav(v: &Vec<f64>, out: &mut Vec<f64>, tmp: &mut Vec<f64>) {
    mul_av(v, tmp);
    mul_atv(tmp, out);
}

fn main() {
    let mut u: Vec<f64> = vec![1.0; N];
    let mut v: Vec<f64> = vec![0.0; N];
    let mut tmp: Vec<f64> = vec![0.0; N];
    for _step in 0..10 {
        mul_atav(&u, &mut v, &mut tmp);
        mul_atav(&v, &mut u, &mut tmp);
    }
    let mut vbv = 0.0;
    let mut vv = 0.0;
    for i in 0..N {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    println!("{}", (vbv / vv).sqrt());
}
