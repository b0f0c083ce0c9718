//! Writes synthetic payment-code frames as PGM files plus a manifest, for the comparison
//! script: `cargo run --release -p tillkit-core --features synth --example synth_frames -- DIR COUNT SEED`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use tillkit_core::scan::synth::payment_frame;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, count, seed] = args.as_slice() else {
        eprintln!("usage: synth_frames DIR COUNT SEED");
        return ExitCode::from(2);
    };
    let (Ok(count), Ok(seed)) = (count.parse::<u64>(), seed.parse::<u64>()) else {
        eprintln!("COUNT and SEED must be whole numbers");
        return ExitCode::from(2);
    };
    match write_frames(&PathBuf::from(dir), count, seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("synth_frames: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_frames(dir: &std::path::Path, count: u64, seed: u64) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut manifest = String::from("file,size,expected_text\n");
    for (width, height) in [(1280u32, 720u32), (1920, 1080)] {
        for index in 0..count {
            let frame = payment_frame(seed, index, width, height)
                .ok_or_else(|| std::io::Error::other("the encoder refused a generated code"))?;
            let name = format!("{height}p-{index:04}.pgm");
            let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join(&name))?);
            write!(file, "P5\n{width} {height}\n255\n")?;
            file.write_all(frame.image.pixels())?;
            file.flush()?;
            manifest.push_str(&format!("{name},{height}p,{}\n", frame.code));
        }
    }
    // The manifest last: its presence tells the script the set is complete.
    std::fs::write(dir.join("manifest.csv"), manifest)
}
