// Mandelbrot set on a W x W grid, at most ITER iterations per point: the number of points
// inside and a checksum of the escape counts (computed, not written out).

const W: usize = 1200;
const ITER: u32 = 100;

fn main() {
    let mut inside: usize = 0;
    let mut checksum: u64 = 0;
    for y in 0..W {
        let ci = 2.0 * y as f64 / W as f64 - 1.0;
        for x in 0..W {
            let cr = 2.0 * x as f64 / W as f64 - 1.5;
            let mut zr = 0.0;
            let mut zi = 0.0;
            let mut n: u32 = 0;
            while n < ITER && zr * zr + zi * zi <= 4.0 {
                let t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                n += 1;
            }
            if n == ITER {
                inside += 1;
            }
            checksum += n as u64;
        }
    }
    println!("{} {}", inside, checksum);
}
